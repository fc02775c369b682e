/** The post step, and the entry that picks main or post, through the fake @actions/core. */
import { jest } from '@jest/globals'
import { actionDefaults } from '../../__fixtures__/action-defaults.js'
import * as core from '../../__fixtures__/core.js'
import { FakeDocker, multiarchFiles } from '../../__fixtures__/fake-docker.js'
import {
  FakeCoordination,
  fakeHost,
  FakeLiveness,
  FakeNativeRuns,
  FakeProbes
} from '../../__fixtures__/fake-host.js'

jest.unstable_mockModule('@actions/core', () => core)

const { run } = await import('../../src/main.js')
const { cleanup } = await import('../../src/post.js')
const { Unshared } = await import('../../src/session/coordination.js')
const { State } = await import('../../src/constants.js')
const { registerLine } = await import('../../src/host/entry.js')
const { registrationFor } = await import('../../src/registrar/registrar.js')
import type { Ports } from '../../src/ports.js'

const IMAGE = 'registrar:1'

function machine(privilege: 'root' | 'none' = 'root') {
  const docker = new FakeDocker()
  docker.registry.set(IMAGE, {
    id: 'sha256:r',
    entrypoint: ['/register'],
    files: multiarchFiles('aarch64', 's390x', 'riscv64')
  })
  const liveness = new FakeLiveness()
  liveness.processes.set(process.ppid, 'job-runner')
  const coordination = new FakeCoordination()
  /** The routes each step asked the record by. */
  const routes: unknown[] = []
  /** Files on the host. */
  const files = ['/usr/libexec/qemu-binfmt/aarch64-binfmt-P']
  const ports: Ports = {
    inspectHost: async () => fakeHost({ kernel: docker.kernel, privilege, files }),
    docker,
    liveness,
    coordination: route => {
      routes.push(route)
      return route ? coordination : new Unshared(liveness.boot)
    },
    ownPidNamespace: () => false,
    probes: async () =>
      new FakeProbes({ aarch64: { stdout: 'aarch64\n' }, s390x: { stdout: 's390x\n' } }),
    nativeRuns: () => new FakeNativeRuns()
  }
  return { ports, kernel: docker.kernel, liveness, docker, coordination, routes, files }
}

const snapshot = (k: FakeDocker['kernel']) => k.names().map(n => `${n}\n${k.text(n)}`)
const DEBIAN = registerLine(
  registrationFor('aarch64', '/usr/libexec/qemu-binfmt/aarch64-binfmt-P', 'PF')
)

/** Runs the main step as job `name`; returns the state the runner hands its post step. */
async function mainStep(
  m: ReturnType<typeof machine>,
  inputs: Record<string, string>,
  name = 'build'
): Promise<Record<string, string>> {
  process.env.GITHUB_JOB = name
  core.reset({ ...actionDefaults(), verify: 'false', ...inputs })
  await run(m.ports)
  expect(core.seen.failed).toEqual([])
  return { ...core.seen.state }
}

async function postStep(m: ReturnType<typeof machine>, state: Record<string, string>) {
  core.reset({}, state)
  await cleanup(m.ports)
}

afterEach(() => {
  delete process.env.GITHUB_JOB
})

