// A docker/setup-qemu-action user switching the uses: line (issue 17), as they see it: their
// inputs honoured or warned about, handlers with C and F (a setuid program gets its privileges
// inside an emulated container), the platforms output, a whole checksum file, the summary.
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals'
import { chmodSync, chownSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import {
  clearQemuEntries,
  docker,
  type DownloadServer,
  expectFailure,
  expectHandler,
  expectSuccess,
  hostRunsI386Natively,
  IMAGES,
  list,
  machines,
  mountBinfmt,
  readEntry,
  handBuilt,
  run,
  runAction,
  startDownloadServer,
  useBench
} from './helpers/index.js'

useBench()
const NOBODY = 65534

/**
 * A static aarch64 program that prints its effective uid: geteuid(), the number in decimal, a
 * newline, exit 0. Built with the cross binutils the bench installs; owned by root, mode 4755.
 */
async function setuidProgram(dir: string): Promise<string> {
  writeFileSync(
    join(dir, 'euid.S'),
    `.global _start
_start:
  mov x8, #175          // geteuid
  svc #0
  sub sp, sp, #32
  add x1, sp, #31
  mov w2, #10           // '\\n' at the end
  strb w2, [x1]
  mov x3, #10
1:
  udiv x4, x0, x3
  msub x5, x4, x3, x0   // the last digit
  add x5, x5, #48
  sub x1, x1, #1
  strb w5, [x1]
  mov x0, x4
  cbnz x0, 1b
  add x2, sp, #32
  sub x2, x2, x1
  mov x0, #1
  mov x8, #64           // write(1, x1, x2)
  svc #0
  mov x0, #0
  mov x8, #94           // exit_group(0)
  svc #0
`
  )
  for (const [tool, args] of [
    ['aarch64-linux-gnu-as', ['-o', join(dir, 'euid.o'), join(dir, 'euid.S')]],
    ['aarch64-linux-gnu-ld', ['-static', '-o', join(dir, 'euid'), join(dir, 'euid.o')]]
  ] as const) {
    const r = await run(tool, [...args])
    expect({ tool, code: r.code, stderr: r.stderr }).toEqual({ tool, code: 0, stderr: '' })
  }
  const file = join(dir, 'euid')
  chownSync(file, 0, 0)
  chmodSync(file, 0o4755)
  return file
}

/** What the setuid program prints when user nobody runs it inside an arm64 container. */
async function euidInContainer(program: string): Promise<string> {
  const created = await docker([
    'create',
    '--platform',
    'linux/arm64',
    '--pull',
    'always',
    '--user',
    `${NOBODY}:${NOBODY}`,
    '--entrypoint',
    '/euid',
    IMAGES.busybox
  ])
  expect(created.stderr.includes('Error') ? created.stderr : '').toBe('')
  const id = created.stdout.trim()
  try {
    // the archive docker cp sends keeps the owner (root) and the mode (setuid); -a would chown it
    // to the container's user instead
    const copied = await docker(['cp', program, `${id}:/euid`])
    expect(copied.stderr).toBe('')
    const started = await docker(['start', '-a', id])
    return started.code === 0 ? started.stdout.trim() : `exit ${started.code}: ${started.stderr}`
  } finally {
    await docker(['rm', '-f', id])
  }
}

describe('flags as docker/setup-qemu-action users have them', () => {
  let dir: string
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'setuid-'))
    chmodSync(dir, 0o755)
  })
  afterEach(() => rmSync(dir, { recursive: true, force: true }))

  it('by default C and F: a setuid-root arm64 program run by nobody in a container gets euid 0; credential: false opts out', async () => {
    mountBinfmt()
    clearQemuEntries()
    const program = await setuidProgram(dir)
    const r = await runAction({ scenario: 'default flags', inputs: { platforms: 'linux/arm64' } })
    expectSuccess(r)
    expectHandler('qemu-aarch64', { flagsInclude: 'OCF' })
    expect(await euidInContainer(program)).toBe('0')

    const off = await runAction({
      scenario: 'credential false',
      inputs: { platforms: 'linux/arm64', credential: 'false' }
    })
    expectSuccess(off)
    expectHandler('qemu-aarch64', { flagsInclude: 'F', flagsExclude: 'OC' })
    expect(await euidInContainer(program)).toBe(String(NOBODY))
  })
})

