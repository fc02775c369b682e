#!/usr/bin/env node
// Benchmark of whole action runs: the committed bundle (dist/index.js) run as a child process
// exactly as a GitHub runner runs a node action (every input as INPUT_<NAME> with action.yml's
// defaults filled in, fresh GITHUB_OUTPUT/STATE/STEP_SUMMARY/ENV/PATH files, RUNNER_TEMP,
// RUNNER_TOOL_CACHE), on Node 24 like GitHub. Each scenario is the median of N runs (wall time
// around the child process); binfmt_misc is put into the state a scenario needs before every
// run and back into the state found at start at the end. Writes docs/benchmarks.md and prints
// the table. Needs root and the bench of scripts/e2e/setup.sh (Docker engine, registry on
// 127.0.0.1:5000, images); scripts/e2e/bench.sh (npm run bench) sets it up and tears it down.
//
//   node scripts/bench/bench.mjs [--runs=7] [--seed-runs=5] [--warmup=1] [--out=FILE]
//   (or BENCH_RUNS, BENCH_SEED_RUNS, BENCH_WARMUP, BENCH_OUT; BENCH_NODE24=/path/to/node24)
import { spawn, spawnSync } from 'node:child_process'
import { once } from 'node:events'
import {
  createReadStream,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync
} from 'node:fs'
import { createServer, get as httpGet } from 'node:http'
import { arch, tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { clearTimeout, setTimeout } from 'node:timers'
import { setTimeout as sleep } from 'node:timers/promises'
import { fileURLToPath } from 'node:url'
import {
  BINFMT,
  clearQemuEntries,
  mountBinfmt,
  restoreBinfmt,
  snapshotBinfmt
} from '../binfmt-state.mjs'
import { actionDefaults, parseFileCommands } from '../runner-emulation.mjs'

const ROOT = fileURLToPath(new URL('../..', import.meta.url))
const DIST = join(ROOT, 'dist/index.js')
const REGISTRY = '127.0.0.1:5000'
const REGISTRAR_IMAGE = `${REGISTRY}/e2e/qemu-user-static:latest`
const BUSYBOX = `${REGISTRY}/e2e/busybox:latest`
const LOCK = '/tmp/cross-arch-e2e.lock' // shared with __tests__/e2e: binfmt_misc is global
const NODE24_PREFIX = '/tmp/node24'
const ACTION_TIMEOUT_MS = 300_000

/** The platforms of the e2e busybox image and what `uname -m` prints for each. */
const IMAGE_PLATFORMS = {
  'linux/amd64': ['x86_64'],
  'linux/arm64': ['aarch64'],
  'linux/arm/v7': ['armv7l'],
  'linux/arm/v6': ['armv7l'],
  'linux/ppc64le': ['ppc64le'],
  'linux/s390x': ['s390x'],
  'linux/386': ['i686', 'x86_64'], // x86_64 where the kernel runs i386 natively
  'linux/mips64le': ['mips64']
}

class BenchError extends Error {}

// ---------------------------------------------------------------------------------------------
// Options
// ---------------------------------------------------------------------------------------------
function option(name, env, fallback) {
  const arg = process.argv.slice(2).find(a => a.startsWith(`--${name}=`))
  const raw = arg ? arg.slice(name.length + 3) : process.env[env]
  return raw === undefined || raw === '' ? fallback : raw
}
function count(name, env, fallback, min) {
  const raw = option(name, env, String(fallback))
  const n = Number(raw)
  if (!Number.isInteger(n) || n < min || n > 1000) {
    console.error(`--${name} / ${env}: expected an integer from ${min} to 1000, got "${raw}"`)
    process.exit(2)
  }
  return n
}
for (const a of process.argv.slice(2)) {
  if (!/^--(runs|seed-runs|warmup|out)=/.test(a)) {
    console.error(`unknown argument ${a}; accepted: --runs=N --seed-runs=N --warmup=N --out=FILE`)
    process.exit(2)
  }
}
const RUNS = count('runs', 'BENCH_RUNS', 7, 1)
const SEED_RUNS = count('seed-runs', 'BENCH_SEED_RUNS', 5, 1)
const WARMUP = count('warmup', 'BENCH_WARMUP', 1, 0)
const OUT = option('out', 'BENCH_OUT', join(ROOT, 'docs/benchmarks.md'))

const log = msg => console.log(`[bench] ${msg}`)

// ---------------------------------------------------------------------------------------------
// binfmt_misc: snapshot, state changes between runs, restore. Never writes to `status`.
// ---------------------------------------------------------------------------------------------
/** Cold: binfmt_misc mounted (as on a GitHub runner), no qemu-* handler. */
function coldBinfmt() {
  mountBinfmt()
  clearQemuEntries()
}
/**
 * Whether the kernel runs i386 binaries itself (GitHub's x86_64 runners do; a kernel without IA32
 * emulation does not, and linux/386 then needs qemu-i386, which multiarch's registrar never
 * registers on an x86_64 host). Asked with no qemu-* handler registered, with setup.sh's busybox.
 */
function runsI386Natively() {
  const cache = process.env.E2E_CACHE_DIR || '/var/cache/cross-arch-e2e'
  const busybox = join(cache, 'busybox/i386/busybox')
  if (!existsSync(busybox)) throw new BenchError(`${busybox} is missing (scripts/e2e/setup.sh)`)
  coldBinfmt()
  const r = spawnSync(busybox, ['uname', '-m'], { encoding: 'utf8', timeout: 30_000 })
  return r.status === 0 && r.stdout.trim() === 'x86_64'
}
const qemuEntries = () => Object.keys(snapshotBinfmt().entries).filter(n => n.startsWith('qemu-'))

// ---------------------------------------------------------------------------------------------
// The lock the e2e tests take too (a directory holding the owner's pid), so the two never
// change binfmt_misc at the same time.
// ---------------------------------------------------------------------------------------------
function alive(pid) {
  try {
    process.kill(pid, 0)
    return true
  } catch (e) {
    return e.code === 'EPERM'
  }
}
async function lock(timeoutMs = 10 * 60_000) {
  if (process.env.E2E_LOCK_HELD) return // bench.sh holds it for the whole run
  const deadline = Date.now() + timeoutMs
  let said = false
  for (;;) {
    try {
      mkdirSync(LOCK)
      writeFileSync(join(LOCK, 'pid'), String(process.pid))
      return
    } catch (e) {
      if (e.code !== 'EEXIST') throw e
    }
    let holder = NaN
    try {
      holder = Number(readFileSync(join(LOCK, 'pid'), 'utf8'))
    } catch {
      // being created or removed right now
    }
    if (Number.isInteger(holder) && holder > 0 && !alive(holder)) {
      rmSync(LOCK, { recursive: true, force: true })
      continue
    }
    if (Date.now() > deadline) {
      throw new BenchError(`${LOCK} is held by pid ${holder} (an e2e run?) for over 10 minutes`)
    }
    if (!said) log(`waiting for ${LOCK} (held by pid ${holder}: an e2e run changing binfmt_misc)`)
    said = true
    await sleep(250) // poll interval of the lock, as the e2e tests do
  }
}
function unlock() {
  try {
    if (Number(readFileSync(join(LOCK, 'pid'), 'utf8')) === process.pid) {
      rmSync(LOCK, { recursive: true, force: true })
    }
  } catch {
    // not held
  }
}

// ---------------------------------------------------------------------------------------------
// Child processes
// ---------------------------------------------------------------------------------------------
const children = new Set()

/** Kills a child and whatever it started (apt-get, docker): each child leads its own group. */
function killTree(child) {
  try {
    process.kill(-child.pid, 'SIGKILL')
  } catch {
    child.kill('SIGKILL')
  }
}

/** Runs a program; resolves with its exit, output and wall time (hrtime, spawn to exit). */
function runChild(
  cmd,
  args,
  { env = process.env, cwd = ROOT, timeoutMs = ACTION_TIMEOUT_MS } = {}
) {
  return new Promise((resolve, reject) => {
    let stdout = ''
    let stderr = ''
    let t1
    const t0 = process.hrtime.bigint()
    const child = spawn(cmd, args, {
      cwd,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true
    })
    children.add(child)
    let timedOut = false
    const timer = setTimeout(() => {
      timedOut = true
      killTree(child)
    }, timeoutMs)
    // Each stdout line with the time it arrived (ms after spawn), for the phase breakdowns.
    const lines = []
    let partial = ''
    child.stdout.setEncoding('utf8').on('data', d => {
      stdout += d
      const t = Number(process.hrtime.bigint() - t0) / 1e6
      const parts = (partial + d).split('\n')
      partial = parts.pop()
      for (const line of parts) lines.push({ t, line })
    })
    child.stderr.setEncoding('utf8').on('data', d => (stderr += d))
    child.on('exit', () => (t1 = process.hrtime.bigint()))
    child.on('error', e => {
      clearTimeout(timer)
      children.delete(child)
      reject(new BenchError(`could not run ${cmd}: ${e.message}`))
    })
    child.on('close', (code, signal) => {
      clearTimeout(timer)
      children.delete(child)
      const ms = Number((t1 ?? process.hrtime.bigint()) - t0) / 1e6
      if (timedOut) stderr += `\n[bench] killed after ${timeoutMs} ms`
      if (partial) lines.push({ t: ms, line: partial })
      resolve({ code: code ?? 128, signal, stdout, stderr, ms, lines })
    })
  })
}

/**
 * Milliseconds from the first stdout line matching `from` to the first line after it matching
 * `to` (undefined when either is missing): how long one phase of a run took, from the log.
 */
function phase(r, from, to) {
  const i = r.lines.findIndex(l => from.test(l.line))
  if (i < 0) return undefined
  const j = r.lines.findIndex((l, k) => k > i && to.test(l.line))
  return j < 0 ? undefined : r.lines[j].t - r.lines[i].t
}
/** Median of the phase times collected over a scenario's runs, as text. */
function phaseText(values) {
  const v = values.filter(x => x !== undefined)
  return v.length === 0 ? '(not found in the log)' : `${ms(stats(v).median)} ms`
}

const tail = (text, n = 25) =>
  text
    .trimEnd()
    .split('\n')
    .slice(-n)
    .map(l => `    ${l}`)
    .join('\n')

// ---------------------------------------------------------------------------------------------
// The runner: action.yml's inputs and defaults, a job (temp dir, tool cache), one step
// ---------------------------------------------------------------------------------------------
const DEFAULTS = actionDefaults()

let TMP // every job of the bench lives under it; removed at the end
function newJob() {
  const dir = mkdtempSync(join(TMP, 'job-'))
  const job = {
    dir,
    runnerTemp: join(dir, 'runner-temp'),
    toolCache: join(dir, 'tool-cache'),
    workspace: join(dir, 'workspace')
  }
  for (const d of [job.runnerTemp, job.toolCache, job.workspace]) mkdirSync(d)
  return job
}

/** One step of the action (main, or post with `state`), as the runner starts it. */
async function runStep(node, { job = newJob(), inputs = {}, state = {} } = {}) {
  for (const name of Object.keys(inputs)) {
    if (!(name in DEFAULTS)) throw new BenchError(`not an input of action.yml: ${name}`)
  }
  const step = mkdtempSync(join(job.dir, 'step-'))
  const files = {
    GITHUB_OUTPUT: join(step, 'output'),
    GITHUB_STATE: join(step, 'state'),
    GITHUB_STEP_SUMMARY: join(step, 'summary'),
    GITHUB_ENV: join(step, 'env'),
    GITHUB_PATH: join(step, 'path')
  }
  for (const f of Object.values(files)) writeFileSync(f, '')
  const env = {}
  for (const [k, v] of Object.entries(process.env)) {
    if (!/^(INPUT_|STATE_|GITHUB_|RUNNER_)/.test(k) && k !== 'NODE_OPTIONS') env[k] = v
  }
  Object.assign(env, {
    CI: 'true',
    GITHUB_ACTIONS: 'true',
    GITHUB_ACTION: 'setup-cross-arch',
    GITHUB_ACTION_PATH: ROOT,
    GITHUB_WORKSPACE: job.workspace,
    GITHUB_REPOSITORY: 'bench/setup-cross-arch',
    GITHUB_RUN_ID: '1',
    GITHUB_JOB: 'bench',
    RUNNER_OS: 'Linux',
    RUNNER_ARCH: { x64: 'X64', arm64: 'ARM64' }[arch()] ?? arch().toUpperCase(),
    RUNNER_NAME: 'bench',
    RUNNER_ENVIRONMENT: 'github-hosted',
    RUNNER_TEMP: job.runnerTemp,
    RUNNER_TOOL_CACHE: job.toolCache,
    ...files
  })
  for (const [name, value] of Object.entries({ ...DEFAULTS, ...inputs })) {
    env[`INPUT_${name.replace(/ /g, '_').toUpperCase()}`] = value
  }
  for (const [name, value] of Object.entries(state)) env[`STATE_${name}`] = value
  const r = await runChild(node, [DIST], { env, cwd: job.workspace })
  const read = f => (existsSync(f) ? readFileSync(f, 'utf8') : '')
  return {
    ...r,
    job,
    outputs: parseFileCommands(read(files.GITHUB_OUTPUT)),
    errors: r.stdout.split('\n').filter(l => l.startsWith('::error'))
  }
}

/** Fails the bench unless the run succeeded with the expected outputs. */
function check(scenario, i, r, want = {}) {
  const wrong = []
  if (r.code !== 0) wrong.push(`exit code ${r.code}${r.signal ? ` (${r.signal})` : ''}`)
  if (r.errors.length > 0) wrong.push(`error lines: ${r.errors.join(' | ')}`)
  for (const [name, value] of Object.entries(want)) {
    if (r.outputs?.[name] !== value) {
      wrong.push(`outputs.${name} is ${JSON.stringify(r.outputs?.[name])}, expected "${value}"`)
    }
  }
  if (wrong.length > 0) {
    throw new BenchError(
      `${scenario}, run ${i}: ${wrong.join('; ')}\n  --- stdout (tail)\n${tail(r.stdout)}\n` +
        `  --- stderr (tail)\n${tail(r.stderr)}`
    )
  }
}

// ---------------------------------------------------------------------------------------------
// The download server: Debian's /usr/bin/qemu-<cpu>-static under multiarch's asset path
// ---------------------------------------------------------------------------------------------
async function startDownloadServer() {
  const served = { requests: 0, bytes: 0, paths: [] }
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0]
    served.requests++
    served.paths.push(path)
    const m = /^\/v[0-9A-Za-z._-]+\/qemu-([0-9a-z_]+)-static$/.exec(path)
    const file = m ? `/usr/bin/qemu-${m[1]}-static` : undefined
    if (!file || !existsSync(file) || (req.method !== 'GET' && req.method !== 'HEAD')) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n')
      return
    }
    const size = statSync(file).size
    res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': size })
    if (req.method === 'HEAD') {
      res.end()
      return
    }
    served.bytes += size
    createReadStream(file).pipe(res)
  })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  const port = server.address().port
  return {
    served,
    urlTemplate: `http://127.0.0.1:${port}/v{version}/qemu-{cpu}-static`,
    close: () => {
      server.closeAllConnections?.()
      server.close()
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Statistics and formatting
// ---------------------------------------------------------------------------------------------
function stats(values) {
  const s = [...values].sort((a, b) => a - b)
  const mid = s.length >> 1
  const median = s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2
  return { median, min: s[0], max: s[s.length - 1], n: s.length }
}
const ms = v => (Math.abs(v) >= 100 ? v.toFixed(0) : v.toFixed(1))
function vsSeed(value, seed) {
  if (!seed || value <= 0) return '—'
  const r = seed / value
  if (r >= 1) return `${r >= 10 ? r.toFixed(0) : r.toFixed(1)}× faster`
  return `${(1 / r).toFixed(1)}× slower`
}

// ---------------------------------------------------------------------------------------------
// Node binaries
// ---------------------------------------------------------------------------------------------
function nodeVersion(bin) {
  const r = spawnSync(bin, ['--version'], { encoding: 'utf8', timeout: 30_000 })
  return r.status === 0 ? r.stdout.trim() : undefined
}
function findNode24(notes) {
  const candidates = [process.env.BENCH_NODE24, join(NODE24_PREFIX, 'node_modules/.bin/node')]
  const found = () =>
    candidates.find(c => c && existsSync(c) && /^v24\./.test(nodeVersion(c) ?? ''))
  let bin = found()
  if (!bin) {
    log(`no Node 24 at ${candidates[1]}: npm i --no-save --prefix ${NODE24_PREFIX} node@24`)
    const r = spawnSync('npm', ['i', '--no-save', '--prefix', NODE24_PREFIX, 'node@24'], {
      stdio: 'inherit',
      timeout: 300_000
    })
    if (r.status !== 0) log(`npm i node@24 failed (exit ${r.status})`)
    bin = found()
  }
  if (bin) return bin
  notes.push(
    `Node 24 could not be installed (npm i --prefix ${NODE24_PREFIX} node@24), so the action ` +
      `ran on this machine's Node ${process.version}: not what GitHub runs.`
  )
  return process.execPath
}

// ---------------------------------------------------------------------------------------------
// Machine description
// ---------------------------------------------------------------------------------------------
function sh(cmd, args) {
  const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: 30_000 })
  return r.status === 0 ? r.stdout.trim() : `(${cmd} failed)`
}
function machine(node24, node20) {
  const cpuinfo = readFileSync('/proc/cpuinfo', 'utf8')
  const model = /^model name\s*:\s*(.*)$/m.exec(cpuinfo)?.[1] ?? '(unknown CPU)'
  const mem = /^Mem:\s+(\d+)/m.exec(sh('free', ['-g']))?.[1] ?? '?'
  const osRelease = readFileSync('/etc/os-release', 'utf8')
  const pretty = /^PRETTY_NAME="?([^"\n]*)"?/m.exec(osRelease)?.[1] ?? 'Linux'
  const debian = existsSync('/etc/debian_version')
    ? readFileSync('/etc/debian_version', 'utf8').trim()
    : ''
  const qemu = sh('/usr/bin/qemu-aarch64-static', ['--version']).split('\n')[0]
  return {
    cpus: sh('nproc', []),
    model,
    mem: `${mem} GB`,
    kernel: sh('uname', ['-r']),
    os: debian ? `${pretty} (${debian})` : pretty,
    node24: nodeVersion(node24),
    node20: nodeVersion(node20),
    docker: sh('docker', ['version', '-f', '{{.Server.Version}}']),
    dockerClient: sh('docker', ['version', '-f', '{{.Client.Version}}']),
    qemu
  }
}

