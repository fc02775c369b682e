// npm run bench [-- --runs=N --seed-runs=N --warmup=N --out=FILE]: whole action runs as a runner
// runs them (test-support/runner.ts), on Node 24, against the e2e bench (real kernel, Docker
// engine, loopback registry and download server). As root: test-support/orchestrate.ts holds the
// bench lock, runs scripts/e2e/setup.sh and teardown.sh and checks binfmt_misc afterwards; the
// bench itself puts binfmt_misc into the state each scenario needs and back to its start state.
// Writes docs/benchmarks.md (scripts/bench/report.ts). Scenario families: scripts/bench/scenarios/.
// Also BENCH_RUNS, BENCH_SEED_RUNS, BENCH_WARMUP, BENCH_OUT; BENCH_NODE24=/path/to/node24.
import { join } from 'node:path'
import {
  describeSnapshot,
  restoreBinfmt,
  snapshotBinfmt,
  type BinfmtSnapshot
} from '../../test-support/binfmt.js'
import { benchProblems, ROOT } from '../../test-support/env.js'
import { withBench } from '../../test-support/orchestrate.js'
import { removeJobs } from '../../test-support/runner.js'
import { Bench, BenchError, type BenchOptions, log } from './context.js'
import { describeMachine, findNode24 } from './node.js'
import { writeReport } from './report.js'
import { actionsCacheWarm } from './scenarios/actions-cache.js'
import { bundleLoad } from './scenarios/bundle.js'
import { debianSource, downloadCold, downloadWarm, warmJob } from './scenarios/download.js'
import { imageVerification } from './scenarios/image.js'
import { probeVerification } from './scenarios/probe.js'
import { allPlatforms, seedPath } from './scenarios/seed.js'
import { rmSync } from 'node:fs'

function options(argv: string[]): BenchOptions {
  for (const a of argv) {
    if (!/^--(runs|seed-runs|warmup|out)=/.test(a)) {
      console.error(`unknown argument ${a}; accepted: --runs=N --seed-runs=N --warmup=N --out=FILE`)
      process.exit(2)
    }
  }
  const option = (name: string, env: string, fallback: string): string => {
    const arg = argv.find(a => a.startsWith(`--${name}=`))
    const raw = arg ? arg.slice(name.length + 3) : process.env[env]
    return raw === undefined || raw === '' ? fallback : raw
  }
  const count = (name: string, env: string, fallback: number, min: number): number => {
    const raw = option(name, env, String(fallback))
    const n = Number(raw)
    if (!Number.isInteger(n) || n < min || n > 1000) {
      console.error(`--${name} / ${env}: expected an integer from ${min} to 1000, got "${raw}"`)
      process.exit(2)
    }
    return n
  }
  return {
    runs: count('runs', 'BENCH_RUNS', 7, 1),
    seedRuns: count('seed-runs', 'BENCH_SEED_RUNS', 5, 1),
    warmup: count('warmup', 'BENCH_WARMUP', 1, 0),
    out: option('out', 'BENCH_OUT', join(ROOT, 'docs/benchmarks.md'))
  }
}

async function runBench(opts: BenchOptions): Promise<number> {
  const started = new Date()
  const t0 = process.hrtime.bigint()
  const problems = await benchProblems()
  if (problems.length > 0) throw new BenchError(`the bench is not ready: ${problems.join('; ')}`)
  const notes: string[] = []
  const node24 = findNode24(notes)
  const bench = new Bench(opts, node24, process.execPath)
  bench.notes.push(...notes)
  log(`action runs on ${node24}; bare-node comparison also on ${process.execPath}`)
  let start: BinfmtSnapshot | undefined
  let server: { close(): Promise<void> } | undefined
  try {
    start = snapshotBinfmt()
    log(`binfmt_misc at start: ${describeSnapshot(start)}`)
    await bundleLoad(bench)
    const all = await allPlatforms(bench)
    await seedPath(bench, all)
    const source = await debianSource(all)
    server = source.server
    // the warm scenarios first: the cold runs' 71 MB downloads and decompressions leave the bench
    // process and the page cache busy for a while, which shows up in runs of ~100 ms
    const warm = await warmJob(bench, source.server, source.inputs)
    await downloadWarm(bench, warm)
    await probeVerification(bench, warm)
    await imageVerification(bench, warm)
    await downloadCold(bench, all, source)
    await actionsCacheWarm(bench, all, source)
    writeReport(bench, describeMachine(bench.node24, bench.node20), started)
    log(`done in ${(Number(process.hrtime.bigint() - t0) / 1e9).toFixed(0)} s`)
    return 0
  } finally {
    removeJobs()
    await server?.close()
    if (start) {
      restoreBinfmt(start)
      log(`binfmt_misc restored to its state at start (${describeSnapshot(start)})`)
    }
    rmSync(bench.tmp, { recursive: true, force: true })
  }
}

const opts = options(process.argv.slice(2))
process.exitCode = await withBench({
  tag: 'bench',
  onInterrupt: removeJobs,
  work: async () => {
    try {
      return await runBench(opts)
    } catch (e) {
      console.error(`[bench] FAILED: ${e instanceof BenchError ? e.message : (e as Error).stack}`)
      return 1
    }
  }
})
