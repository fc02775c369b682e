import * as core from '@actions/core'
import { handlerName } from '../catalogue.js'
import type { BinfmtEntry } from '../host/entry.js'
import type { Target, Verdict } from '../model.js'
import type { RunReport } from './outputs.js'

const cell = (text: string): string => text.replace(/\|/g, '\\|').replace(/\n/g, ' ')

/** How a platform was shown to run: by what, and what it printed. */
function verification(target: Target, verdict: Verdict | undefined): string {
  if (target.native) return 'native: nothing to run'
  if (!verdict) return 'not verified'
  if (verdict.problem) return `❌ ${verdict.problem}`
  if (verdict.skipped) return `skipped: ${verdict.skipped}`
  const by = verdict.by?.length ? `${verdict.by.join(' and ')}, ` : ''
  return `✅ ${by}\`${verdict.machine}\``
}

/**
 * The job summary: one table row per requested platform, the interpreters in a details block
 * below it. On a failure (`failed`: its one line) it shows what was done before it.
 */
export function summaryMarkdown(
  report: RunReport,
  entries: ReadonlyMap<string, BinfmtEntry>,
  heading: string,
  failed?: string
): string {
  const rows = report.targets.map(t => {
    const entry = entries.get(t.platform.cpu)
    const emulator = t.native ? 'native' : handlerName(t.platform.cpu)
    const flags = t.native ? '—' : entry ? entry.flags || '(none)' : 'not registered'
    return `| \`${t.platform.name}\` | ${emulator} | ${cell(flags)} | ${cell(verification(t, report.verdicts.get(t.platform.name)))} |`
  })
  const interpreters = [...entries].map(
    ([cpu, e]) => `| ${handlerName(cpu)} | \`${cell(e.interpreter)}\` |`
  )
  return [
    `## ${heading}`,
    '',
    ...(failed ? [`**Failed:** ${failed}`, ''] : []),
    ...(rows.length > 0
      ? ['| Platform | Emulator | Flags | Verification |', '| --- | --- | --- | --- |', ...rows, '']
      : []),
    `Registrar: **${report.registrar || 'not chosen'}** · QEMU: **${report.qemuVersion || 'unknown'}**${report.qemuSource ? ` (${cell(report.qemuSource)})` : ''}` +
      (report.runnable.length > 0 ? ` · Runnable now: ${report.runnable.join(', ')}` : ''),
    '',
    ...(interpreters.length > 0
      ? [
          '<details><summary>Interpreters</summary>',
          '',
          '| Handler | Interpreter |',
          '| --- | --- |',
          ...interpreters,
          '',
          '</details>',
          ''
        ]
      : [])
  ].join('\n')
}

/** Appends to the job summary; outside a runner (no GITHUB_STEP_SUMMARY) there is none. */
export async function writeSummary(markdown: string): Promise<void> {
  if (!process.env.GITHUB_STEP_SUMMARY) return
  await core.summary.addRaw(markdown, true).write()
}
