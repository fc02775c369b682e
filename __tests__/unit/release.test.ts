// scripts/release.ts against throwaway git repositories in temp dirs: the refusals, the tags it
// creates and moves, the CHANGELOG section, and a dry run that changes nothing.
import { execFileSync } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import {
  addRelease,
  compareVersions,
  extractNotes,
  main,
  parseVersion,
  type Check,
  type ReleaseOptions
} from '../../scripts/release.js'

// Hermetic git: neither a hook's GIT_DIR/GIT_INDEX_FILE (npm test run from a git hook) nor the
// user's global or system config may reach the throwaway repositories.
for (const k of Object.keys(process.env)) if (k.startsWith('GIT_')) delete process.env[k]
process.env.GIT_CONFIG_NOSYSTEM = '1'
process.env.GIT_CONFIG_GLOBAL = '/dev/null'

const PASS: Check = { label: 'the stand-in check passes', argv: ['true'] }
const FAIL: Check = { label: 'the tests pass', argv: ['false'] }
const DATE = '2026-01-02'

const repos: string[] = []
afterAll(() => repos.forEach(r => rmSync(r, { recursive: true, force: true })))

function git(repo: string, ...args: string[]): string {
  return execFileSync('git', args, { cwd: repo, env: process.env, encoding: 'utf8' }).trimEnd()
}

function commit(repo: string, subject: string, file = 'file.txt'): string {
  const path = join(repo, file)
  writeFileSync(path, `${existsSync(path) ? readFileSync(path, 'utf8') : ''}${subject}\n`)
  git(repo, 'add', file)
  git(repo, 'commit', '--quiet', '-m', subject)
  return git(repo, 'rev-parse', 'HEAD')
}

/** A repository on main with package.json and one commit, git identity configured locally. */
function makeRepo(): string {
  const repo = mkdtempSync(join(tmpdir(), 'release-test-'))
  repos.push(repo)
  git(repo, 'init', '--quiet', '--initial-branch=main')
  git(repo, 'config', 'user.name', 'Release Test')
  git(repo, 'config', 'user.email', 'release-test@example.com')
  git(repo, 'config', 'commit.gpgsign', 'false')
  git(repo, 'config', 'tag.gpgsign', 'false')
  writeFileSync(join(repo, 'package.json'), '{\n  "name": "x",\n  "version": "0.1.0"\n}\n')
  git(repo, 'add', 'package.json')
  git(repo, 'commit', '--quiet', '-m', 'Initial commit')
  return repo
}

/** Runs the command line in repo; returns the exit code, what it printed and what it refused. */
async function run(repo: string, argv: string[], options: ReleaseOptions = {}) {
  const out: string[] = []
  const err: string[] = []
  const code = await main(argv, {
    cwd: repo,
    checks: [PASS, PASS],
    checkStdio: 'ignore',
    date: DATE,
    log: l => out.push(l),
    error: l => err.push(l),
    ...options
  })
  return { code, out: out.join('\n'), err: err.join('\n') }
}

/** Every ref, HEAD, the status and the files a release touches: equal means nothing changed. */
function state(repo: string) {
  const read = (f: string) =>
    existsSync(join(repo, f)) ? readFileSync(join(repo, f), 'utf8') : undefined
  return {
    refs: git(repo, 'for-each-ref', '--format=%(refname) %(objectname)'),
    head: git(repo, 'rev-parse', 'HEAD'),
    status: git(repo, 'status', '--porcelain', '--untracked-files=all', '--ignored'),
    pkg: read('package.json'),
    changelog: read('CHANGELOG.md')
  }
}

const tagType = (repo: string, tag: string) => git(repo, 'cat-file', '-t', `refs/tags/${tag}`)
const tagCommit = (repo: string, tag: string) => git(repo, 'rev-parse', `${tag}^{commit}`)

