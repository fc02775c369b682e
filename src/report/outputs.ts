import * as core from '../runner.js'
import type { Target } from '../registrar/index.js'
import { passed, type Verdict } from '../verifier/verifier.js'

export interface RunReport {
  readonly targets: readonly Target[]
  readonly emulators: readonly string[]
  readonly verdicts: ReadonlyMap<string, Verdict>
  readonly qemuVersion: string
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
    platforms: report.targets.map(t => t.platform.name).join(','),
    emulators: report.emulators.join(','),
    machines: JSON.stringify(machines),
    verified: String(verified),
    'qemu-version': report.qemuVersion,
    registrar: report.registrar
  }
}

export function setOutputs(report: RunReport): void {
  for (const [name, value] of Object.entries(outputsOf(report))) core.setOutput(name, value)
}
