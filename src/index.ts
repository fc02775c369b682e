/**
 * The action's entry, for both the main and the post step: the main step leaves state behind,
 * which the runner hands back to the post step.
 */
import * as core from '@actions/core'
import { State } from './constants.js'
import { run } from './main.js'
import { cleanup } from './post.js'

if (core.getState(State.IsPost) === 'true') {
  await cleanup()
} else {
  core.saveState(State.IsPost, 'true')
  await run()
}
