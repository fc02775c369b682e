import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { emulatorFor, handlerName, type Platform } from '../catalogue.js'
import type { ProbeRunner, Target } from '../model.js'
import type { BinfmtEntry } from './entry.js'
import type { Host } from './host.js'

/**
 * What a family member's probe printed when run natively (null: it did not run), remembered for
 * the rest of the job: it is a fact of this kernel, and a later step need not start it again.
 */
export interface NativeRuns {
  /** undefined: not known yet. */
  get(cpu: string): string | null | undefined
  set(cpu: string, printed: string | undefined): void
}

/**
 * NativeRuns in a file of the job's RUNNER_TEMP (private to the job), for this boot only; in
 * memory only without one (no file in a directory others can write).
 */
export class JobNativeRuns implements NativeRuns {
  private readonly known: Record<string, string | null>

  constructor(
    private readonly file: string | undefined,
    private readonly boot: string
  ) {
    let saved: { boot?: string; printed?: Record<string, string | null> } = {}
    try {
      if (file) saved = JSON.parse(readFileSync(file, 'utf8')) as typeof saved
    } catch {
      // not written yet
    }
    this.known = saved.boot === boot && saved.printed ? saved.printed : {}
  }

  get(cpu: string): string | null | undefined {
    return Object.hasOwn(this.known, cpu) ? this.known[cpu] : undefined
  }

  set(cpu: string, printed: string | undefined): void {
    this.known[cpu] = printed ?? null
    if (!this.file) return
    try {
      writeFileSync(this.file, JSON.stringify({ boot: this.boot, printed: this.known }))
    } catch {
      // only a shortcut for later steps
    }
  }
}

/**
 * The job's memo: in its RUNNER_TEMP, which is the job's own; without one, in memory only (a
 * fixed name in /tmp would be anyone's to write first).
 */
export function jobNativeRuns(env: NodeJS.ProcessEnv, boot: string): JobNativeRuns {
  const dir = env.RUNNER_TEMP
  return new JobNativeRuns(dir ? join(dir, 'setup-cross-arch-native-runs.json') : undefined, boot)
}

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
  existing: readonly BinfmtEntry[],
  memo?: NativeRuns
): Promise<Target[]> {
  const printed = new Map<string, Promise<string | undefined>>()
  const nativeRun = (cpu: string): Promise<string | undefined> => {
    if (!printed.has(cpu)) {
      const known = memo?.get(cpu)
      printed.set(
        cpu,
        known !== undefined
          ? Promise.resolve(known ?? undefined)
          : probes.run(cpu).then(r => {
              const out = r.code === 0 ? r.stdout.trim() : undefined
              memo?.set(cpu, out)
              return out
            })
      )
    }
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
