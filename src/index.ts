/**
 * The action's entry, for both the main and the post step: the main step leaves state behind,
 * which the runner hands back to the post step. Started with KEEPER_ARG (as root, through sudo or
 * in the registrar's container) it is the keeper of the machine-wide lock and record instead.
 */
import * as core from '@actions/core'
import { State } from './constants.js'
import { run } from './main.js'
import { cleanup } from './post.js'
import { keep } from './session/coordination.js'
import { KEEPER_ARG } from './session/route.js'
import { StateDir } from './session/store.js'

if (process.argv[2] === KEEPER_ARG) {
  process.exitCode = await keep(new StateDir(), process.stdin, message =>
    process.stdout.write(`${JSON.stringify(message)}\n`)
  )
} else if (core.getState(State.IsPost) === 'true') {
  await cleanup()
} else {
  core.saveState(State.IsPost, 'true')
  await run()
}
