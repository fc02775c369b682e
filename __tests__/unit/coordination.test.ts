import { spawn } from 'node:child_process'
import {
  copyFileSync,
  readdirSync,
  readFileSync,
  statSync,
  symlinkSync,
  writeFileSync
} from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import * as os from 'node:os'
import { join } from 'node:path'
import { runInThisContext } from 'node:vm'
import { jest } from '@jest/globals'
import * as core from '../../__fixtures__/core.js'
import { FakeLiveness } from '../../__fixtures__/fake-host.js'
import type { Holder, SharedState } from '../../src/session/record.js'

jest.unstable_mockModule('@actions/core', () => core)

const { HostError } = await import('../../src/errors.js')
const { LocalCoordination } = await import('../../src/session/coordination.js')
const { emptyState, heldByOthers, isLive, MAX_HOLD_MS, ProcLiveness, withoutExpired } =
  await import('../../src/session/record.js')
const { STATE_DIR, StateDir } = await import('../../src/session/store.js')

let tmp: string
let dir: string
beforeEach(async () => {
  tmp = await mkdtemp(join(os.tmpdir(), 'shared-'))
  dir = join(tmp, 'setup-cross-arch')
})
afterEach(async () => {
  await rm(tmp, { recursive: true, force: true })
})

const holder = (over: Partial<Holder> = {}): Holder => ({
  key: 'run-1/1/build/runner-a/qemu',
  pid: 4242,
  started: '4242',
  since: 1_700_000_000_000,
  names: ['qemu-aarch64'],
  ...over
})

/** A transaction that saves `state` and returns `result`. */
const saving =
  <T>(result: T, change: (s: SharedState) => SharedState = s => s) =>
  async (state: SharedState) => ({ result, state: change(state) })

/** A promise and its resolver. */
function deferred<T = void>(): { promise: Promise<T>; resolve: (v: T) => void } {
  let resolve!: (v: T) => void
  const promise = new Promise<T>(r => (resolve = r))
  return { promise, resolve }
}

/** The coordination of a job that is root, on a state directory of the test's own user. */
class FileCoordination extends LocalCoordination {
  constructor(boot: string, path: string, waitSeconds?: number) {
    super(boot, new StateDir(path, process.getuid?.() as number), waitSeconds)
  }
}

