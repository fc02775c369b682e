// What a GitHub runner does around a node action, for the e2e tests and the benchmark (which run
// the bundle as a runner does; npm run local-action takes input defaults from here and runs
// src/ through @github/local-action):
// - a Job: RUNNER_TEMP, RUNNER_TOOL_CACHE and GITHUB_WORKSPACE shared by its steps, the job's
//   identity (GITHUB_RUN_ID, GITHUB_RUN_ATTEMPT, GITHUB_JOB, RUNNER_NAME, RUNNER_ENVIRONMENT), and
//   one long-lived worker process (test-support/worker.mjs, GitHub's Runner.Worker) whose children
//   the steps are: a step's process.ppid is the job's worker, alive from the first step to the
//   last; job.kill() is a job that died before its post step;
// - a step: action.yml's input defaults as INPUT_<NAME> (upper-cased, spaces to `_`, hyphens
//   kept), fresh GITHUB_OUTPUT/GITHUB_STATE/GITHUB_STEP_SUMMARY/GITHUB_ENV/GITHUB_PATH files, the
//   file commands parsed afterwards (`name<<DELIM` blocks and `name=value` lines), the post step
//   with STATE_<name> from the main step's state file, optionally as another user (setpriv), on
//   the node binary E2E_NODE names (GitHub runs actions on Node 24), with a timing line.
import { type ChildProcess, spawn } from 'node:child_process'
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
import { arch, tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { ACTION_YML, DIST, ROOT, reportTiming } from './env.js'
import { seedToolCache } from './pinned-qemu.js'

export type Inputs = Record<string, string>

export interface User {
  uid: number
  gid: number
  /** Supplementary groups (e.g. docker's); none when absent. */
  groups?: number[]
}

// ---------------------------------------------------------------------------------------------
// action.yml and file commands
// ---------------------------------------------------------------------------------------------

/** Input names and their `default:` from action.yml (a reader for that file's shape). */
export function readActionDefaults(path: string = ACTION_YML): Inputs {
  const defaults: Inputs = {}
  let inInputs = false
  let current: string | undefined
  const lines = readFileSync(path, 'utf8').split('\n')
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]
    if (/^\S/.test(line)) {
      inInputs = /^inputs:\s*$/.test(line)
      current = undefined
      continue
    }
    if (!inInputs) continue
    const name = /^ {2}([A-Za-z0-9_-]+):\s*$/.exec(line)
    if (name) {
      current = name[1]
      defaults[current] = ''
      continue
    }
    const def = /^ {4}default:\s*(.*)$/.exec(line)
    if (!def || !current) continue
    if (def[1].trim() === '|') {
      // a literal block: its lines, indentation removed, each ending in a newline
      const block: string[] = []
      while (
        i + 1 < lines.length &&
        /^( {6}|\s*$)/.test(lines[i + 1]) &&
        !/^ {0,4}\S/.test(lines[i + 1])
      )
        block.push(lines[++i].slice(6))
      defaults[current] = `${block.join('\n').replace(/\n+$/, '')}\n`
    } else {
      defaults[current] = yamlScalar(def[1])
    }
  }
  if (Object.keys(defaults).length === 0) throw new Error(`${path}: no inputs found`)
  return defaults
}

