import { jest } from '@jest/globals'
import { readFileSync } from 'node:fs'
import * as core from '../../__fixtures__/core.js'
import { actionDefaults } from '../../__fixtures__/action-defaults.js'

jest.unstable_mockModule('@actions/core', () => core)

const { InputError } = await import('../../src/errors.js')
const {
  DEFAULT_DOWNLOAD_URLS,
  DEFAULT_QEMU_VERSION,
  downloadSources,
  imageReference,
  parseChecksums,
  parsePlatforms,
  qemuVersion,
  readInputs,
  redactUrl,
  urlSecrets
} = await import('../../src/inputs.js')
import type { InputSource } from '../../src/inputs.js'

const defaults = actionDefaults()

/** The inputs a workflow gives, with action.yml's defaults filled in as the runner does. */
const inputs = (given: Record<string, string>) => {
  core.reset({ ...defaults, ...given })
  return readInputs(core)
}

/**
 * A source that hands values over exactly as given (no trimming, no defaults), with the two
 * inputs that have no default in the code.
 */
const raw = (given: Record<string, string>): InputSource => {
  const all: Record<string, string> = { platforms: 'arm64', ...given }
  return {
    getInput: name => all[name] ?? '',
    getMultilineInput: name => (all[name] ? all[name].split('\n') : [])
  }
}

/** The message readInputs fails with, asserting it is one line. */
function failure(given: Record<string, string>): string {
  try {
    inputs(given)
  } catch (error) {
    expect(error).toBeInstanceOf(InputError)
    const message = (error as Error).message
    expect(message).not.toContain('\n')
    return message
  }
  throw new Error(`accepted ${JSON.stringify(given)}`)
}

const A = 'a'.repeat(64)
const B = 'B'.repeat(64)

describe('platforms', () => {
  test("all is tonistiigi/binfmt's all but loong64 (no probe proves it yet), in catalogue order", () => {
    expect(parsePlatforms('all').map(p => p.name)).toEqual([
      'linux/amd64',
      'linux/arm64',
      'linux/arm/v7',
      'linux/arm/v6',
      'linux/ppc64le',
      'linux/s390x',
      'linux/riscv64',
      'linux/386',
      'linux/mips64le',
      'linux/mips64'
    ])
  })

  test('comma- and newline-separated, any spelling, de-duplicated', () => {
    expect(parsePlatforms('aarch64, linux/arm64\nppc64el,,\n arm64 ').map(p => p.name)).toEqual([
      'linux/arm64',
      'linux/ppc64le'
    ])
  })

  test('all plus platforms outside it, in catalogue order', () => {
    expect(parsePlatforms('loong64,ALL').map(p => p.name)).toContain('linux/loong64')
    expect(parsePlatforms('mips64, all')).toHaveLength(10)
    expect(parsePlatforms('all, loong64')).toHaveLength(11)
  })

  test.each(['', '  ', ' , \n ,'])('an empty list (%j) fails naming the input', text => {
    expect(() => parsePlatforms(text)).toThrow(
      'Input "platforms": no platform given. Name one or more, e.g. "linux/arm64,linux/ppc64le", or "all".'
    )
  })

  test('an unknown name fails listing the accepted ones', () => {
    expect(() => parsePlatforms('arm64,sparc64')).toThrow(InputError)
    expect(() => parsePlatforms('arm64,sparc64,x')).toThrow(
      /^Input "platforms": unknown platform "sparc64", "x"\. Accepted: all, linux\/amd64, amd64, x86_64, .*, linux\/arm64, arm64, aarch64, /
    )
  })

  test('shell metacharacters are just an unknown name', () => {
    expect(() => parsePlatforms('arm64; touch /tmp/pwned')).toThrow(
      /unknown platform "arm64; touch \/tmp\/pwned"/
    )
  })
})

