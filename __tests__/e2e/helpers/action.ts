// Runs the committed bundle (dist/index.js) the way a GitHub runner runs a node action: inputs as
// INPUT_<NAME> with action.yml's defaults filled in, file commands in fresh files, RUNNER_TEMP and
// RUNNER_TOOL_CACHE, then the post step with STATE_<name> from the main step's state file.
import { spawn } from 'node:child_process'
import {
  chownSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync
} from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { DIST, ROOT, reportTiming } from './env.js'

import {
  actionDefaults as readActionDefaults,
  inputEnvName,
  parseFileCommands
} from '../../../scripts/runner-emulation.mjs'

export type Inputs = Record<string, string>

/** A job: what the steps of one job share (temp dir, tool cache, workspace). */
export interface Job {
  dir: string
  runnerTemp: string
  toolCache: string
  workspace: string
  /** Owner of the job's files when the action runs as another user. */
  uid?: number
  gid?: number
}

export interface RunOptions {
  inputs?: Inputs
  /** Extra environment (DOCKER_HOST, RUNNER_DEBUG...); undefined values remove a variable. */
  env?: Record<string, string | undefined>
  /** Run as this user (setpriv, groups cleared), e.g. nobody: { uid: 65534, gid: 65534 }. */
  user?: { uid: number; gid: number }
  /** Reuse a job from an earlier run (second step of the same job, same tool cache). */
  job?: Job
  /** Printed with the wall time: `[e2e] <scenario>: <ms> ms`. */
  scenario?: string
  timeoutMs?: number
  /** The script node runs; the bundle unless the harness tests itself with a stand-in. */
  entry?: string
}

export interface ActionResult {
  code: number
  stdout: string
  stderr: string
  outputs: Record<string, string>
  state: Record<string, string>
  summary: string
  ms: number
  /** `::error::` lines on stdout, without the prefix. */
  errors: string[]
  inputs: Inputs
  options: RunOptions
  job: Job
  phase: 'main' | 'post'
}

const jobs: Job[] = []

export function newJob(user?: { uid: number; gid: number }): Job {
  const dir = mkdtempSync(join(tmpdir(), 'e2e-job-'))
  const job: Job = {
    dir,
    runnerTemp: join(dir, 'runner-temp'),
    toolCache: join(dir, 'tool-cache'),
    workspace: join(dir, 'workspace'),
    uid: user?.uid,
    gid: user?.gid
  }
  for (const d of [job.runnerTemp, job.toolCache, job.workspace]) mkdirSync(d)
  if (user) chownTree(dir, user.uid, user.gid)
  jobs.push(job)
  return job
}

/** Removes every job directory created so far (call after binfmt_misc is restored). */
export function removeJobs(): void {
  for (const job of jobs.splice(0)) rmSync(job.dir, { recursive: true, force: true })
}

function chownTree(path: string, uid: number, gid: number): void {
  chownSync(path, uid, gid)
  if (statSync(path).isDirectory()) {
    for (const name of readdirSync(path)) chownTree(join(path, name), uid, gid)
  }
}

let defaultsCache: Inputs | undefined
/** Input defaults from action.yml, as the runner fills them in. */
export function actionDefaults(): Inputs {
  defaultsCache ??= readActionDefaults()
  return defaultsCache
}

export { parseFileCommands }

const readOr = (path: string): string => {
  try {
    return readFileSync(path, 'utf8')
  } catch {
    return ''
  }
}