describe('inputs are honoured or named', () => {
  it('an image given alone registers, as in setup-qemu-action: the tonistiigi/binfmt contract, its own QEMU, no warning', async () => {
    mountBinfmt()
    clearQemuEntries()
    const r = await runAction({
      scenario: 'image given alone',
      inputs: { image: IMAGES.binfmt, platforms: 'arm64,riscv64' }
    })
    expectSuccess(r)
    expect(r.outputs.registrar).toBe('container')
    expect(r.stdout).toMatch(/Registrar: container \(image: \S+ given, so its container registers/)
    expectHandler('qemu-aarch64', { flagsInclude: 'OCF', interpreter: '/usr/bin/qemu-aarch64' })
    expectHandler('qemu-riscv64', { flagsInclude: 'OCF', interpreter: '/usr/bin/qemu-riscv64' })
    expect(r.outputs['qemu-version']).toBe('10.0.13')
    expect(r.warnings).toEqual([])
  })

  it('given inputs the route cannot use: one warning each, naming the input and why', async () => {
    const r = await runAction({
      scenario: 'unused inputs warned',
      inputs: {
        registrar: 'native',
        install: 'none',
        image: IMAGES.binfmt,
        'qemu-version': '7.2.0-1',
        'verify-image': IMAGES.busybox,
        platforms: 'linux/arm64'
      }
    })
    expectSuccess(r)
    expect(r.warnings).toEqual([
      expect.stringMatching(/^Input "image" has no effect: registrar native \(registrar: native\)/),
      expect.stringMatching(/^Input "qemu-version" has no effect: the emulators are the host's/),
      expect.stringMatching(/^Input "verify-image" has no effect: no image verification runs/)
    ])
  })
})

describe('the platforms output', () => {
  it('is what the host runs afterwards: native ones, the requested ones, and working handlers found', async () => {
    mountBinfmt()
    clearQemuEntries()
    const native386 = await hostRunsI386Natively()
    expectSuccess(
      await runAction({ scenario: 's390x first', inputs: { platforms: 'linux/s390x' } })
    )
    // a handler another tool left disabled is not runnable
    handBuilt('ppc64le', '/usr/bin/qemu-ppc64le-static', 'F', false)
    const r = await runAction({ scenario: 'then arm64', inputs: { platforms: 'arm64' } })
    expectSuccess(r)
    expect(r.outputs['requested-platforms']).toBe('linux/arm64')
    expect(list(r.outputs.platforms)).toEqual([
      'linux/amd64',
      'linux/arm64',
      'linux/s390x',
      ...(native386 ? ['linux/386'] : [])
    ])
    expect(r.outputs.platforms).toMatch(/^linux\/[a-z0-9]+(\/v\d)?(,linux\/[a-z0-9]+(\/v\d)?)*$/)
    expect(readEntry('qemu-s390x')?.enabled).toBe(true)
    expect(readEntry('qemu-ppc64le')?.enabled).toBe(false)
  })
})

describe('a whole checksum file', () => {
  let server: DownloadServer
  beforeEach(async () => {
    server = await startDownloadServer()
  })
  afterEach(async () => {
    await server.close()
  })

  it('as sha256sum printed it for every emulator: lines for files not fetched are ignored; a needed one missing still fails', async () => {
    const all = await run('sh', ['-c', 'cd /usr/bin && sha256sum qemu-*-static'])
    expect(all.stdout).toMatch(/ {2}qemu-aarch64_be-static\n/)
    const checksums = `${all.stdout}${'0'.repeat(64)}  qemu-v7.2.0-1.tar.gz\n`
    const inputs = {
      registrar: 'native',
      install: 'download',
      'qemu-version': '7.2.0-1',
      'download-url': server.urlTemplate,
      platforms: 'linux/arm64,linux/s390x'
    }
    const r = await runAction({ scenario: 'whole SHA256SUMS', inputs: { ...inputs, checksums } })
    expectSuccess(r)
    expect(r.outputs.verified).toBe('true')
    expect(machines(r)).toEqual({ 'linux/arm64': 'aarch64', 'linux/s390x': 's390x' })

    const without = checksums
      .split('\n')
      .filter(l => !l.endsWith('  qemu-s390x-static'))
      .join('\n')
    const missing = await runAction({
      scenario: 'SHA256SUMS without s390x',
      inputs: { ...inputs, checksums: without }
    })
    expectFailure(missing, /checksums has no line for qemu-s390x-static/)
  })
})

describe('handlers registered before the step (registrar: none)', () => {
  it('missing, disabled and lacking F are told apart; the summary shows what was found', async () => {
    mountBinfmt()
    clearQemuEntries()
    handBuilt('aarch64', '/usr/bin/qemu-aarch64-static', '')
    handBuilt('s390x', '/usr/bin/qemu-s390x-static', 'F', false)
    const r = await runAction({
      scenario: 'registrar none: missing, disabled, no F',
      inputs: { registrar: 'none', platforms: 'arm64,s390x,riscv64' }
    })
    const failure = expectFailure(
      r,
      /linux\/arm64 \(qemu-aarch64\) lacks the F flag/,
      /linux\/s390x \(qemu-s390x\) is disabled/,
      /linux\/riscv64 \(qemu-riscv64\) is not registered/
    )
    expect(r.summary).toContain(`**Failed:** ${failure}`)
    expect(r.summary).toMatch(
      /\| `linux\/riscv64` \| qemu-riscv64 \| not registered \| not verified \|/
    )
  })

  it('a passing run summarises how each platform was verified, interpreters in a details block', async () => {
    const r = await runAction({
      scenario: 'summary',
      inputs: { platforms: 'amd64,arm64', verify: 'true', 'verify-image': IMAGES.busybox }
    })
    expectSuccess(r)
    expect(r.summary).toContain('| `linux/amd64` | native | — | native: nothing to run |')
    expect(r.summary).toMatch(
      /\| `linux\/arm64` \| qemu-aarch64 \| OCF \| ✅ probe and image, `aarch64` \|/
    )
    expect(r.summary).toMatch(
      /<details><summary>Interpreters<\/summary>[^]*\| qemu-aarch64 \| `\/\S+` \|/
    )
    expect(readFileSync('/proc/sys/fs/binfmt_misc/qemu-aarch64', 'utf8')).toMatch(/flags: OCF/)
  })
})