describe('refusals: one line, nothing changed', () => {
  async function refused(repo: string, argv: string[], options: ReleaseOptions = {}) {
    const before = state(repo)
    const r = await run(repo, argv, options)
    expect(r.code).toBe(1)
    expect(r.err.split('\n')).toHaveLength(1)
    expect(state(repo)).toEqual(before)
    return r.err
  }

  test('a dirty tree: modified and untracked files', async () => {
    const repo = makeRepo()
    writeFileSync(join(repo, 'package.json'), '{}\n')
    expect(await refused(repo, ['1.0.0'])).toBe(
      'release: refusing: the working tree is not clean (M package.json): commit or stash the changes, then run again'
    )
    git(repo, 'checkout', '--', 'package.json')
    writeFileSync(join(repo, 'stray.txt'), 'x\n')
    expect(await refused(repo, ['1.0.0'])).toMatch(/not clean \(\?\? stray\.txt\)/)
  })

  test('not on main, or detached', async () => {
    const repo = makeRepo()
    git(repo, 'switch', '--quiet', '-c', 'feature')
    expect(await refused(repo, ['1.0.0'])).toBe(
      'release: refusing: on branch feature, not main: releases are cut from main (git switch main, merge what should ship), then run again'
    )
    git(repo, 'switch', '--quiet', '--detach', 'main')
    expect(await refused(repo, ['1.0.0'])).toMatch(/HEAD is detached, not on main/)
  })

  test('a failing test command, and the checks are not run while the tree is dirty', async () => {
    const repo = makeRepo()
    expect(await refused(repo, ['1.0.0'], { checks: [PASS, FAIL] })).toBe(
      'release: refusing: false failed (exit code 1): a release needs the tests pass; fix it, commit, then run again'
    )
    const ran = join(repo, 'ran')
    writeFileSync(join(repo, 'dirty'), '')
    await refused(repo, ['1.0.0'], { checks: [{ label: 'x', argv: ['touch', ran] }] })
    expect(existsSync(ran)).toBe(false)
  })

  test('a failing dist check stops before the tests run', async () => {
    const repo = makeRepo()
    const ran = join(tmpdir(), `release-test-ran-${process.pid}`)
    const dist: Check = { label: 'dist/ matches a fresh build of src/', argv: ['false'] }
    const tests: Check = { label: 'the tests pass', argv: ['touch', ran] }
    expect(await refused(repo, ['1.0.0'], { checks: [dist, tests] })).toBe(
      'release: refusing: false failed (exit code 1): a release needs dist/ matches a fresh build of src/; fix it, commit, then run again'
    )
    expect(existsSync(ran)).toBe(false)
  })

  test('a check command that does not exist', async () => {
    const repo = makeRepo()
    const missing: Check = { label: 'the tests pass', argv: ['no-such-command-here'] }
    expect(await refused(repo, ['1.0.0'], { checks: [missing] })).toMatch(
      /^release: refusing: no-such-command-here could not be started \(.*ENOENT\): a release needs the tests pass; run npm ci, then run again$/
    )
  })

  test('checks that leave changes behind', async () => {
    const repo = makeRepo()
    const dirty: Check = { label: 'the tests pass', argv: ['touch', join(repo, 'left-behind')] }
    const r = await run(repo, ['1.0.0'], { checks: [dirty] })
    expect(r.code).toBe(1)
    expect(r.err).toMatch(/the checks left changes behind: the working tree is not clean/)
    expect(git(repo, 'tag')).toBe('')
  })

  test.each([
    ['', 'no version given: run npm run release -- X.Y.Z (add --dry-run to see the plan first)'],
    ['1.2', '"1.2" is not a semver version: give X.Y.Z'],
    ['1.2.3.4', '"1.2.3.4" is not a semver version'],
    ['01.2.3', '"01.2.3" is not a semver version'],
    ['1.2.x', '"1.2.x" is not a semver version'],
    ['1.2.3-', '"1.2.3-" is not a semver version'],
    ['latest', '"latest" is not a semver version'],
    ['v1.2.3', '"v1.2.3": give the version without the leading v (npm run release -- 1.2.3)'],
    ['1.2.3+build.5', '"1.2.3+build.5": build metadata (+...) is not allowed']
  ])('a bad version %p', async (version, message) => {
    const repo = makeRepo()
    const err = await refused(repo, version ? [version] : [])
    expect(err.startsWith(`release: refusing: ${message}`)).toBe(true)
  })

  test.each([
    ['1.1.0', 'the same as the last tag'],
    ['1.0.9', 'lower'],
    ['1.1.0-rc.1', 'a prerelease of the last release'],
    ['0.9.0', 'lower major']
  ])('a version that does not increase: %p (%s)', async version => {
    const repo = makeRepo()
    commit(repo, 'Work')
    git(repo, 'tag', '-a', 'v1.1.0', '-m', 'Release v1.1.0')
    commit(repo, 'More work')
    expect(await refused(repo, [version])).toBe(
      `release: refusing: ${version} is not greater than the last release tag v1.1.0: give a higher version (the next patch release would be 1.1.1)`
    )
  })

  test('the last tag is the highest version, not the newest tag', async () => {
    const repo = makeRepo()
    git(repo, 'tag', '-a', 'v2.0.0', '-m', 'Release v2.0.0')
    commit(repo, 'Backport')
    git(repo, 'tag', '-a', 'v1.5.0', '-m', 'Release v1.5.0')
    expect(await refused(repo, ['1.6.0'])).toMatch(/not greater than the last release tag v2\.0\.0/)
  })

  test('nothing to release: no commits since the last tag', async () => {
    const repo = makeRepo()
    git(repo, 'tag', '-a', 'v1.0.0', '-m', 'Release v1.0.0')
    expect(await refused(repo, ['1.0.1'])).toBe(
      'release: refusing: nothing to release: no commits since v1.0.0; commit the changes first'
    )
  })

  test('unknown options and extra arguments', async () => {
    const repo = makeRepo()
    expect(await refused(repo, ['1.0.0', '--push'])).toMatch(
      /^release: refusing: unknown option --push: usage: npm run release -- X\.Y\.Z \[--dry-run\]/
    )
    expect(await refused(repo, ['1.0.0', '1.0.1'])).toMatch(
      /one version expected, got 1\.0\.0 1\.0\.1/
    )
  })
})

