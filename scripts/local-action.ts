// Runs the action here exactly as a GitHub runner does (test-support/runner.ts): a job with its
// own worker process, action.yml's defaults filled in as INPUT_* variables, fresh GITHUB_OUTPUT/
// STATE/STEP_SUMMARY/ENV/PATH files, RUNNER_TEMP and RUNNER_TOOL_CACHE; then the post step with
// the saved state. Overrides: name=value arguments. E2E_NODE picks the node binary.
//   npm run local-action -- platforms=arm64,riscv64 registrar=native cleanup=true
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { actionDefaults, newJob, runAction, runPost } from '../test-support/runner.js'

const inputs = actionDefaults()
for (const arg of process.argv.slice(2)) {
  const eq = arg.indexOf('=')
  if (eq < 1 || !(arg.slice(0, eq) in inputs)) {
    console.error(`not an input of action.yml: ${arg} (inputs: ${Object.keys(inputs).join(', ')})`)
    process.exit(2)
  }
  inputs[arg.slice(0, eq)] = arg.slice(eq + 1)
}

const job = newJob({
  tag: 'local-action',
  toolCache: process.env.RUNNER_TOOL_CACHE || join(tmpdir(), 'local-action-tool-cache')
})
try {
  const main = await runAction({ job, inputs, echo: true })
  console.log('\noutputs:', JSON.stringify(main.outputs, null, 2))
  console.log('\npost step:')
  const post = await runPost(main)
  console.log(`\njob directory (kept): ${job.dir}`)
  process.exitCode = main.code || post.code || 0
} finally {
  job.remove({ keepDir: true })
}
