import * as core from '@actions/core'
import { handlerName } from '../catalogue.js'
import type { BinfmtEntry } from '../host/entry.js'
import type { Verdict } from '../model.js'
import type { RunReport } from './outputs.js'

const cell = (text: string): string => text.replace(/\|/g, '\\|').replace(/\n/g, ' ')

function verification(verdict: Verdict | undefined): string {
  if (!verdict) return 'not verified'
  if (verdict.problem) return `❌ ${verdict.problem}`
  if (verdict.skipped) return `skipped: ${verdict.skipped}`
  return `✅ \`${verdict.machine}\``
}

/** The job summary: one table row per platform. */
export function summaryMarkdown(
  report: RunReport,
  entries: ReadonlyMap<string, BinfmtEntry>,
  heading: string
): string {
  const rows = report.targets.map(t => {
    const entry = entries.get(t.platform.cpu)
    const emulator = t.native ? 'native' : handlerName(t.platform.cpu)
    const interpreter = t.native ? '—' : entry ? `\`${entry.interpreter}\`` : 'missing'
    const flags = t.native ? '—' : entry?.flags || '(none)'
    return `| \`${t.platform.name}\` | ${emulator} | ${cell(interpreter)} | ${cell(flags)} | ${cell(verification(report.verdicts.get(t.platform.name)))} |`
  })
  return [
    `## ${heading}`,
    '',
    '| Platform | Emulator | Interpreter | Flags | Verification |',
    '| --- | --- | --- | --- | --- |',
    ...rows,
    '',
    `Registrar: **${report.registrar}** · QEMU: **${report.qemuVersion || 'unknown'}**${report.qemuSource ? ` (${cell(report.qemuSource)})` : ''}`,
    ''
  ].join('\n')
}

/** Appends to the job summary; outside a runner (no GITHUB_STEP_SUMMARY) there is none. */
export async function writeSummary(markdown: string): Promise<void> {
  if (!process.env.GITHUB_STEP_SUMMARY) return
  await core.summary.addRaw(markdown, true).write()
}