describe('a release', () => {
  test('the first: version, changelog from all commits, commit, annotated vX.Y.Z, lightweight vX and vX.Y', async () => {
    const repo = makeRepo()
    commit(repo, 'Add the thing')
    commit(repo, 'Fix the thing')
    const r = await run(repo, ['1.0.0'])
    expect(r).toMatchObject({ code: 0, err: '' })

    expect(git(repo, 'log', '-1', '--format=%s')).toBe('Release v1.0.0')
    expect(git(repo, 'status', '--porcelain')).toBe('')
    expect(git(repo, 'show', '--name-only', '--format=', 'HEAD').split('\n').sort()).toEqual([
      'CHANGELOG.md',
      'package.json'
    ])
    expect(JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8')).version).toBe('1.0.0')

    const head = git(repo, 'rev-parse', 'HEAD')
    expect(git(repo, 'tag', '--list').split('\n').sort()).toEqual(['v1', 'v1.0', 'v1.0.0'])
    expect(tagType(repo, 'v1.0.0')).toBe('tag')
    expect(git(repo, 'tag', '-l', '--format=%(contents:subject)', 'v1.0.0')).toBe('Release v1.0.0')
    for (const t of ['v1', 'v1.0']) expect(tagType(repo, t)).toBe('commit')
    for (const t of ['v1.0.0', 'v1', 'v1.0']) expect(tagCommit(repo, t)).toBe(head)

    const changelog = readFileSync(join(repo, 'CHANGELOG.md'), 'utf8')
    expect(changelog).toMatch(/^# Changelog\n[\s\S]*Keep a Changelog[\s\S]*\n## \[Unreleased\]\n\n/)
    expect(extractNotes(changelog, '1.0.0', true)).toBe(
      '## [1.0.0] - 2026-01-02\n\n- Fix the thing\n- Add the thing\n- Initial commit'
    )

    expect(r.out).toContain(
      [
        'Push the release commit and v1.0.0; that starts the release workflow, which re-runs the checks and publishes the GitHub Release with this section:',
        '  git push --atomic origin refs/heads/main refs/tags/v1.0.0',
        'Then, once the release workflow has passed, move v1.0 and v1 for those who use them:',
        '  git push --force origin refs/tags/v1.0 refs/tags/v1'
      ].join('\n')
    )
    expect(r.out).toContain('nothing was pushed')
  })

  test('the next minor moves v1 from the 1.0.0 commit to the 1.1.0 commit; v1.0 stays', async () => {
    const repo = makeRepo()
    commit(repo, 'First feature')
    expect((await run(repo, ['1.0.0'])).code).toBe(0)
    const first = tagCommit(repo, 'v1.0.0')
    commit(repo, 'Second feature')
    commit(repo, 'A fix', 'other.txt')

    const r = await run(repo, ['1.1.0'])
    expect(r.code).toBe(0)
    const second = git(repo, 'rev-parse', 'HEAD')
    expect(second).not.toBe(first)
    expect(tagCommit(repo, 'v1.1.0')).toBe(second)
    expect(tagCommit(repo, 'v1.1')).toBe(second)
    expect(tagCommit(repo, 'v1')).toBe(second)
    expect(tagType(repo, 'v1')).toBe('commit')
    expect(tagCommit(repo, 'v1.0')).toBe(first)
    expect(tagCommit(repo, 'v1.0.0')).toBe(first)
    expect(r.out).toContain(`  moved  v1 (lightweight) from ${first.slice(0, 7)}`)
    expect(r.out).toContain('  tag    v1.1 (lightweight, new)')

    // the section lists only the commits since v1.0.0, newest first; older sections stay
    const changelog = readFileSync(join(repo, 'CHANGELOG.md'), 'utf8')
    expect(extractNotes(changelog, '1.1.0')).toBe('- A fix\n- Second feature')
    expect(extractNotes(changelog, '1.0.0')).toBe('- First feature\n- Initial commit')
    expect(changelog.indexOf('## [Unreleased]')).toBeLessThan(changelog.indexOf('## [1.1.0]'))
    expect(changelog.indexOf('## [1.1.0]')).toBeLessThan(changelog.indexOf('## [1.0.0]'))
  })

  test('a major moves nothing of the old major; a patch moves vX.Y and vX', async () => {
    const repo = makeRepo()
    commit(repo, 'One')
    await run(repo, ['1.2.0'])
    const v12 = tagCommit(repo, 'v1.2.0')
    commit(repo, 'Breaking')
    expect((await run(repo, ['2.0.0'])).code).toBe(0)
    const v2 = git(repo, 'rev-parse', 'HEAD')
    expect(tagCommit(repo, 'v1')).toBe(v12)
    expect(tagCommit(repo, 'v2')).toBe(v2)
    expect(tagCommit(repo, 'v2.0')).toBe(v2)
    commit(repo, 'Patch')
    expect((await run(repo, ['2.0.1'])).code).toBe(0)
    const v201 = git(repo, 'rev-parse', 'HEAD')
    expect([tagCommit(repo, 'v2'), tagCommit(repo, 'v2.0')]).toEqual([v201, v201])
  })

  test('a prerelease is tagged but does not move vX or vX.Y; the final release lists its commits too', async () => {
    const repo = makeRepo()
    commit(repo, 'Base')
    await run(repo, ['1.0.0'])
    const v1 = tagCommit(repo, 'v1')
    commit(repo, 'Candidate work')
    const r = await run(repo, ['1.1.0-rc.1'])
    expect(r.code).toBe(0)
    expect(tagType(repo, 'v1.1.0-rc.1')).toBe('tag')
    expect(tagCommit(repo, 'v1')).toBe(v1)
    expect(git(repo, 'tag', '--list', 'v1.1')).toBe('')
    expect(r.out).not.toContain('git push --force')

    commit(repo, 'Final fix')
    expect((await run(repo, ['1.1.0'])).code).toBe(0)
    const changelog = readFileSync(join(repo, 'CHANGELOG.md'), 'utf8')
    expect(extractNotes(changelog, '1.1.0-rc.1')).toBe('- Candidate work')
    expect(extractNotes(changelog, '1.1.0')).toBe(
      '- Final fix\n- Release v1.1.0-rc.1\n- Candidate work'
    )
    expect(tagCommit(repo, 'v1')).toBe(git(repo, 'rev-parse', 'HEAD'))
  })

  test('notes written under Unreleased move into the section; Unreleased stays, empty', async () => {
    const repo = makeRepo()
    writeFileSync(
      join(repo, 'CHANGELOG.md'),
      [
        '# Changelog',
        '',
        'Our header.',
        '',
        '## [Unreleased]',
        '',
        '### Added',
        '',
        '- The `verify` input.',
        '',
        '## [0.1.0] - 2025-12-01',
        '',
        '- Old.',
        '',
        '[0.1.0]: https://example.com/v0.1.0',
        ''
      ].join('\n')
    )
    git(repo, 'add', 'CHANGELOG.md')
    git(repo, 'commit', '--quiet', '-m', 'Write notes')
    git(repo, 'tag', '-a', 'v0.1.0', '-m', 'Release v0.1.0', 'HEAD~1')
    expect((await run(repo, ['0.2.0'])).code).toBe(0)
    expect(readFileSync(join(repo, 'CHANGELOG.md'), 'utf8')).toBe(
      [
        '# Changelog',
        '',
        'Our header.',
        '',
        '## [Unreleased]',
        '',
        '## [0.2.0] - 2026-01-02',
        '',
        '### Added',
        '',
        '- The `verify` input.',
        '',
        '### Commits',
        '',
        '- Write notes',
        '',
        '## [0.1.0] - 2025-12-01',
        '',
        '- Old.',
        '',
        '[0.1.0]: https://example.com/v0.1.0',
        ''
      ].join('\n')
    )
  })

  test('subjects read as written: globs, HTML, headings and list markers are escaped, code spans kept', async () => {
    const repo = makeRepo()
    git(repo, 'tag', '-a', 'v0.1.0', '-m', 'Release v0.1.0')
    const subjects = [
      'Release workflow on pushed v*.*.* tags',
      'Keep qemu-* handlers; binfmt_misc stays, _this_ is not emphasis',
      'Add `verify_image *x*` and <b>bold</b>, [not](a link), ~~not struck~~',
      '# not a heading',
      '- not a list',
      '1. not a numbered list',
      'inputs -> registrar -> verifier'
    ]
    subjects.forEach((s, i) => commit(repo, s, `f${i}.txt`))
    expect((await run(repo, ['0.2.0'])).code).toBe(0)
    expect(extractNotes(readFileSync(join(repo, 'CHANGELOG.md'), 'utf8'), '0.2.0')).toBe(
      [
        '- inputs -> registrar -> verifier',
        '- 1\\. not a numbered list',
        '- \\- not a list',
        '- \\# not a heading',
        '- Add `verify_image *x*` and \\<b>bold\\</b>, \\[not\\](a link), \\~\\~not struck\\~\\~',
        '- Keep qemu-\\* handlers; binfmt_misc stays, \\_this\\_ is not emphasis',
        '- Release workflow on pushed v\\*.\\*.\\* tags'
      ].join('\n')
    )
  })

  test('package-lock.json gets the version too, formatted as npm writes it', async () => {
    const repo = makeRepo()
    const lock = {
      name: 'x',
      version: '0.1.0',
      lockfileVersion: 3,
      requires: true,
      packages: { '': { name: 'x', version: '0.1.0' } }
    }
    writeFileSync(join(repo, 'package-lock.json'), `${JSON.stringify(lock, null, 2)}\n`)
    git(repo, 'add', 'package-lock.json')
    git(repo, 'commit', '--quiet', '-m', 'Lock')
    expect((await run(repo, ['0.2.0'])).code).toBe(0)
    const after = readFileSync(join(repo, 'package-lock.json'), 'utf8')
    const expected = {
      ...lock,
      version: '0.2.0',
      packages: { '': { name: 'x', version: '0.2.0' } }
    }
    expect(after).toBe(`${JSON.stringify(expected, null, 2)}\n`)
  })
})

describe('--dry-run', () => {
  test('prints the plan (checks, section, tags, push commands), runs no check and changes nothing', async () => {
    const repo = makeRepo()
    commit(repo, 'First feature')
    await run(repo, ['1.0.0'])
    const v1 = tagCommit(repo, 'v1')
    commit(repo, 'Second feature')
    const ran = join(repo, 'ran')
    const before = state(repo)

    const r = await run(repo, ['1.1.0', '--dry-run'], {
      checks: [{ label: 'the tests pass', argv: ['touch', ran] }]
    })
    expect(r).toMatchObject({ code: 0, err: '' })
    expect(state(repo)).toEqual(before)
    expect(existsSync(ran)).toBe(false)
    expect(r.out).toBe(
      [
        'Release plan for v1.1.0 (dry run: no check command is run; nothing is written, committed, tagged or pushed)',
        '',
        'Checks:',
        '  ok         the working tree is clean',
        '  ok         HEAD is on the main branch',
        `  would run  touch ${ran}  (the tests pass)`,
        '',
        'Version: 1.0.0 -> 1.1.0 in package.json',
        'Last release tag: v1.0.0; the section lists 1 commit since v1.0.0',
        '',
        'CHANGELOG.md, new section (edit it before pushing):',
        '-----',
        '## [1.1.0] - 2026-01-02',
        '',
        '- Second feature',
        '-----',
        '',
        'Commit: "Release v1.1.0" (package.json, CHANGELOG.md)',
        'Tags:',
        '  create v1.1.0 (annotated) at the release commit',
        '  create v1.1 (lightweight) at the release commit',
        `  move   v1 (lightweight) from ${v1.slice(0, 7)} to the release commit`,
        '',
        'Push commands (printed, never run):',
        '  git push --atomic origin refs/heads/main refs/tags/v1.1.0',
        '  git push --force origin refs/tags/v1.1 refs/tags/v1',
        '',
        'Nothing was changed. Run without --dry-run to release v1.1.0.'
      ].join('\n')
    )
  })

  test('off main it still prints the plan, then the refusal, and exits 1', async () => {
    const repo = makeRepo()
    git(repo, 'switch', '--quiet', '-c', 'release-tooling')
    const before = state(repo)
    const r = await run(repo, ['1.0.0', '--dry-run'])
    expect(r.code).toBe(1)
    expect(state(repo)).toEqual(before)
    expect(r.out).toContain('  REFUSE     HEAD is on the main branch')
    expect(r.out).toContain('## [1.0.0] - 2026-01-02\n\n- Initial commit')
    expect(r.out).toContain('git push --force origin refs/tags/v1.0 refs/tags/v1')
    expect(r.out.split('\n').at(-1)).toBe(
      'A real run would refuse: on branch release-tooling, not main: releases are cut from main (git switch main, merge what should ship), then run again'
    )
  })

  test('a bad version is refused even in a dry run', async () => {
    const repo = makeRepo()
    const r = await run(repo, ['1.0', '--dry-run'])
    expect(r.code).toBe(1)
    expect(r.out).toBe('')
    expect(r.err).toMatch(/^release: refusing: "1\.0" is not a semver version/)
  })
})

describe('--notes (the release workflow reads the GitHub Release text with it)', () => {
  const changelog = [
    '# Changelog',
    '',
    '## [Unreleased]',
    '',
    '## [1.1.0] - 2026-01-02',
    '',
    '### Fixed',
    '',
    '- A thing.',
    '',
    '## [1.0.0] - 2025-12-01',
    '',
    '- First.',
    '',
    '[1.1.0]: https://example.com/compare/v1.0.0...v1.1.0',
    '[1.0.0]: https://example.com/v1.0.0',
    ''
  ].join('\n')

  test('prints the section body for vX.Y.Z or X.Y.Z; link definitions are not part of it', async () => {
    const repo = makeRepo()
    writeFileSync(join(repo, 'CHANGELOG.md'), changelog)
    expect(await run(repo, ['--notes', 'v1.1.0'])).toEqual({
      code: 0,
      out: '### Fixed\n\n- A thing.',
      err: ''
    })
    expect((await run(repo, ['--notes', '1.0.0'])).out).toBe('- First.')
  })

  test('a version without a section, or an empty one, fails', async () => {
    const repo = makeRepo()
    writeFileSync(join(repo, 'CHANGELOG.md'), changelog.replace('### Fixed\n\n- A thing.\n', ''))
    for (const v of ['v1.1.0', 'v1.2.0', 'v1.1']) {
      const r = await run(repo, ['--notes', v])
      expect(r.code).toBe(1)
      expect(r.err).toMatch(/^release: refusing: CHANGELOG.md has no notes for v1\.[12]/)
    }
  })
})

describe('versions', () => {
  test('semver precedence, prereleases included', () => {
    const order = [
      '0.9.9',
      '1.0.0-alpha',
      '1.0.0-alpha.1',
      '1.0.0-alpha.beta',
      '1.0.0-beta',
      '1.0.0-beta.2',
      '1.0.0-beta.11',
      '1.0.0-rc.1',
      '1.0.0',
      '1.0.1',
      '1.10.0',
      '2.0.0'
    ].map(v => parseVersion(v)!)
    for (let i = 1; i < order.length; i++) {
      expect(compareVersions(order[i - 1], order[i])).toBeLessThan(0)
      expect(compareVersions(order[i], order[i - 1])).toBeGreaterThan(0)
    }
    expect(compareVersions(parseVersion('1.0.0')!, parseVersion('1.0.0')!)).toBe(0)
  })

  test('addRelease without an Unreleased heading inserts before the first section', () => {
    expect(addRelease('# Log\n\n## [1.0.0] - x\n\n- a\n', '1.1.0', DATE, ['b'])).toBe(
      '# Log\n\n## [1.1.0] - 2026-01-02\n\n- b\n\n## [1.0.0] - x\n\n- a\n'
    )
    expect(addRelease('# Log\n', '1.0.0', DATE, ['a'])).toBe(
      '# Log\n\n## [1.0.0] - 2026-01-02\n\n- a\n'
    )
  })
})
