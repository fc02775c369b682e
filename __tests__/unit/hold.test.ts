import { jest } from '@jest/globals'
import * as core from '../../__fixtures__/core.js'
import { FakeKernel } from '../../__fixtures__/fake-kernel.js'
import { FakeCoordination, FakeLiveness } from '../../__fixtures__/fake-host.js'

jest.unstable_mockModule('@actions/core', () => core)

const { lookupPlatform } = await import('../../src/catalogue.js')
const { registerLine } = await import('../../src/host/entry.js')
const { emulatorFor } = await import('../../src/catalogue.js')
const { registrationFor } = await import('../../src/registrar/registrar.js')
const { Privilege } = await import('../../src/host/privilege.js')
const { NativeRegistrar } = await import('../../src/registrar/native.js')
const { NoRegistrar } = await import('../../src/registrar/none.js')
const { MAX_HOLD_MS } = await import('../../src/session/record.js')
const { holdExisting, registerHeld, releaseHeld } = await import('../../src/registrar/hold.js')
const { currentJob } = await import('../../src/session/session.js')
import type { Job } from '../../src/session/session.js'
import type { Platform } from '../../src/catalogue.js'
import type { RegistrationOutcome, RegistrationRequest } from '../../src/model.js'
import type { Registrar } from '../../src/registrar/registrar.js'
import type { KernelOp, KernelWriter, RouteSpec } from '../../src/host/kernel.js'

const CPU: Record<string, string> = {
  arm64: 'aarch64',
  s390x: 's390x',
  riscv64: 'riscv64',
  ppc64le: 'ppc64le'
}

function request(names: string[], over: Partial<RegistrationRequest> = {}): RegistrationRequest {
  const emulated = names.map(n => ({
    platform: lookupPlatform(n) as Platform,
    native: false,
    why: 'test'
  }))
  return {
    emulated,
    cpus: names.map(n => CPU[n]),
    reset: true,
    persistent: true,
    credential: false,
    ...over
  }
}

const installation = (tag: string) => ({
  source: 'test',
  version: '10.0.13',
  emulators: new Map(Object.values(CPU).map(c => [c, `/cache/${tag}/qemu-${c}`]))
})

/** A machine: one kernel, one record, jobs with their runner processes. */
function machine() {
  const kernel = new FakeKernel()
  const live = new FakeLiveness()
  const coordination = new FakeCoordination(live.boot)
  let pid = 100
  const job = (name: string): Job => {
    pid += 1
    live.processes.set(pid, `start-${pid}`)
    return { key: `run/1/${name}/runner/step`, pid, started: `start-${pid}` }
  }
  const main = (j: Job, platforms: string[], over: { cleanup?: boolean; tag?: string } = {}) =>
    registerHeld({
      coordination,
      reader: kernel,
      writer: kernel,
      mounter: kernel,
      registrar: new NativeRegistrar(kernel, new Privilege('root')),
      request: request(platforms),
      installation: installation(over.tag ?? 'shared'),
      job: j,
      restore: over.cleanup === false ? 'hold' : 'restore',
      live
    })
  const post = (j: Job) =>
    releaseHeld({ coordination, reader: kernel, writer: kernel, mounter: kernel, job: j, live })
  /** registrar: none: the job relies on handlers someone else registered. */
  const hold = (j: Job, platforms: string[]) =>
    holdExisting({
      coordination,
      reader: kernel,
      request: request(platforms),
      registrar: new NoRegistrar(),
      job: j,
      live
    })
  /** Every entry as `cat` shows it, in the kernel's order. */
  const snapshot = () => kernel.names().map(n => `${n}\n${kernel.text(n)}`)
  return { kernel, live, coordination, job, main, post, hold, snapshot }
}

const debianAarch64 = `:qemu-aarch64:M::${emulatorFor('aarch64').magic}:${emulatorFor('aarch64').mask}:/usr/libexec/qemu-binfmt/aarch64-binfmt-P:PF`

beforeEach(() => core.reset())

