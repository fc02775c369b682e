// (b) download + native, cold: a fresh tool cache and no qemu-* handler before each run, the
// emulators from the loopback download server. (c) warm: a later step of the same job (tool cache
// populated, handlers registered, `verify: false`), alternated run by run with bare `node -e 0`
// and with the empty action, all on Node 24 through the same runner emulation.
import { join } from 'node:path'
import { restoreBinfmt, snapshotBinfmt, type BinfmtSnapshot } from '../../../test-support/binfmt.js'
import { type DownloadServer, startDownloadServer } from '../../../test-support/download-server.js'
import type { Inputs, Job } from '../../../test-support/runner.js'
import { type Bench, BenchError, check, coldBinfmt, phaseMs } from '../context.js'
import { buildEmptyAction } from '../empty-action.js'
import { alternate, measure, ms, perRunRatio, ratioText, type RunOnce } from '../measure.js'
import { bareNode } from './bundle.js'

/** What the warm scenarios share: the server, the inputs, the job and its binfmt_misc state. */
export interface Warm {
  server: DownloadServer
  inputs: Inputs
  job: Job
  /** binfmt_misc after the job's first step registered the handlers. */
  state: BinfmtSnapshot
  prepare: () => void
}

export async function downloadCold(
  bench: Bench,
  all: { inputs: string; text: string }
): Promise<{ server: DownloadServer; inputs: Inputs }> {
  const server = await startDownloadServer()
  const inputs = {
    install: 'download',
    registrar: 'native',
    'download-url': server.urlTemplate,
    platforms: all.inputs
  }
  const perRun: number[] = []
  let emulators: string[] = []
  let bytes = 0
  const cold = await measure(
    '(b) download + native, cold',
    async i => {
      const before = server.log.length
      const r = await bench.step({ ...inputs, verify: 'false' })
      check('(b) download + native, cold', i, r, { verified: 'false', registrar: 'native' })
      emulators = (r.outputs.emulators ?? '').split(',').filter(Boolean)
      if (i >= 0) {
        bench.phase('download', phaseMs(r, /^::group::Install QEMU/, /^QEMU .* from download/))
      }
      const served = server.log.slice(before)
      if (served.length < emulators.length) {
        throw new BenchError(
          `(b) run ${i}: ${served.length} download requests for ${emulators.length} emulators ` +
            '(a fresh tool cache must download each)'
        )
      }
      perRun.push(served.length)
      bytes += served.reduce((sum, s) => sum + s.bytes, 0)
      r.job.remove()
      return r.ms
    },
    bench.measureOptions(coldBinfmt)
  )
  bench.row(
    'b',
    '(b) download + native, cold',
    '`install: download` from a loopback server, `registrar: native`, `verify: false`, ' +
      `${all.text}, fresh tool cache, no qemu-* handlers (${perRun[perRun.length - 1]} downloads/run)`,
    cold
  )
  bench.facts.cold = {
    emulators,
    perRun: perRun[perRun.length - 1],
    mbPerRun: bytes / perRun.length / 1e6
  }
  return { server, inputs }
}

/** A job whose first step registered everything: the state warm runs start from. */
export async function warmJob(bench: Bench, server: DownloadServer, inputs: Inputs): Promise<Warm> {
  const job = bench.job()
  const prime = await bench.step({ ...inputs, verify: 'probe' }, { job })
  check('warm-up of (c)', 0, prime, { verified: 'true', registrar: 'native' })
  const state = snapshotBinfmt()
  return { server, inputs, job, state, prepare: () => restoreBinfmt(state) }
}

export async function downloadWarm(bench: Bench, warm: Warm): Promise<void> {
  const empty = buildEmptyAction(join(bench.tmp, 'empty-action'))
  const emptyJob = bench.job()
  const requestsBefore = warm.server.log.length
  const runWarm: RunOnce = async i => {
    const r = await bench.step({ ...warm.inputs, verify: 'false' }, { job: warm.job })
    check('(c) warm', i, r, { verified: 'false', registrar: 'native' })
    if (i >= 0) {
      bench.phase('warmFirstLine', r.lines[0]?.t)
      bench.phase('warmInside', Number(/^Ready: .* in (\d+) ms\.$/m.exec(r.stdout)?.[1] ?? NaN))
    }
    return r.ms
  }
  const runEmpty: RunOnce = async i => {
    const r = await bench.step({}, { job: emptyJob, entry: empty })
    check('empty action', i, r, { x: 'y' })
    return r.ms
  }
  const s = await alternate(
    { bare: bareNode(bench, bench.node24), empty: runEmpty, warm: runWarm },
    bench.measureOptions(warm.prepare)
  )
  const warmRequests = warm.server.log.length - requestsBefore
  if (warmRequests !== 0) {
    throw new BenchError(
      `(c) warm runs made ${warmRequests} download requests (${warm.server.requests
        .slice(-warmRequests)
        .join(', ')}); a populated tool cache must make none`
    )
  }
  const settings =
    'as (b), tool cache populated and handlers registered by an earlier step of the job'
  bench.row(
    'c',
    '(c) download + native, warm',
    `${settings}, \`verify: false\`; 0 downloads`,
    s.warm
  )
  bench.row(
    'empty',
    'empty action: `@actions/core` + `setOutput`',
    'ncc-bundled ESM, same Node 24 and runner emulation, alternated with (c)',
    s.empty
  )
  const vsBare = perRunRatio(s.warm, s.bare)
  const vsEmpty = perRunRatio(s.warm, s.empty)
  const seed = bench.by('a').median ?? NaN
  bench.target(
    vsBare.median <= 1.5,
    `(c) warm run within 1.5× bare \`node -e 0\` on Node 24: ${ratioText(vsBare)} ` +
      `(median and range of per-run ratios, bare node alternated with (c): ${ms(s.warm.median)} ms ` +
      `vs ${ms(s.bare.median)} ms)`
  )
  bench.target(
    seed / s.warm.median >= 20,
    `(c) at least 20× faster than (a): ${(seed / s.warm.median).toFixed(1)}× ` +
      `(${ms(seed)} ms / ${ms(s.warm.median)} ms)`
  )
  bench.target(
    vsEmpty.median <= 1.25,
    `(c) warm run within 1.25× the empty action: ${ratioText(vsEmpty)} (median and range of ` +
      `per-run ratios: ${ms(s.warm.median)} ms vs ${ms(s.empty.median)} ms)`
  )
}
