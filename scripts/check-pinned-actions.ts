// Fails on any third-party `uses:` in the project's workflows (and action.yml) that is not pinned
// to a full commit SHA with its version as a comment:
//
//   uses: actions/checkout@<40 hex digits> # v6.1.0
//
// A tag or branch can be moved to other code by whoever controls that repository; a commit SHA
// cannot. The comment is what people (and Dependabot, which keeps it in step with the SHA) read.
// Local actions (./...) and docker:// images are exempt.
//
// Line-based on purpose: the version comment is not part of the YAML data. A `uses:` written
// inside a run: script would be checked too; that errs on the side of failing, never of passing.
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join, relative, resolve } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'

export interface Finding {
  file: string
  line: number
  uses: string
  problem: string
}

const SHA = /^[0-9a-f]{40}$/
// `uses: x`, `- uses: x`, `{ uses: x, ... }`, quoted or not
const USES = /(?:^|[\s{,])uses\s*:\s*(['"]?)([^'"\s,}#]+)\1/

export function checkText(text: string, file: string): { findings: Finding[]; checked: number } {
  const findings: Finding[] = []
  let checked = 0
  text.split('\n').forEach((raw, i) => {
    const hash = raw.search(/(^|\s)#/)
    const code = hash === -1 ? raw : raw.slice(0, hash)
    const comment = hash === -1 ? '' : raw.slice(hash).replace(/^\s*#\s*/, '')
    const m = USES.exec(code)
    if (!m) return
    const uses = m[2]
    if (uses.startsWith('./') || uses.startsWith('docker://')) return
    checked++
    const at = uses.lastIndexOf('@')
    const line = i + 1
    if (at === -1) {
      findings.push({
        file,
        line,
        uses,
        problem: `has no ref: pin it as ${uses}@<40-hex commit SHA> # <version>`
      })
      return
    }
    const name = uses.slice(0, at)
    const ref = uses.slice(at + 1)
    if (!SHA.test(ref)) {
      findings.push({
        file,
        line,
        uses,
        problem: `is not pinned to a full commit SHA: write ${name}@<the 40-hex SHA that ${ref} points to> # ${ref}`
      })
    } else if (!/\bv?\d/.test(comment)) {
      findings.push({
        file,
        line,
        uses,
        problem: `is pinned, but says no version: add it as a comment (${name}@${ref.slice(0, 7)}… # v1.2.3)`
      })
    }
  })
  return { findings, checked }
}

/** The files whose `uses:` run in this project's name: its workflows and its own action.yml. */
export function filesToCheck(root: string): string[] {
  const dir = join(root, '.github', 'workflows')
  const workflows = existsSync(dir)
    ? readdirSync(dir)
        .filter(f => /\.ya?ml$/.test(f))
        .sort()
        .map(f => join(dir, f))
    : []
  const actions = ['action.yml', 'action.yaml'].map(f => join(root, f)).filter(f => existsSync(f))
  return [...workflows, ...actions]
}

export function checkRepository(root: string): { findings: Finding[]; checked: number } {
  const findings: Finding[] = []
  let checked = 0
  for (const path of filesToCheck(root)) {
    const r = checkText(readFileSync(path, 'utf8'), relative(root, path))
    findings.push(...r.findings)
    checked += r.checked
  }
  return { findings, checked }
}

function main(): number {
  const root = resolve(process.argv[2] ?? fileURLToPath(new URL('..', import.meta.url)))
  const { findings, checked } = checkRepository(root)
  for (const f of findings) console.error(`${f.file}:${f.line}: ${f.uses} ${f.problem}`)
  if (findings.length) {
    console.error(`pinned actions: ${findings.length} of ${checked} third-party uses not pinned`)
    return 1
  }
  console.log(`pinned actions: ${checked} of ${checked} third-party uses pinned to a commit SHA`)
  return 0
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  process.exitCode = main()
}