describe('two jobs on one kernel', () => {
  test('interleaved: A main, B main, A post, B post — each keeps what the other holds, the last one puts the host back', async () => {
    const m = machine()
    m.kernel.register(':jar:E::jar::/usr/bin/jexec:')
    m.kernel.register(debianAarch64)
    const before = m.snapshot()
    const a = m.job('a')
    const b = m.job('b')

    await m.main(a, ['arm64', 's390x'])
    await m.main(b, ['arm64', 'riscv64'])
    await m.post(a)
    expect(m.kernel.names().sort()).toEqual(['jar', 'qemu-aarch64', 'qemu-riscv64'])
    expect(m.kernel.text('qemu-aarch64')).toContain('/cache/shared/qemu-aarch64') // B still has it
    await m.post(b)
    expect(m.snapshot()).toEqual(before)
    expect(m.coordination.state.holders).toEqual([])
    expect(m.coordination.state.baselines).toEqual({})
  })

  test('B relies on what A registered: A post leaves it, and says so', async () => {
    const m = machine()
    const a = m.job('a')
    const b = m.job('b')
    await m.main(a, ['arm64'])
    const writes = m.kernel.writes.length
    await m.main(b, ['arm64'])
    expect(m.kernel.writes.length).toBe(writes) // identical: kept, nothing written
    const released = await m.post(a)
    expect(released.kept).toEqual(['qemu-aarch64'])
    expect(m.kernel.names()).toEqual(['qemu-aarch64'])
    expect((await m.post(b)).restored).toEqual(['removing qemu-aarch64'])
    expect(m.kernel.names()).toEqual([])
  })

  test('a job that died without its post step does not hold anything forever', async () => {
    const m = machine()
    const before = m.snapshot()
    const dead = m.job('dead')
    await m.main(dead, ['arm64', 's390x'])
    m.live.processes.delete(dead.pid) // its runner process is gone
    const b = m.job('b')
    await m.main(b, ['riscv64'])
    await m.post(b)
    expect(m.snapshot()).toEqual(before)
  })

  test('a reused pid is not the dead job; a record older than the limit expires too', async () => {
    const m = machine()
    const a = m.job('a')
    await m.main(a, ['arm64'])
    m.live.processes.set(a.pid, 'another process')
    const b = m.job('b')
    await m.main(b, ['s390x'])
    await m.post(b)
    expect(m.kernel.names()).toEqual([])

    const c = m.job('c')
    await m.main(c, ['arm64'])
    m.live.clock += MAX_HOLD_MS
    const d = m.job('d')
    await m.main(d, ['s390x'])
    await m.post(d)
    expect(m.kernel.names()).toEqual([])
  })

  test('a record of another boot is forgotten', async () => {
    const m = machine()
    await m.main(m.job('a'), ['arm64'])
    m.live.boot = 'boot-2'
    const b = m.job('b')
    await m.main(b, ['s390x'])
    expect(m.coordination.state.holders.map(h => h.key)).toEqual([b.key])
  })

  test('a job without cleanup holds its handlers against others, and never records a baseline', async () => {
    const m = machine()
    const keeper = m.job('keeper')
    const a = m.job('a')
    await m.main(keeper, ['arm64'], { cleanup: false })
    await m.main(a, ['arm64', 's390x'])
    await m.post(a)
    expect(m.kernel.names()).toEqual(['qemu-aarch64'])
    await m.post(keeper)
    expect(m.kernel.names()).toEqual(['qemu-aarch64']) // it wanted them kept
  })

  test('B replaces what A registered (another tool cache): the last one still restores the first baseline', async () => {
    const m = machine()
    m.kernel.register(debianAarch64)
    const before = m.snapshot()
    const a = m.job('a')
    const b = m.job('b')
    await m.main(a, ['arm64'], { tag: 'a' })
    await m.main(b, ['arm64'], { tag: 'b' })
    expect(m.kernel.text('qemu-aarch64')).toContain('/cache/b/')
    await m.post(b)
    expect(m.kernel.text('qemu-aarch64')).toContain('/cache/b/') // A still holds it
    await m.post(a)
    expect(m.snapshot()).toEqual(before)
  })

  test('binfmt_misc mounted by the first job is unmounted by the last, when nothing is left', async () => {
    const m = machine()
    m.kernel.mounted = false
    const a = m.job('a')
    const b = m.job('b')
    await m.main(a, ['arm64'])
    expect(core.seen.log).toContain('Mounted binfmt_misc at /proc/sys/fs/binfmt_misc.')
    await m.main(b, ['s390x'])
    await m.post(a)
    expect(m.kernel.mounted).toBe(true)
    const released = await m.post(b)
    expect(m.kernel.mounted).toBe(false)
    expect(released.restored).toContain('binfmt_misc: unmounted again (a job mounted it)')
  })

  test('mounting and unmounting take the direct route, even when a container registers', async () => {
    const m = machine()
    m.kernel.mounted = false
    /** A route that can write but not mount, as a privileged container for the host. */
    class ContainerLike implements KernelWriter {
      readonly description = 'through a container'
      readonly spec: RouteSpec = { kind: 'container', image: 'i', contract: 'multiarch' }
      readonly writesAnyLine = true
      apply = (ops: readonly KernelOp[]) => m.kernel.apply(ops)
      mount = async () => {
        throw new Error('a container cannot mount for the host')
      }
      unmount = async () => {
        throw new Error('a container cannot unmount for the host')
      }
    }
    const writer = new ContainerLike()
    const j = m.job('c')
    await registerHeld({
      coordination: m.coordination,
      reader: m.kernel,
      writer,
      mounter: m.kernel,
      registrar: new NativeRegistrar(writer, new Privilege('root')),
      request: request(['arm64']),
      installation: installation('x'),
      job: j,
      restore: 'restore',
      live: m.live
    })
    expect(m.kernel.mounted).toBe(true)
    await releaseHeld({
      coordination: m.coordination,
      reader: m.kernel,
      writer,
      mounter: m.kernel,
      job: j,
      live: m.live
    })
    expect(m.kernel.mounted).toBe(false)
  })

  test('a waiting job says for whom it waits', async () => {
    const m = machine()
    const a = m.job('a')
    const b = m.job('b')
    await Promise.all([m.main(a, ['arm64']), m.main(b, ['s390x'])])
    expect(m.coordination.waits).toEqual([`${b.key} waits for ${a.key}`])
    expect(core.seen.log).toContain(`Waiting for the binfmt_misc lock, held by ${a.key}.`)
  })
})

