// The runner emulation (test-support/runner.ts): jobs with their worker process, steps, outputs.
export {
  actionDefaults,
  describeRun,
  inputEnvName,
  Job,
  newJob,
  parseFileCommands,
  removeJobs,
  runAction,
  runPost,
  type ActionResult,
  type ExecOutcome,
  type Inputs,
  type JobIdentity,
  type JobOptions,
  type RunOptions,
  type User
} from '../../../test-support/runner.js'
