/** The `default:` of every input in action.yml, as the runner fills them in. */
export { actionDefaults } from '../test-support/runner.js'