describe('rollback', () => {
  test('a write refused on the third of five platforms: the host is as it was, then the error', async () => {
    const m = machine()
    m.kernel.register(debianAarch64)
    const before = m.snapshot()
    m.kernel.failOn = write =>
      write.startsWith('register :qemu-s390x')
        ? Object.assign(new Error('Invalid argument'), { code: 'EINVAL' })
        : undefined
    await expect(
      registerHeld({
        coordination: m.coordination,
        reader: m.kernel,
        writer: m.kernel,
        mounter: m.kernel,
        registrar: new NativeRegistrar(m.kernel, new Privilege('root')),
        request: request(['arm64', 'riscv64', 's390x', 'ppc64le']),
        installation: installation('x'),
        job: m.job('a'),
        restore: 'restore',
        live: m.live
      })
    ).rejects.toThrow(/registering qemu-s390x .* failed: Invalid argument/)
    expect(m.kernel.writes.filter(w => w.startsWith('register')).length).toBeGreaterThan(3)
    expect(m.snapshot()).toEqual(before)
    expect(m.coordination.state.holders).toEqual([])
    expect(core.seen.log.some(l => /^Rolled back .*qemu-riscv64/.test(l))).toBe(true)
  })

  test('when putting back fails too, the message says what differs', async () => {
    const m = machine()
    m.kernel.failOn = write =>
      write.startsWith('register :qemu-s390x') || write.startsWith('-1 > qemu-aarch64')
        ? Object.assign(new Error('Device or resource busy'), { code: 'EBUSY' })
        : undefined
    await expect(m.main(m.job('a'), ['arm64', 's390x'])).rejects.toThrow(
      /Putting the host back then failed too .*: qemu-aarch64 differ from before this step/
    )
  })

  test('a registrar that reports success but left a handler wrong is rolled back as well', async () => {
    const m = machine()
    const before = m.snapshot()
    /** Registers aarch64 without the C flag asked for, and nothing for s390x: exits "0". */
    class Sloppy implements Registrar {
      readonly name = 'container'
      readonly remedy = 'Check the image.'
      readonly writer = m.kernel
      async prepare(): Promise<void> {}
      async register(): Promise<RegistrationOutcome> {
        m.kernel.register(registerLine(registrationFor('aarch64', '/usr/bin/qemu-aarch64', 'F')))
        return { notes: new Map([['s390x', 'the image did not report it']]) }
      }
    }
    await expect(
      registerHeld({
        coordination: m.coordination,
        reader: m.kernel,
        writer: m.kernel,
        mounter: m.kernel,
        registrar: new Sloppy(),
        request: request(['arm64', 's390x'], { credential: true }),
        job: m.job('a'),
        restore: 'hold',
        live: m.live
      })
    ).rejects.toThrow(
      /linux\/arm64 \(qemu-aarch64\) lacks the C flag .*linux\/s390x \(qemu-s390x\) is not registered: the image did not report it\. Check the image\./
    )
    expect(m.snapshot()).toEqual(before)
  })
})

