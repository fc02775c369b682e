// The bench lock. binfmt_misc and the bench's Docker engine and registry are global to the
// machine: one user at a time. The lock is the directory /tmp/cross-arch-e2e.lock holding a file
// `pid` with the owner's pid (mkdir is atomic), the convention other scripts on these machines
// follow too (`mkdir /tmp/cross-arch-e2e.lock && echo $$ > /tmp/cross-arch-e2e.lock/pid`). A lock
// whose owner is gone is stale and is taken over. An orchestrator that holds the lock for a whole
// run (test-support/e2e-run.ts) exports E2E_LOCK_HELD=<its pid>; its children (jest, the bench)
// see that and do not take it again.
import { mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { setTimeout as sleep } from 'node:timers/promises'

export const LOCK_DIR = '/tmp/cross-arch-e2e.lock'

/** A pid file missing for this long means its writer died between mkdir and writing it. */
const NO_PID_STALE_MS = 60_000

export interface LockOptions {
  /** Log prefix, e.g. `e2e` or `bench`. */
  tag?: string
  /** Give up after this long (default 1 h). */
  timeoutMs?: number
  pollMs?: number
  log?: (message: string) => void
  dir?: string
}

export interface BenchLock {
  readonly dir: string
  /** The pid written in the lock (this process, or the orchestrator that holds it for us). */
  readonly pid: number
  /** False when an orchestrator holds the lock on this process's behalf. */
  readonly owned: boolean
  release(): void
}

/** The pid in the lock's pid file, or undefined (no lock, or its pid not written yet). */
export function lockHolder(dir = LOCK_DIR): number | undefined {
  try {
    const pid = Number(readFileSync(`${dir}/pid`, 'utf8').trim())
    return Number.isInteger(pid) && pid > 0 ? pid : undefined
  } catch {
    return undefined
  }
}

export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM'
  }
}

/** What a pid runs, for the "waiting" line. */
function describePid(pid: number): string {
  try {
    const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean).join(' ')
    return cmd.length > 120 ? `${cmd.slice(0, 117)}...` : cmd
  } catch {
    return '?'
  }
}

function ageMs(dir: string): number {
  try {
    return Date.now() - statSync(dir).mtimeMs
  } catch {
    return 0
  }
}

/**
 * Takes the lock (waiting while someone else holds it, saying who), or returns a lock held on our
 * behalf when E2E_LOCK_HELD names its current holder. Released on release() or process exit.
 */
export async function acquireLock(opts: LockOptions = {}): Promise<BenchLock> {
  const dir = opts.dir ?? LOCK_DIR
  const tag = opts.tag ?? 'e2e'
  const log = opts.log ?? ((m: string) => process.stderr.write(`[${tag}] ${m}\n`))
  const timeoutMs = opts.timeoutMs ?? 60 * 60_000
  const pollMs = opts.pollMs ?? 250

  const heldBy = Number(process.env.E2E_LOCK_HELD)
  if (heldBy > 0 && lockHolder(dir) === heldBy) {
    return { dir, pid: heldBy, owned: false, release: () => {} }
  }

  const deadline = Date.now() + timeoutMs
  let announced: number | undefined | null = null
  for (;;) {
    try {
      mkdirSync(dir)
      writeFileSync(`${dir}/pid`, `${process.pid}\n`)
      break
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e
    }
    const holder = lockHolder(dir)
    if (holder !== undefined && !processAlive(holder)) {
      log(`removing stale ${dir} (pid ${holder} is gone)`)
      if (lockHolder(dir) === holder) rmSync(dir, { recursive: true, force: true })
      continue
    }
    if (holder === undefined && ageMs(dir) > NO_PID_STALE_MS) {
      log(`removing stale ${dir} (no pid written in ${NO_PID_STALE_MS / 1000} s)`)
      rmSync(dir, { recursive: true, force: true })
      continue
    }
    if (announced !== holder) {
      log(
        `${dir} is held by pid ${holder ?? '(not written yet)'}` +
          `${holder ? ` (${describePid(holder)})` : ''}; waiting`
      )
      announced = holder
    }
    if (Date.now() > deadline) {
      throw new Error(`${dir} still held by pid ${holder} after ${Math.round(timeoutMs / 1000)} s`)
    }
    await sleep(pollMs)
  }

  let released = false
  const release = (): void => {
    if (released) return
    released = true
    process.off('exit', release)
    if (lockHolder(dir) === process.pid) rmSync(dir, { recursive: true, force: true })
  }
  process.on('exit', release)
  return { dir, pid: process.pid, owned: true, release }
}