// ---------------------------------------------------------------------------------------------
// Preflight
// ---------------------------------------------------------------------------------------------
function registryAnswers() {
  return new Promise(resolve => {
    const req = httpGet(`http://${REGISTRY}/v2/`, { timeout: 5000 }, res => {
      res.resume()
      resolve(res.statusCode === 200)
    })
    req.on('timeout', () => req.destroy())
    req.on('error', () => resolve(false))
  })
}
async function preflight() {
  const missing = []
  if (process.getuid() !== 0) missing.push('run as root (the bench changes binfmt_misc)')
  if (!existsSync(DIST)) missing.push(`${DIST} is missing (npm run build)`)
  if (!existsSync(BINFMT)) missing.push(`${BINFMT} does not exist (no binfmt_misc in the kernel)`)
  if (!existsSync('/usr/bin/qemu-aarch64-static')) {
    missing.push('/usr/bin/qemu-*-static missing (apt-get install qemu-user-static)')
  }
  if ((await runChild('docker', ['version'], { timeoutMs: 20_000 })).code !== 0) {
    missing.push('no Docker engine answers')
  }
  if (!(await registryAnswers())) missing.push(`no registry answers on ${REGISTRY}`)
  if (missing.length > 0) {
    throw new BenchError(
      `the bench is not ready: ${missing.join('; ')}. Run sudo npm run bench ` +
        '(scripts/e2e/bench.sh sets it up), or bash scripts/e2e/setup.sh first.'
    )
  }
}

