// Probe verification: warm runs with `verify: false` (c) and `verify: probe` (c') alternated with
// the probe floor, the same probe programs the action runs started at once by a shell loop
// (`for p in ...; do ./$p & done; wait`) with the handlers registered; and one emulator start
// (busybox run by qemu-aarch64-static directly), for scale.
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { lookupPlatform } from '../../../src/catalogue.js'
import { probeProgram } from '../../../src/verifier/probe/index.js'
import { busyboxPath } from '../../../test-support/env.js'
import { type Bench, BenchError, check, tail } from '../context.js'
import { alternate, measure, ms, perRunDiff, ratioText, stats } from '../measure.js'
import type { Warm } from './download.js'

export async function probeVerification(bench: Bench, warm: Warm): Promise<void> {
  // What the action probes: one program per CPU of the platforms it verified.
  const primed = await bench.step({ ...warm.inputs, verify: 'probe' }, { job: warm.job })
  check("(c') warm, verify: probe", -1, primed, { verified: 'true', registrar: 'native' })
  const machines = JSON.parse(primed.outputs.machines || '{}') as Record<string, string>
  const byCpu = new Map<string, string>()
  for (const [platform, machine] of Object.entries(machines)) {
    const cpu = lookupPlatform(platform)?.cpu
    if (!cpu) throw new BenchError(`machines output names an unknown platform ${platform}`)
    byCpu.set(cpu, machine)
  }
  const dir = join(bench.tmp, 'probe-floor')
  mkdirSync(dir)
  for (const cpu of byCpu.keys()) {
    writeFileSync(join(dir, `probe-${cpu}`), probeProgram(cpu))
    chmodSync(join(dir, `probe-${cpu}`), 0o755)
  }
  const programs = [...byCpu.keys()].map(c => `probe-${c}`)
  const script = `cd ${dir} && for p in ${programs.join(' ')}; do ./$p & done; wait`
  const expected = [...byCpu.values()].sort().join('\n')
  const floorJob = bench.job()

  const s = await alternate(
    {
      warm: async i => {
        const r = await bench.step({ ...warm.inputs, verify: 'false' }, { job: warm.job })
        check('(c) warm, verify: false', i, r, { verified: 'false', registrar: 'native' })
        return r.ms
      },
      warmProbe: async i => {
        const r = await bench.step({ ...warm.inputs, verify: 'probe' }, { job: warm.job })
        check("(c') warm, verify: probe", i, r, { verified: 'true', registrar: 'native' })
        return r.ms
      },
      floor: async i => {
        const r = await floorJob.exec('sh', ['-c', script])
        const got = r.stdout.trim().split('\n').sort().join('\n')
        if (r.code !== 0 || got !== expected) {
          throw new BenchError(
            `probe floor, run ${i}: exit ${r.code}, printed\n${tail(r.stdout)}\nexpected\n` +
              `${tail(expected)}\n${tail(r.stderr)}`
          )
        }
        return r.ms
      }
    },
    bench.measureOptions(warm.prepare)
  )
  const settings =
    'as (c): tool cache populated and handlers registered by an earlier step of the job'
  bench.row(
    'c2',
    "(c') warm, verify: probe",
    `${settings}, \`verify: probe\` (the default)`,
    s.warmProbe
  )
  const diff = perRunDiff(s.warm, s.warmProbe)
  bench.row(
    'probe',
    `↳ probe verification, ${Object.keys(machines).length} platforms`,
    "per-run pairs, (c') − (c)",
    diff,
    {
      diff: true
    }
  )
  bench.row(
    'floor',
    `probe floor: ${programs.length} probe programs at once`,
    `\`sh -c 'for p in …; do ./$p & done; wait'\`, handlers registered, no chroot`,
    s.floor
  )
  bench.notes.push(
    `Probe verification of all ${Object.keys(machines).length} platforms adds ${ms(diff.median)} ms ` +
      '(an earlier absolute target, under 50 ms, is now the ratio to the probe floor below).'
  )
  const vsFloor = stats(diff.times.map((d, i) => d / s.floor.times[i]))
  bench.target(
    diff.median <= 1.3 * s.floor.median,
    `probe verification of ${Object.keys(machines).length} platforms within 1.3× the probe floor ` +
      `(${programs.length} programs started at once by a shell loop): ` +
      `${(diff.median / s.floor.median).toFixed(2)}× (${ms(diff.median)} ms vs ${ms(s.floor.median)} ms; ` +
      `per-run ratios ${ratioText(vsFloor)})`
  )
  bench.facts.probe = { platforms: Object.keys(machines).length, programs: programs.length }

  const qemuStart = await measure(
    'one qemu-aarch64 start',
    async i => {
      const r = await floorJob.exec('/usr/bin/qemu-aarch64-static', [
        busyboxPath('arm64'),
        'uname',
        '-m'
      ])
      if (r.code !== 0 || r.stdout.trim() !== 'aarch64') {
        throw new BenchError(`qemu-aarch64-static busybox uname -m, run ${i}: exit ${r.code}`)
      }
      return r.ms
    },
    bench.measureOptions()
  )
  bench.facts.qemuStart = qemuStart
}