describe('readInputs', () => {
  beforeEach(() => core.reset())

  test("action.yml's defaults", () => {
    const i = inputs({})
    expect(i.platforms).toHaveLength(10)
    expect(i).toMatchObject({
      registrar: 'auto',
      image: 'multiarch/qemu-user-static:latest',
      install: 'auto',
      qemuVersion: '10.0.13+ds-0+deb13u1',
      reset: true,
      persistent: true,
      credential: true,
      verify: 'probe',
      verifyImage: '',
      cleanup: 'auto',
      cache: 'auto',
      cacheImage: true
    })
    expect(i.downloadSources).toEqual([
      {
        template: 'https://deb.debian.org/debian/pool/main/q/qemu/qemu-user_{version}_{arch}.deb',
        kind: 'package'
      },
      { template: 'https://snapshot.debian.org/file/{sha1}', kind: 'package' }
    ])
    expect(i.checksums.packages.size + i.checksums.cpus.size).toBe(0)
  })

  test('inputs left empty (no action.yml defaults) get the same values', () => {
    const i = readInputs(raw({}))
    expect(i).toMatchObject({
      registrar: 'auto',
      install: 'auto',
      qemuVersion: DEFAULT_QEMU_VERSION,
      reset: true,
      persistent: true,
      credential: true,
      verify: 'probe',
      verifyImage: '',
      cleanup: 'auto',
      cache: 'auto',
      cacheImage: true
    })
    expect(i.downloadSources.map(s => s.template)).toEqual(DEFAULT_DOWNLOAD_URLS)
  })

  test('"given" is what the workflow wrote: action.yml defaults are empty, so none counts', () => {
    expect([...inputs({}).given]).toEqual([])
    expect(
      [...inputs({ credential: 'true', image: 'alpine', 'verify-image': 'alpine' }).given].sort()
    ).toEqual(['credential', 'image', 'verify-image'])
    // a value equal to the default is still given
    expect(inputs({ registrar: 'auto' }).given.has('registrar')).toBe(true)
  })

  test('an image given alone makes container the registrar; a given registrar wins', () => {
    expect(inputs({ image: 'tonistiigi/binfmt:qemu-v10.2.3' }).registrar).toBe('container')
    expect(inputs({ image: 'tonistiigi/binfmt', registrar: 'native' }).registrar).toBe('native')
    expect(inputs({ image: 'tonistiigi/binfmt', registrar: 'auto' }).registrar).toBe('auto')
    expect(inputs({}).registrar).toBe('auto')
  })

  test("cache-image, docker/setup-qemu-action's input, is accepted: true by default, a YAML boolean", () => {
    expect(inputs({}).cacheImage).toBe(true)
    expect(inputs({ 'cache-image': 'false' }).cacheImage).toBe(false)
    expect(inputs({ 'cache-image': 'false' }).given.has('cache-image')).toBe(true)
    expect(() => inputs({ 'cache-image': 'sometimes' })).toThrow(/cache-image/)
  })

  test('platforms not given is all', () => {
    expect(inputs({}).platforms).toEqual(parsePlatforms('all'))
  })

  test('without a source it reads @actions/core', () => {
    core.reset({ ...defaults, platforms: 's390x', registrar: 'seed' })
    expect(readInputs()).toMatchObject({ registrar: 'seed' })
    expect(readInputs().platforms.map(p => p.name)).toEqual(['linux/s390x'])
  })

  test('action.yml declares every input readInputs reads, with defaults that parse', () => {
    const asked = new Set<string>()
    readInputs({
      getInput: name => {
        asked.add(name)
        return defaults[name] ?? ''
      },
      getMultilineInput: name => {
        asked.add(name)
        return (defaults[name] ?? '').split('\n').filter(Boolean)
      }
    })
    expect(Object.keys(defaults).sort()).toEqual([...asked].sort())
  })

  test.each(['auto', 'container', 'native', 'seed', 'none'])('registrar: %s', value => {
    expect(inputs({ registrar: value }).registrar).toBe(value)
    expect(inputs({ registrar: value.toUpperCase() }).registrar).toBe(value)
  })

  test.each(['auto', 'apt', 'download', 'host', 'none'])('install: %s', value => {
    expect(inputs({ install: value }).install).toBe(value)
  })

  test.each(['auto', 'true', 'false'])('cache: %s', value => {
    expect(inputs({ cache: value }).cache).toBe(value)
  })

  test.each([
    ['true', true],
    ['false', false],
    ['False', false]
  ])("cache-image: %s is accepted, as docker/setup-qemu-action's", (value, parsed) => {
    const i = inputs({ 'cache-image': value })
    expect(i.cacheImage).toBe(parsed)
    expect(i.given.has('cache-image')).toBe(true)
  })

  test.each(['auto', 'true', 'false'])('cleanup: %s', value => {
    expect(inputs({ cleanup: value }).cleanup).toBe(value)
  })

  test.each([
    ['probe', 'probe'],
    ['image', 'image'],
    ['IMAGE', 'image'],
    ['true', 'true'],
    ['True', 'true'],
    ['TRUE', 'true'],
    ['false', 'false'],
    ['False', 'false'],
    ['FALSE', 'false'],
    ['', 'probe']
  ])('verify: %j is %s', (value, choice) => {
    expect(inputs({ verify: value }).verify).toBe(choice)
  })

  test.each([
    [
      'registrar',
      'podman',
      /^Input "registrar": "podman" is not one of auto, container, native, seed, none\. Use one of: auto, container, native, seed, none\.$/
    ],
    ['install', 'brew', /^Input "install": "brew" is not one of auto, apt, download, host, none/],
    ['cleanup', 'sometimes', /^Input "cleanup": "sometimes" is not one of auto, true, false/],
    ['cache', 'yes', /^Input "cache": "yes" is not one of auto, true, false/],
    [
      'cache-image',
      'maybe',
      /^Input "cache-image": "maybe" is not a boolean\. Use true or false\.$/
    ],
    ['verify', 'maybe', /^Input "verify": "maybe" is not one of probe, image, true, false/],
    ['verify', 'yes', /^Input "verify"/]
  ])('%s: %j fails naming the input and the choices', (name, value, message) => {
    expect(failure({ [name]: value })).toMatch(message)
  })
})