describe('cleanup()', () => {
  test('puts back what the main step changed, through the route it took', async () => {
    const m = machine('none') // a docker-group user: no root, no sudo
    m.kernel.register(':jar:E::jar::/usr/bin/jexec:')
    m.kernel.register(DEBIAN)
    const before = snapshot(m.kernel)
    const state = await mainStep(m, {
      platforms: 'arm64,s390x',
      registrar: 'container',
      image: IMAGE,
      cleanup: 'true'
    })
    expect(m.kernel.text('qemu-aarch64')).toContain('/usr/bin/qemu-aarch64-static')
    await postStep(m, state)
    expect(core.seen.failed).toEqual([])
    expect(snapshot(m.kernel)).toEqual(before)
    expect(core.seen.log).toEqual(
      expect.arrayContaining(['removing qemu-s390x', 'removing qemu-aarch64'])
    )
    // the record, too, through the registrar's container: main's route and post's
    expect(m.routes).toEqual([
      { kind: 'container', image: IMAGE },
      { kind: 'container', image: IMAGE }
    ])
    // the restore went through a privileged container, binding the host's interpreter
    const last = m.docker.calls.filter(c => c.includes('--privileged')).pop() as string[]
    expect(last.join(' ')).toContain(
      '--volume /usr/libexec/qemu-binfmt/aarch64-binfmt-P:/usr/libexec/qemu-binfmt/aarch64-binfmt-P:ro'
    )
  })

  test('nothing changed in main: nothing to do', async () => {
    const m = machine()
    await postStep(m, {})
    expect(core.seen.log).toEqual([
      'The main step changed nothing in binfmt_misc: nothing to put back.'
    ])
  })

  test('a GitHub-hosted runner without cleanup: no lock, no record, nothing to do after', async () => {
    const m = machine()
    process.env.RUNNER_ENVIRONMENT = 'github-hosted'
    try {
      const state = await mainStep(m, { platforms: 'arm64', registrar: 'container', image: IMAGE })
      expect(m.coordination.state.holders).toEqual([])
      expect(m.routes).toEqual([undefined])
      await postStep(m, state)
      expect(m.kernel.names()).toEqual(['qemu-aarch64'])
      expect(core.seen.log).toEqual([
        'This run recorded no hold and puts nothing back: handlers stay registered (the main step\'s "Cleanup:" line says why).'
      ])
    } finally {
      delete process.env.RUNNER_ENVIRONMENT
    }
  })

  test('cleanup off: the hold is released, handlers stay', async () => {
    const m = machine()
    const state = await mainStep(m, { platforms: 'arm64', registrar: 'container', image: IMAGE })
    await postStep(m, state)
    expect(m.kernel.names()).toEqual(['qemu-aarch64'])
    expect(core.seen.log).toContain('cleanup is off for this run: handlers stay registered.')
  })

  test('another live job still holds a handler: it is left, and the log says why', async () => {
    const m = machine()
    const a = await mainStep(
      m,
      { platforms: 'arm64,s390x', registrar: 'container', image: IMAGE, cleanup: 'true' },
      'a'
    )
    await mainStep(
      m,
      { platforms: 'arm64', registrar: 'container', image: IMAGE, cleanup: 'true' },
      'b'
    )
    await postStep(m, a)
    expect(m.kernel.names()).toEqual(['qemu-aarch64'])
    expect(core.seen.log).toContain(
      'qemu-aarch64: left as it is, another job on this runner still holds it.'
    )
  })

  test('putting back fails: the post step fails, saying what was left behind', async () => {
    const m = machine()
    const state = await mainStep(m, {
      platforms: 'arm64',
      registrar: 'container',
      image: IMAGE,
      cleanup: 'true'
    })
    m.docker.refusePrivileged = true
    await postStep(m, state)
    expect(core.seen.failed).toEqual([
      expect.stringMatching(
        /^Could not put back qemu-aarch64 \(.*unable to apply caps.*\): they stay as this job left them\./
      )
    ])
  })

  test("a handler that cannot come back (its F interpreter deleted during the job): the job's stays, one warning says so", async () => {
    const m = machine()
    m.kernel.register(':jar:E::jar::/usr/bin/jexec:')
    m.kernel.register(DEBIAN)
    const state = await mainStep(m, {
      platforms: 'arm64,s390x',
      registrar: 'container',
      image: IMAGE,
      cleanup: 'true'
    })
    m.files.length = 0 // the distro's interpreter is gone (a package removed meanwhile)
    await postStep(m, state)
    expect(core.seen.failed).toEqual([])
    expect(core.seen.warnings).toEqual([
      expect.stringMatching(
        /^Could not put back qemu-aarch64: registering qemu-aarch64\.replacing \(interpreter \/usr\/libexec\/qemu-binfmt\/aarch64-binfmt-P, flags "PF"\) failed: .*no longer exists.*; qemu-aarch64 \(interpreter \/usr\/bin\/qemu-aarch64-static, flags "OCF"\) stays registered instead: the host keeps a working handler for each\./
      )
    ])
    expect(m.kernel.names()).toEqual(['qemu-aarch64', 'jar'])
    expect(core.seen.log).toContain('removing qemu-s390x')
  })

  test('an unreadable saved state is reported, not thrown', async () => {
    const m = machine()
    await postStep(m, { [State.Session]: '{not json' })
    expect(core.seen.failed).toEqual([
      expect.stringMatching(/^Cleanup could not put the binfmt_misc handlers back: .*JSON/)
    ])
  })
})

describe('the entry (index.ts)', () => {
  test('runs main the first time, saving isPost; runs post when the runner hands isPost back', async () => {
    const calls: string[] = []
    jest.unstable_mockModule('../../src/main.js', () => ({
      run: async () => void calls.push('main')
    }))
    jest.unstable_mockModule('../../src/post.js', () => ({
      cleanup: async () => void calls.push('post')
    }))
    core.reset({})
    await import('../../src/index.js?main' as string)
    expect(calls).toEqual(['main'])
    expect(core.seen.state[State.IsPost]).toBe('true')
    core.reset({}, { [State.IsPost]: 'true' })
    await import('../../src/index.js?post' as string)
    expect(calls).toEqual(['main', 'post'])
  })
})
