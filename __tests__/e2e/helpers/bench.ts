// Per-file fixture and shared assertions for the scenario tests.
import { expect, jest } from '@jest/globals'
import { existsSync, rmSync, writeFileSync } from 'node:fs'
import { emulatorFor } from '../../../src/catalogue.js'
import { type ActionResult, describeRun, removeJobs } from './action.js'
import {
  BINFMT,
  precedence,
  type BinfmtSnapshot,
  readEntry,
  registerEntry,
  restoreBinfmt,
  snapshotBinfmt,
  unordered
} from './binfmt.js'
import { checkBench, lockBench, unlockBench } from './env.js'

export const PWNED = '/tmp/pwned'

/**
 * Registers the hooks every e2e file needs: one file at a time on the machine, the bench checked,
 * the host's binfmt_misc snapshotted before each test and put back after it, job dirs removed.
 * `bench.before` is the snapshot taken before the current test.
 */
export function useBench(): { readonly before: BinfmtSnapshot } {
  let before: BinfmtSnapshot | undefined
  jest.setTimeout(10 * 60_000)
  beforeAll(async () => {
    await lockBench()
    await checkBench()
  }, 30 * 60_000)
  afterAll(() => unlockBench())
  beforeEach(() => {
    before = snapshotBinfmt()
    rmSync(PWNED, { force: true })
  })
  afterEach(() => {
    try {
      if (before) restoreBinfmt(before)
    } finally {
      removeJobs()
      rmSync(PWNED, { force: true })
    }
  })
  return {
    get before() {
      if (!before) throw new Error('no snapshot: use bench.before inside a test')
      return before
    }
  }
}

/** Docker platform -> binfmt_misc handler name. */
export const EMULATOR: Record<string, string> = {
  'linux/arm64': 'qemu-aarch64',
  'linux/arm/v7': 'qemu-arm',
  'linux/arm/v6': 'qemu-arm',
  'linux/ppc64le': 'qemu-ppc64le',
  'linux/s390x': 'qemu-s390x',
  'linux/riscv64': 'qemu-riscv64',
  'linux/386': 'qemu-i386',
  'linux/mips64le': 'qemu-mips64el',
  'linux/loong64': 'qemu-loongarch64'
}

export const list = (value: string | undefined): string[] =>
  (value ?? '')
    .split(',')
    .map(s => s.trim())
    .filter(s => s !== '')

export function machines(r: ActionResult): Record<string, string> {
  try {
    return JSON.parse(r.outputs.machines ?? '') as Record<string, string>
  } catch {
    throw new Error(`output machines is not JSON: ${JSON.stringify(r.outputs.machines)}`)
  }
}

export function expectSuccess(r: ActionResult): void {
  if (r.code !== 0 || r.errors.length > 0) throw new Error(`expected success:\n${describeRun(r)}`)
}

/** Exit 1 with exactly one `::error::` line that matches every pattern. */
export function expectFailure(r: ActionResult, ...patterns: RegExp[]): string {
  const why = `\n${describeRun(r)}`
  if (r.code !== 1) throw new Error(`expected exit code 1, got ${r.code}${why}`)
  if (r.errors.length !== 1)
    throw new Error(`expected one ::error:: line, got ${r.errors.length}${why}`)
  const message = r.errors[0]
  for (const p of patterns) {
    if (!p.test(message)) throw new Error(`error message does not match ${p}: ${message}${why}`)
  }
  return message
}

/** Markdown table rows (header and separator excluded) split into trimmed cells. */
export function summaryRows(summary: string): string[][] {
  const rows = summary
    .split('\n')
    .filter(l => l.trim().startsWith('|'))
    .map(l =>
      l
        .trim()
        .replace(/^\||\|$/g, '')
        .split('|')
        .map(c => c.trim().replace(/`/g, ''))
    )
  const sep = rows.findIndex(cells => cells.every(c => /^:?-+:?$/.test(c)))
  return sep > 0 ? rows.slice(sep + 1) : rows
}

/** The step summary has a table with exactly one row for each of these platforms. */
export function expectSummaryRows(r: ActionResult, platforms: string[]): void {
  const rows = summaryRows(r.summary)
  for (const p of platforms) {
    const n = rows.filter(cells => cells.includes(p)).length
    if (n !== 1) {
      throw new Error(`summary should have one row for ${p}, has ${n}:\n${r.summary}`)
    }
  }
}

/** The host shows an enabled handler for this emulator. */
export function expectHandler(
  name: string,
  want: { flagsInclude?: string; flagsExclude?: string; interpreter?: string | RegExp } = {}
): void {
  const e = readEntry(name)
  expect({ name, registered: e !== undefined, enabled: e?.enabled }).toEqual({
    name,
    registered: true,
    enabled: true
  })
  const flags = e?.flags ?? ''
  const missing = [...(want.flagsInclude ?? '')].filter(f => !flags.includes(f))
  const unwanted = [...(want.flagsExclude ?? '')].filter(f => flags.includes(f))
  expect({ name, flags, missing, unwanted }).toEqual({ name, flags, missing: [], unwanted: [] })
  if (typeof want.interpreter === 'string') expect(e?.interpreter).toBe(want.interpreter)
  else if (want.interpreter) expect(e?.interpreter).toMatch(want.interpreter)
}

/** Only entries are compared: mounting binfmt_misc where it was not is fine ("as it was or better"). */
export function expectNoEntryChanges(before: BinfmtSnapshot): void {
  expect(snapshotBinfmt().entries).toEqual(before.entries)
}

/**
 * Mounted or not, the same entries with the same texts, and status. The order of the entries is
 * not compared (the action's cleanup re-registers what it replaced as the newest entries); the
 * harness's own restore puts the order back too, and test-support/e2e-run.ts checks it.
 */
export function expectHostUnchanged(before: BinfmtSnapshot): void {
  expect(unordered(snapshotBinfmt())).toEqual(unordered(before))
}

/**
 * As before, byte for byte, and overlapping entries in their original precedence (the order of
 * entries that could never match the same file does not matter to the kernel).
 */
export function expectHostRestored(before: BinfmtSnapshot): void {
  const now = snapshotBinfmt()
  expect(unordered(now)).toEqual(unordered(before))
  expect(precedence(now)).toEqual(precedence(before))
}

export const pwned = (): boolean => existsSync(PWNED)

/** Registers qemu-<cpu> by hand, as another tool (or a broken setup) would have left it. */
export function handBuilt(cpu: string, interpreter: string, flags: string, enabled = true): void {
  const e = emulatorFor(cpu)
  registerEntry(`:qemu-${cpu}:M::${e.magic}:${e.mask}:${interpreter}:${flags}`)
  if (!enabled) writeFileSync(`${BINFMT}/qemu-${cpu}`, '0')
}