describe('booleans', () => {
  const names = [
    ['reset', true],
    ['persistent', true],
    ['credential', true]
  ] as const

  test.each(names)('%s: the YAML 1.2 spellings of true and false', name => {
    for (const t of ['true', 'True', 'TRUE']) expect(inputs({ [name]: t })[name]).toBe(true)
    for (const f of ['false', 'False', 'FALSE']) expect(inputs({ [name]: f })[name]).toBe(false)
  })

  test.each(names)('%s: empty is its default (%s)', (name, fallback) => {
    expect(readInputs(raw({ [name]: '' }))[name]).toBe(fallback)
  })

  test.each(names)('%s: anything else fails naming the input', name => {
    for (const value of ['yes', 'on', '1', 'tRUE', 'no', 'true ']) {
      const message = (() => {
        try {
          readInputs(raw({ [name]: value }))
        } catch (error) {
          return (error as Error).message
        }
        return 'accepted'
      })()
      expect(message).toBe(
        `Input "${name}": ${JSON.stringify(value)} is not a boolean. Use true or false.`
      )
    }
  })
})

describe('qemu-version', () => {
  test.each([
    ['', DEFAULT_QEMU_VERSION],
    ['10.0.13+ds-0+deb13u1', '10.0.13+ds-0+deb13u1'],
    ['1:10.0.13+ds-0+deb13u1', '10.0.13+ds-0+deb13u1'],
    ['12:7.2+dfsg-7~bpo11+1', '7.2+dfsg-7~bpo11+1'],
    ['7.2.0-1', '7.2.0-1'],
    ['v9.1.0_rc1', 'v9.1.0_rc1'],
    ['11', '11.1.3+ds-2~bpo13+1'],
    ['11.1', '11.1.3+ds-2~bpo13+1'],
    ['11.1.3', '11.1.3+ds-2~bpo13+1'],
    ['1:11.1.3+ds-2~bpo13+1', '11.1.3+ds-2~bpo13+1'],
    ['10', '10.0.13+ds-0+deb13u1'],
    ['10.0', '10.0.13+ds-0+deb13u1'],
    ['1', '1'],
    ['11.1.30', '11.1.30'],
    ['11.2', '11.2']
  ])('%j is %s', (text, version) => {
    expect(qemuVersion(text)).toBe(version)
    expect(inputs({ 'qemu-version': text }).qemuVersion).toBe(version)
  })

  test('the default is the Debian trixie package', () => {
    expect(DEFAULT_QEMU_VERSION).toBe('10.0.13+ds-0+deb13u1')
  })

  test.each([
    '-x',
    ' 1.0',
    '1.0 ',
    '.1',
    '+ds',
    '1:',
    ':1.0',
    'a:1.0',
    '7.2 ; rm -rf /',
    '7.2/../../etc',
    '$(id)',
    '7.2\n8.0',
    '1.0%00'
  ])('%j is refused, anchored at both ends', text => {
    expect(() => qemuVersion(text)).toThrow(
      `Input "qemu-version": ${JSON.stringify(text)} is not a version. Use 10 or 11 (the Debian packages the action pins), a Debian version such as 10.0.13+ds-0+deb13u1 (an epoch such as "1:" may be given), or a per-CPU release tag such as 7.2.0-1.`
    )
  })

  test('at most 64 characters, not counting an epoch', () => {
    const longest = '1' + 'a'.repeat(63)
    expect(qemuVersion(longest)).toBe(longest)
    expect(qemuVersion(`1:${longest}`)).toBe(longest)
    expect(() => qemuVersion(longest + 'a')).toThrow(/^Input "qemu-version"/)
    expect(() => qemuVersion(`1:${longest}a`)).toThrow(/^Input "qemu-version"/)
  })

  test('a leading space given by a workflow is trimmed by @actions/core, then accepted', () => {
    expect(inputs({ 'qemu-version': ' 1.0' }).qemuVersion).toBe('1.0')
    expect(() => readInputs(raw({ 'qemu-version': ' 1.0' }))).toThrow(
      /^Input "qemu-version": " 1\.0" is not a version/
    )
  })
})

