import * as core from '@actions/core'
import { Output } from '../constants.js'
import type { Target, Verdict } from '../model.js'
import { passed } from '../verifier/verifier.js'

export interface RunReport {
  /** The requested platforms. */
  readonly targets: readonly Target[]
  /** What the host can run after the step (runnable.ts), Docker names. */
  readonly runnable: readonly string[]
  readonly emulators: readonly string[]
  readonly verdicts: ReadonlyMap<string, Verdict>
  readonly qemuVersion: string
  /** Where the QEMU in use came from (the installation's source, or the registrar image). */
  readonly qemuSource?: string
  readonly registrar: string
}

/** The outputs later steps read: names as in action.yml. */
export function outputsOf(report: RunReport): Record<string, string> {
  const machines: Record<string, string> = {}
  for (const [platform, verdict] of report.verdicts) {
    if (verdict.machine && passed(verdict)) machines[platform] = verdict.machine
  }
  const emulated = report.targets.filter(t => !t.native)
  const verified =
    report.verdicts.size > 0 &&
    emulated.every(t =>
      passed(report.verdicts.get(t.platform.name) ?? { target: t, skipped: 'not run' })
    )
  return {
    [Output.Platforms]: report.runnable.join(','),
    [Output.RequestedPlatforms]: report.targets.map(t => t.platform.name).join(','),
    [Output.Emulators]: report.emulators.join(','),
    [Output.Machines]: JSON.stringify(machines),
    [Output.Verified]: String(verified),
    [Output.QemuVersion]: report.qemuVersion,
    [Output.Registrar]: report.registrar
  }
}

export function setOutputs(report: RunReport): void {
  for (const [name, value] of Object.entries(outputsOf(report))) core.setOutput(name, value)
}