describe('LocalCoordination', () => {
  test('is kept in /run/setup-cross-arch by default', () => {
    expect(STATE_DIR).toBe('/run/setup-cross-arch')
    expect(new StateDir().path).toBe('/run/setup-cross-arch')
  })

  test('creates its directory 0700 and its files 0600, whatever the umask', async () => {
    const umask = process.umask(0o000)
    try {
      await new FileCoordination('boot-1', dir).transaction('job-a', saving(1))
    } finally {
      process.umask(umask)
    }
    expect(statSync(dir).mode & 0o7777).toBe(0o700)
    expect(statSync(join(dir, 'lock')).mode & 0o7777).toBe(0o600)
    expect(statSync(join(dir, 'state.json')).mode & 0o7777).toBe(0o600)
  })

  test('the first transaction of a boot sees an empty record; the next reads back what it saved', async () => {
    const c = new FileCoordination('boot-1', dir)
    const seen: SharedState[] = []
    const result = await c.transaction('job-a', async state => {
      seen.push(state)
      return { result: 'registered', state: { ...state, mounted: true, holders: [holder()] } }
    })
    expect(result).toBe('registered')
    expect(seen[0]).toEqual(emptyState('boot-1'))
    // nothing mounted by anyone yet: the last holder must not unmount binfmt_misc
    expect(seen[0]).toEqual({
      version: 1,
      boot: 'boot-1',
      mounted: false,
      baselines: {},
      holders: []
    })
    expect(JSON.parse(readFileSync(join(dir, 'state.json'), 'utf8'))).toEqual({
      ...emptyState('boot-1'),
      mounted: true,
      holders: [holder()]
    })
    // another job's process (another FileCoordination) reads the same record
    await new FileCoordination('boot-1', dir).transaction('job-b', async state => {
      seen.push(state)
      return { result: undefined, state: { ...state, holders: [] } }
    })
    expect(seen[1]).toEqual({ ...emptyState('boot-1'), mounted: true, holders: [holder()] })
    expect(JSON.parse(readFileSync(join(dir, 'state.json'), 'utf8')).holders).toEqual([])
  })

  test('a shorter record replaces a longer one entirely', async () => {
    const c = new FileCoordination('boot-1', dir)
    const many = Array.from({ length: 20 }, (_, i) => holder({ key: `job-${i}` }))
    await c.transaction(
      'a',
      saving(0, s => ({ ...s, holders: many }))
    )
    await c.transaction(
      'b',
      saving(0, s => ({ ...s, holders: [] }))
    )
    expect(JSON.parse(readFileSync(join(dir, 'state.json'), 'utf8'))).toEqual(emptyState('boot-1'))
  })

  test.each([
    ['unreadable JSON', '{"version":1,"holders":[{"key":'],
    ['another version', '{"version":2,"boot":"boot-1","holders":[]}'],
    ['no holders', '{"version":1,"boot":"boot-1"}'],
    ['empty', '']
  ])('%s starts afresh', async (what, text) => {
    core.reset()
    await new FileCoordination('boot-1', dir).transaction('a', saving(0))
    writeFileSync(join(dir, 'state.json'), text)
    let seen: SharedState | undefined
    await new FileCoordination('boot-2', dir).transaction('b', async state => {
      seen = state
      return { result: 0, state }
    })
    expect(seen).toEqual(emptyState('boot-2'))
    // only a record that is there and not valid is worth a warning
    expect(core.seen.warnings).toEqual(
      what === 'empty'
        ? []
        : [
            expect.stringMatching(
              new RegExp(
                `^Discarded the binfmt_misc record in ${dir}: .* Nothing on the host is put back for it; the record starts afresh\\.$`
              )
            )
          ]
    )
  })

  test('a transaction that throws saves nothing and releases the lock', async () => {
    const c = new FileCoordination('boot-1', dir)
    await c.transaction(
      'a',
      saving(0, s => ({ ...s, mounted: true }))
    )
    await expect(
      c.transaction('b', async () => {
        throw new Error('registration failed')
      })
    ).rejects.toThrow('registration failed')
    expect(JSON.parse(readFileSync(join(dir, 'state.json'), 'utf8')).mounted).toBe(true)
    expect(readFileSync(join(dir, 'lock'), 'utf8')).toBe('')
    let waited = false
    await c.transaction('c', saving(0), () => (waited = true))
    expect(waited).toBe(false)
  })

  test('a second transaction waits for the first (flock), told who holds the lock', async () => {
    const c = new FileCoordination('boot-1', dir)
    const events: string[] = []
    const firstIn = deferred()
    const firstMayLeave = deferred()
    const secondWaits = deferred<string>()
    const first = c.transaction('job-a', async state => {
      events.push('a in')
      firstIn.resolve()
      await firstMayLeave.promise
      events.push('a out')
      return { result: 'a', state: { ...state, holders: [holder({ key: 'job-a' })] } }
    })
    await firstIn.promise
    const second = new FileCoordination('boot-1', dir).transaction(
      'job-b',
      async state => {
        events.push(`b in, sees ${state.holders.map(h => h.key).join(',')}`)
        return { result: 'b', state }
      },
      who => secondWaits.resolve(who)
    )
    const who = await secondWaits.promise
    expect(who).toMatch(
      new RegExp(
        `^job-a \\(pid ${process.pid}, since \\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z\\)$`
      )
    )
    // it waits for real: the holder is still in, and stays in however long it takes
    await new Promise(r => setTimeout(r, 300))
    expect(events).toEqual(['a in'])
    firstMayLeave.resolve()
    expect(await Promise.all([first, second])).toEqual(['a', 'b'])
    expect(events).toEqual(['a in', 'a out', 'b in, sees job-a'])
    expect(readFileSync(join(dir, 'lock'), 'utf8')).toBe('')
  })

  /** Another process holding the lock (flock(1), as another job's action would), named in it. */
  async function otherHolder(name: string) {
    const c = new FileCoordination('boot-1', dir)
    await c.transaction('setup', saving(0)) // creates the directory and files
    writeFileSync(join(dir, 'lock'), `${name}\n`)
    const child = spawn('flock', ['-x', join(dir, 'lock'), '-c', 'echo locked; cat'], {
      stdio: ['pipe', 'pipe', 'ignore']
    })
    await new Promise<void>(ok => child.stdout.once('data', () => ok()))
    return { release: () => child.stdin.end(), done: new Promise(ok => child.once('exit', ok)) }
  }

  test('a lock held past the wait fails naming the holder and what to do; the holder stays named', async () => {
    const other = await otherHolder('job-x (pid 1)')
    try {
      const waited: string[] = []
      await expect(
        new FileCoordination('boot-1', dir, 1).transaction('job-b', saving(1), w => waited.push(w))
      ).rejects.toThrow(
        `Waited 1 s for the binfmt_misc lock (${dir}/lock). Check for a hung job on this runner, or end the process that holds it.`
      )
      expect(waited).toEqual(['job-x (pid 1)'])
      expect(readFileSync(join(dir, 'lock'), 'utf8')).toBe('job-x (pid 1)\n')
    } finally {
      other.release()
      await other.done
    }
  })

  test('a waiter gets the lock as soon as the holder lets go', async () => {
    const other = await otherHolder('')
    const result = new FileCoordination('boot-1', dir, 30).transaction(
      'job-b',
      saving('b'),
      who => {
        expect(who).toBe('another job')
        other.release()
      }
    )
    expect(await result).toBe('b')
    await other.done
  })

  test('transactions leave no descriptor open', async () => {
    const c = new FileCoordination('boot-1', dir)
    await c.transaction('job-a', saving(0))
    const open = () => readdirSync('/proc/self/fd').length
    const before = open()
    for (let i = 0; i < 10; i++) await c.transaction('job-a', saving(i))
    expect(open()).toBe(before)
  })

  test('transactions started at once run one after the other', async () => {
    const events: string[] = []
    const waits: string[] = []
    const run = (who: string) =>
      new FileCoordination('boot-1', dir).transaction(
        who,
        async state => {
          events.push(`${who} in`)
          await new Promise(r => setTimeout(r, 100))
          events.push(`${who} out`)
          return {
            result: who,
            state: { ...state, holders: [...state.holders, holder({ key: who })] }
          }
        },
        holding => waits.push(`${who} waits for ${holding}`)
      )
    expect(await Promise.all([run('x'), run('y'), run('z')])).toEqual(['x', 'y', 'z'])
    for (let i = 0; i < events.length; i += 2) {
      expect(events[i].replace(' in', '')).toBe(events[i + 1].replace(' out', ''))
    }
    expect(events).toHaveLength(6)
    expect(waits.length).toBeGreaterThanOrEqual(2)
    const saved = JSON.parse(readFileSync(join(dir, 'state.json'), 'utf8')) as SharedState
    expect(saved.holders.map(h => h.key).sort()).toEqual(['x', 'y', 'z'])
  })

  test('never follows a symbolic link planted in its directory', async () => {
    await new FileCoordination('boot-1', dir).transaction('a', saving(0))
    const victim = join(tmp, 'victim')
    writeFileSync(victim, 'precious\n')
    await rm(join(dir, 'state.json'))
    symlinkSync(victim, join(dir, 'state.json'))
    const error = await new FileCoordination('boot-1', dir)
      .transaction(
        'b',
        saving(0, s => ({ ...s, mounted: true }))
      )
      .catch(e => e)
    expect(error).toBeInstanceOf(HostError)
    expect(error.message).toMatch(new RegExp(`^Could not use ${dir}/state\\.json: ELOOP`))
    expect(readFileSync(victim, 'utf8')).toBe('precious\n')
  })

  test('a directory it cannot create is a HostError naming it', async () => {
    writeFileSync(join(tmp, 'file'), '')
    const error = await new FileCoordination('boot-1', join(tmp, 'file', 'dir'))
      .transaction('a', saving(0))
      .catch(e => e)
    expect(error).toBeInstanceOf(HostError)
    expect(error.message).toBe(
      `${join(tmp, 'file')} is a file, not a directory (owner uid ${process.getuid?.()}, mode 0644): the action keeps its binfmt_misc lock and record only where root alone can write, and will not use it. Remove it as root (rm -rf ${join(tmp, 'file')}) and run the job again.`
    )
  })

  test('without flock (util-linux) on PATH: a HostError saying to install it', async () => {
    // Jest hands tests a copy of process.env; child processes inherit the real one.
    const realEnv = runInThisContext('process.env') as NodeJS.ProcessEnv
    const saved = realEnv.PATH
    realEnv.PATH = join(tmp, 'empty')
    try {
      const error = await new FileCoordination('boot-1', dir)
        .transaction('a', saving(0))
        .catch(e => e)
      expect(error).toBeInstanceOf(HostError)
      expect(error.message).toMatch(
        /^Could not run flock \(util-linux\) .*Install util-linux on this runner\.$/
      )
    } finally {
      realEnv.PATH = saved
    }
  })
})

