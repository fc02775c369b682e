/**
 * The main step as a whole: inputs in through @actions/core, the host behind its ports (a fake
 * kernel, Docker engine, lock and probes), and what the user sees out: outputs, the summary, the
 * log, the one failure line, and the state of binfmt_misc.
 */
import { jest } from '@jest/globals'
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { actionDefaults } from '../../__fixtures__/action-defaults.js'
import * as core from '../../__fixtures__/core.js'
import { FakeDocker, multiarchFiles, binfmtFiles } from '../../__fixtures__/fake-docker.js'
import {
  FakeCoordination,
  fakeHost,
  FakeLiveness,
  FakeNativeRuns,
  FakeProbes
} from '../../__fixtures__/fake-host.js'

jest.unstable_mockModule('@actions/core', () => core)

const { run, failureLine } = await import('../../src/main.js')
const { Unshared } = await import('../../src/session/coordination.js')
const { State } = await import('../../src/constants.js')
const { probeProgram } = await import('../../src/verifier/probe/index.js')
const { registerLine } = await import('../../src/host/entry.js')
const { registrationFor } = await import('../../src/registrar/registrar.js')
import type { PrivilegeMode } from '../../src/host/privilege.js'
import type { Ports } from '../../src/ports.js'

const IMAGE = 'mirror.example.com/multiarch/qemu-user-static:7.2.0-1'
const MACHINE: Record<string, string> = {
  x86_64: 'x86_64',
  aarch64: 'aarch64',
  s390x: 's390x',
  riscv64: 'riscv64',
  ppc64le: 'ppc64le',
  arm: 'armv7l'
}

function machine(over: { privilege?: PrivilegeMode; probes?: FakeProbes } = {}) {
  const docker = new FakeDocker()
  docker.registry.set(IMAGE, {
    id: 'sha256:multiarch',
    entrypoint: ['/register'],
    files: multiarchFiles('aarch64', 'arm', 'ppc64le', 's390x', 'riscv64'),
    qemu: '7.2.0'
  })
  docker.registry.set('tonistiigi/binfmt', {
    id: 'sha256:binfmt',
    entrypoint: ['/usr/bin/binfmt'],
    files: binfmtFiles('aarch64', 's390x'),
    qemu: '10.2.3'
  })
  const host = fakeHost({ kernel: docker.kernel, privilege: over.privilege ?? 'root' })
  const liveness = new FakeLiveness()
  liveness.processes.set(process.ppid, 'runner-start')
  const probes =
    over.probes ??
    new FakeProbes(
      Object.fromEntries(Object.entries(MACHINE).map(([cpu, m]) => [cpu, { stdout: `${m}\n` }]))
    )
  const coordination = new FakeCoordination()
  const nativeRuns = new FakeNativeRuns()
  /** The routes the run asked the record by. */
  const routes: unknown[] = []
  const ports: Ports = {
    inspectHost: async () => host,
    docker,
    liveness,
    coordination: route => {
      routes.push(route)
      return route ? coordination : new Unshared(liveness.boot)
    },
    ownPidNamespace: () => false,
    probes: async () => probes,
    nativeRuns: () => nativeRuns
  }
  return { ports, docker, kernel: docker.kernel, host, probes, coordination, routes }
}

/** Static x86_64 ELFs on PATH stand in for the host's emulators; the native registrar uses them. */
async function withHostEmulators(fn: (bin: string) => Promise<void>): Promise<void> {
  const bin = mkdtempSync(join(tmpdir(), 'fake-qemu-'))
  const path = process.env.PATH
  try {
    for (const cpu of ['aarch64', 'riscv64']) {
      writeFileSync(join(bin, `qemu-${cpu}-static`), probeProgram('x86_64'))
      chmodSync(join(bin, `qemu-${cpu}-static`), 0o755)
    }
    process.env.PATH = `${bin}:${path}`
    await fn(bin)
  } finally {
    process.env.PATH = path
    rmSync(bin, { recursive: true, force: true })
  }
}

const given = (inputs: Record<string, string>) => core.reset({ ...actionDefaults(), ...inputs })
const snapshot = (m: ReturnType<typeof machine>) =>
  m.kernel.names().map(n => `${n}\n${m.kernel.text(n)}`)

