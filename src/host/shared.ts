/**
 * binfmt_misc is one per kernel: on a self-hosted machine every job and every user shares it.
 * This module is what they agree on: one lock around every read-modify-write of binfmt_misc, and
 * one record of who holds which handler and what each entry was before the first holder came.
 *
 * The files live in SHARED_DIR (a sticky, world-writable directory; files mode 0666, so the runner
 * user and root can both take the lock). The record says which boot it belongs to: binfmt_misc
 * starts empty at every boot, and so does the record.
 */
import {
  chmodSync,
  closeSync,
  constants,
  ftruncateSync,
  mkdirSync,
  openSync,
  readFileSync,
  writeSync
} from 'node:fs'
import { HostError } from '../errors.js'
import type { Baseline } from './changes.js'
import type { RouteSpec } from './kernel.js'

export const SHARED_DIR = '/tmp/setup-cross-arch'

/** A job (step) that registered or relies on handlers. */
export interface Holder {
  /** GITHUB_RUN_ID/GITHUB_RUN_ATTEMPT/GITHUB_JOB/RUNNER_NAME/GITHUB_ACTION */
  readonly key: string
  /** The job's runner process (the step's parent), alive for the whole job. */
  readonly pid: number
  /** Its start time (clock ticks since boot), so a reused pid is not mistaken for it. */
  readonly started: string
  /** When it registered, ms since the epoch. */
  readonly since: number
  readonly names: readonly string[]
  /** Whether its post step puts the host back. */
  readonly cleanup: boolean
  /** How it wrote to binfmt_misc, for whoever restores after it. */
  readonly route: RouteSpec
}

export interface SharedState {
  readonly version: 1
  /** /proc/sys/kernel/random/boot_id of the boot the record describes. */
  readonly boot: string
  /** binfmt_misc was not mounted before the first holder came, and a holder mounted it. */
  readonly mounted: boolean
  /** Entries as they were before the first holder changed them, by name. */
  readonly baselines: Readonly<Record<string, Baseline>>
  readonly holders: readonly Holder[]
}

export const emptyState = (boot: string): SharedState => ({
  version: 1,
  boot,
  mounted: false,
  baselines: {},
  holders: []
})

/** A record outlives a job that died without its post step by at most this long. */
export const MAX_HOLD_MS = 6 * 24 * 3600_000

/** How the record learns whether a holder's job still runs. */
export interface Liveness {
  readonly boot: string
  /** The start time of a running process, or undefined when there is none with that pid. */
  started(pid: number): string | undefined
  now(): number
}

/** Whether a holder's job is still running. */
export function isLive(holder: Holder, live: Liveness): boolean {
  return live.started(holder.pid) === holder.started && live.now() - holder.since < MAX_HOLD_MS
}

/** The state with holders of dead jobs dropped (and a record of another boot started afresh). */
export function withoutExpired(state: SharedState, live: Liveness): SharedState {
  if (state.boot !== live.boot) return emptyState(live.boot)
  return { ...state, holders: state.holders.filter(h => isLive(h, live)) }
}

/** Names some holder other than `key` still holds. */
export function heldByOthers(state: SharedState, key: string): Set<string> {
  return new Set(state.holders.filter(h => h.key !== key).flatMap(h => h.names))
}

/** The machine-wide lock and the shared record, as the action uses them. */
export interface Coordination {
  /**
   * Runs `fn` holding the lock, with the record as stored (an empty one for this boot when there
   * is none), and saves the record `fn` returns. `onWait` is told who holds the lock when it must
   * wait.
   */
  transaction<T>(
    who: string,
    fn: (state: SharedState) => Promise<{ readonly result: T; readonly state: SharedState }>,
    onWait?: (holder: string) => void
  ): Promise<T>
}

/**
 * No lock and no record: for a machine no other job shares (a GitHub-hosted runner runs one job
 * and is thrown away), where there is nobody to coordinate with and nothing to put back.
 */
export class Unshared implements Coordination {
  constructor(private readonly boot: string) {}

  async transaction<T>(
    _who: string,
    fn: (state: SharedState) => Promise<{ result: T; state: SharedState }>
  ): Promise<T> {
    return (await fn(emptyState(this.boot))).result
  }
}

/** Process facts from /proc. */
export class ProcLiveness implements Liveness {
  readonly boot = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim()

  started(pid: number): string | undefined {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
      // the command name may hold spaces and parentheses: fields start after the last ')'
      return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19]
    } catch {
      return undefined
    }
  }

  now(): number {
    return Date.now()
  }
}

