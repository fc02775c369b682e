// (a) The seed path: `install: apt` (apt-get install of an installed qemu-user-static) and the
// multiarch registrar container from the loopback registry, no qemu-* handler before each run.
import { IMAGES, hostRunsI386Natively } from '../../../test-support/env.js'
import { type Bench, check, coldBinfmt, phaseMs, platformsOf } from '../context.js'
import { measure } from '../measure.js'

/** Every platform of `all` but linux/386 (for kernels that cannot run i386 binaries). */
const ALL_BUT_386 =
  'linux/amd64,linux/arm64,linux/arm/v7,linux/arm/v6,linux/ppc64le,linux/s390x,linux/riscv64,linux/mips64le'

/** What (a), (b) and (c) ask for: `all`, unless linux/386 cannot be registered by the seed. */
export async function allPlatforms(bench: Bench): Promise<{ inputs: string; text: string }> {
  coldBinfmt() // asked with no qemu-i386 handler registered
  if (await hostRunsI386Natively()) return { inputs: 'all', text: '`platforms: all`' }
  bench.notes.push(
    'This kernel does not run i386 binaries natively (no IA32 emulation), so linux/386 needs ' +
      "qemu-i386, which the seed's registrar (multiarch's script skips the host's CPU family) never " +
      'registers: with `platforms: all` and `registrar: seed` the action fails, correctly, ' +
      'naming linux/386. (a), (b) and (c) therefore ask for every ' +
      'platform of `all` but linux/386 (8 platforms, 7 emulated). On GitHub’s runners linux/386 ' +
      'runs natively and `all` works with every registrar.'
  )
  return { inputs: ALL_BUT_386, text: '`platforms`: all but linux/386' }
}

export async function seedPath(bench: Bench, all: { inputs: string; text: string }): Promise<void> {
  const inputs = {
    install: 'apt',
    registrar: 'seed',
    image: IMAGES.registrar,
    verify: 'false',
    platforms: all.inputs
  }
  let aptRefreshed = false
  let platforms: string[] = []
  const seed = await measure(
    '(a) seed path',
    async i => {
      const r = await bench.step(inputs)
      check('(a) seed path', i, r, { verified: 'false', registrar: 'seed' })
      if (/refreshing the package lists/.test(r.stdout)) aptRefreshed = true
      if (i >= 0) {
        bench.phase('apt', phaseMs(r, /^\[command\].*apt-get /, /^QEMU .* from apt/))
        bench.phase('container', phaseMs(r, /^\[command\].*docker run /, /^::endgroup::/))
      }
      platforms = platformsOf(r)
      r.job.remove()
      return r.ms
    },
    bench.measureOptions(coldBinfmt, bench.opts.seedRuns)
  )
  bench.row(
    'a',
    '(a) seed path, cold',
    '`install: apt`, `registrar: seed` (the seed command, loopback registrar image), `verify: false`, ' +
      `${all.text} (${platforms.length}), no qemu-* handlers before each run`,
    seed
  )
  if (aptRefreshed) {
    bench.notes.push('(a): apt-get install failed at least once and the action ran apt-get update.')
  }
}