async function runStep(
  phase: 'main' | 'post',
  opts: RunOptions,
  stateIn: Record<string, string>
): Promise<ActionResult> {
  const user = opts.user
  const job = opts.job ?? newJob(user)
  const inputs = { ...actionDefaults(), ...(opts.inputs ?? {}) }
  const step = mkdtempSync(join(job.dir, `${phase}-`))
  const files = {
    GITHUB_OUTPUT: join(step, 'output'),
    GITHUB_STATE: join(step, 'state'),
    GITHUB_STEP_SUMMARY: join(step, 'summary'),
    GITHUB_ENV: join(step, 'env'),
    GITHUB_PATH: join(step, 'path')
  }
  // The runner creates them empty.
  for (const f of Object.values(files)) writeFileSync(f, '')
  if (user) chownTree(step, user.uid, user.gid)

  const env: NodeJS.ProcessEnv = {}
  for (const [k, v] of Object.entries(process.env)) {
    if (/^(INPUT_|STATE_|GITHUB_|RUNNER_)/.test(k) || k === 'NODE_OPTIONS') continue
    env[k] = v
  }
  Object.assign(env, {
    CI: 'true',
    GITHUB_ACTIONS: 'true',
    GITHUB_ACTION: 'setup-cross-arch',
    GITHUB_ACTION_PATH: ROOT,
    GITHUB_WORKSPACE: job.workspace,
    GITHUB_REPOSITORY: 'e2e/setup-cross-arch',
    GITHUB_RUN_ID: '1',
    GITHUB_JOB: 'e2e',
    RUNNER_OS: 'Linux',
    RUNNER_ARCH: 'X64',
    RUNNER_NAME: 'e2e',
    RUNNER_ENVIRONMENT: 'github-hosted',
    RUNNER_TEMP: job.runnerTemp,
    RUNNER_TOOL_CACHE: job.toolCache,
    ...files
  })
  if (user) env.HOME = job.dir
  for (const [name, value] of Object.entries(inputs)) env[inputEnvName(name)] = value
  for (const [name, value] of Object.entries(stateIn)) env[`STATE_${name}`] = value
  for (const [k, v] of Object.entries(opts.env ?? {})) {
    if (v === undefined) delete env[k]
    else env[k] = v
  }

  // E2E_NODE: another node to run the action with (GitHub runs actions on Node 24).
  const node = process.env.E2E_NODE || process.execPath
  const entry = opts.entry ?? DIST
  const [cmd, args] = user
    ? ['setpriv', [`--reuid=${user.uid}`, `--regid=${user.gid}`, '--clear-groups', node, entry]]
    : [node, [entry]]

  const t0 = performance.now()
  const { code, stdout, stderr } = await new Promise<{
    code: number
    stdout: string
    stderr: string
  }>((done, fail) => {
    const child = spawn(cmd, args, { cwd: job.workspace, env, stdio: ['ignore', 'pipe', 'pipe'] })
    let out = ''
    let err = ''
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d))
    child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d))
    const timer = setTimeout(() => {
      err += `\n[e2e] killed after ${opts.timeoutMs ?? 300_000} ms\n`
      child.kill('SIGKILL')
    }, opts.timeoutMs ?? 300_000)
    child.on('error', fail)
    child.on('close', (c, signal) => {
      clearTimeout(timer)
      done({ code: c ?? (signal ? 128 : 1), stdout: out, stderr: err })
    })
  })
  const ms = performance.now() - t0
  if (opts.scenario) reportTiming(phase === 'post' ? `${opts.scenario} (post)` : opts.scenario, ms)

  const result: ActionResult = {
    code,
    stdout,
    stderr,
    outputs: parseFileCommands(readOr(files.GITHUB_OUTPUT)),
    state: parseFileCommands(readOr(files.GITHUB_STATE)),
    summary: readOr(files.GITHUB_STEP_SUMMARY),
    ms,
    errors: stdout
      .split('\n')
      .filter(l => l.startsWith('::error'))
      .map(l => l.replace(/^::error[^:]*::/, '')),
    inputs,
    options: { ...opts, job },
    job,
    phase
  }
  // E2E_VERBOSE=1: every run in full (stdout, stderr, outputs, summary) on the test's stdout.
  if (process.env.E2E_VERBOSE) {
    process.stdout.write(`${describeRun(result)}\n--- summary\n${result.summary}\n`)
  }
  return result
}

/** The action's main step. */
export function runAction(opts: RunOptions = {}): Promise<ActionResult> {
  return runStep('main', opts, {})
}

/** The post step of the same job: same inputs and environment, STATE_<name> from main's state. */
export function runPost(
  main: ActionResult,
  extra: Partial<RunOptions> = {}
): Promise<ActionResult> {
  return runStep('post', { ...main.options, ...extra, job: main.job }, main.state)
}

/** A human-readable account of a run, for assertion messages. */
export function describeRun(r: ActionResult): string {
  return [
    `exit ${r.code} (${r.phase}, ${Math.round(r.ms)} ms)`,
    `--- stdout\n${r.stdout.trimEnd()}`,
    `--- stderr\n${r.stderr.trimEnd()}`,
    `--- outputs ${JSON.stringify(r.outputs)}`
  ].join('\n')
}