// ---------------------------------------------------------------------------------------------
// The scenarios
// ---------------------------------------------------------------------------------------------
/** Runs `once` WARMUP times unmeasured, then `n` times; `prepare` runs before each. */
async function measure(label, n, prepare, runOnce) {
  const times = []
  for (let i = -WARMUP; i < n; i++) {
    await prepare(i)
    const t = await runOnce(i)
    if (i >= 0) times.push(t)
  }
  const s = stats(times)
  log(`${label}: median ${ms(s.median)} ms (${ms(s.min)}–${ms(s.max)}, n=${n})`)
  return { ...s, times }
}

/** Two variants alternated run by run (same conditions), with their per-pair difference. */
/**
 * Two variants alternated run by run (same conditions), with their per-pair difference. With
 * `alongside` (bare node), that is run right before each A too, for a per-run ratio A / alongside
 * that the machine's momentary load affects less than a ratio of medians taken minutes apart.
 */
async function measurePair(labels, n, prepare, runA, runB, alongside) {
  const a = []
  const b = []
  const c = []
  for (let i = -WARMUP; i < n; i++) {
    const tc = alongside ? await alongside(i) : undefined
    await prepare(i)
    const ta = await runA(i)
    await prepare(i)
    const tb = await runB(i)
    if (i >= 0) {
      a.push(ta)
      b.push(tb)
      c.push(tc)
    }
  }
  const [sa, sb] = [stats(a), stats(b)]
  const sd = stats(b.map((t, i) => t - a[i]))
  if (alongside) {
    sa.alongside = stats(c)
    sa.ratio = stats(a.map((t, i) => t / c[i]))
    log(
      `alongside: median ${ms(sa.alongside.median)} ms; ${labels[0]} / alongside per run: ` +
        `median ${sa.ratio.median.toFixed(2)} (${sa.ratio.min.toFixed(2)}–${sa.ratio.max.toFixed(2)})`
    )
  }
  log(`${labels[0]}: median ${ms(sa.median)} ms (${ms(sa.min)}–${ms(sa.max)}, n=${n})`)
  log(`${labels[1]}: median ${ms(sb.median)} ms (${ms(sb.min)}–${ms(sb.max)}, n=${n})`)
  log(`difference: median ${ms(sd.median)} ms (${ms(sd.min)}–${ms(sd.max)})`)
  return [sa, sb, sd]
}