describe('download-url', () => {
  test('one template per line, tried in the order given; comments and blank lines skipped', () => {
    const sources = inputs({
      'download-url': [
        '# our mirror first',
        'https://mirror.example.com/debian/pool/main/q/qemu/qemu-user_{version}_{arch}.deb',
        '',
        '  https://snapshot.debian.org/file/{sha1}  ',
        '# then per-CPU files',
        'http://files.example.com/qemu/v{version}/qemu-{cpu}-static'
      ].join('\n')
    }).downloadSources
    expect(sources).toEqual([
      {
        template:
          'https://mirror.example.com/debian/pool/main/q/qemu/qemu-user_{version}_{arch}.deb',
        kind: 'package'
      },
      { template: 'https://snapshot.debian.org/file/{sha1}', kind: 'package' },
      { template: 'http://files.example.com/qemu/v{version}/qemu-{cpu}-static', kind: 'per-cpu' }
    ])
  })

  test('empty, or only comments, is the default pair: the Debian pool, then snapshot.debian.org', () => {
    const pair = [
      {
        template: 'https://deb.debian.org/debian/pool/main/q/qemu/qemu-user_{version}_{arch}.deb',
        kind: 'package'
      },
      { template: 'https://snapshot.debian.org/file/{sha1}', kind: 'package' }
    ]
    expect(downloadSources([])).toEqual(pair)
    expect(downloadSources(['# nothing here', '   '])).toEqual(pair)
    expect(inputs({ 'download-url': '' }).downloadSources).toEqual(pair)
  })

  test.each([
    ['https://example.com/qemu.deb?token=abc', 'package'],
    ['https://example.com/{sha1}', 'package'],
    ['https://example.com/{cpu}/qemu-{version}.deb', 'package'],
    ['https://example.com/releases/v{version}/qemu-{cpu}', 'per-cpu'],
    ['https://{cpu}.example.com/qemu-static', 'per-cpu'],
    ['https://user:pass@example.com:8443/q/qemu-{cpu}-static?x=1', 'per-cpu']
  ])('%s is a %s source', (template, kind) => {
    expect(downloadSources([template])).toEqual([{ template, kind }])
  })

  test.each([
    ['https://example.com/qemu-{cpu}-{release}', 'has unknown placeholders {release}'],
    ['https://example.com/{CPU}/{}.deb', 'has unknown placeholders {CPU}, {}'],
    ['ftp://example.com/qemu-{cpu}', 'is not an http(s) URL'],
    ['file:///srv/qemu/qemu-user_{version}_{arch}.deb', 'is not an http(s) URL'],
    ['example.com/qemu-{cpu}', 'is not a URL'],
    ['https://exa mple.com/qemu-{cpu}', 'is not a URL'],
    ['https://example.com/qemu-static', 'names neither a .deb package nor one file per {cpu}'],
    ['https://example.com/qemu.deb.sig', 'names neither a .deb package nor one file per {cpu}']
  ])('%s: %s', (template, problem) => {
    expect(failure({ 'download-url': template })).toBe(
      `Input "download-url": ${JSON.stringify(template)} ${problem}. Use e.g. https://mirror.example.com/debian/pool/main/q/qemu/qemu-user_{version}_{arch}.deb (one package for every emulator) or https://mirror.example.com/qemu/v{version}/qemu-{cpu}-static (one file per CPU).`
    )
  })

  test('one bad line fails the input, even after good ones', () => {
    expect(
      failure({
        'download-url': 'https://deb.debian.org/x/qemu-user_{version}_{arch}.deb\nftp://x/{cpu}'
      })
    ).toMatch(/^Input "download-url": "ftp:\/\/x\/\{cpu\}" is not an http\(s\) URL/)
  })

  test('a refused URL is shown without its password or query values', () => {
    const message = failure({
      'download-url': 'https://bob:s3cret@example.com/{bad}?token=t0ken'
    })
    expect(message).toContain('"https://***@example.com/{bad}?token=***"')
    expect(message).not.toMatch(/s3cret|t0ken/)
  })
})

