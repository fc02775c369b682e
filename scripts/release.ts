// Cuts a release on this machine and prints how to publish it; it never pushes.
//
//   npm run release -- X.Y.Z [--dry-run]
//   npm run --silent release -- --notes X.Y.Z    (prints CHANGELOG.md's section for X.Y.Z)
//
// It refuses unless the version is semver and greater than every v*.*.* tag, the working tree is
// clean, HEAD is on main, dist/ matches a fresh build (npm run check-dist) and the tests pass
// (npm test). Then it sets the version in package.json (and package-lock.json), writes a
// CHANGELOG.md section from what was under "Unreleased" and the commit subjects since the last
// release tag, commits "Release vX.Y.Z", tags vX.Y.Z (annotated) and force-moves the lightweight
// tags vX and vX.Y to that commit (not for a prerelease). --dry-run prints all of that and
// changes nothing. Every command runs without a shell, from an argument array.
import { execFileSync, spawnSync, type StdioOptions } from 'node:child_process'
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import * as prettier from 'prettier'

/** A reason not to release, said in one line: what is wrong and what to do. */
export class Refusal extends Error {}

export interface Version {
  major: number
  minor: number
  patch: number
  prerelease: string[]
  text: string
}

export interface Check {
  /** what the check proves, for messages */
  label: string
  /** command and arguments, run without a shell */
  argv: string[]
}

export const DEFAULT_CHECKS: Check[] = [
  { label: 'dist/ matches a fresh build of src/', argv: ['npm', 'run', 'check-dist'] },
  { label: 'the tests pass', argv: ['npm', 'test'] }
]

export interface ReleaseOptions {
  /** repository root (default: the current directory) */
  cwd?: string
  dryRun?: boolean
  /** the only branch releases are cut from (default: main) */
  mainBranch?: string
  /** remote named in the printed push commands (default: origin) */
  remote?: string
  checks?: Check[]
  /** where the checks' output goes (default: inherit, so a person sees the tests run) */
  checkStdio?: StdioOptions
  /** the section's date, YYYY-MM-DD (default: today, UTC) */
  date?: string
  log?: (line: string) => void
  /** where main() reports a refusal (default: stderr) */
  error?: (line: string) => void
}

export interface TagMove {
  tag: string
  /** the commit the tag points to now, if it exists */
  from?: string
}

export interface Plan {
  version: Version
  tag: string
  /** the highest existing v*.*.* tag, if any */
  latest?: string
  /** the release tag the changelog section starts from, if any */
  since?: string
  subjects: string[]
  /** the new CHANGELOG.md section, as it will be written */
  section: string
  files: { path: string; text: string }[]
  currentVersion?: string
  moves: TagMove[]
  checks: Check[]
  /** reasons to refuse found without running the checks (dirty tree, wrong branch) */
  problems: string[]
  pushCommands: string[]
  commitMessage: string
}

const IDENT = String.raw`(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)`
const SEMVER = new RegExp(
  String.raw`^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-(${IDENT}(?:\.${IDENT})*))?$`
)

export function parseVersion(text: string): Version | undefined {
  const m = SEMVER.exec(text)
  if (!m) return undefined
  return {
    major: Number(m[1]),
    minor: Number(m[2]),
    patch: Number(m[3]),
    prerelease: m[4] ? m[4].split('.') : [],
    text
  }
}

/** Semver precedence: negative when a < b. */
export function compareVersions(a: Version, b: Version): number {
  for (const k of ['major', 'minor', 'patch'] as const) if (a[k] !== b[k]) return a[k] - b[k]
  if (!a.prerelease.length || !b.prerelease.length) {
    return (a.prerelease.length ? -1 : 0) + (b.prerelease.length ? 1 : 0)
  }
  for (let i = 0; i < Math.max(a.prerelease.length, b.prerelease.length); i++) {
    const x = a.prerelease[i]
    const y = b.prerelease[i]
    if (x === undefined) return -1
    if (y === undefined) return 1
    if (x === y) continue
    const xn = /^\d+$/.test(x)
    const yn = /^\d+$/.test(y)
    if (xn && yn) return Number(x) - Number(y)
    if (xn !== yn) return xn ? -1 : 1
    return x < y ? -1 : 1
  }
  return 0
}

