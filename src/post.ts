import * as core from '@actions/core'
import { State } from './constants.js'
import { describe } from './errors.js'
import { defaultPorts, type Ports } from './ports.js'
import { releaseHeld } from './registrar/hold.js'
import { writerFor } from './registrar/index.js'
import type { Session } from './session/session.js'

/**
 * The post step: this job lets go of the handlers it held, and the host gets back every entry no
 * other live job still holds, through the same route the main step took. It fails the job only
 * when putting back really failed, saying what was left behind.
 */
export async function cleanup(ports: Ports = defaultPorts()): Promise<void> {
  const saved = core.getState(State.Session)
  if (!saved) {
    core.info('The main step changed nothing in binfmt_misc: nothing to put back.')
    return
  }
  try {
    const session = JSON.parse(saved) as Session
    if (session.restore === 'none' || !session.keeper) {
      core.info(
        'This run recorded no hold and puts nothing back: handlers stay registered (the main step\'s "Cleanup:" line says why).'
      )
      return
    }
    const host = await ports.inspectHost()
    const released = await releaseHeld({
      coordination: ports.coordination(session.keeper),
      reader: host.binfmt,
      writer: await writerFor(session.route, host, ports.docker),
      mounter: host.direct,
      job: session.job,
      live: ports.liveness
    })
    for (const name of released.kept)
      core.info(`${name}: left as it is, another job on this runner still holds it.`)
    for (const line of released.restored) core.info(line)
    if (released.stayed.length > 0) {
      core.warning(
        `Could not put back ${released.stayed.join('; ')}: the host keeps a working handler for each. ` +
          'To have the old one back, register it again from an interpreter file that exists.'
      )
    }
    if (released.left.length > 0) {
      const message = `Could not put back ${released.left.join('; ')}: they stay as this job left them. Check /proc/sys/fs/binfmt_misc on this runner.`
      if (session.restore === 'restore') core.setFailed(message)
      else core.warning(message)
    } else if (
      released.restored.length === 0 &&
      released.kept.length === 0 &&
      released.stayed.length === 0
    ) {
      core.info(
        session.restore === 'restore'
          ? 'binfmt_misc handlers are already as they were before this job.'
          : 'cleanup is off for this run: handlers stay registered.'
      )
    }
  } catch (error) {
    core.setFailed(
      `Cleanup could not put the binfmt_misc handlers back: ${describe(error)}. Check /proc/sys/fs/binfmt_misc on this runner.`
    )
  }
}
