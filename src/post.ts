import * as core from './runner.js'
import { describe } from './errors.js'
import { Binfmt } from './host/binfmt.js'
import { detectPrivilege, Privilege } from './host/privilege.js'
import { restoreSnapshot, type Snapshot } from './state.js'

/** The post step: with cleanup on, puts the host's qemu-* handlers back as they were. */
export async function cleanup(): Promise<void> {
  try {
    if (core.getState('cleanup') !== 'true') {
      core.info('cleanup is off for this run: handlers stay registered.')
      return
    }
    const snapshot = JSON.parse(core.getState('snapshot')) as Snapshot
    const binfmt = new Binfmt(new Privilege(await detectPrivilege()))
    const done = await restoreSnapshot(binfmt, snapshot, core.getState('mounted') === 'true')
    core.info(
      done.length > 0
        ? done.join('\n')
        : 'binfmt_misc handlers are already as they were before this job.'
    )
  } catch (error) {
    core.setFailed(
      `Cleanup could not put the binfmt_misc handlers back: ${describe(error)}. Check /proc/sys/fs/binfmt_misc on this runner.`
    )
  }
}
