// (b) download + native, cold: a fresh tool cache and no qemu-* handler before each run, the
// default source (Debian's qemu-user .deb) from a loopback mirror with the pool layout, alternated
// with the floor on the same file (dpkg-deb --fsys-tarfile | tar -x of the same members). (c) warm: a later step of the same job (tool cache
// populated, handlers registered, `verify: false`), alternated run by run with bare `node -e 0`
// and with the empty action, all on Node 24 through the same runner emulation.
import { mkdirSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { DEFAULT_QEMU_VERSION } from '../../../src/inputs.js'
import { DEBIAN_DEB_DIR, run } from '../../../test-support/env.js'
import { restoreBinfmt, snapshotBinfmt, type BinfmtSnapshot } from '../../../test-support/binfmt.js'
import { type DownloadServer, startDownloadServer } from '../../../test-support/download-server.js'
import type { Inputs, Job } from '../../../test-support/runner.js'
import { type Bench, BenchError, check, coldBinfmt, phaseMs, tail } from '../context.js'
import { buildEmptyAction } from '../empty-action.js'
import { alternate, ms, perRunRatio, ratioText, stats, type RunOnce } from '../measure.js'
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

/** The default source and version: Debian's qemu-user .deb from a loopback pool mirror. */
export async function debianSource(all: {
  inputs: string
}): Promise<{ server: DownloadServer; inputs: Inputs }> {
  const server = await startDownloadServer({ qemuDir: '/usr/bin', debDir: DEBIAN_DEB_DIR })
  // install: auto, the default: the pinned build, downloaded when cold, from the tool cache when
  // warm (a tool-cache entry of the pinned build is the pinned build: no request)
  const inputs = {
    install: 'auto',
    registrar: 'native',
    'download-url': server.debTemplate,
    platforms: all.inputs
  }
  return { server, inputs }
}

export async function downloadCold(
  bench: Bench,
  all: { inputs: string; text: string },
  { server, inputs }: { server: DownloadServer; inputs: Inputs }
): Promise<void> {
  const deb = join(DEBIAN_DEB_DIR, `qemu-user_${DEFAULT_QEMU_VERSION}_amd64.deb`)
  let emulators: string[] = []
  let installMs: number[] = []
  const floorDir = join(bench.tmp, 'deb-floor')
  const s = await alternate(
    {
      cold: async i => {
        const before = server.log.length
        const r = await bench.step({ ...inputs, verify: 'false' })
        check('(b) Debian download + native, cold', i, r, {
          verified: 'false',
          registrar: 'native'
        })
        emulators = (r.outputs.emulators ?? '').split(',').filter(Boolean)
        const phase = phaseMs(r, /^::group::Install QEMU/, /^QEMU .* from download/)
        if (i >= 0) {
          bench.phase('download', phase)
          installMs.push(phase ?? NaN)
        }
        const served = server.log.slice(before)
        if (served.length !== 1) {
          throw new BenchError(
            `(b) run ${i}: ${served.length} download requests (a fresh tool cache downloads the .deb once)`
          )
        }
        r.job.remove()
        return r.ms
      },
      floor: async i => {
        rmSync(floorDir, { recursive: true, force: true })
        mkdirSync(floorDir)
        const members = emulators.map(e => `./usr/bin/${e}`).join(' ')
        const t0 = process.hrtime.bigint()
        const r = await run('sh', [
          '-c',
          `dpkg-deb --fsys-tarfile "$0" | tar -x -C "$1" ${members}`,
          deb,
          floorDir
        ])
        const t = Number(process.hrtime.bigint() - t0) / 1e6
        if (r.code !== 0)
          throw new BenchError(`deb floor, run ${i}: exit ${r.code}: ${tail(r.stderr)}`)
        return t
      }
    },
    bench.measureOptions(coldBinfmt)
  )
  installMs = installMs.filter(Number.isFinite)
  const install = stats(installMs)
  bench.row(
    'b',
    '(b) Debian download + native, cold',
    '`install: download`, the default Debian qemu-user .deb (71 MB) from a loopback mirror, ' +
      `\`registrar: native\`, \`verify: false\`, ${all.text}, fresh tool cache, no qemu-* handlers`,
    s.cold
  )
  bench.row(
    'b-install',
    '↳ download, verify, extract and cache (the Install QEMU step)',
    `${emulators.length} emulators streamed out of the .deb while it downloads`,
    install
  )
  bench.row(
    'deb-floor',
    'floor: `dpkg-deb --fsys-tarfile X.deb \\| tar -x <members>`',
    'the same file from local disk, the same members, alternated with (b)',
    s.floor
  )
  const vsFloor = perRunRatio(install, s.floor)
  bench.target(
    vsFloor.median <= 1.15,
    `(b) cold Debian path within 1.15× the dpkg-deb | tar floor on the same file: ${ratioText(vsFloor)} ` +
      `(download + verification + extraction + tool cache, ${ms(install.median)} ms, vs ${ms(s.floor.median)} ms; ` +
      `the whole cold run, Node start and registration included, is ${ms(s.cold.median)} ms)`
  )
  bench.facts.cold = { emulators, perRun: 1, mbPerRun: 71.1 }
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
    '(c) Debian download + native, warm',
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
  bench.notes.push(
    `(c) is ${ratioText(vsBare)} bare \`node -e 0\` on Node 24 (${ms(s.warm.median)} ms vs ` +
      `${ms(s.bare.median)} ms; an earlier target, at most 1.5×, predates the return to ` +
      '`@actions/core`: the empty action alone is over it, so (c) is now held against that).'
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