/** How long a job waits for the lock before it gives up, naming the holder. */
const LOCK_WAIT_S = 300

/**
 * The lock is flock(2) on SHARED_DIR/lock, taken by util-linux's flock on a descriptor this
 * process holds open: the lock belongs to the open file, so it is released when this process
 * closes it or dies, never left behind. The holder writes who it is into the file.
 */
export class FileCoordination implements Coordination {
  constructor(
    private readonly boot: string,
    private readonly dir: string = SHARED_DIR,
    /** How long a job waits for the lock before it gives up, naming the holder. */
    private readonly waitSeconds: number = LOCK_WAIT_S
  ) {}

  async transaction<T>(
    who: string,
    fn: (state: SharedState) => Promise<{ result: T; state: SharedState }>,
    onWait?: (holder: string) => void
  ): Promise<T> {
    this.ensureDir()
    const lock = this.open('lock')
    let held = false
    try {
      if ((await flock(lock, ['-x', '-n'], this.dir)) !== 0) {
        onWait?.(readFileSync(`${this.dir}/lock`, 'utf8').trim() || 'another job')
        if ((await flock(lock, ['-x', '-w', String(this.waitSeconds)], this.dir)) !== 0) {
          throw new HostError(
            `Waited ${this.waitSeconds} s for ${this.dir}/lock, held by ${readFileSync(`${this.dir}/lock`, 'utf8').trim() || 'another job'}. ` +
              'Check for a hung job on this runner, or remove the holder process.'
          )
        }
      }
      held = true
      rewrite(lock, `${who} (pid ${process.pid}, since ${new Date().toISOString()})\n`)
      const file = this.open('state.json')
      try {
        const { result, state } = await fn(this.read(file))
        rewrite(file, `${JSON.stringify(state)}\n`)
        return result
      } finally {
        closeSync(file)
      }
    } finally {
      if (held) rewrite(lock, '')
      closeSync(lock) // releases the lock
    }
  }

  private read(fd: number): SharedState {
    try {
      // a fresh descriptor: read from the start
      const state = JSON.parse(readFileSync(fd, 'utf8')) as SharedState
      if (state.version === 1 && Array.isArray(state.holders)) return state
    } catch {
      // empty or unreadable: start afresh
    }
    return emptyState(this.boot)
  }

  private ensureDir(): void {
    try {
      mkdirSync(this.dir)
      chmodSync(this.dir, 0o1777) // sticky and world-writable, whatever the umask
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') {
        throw new HostError(
          `Could not create ${this.dir}: ${(error as Error).message}. The action keeps its lock there; make /tmp writable for the runner user.`
        )
      }
    }
  }

  private open(name: string): number {
    const path = `${this.dir}/${name}`
    let fd: number
    try {
      fd = openSync(path, constants.O_RDWR | constants.O_CREAT | constants.O_NOFOLLOW, 0o666)
    } catch (error) {
      throw new HostError(
        `Could not open ${path}: ${(error as Error).message}. Another user created it without write access for others; remove it (it is recreated with mode 0666).`
      )
    }
    try {
      chmodSync(path, 0o666)
    } catch {
      // owned by another user, who made it 0666 already
    }
    return fd
  }
}

/** Replaces a file's content in one write at offset 0 (the file is shared: never renamed). */
function rewrite(fd: number, text: string): void {
  const bytes = Buffer.from(text)
  ftruncateSync(fd, 0)
  let written = 0
  while (written < bytes.length)
    // Stryker disable next-line ArithmeticOperator: a regular file takes the whole buffer in one write; the loop only guards a short one
    written += writeSync(fd, bytes, written, bytes.length - written, written)
}

/** flock(1) on a descriptor of this process, passed to it as its fd 3. */
async function flock(fd: number, args: readonly string[], dir: string): Promise<number | null> {
  // loaded here: a run on a machine nobody shares never takes the lock (Unshared)
  const { spawn } = await import('node:child_process')
  return new Promise((resolve, reject) => {
    const child = spawn('flock', [...args, '3'], { stdio: ['ignore', 'ignore', 'ignore', fd] })
    child.on('error', error =>
      reject(
        new HostError(
          `Could not run flock (util-linux) to take ${dir}/lock: ${error.message}. Install util-linux on this runner.`
        )
      )
    )
    child.on('close', code => resolve(code))
  })
}