function git(cwd: string, args: string[]): string {
  return execFileSync('git', args, {
    cwd,
    env: process.env,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe']
  }).trimEnd()
}

function gitMaybe(cwd: string, args: string[]): string | undefined {
  const r = spawnSync('git', args, { cwd, env: process.env, encoding: 'utf8', shell: false })
  return r.status === 0 ? r.stdout.trimEnd() : undefined
}

function lines(text: string): string[] {
  return text ? text.split('\n') : []
}

/** v*.*.* tags that are semver versions, highest first. */
export function versionTags(cwd: string, mergedInto?: string): { tag: string; version: Version }[] {
  const args = ['tag', '--list', 'v*.*.*']
  if (mergedInto) args.push('--merged', mergedInto)
  return lines(git(cwd, args))
    .map(tag => ({ tag, version: parseVersion(tag.slice(1)) }))
    .filter((t): t is { tag: string; version: Version } => t.version !== undefined)
    .sort((a, b) => compareVersions(b.version, a.version))
}

function nextPatch(v: Version): string {
  return v.prerelease.length
    ? `${v.major}.${v.minor}.${v.patch}`
    : `${v.major}.${v.minor}.${v.patch + 1}`
}

/** The version to release, or a Refusal saying what is wrong with the argument. */
export function validateVersion(
  input: string,
  latest?: { tag: string; version: Version }
): Version {
  const usage = 'npm run release -- X.Y.Z (add --dry-run to see the plan first)'
  if (!input) throw new Refusal(`no version given: run ${usage}`)
  if (/^v/i.test(input) && parseVersion(input.slice(1))) {
    throw new Refusal(
      `"${input}": give the version without the leading v (npm run release -- ${input.slice(1)}); the tag gets the v`
    )
  }
  if (input.includes('+')) {
    throw new Refusal(
      `"${input}": build metadata (+...) is not allowed in a release version; drop it, or use a prerelease such as ${input.split('+')[0]}-rc.1`
    )
  }
  const v = parseVersion(input)
  if (!v) {
    throw new Refusal(
      `"${input}" is not a semver version: give X.Y.Z (such as 1.2.0) or X.Y.Z-prerelease (such as 1.2.0-rc.1), numbers without leading zeros`
    )
  }
  if (latest && compareVersions(v, latest.version) <= 0) {
    throw new Refusal(
      `${input} is not greater than the last release tag ${latest.tag}: give a higher version (the next patch release would be ${nextPatch(latest.version)})`
    )
  }
  return v
}

export function treeProblem(cwd: string): string | undefined {
  const changed = lines(git(cwd, ['status', '--porcelain', '--untracked-files=all']))
  if (!changed.length) return undefined
  const shown = changed.slice(0, 3).map(l => l.trim())
  if (changed.length > 3) shown.push(`and ${changed.length - 3} more`)
  return `the working tree is not clean (${shown.join(', ')}): commit or stash the changes, then run again`
}

export function branchProblem(cwd: string, mainBranch: string): string | undefined {
  const branch = gitMaybe(cwd, ['symbolic-ref', '--quiet', '--short', 'HEAD'])
  if (branch === undefined) {
    return `HEAD is detached, not on ${mainBranch}: releases are cut from ${mainBranch} (git switch ${mainBranch}), then run again`
  }
  if (branch !== mainBranch) {
    return `on branch ${branch}, not ${mainBranch}: releases are cut from ${mainBranch} (git switch ${mainBranch}, merge what should ship), then run again`
  }
  return undefined
}