beforeEach(() => {
  delete process.env.RUNNER_ENVIRONMENT
  delete process.env.GITHUB_STEP_SUMMARY
})

describe('run()', () => {
  test('container registrar: exactly the requested handlers, verified, outputs and summary', async () => {
    const m = machine()
    m.kernel.register(':jar:E::jar::/usr/bin/jexec:')
    given({ platforms: 'linux/arm64,s390x', registrar: 'container', image: IMAGE })
    process.env.GITHUB_STEP_SUMMARY = '/dev/null'
    await run(m.ports)
    expect(core.seen.failed).toEqual([])
    expect(m.kernel.names()).toEqual(['qemu-s390x', 'qemu-aarch64', 'jar'])
    expect(core.seen.outputs).toEqual({
      platforms: 'linux/amd64,linux/arm64,linux/s390x',
      'requested-platforms': 'linux/arm64,linux/s390x',
      emulators: 'qemu-aarch64,qemu-s390x',
      machines: '{"linux/arm64":"aarch64","linux/s390x":"s390x"}',
      verified: 'true',
      'qemu-version': '7.2.0',
      registrar: 'container'
    })
    expect(core.seen.summary).toMatch(
      /\| `linux\/arm64` \| qemu-aarch64 \| OCF \| ✅ probe, `aarch64` \|/
    )
    const session = JSON.parse(core.seen.state[State.Session])
    expect(session).toMatchObject({
      restore: 'hold',
      route: { kind: 'container', image: IMAGE },
      keeper: { kind: 'root' }
    })
    expect(m.routes).toEqual([{ kind: 'root' }])
    expect(m.coordination.state.holders.map(h => h.names)).toEqual([['qemu-aarch64', 'qemu-s390x']])
    // i386 once natively: whether this x86_64 host runs linux/386 itself, for the platforms output
    expect(m.probes.runs).toEqual(['i386', 'aarch64 (chroot)', 's390x (chroot)'])
    expect(m.probes.disposed).toBe(true)
  })

  test('cache-image with a registrar image: accepted, one line that it has no effect yet, no warning', async () => {
    const m = machine()
    given({ platforms: 'arm64', image: IMAGE, 'cache-image': 'false' })
    await run(m.ports)
    expect(core.seen.failed).toEqual([])
    expect(core.seen.log).toContain(
      `cache-image: false has no effect yet: the registrar image ${IMAGE} is pulled as usual, not kept in GitHub's Actions cache between jobs.`
    )
    expect(core.seen.warnings.filter(w => w.includes('cache-image'))).toEqual([])
    expect(m.kernel.names()).toEqual(['qemu-aarch64'])
  })

  test('every platform native: nothing registered, nothing saved for post', async () => {
    const m = machine()
    given({ platforms: 'amd64' })
    await run(m.ports)
    expect(core.seen.failed).toEqual([])
    expect(core.seen.log).toContain(
      'Every requested platform is native to this host: nothing to register.'
    )
    expect(core.seen.outputs).toMatchObject({
      platforms: 'linux/amd64',
      emulators: '',
      registrar: 'none'
    })
    expect(core.seen.state[State.Session]).toBeUndefined()
    expect(m.kernel.writes).toEqual([])
  })

  test('bad input: one failure line naming the input, nothing touched', async () => {
    const m = machine()
    given({ platforms: 'arm64,sparc64' })
    await run(m.ports)
    expect(core.seen.failed).toEqual([
      expect.stringMatching(/^Input "platforms": unknown platform "sparc64"\. Accepted: all, /)
    ])
    expect(m.kernel.writes).toEqual([])
    expect(m.docker.calls).toEqual([])
  })

  test('a failed verification fails the step naming the platform; the handlers stay for the post step', async () => {
    const m = machine({ probes: new FakeProbes({ aarch64: { stdout: 'x86_64\n' } }) })
    given({ platforms: 'arm64', registrar: 'container', image: IMAGE, cleanup: 'true' })
    await run(m.ports)
    expect(core.seen.failed).toEqual([
      'Verification failed for linux/arm64: probe printed x86_64, expected aarch64.'
    ])
    expect(core.seen.outputs.verified).toBe('false')
    expect(m.kernel.names()).toEqual(['qemu-aarch64'])
    expect(JSON.parse(core.seen.state[State.Session]).restore).toBe('restore')
  })

  test('a registration that fails partway is rolled back before the failure is reported', async () => {
    const m = machine()
    m.kernel.register(':jar:E::jar::/usr/bin/jexec:')
    const before = snapshot(m)
    m.kernel.failOn = write =>
      write.includes(':qemu-s390x:')
        ? Object.assign(new Error('Invalid argument'), { code: 'EINVAL' })
        : undefined
    given({ platforms: 'arm64,riscv64,s390x,ppc64le', registrar: 'container', image: IMAGE })
    await run(m.ports)
    expect(core.seen.failed).toEqual([
      expect.stringMatching(
        /^registering qemu-s390x .* through a privileged container of .* failed: /
      )
    ])
    expect(snapshot(m)).toEqual(before)
    expect(core.seen.state[State.Session]).toBeUndefined()
  })

  test('cleanup on a self-hosted runner, replacing with a CLI-only image without root: refused before any change', async () => {
    const m = machine({ privilege: 'none' })
    m.kernel.register(
      registerLine(registrationFor('aarch64', '/usr/libexec/qemu-binfmt/aarch64-binfmt-P', 'PF'))
    )
    const before = snapshot(m)
    process.env.RUNNER_ENVIRONMENT = 'self-hosted'
    given({ platforms: 'arm64', registrar: 'container', image: 'tonistiigi/binfmt' })
    await run(m.ports)
    expect(core.seen.failed).toEqual([
      expect.stringMatching(
        /^cleanup is on, and qemu-aarch64 would be replaced through tonistiigi\/binfmt --install\/--uninstall, which cannot register them again .* set cleanup: false\.$/
      )
    ])
    expect(snapshot(m)).toEqual(before)
  })

  test('as root, what a CLI-only image replaced is put back directly: on a failure, and by the saved route', async () => {
    const m = machine()
    m.kernel.register(
      registerLine(registrationFor('aarch64', '/usr/libexec/qemu-binfmt/aarch64-binfmt-P', 'PF'))
    )
    const before = snapshot(m)
    process.env.RUNNER_ENVIRONMENT = 'self-hosted'
    // the image has no riscv64: readback fails, and the replaced qemu-aarch64 comes back as it was
    given({ platforms: 'arm64,riscv64', registrar: 'container', image: 'tonistiigi/binfmt' })
    await run(m.ports)
    expect(core.seen.failed).toEqual([
      expect.stringMatching(/linux\/riscv64 \(qemu-riscv64\) is not registered/)
    ])
    expect(snapshot(m)).toEqual(before)
    // with cleanup on it is not refused, and the post step is told to restore directly
    given({ platforms: 'arm64', registrar: 'container', image: 'tonistiigi/binfmt' })
    await run(m.ports)
    expect(core.seen.failed).toEqual([])
    expect(JSON.parse(core.seen.state[State.Session]).route).toEqual({ kind: 'direct' })
  })

  test('registrar none: checks and holds what is there; fails naming what is missing', async () => {
    const m = machine()
    m.kernel.register(registerLine(registrationFor('aarch64', '/usr/bin/qemu-aarch64-static', 'F')))
    given({ platforms: 'arm64', registrar: 'none' })
    await run(m.ports)
    expect(core.seen.failed).toEqual([])
    expect(core.seen.outputs.registrar).toBe('none')
    expect(m.coordination.state.holders.map(h => h.names)).toEqual([['qemu-aarch64']])
    given({ platforms: 's390x', registrar: 'none' })
    await run(m.ports)
    expect(core.seen.failed).toEqual([
      expect.stringMatching(/linux\/s390x \(qemu-s390x\) is not registered\. registrar is none/)
    ])
  })

  test('native registrar with the host emulators; download URLs with credentials are masked first', async () => {
    await withHostEmulators(async bin => {
      const m = machine()
      given({
        platforms: 'arm64,riscv64',
        install: 'none',
        verify: 'false',
        'download-url': 'https://ci:s3cret@mirror.example.com/pool/qemu-user_{version}_{arch}.deb'
      })
      await run(m.ports)
      expect(core.seen.failed).toEqual([])
      expect(core.seen.secrets).toEqual(expect.arrayContaining(['s3cret', 'ci:s3cret']))
      expect(core.seen.log.join('\n')).not.toContain('s3cret')
      expect(core.seen.outputs.registrar).toBe('native')
      expect(m.kernel.text('qemu-aarch64')).toContain(`interpreter ${bin}/qemu-aarch64-static\n`)
      expect(core.seen.log).toEqual(
        expect.arrayContaining([
          expect.stringMatching(/^Registrar: native \(this job can act as root \(root\)/),
          "QEMU: host (install: none: the host's own emulators, whatever their version)"
        ])
      )
    })
  })

  describe('cleanup on, and an entry to replace that could never come back (its F interpreter deleted since)', () => {
    const OLD = registerLine(registrationFor('aarch64', '/old/qemu-aarch64', 'F'))

    test('the working handler is kept, not replaced: one warning, verified, the rest registered', async () => {
      await withHostEmulators(async bin => {
        const m = machine()
        m.kernel.register(OLD)
        const old = m.kernel.text('qemu-aarch64')
        given({ platforms: 'arm64,riscv64', install: 'none', cleanup: 'true' })
        await run(m.ports)
        expect(core.seen.failed).toEqual([])
        // (the stand-in emulators print no version: that warning is not this test's)
        expect(core.seen.warnings.filter(w => !w.startsWith('Could not read the QEMU'))).toEqual([
          expect.stringMatching(
            /^cleanup is on and reset is true, but qemu-aarch64 \(interpreter \/old\/qemu-aarch64, flags "F"\) could never be registered again once replaced: .*deleted since .*\. Kept as it is, not replaced: this job uses it, not the emulator installed here\. .*set cleanup: false/
          )
        ])
        expect(m.kernel.text('qemu-aarch64')).toBe(old)
        expect(m.kernel.text('qemu-riscv64')).toContain(`interpreter ${bin}/qemu-riscv64-static\n`)
        expect(core.seen.outputs).toMatchObject({
          emulators: 'qemu-aarch64,qemu-riscv64',
          machines: '{"linux/arm64":"aarch64","linux/riscv64":"riscv64"}',
          verified: 'true'
        })
        expect(m.probes.runs).toEqual(expect.arrayContaining([expect.stringMatching(/^aarch64/)]))
      })
    })

    test('one this job could not use instead (it lacks a flag asked for) is refused before any change', async () => {
      await withHostEmulators(async () => {
        const m = machine()
        m.kernel.register(OLD)
        m.kernel.writes.length = 0
        given({ platforms: 'arm64', install: 'none', cleanup: 'true', credential: 'true' })
        await run(m.ports)
        expect(core.seen.failed).toEqual([
          expect.stringMatching(
            /could never be registered again once replaced: .*, and this job cannot use it instead \(qemu-aarch64: it lacks the C flag that credential: true asks for\)\. .*set cleanup: false/
          )
        ])
        expect(m.kernel.writes).toEqual([])
      })
    })

    test('with cleanup off it is replaced, as reset asks', async () => {
      await withHostEmulators(async bin => {
        const m = machine()
        m.kernel.register(OLD)
        given({ platforms: 'arm64', install: 'none', verify: 'false' })
        await run(m.ports)
        expect(core.seen.failed).toEqual([])
        expect(core.seen.warnings.filter(w => !w.startsWith('Could not read the QEMU'))).toEqual([])
        expect(m.kernel.text('qemu-aarch64')).toContain(`interpreter ${bin}/qemu-aarch64-static\n`)
      })
    })
  })

  test('an image given alone is the registrar, as in docker/setup-qemu-action', async () => {
    const m = machine()
    given({ platforms: 'arm64', image: IMAGE })
    await run(m.ports)
    expect(core.seen.failed).toEqual([])
    expect(core.seen.outputs.registrar).toBe('container')
    expect(core.seen.log).toContain(
      `Registrar: container (image: ${IMAGE} given, so its container registers (as in docker/setup-qemu-action))`
    )
    expect(m.kernel.text('qemu-aarch64')).toContain('interpreter /usr/bin/qemu-aarch64-static\n')
    expect(core.seen.warnings).toEqual([])
  })

  test('given inputs the chosen route cannot use: one warning each, saying why', async () => {
    const m = machine()
    m.kernel.register(registerLine(registrationFor('aarch64', '/usr/bin/qemu-aarch64-static', 'F')))
    given({
      platforms: 'arm64',
      registrar: 'none',
      image: IMAGE,
      'qemu-version': '7.2.0-1',
      reset: 'false',
      'verify-image': 'alpine:3.22',
      cleanup: 'false'
    })
    await run(m.ports)
    expect(core.seen.failed).toEqual([])
    expect(core.seen.warnings).toEqual([
      'Input "image" has no effect: registrar none (registrar: none) registers without a registrar image; it is used by registrar: container or seed.',
      'Input "qemu-version" has no effect: the emulators are not installed on the host (registrar: none); it is used by install: download.',
      'Input "reset" has no effect: registrar none (registrar: none) changes no handler.',
      'Input "verify-image" has no effect: no image verification runs; it is used by verify: image or true.'
    ])
  })

  test('a tonistiigi/binfmt-style image and credential: false given: warned, it registers C anyway', async () => {
    const m = machine()
    given({ platforms: 'arm64', image: 'tonistiigi/binfmt', credential: 'false' })
    await run(m.ports)
    expect(core.seen.failed).toEqual([])
    expect(core.seen.warnings).toEqual([
      'Input "credential" has no effect: a tonistiigi/binfmt-style registrar image always registers with C; use registrar: native, or a multiarch/qemu-user-static-style image, to register without it.'
    ])
    expect(m.kernel.text('qemu-aarch64')).toContain('flags: OCF\n')
  })

  test('registrar none asks handlers for C only when credential is given', async () => {
    const m = machine()
    m.kernel.register(registerLine(registrationFor('aarch64', '/usr/bin/qemu-aarch64-static', 'F')))
    given({ platforms: 'arm64', registrar: 'none' })
    await run(m.ports)
    expect(core.seen.failed).toEqual([])
    given({ platforms: 'arm64', registrar: 'none', credential: 'true' })
    await run(m.ports)
    expect(core.seen.failed).toEqual([
      expect.stringMatching(/linux\/arm64 \(qemu-aarch64\) lacks the C flag \(flags "F"\)/)
    ])
  })

  test('the platforms output: native ones, the requested ones, and handlers found that work', async () => {
    const m = machine({
      probes: new FakeProbes({
        aarch64: { stdout: 'aarch64\n' },
        s390x: { stdout: 's390x\n' },
        ppc64le: { stdout: 'x86_64\n' },
        i386: { stdout: 'x86_64\n' }
      })
    })
    const found = (cpu: string, flags = 'F') =>
      m.kernel.register(registerLine(registrationFor(cpu, `/usr/bin/qemu-${cpu}-static`, flags)))
    found('aarch64')
    found('s390x')
    found('ppc64le') // enabled, but its probe does not print ppc64le
    found('riscv64')
    m.kernel.control('qemu-riscv64', '0') // disabled
    given({ platforms: 'arm64', registrar: 'none' })
    await run(m.ports)
    expect(core.seen.failed).toEqual([])
    expect(core.seen.outputs).toMatchObject({
      platforms: 'linux/amd64,linux/arm64,linux/s390x,linux/386',
      'requested-platforms': 'linux/arm64'
    })
    // without probe verification, a found handler counts by its entry
    given({ platforms: 'arm64', registrar: 'none', verify: 'false' })
    await run(m.ports)
    expect(core.seen.outputs.platforms).toBe(
      'linux/amd64,linux/arm64,linux/ppc64le,linux/s390x,linux/386'
    )
  })

  test('a failure still writes the summary: the failure, and what was done before it', async () => {
    const m = machine()
    const dir = mkdtempSync(join(tmpdir(), 'summary-'))
    try {
      process.env.GITHUB_STEP_SUMMARY = join(dir, 'summary')
      writeFileSync(process.env.GITHUB_STEP_SUMMARY, '')
      given({ platforms: 'arm64,s390x', registrar: 'none' })
      await run(m.ports)
      expect(core.seen.failed).toHaveLength(1)
      expect(core.seen.summary).toContain(`**Failed:** ${core.seen.failed[0]}`)
      expect(core.seen.summary).toContain(
        '| `linux/arm64` | qemu-aarch64 | not registered | not verified |'
      )
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })

  test("failureLine: the action's own errors as they are; anything else as a bug report with its place", () => {
    expect(failureLine(new Error('boom'))).toMatch(
      /^Unexpected failure: boom \(at \/\S*main\.test\.ts:\d+:\d+\)\. This is a bug in the action/
    )
  })
})