describe('registrar: none', () => {
  test('holds what someone else registered, so another job cleaning up leaves it', async () => {
    const m = machine()
    const a = m.job('a')
    await m.main(a, ['arm64'])
    const user = m.job('user')
    await m.hold(user, ['arm64'])
    await m.post(a)
    expect(m.kernel.names()).toEqual(['qemu-aarch64'])
  })
})

describe('one job, several steps; mounting; what post leaves', () => {
  test('a job registering twice is one holder, holding the names of both steps', async () => {
    const m = machine()
    const a = m.job('a')
    const other = m.job('other')
    await m.main(other, ['ppc64le'])
    await m.main(a, ['arm64'])
    await m.main(a, ['s390x'])
    const holders = m.coordination.state.holders
    expect(holders.map(h => h.key).sort()).toEqual([a.key, other.key].sort())
    expect(holders.find(h => h.key === a.key)?.names).toEqual(['qemu-s390x'])
    const held = await m.hold(a, ['arm64'])
    expect(held.changed).toEqual([])
    await m.hold(a, ['arm64'])
    expect(m.coordination.state.holders.filter(h => h.key === a.key)).toEqual([
      expect.objectContaining({ names: ['qemu-aarch64'] })
    ])
    expect(m.coordination.state.holders.some(h => h.key === other.key)).toBe(true)
  })

  test('a failure after mounting binfmt_misc unmounts it again with the rollback', async () => {
    const m = machine()
    m.kernel.mounted = false
    m.kernel.failOn = write =>
      write.startsWith('register :qemu-s390x')
        ? Object.assign(new Error('EACCES: refused'), { code: 'EACCES' })
        : undefined
    await expect(m.main(m.job('a'), ['arm64', 's390x'])).rejects.toThrow(/qemu-s390x/)
    expect(m.kernel.mounted).toBe(false)
    expect(core.seen.log).toContain(
      'Rolled back qemu-aarch64: the host is as it was before this step.'
    )
  })

  test('a failure that changed nothing is reported as it is, with no rollback', async () => {
    const m = machine()
    m.kernel.failOn = () => Object.assign(new Error('EACCES: refused'), { code: 'EACCES' })
    await expect(m.main(m.job('a'), ['arm64'])).rejects.toThrow(/^registering qemu-aarch64/)
    expect(core.seen.log.filter(l => l.startsWith('Rolled back'))).toEqual([])
    expect(m.kernel.mounted).toBe(true)
  })

  test('a failed rollback names everything that differs and where to look', async () => {
    const m = machine()
    m.kernel.failOn = write =>
      write.startsWith('register :qemu-riscv64') ||
      write.startsWith('-1 > qemu-aarch64') ||
      write.startsWith('-1 > qemu-s390x')
        ? Object.assign(new Error('Device or resource busy'), { code: 'EBUSY' })
        : undefined
    await expect(m.main(m.job('a'), ['arm64', 's390x', 'riscv64'])).rejects.toThrow(
      /Putting the host back then failed too \(.*\): qemu-(aarch64|s390x), qemu-(aarch64|s390x) differ from before this step\. Check \/proc\/sys\/fs\/binfmt_misc on this runner\.$/
    )
  })

  test('post leaves binfmt_misc mounted while another entry or another holder remains', async () => {
    const m = machine()
    m.kernel.mounted = false
    const a = m.job('a')
    await m.main(a, ['arm64'])
    m.kernel.register(':jar:E::jar::/usr/bin/jexec:') // registered meanwhile by someone else
    await m.post(a)
    expect(m.kernel.mounted).toBe(true)
    expect(m.coordination.state.mounted).toBe(true)
    m.kernel.control('jar', '-1')
    const b = m.job('b')
    await m.main(b, ['s390x'])
    const keep = m.job('keep')
    await m.hold(keep, ['s390x'])
    const released = await m.post(b)
    expect(released.kept).toEqual(['qemu-s390x'])
    expect(m.kernel.mounted).toBe(true)
  })

  test('post never unmounts a binfmt_misc that no holder mounted, even when the host is left empty', async () => {
    const m = machine()
    const a = m.job('a')
    await m.main(a, ['arm64'])
    expect(m.coordination.state.mounted).toBe(false)
    const released = await m.post(a)
    expect(released.restored).toEqual(['removing qemu-aarch64'])
    expect(m.kernel.names()).toEqual([])
    expect(m.kernel.mounted).toBe(true)
  })

  test('an entry put back but left in the wrong enabled state is reported as left', async () => {
    const m = machine()
    m.kernel.register(registerLine(registrationFor('aarch64', '/usr/bin/old', 'F')))
    m.kernel.control('qemu-aarch64', '0')
    const a = m.job('a')
    await m.main(a, ['arm64'])
    m.kernel.failOn = write =>
      write === '0 > qemu-aarch64'
        ? Object.assign(new Error('EBUSY: busy'), { code: 'EBUSY' })
        : undefined
    const released = await m.post(a)
    expect(released.restored).toEqual([])
    expect(released.left).toEqual(['qemu-aarch64 (disabling qemu-aarch64 failed: EBUSY: busy)'])
    expect(m.coordination.state.baselines).toHaveProperty('qemu-aarch64')
  })
})