describe('ProcLiveness', () => {
  const live = new ProcLiveness()

  test('boot is this boot’s /proc/sys/kernel/random/boot_id', () => {
    expect(live.boot).toBe(readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim())
    expect(live.boot).toMatch(/^[0-9a-f-]{36}$/)
  })

  test('started: a running process’s start time, in clock ticks since boot', () => {
    const started = live.started(process.pid)
    expect(started).toMatch(/^\d+$/)
    expect(live.started(process.pid)).toBe(started)
    expect(live.started(process.ppid)).toMatch(/^\d+$/)
  })

  test('started: field 22 of /proc/<pid>/stat, counted after the command name', () => {
    const stat = readFileSync(`/proc/${process.pid}/stat`, 'utf8')
    const fields = stat.slice(stat.lastIndexOf(') ') + 2).split(' ')
    // fields after the name start at field 3 (state); starttime is field 22
    expect(live.started(process.pid)).toBe(fields[22 - 3])
  })

  test('started: nothing for a pid that does not exist', () => {
    const max = Number(readFileSync('/proc/sys/kernel/pid_max', 'utf8'))
    expect(live.started(max + 1)).toBeUndefined()
    expect(live.started(0)).toBeUndefined()
  })

  test('started: read correctly for a command name with spaces and parentheses', async () => {
    const odd = join(tmp, 'a) b (c d')
    copyFileSync('/bin/sleep', odd)
    const child = spawn(odd, ['30'], { stdio: 'ignore' })
    try {
      await new Promise(r => child.once('spawn', r))
      const started = live.started(child.pid as number)
      expect(started).toMatch(/^\d+$/)
      // it started after this worker did
      expect(Number(started)).toBeGreaterThanOrEqual(Number(live.started(process.pid)))
    } finally {
      child.kill()
    }
  })

  test('now is the clock', () => {
    expect(Math.abs(live.now() - Date.now())).toBeLessThan(1000)
  })
})

