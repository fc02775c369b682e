// npm run test:mutation [-- --docs] [-- <stryker options, e.g. --mutate src/inputs.ts>]:
// runs StrykerJS (stryker.config.mjs: the unit tests over the kernel-facing logic), then reads its
// JSON report and prints one score per file. Fails when any file scores under 90%, which Stryker's
// own `break` threshold (on the total) would not catch. With --docs it writes docs/testing.md.
import { spawnSync } from 'node:child_process'
import { readFileSync, writeFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

const ROOT = fileURLToPath(new URL('..', import.meta.url))
const REPORT = `${ROOT}reports/mutation/mutation.json`
const DOCS = `${ROOT}docs/testing.md`
const MINIMUM = 90

interface Mutant {
  status: string
  mutatorName?: string
  statusReason?: string
  location?: { start: { line: number } }
}
interface Report {
  files: Record<string, { mutants: Mutant[] }>
}

export interface FileScore {
  file: string
  killed: number
  survived: number
  noCoverage: number
  timeout: number
  ignored: number
  score: number
}

/** Stryker's mutation score per file: detected / (detected + undetected); ignored ones aside. */
export function scores(report: Report): FileScore[] {
  return Object.entries(report.files)
    .map(([file, { mutants }]) => {
      const count = (...statuses: string[]) =>
        mutants.filter(m => statuses.includes(m.status)).length
      const killed = count('Killed')
      const timeout = count('Timeout')
      const survived = count('Survived')
      const noCoverage = count('NoCoverage')
      const detected = killed + timeout
      const total = detected + survived + noCoverage
      return {
        file,
        killed,
        survived,
        noCoverage,
        timeout,
        ignored: count('Ignored'),
        score: total === 0 ? 100 : (100 * detected) / total
      }
    })
    .sort((a, b) => a.file.localeCompare(b.file))
}

export function table(rows: readonly FileScore[]): string {
  const lines = [
    '| file | score | killed | timed out | survived | no coverage | marked equivalent |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...rows.map(
      r =>
        `| \`${r.file}\` | ${r.score.toFixed(1)}% | ${r.killed} | ${r.timeout} | ${r.survived} | ${r.noCoverage} | ${r.ignored} |`
    )
  ]
  return lines.join('\n')
}

/** The mutants marked equivalent in the source, with the reason written next to the code. */
export function equivalents(report: Report): string {
  const rows = Object.entries(report.files)
    .flatMap(([file, { mutants }]) =>
      mutants
        .filter(m => m.status === 'Ignored')
        .map(m => ({ file, line: m.location?.start.line ?? 0, m }))
    )
    .sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line)
  if (rows.length === 0) return 'No mutant is marked equivalent.'
  // one row per place, mutator and reason, with how many mutants it covers
  const counted = new Map<string, number>()
  for (const { file, line, m } of rows) {
    const row = `| \`${file}:${line}\` | ${m.mutatorName ?? ''} | ${(m.statusReason ?? '').replace(/\|/g, '\\|')} |`
    counted.set(row, (counted.get(row) ?? 0) + 1)
  }
  return [
    '| where | mutator | why it cannot change behaviour | mutants |',
    '| --- | --- | --- | ---: |',
    ...[...counted].map(([row, n]) => `${row} ${n} |`)
  ].join('\n')
}

function main(argv: string[]): number {
  const docs = argv.includes('--docs')
  const stryker = argv.filter(a => a !== '--docs')
  const started = new Date()
  const run = spawnSync('npx', ['stryker', 'run', ...stryker], { cwd: ROOT, stdio: 'inherit' })
  // Stryker exits non-zero under its `break` threshold; the per-file check below decides
  if (run.error) throw run.error
  const report = JSON.parse(readFileSync(REPORT, 'utf8')) as Report
  const rows = scores(report)
  const below = rows.filter(r => r.score < MINIMUM)
  console.log(`\n${table(rows)}\n`)
  if (docs) writeDocs(report, rows, started, Math.round((Date.now() - started.getTime()) / 60_000))
  if (below.length > 0) {
    console.error(
      `mutation score under ${MINIMUM}% in ${below.map(r => `${r.file} (${r.score.toFixed(1)}%)`).join(', ')}: ` +
        'add tests that notice those changes (the HTML report in reports/mutation/ shows each survivor).'
    )
    return 1
  }
  console.log(`every file scores at least ${MINIMUM}%`)
  return 0
}

export function writeDocs(
  report: Report,
  rows: readonly FileScore[],
  started: Date,
  minutes: number
): void {
  const text = readFileSync(DOCS, 'utf8')
  const begin = '<!-- mutation-scores -->'
  const end = '<!-- /mutation-scores -->'
  const block = [
    begin,
    `Measured ${started.toISOString().slice(0, 10)} with \`npm run test:mutation\` (StrykerJS, ` +
      `Node ${process.versions.node}, this project's 2-core machine): ${minutes} min for this run, ` +
      'which reuses the results of unchanged code and tests from reports/stryker-incremental.json; ' +
      'a run from nothing takes about 90 min here.',
    '',
    table(rows),
    '',
    'Marked equivalent (each with its `// Stryker disable` comment in the source):',
    '',
    equivalents(report),
    end
  ].join('\n')
  const at = text.indexOf(begin)
  const next =
    at >= 0
      ? text.slice(0, at) + block + text.slice(text.indexOf(end) + end.length)
      : `${text}\n${block}\n`
  writeFileSync(DOCS, next)
  // the repository's formatting (npm run lint checks it): aligned table columns
  spawnSync('npx', ['prettier', '--write', DOCS], { cwd: ROOT, stdio: 'ignore' })
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  process.exitCode = main(process.argv.slice(2))
}
