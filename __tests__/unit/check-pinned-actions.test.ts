import { fileURLToPath } from 'node:url'
import { checkRepository, checkText } from '../../scripts/check-pinned-actions.js'

const SHA = 'd23441a48e516b6c34aea4fa41551a30e30af803'

describe('check-pinned-actions', () => {
  test('a SHA with a version comment passes; local actions and docker:// are exempt', () => {
    const text = [
      'steps:',
      `  - uses: actions/checkout@${SHA} # v6.1.0`,
      `  - uses: "actions/setup-node@${SHA}"   #v6`,
      '  - uses: ./',
      '  - uses: ./.github/actions/local',
      '  - uses: docker://alpine:3.22',
      `  - { name: flow, uses: owner/repo/sub/dir@${SHA} } # v2.0.0`
    ].join('\n')
    expect(checkText(text, 'w.yml')).toEqual({ findings: [], checked: 3 })
  })

  test('tags, branches, short SHAs, missing refs and missing version comments fail, by line', () => {
    const text = [
      'jobs:',
      '  a:',
      '    steps:',
      '      - uses: actions/checkout@v6',
      `      - uses: actions/setup-node@${SHA.slice(0, 7)} # v6`,
      '      - uses: docker/setup-qemu-action@main',
      '      - uses: some/action',
      `      - uses: actions/cache@${SHA}`,
      `      - uses: actions/cache@${SHA} # pinned`,
      '  reusable:',
      "    uses: 'org/repo/.github/workflows/x.yml@v1'"
    ].join('\n')
    const { findings, checked } = checkText(text, 'w.yml')
    expect(checked).toBe(7)
    expect(findings.map(f => [f.line, f.uses])).toEqual([
      [4, 'actions/checkout@v6'],
      [5, `actions/setup-node@${SHA.slice(0, 7)}`],
      [6, 'docker/setup-qemu-action@main'],
      [7, 'some/action'],
      [8, `actions/cache@${SHA}`],
      [9, `actions/cache@${SHA}`],
      [11, 'org/repo/.github/workflows/x.yml@v1']
    ])
    expect(findings[0].problem).toBe(
      'is not pinned to a full commit SHA: write actions/checkout@<the 40-hex SHA that v6 points to> # v6'
    )
    expect(findings[3].problem).toMatch(/^has no ref/)
    expect(findings[4].problem).toMatch(/^is pinned, but says no version/)
  })

  test('a commented-out uses: is not checked', () => {
    expect(checkText('# - uses: actions/checkout@v6\n  # uses: x@y', 'w.yml').checked).toBe(0)
  })

  test("this repository's own workflows are all pinned", () => {
    const root = fileURLToPath(new URL('../..', import.meta.url))
    const { findings, checked } = checkRepository(root)
    expect(findings).toEqual([])
    expect(checked).toBeGreaterThan(0)
  })
})