describe('liveness of holders', () => {
  let live: FakeLiveness
  beforeEach(() => {
    live = new FakeLiveness()
    live.processes.set(4242, '4242')
  })

  test('a holder whose runner process still runs is live', () => {
    expect(isLive(holder({ since: live.clock - 1000 }), live)).toBe(true)
  })

  test('a dead runner process is not', () => {
    live.processes.delete(4242)
    expect(isLive(holder(), live)).toBe(false)
  })

  test('a reused pid (same pid, another start time) is not', () => {
    live.processes.set(4242, 'start-9999')
    expect(isLive(holder(), live)).toBe(false)
  })

  test(`a hold older than MAX_HOLD_MS (${MAX_HOLD_MS / 3600_000} h) is not, even if the pid runs`, () => {
    expect(MAX_HOLD_MS).toBe(6 * 24 * 3600_000)
    expect(isLive(holder({ since: live.clock - MAX_HOLD_MS + 1 }), live)).toBe(true)
    expect(isLive(holder({ since: live.clock - MAX_HOLD_MS }), live)).toBe(false)
  })

  test('withoutExpired drops dead holders and keeps the rest of the record', () => {
    live.processes.set(5000, 'start-5000')
    const state: SharedState = {
      ...emptyState('boot-1'),
      mounted: true,
      baselines: { 'qemu-aarch64': { above: [], rank: 0 } },
      holders: [
        holder({ key: 'alive' }),
        holder({ key: 'dead', pid: 77 }),
        holder({ key: 'reused', pid: 5000, started: 'start-1' }),
        holder({ key: 'stale', since: live.clock - MAX_HOLD_MS - 1 })
      ]
    }
    expect(withoutExpired(state, live)).toEqual({ ...state, holders: [holder({ key: 'alive' })] })
  })

  test('a record of another boot starts afresh: binfmt_misc was emptied by the reboot', () => {
    const state: SharedState = {
      ...emptyState('boot-0'),
      mounted: true,
      baselines: { 'qemu-aarch64': { above: [], rank: 0 } },
      holders: [holder()]
    }
    expect(withoutExpired(state, live)).toEqual(emptyState('boot-1'))
  })

  test('heldByOthers: the names every other holder holds', () => {
    const state: SharedState = {
      ...emptyState('boot-1'),
      holders: [
        holder({ key: 'me', names: ['qemu-aarch64', 'qemu-riscv64'] }),
        holder({ key: 'b', names: ['qemu-aarch64'] }),
        holder({ key: 'c', names: ['qemu-s390x', 'qemu-aarch64'] })
      ]
    }
    expect([...heldByOthers(state, 'me')].sort()).toEqual(['qemu-aarch64', 'qemu-s390x'])
    expect([...heldByOthers(state, 'nobody')].sort()).toEqual([
      'qemu-aarch64',
      'qemu-riscv64',
      'qemu-s390x'
    ])
    expect(heldByOthers(emptyState('boot-1'), 'me').size).toBe(0)
  })
})