function yamlScalar(raw: string): string {
  const s = raw.trim()
  if (s.startsWith("'")) return s.slice(1, s.lastIndexOf("'")).replace(/''/g, "'")
  if (s.startsWith('"')) return JSON.parse(s.slice(0, s.lastIndexOf('"') + 1)) as string
  return s.replace(/\s+#.*$/, '')
}

let defaultsCache: Inputs | undefined
/** This action's input defaults, as the runner fills them in (a fresh copy). */
export function actionDefaults(): Inputs {
  defaultsCache ??= readActionDefaults()
  return { ...defaultsCache }
}

/** `INPUT_<NAME>` as the runner spells it: upper-cased, spaces to `_`, hyphens kept. */
export const inputEnvName = (name: string): string =>
  `INPUT_${name.replace(/ /g, '_').toUpperCase()}`

/** GITHUB_OUTPUT / GITHUB_STATE / GITHUB_ENV: `name<<DELIM` blocks and `name=value` lines. */
export function parseFileCommands(text: string): Record<string, string> {
  const out: Record<string, string> = {}
  const lines = text.split('\n')
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]
    if (line === '') continue
    const heredoc = /^([^=]+?)<<(.+)$/.exec(line)
    if (heredoc) {
      const value: string[] = []
      for (i++; i < lines.length && lines[i] !== heredoc[2]; i++) value.push(lines[i])
      out[heredoc[1]] = value.join('\n')
      continue
    }
    const eq = line.indexOf('=')
    if (eq > 0) out[line.slice(0, eq)] = line.slice(eq + 1)
  }
  return out
}

// ---------------------------------------------------------------------------------------------
// Jobs and their worker process
// ---------------------------------------------------------------------------------------------

/** What identifies a job to the action (all overridable per job). */
export interface JobIdentity {
  GITHUB_RUN_ID: string
  GITHUB_RUN_ATTEMPT: string
  GITHUB_JOB: string
  RUNNER_NAME: string
  /** `github-hosted` (the default) or `self-hosted`. */
  RUNNER_ENVIRONMENT: string
}

export interface JobOptions {
  /** Owner of the job's files when its steps run as another user. */
  user?: User
  identity?: Partial<JobIdentity>
  /** Where the job's directory is created (default: the system temp dir). */
  parent?: string
  /** Prefix of the job's directory and default RUNNER_NAME/GITHUB_JOB (default `e2e`). */
  tag?: string
  /** RUNNER_TOOL_CACHE somewhere else than in the job's directory (kept across jobs). */
  toolCache?: string
  /**
   * The directory of an ended job (`remove({ keepDir: true })`), reused as a runner reuses its
   * work directory for the next job: the same RUNNER_TEMP and workspace paths (as on every
   * GitHub-hosted runner), emptied, and a fresh, empty tool cache.
   */
  dir?: string
}

/** One program run by the job's worker. */
export interface ExecOutcome {
  code: number
  signal: string | null
  stdout: string
  stderr: string
  /** stdout lines with the time each arrived, in ms after spawn. */
  lines: { t: number; line: string }[]
  /** Wall time from spawn to exit, measured by the worker (process.hrtime). */
  ms: number
  pid: number
  /** The program's parent: the job's worker. */
  ppid: number
  timedOut: boolean
}

export interface ExecOptions {
  env?: NodeJS.ProcessEnv
  cwd?: string
  timeoutMs?: number
  /** Also show the program's output as it comes (on the worker's stdout/stderr, this process's). */
  echo?: boolean
}

interface Pending {
  resolve: (o: ExecOutcome) => void
  reject: (e: Error) => void
  pid?: number
}

type WorkerMessage =
  | { type: 'ready'; pid: number }
  | { type: 'started'; id: number; pid: number }
  | { type: 'failed'; id: number; message: string }
  | ({ type: 'done'; id: number } & Omit<ExecOutcome, 'ppid'>)

const WORKER = fileURLToPath(new URL('./worker.mjs', import.meta.url))
const jobs: Job[] = []
let jobCount = 0

export class Job {
  readonly dir: string
  readonly runnerTemp: string
  readonly toolCache: string
  readonly workspace: string
  readonly uid?: number
  readonly gid?: number
  readonly identity: JobIdentity
  private readonly worker: ChildProcess
  private readonly ready: Promise<void>
  private readonly pending = new Map<number, Pending>()
  private nextId = 1
  private exited = false