describe('redactUrl and urlSecrets', () => {
  test.each([
    ['https://example.com/a.deb', 'https://example.com/a.deb'],
    ['https://bob:s3cret@example.com/a.deb', 'https://***@example.com/a.deb'],
    ['HTTP://bob:@example.com/a.deb', 'HTTP://***@example.com/a.deb'],
    [
      'https://example.com/a.deb?token=abc&sig=x%2Fy#frag',
      'https://example.com/a.deb?token=***&sig=***#frag'
    ],
    ['https://example.com/a.deb?flag&token=', 'https://example.com/a.deb?flag&token=***']
  ])('redactUrl(%s) is %s', (url, shown) => {
    expect(redactUrl(url)).toBe(shown)
  })

  test('user:password@: the pair and the password, raw and decoded', () => {
    expect(urlSecrets('https://bob:p%40ss@example.com/a.deb')).toEqual([
      'bob:p%40ss',
      'bob:p@ss',
      'p%40ss',
      'p@ss'
    ])
  })

  test('an unencoded @ in the password: the user information ends at the last @, as URL parsing has it', () => {
    const url = 'https://bob:p@ss@example.com/a.deb'
    expect(new URL(url).hostname).toBe('example.com')
    expect(redactUrl(url)).toBe('https://***@example.com/a.deb')
    expect(urlSecrets(url)).toEqual(['bob:p@ss', 'p@ss'])
  })

  test('a value that is not valid percent-encoding (100%) is masked as it is, without a crash', () => {
    expect(urlSecrets('https://example.com/a.deb?token=100%')).toEqual(['100%'])
    expect(urlSecrets('https://bob:50%@example.com/a.deb')).toEqual(['bob:50%', '50%'])
    expect(redactUrl('https://example.com/a.deb?token=100%')).toBe(
      'https://example.com/a.deb?token=***'
    )
  })

  test('a token as the user name alone is a secret', () => {
    expect(urlSecrets('https://ghp_0123456789@example.com/a.deb')).toEqual(['ghp_0123456789'])
  })

  test('query values, raw and decoded; short ones are not masked', () => {
    expect(urlSecrets('https://example.com/a.deb?token=abc%2Fdef&v=1&sig=zzzz')).toEqual([
      'abc%2Fdef',
      'abc/def',
      'zzzz'
    ])
  })

  test('a plain URL has none', () => {
    expect(urlSecrets('https://deb.debian.org/debian/pool/main/q/qemu/x.deb')).toEqual([])
  })

  test('a user name with an empty password is a secret; three characters are enough', () => {
    expect(urlSecrets('https://tok123:@example.com/a.deb')).toEqual(['tok123:', 'tok123'])
    expect(urlSecrets('https://example.com/a.deb?t=abc')).toEqual(['abc'])
  })

  test("only the URL's own user information and its query values are credentials", () => {
    // "=" in the path and a URL inside the path are neither
    const plain = 'https://mirror.example.com/by-key/k=v/via/https://a:b@c/qemu-{cpu}'
    expect(redactUrl(plain)).toBe(plain)
    expect(urlSecrets(plain)).toEqual([])
  })
})