export function runCheck(check: Check, cwd: string, stdio: StdioOptions): string | undefined {
  const [command, ...args] = check.argv
  const shown = check.argv.join(' ')
  const r = spawnSync(command, args, { cwd, env: process.env, stdio, shell: false })
  if (r.error) {
    return `${shown} could not be started (${r.error.message}): a release needs ${check.label}; run npm ci, then run again`
  }
  if (r.status !== 0) {
    const how = r.status === null ? `killed by ${r.signal}` : `exit code ${r.status}`
    return `${shown} failed (${how}): a release needs ${check.label}; fix it, commit, then run again`
  }
  return undefined
}

const UNRELEASED = /^## \[?unreleased\]?\s*$/i
const LINK_DEFINITION = /^\[[^\]]+\]:\s*\S/

export const CHANGELOG_TEMPLATE = `# Changelog

All notable changes to this project are recorded here. The format follows
[Keep a Changelog](https://keepachangelog.com/en/1.1.0/) and versions follow
[Semantic Versioning](https://semver.org/spec/v2.0.0.html).

## [Unreleased]
`

/**
 * A commit subject as Markdown that shows it as written: globs such as v*.*.* or qemu-* must not
 * turn into emphasis, <b> into HTML, "# x" into a heading. Code spans (`...`) stay as they are.
 */