describe('rollback and release, in detail', () => {
  test('a rollback that empties a host whose binfmt_misc was already mounted leaves it mounted', async () => {
    const m = machine()
    m.kernel.failOn = write =>
      write.startsWith('register :qemu-riscv64')
        ? Object.assign(new Error('EACCES: refused'), { code: 'EACCES' })
        : undefined
    await expect(m.main(m.job('a'), ['arm64', 's390x', 'riscv64'])).rejects.toThrow(/qemu-riscv64/)
    expect(m.kernel.names()).toEqual([])
    expect(m.kernel.mounted).toBe(true)
    expect(core.seen.log).not.toContain('Mounted binfmt_misc at /proc/sys/fs/binfmt_misc.')
    expect(core.seen.log).toContain(
      'Rolled back qemu-s390x, qemu-aarch64: the host is as it was before this step.'
    )
  })

  test('a failure before any change, after mounting: unmounted again, nothing said to be rolled back', async () => {
    const m = machine()
    m.kernel.mounted = false
    m.kernel.failOn = () => Object.assign(new Error('EACCES: refused'), { code: 'EACCES' })
    await expect(m.main(m.job('a'), ['arm64'])).rejects.toThrow(/^registering qemu-aarch64/)
    expect(m.kernel.mounted).toBe(false)
    expect(core.seen.log.filter(l => l.startsWith('Rolled back'))).toEqual([])
  })

  test('post keeps only what others hold, names only that, and keeps the others as holders', async () => {
    const m = machine()
    const a = m.job('a')
    const b = m.job('b')
    await m.main(a, ['arm64', 's390x'])
    await m.main(b, ['arm64'])
    const released = await m.post(a)
    expect(released.kept).toEqual(['qemu-aarch64'])
    expect(released.restored).toEqual(['removing qemu-s390x'])
    expect(m.coordination.state.holders.map(h => h.key)).toEqual([b.key])
  })
})

