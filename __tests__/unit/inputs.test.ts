import { actionDefaults } from '../../__fixtures__/action-defaults.js'
import { InputError } from '../../src/errors.js'
import { imageReference, parseChecksums, parsePlatforms, readInputs } from '../../src/inputs.js'

const defaults = actionDefaults()
const inputs = (given: Record<string, string>) =>
  readInputs(name => given[name] ?? defaults[name] ?? '')

describe('platforms', () => {
  test('all is every everyday platform, in catalogue order', () => {
    expect(parsePlatforms('all').map(p => p.name)).toEqual([
      'linux/amd64',
      'linux/arm64',
      'linux/arm/v7',
      'linux/arm/v6',
      'linux/ppc64le',
      'linux/s390x',
      'linux/riscv64',
      'linux/386',
      'linux/mips64le'
    ])
  })

  test('comma- and newline-separated, any spelling, de-duplicated', () => {
    expect(parsePlatforms('aarch64, linux/arm64\nppc64el,,\n arm64 ').map(p => p.name)).toEqual([
      'linux/arm64',
      'linux/ppc64le'
    ])
  })

  test.each(['', '  ', ' , \n ,'])('an empty list (%j) fails naming the input', text => {
    expect(() => parsePlatforms(text)).toThrow(/^Input "platforms": no platform given/)
  })

  test('an unknown name fails listing the accepted ones', () => {
    expect(() => parsePlatforms('arm64,sparc64')).toThrow(InputError)
    expect(() => parsePlatforms('arm64,sparc64')).toThrow(
      /unknown platform "sparc64".*Accepted: all, linux\/amd64/
    )
  })

  test('shell metacharacters are just an unknown name', () => {
    expect(() => parsePlatforms('arm64; touch /tmp/pwned')).toThrow(
      /unknown platform "arm64; touch \/tmp\/pwned"/
    )
  })
})

describe('readInputs', () => {
  test('defaults', () => {
    const i = inputs({})
    expect(i.platforms).toHaveLength(9)
    expect(i).toMatchObject({
      registrar: 'auto',
      install: 'auto',
      reset: true,
      persistent: true,
      credential: false,
      verify: 'probe',
      verifyImage: '',
      cleanup: 'auto',
      qemuVersion: '7.2.0-1'
    })
  })

  test.each([
    ['verify', 'maybe', /^Input "verify": "maybe" is not one of probe, image, true, false/],
    ['reset', 'yes please', /^Input "reset": "yes please" is not a boolean/],
    ['persistent', 'on', /^Input "persistent"/],
    ['credential', '1', /^Input "credential"/],
    ['registrar', 'podman', /^Input "registrar"/],
    ['install', 'brew', /^Input "install"/],
    ['cleanup', 'sometimes', /^Input "cleanup"/],
    [
      'image',
      'multiarch/qemu user static',
      /^Input "image": "multiarch\/qemu user static" is not an image reference/
    ],
    ['image', 'x$(touch /tmp/pwned)', /^Input "image"/],
    ['image', '--privileged', /^Input "image"/],
    ['verify-image', 'alpine;reboot', /^Input "verify-image"/],
    ['qemu-version', '7.2 ; rm -rf /', /^Input "qemu-version"/],
    ['download-url', 'ftp://example.com/{cpu}', /^Input "download-url"/],
    ['download-url', 'https://example.com/qemu-static', /^Input "download-url".*with \{cpu\}/],
    ['checksums', 'deadbeef  qemu-aarch64-static', /^Input "checksums"/]
  ])('%s: %j fails with a one-line message naming the input', (name, value, message) => {
    expect(() => inputs({ [name]: value })).toThrow(message)
    try {
      inputs({ [name]: value })
    } catch (error) {
      expect((error as Error).message).not.toContain('\n')
    }
  })

  test('YAML booleans and case-insensitive choices', () => {
    const i = inputs({
      reset: 'False',
      persistent: 'TRUE',
      verify: 'True',
      registrar: 'Native',
      cleanup: 'true'
    })
    expect(i).toMatchObject({
      reset: false,
      persistent: true,
      verify: 'true',
      registrar: 'native',
      cleanup: 'true'
    })
  })
})

describe('image references', () => {
  test.each([
    'multiarch/qemu-user-static',
    'multiarch/qemu-user-static:7.2.0-1',
    '127.0.0.1:5000/e2e/qemu-user-static:latest',
    'mirror.example.com/multiarch/qemu-user-static@sha256:' + 'a'.repeat(64),
    'localhost:5000/x:y@sha256:' + '0'.repeat(64),
    'alpine'
  ])('%s is accepted', ref => {
    expect(imageReference('image', ref, false)).toBe(ref)
  })

  test('optional ones may be empty, required ones may not', () => {
    expect(imageReference('verify-image', '', true)).toBe('')
    expect(() => imageReference('image', '', false)).toThrow(/^Input "image"/)
  })
})

describe('checksums', () => {
  test('sha256sum lines, with or without -static, * and paths', () => {
    const a = 'a'.repeat(64)
    const b = 'B'.repeat(64)
    const sums = parseChecksums(`# comment\n${a}  qemu-aarch64-static\n${b} *dist/qemu-s390x\n`)
    expect([...sums]).toEqual([
      ['aarch64', a],
      ['s390x', 'b'.repeat(64)]
    ])
  })
})

test('action.yml declares every input readInputs reads, with defaults that parse', () => {
  const defaults = actionDefaults()
  const asked: string[] = []
  readInputs(name => {
    asked.push(name)
    return defaults[name] ?? ''
  })
  expect(Object.keys(defaults).sort()).toEqual(asked.sort())
})
