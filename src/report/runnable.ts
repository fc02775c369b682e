/**
 * The `platforms` output: what the host can run after the step, as docker/setup-qemu-action
 * reports it (native platforms included), not only what was asked for.
 */
import { handlerName } from '../catalogue.js'
import type { BinfmtEntry } from '../host/entry.js'
import type { RunResult, Target, Verdict } from '../model.js'

export interface Runnable {
  /** Every catalogue platform, classified native or emulated on this host. */
  readonly classified: readonly Target[]
  /** Names of the requested platforms. */
  readonly requested: ReadonlySet<string>
  readonly verdicts: ReadonlyMap<string, Verdict>
  /** The requested handlers registration left in place, by CPU. */
  readonly handlers: ReadonlyMap<string, BinfmtEntry>
  /** binfmt_misc after the step. */
  readonly entries: readonly BinfmtEntry[]
  /** Whether a path exists on the host (where a handler without F finds its interpreter). */
  hasFile(path: string): boolean
  /**
   * Runs the probes of CPUs whose handler was found, not registered (only when this run verifies
   * by probe); undefined when those are to be judged by their entry alone.
   */
  probe?: (cpus: readonly string[]) => Promise<ReadonlyMap<string, RunResult>>
  /** Whether a CPU has a probe program. */
  hasProbe(cpu: string): boolean
}

/**
 * Docker platform names, in catalogue order: native ones; requested ones registered and not shown
 * broken; and every other platform an enabled `qemu-<cpu>` handler on the host serves, whose
 * interpreter the kernel can open (F, or a path that exists), proven by its probe when this run
 * verifies by probe.
 */
export async function runnablePlatforms(r: Runnable): Promise<string[]> {
  const found = (t: Target): BinfmtEntry | undefined => {
    const entry = r.entries.find(e => e.name === handlerName(t.platform.cpu) && e.enabled)
    return entry && (entry.flags.includes('F') || r.hasFile(entry.interpreter)) ? entry : undefined
  }
  const others = r.classified.filter(
    t => !t.native && !r.requested.has(t.platform.name) && found(t)
  )
  const cpus = [...new Set(others.map(t => t.platform.cpu).filter(cpu => r.hasProbe(cpu)))]
  const results = r.probe && cpus.length > 0 ? await r.probe(cpus) : new Map<string, RunResult>()
  const works = (t: Target): boolean => {
    if (t.native) return true
    if (r.requested.has(t.platform.name))
      return r.handlers.has(t.platform.cpu) && !r.verdicts.get(t.platform.name)?.problem
    if (!found(t)) return false
    if (!r.probe || !r.hasProbe(t.platform.cpu)) return true
    const result = results.get(t.platform.cpu)
    return result?.code === 0 && result.stdout.trim() === t.platform.machine
  }
  return r.classified.filter(works).map(t => t.platform.name)
}
