// The bench that scripts/e2e/setup.sh prepares (test-support/env.ts), and the bench lock
// (test-support/lock.ts) that each test file holds unless test-support/e2e-run.ts holds it.
import { acquireLock, type BenchLock } from '../../../test-support/lock.js'

export {
  BUSYBOX_PLATFORMS,
  busyboxPath,
  CACHE_DIR,
  DEBIAN_DEB_DIR,
  checkBench,
  DIST,
  docker,
  dockerAnswers,
  dockerUname,
  hostRunsI386Natively,
  hostUname,
  IMAGES,
  REGISTRY,
  reportTiming,
  ROOT,
  run,
  type DebArch,
  type ExecResult
} from '../../../test-support/env.js'

let lock: BenchLock | undefined
/** binfmt_misc is global to the machine: one test file at a time, taken in beforeAll. */
export async function lockBench(timeoutMs = 30 * 60_000): Promise<void> {
  lock ??= await acquireLock({ tag: 'e2e', timeoutMs })
}
export function unlockBench(): void {
  lock?.release()
  lock = undefined
}
