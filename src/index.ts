/**
 * The action's entry, for both the main and the post step: the main step leaves state behind,
 * which the runner hands back to the post step.
 */
import * as core from './runner.js'
import { run } from './main.js'
import { cleanup } from './post.js'

if (core.getState('isPost') === 'true') {
  await cleanup()
} else {
  core.saveState('isPost', 'true')
  await run()
}
