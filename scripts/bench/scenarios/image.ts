// (d) Image verification: `docker run --platform P … uname -m` for each platform of the e2e busybox
// image one after another (the seed's manual check), and the action with `verify: image` against
// `verify: false`, alternated, in the warm job (handlers registered).
import { restoreBinfmt, snapshotBinfmt } from '../../../test-support/binfmt.js'
import { IMAGES } from '../../../test-support/env.js'
import { type Bench, BenchError, check, tail } from '../context.js'
import { alternate, measure, ms, perRunDiff } from '../measure.js'
import type { Warm } from './download.js'

/** The platforms of the e2e busybox image and what `uname -m` prints for each. */
const IMAGE_PLATFORMS: Record<string, string[]> = {
  'linux/amd64': ['x86_64'],
  'linux/arm64': ['aarch64'],
  'linux/arm/v7': ['armv7l'],
  'linux/arm/v6': ['armv7l'],
  'linux/ppc64le': ['ppc64le'],
  'linux/s390x': ['s390x'],
  'linux/386': ['i686', 'x86_64'], // x86_64 where the kernel runs i386 natively
  'linux/mips64le': ['mips64']
}

export async function imageVerification(bench: Bench, warm: Warm): Promise<void> {
  const platforms = Object.keys(IMAGE_PLATFORMS)
  const inputs = { ...warm.inputs, platforms: platforms.join(','), 'verify-image': IMAGES.busybox }
  // The same job, so the same tool cache: a first step registers the image's platforms (and
  // downloads qemu-i386 where linux/386 is emulated and (c) did not ask for it).
  const prime = await bench.step({ ...inputs, verify: 'probe' }, { job: warm.job })
  check('warm-up of (d)', 0, prime, { verified: 'true', registrar: 'native' })
  const state = snapshotBinfmt()
  const prepare = (): void => restoreBinfmt(state)
  const requests = warm.server.log.length
  const dockerJob = bench.job()

  const serial = await measure(
    '(d) serial docker run',
    async i => {
      let total = 0
      for (const p of platforms) {
        const r = await dockerJob.exec(
          'docker',
          ['run', '--rm', '--platform', p, IMAGES.busybox, 'uname', '-m'],
          { timeoutMs: 120_000 }
        )
        const out = r.stdout.trim()
        if (r.code !== 0 || !IMAGE_PLATFORMS[p].includes(out)) {
          throw new BenchError(
            `(d) serial, run ${i}: docker run --platform ${p} ${IMAGES.busybox} uname -m: exit ` +
              `${r.code}, printed "${out}", expected ${IMAGE_PLATFORMS[p].join(' or ')}\n${tail(r.stderr)}`
          )
        }
        total += r.ms
      }
      return total
    },
    bench.measureOptions(prepare)
  )
  bench.row(
    'dSerial',
    `(d) serial \`docker run --platform P … uname -m\` × ${platforms.length}`,
    'the seed’s manual check, one platform after another, handlers registered',
    serial
  )

  const s = await alternate(
    {
      verifyFalse: async i => {
        const r = await bench.step({ ...inputs, verify: 'false' }, { job: warm.job })
        check('(d) action, verify: false', i, r, { verified: 'false', registrar: 'native' })
        return r.ms
      },
      verifyImage: async i => {
        const r = await bench.step({ ...inputs, verify: 'image' }, { job: warm.job })
        check('(d) action, verify: image', i, r, { verified: 'true', registrar: 'native' })
        if (i >= 0) {
          // The pulls are echoed one after another; the verdict lines follow the concurrent runs.
          const first = r.lines.findIndex(l => /^\[command\].*docker pull /.test(l.line))
          const verdict = r.lines.findIndex(l => /^linux\/[^:]+: (ok|FAILED|skipped)/.test(l.line))
          if (first >= 0 && verdict > first + 1) {
            bench.phase('pulls', r.lines[verdict - 1].t - r.lines[first].t)
            bench.phase('containers', r.lines[verdict].t - r.lines[verdict - 1].t)
          }
        }
        const got = JSON.parse(r.outputs.machines || '{}') as Record<string, string>
        const bad = platforms.filter(p => !IMAGE_PLATFORMS[p].includes(got[p]))
        if (bad.length > 0) {
          throw new BenchError(
            `(d) verify: image, run ${i}: machines output ${r.outputs.machines} lacks or misreports ${bad.join(', ')}`
          )
        }
        return r.ms
      }
    },
    bench.measureOptions(prepare)
  )
  const settings = `warm as (c), handlers registered, \`platforms\`: the image's ${platforms.length}, \`verify-image: ${IMAGES.busybox}\``
  bench.row('dImage', '(d) action, `verify: image`', settings, s.verifyImage)
  bench.row('dFalse', '(d) action, `verify: false`', settings, s.verifyFalse)
  bench.row(
    'dDiff',
    `↳ concurrent image verification, ${platforms.length} platforms`,
    'per-run pairs, verify: image − verify: false',
    perRunDiff(s.verifyFalse, s.verifyImage),
    { diff: true }
  )
  if (warm.server.log.length !== requests) {
    throw new BenchError('(d) runs downloaded emulators; the tool cache should have had them all')
  }
  const saved = serial.median - s.verifyImage.median
  bench.facts.image =
    saved > 0
      ? `saves only ${ms(saved)} ms over the serial check here.`
      : `is no faster than the serial check here (${ms(-saved)} ms slower).`
}