  constructor(opts: JobOptions = {}) {
    const tag = opts.tag ?? 'e2e'
    const n = ++jobCount
    this.dir = opts.dir ?? mkdtempSync(join(opts.parent ?? tmpdir(), `${tag}-job-`))
    this.runnerTemp = join(this.dir, 'runner-temp')
    this.toolCache = opts.toolCache ?? join(this.dir, 'tool-cache')
    this.workspace = join(this.dir, 'workspace')
    if (opts.dir) {
      for (const d of [this.runnerTemp, this.toolCache, this.workspace])
        rmSync(d, { recursive: true, force: true })
    }
    for (const d of [this.runnerTemp, this.toolCache, this.workspace]) {
      mkdirSync(d, { recursive: true })
    }
    this.uid = opts.user?.uid
    this.gid = opts.user?.gid
    if (opts.user) chownTree(this.dir, opts.user.uid, opts.user.gid)
    this.identity = {
      GITHUB_RUN_ID: '1',
      GITHUB_RUN_ATTEMPT: '1',
      GITHUB_JOB: `${tag}-${process.pid}-${n}`,
      RUNNER_NAME: tag,
      RUNNER_ENVIRONMENT: 'github-hosted',
      ...opts.identity
    }

    // The worker runs as root (or whoever runs the harness) on this process's node; steps that
    // run as another user are started through setpriv, which execs them (ppid stays the worker).
    this.worker = spawn(process.execPath, [WORKER], {
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin' },
      cwd: this.workspace
    })
    this.ready = new Promise((resolve, reject) => {
      this.worker.once('message', m =>
        (m as WorkerMessage).type === 'ready' ? resolve() : reject(new Error('bad worker'))
      )
      this.worker.once('error', reject)
    })
    this.ready.catch(() => {}) // surfaced by exec()
    this.worker.on('message', m => this.onMessage(m as WorkerMessage))
    this.worker.on('exit', (code, signal) => {
      this.exited = true
      for (const [id, p] of this.pending) {
        p.reject(
          new Error(`job ${this.identity.GITHUB_JOB}: its worker exited (${signal ?? code})`)
        )
        this.pending.delete(id)
      }
    })
    this.idle()
    jobs.push(this)
  }

  /** The job's worker process (what each step sees as its process.ppid). */
  get workerPid(): number {
    return this.worker.pid ?? -1
  }

  get alive(): boolean {
    return !this.exited && this.worker.exitCode === null && this.worker.signalCode === null
  }

  /** The job's environment: identity, directories, what every step of it sees. */
  env(): Record<string, string> {
    return {
      ...this.identity,
      GITHUB_WORKSPACE: this.workspace,
      RUNNER_TEMP: this.runnerTemp,
      RUNNER_TOOL_CACHE: this.toolCache
    }
  }

  /** Runs a program as a child of the job's worker. Rejects only when it could not run. */
  async exec(file: string, args: string[], opts: ExecOptions = {}): Promise<ExecOutcome> {
    if (!this.alive) throw new Error(`job ${this.identity.GITHUB_JOB} is dead (its worker exited)`)
    const id = this.nextId++
    this.busy()
    try {
      await this.ready
      return await new Promise<ExecOutcome>((resolve, reject) => {
        this.pending.set(id, { resolve, reject })
        this.worker.send({
          type: 'run',
          id,
          file,
          args,
          env: opts.env ?? process.env,
          cwd: opts.cwd ?? this.workspace,
          timeoutMs: opts.timeoutMs ?? 300_000,
          echo: opts.echo ?? false
        })
      })
    } finally {
      if (this.pending.size === 0) this.idle()
    }
  }

  private onMessage(m: WorkerMessage): void {
    if (m.type === 'ready') return
    const p = this.pending.get(m.id)
    if (!p) return
    if (m.type === 'started') {
      p.pid = m.pid
      return
    }
    this.pending.delete(m.id)
    if (m.type === 'failed') p.reject(new Error(m.message))
    else {
      p.resolve({
        code: m.code,
        signal: m.signal,
        stdout: m.stdout,
        stderr: m.stderr,
        lines: m.lines,
        ms: m.ms,
        pid: m.pid,
        ppid: this.workerPid,
        timedOut: m.timedOut
      })
    }
  }

