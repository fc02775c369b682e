// The frame around every e2e run and bench run on this machine: root, the bench lock for the
// whole run, binfmt_misc snapshotted before anything happens, scripts/e2e/setup.sh, the work,
// scripts/e2e/teardown.sh whatever happens, then binfmt_misc compared with the snapshot (order
// included) and, if it changed, printed, restored and the run failed.
//
// With E2E_USED_MACHINE=1 the work runs on a machine made to look long-used first (after setup:
// an F handler whose interpreter file is deleted, a jar entry; binfmt.ts makeUsedMachine): the
// run is checked against that state, then the machine is put back as it was before it.
import { type ChildProcess, spawn } from 'node:child_process'
import { resolve } from 'node:path'
import {
  diffSnapshots,
  describeSnapshot,
  makeUsedMachine,
  restoreBinfmt,
  snapshotBinfmt,
  type BinfmtSnapshot
} from './binfmt.js'
import { ROOT } from './env.js'
import { acquireLock } from './lock.js'

let current: ChildProcess | undefined
let interrupted: NodeJS.Signals | undefined

/** Runs a program with inherited stdio; resolves with its exit code (128+n for a signal). */
export function runInherited(
  file: string,
  args: string[],
  env: NodeJS.ProcessEnv = process.env
): Promise<number> {
  return new Promise(done => {
    const child = spawn(file, args, { cwd: ROOT, env, stdio: 'inherit' })
    current = child
    child.on('error', e => {
      process.stderr.write(`could not run ${file}: ${e.message}\n`)
      current = undefined
      done(127)
    })
    child.on('close', (code, signal) => {
      current = undefined
      done(code ?? (signal ? 128 + (signal === 'SIGINT' ? 2 : 15) : 1))
    })
  })
}

export interface BenchRunOptions {
  /** Log prefix: `e2e`, `bench`. */
  tag: string
  /** The work between setup and teardown; its result is the run's exit code. */
  work: () => Promise<number>
  /** Run scripts/e2e/setup.sh first (default true). */
  setup?: boolean
  /** Called on SIGINT/SIGTERM while `work` runs in this process (stop it quickly). */
  onInterrupt?: () => void
}

/**
 * Runs `work` inside the frame and returns the exit code for the process: work's, or 1 when the
 * host's binfmt_misc changed (it is then restored), or 130 after SIGINT/SIGTERM.
 */
export async function withBench({
  tag,
  work,
  setup = true,
  onInterrupt
}: BenchRunOptions): Promise<number> {
  const log = (m: string): boolean => process.stderr.write(`[${tag}] ${m}\n`)
  if (process.getuid?.() !== 0) {
    log('run as root: the bench starts dockerd and changes binfmt_misc')
    return 1
  }
  const lock = await acquireLock({ tag })
  process.env.E2E_LOCK_HELD = String(lock.pid)
  const onSignal = (sig: NodeJS.Signals): void => {
    interrupted = sig
    log(`${sig}: stopping, then teardown and binfmt_misc check`)
    current?.kill(sig)
    onInterrupt?.()
  }
  process.on('SIGINT', onSignal)
  process.on('SIGTERM', onSignal)

  const before = snapshotBinfmt()
  log(`binfmt_misc before: ${describeSnapshot(before)}`)
  let rc = 1
  let used: BinfmtSnapshot | undefined
  try {
    const setupRc = setup ? await runInherited('bash', [resolve(ROOT, 'scripts/e2e/setup.sh')]) : 0
    if (setupRc !== 0) log(`setup failed (exit ${setupRc})`)
    else if (!interrupted) {
      if (process.env.E2E_USED_MACHINE === '1') {
        const gone = makeUsedMachine()
        used = snapshotBinfmt()
        log(`a used machine: qemu-aarch64 with F from ${gone} (deleted), and a jar entry`)
        log(`binfmt_misc now: ${describeSnapshot(used)}`)
      }
      rc = await work()
    }
  } catch (e) {
    log(`failed: ${(e as Error).stack ?? e}`)
    rc = 1
  } finally {
    await runInherited('bash', [resolve(ROOT, 'scripts/e2e/teardown.sh')])
    if (used) {
      rc = checkBinfmt(used, log) ? rc : 1
      try {
        restoreBinfmt(before)
        log(`binfmt_misc put back as before the used machine was made: ${describeSnapshot(before)}`)
      } catch (e) {
        log(`!!! ${(e as Error).message}`)
        rc = 1
      }
    } else {
      rc = checkBinfmt(before, log) ? rc : 1
    }
    lock.release()
    process.off('SIGINT', onSignal)
    process.off('SIGTERM', onSignal)
  }
  return interrupted ? 130 : rc
}

/** Compares binfmt_misc with `before`; restores and says so when it changed. True if unchanged. */
function checkBinfmt(before: ReturnType<typeof snapshotBinfmt>, log: (m: string) => void): boolean {
  const diff = diffSnapshots(before, snapshotBinfmt())
  if (diff.length === 0) {
    log(`binfmt_misc after: as before (${describeSnapshot(before)})`)
    return true
  }
  log("!!! the host's binfmt_misc changed during the run (before -> after):")
  for (const d of diff) log(`  ${d}`)
  log('!!! restoring it')
  try {
    restoreBinfmt(before)
    log('binfmt_misc restored')
  } catch (e) {
    log(`!!! ${(e as Error).message}`)
  }
  return false
}
