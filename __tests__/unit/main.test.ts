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
  const ports: Ports = {
    inspectHost: async () => host,
    docker,
    liveness,
    coordination,
    probes: async () => probes,
    nativeRuns: () => nativeRuns
  }
  return { ports, docker, kernel: docker.kernel, host, probes, coordination }
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
      platforms: 'linux/arm64,linux/s390x',
      emulators: 'qemu-aarch64,qemu-s390x',
      machines: '{"linux/arm64":"aarch64","linux/s390x":"s390x"}',
      verified: 'true',
      'qemu-version': '7.2.0',
      registrar: 'container'
    })
    expect(core.seen.summary).toMatch(
      /\| `linux\/arm64` \| qemu-aarch64 \| `\/usr\/bin\/qemu-aarch64-static` \| F \| ✅ `aarch64` \|/
    )
    const session = JSON.parse(core.seen.state[State.Session])
    expect(session).toMatchObject({ cleanup: false, route: { kind: 'container', image: IMAGE } })
    expect(m.coordination.state.holders.map(h => h.names)).toEqual([['qemu-aarch64', 'qemu-s390x']])
    expect(m.probes.runs).toEqual(['aarch64 (chroot)', 's390x (chroot)'])
    expect(m.probes.disposed).toBe(true)
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
    expect(JSON.parse(core.seen.state[State.Session]).cleanup).toBe(true)
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
    const bin = mkdtempSync(join(tmpdir(), 'fake-qemu-'))
    const path = process.env.PATH
    try {
      for (const cpu of ['aarch64', 'riscv64']) {
        // a static x86_64 ELF stands in for the emulator
        writeFileSync(join(bin, `qemu-${cpu}-static`), probeProgram('x86_64'))
        chmodSync(join(bin, `qemu-${cpu}-static`), 0o755)
      }
      process.env.PATH = `${bin}:${path}`
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
    } finally {
      process.env.PATH = path
      rmSync(bin, { recursive: true, force: true })
    }
  })

  test("failureLine: the action's own errors as they are; anything else as a bug report with its place", () => {
    expect(failureLine(new Error('boom'))).toMatch(
      /^Unexpected failure: boom \(at \/\S*main\.test\.ts:\d+:\d+\)\. This is a bug in the action/
    )
  })
})
