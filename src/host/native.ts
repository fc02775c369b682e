import { emulatorFor, handlerName, type Platform } from '../catalogue.js'
import type { ProbeRunner, Target } from '../model.js'
import type { BinfmtEntry } from './entry.js'
import type { Host } from './host.js'

/**
 * Which requested platforms the host runs natively: its own platform always; a platform of its
 * CPU family (i386 on x86_64, arm on aarch64) only when that family member's probe really runs
 * natively. binfmt_misc is consulted before the native ELF loader, so a platform an enabled
 * handler already takes counts as emulated (and that handler is kept). Some
 * CPUs and kernels cannot run their family's 32-bit code (arm64 without AArch32, x86_64 kernels
 * without IA32 emulation), which a family table would get wrong.
 */
export async function classify(
  platforms: readonly Platform[],
  host: Pick<Host, 'machine' | 'platform' | 'family'>,
  probes: ProbeRunner,
  existing: readonly BinfmtEntry[]
): Promise<Target[]> {
  const printed = new Map<string, Promise<string | undefined>>()
  const nativeRun = (cpu: string): Promise<string | undefined> => {
    if (!printed.has(cpu))
      printed.set(
        cpu,
        probes.run(cpu).then(r => (r.code === 0 ? r.stdout.trim() : undefined))
      )
    return printed.get(cpu) as Promise<string | undefined>
  }
  return Promise.all(
    platforms.map(async (platform): Promise<Target> => {
      if (platform.cpu === host.platform.cpu)
        return { platform, native: true, why: 'the host architecture' }
      if (emulatorFor(platform.cpu).family !== host.family)
        return { platform, native: false, why: 'foreign CPU family' }
      const name = handlerName(platform.cpu)
      if (existing.some(e => e.name === name && e.enabled)) {
        // binfmt_misc is consulted before the native loader: this handler runs them anyway
        return { platform, native: false, why: `the existing ${name} handler runs them` }
      }
      if (!probes.has(platform.cpu))
        return { platform, native: true, why: `the ${host.family} family runs natively` }
      const output = await nativeRun(platform.cpu)
      if (output === host.machine)
        return { platform, native: true, why: `its probe ran natively (printed ${output})` }
      return {
        platform,
        native: false,
        why: `this ${host.machine} host cannot run ${platform.cpu} binaries natively`
      }
    })
  )
}