  // The worker must not keep this process alive while no step runs.
  private busy(): void {
    this.worker.ref()
    this.worker.channel?.ref()
  }
  private idle(): void {
    this.worker.unref()
    this.worker.channel?.unref()
  }

  /** SIGKILL the worker: the job died (no post step can run in it any more). */
  kill(): void {
    if (this.alive) this.worker.kill('SIGKILL')
  }

  /** Ends the job: stops its worker and what it runs (SIGTERM), removes the directory unless `keepDir`. */
  remove({ keepDir = false }: { keepDir?: boolean } = {}): void {
    if (this.alive) this.worker.kill('SIGTERM')
    if (this.worker.connected) this.worker.disconnect()
    if (!keepDir) rmSync(this.dir, { recursive: true, force: true })
    const i = jobs.indexOf(this)
    if (i >= 0) jobs.splice(i, 1)
  }
}

/** A new job (directories, identity, worker). `newJob(user)` is `newJob({ user })`. */
export function newJob(opts: JobOptions | User = {}): Job {
  return new Job('uid' in opts ? { user: opts as User } : (opts as JobOptions))
}

/** Ends every job created so far: workers stopped, directories removed. */
export function removeJobs(): void {
  for (const job of [...jobs]) job.remove()
}

function chownTree(path: string, uid: number, gid: number): void {
  chownSync(path, uid, gid)
  if (statSync(path).isDirectory()) {
    for (const name of readdirSync(path)) chownTree(join(path, name), uid, gid)
  }
}

// ---------------------------------------------------------------------------------------------
// Steps
// ---------------------------------------------------------------------------------------------

export interface RunOptions {
  inputs?: Inputs
  /** Extra environment (DOCKER_HOST, RUNNER_DEBUG...); undefined values remove a variable. */
  env?: Record<string, string | undefined>
  /** Run as this user (setpriv, groups cleared), e.g. nobody: { uid: 65534, gid: 65534 }. */
  user?: User
  /** Reuse a job from an earlier run (second step of the same job, same tool cache). */
  job?: Job
  /**
   * A new job's tool cache starts with the pinned QEMU in it, as after an earlier job of the
   * action (test-support/pinned-qemu.ts); default true. False: an empty tool cache.
   */
  pinnedQemu?: boolean
  /** Printed with the wall time: `[<timingTag>] <scenario>: <ms> ms`. */
  scenario?: string
  /** Tag of the timing line (default `e2e`). */
  timingTag?: string
  timeoutMs?: number
  /** The script node runs; the bundle unless the harness tests itself with a stand-in. */
  entry?: string
  /** The node binary (default: $E2E_NODE, else this process's node). */
  node?: string
  /** Fill in this action's input defaults (default true; false for another action). */
  defaults?: boolean
  /** Show the step's output as it comes, too. */
  echo?: boolean
}

export interface ActionResult {
  code: number
  signal: string | null
  stdout: string
  stderr: string
  lines: { t: number; line: string }[]
  outputs: Record<string, string>
  state: Record<string, string>
  summary: string
  /** What the step appended to GITHUB_ENV and GITHUB_PATH. */
  envFile: Record<string, string>
  pathFile: string[]
  ms: number
  /** The step's pid and its parent's (the job's worker). */
  pid: number
  ppid: number
  /** `::error::` lines on stdout, without the prefix. */
  errors: string[]
  /** `::warning::` lines on stdout, without the prefix. */
  warnings: string[]
  inputs: Inputs
  options: RunOptions
  job: Job
  phase: 'main' | 'post'
}

/** A workflow command's lines on stdout (`::error::`, `::warning::`), without the prefix. */
const annotations = (stdout: string, kind: string): string[] =>
  stdout
    .split('\n')
    .filter(l => l.startsWith(`::${kind}`))
    .map(l => l.replace(new RegExp(`^::${kind}[^:]*::`), ''))

const readOr = (path: string): string => {
  try {
    return readFileSync(path, 'utf8')
  } catch {
    return ''
  }
}