describe('checksums', () => {
  test('package lines by file name, per-CPU lines by CPU, with or without -static', () => {
    const sums = inputs({
      checksums: [
        '# from sha256sum',
        `${A}  qemu-user_10.0.13+ds-0+deb13u1_amd64.deb`,
        '',
        `${B} *dist/qemu-s390x`,
        `${A}  /tmp/out/qemu-aarch64-static`,
        `${A}  qemu-x86_64`,
        `${B}  qemu-mips64el-static`
      ].join('\n')
    }).checksums
    expect([...sums.packages]).toEqual([['qemu-user_10.0.13+ds-0+deb13u1_amd64.deb', A]])
    expect([...sums.cpus]).toEqual([
      ['s390x', B.toLowerCase()],
      ['aarch64', A],
      ['x86_64', A],
      ['mips64el', B.toLowerCase()]
    ])
  })

  test('a package in a path, in binary mode', () => {
    const sums = parseChecksums([`${B} *pool/main/q/qemu/qemu-user_7.2+dfsg-7_arm64.deb`])
    expect(sums.packages.get('qemu-user_7.2+dfsg-7_arm64.deb')).toBe(B.toLowerCase())
    expect(sums.cpus.size).toBe(0)
  })

  test.each([
    'deadbeef  qemu-aarch64-static',
    `${A}qemu-aarch64-static`,
    `${A}  `,
    `qemu-aarch64-static  ${A}`,
    `${'g'.repeat(64)}  qemu-aarch64-static`,
    `${A}0  qemu-aarch64-static`,
    `x${A}  qemu-aarch64-static`,
    `${A}  dir/`
  ])('%j is refused naming the line', line => {
    expect(failure({ checksums: `${A}  qemu-arm-static\n${line}` })).toBe(
      `Input "checksums": line ${JSON.stringify(line.trim())} is not "SHA256  <file>". Paste sha256sum output: one line for a .deb package, or one line per emulator (qemu-<cpu>-static).`
    )
  })

  test.each([
    `${A}  README.txt`,
    `${A}  qemu-aarch64-static.sig`,
    `${A}  myqemu-aarch64-static`,
    `${A}  two words.deb.txt`,
    `${A}  qemu-aarch64-static extra`,
    `${A}  qemu-aarch64_be-static`,
    `${A}  qemu-sparc-static`,
    `${A} *x86_64_qemu-aarch64-static.tar.gz`
  ])('%j names a file no download uses: ignored, as sha256sum --ignore-missing does', line => {
    const sums = inputs({ checksums: `${B}  qemu-arm-static\n${line}` }).checksums
    expect([...sums.cpus]).toEqual([['arm', B.toLowerCase()]])
    expect(sums.packages.size).toBe(0)
  })

  test('a whole upstream SHA256SUMS file: the lines of known emulators are kept', () => {
    const file = readFileSync('__fixtures__/checksums/bookworm-qemu-user-static.SHA256SUMS', 'utf8')
    const sums = inputs({ checksums: file }).checksums
    expect([...sums.cpus.keys()].sort()).toEqual(
      [
        'aarch64',
        'arm',
        'i386',
        'loongarch64',
        'mips64',
        'mips64el',
        'ppc64le',
        'riscv64',
        's390x',
        'x86_64'
      ].sort()
    )
    expect(sums.cpus.get('aarch64')).toBe(
      file
        .split('\n')
        .find(l => l.endsWith('  qemu-aarch64-static'))
        ?.slice(0, 64)
    )
    expect(sums.packages.size).toBe(0)
  })
})

