import { emulatorFor, handlerName, type Platform } from '../catalogue.js'
import type { Target } from '../registrar/index.js'
import { hasProbe, type Probes } from '../verifier/probe.js'
import type { BinfmtEntry } from './binfmt.js'
import type { Host } from './host.js'

/**
 * Which requested platforms the host runs natively. The host's own platform always; a platform of
 * the host's CPU family (i386 on x86_64, arm on aarch64) by running its probe when no handler
 * could intercept it (some arm64 CPUs cannot run AArch32), else by the family table.
 */
export async function classify(platforms: readonly Platform[], host: Host, entries: readonly BinfmtEntry[], probes: Probes): Promise<Target[]> {
  const tested = new Map<string, Promise<string | undefined>>()
  const nativeRun = (cpu: string): Promise<string | undefined> => {
    let result = tested.get(cpu)
    if (!result) {
      result = probes.run(cpu).then(r => (r.code === 0 ? r.stdout.trim() : undefined))
      tested.set(cpu, result)
    }
    return result
  }
  return Promise.all(
    platforms.map(async (platform): Promise<Target> => {
      if (platform.cpu === host.platform.cpu) return { platform, native: true, why: 'the host architecture' }
      if (emulatorFor(platform.cpu).family !== host.family) return { platform, native: false, why: 'foreign CPU family' }
      const handler = entries.find(e => e.name === handlerName(platform.cpu) && e.enabled)
      if (handler || !hasProbe(platform.cpu)) {
        return { platform, native: true, why: `runs natively in the ${host.family} family` }
      }
      const printed = await nativeRun(platform.cpu)
      return printed === host.machine
        ? { platform, native: true, why: `its probe ran natively (printed ${printed})` }
        : { platform, native: false, why: `this ${host.machine} CPU cannot run ${platform.cpu} binaries natively` }
    })
  )
}