export function escapeSubject(subject: string): string {
  return subject
    .split(/(`+[^`]*?`+)/)
    .map((part, i) =>
      i % 2
        ? part
        : part
            .replace(/[\\*[\]]/g, '\\$&')
            .replace(/(?<![A-Za-z0-9])_|_(?![A-Za-z0-9])/g, '\\_')
            .replace(/<(?=[A-Za-z/!?])/g, '\\<')
            .replace(/~~/g, '\\~\\~')
    )
    .join('')
    .replace(/^(?:[#>]|[-+](?= |$))/, '\\$&')
    .replace(/^(\d+)(?=[.)](?: |$))/, '$1\\')
}

/** The section for one release: notes a person wrote under Unreleased, then the commit subjects. */
export function changelogSection(
  version: string,
  date: string,
  subjects: string[],
  notes = ''
): string {
  const list = subjects.map(s => `- ${escapeSubject(s)}`).join('\n')
  const parts = [`## [${version}] - ${date}`]
  if (notes.trim()) parts.push(notes.trim(), '### Commits')
  parts.push(list)
  return parts.join('\n\n')
}

/**
 * CHANGELOG.md with a new release section: right after "## [Unreleased]" (whose notes move into the
 * section, leaving it empty), else before the first release section, else at the end.
 */
export function addRelease(
  changelog: string,
  version: string,
  date: string,
  subjects: string[]
): string {
  const all = changelog.replace(/\s*$/, '').split('\n')
  const isEnd = (l: string) => l.startsWith('## ') || LINK_DEFINITION.test(l)
  const unreleased = all.findIndex(l => UNRELEASED.test(l))
  if (unreleased >= 0) {
    let end = all.findIndex((l, i) => i > unreleased && isEnd(l))
    if (end < 0) end = all.length
    const notes = all.slice(unreleased + 1, end).join('\n')
    const section = changelogSection(version, date, subjects, notes)
    const rest = all.slice(end).join('\n')
    return `${all.slice(0, unreleased + 1).join('\n')}\n\n${section}\n${rest ? `\n${rest}\n` : ''}`
  }
  const section = changelogSection(version, date, subjects)
  const first = all.findIndex(l => l.startsWith('## '))
  if (first < 0) return `${all.join('\n')}\n\n${section}\n`
  return `${all.slice(0, first).join('\n')}\n${section}\n\n${all.slice(first).join('\n')}\n`
}

/** The body of CHANGELOG.md's section for a version (heading excluded), or undefined if none. */
export function extractNotes(changelog: string, version: string, withHeading = false) {
  const bare = version.replace(/^v/, '')
  const escaped = bare.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
  const heading = new RegExp(String.raw`^## \[?v?${escaped}\]?(?:\s|$)`)
  const all = changelog.split('\n')
  const start = all.findIndex(l => heading.test(l))
  if (start < 0) return undefined
  let end = all.findIndex((l, i) => i > start && l.startsWith('## '))
  if (end < 0) end = all.length
  const body = all.slice(withHeading ? start : start + 1, end)
  while (body.length && (LINK_DEFINITION.test(body.at(-1)!) || !body.at(-1)!.trim())) body.pop()
  return body.join('\n').trim()
}

async function formatMarkdown(text: string, path: string): Promise<string> {
  const config = (await prettier.resolveConfig(path)) ?? {}
  return prettier.format(text, { ...config, filepath: path })
}

function setJsonVersion(text: string, version: string, lock: boolean): string {
  const data = JSON.parse(text)
  data.version = version
  if (lock && data.packages?.['']) data.packages[''].version = version
  return `${JSON.stringify(data, null, 2)}\n`
}

/** Everything a release would do, worked out without changing anything. */
export async function planRelease(input: string, options: ReleaseOptions = {}): Promise<Plan> {
  const cwd = resolve(options.cwd ?? '.')
  const mainBranch = options.mainBranch ?? 'main'
  const remote = options.remote ?? 'origin'
  const date = options.date ?? new Date().toISOString().slice(0, 10)

  if (gitMaybe(cwd, ['rev-parse', '--verify', '--quiet', 'HEAD^{commit}']) === undefined) {
    throw new Refusal(
      `${cwd} is not a git repository with a commit: run the release in the project's clone`
    )
  }
  const latest = versionTags(cwd)[0]
  const version = validateVersion(input, latest)
  const tag = `v${version.text}`

  const problems = [treeProblem(cwd), branchProblem(cwd, mainBranch)].filter(
    (p): p is string => p !== undefined
  )

  // A final release lists everything since the last final release, so its notes cover its
  // release candidates too; a prerelease lists what changed since the previous tag of any kind.
  const since = versionTags(cwd, 'HEAD').find(
    t => version.prerelease.length || !t.version.prerelease.length
  )?.tag
  const subjects = lines(
    git(cwd, ['log', '--no-merges', '--format=%s', since ? `${since}..HEAD` : 'HEAD'])
  ).filter(s => s.trim())
  if (!subjects.length) {
    throw new Refusal(`nothing to release: no commits since ${since}; commit the changes first`)
  }

  const packagePath = join(cwd, 'package.json')
  if (!existsSync(packagePath)) {
    throw new Refusal(`no package.json in ${cwd}: run the release from the project's root`)
  }
  const packageText = readFileSync(packagePath, 'utf8')
  const currentVersion: string | undefined = JSON.parse(packageText).version
  const files = [{ path: 'package.json', text: setJsonVersion(packageText, version.text, false) }]
  const lockPath = join(cwd, 'package-lock.json')
  if (existsSync(lockPath)) {
    files.push({
      path: 'package-lock.json',
      text: setJsonVersion(readFileSync(lockPath, 'utf8'), version.text, true)
    })
  }
  const changelogPath = join(cwd, 'CHANGELOG.md')
  const before = existsSync(changelogPath)
    ? readFileSync(changelogPath, 'utf8')
    : CHANGELOG_TEMPLATE
  const changelog = await formatMarkdown(
    addRelease(before, version.text, date, subjects),
    changelogPath
  )
  files.push({ path: 'CHANGELOG.md', text: changelog })
  const section = extractNotes(changelog, version.text, true) ?? ''

  const moves: TagMove[] = version.prerelease.length
    ? []
    : [`v${version.major}.${version.minor}`, `v${version.major}`].map(t => ({
        tag: t,
        from: gitMaybe(cwd, ['rev-parse', '--verify', '--quiet', `refs/tags/${t}^{commit}`])
      }))

  const pushCommands = [`git push --atomic ${remote} refs/heads/${mainBranch} refs/tags/${tag}`]
  if (moves.length) {
    pushCommands.push(
      `git push --force ${remote} ${moves.map(m => `refs/tags/${m.tag}`).join(' ')}`
    )
  }

  return {
    version,
    tag,
    latest: latest?.tag,
    since,
    subjects,
    section,
    files,
    currentVersion,
    moves,
    checks: options.checks ?? DEFAULT_CHECKS,
    problems,
    pushCommands,
    commitMessage: `Release ${tag}`
  }
}

function short(sha: string): string {
  return sha.slice(0, 7)
}

/** The dry run's report: every check, file change, tag and push command a release would make. */
export function describePlan(plan: Plan): string[] {
  const tree = plan.problems.some(p => p.startsWith('the working tree'))
  const branch = plan.problems.some(p => /^(HEAD is detached|on branch)/.test(p))
  const changes = plan.files.filter(f => f.path !== 'CHANGELOG.md').map(f => f.path)
  const n = plan.subjects.length
  const out = [
    `Release plan for ${plan.tag} (dry run: no check command is run; nothing is written, committed, tagged or pushed)`,
    '',
    'Checks:',
    `  ${tree ? 'REFUSE   ' : 'ok       '}  the working tree is clean`,
    `  ${branch ? 'REFUSE   ' : 'ok       '}  HEAD is on the main branch`,
    ...plan.checks.map(c => `  would run  ${c.argv.join(' ')}  (${c.label})`),
    '',
    `Version: ${plan.currentVersion ?? '(none)'} -> ${plan.version.text} in ${changes.join(' and ')}`,
    `Last release tag: ${plan.latest ?? 'none'}; the section lists ${n} commit${n === 1 ? '' : 's'} ${plan.since ? `since ${plan.since}` : 'since the first commit'}`,
    '',
    'CHANGELOG.md, new section (edit it before pushing):',
    '-----',
    plan.section,
    '-----',
    '',
    `Commit: "${plan.commitMessage}" (${plan.files.map(f => f.path).join(', ')})`,
    'Tags:',
    `  create ${plan.tag} (annotated) at the release commit`,
    ...plan.moves.map(m =>
      m.from
        ? `  move   ${m.tag} (lightweight) from ${short(m.from)} to the release commit`
        : `  create ${m.tag} (lightweight) at the release commit`
    )
  ]
  if (!plan.moves.length) {
    const { major, minor } = plan.version
    out.push(`  (a prerelease: v${major} and v${major}.${minor} are not moved)`)
  }
  out.push('', 'Push commands (printed, never run):', ...plan.pushCommands.map(c => `  ${c}`))
  return out
}

/** Runs the release (or, with dryRun, prints its plan). Returns the exit code; throws a Refusal. */
export async function release(input: string, options: ReleaseOptions = {}): Promise<number> {
  const cwd = resolve(options.cwd ?? '.')
  const log = options.log ?? ((line: string) => console.log(line))
  const plan = await planRelease(input, options)

  if (options.dryRun) {
    describePlan(plan).forEach(l => log(l))
    if (plan.problems.length) {
      log('')
      plan.problems.forEach(p => log(`A real run would refuse: ${p}`))
      return 1
    }
    log('')
    log(`Nothing was changed. Run without --dry-run to release ${plan.tag}.`)
    return 0
  }

  if (plan.problems.length) throw new Refusal(plan.problems.join('; '))
  log(`Releasing ${plan.tag}`)
  for (const check of plan.checks) {
    log(`release: checking that ${check.label}: ${check.argv.join(' ')}`)
    const failed = runCheck(check, cwd, options.checkStdio ?? 'inherit')
    if (failed) throw new Refusal(failed)
  }
  const dirtied = treeProblem(cwd)
  if (dirtied) throw new Refusal(`the checks left changes behind: ${dirtied}`)

  for (const f of plan.files) writeFileSync(join(cwd, f.path), f.text)
  git(cwd, ['add', '--', ...plan.files.map(f => f.path)])
  git(cwd, ['commit', '--quiet', '-m', plan.commitMessage])
  git(cwd, ['tag', '--annotate', plan.tag, '-m', plan.commitMessage])
  for (const m of plan.moves) git(cwd, ['tag', '--force', m.tag, `${plan.tag}^{commit}`])
  const commit = git(cwd, ['rev-parse', 'HEAD'])

  const say = (...ls: string[]) => ls.forEach(l => log(l))
  const tagLines = [`  tag    ${plan.tag} (annotated)`]
  for (const m of plan.moves) {
    tagLines.push(
      m.from
        ? `  moved  ${m.tag} (lightweight) from ${short(m.from)}`
        : `  tag    ${m.tag} (lightweight, new)`
    )
  }
  const again = [`git tag --force --annotate ${plan.tag} -m "${plan.commitMessage}"`]
  for (const m of plan.moves) again.push(`git tag --force ${m.tag}`)
  say(
    '',
    `Released ${plan.tag} locally at ${short(commit)}; nothing was pushed.`,
    `  commit ${short(commit)} "${plan.commitMessage}" (${plan.files.map(f => f.path).join(', ')})`,
    ...tagLines,
    '',
    'CHANGELOG.md, new section:',
    '-----',
    plan.section,
    '-----',
    '',
    `Review it: git show ${plan.tag}. To edit the section before pushing: edit CHANGELOG.md, git commit --amend --no-edit CHANGELOG.md, then ${again.join(' && ')}.`,
    '',
    `Push the release commit and ${plan.tag}; that starts the release workflow, which re-runs the checks and publishes the GitHub Release with this section:`,
    `  ${plan.pushCommands[0]}`
  )
  if (plan.pushCommands[1]) {
    say(
      `Then, once the release workflow has passed, move ${plan.moves.map(m => m.tag).join(' and ')} for those who use them:`,
      `  ${plan.pushCommands[1]}`
    )
  }
  return 0
}

const USAGE =
  'usage: npm run release -- X.Y.Z [--dry-run]  |  npm run --silent release -- --notes X.Y.Z'

/** The command line. Returns the exit code. */
export async function main(argv: string[], options: ReleaseOptions = {}): Promise<number> {
  const log = options.log ?? ((line: string) => console.log(line))
  try {
    let dryRun = false
    let notes = false
    const positional: string[] = []
    for (const a of argv) {
      if (a === '--dry-run' || a === '-n') dryRun = true
      else if (a === '--notes') notes = true
      else if (a === '--help' || a === '-h') {
        log(USAGE)
        return 0
      } else if (a.startsWith('-')) throw new Refusal(`unknown option ${a}: ${USAGE}`)
      else positional.push(a)
    }
    if (positional.length > 1) {
      throw new Refusal(`one version expected, got ${positional.join(' ')}: ${USAGE}`)
    }
    if (notes) {
      const version = positional[0] ?? ''
      if (!version) throw new Refusal(`--notes needs a version: ${USAGE}`)
      const path = join(resolve(options.cwd ?? '.'), 'CHANGELOG.md')
      const text = existsSync(path) ? readFileSync(path, 'utf8') : ''
      const body = extractNotes(text, version)
      if (!body) {
        throw new Refusal(
          `CHANGELOG.md has no notes for ${version}: add a "## [${version.replace(/^v/, '')}] - YYYY-MM-DD" section with its changes (npm run release writes one)`
        )
      }
      log(body)
      return 0
    }
    return await release(positional[0] ?? '', { ...options, dryRun, log })
  } catch (e) {
    if (!(e instanceof Refusal)) throw e
    ;(options.error ?? ((line: string) => console.error(line)))(`release: refusing: ${e.message}`)
    return 1
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  main(process.argv.slice(2)).then(
    code => (process.exitCode = code),
    (e: unknown) => {
      console.error(e)
      process.exitCode = 2
    }
  )
}
