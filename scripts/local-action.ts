// npm run local-action: runs the action here with GitHub's @github/local-action, as the
// actions/typescript-action template does. local-action replaces @actions/core with its own (exec,
// io and tool-cache run for real) and runs, in one process, src/main.ts's run() as the main step,
// then the post step: this file's `run` export (src/post.ts's cleanup()), given as `--post`.
// What the main step saved (core.saveState) stays in local-action's core for core.getState.
//
// Inputs: action.yml's defaults, overridden by name=value arguments, written as INPUT_<NAME> to a
// temporary .env file (quoted so that local-action's dotenv reads them back exactly), with the
// job's identity, RUNNER_TEMP, GITHUB_STEP_SUMMARY and RUNNER_TOOL_CACHE (kept across runs:
// $RUNNER_TOOL_CACHE, else ~/.cache/setup-cross-arch/tool-cache); RUNNER_ENVIRONMENT (for cleanup=auto)
// is github-hosted unless set. local-action prints the outputs; it exits 0 when a step calls
// core.setFailed, so a step that printed an ::error:: line fails this.
// local-action reads an empty input as its default (a runner passes it empty).
//   npm run local-action -- platforms=arm64,riscv64 registrar=native cleanup=true
import { spawn } from 'node:child_process'
import { mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { homedir, tmpdir } from 'node:os'
import { join, relative } from 'node:path'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { ROOT } from '../test-support/env.js'
import { actionDefaults, inputEnvName, type Inputs } from '../test-support/runner.js'

/** The post step, for local-action, which calls an entrypoint's `run()`: src/post.ts's cleanup(). */
export async function run(): Promise<void> {
  const { cleanup } = await import('../src/post.js')
  await cleanup()
}

const SELF = fileURLToPath(import.meta.url)
const LOCAL_ACTION = join(ROOT, 'node_modules', '@github', 'local-action')

// local-action loads the .env file with its own dotenv
const dotenv = createRequire(join(LOCAL_ACTION, 'package.json'))('dotenv') as {
  parse(src: string): Record<string, string>
}

/** `NAME=<quoted value>` that dotenv reads back as `value` (multi-line ones included). */
function dotenvLine(name: string, value: string): string {
  const line = ["'", '`', '"']
    .map(q => `${name}=${q}${value}${q}`)
    .find(l => dotenv.parse(l)[name] === value)
  if (line === undefined) throw new Error(`${name}: dotenv cannot hold ${JSON.stringify(value)}`)
  return line
}

function overrides(args: string[]): Inputs {
  const defaults = actionDefaults()
  const inputs = { ...defaults }
  for (const arg of args) {
    const eq = arg.indexOf('=')
    const name = arg.slice(0, eq)
    if (eq < 1 || !(name in defaults)) {
      throw new Error(
        `not an input of action.yml: ${arg} (inputs: ${Object.keys(defaults).join(', ')})`
      )
    }
    inputs[name] = arg.slice(eq + 1)
    if (inputs[name] === '' && defaults[name] !== '')
      console.warn(
        `${name}: empty, so local-action uses its default ${JSON.stringify(defaults[name])}`
      )
  }
  return inputs
}

const stripAnsi = (s: string): string => s.replace(/\x1b\[[0-9;]*m/g, '') // eslint-disable-line no-control-regex

async function main(args: string[]): Promise<number> {
  const inputs = overrides(args)
  // local-action's bin joins its arguments into a shell command line, unquoted
  if (/[^\w@%+=:,./-]/.test(tmpdir())) throw new Error(`${tmpdir()}: use a TMPDIR without spaces`)
  const dir = mkdtempSync(join(tmpdir(), 'local-action-'))
  const envFile = join(dir, '.env')
  // this user's own cache, not a fixed name under /tmp that another user could create first
  const toolCache =
    process.env.RUNNER_TOOL_CACHE ||
    join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'setup-cross-arch', 'tool-cache')
  const vars: Record<string, string> = {
    // the job, as src/registrar/hold.ts's currentJob() keys it; cleanup=auto looks at the runner
    GITHUB_ACTION: 'setup-cross-arch',
    GITHUB_RUN_ID: '1',
    GITHUB_RUN_ATTEMPT: '1',
    GITHUB_JOB: `local-action-${process.pid}`,
    RUNNER_NAME: 'local-action',
    RUNNER_ENVIRONMENT: process.env.RUNNER_ENVIRONMENT || 'github-hosted',
    RUNNER_TEMP: join(dir, 'runner-temp'),
    RUNNER_TOOL_CACHE: toolCache,
    GITHUB_STEP_SUMMARY: join(dir, 'summary.md')
  }
  for (const [name, value] of Object.entries(inputs)) vars[inputEnvName(name)] = value
  mkdirSync(vars.RUNNER_TEMP)
  mkdirSync(toolCache, { recursive: true })
  writeFileSync(vars.GITHUB_STEP_SUMMARY, '')
  const text = `${Object.entries(vars)
    .map(([k, v]) => dotenvLine(k, v))
    .join('\n')}\n`
  const parsed = dotenv.parse(text)
  for (const [k, v] of Object.entries(vars)) {
    if (parsed[k] === v) continue
    rmSync(dir, { recursive: true, force: true })
    throw new Error(`.env: dotenv reads ${k} as ${JSON.stringify(parsed[k])}`)
  }
  writeFileSync(envFile, text)

  // the user's INPUT_*, STATE_*, GITHUB_* and RUNNER_* do not reach the steps
  const env: NodeJS.ProcessEnv = {}
  for (const [k, v] of Object.entries(process.env))
    if (!/^(INPUT_|STATE_|GITHUB_|RUNNER_)/.test(k)) env[k] = v
  env.FORCE_COLOR ??= process.stdout.isTTY ? '1' : '0'
  const child = spawn(
    process.execPath,
    [
      join(LOCAL_ACTION, 'bin', 'local-action.js'),
      '.',
      'src/main.ts',
      envFile,
      '--post',
      relative(ROOT, SELF)
    ],
    { cwd: ROOT, env, stdio: ['inherit', 'pipe', 'inherit'] }
  )
  const exited = new Promise<number>(resolve =>
    child.on('close', (code, signal) => resolve(code ?? (signal ? 128 : 1)))
  )
  // core.setFailed prints `::error::`; the banners between the steps tell which step printed it
  const errors = { main: 0, post: 0 }
  let step: keyof typeof errors | undefined
  for await (const line of createInterface({ input: child.stdout })) {
    console.log(line)
    const plain = stripAnsi(line).trim()
    if (plain === 'Running Action') step = 'main'
    else if (plain === 'Running Post Step') step = 'post'
    else if (plain === 'Action Outputs') step = undefined
    else if (step && plain.startsWith('::error')) errors[step]++
  }
  const code = await exited

  const summary = readFileSync(vars.GITHUB_STEP_SUMMARY, 'utf8')
  if (summary) console.log(`\nstep summary:\n${summary}`)
  const verdict = (n: number): string => (n ? `failed (${n} ::error:: lines)` : 'ok')
  console.log(`main step: ${verdict(errors.main)}; post step: ${verdict(errors.post)}`)
  if (code !== 0) console.log(`local-action exited with ${code}`)
  const failed = code !== 0 || errors.main > 0 || errors.post > 0
  if (failed) console.log(`kept: ${dir} (the .env file, RUNNER_TEMP)`)
  else rmSync(dir, { recursive: true, force: true })
  return failed ? 1 : 0
}

// `tsx scripts/local-action.ts ...`; imported by local-action as the post entrypoint, only `run`
if (process.argv[1] && realpathSync(process.argv[1]) === SELF) {
  try {
    process.exitCode = await main(process.argv.slice(2))
  } catch (error) {
    console.error(error instanceof Error ? error.message : error)
    process.exitCode = 2
  }
}
