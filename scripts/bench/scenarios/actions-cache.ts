// (d) a fresh GitHub-hosted job with the Actions cache warm: an earlier job saved the verified
// emulators; each measured run is the runner's next job (same RUNNER_TEMP path, fresh tool cache,
// no qemu-* handlers), restoring them from a real blob store (Azurite behind the cache service
// stand-in, test-support/cache-service.ts) and downloading nothing. Alternated run by run with
// the .deb path (cache: false, the same fresh state), for the same emulators.
import { startCacheService } from '../../../test-support/cache-service.js'
import type { DownloadServer } from '../../../test-support/download-server.js'
import { newJob, type Inputs } from '../../../test-support/runner.js'
import { type Bench, BenchError, check, coldBinfmt } from '../context.js'
import { alternate, ms, perRunRatio, ratioText } from '../measure.js'

export async function actionsCacheWarm(
  bench: Bench,
  all: { inputs: string; text: string },
  { server, inputs }: { server: DownloadServer; inputs: Inputs }
): Promise<void> {
  const service = await startCacheService()
  try {
    const env = service.env()
    coldBinfmt()
    const prime = await bench.step({ ...inputs, verify: 'false' }, { env })
    check('(d) the job that saves', 0, prime, { verified: 'false', registrar: 'native' })
    const emulators = (prime.outputs.emulators ?? '').split(',').filter(Boolean)
    if (service.keys().length !== emulators.length)
      throw new BenchError(
        `(d): the first job saved ${service.keys().length} entries for ${emulators.length} emulators`
      )
    const dir = prime.job.dir
    prime.job.remove({ keepDir: true })
    const s = await alternate(
      {
        deb: async i => {
          const before = server.log.length
          const r = await bench.step({ ...inputs, verify: 'false', cache: 'false' })
          check('(d) the .deb path', i, r, { verified: 'false', registrar: 'native' })
          if (server.log.length - before !== 1)
            throw new BenchError(`(d) .deb path, run ${i}: not one download`)
          r.job.remove()
          return r.ms
        },
        cached: async i => {
          const before = server.log.length
          const job = newJob({ dir })
          const r = await bench.step({ ...inputs, verify: 'false' }, { job, env })
          check('(d) cache warm', i, r, { verified: 'false', registrar: 'native' })
          if (server.log.length !== before || !/restored and verified/.test(r.stdout))
            throw new BenchError(`(d) cache warm, run ${i}: not restored from the cache`)
          job.remove({ keepDir: true })
          return r.ms
        }
      },
      bench.measureOptions(coldBinfmt)
    )
    bench.row(
      'd',
      '(d) fresh hosted job, Actions cache warm',
      `as (b) (${all.text}) with \`cache: auto\` on a GitHub-hosted runner: ${emulators.length} entries (one per emulator) restored from Azurite through the cache service stand-in, each re-checked against its pinned SHA-256; fresh tool cache, 0 downloads`,
      s.cached
    )
    bench.row(
      'd-deb',
      '↳ the .deb path, alternated with (d)',
      'the same fresh job with `cache: false`: the .deb downloaded, verified and extracted',
      s.deb
    )
    const ratio = perRunRatio(s.cached, s.deb)
    bench.target(
      ratio.median <= 0.25,
      `(d) Actions cache: a fresh hosted job restoring ${emulators.length} verified emulators from the cache within 0.25× the .deb path: ${ratioText(ratio)} ` +
        `(${ms(s.cached.median)} ms vs ${ms(s.deb.median)} ms, whole runs)`
    )
  } finally {
    await service.close()
  }
}