describe('a baseline that can never be registered again (an F interpreter deleted since)', () => {
  /** The host: F handlers for aarch64 and s390x from /old, and a jar entry. */
  function usedMachine() {
    const m = machine()
    m.kernel.register(':jar:E::jar::/usr/bin/jexec:')
    m.kernel.register(registerLine(registrationFor('s390x', '/old/qemu-s390x', 'F')))
    m.kernel.register(registerLine(registrationFor('aarch64', '/old/qemu-aarch64', 'F')))
    return m
  }
  const deleted =
    (...paths: string[]) =>
    (path: string): boolean =>
      !paths.includes(path)

  test("post keeps the job's handler in its place, says why, and still puts back the rest", async () => {
    const m = usedMachine()
    const before = m.snapshot()
    const a = m.job('a')
    await m.main(a, ['arm64', 's390x', 'riscv64'])
    m.kernel.exists = deleted('/old/qemu-aarch64')
    const released = await m.post(a)
    expect(released.stayed).toEqual([
      expect.stringMatching(
        /^qemu-aarch64: registering qemu-aarch64\.replacing \(interpreter \/old\/qemu-aarch64, flags "F"\) failed: .* \(its interpreter \/old\/qemu-aarch64 no longer exists: .*\); qemu-aarch64 \(interpreter \/cache\/shared\/qemu-aarch64, flags "F"\) stays registered instead$/
      )
    ])
    expect(released.left).toEqual([])
    // arm64 binaries still have a working handler; everything else is as it was
    expect(m.kernel.text('qemu-aarch64')).toContain('interpreter /cache/shared/qemu-aarch64')
    expect(m.snapshot().filter(e => !e.startsWith('qemu-aarch64'))).toEqual(
      before.filter(e => !e.startsWith('qemu-aarch64'))
    )
    expect(m.kernel.names().some(n => n.endsWith('.replacing'))).toBe(false)
    expect(released.restored).toContain('removing qemu-riscv64')
  })

  test('several failures are all reported, each with its reason; one never stops the others', async () => {
    const m = usedMachine()
    const a = m.job('a')
    await m.main(a, ['arm64', 's390x', 'riscv64', 'ppc64le'])
    m.kernel.exists = deleted('/old/qemu-aarch64')
    m.kernel.failOn = write =>
      write === '-1 > qemu-riscv64' || write === '-1 > qemu-ppc64le'
        ? Object.assign(new Error('EBUSY: busy'), { code: 'EBUSY' })
        : undefined
    const released = await m.post(a)
    expect([...released.left].sort()).toEqual([
      'qemu-ppc64le (removing qemu-ppc64le failed: EBUSY: busy)',
      'qemu-riscv64 (removing qemu-riscv64 failed: EBUSY: busy)'
    ])
    expect(released.stayed).toEqual([expect.stringMatching(/^qemu-aarch64: .*no longer exists/)])
    // the one that could be put back was
    expect(m.kernel.text('qemu-s390x')).toContain('interpreter /old/qemu-s390x')
    // and what is left stays recorded, for whoever puts the host back later
    expect(Object.keys(m.coordination.state.baselines).sort()).toEqual([
      'qemu-aarch64',
      'qemu-ppc64le',
      'qemu-riscv64'
    ])
  })

  test('a rollback keeps the handler it cannot replace by its baseline, and says so', async () => {
    const m = usedMachine()
    m.kernel.exists = deleted('/old/qemu-aarch64')
    m.kernel.failOn = write =>
      write.startsWith('register :qemu-riscv64')
        ? Object.assign(new Error('EACCES: refused'), { code: 'EACCES' })
        : undefined
    await expect(m.main(m.job('a'), ['arm64', 's390x', 'riscv64'])).rejects.toThrow(
      /Putting the host back then failed too \(qemu-aarch64: registering qemu-aarch64\.replacing .*no longer exists.*; qemu-aarch64 \(interpreter \/cache\/shared\/qemu-aarch64, flags "F"\) stays registered instead\): qemu-aarch64 differ from before this step\./
    )
    expect(m.kernel.text('qemu-aarch64')).toContain('interpreter /cache/shared/qemu-aarch64')
    expect(m.kernel.text('qemu-s390x')).toContain('interpreter /old/qemu-s390x')
    expect(m.kernel.text('jar')).toBeDefined()
  })
})

test('the job is named by the runner variables, its runner process is the parent', () => {
  const live = new FakeLiveness()
  live.processes.set(process.ppid, '42')
  expect(
    currentJob(live, {
      GITHUB_RUN_ID: '7',
      GITHUB_RUN_ATTEMPT: '2',
      GITHUB_JOB: 'build',
      RUNNER_NAME: 'r1',
      GITHUB_ACTION: '__self'
    })
  ).toEqual({ key: '7/2/build/r1/__self', pid: process.ppid, started: '42' })
  expect(currentJob(live, {}).key).toBe('-/-/-/-/-')
})