const RUNNER_ARCH: Record<string, string> = { x64: 'X64', arm64: 'ARM64', ia32: 'X86', arm: 'ARM' }

/** The environment a runner gives one step of `job`. */
function stepEnv(
  job: Job,
  files: Record<string, string>,
  inputs: Inputs,
  stateIn: Record<string, string>,
  opts: RunOptions
): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {}
  for (const [k, v] of Object.entries(process.env)) {
    if (/^(INPUT_|STATE_|GITHUB_|RUNNER_|JEST_)/.test(k) || k === 'NODE_OPTIONS') continue
    env[k] = v
  }
  Object.assign(env, {
    CI: 'true',
    GITHUB_ACTIONS: 'true',
    GITHUB_ACTION: 'setup-cross-arch',
    GITHUB_ACTION_PATH: ROOT,
    GITHUB_REPOSITORY: 'e2e/setup-cross-arch',
    RUNNER_OS: 'Linux',
    RUNNER_ARCH: RUNNER_ARCH[arch()] ?? arch().toUpperCase(),
    ...job.env(),
    ...files
  })
  if (opts.user) env.HOME = job.dir
  for (const [name, value] of Object.entries(inputs)) env[inputEnvName(name)] = value
  for (const [name, value] of Object.entries(stateIn)) env[`STATE_${name}`] = value
  for (const [k, v] of Object.entries(opts.env ?? {})) {
    if (v === undefined) delete env[k]
    else env[k] = v
  }
  return env
}

async function runStep(
  phase: 'main' | 'post',
  opts: RunOptions,
  stateIn: Record<string, string>
): Promise<ActionResult> {
  const user = opts.user
  const job = opts.job ?? (await pinnedJob(user, opts.pinnedQemu ?? true))
  const inputs = { ...(opts.defaults === false ? {} : actionDefaults()), ...(opts.inputs ?? {}) }
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
  const env = stepEnv(job, files, inputs, stateIn, opts)

  const node = opts.node ?? (process.env.E2E_NODE || process.execPath)
  const entry = opts.entry ?? DIST
  const [file, args] = user
    ? [
        'setpriv',
        [
          `--reuid=${user.uid}`,
          `--regid=${user.gid}`,
          user.groups?.length ? `--groups=${user.groups.join(',')}` : '--clear-groups',
          node,
          entry
        ]
      ]
    : [node, [entry]]
  const timeoutMs = opts.timeoutMs ?? 300_000
  const o = await job.exec(file, args, { env, cwd: job.workspace, timeoutMs, echo: opts.echo })
  const stderr = o.timedOut ? `${o.stderr}\n[e2e] killed after ${timeoutMs} ms\n` : o.stderr
  if (opts.scenario) {
    reportTiming(phase === 'post' ? `${opts.scenario} (post)` : opts.scenario, o.ms, opts.timingTag)
  }

  const result: ActionResult = {
    code: o.code ?? (o.signal ? 128 : 1),
    signal: o.signal,
    stdout: o.stdout,
    stderr,
    lines: o.lines,
    outputs: parseFileCommands(readOr(files.GITHUB_OUTPUT)),
    state: parseFileCommands(readOr(files.GITHUB_STATE)),
    summary: readOr(files.GITHUB_STEP_SUMMARY),
    envFile: parseFileCommands(readOr(files.GITHUB_ENV)),
    pathFile: readOr(files.GITHUB_PATH).split('\n').filter(Boolean),
    ms: o.ms,
    pid: o.pid,
    ppid: o.ppid,
    errors: annotations(o.stdout, 'error'),
    warnings: annotations(o.stdout, 'warning'),
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

/** A new job, its tool cache holding the pinned QEMU when `pinned`. */
async function pinnedJob(user: User | undefined, pinned: boolean): Promise<Job> {
  const job = newJob({ user })
  if (pinned) {
    await seedToolCache(job.toolCache)
    if (user) chownTree(job.toolCache, user.uid, user.gid)
  }
  return job
}

/** The action's main step (in `opts.job`, or in a new job). */
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