describe('checksums, continued', () => {
  test('surrounding spaces are not part of a line', () => {
    expect(parseChecksums([`  ${A}  qemu-arm-static  `]).cpus.get('arm')).toBe(A)
  })

  test('the same file twice: the same checksum is accepted, two different ones are not', () => {
    const deb = 'qemu-user_10.0.13+ds-0+deb13u1_amd64.deb'
    expect(parseChecksums([`${A}  ${deb}`, `${A}  pool/${deb}`]).packages.get(deb)).toBe(A)
    expect(parseChecksums([`${A}  qemu-arm`, `${A}  qemu-arm-static`]).cpus.get('arm')).toBe(A)
    expect(failure({ checksums: `${A}  ${deb}\n${B}  ${deb}` })).toBe(
      `Input "checksums": ${deb} has two different checksums. Keep one line per file.`
    )
    expect(failure({ checksums: `${A}  qemu-arm\n${B}  qemu-arm-static` })).toBe(
      'Input "checksums": arm has two different checksums. Keep one line per file.'
    )
  })
})

describe('image references', () => {
  test.each([
    'multiarch/qemu-user-static',
    'multiarch/qemu-user-static:7.2.0-1',
    'tonistiigi/binfmt:qemu-v10.2.3',
    '127.0.0.1:5000/e2e/qemu-user-static:latest',
    '[::1]:5000/e2e/binfmt',
    'mirror.example.com/multiarch/qemu-user-static@sha256:' + 'a'.repeat(64),
    'localhost:5000/x:y@sha256:' + '0'.repeat(64),
    'alpine',
    'my_org/my__image/x-y--z.w',
    'alpine:' + 'T'.repeat(128)
  ])('%s is accepted', ref => {
    expect(imageReference('image', ref)).toBe(ref)
    expect(inputs({ image: ref }).image).toBe(ref)
    expect(inputs({ 'verify-image': ref }).verifyImage).toBe(ref)
  })

  test.each([
    'multiarch/qemu user static',
    'x$(touch /tmp/pwned)',
    '--privileged',
    '-alpine',
    'alpine;reboot',
    'Alpine',
    'alpine:',
    'alpine:-tag',
    'alpine:' + 'T'.repeat(129),
    'alpine@sha256:' + 'a'.repeat(63),
    'alpine@sha256:' + 'A'.repeat(64),
    'alpine@sha512:' + 'a'.repeat(64),
    '/alpine',
    'alpine/',
    'a..b',
    'https://example.com/alpine'
  ])('%j is refused naming the input', ref => {
    expect(failure({ image: ref })).toBe(
      `Input "image": ${JSON.stringify(ref)} is not an image reference. Use [registry[:port]/]name[:tag][@sha256:digest], e.g. tonistiigi/binfmt:qemu-v10.2.3 or mirror.example.com/multiarch/qemu-user-static.`
    )
    expect(failure({ 'verify-image': ref })).toMatch(/^Input "verify-image"/)
  })

  test('at most 255 characters', () => {
    const name = (n: number) => 'registry.example.com/' + 'a'.repeat(n - 21)
    expect(name(255)).toHaveLength(255)
    expect(imageReference('image', name(255))).toBe(name(255))
    expect(() => imageReference('image', name(256))).toThrow(
      /^Input "image": "registry\.example\.com\/a+" is not an image reference/
    )
  })

  test('the 255 characters are the name: a tag and a digest come on top', () => {
    const name = 'registry.example.com/' + 'a'.repeat(234)
    const tag = ':' + 'T'.repeat(128)
    const digest = '@sha256:' + 'f'.repeat(64)
    for (const ref of [name + tag, name + digest, name + tag + digest]) {
      expect(imageReference('image', ref)).toBe(ref)
    }
    expect(() => imageReference('image', name + 'a' + tag + digest)).toThrow(
      /is not an image reference/
    )
  })

  test('verify-image may be empty, image may not', () => {
    expect(readInputs(raw({ 'verify-image': '' })).verifyImage).toBe('')
    expect(() => imageReference('image', '')).toThrow(/^Input "image": "" is not/)
    expect(readInputs(raw({ image: '' })).image).toBe('multiarch/qemu-user-static:latest')
  })
})