const platformsOf = r => (r.outputs.platforms ?? '').split(',').filter(Boolean)

async function bench(notes) {
  const node24 = findNode24(notes)
  const node20 = process.execPath
  const v24 = nodeVersion(node24)
  const v20 = nodeVersion(node20)
  log(`action runs on ${node24} (${v24}); bare-node comparison also on ${node20} (${v20})`)
  const rows = []
  const phases = {
    apt: [],
    container: [],
    download: [],
    warmFirstLine: [],
    warmInside: [],
    pulls: [],
    containers: []
  }
  const row = (key, scenario, settings, s, extra = {}) =>
    rows.push({ key, scenario, settings, ...s, ...extra })

  // --- bare node and bundle load ---------------------------------------------------------------
  const bare = node => async i => {
    const r = await runChild(node, ['-e', '0'])
    if (r.code !== 0) throw new BenchError(`node -e 0, run ${i}: exit ${r.code}\n${tail(r.stderr)}`)
    return r.ms
  }
  const load = async i => {
    const r = await runStep(node24, { state: { isPost: 'true' } })
    check('bundle load (post step)', i, r)
    if (!/cleanup is off/.test(r.stdout)) {
      throw new BenchError(
        `bundle load, run ${i}: the post step did not say cleanup is off:\n${tail(r.stdout)}`
      )
    }
    rmSync(r.job.dir, { recursive: true, force: true })
    return r.ms
  }
  const [bare24, load24, loadOver] = await measurePair(
    ['bare node -e 0 (Node 24)', 'bundle load (Node 24)'],
    RUNS,
    () => {},
    bare(node24),
    load
  )
  row('bare24', `bare \`node -e 0\` (Node ${v24})`, '', bare24)
  const bare20 = await measure(`bare node -e 0 (${v20})`, RUNS, () => {}, bare(node20))
  row('bare20', `bare \`node -e 0\` (Node ${v20})`, 'this machine’s node', bare20)
  row(
    'load',
    'bundle load: post step with nothing to do',
    '`STATE_isPost=true`, no `STATE_cleanup`',
    load24
  )
  row('loadOver', '↳ bundle load over bare node', 'per-run pairs, load − bare', loadOver, {
    diff: true
  })

  // --- (a) the seed path --------------------------------------------------------------------
  // `platforms: all`, unless this kernel cannot run i386 itself: then every platform but
  // linux/386, for (a), (b) and (c) alike, since the seed's registrar cannot register qemu-i386.
  const i386Native = runsI386Natively()
  const all = i386Native
    ? 'all'
    : 'linux/amd64,linux/arm64,linux/arm/v7,linux/arm/v6,linux/ppc64le,linux/s390x,linux/riscv64,linux/mips64le'
  const allText = i386Native ? '`platforms: all`' : '`platforms`: all but linux/386'
  if (!i386Native) {
    notes.push(
      'This kernel does not run i386 binaries natively (no IA32 emulation), so linux/386 needs ' +
        "qemu-i386, which the seed's registrar (multiarch's script skips the host's CPU family) never " +
        'registers: with `platforms: all` and `registrar: container` the action fails, correctly, ' +
        'naming linux/386 (`registrar: auto` would choose native). (a), (b) and (c) therefore ask for every ' +
        'platform of `all` but linux/386 (8 platforms, 7 emulated). On GitHub’s runners linux/386 ' +
        'runs natively and `all` works with every registrar.'
    )
  }
  const seedInputs = {
    install: 'apt',
    registrar: 'container',
    image: REGISTRAR_IMAGE,
    verify: 'false',
    platforms: all
  }
  let aptRefreshed = false
  let seedPlatforms = []
  const seed = await measure('(a) seed path', SEED_RUNS, coldBinfmt, async i => {
    const r = await runStep(node24, { inputs: seedInputs })
    check('(a) seed path', i, r, { verified: 'false', registrar: 'container' })
    if (/refreshing the package lists/.test(r.stdout)) aptRefreshed = true
    if (i >= 0) {
      phases.apt.push(phase(r, /^\[command\].*apt-get /, /^QEMU .* from apt/))
      phases.container.push(phase(r, /^\[command\].*docker run /, /^::endgroup::/))
    }
    seedPlatforms = platformsOf(r)
    rmSync(r.job.dir, { recursive: true, force: true })
    return r.ms
  })
  row(
    'a',
    '(a) seed path, cold',
    '`install: apt`, `registrar: container` (loopback registrar image), `verify: false`, ' +
      `${allText} (${seedPlatforms.length}), no qemu-* handlers before each run`,
    seed
  )
  if (aptRefreshed) {
    notes.push('(a): apt-get install failed at least once and the action ran apt-get update.')
  }

  // --- (b) download + native, cold -----------------------------------------------------------
  const server = await startDownloadServer()
  cleanups.push(server.close)
  const dlInputs = {
    install: 'download',
    registrar: 'native',
    'download-url': server.urlTemplate,
    platforms: all
  }
  const perRun = []
  let coldEmulators = []
  const cold = await measure('(b) download + native, cold', RUNS, coldBinfmt, async i => {
    const before = server.served.requests
    const r = await runStep(node24, { inputs: { ...dlInputs, verify: 'false' } })
    check('(b) download + native, cold', i, r, { verified: 'false', registrar: 'native' })
    coldEmulators = (r.outputs.emulators ?? '').split(',').filter(Boolean)
    if (i >= 0) phases.download.push(phase(r, /^::group::Install QEMU/, /^QEMU .* from download/))
    const requests = server.served.requests - before
    if (requests < coldEmulators.length) {
      throw new BenchError(
        `(b) run ${i}: ${requests} download requests for ${coldEmulators.length} emulators ` +
          '(a fresh tool cache must download each)'
      )
    }
    perRun.push(requests)
    rmSync(r.job.dir, { recursive: true, force: true })
    return r.ms
  })
  const coldBytes = server.served.bytes
  row(
    'b',
    '(b) download + native, cold',
    '`install: download` from a loopback server, `registrar: native`, `verify: false`, ' +
      `${allText}, fresh tool cache, no qemu-* handlers (${perRun[perRun.length - 1]} downloads/run)`,
    cold
  )

  // --- (c) and (c'): warm, a second run in the same job -------------------------------------
  const job = newJob()
  const prime = await runStep(node24, { job, inputs: { ...dlInputs, verify: 'probe' } })
  check('warm-up of (c)', 0, prime, { verified: 'true', registrar: 'native' })
  const warmState = snapshotBinfmt()
  const warmPrepare = () => restoreBinfmt(warmState)
  const requestsBefore = server.served.requests
  let probed = 0
  const [warm, warmProbe, probeDiff] = await measurePair(
    ['(c) warm, verify: false', "(c') warm, verify: probe"],
    RUNS,
    warmPrepare,
    async i => {
      const r = await runStep(node24, { job, inputs: { ...dlInputs, verify: 'false' } })
      check('(c) warm', i, r, { verified: 'false', registrar: 'native' })
      if (i >= 0) {
        phases.warmFirstLine.push(r.lines[0]?.t)
        phases.warmInside.push(Number(/^Ready: .* in (\d+) ms\.$/m.exec(r.stdout)?.[1] ?? NaN))
      }
      return r.ms
    },
    async i => {
      const r = await runStep(node24, { job, inputs: { ...dlInputs, verify: 'probe' } })
      check("(c') warm, verify: probe", i, r, { verified: 'true', registrar: 'native' })
      probed = Object.keys(JSON.parse(r.outputs.machines || '{}')).length
      return r.ms
    },
    bare(node24)
  )
  const warmRequests = server.served.requests - requestsBefore
  if (warmRequests !== 0) {
    throw new BenchError(
      `(c) warm runs made ${warmRequests} download requests (${server.served.paths
        .slice(-warmRequests)
        .join(', ')}); a populated tool cache must make none`
    )
  }
  const warmSettings =
    'as (b), tool cache populated and handlers registered by an earlier step of the job'
  row('c', '(c) download + native, warm', `${warmSettings}, \`verify: false\`; 0 downloads`, warm)
  row(
    'c2',
    "(c') warm, verify: probe",
    `${warmSettings}, \`verify: probe\` (the default)`,
    warmProbe
  )
  row(
    'probe',
    `↳ probe verification, ${probed} platforms`,
    "per-run pairs, (c') − (c)",
    probeDiff,
    { diff: true }
  )

  // One emulator start, for scale: busybox (arm64) run by qemu-aarch64-static directly.
  const cache = process.env.E2E_CACHE_DIR || '/var/cache/cross-arch-e2e'
  const qemuStart = await measure(
    'one qemu-aarch64 start',
    RUNS,
    () => {},
    async i => {
      const r = await runChild('/usr/bin/qemu-aarch64-static', [
        join(cache, 'busybox/arm64/busybox'),
        'uname',
        '-m'
      ])
      if (r.code !== 0 || r.stdout.trim() !== 'aarch64') {
        throw new BenchError(`qemu-aarch64-static busybox uname -m, run ${i}: exit ${r.code}`)
      }
      return r.ms
    }
  )

  // --- (d) verification of the image's platforms ---------------------------------------------
  const imagePlatforms = Object.keys(IMAGE_PLATFORMS)
  const dInputs = { ...dlInputs, platforms: imagePlatforms.join(','), 'verify-image': BUSYBOX }
  // The same job, so the same tool cache: a first step registers the image's platforms (and
  // downloads qemu-i386 where linux/386 is emulated and (c) did not ask for it).
  const dPrime = await runStep(node24, { job, inputs: { ...dInputs, verify: 'probe' } })
  check('warm-up of (d)', 0, dPrime, { verified: 'true', registrar: 'native' })
  const dState = snapshotBinfmt()
  const dPrepare = () => restoreBinfmt(dState)
  const dRequests = server.served.requests
  const serial = await measure('(d) serial docker run', RUNS, dPrepare, async i => {
    let total = 0
    for (const p of imagePlatforms) {
      const r = await runChild('docker', ['run', '--rm', '--platform', p, BUSYBOX, 'uname', '-m'], {
        timeoutMs: 120_000
      })
      const out = r.stdout.trim()
      if (r.code !== 0 || !IMAGE_PLATFORMS[p].includes(out)) {
        throw new BenchError(
          `(d) serial, run ${i}: docker run --platform ${p} ${BUSYBOX} uname -m: exit ${r.code}, ` +
            `printed "${out}", expected ${IMAGE_PLATFORMS[p].join(' or ')}\n${tail(r.stderr)}`
        )
      }
      total += r.ms
    }
    return total
  })
  row(
    'dSerial',
    `(d) serial \`docker run --platform P … uname -m\` × ${imagePlatforms.length}`,
    'the seed’s manual check, one platform after another, handlers registered',
    serial
  )
  const [dFalse, dImage, dDiff] = await measurePair(
    ['(d) action, verify: false', '(d) action, verify: image'],
    RUNS,
    dPrepare,
    async i => {
      const r = await runStep(node24, { job, inputs: { ...dInputs, verify: 'false' } })
      check('(d) action, verify: false', i, r, { verified: 'false', registrar: 'native' })
      return r.ms
    },
    async i => {
      const r = await runStep(node24, { job, inputs: { ...dInputs, verify: 'image' } })
      check('(d) action, verify: image', i, r, { verified: 'true', registrar: 'native' })
      if (i >= 0) {
        // The pulls are echoed one after another; the verdict lines follow the concurrent runs.
        const first = r.lines.findIndex(l => /^\[command\].*docker pull /.test(l.line))
        const verdict = r.lines.findIndex(l => /^linux\/[^:]+: (ok|FAILED|skipped)/.test(l.line))
        if (first >= 0 && verdict > first + 1) {
          phases.pulls.push(r.lines[verdict - 1].t - r.lines[first].t)
          phases.containers.push(r.lines[verdict].t - r.lines[verdict - 1].t)
        }
      }
      const got = JSON.parse(r.outputs.machines || '{}')
      const bad = imagePlatforms.filter(p => !IMAGE_PLATFORMS[p].includes(got[p]))
      if (bad.length > 0) {
        throw new BenchError(
          `(d) verify: image, run ${i}: machines output ${r.outputs.machines} lacks or misreports ${bad.join(', ')}`
        )
      }
      return r.ms
    }
  )
  const dSettings = `warm as (c), handlers registered, \`platforms\`: the image's ${imagePlatforms.length}, \`verify-image: ${BUSYBOX}\``
  row('dImage', '(d) action, `verify: image`', dSettings, dImage)
  row('dFalse', '(d) action, `verify: false`', dSettings, dFalse)
  row(
    'dDiff',
    `↳ concurrent image verification, ${imagePlatforms.length} platforms`,
    'per-run pairs, verify: image − verify: false',
    dDiff,
    { diff: true }
  )
  if (server.served.requests !== dRequests) {
    throw new BenchError('(d) runs downloaded emulators; the tool cache should have had them all')
  }

  return {
    rows,
    node24,
    node20,
    info: {
      phases,
      qemuStart,
      dpkgArches:
        1 + sh('dpkg', ['--print-foreign-architectures']).split('\n').filter(Boolean).length,
      seedPlatforms,
      coldEmulators,
      coldBytes,
      perRun,
      probed,
      runs: RUNS,
      seedRuns: SEED_RUNS
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Report
// ---------------------------------------------------------------------------------------------
function report(result, notes, m, started) {
  const { rows, info } = result
  const ph = info.phases
  const by = Object.fromEntries(rows.map(r => [r.key, r]))
  const seed = by.a.median
  const table = [
    '| scenario | settings | median ms | min–max ms | vs (a) |',
    '| --- | --- | ---: | ---: | --- |',
    ...rows.map(
      r =>
        `| ${r.scenario} | ${r.settings} | ${ms(r.median)} | ${ms(r.min)}–${ms(r.max)} | ` +
        `${r.diff ? '—' : r.key === 'a' ? '1 (baseline)' : vsSeed(r.median, seed)} |`
    )
  ]
  const target = (ok, text) => `- ${ok ? 'PASS' : 'FAIL'}: ${text}`
  const c = by.c.median
  const targets = [
    target(
      by.c.ratio.median <= 1.5,
      `(c) warm run within 1.5× bare \`node -e 0\` on Node 24: ${by.c.ratio.median.toFixed(2)}× ` +
        `(median of per-run ratios, bare node run right before each (c) run: ${ms(c)} ms vs ` +
        `${ms(by.c.alongside.median)} ms; range ${by.c.ratio.min.toFixed(2)}–` +
        `${by.c.ratio.max.toFixed(2)}×)`
    ),
    target(
      seed / c >= 20,
      `(c) at least 20× faster than (a): ${(seed / c).toFixed(1)}× (${ms(seed)} ms / ${ms(c)} ms)`
    ),
    target(
      by.loadOver.median <= 50,
      `bundle load adds at most 50 ms over bare Node 24: ${ms(by.loadOver.median)} ms`
    ),
    target(
      by.probe.median < 50,
      `probe verification of all ${info.probed} platforms under 50 ms: ${ms(by.probe.median)} ms`
    )
  ]
  const mb = (info.coldBytes / info.perRun.length / 1e6).toFixed(0)
  const allNotes = [
    `Each row is the median of ${info.runs} runs (${info.seedRuns} for (a)) after ${WARMUP} unmeasured ` +
      'warm-up run(s); wall time from spawning the child process to its exit (`process.hrtime`). ' +
      'Rows marked ↳ are differences of runs alternated pair by pair under the same conditions ' +
      '(median and range of the per-pair differences), not differences of medians.',
    'The action runs as `node dist/index.js` with every input of action.yml as `INPUT_<NAME>` ' +
      '(defaults filled in), fresh `GITHUB_OUTPUT`/`GITHUB_STATE`/`GITHUB_STEP_SUMMARY`/`GITHUB_ENV`/' +
      '`GITHUB_PATH` files, `RUNNER_TEMP` and `RUNNER_TOOL_CACHE`, `RUNNER_ENVIRONMENT=github-hosted` ' +
      '(so `cleanup: auto` saves no state). Every run is checked: exit 0, no `::error::`, ' +
      '`outputs.verified` and `outputs.registrar` as expected.',
    '(a) is what a re-run of the seed recipe costs on a runner where the package is already ' +
      'there: `apt-get install qemu-user-static` of an installed package (reads the package lists, ' +
      `installs nothing: ${phaseText(ph.apt)} here, from the log), then the registrar container ` +
      `from a local image (\`docker run --privileged … --reset -p yes\`: ${phaseText(ph.container)}; ` +
      'no pull: on GitHub a first run also pulls the ~300 MB multiarch image from Docker Hub, not ' +
      `measured here). This machine has ${info.dpkgArches} dpkg architectures (setup.sh adds the ` +
      'foreign ones for busybox), so apt reads several times the package lists of a GitHub runner ' +
      'and (a) is slower here than there; the ratios against (a) are correspondingly flattering.',
    `(b) downloads ${info.perRun[info.perRun.length - 1]} emulators (${info.coldEmulators.join(', ')}; ` +
      `~${mb} MB per run) from a node:http server on 127.0.0.1 serving Debian's ` +
      '`/usr/bin/qemu-<cpu>-static` under the upstream asset name: no network latency or ' +
      'bandwidth limit, so on GitHub (github.com release assets) a cold download costs more. ' +
      `The Install QEMU phase took ${phaseText(ph.download)} of it.`,
    `(c) makes no download request (asserted: the server counted 0 requests over all warm runs) ` +
      'and registers nothing: the handlers are already what it would register. Of its wall time, ' +
      `${phaseText(ph.warmInside)} is the action's own work (its "Ready … in N ms" line); the ` +
      `first log line arrives ${phaseText(ph.warmFirstLine)} after spawning node (Node start-up ` +
      'plus loading the bundle); the rest is exiting.',
    '(d) serial is the sum of one `docker run --rm --platform P` after another; each re-pulls the ' +
      'platform’s manifest from the loopback registry because one tag holds one platform locally. ' +
      'The action pulls one at a time too (a pull retags the image), then runs the containers ' +
      `concurrently from image IDs: from the log, the pulls took ${phaseText(ph.pulls)} and the ` +
      `concurrent containers ${phaseText(ph.containers)}. Starting a container is CPU-bound on ` +
      'these 2 cores (and every runc call goes through the bench’s capability-filtering wrapper, a ' +
      'bash + jq script), so the action’s run with image verification ' +
      (by.dImage.median < by.dSerial.median
        ? `saves only ${ms(by.dSerial.median - by.dImage.median)} ms over the serial check here.`
        : `is no faster than the serial check here (${ms(by.dImage.median - by.dSerial.median)} ms slower).`),
    `Probe verification runs one emulator start per CPU (arm/v7 and arm/v6 share one), ` +
      'concurrently, each in an empty chroot. For scale: one `qemu-aarch64-static busybox uname -m` ' +
      `started directly takes ${ms(info.qemuStart.median)} ms here (median of ${info.qemuStart.n}).`,
    'Other work on this 2-core machine during the run shows up as noise in the min–max columns.',
    ...notes
  ]
  const header = [
    '# Benchmarks',
    '',
    `Measured ${started.toISOString().replace(/\.\d+Z$/, 'Z')} by \`scripts/bench/bench.mjs\`.`,
    '',
    `- Machine: ${m.cpus} × ${m.model}, ${m.mem} RAM, kernel ${m.kernel}, ${m.os}`,
    `- Node: ${m.node24} (runs the action, as GitHub does) and ${m.node20} (bare-node row)`,
    `- Docker engine ${m.docker} (client ${m.dockerClient}), ${m.qemu}`,
    '',
    'Reproduce (as root; sets up the e2e bench, runs, tears it down and restores binfmt_misc):',
    '',
    '```sh',
    'sudo npm run bench            # BENCH_RUNS=7 BENCH_SEED_RUNS=5 by default',
    '```',
    ''
  ]
  const doc = [
    ...header,
    '## Results',
    '',
    ...table,
    '',
    '## Targets',
    '',
    ...targets,
    '',
    '## Notes',
    '',
    ...allNotes.map(n => `- ${n}`),
    ''
  ].join('\n')
  mkdirSync(dirname(OUT), { recursive: true })
  writeFileSync(OUT, doc)
  console.log(`\n${table.join('\n')}\n\n${targets.join('\n')}\n`)
  log(`wrote ${OUT}`)
}

// ---------------------------------------------------------------------------------------------
// Main: everything that changes the machine is undone in `finish`, also on SIGINT/SIGTERM
// ---------------------------------------------------------------------------------------------
const cleanups = []
let startState
let finished = false
function finish() {
  if (finished) return
  finished = true
  for (const child of children) killTree(child)
  for (const f of cleanups.splice(0)) {
    try {
      f()
    } catch (e) {
      console.error(`[bench] cleanup: ${e.message}`)
    }
  }
  try {
    if (startState) {
      restoreBinfmt(startState)
      log(
        `binfmt_misc restored to its state at start (${startState.mounted ? 'mounted' : 'not mounted'}, ` +
          `${Object.keys(startState.entries).length} entries)`
      )
    }
  } catch (e) {
    console.error(`[bench] !!! ${e.message}`)
    process.exitCode = 1
  }
  if (TMP) rmSync(TMP, { recursive: true, force: true })
  unlock()
}
for (const sig of ['SIGINT', 'SIGTERM']) {
  process.on(sig, () => {
    console.error(`[bench] ${sig}: stopping, restoring binfmt_misc`)
    finish()
    process.exit(130)
  })
}

async function main() {
  const started = new Date()
  const t0 = process.hrtime.bigint()
  await lock()
  await preflight()
  startState = snapshotBinfmt()
  log(
    `binfmt_misc at start: ${startState.mounted ? 'mounted' : 'not mounted'}, ` +
      `${Object.keys(startState.entries).length} entries (${qemuEntries().join(', ') || 'no qemu-*'})`
  )
  TMP = mkdtempSync(join(tmpdir(), 'bench-'))
  const notes = []
  const result = await bench(notes)
  const m = machine(result.node24, result.node20)
  report(result, notes, m, started)
  log(`done in ${(Number(process.hrtime.bigint() - t0) / 1e9).toFixed(0)} s`)
}

try {
  await main()
} catch (e) {
  console.error(`[bench] FAILED: ${e instanceof BenchError ? e.message : e.stack}`)
  process.exitCode = 1
} finally {
  finish()
}
