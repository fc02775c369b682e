// The pure parts of test-support/ (the e2e harness): they run without root or a kernel here, so
// their logic is checked on every npm test, not only on the e2e bench.
import { describe, expect, it } from '@jest/globals'
import {
  type BinfmtSnapshot,
  diffSnapshots,
  formatFileLine,
  parseEntry,
  planRestore,
  registerLine
} from '../../test-support/binfmt.js'
import { catalogueTableText } from '../../test-support/catalogue-table.js'
import { inputEnvName, parseFileCommands } from '../../test-support/runner.js'
import { EMULATORS } from '../../src/catalogue.js'

const AARCH64 = [
  'enabled',
  'interpreter /usr/bin/qemu-aarch64-static',
  'flags: OCF',
  'offset 0',
  'magic 7f454c460201010000000000000000000200b700',
  'mask ffffffffffffff00fffffffffffffffffeffffff',
  ''
].join('\n')
const NO_MASK = 'enabled\ninterpreter /bin/false\nflags: \noffset 4\nmagic 0506\n'
const EXT = 'disabled\ninterpreter /bin/true\nflags: \nextension .e2etest\n'

/** A mounted snapshot from entries listed newest first. */
function snap(...entries: [string, string][]): BinfmtSnapshot {
  return {
    mounted: true,
    listing: [...entries.map(([n]) => n), 'register', 'status'],
    entries: Object.fromEntries(entries),
    status: 'enabled\n'
  }
}

describe('register lines from kernel texts', () => {
  it('magic and mask as \\xHH text; no mask stays no mask; extension entries as E', () => {
    expect(registerLine('qemu-aarch64', AARCH64)).toBe(
      ':qemu-aarch64:M:0:\\x7f\\x45\\x4c\\x46\\x02\\x01\\x01\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00' +
        '\\x00\\x02\\x00\\xb7\\x00:\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\x00\\xff\\xff\\xff\\xff\\xff\\xff' +
        '\\xff\\xff\\xfe\\xff\\xff\\xff:/usr/bin/qemu-aarch64-static:OCF'
    )
    expect(registerLine('e2e-nomask', NO_MASK)).toBe(':e2e-nomask:M:4:\\x05\\x06::/bin/false:')
    expect(registerLine('e2e-ext', EXT)).toBe(':e2e-ext:E::e2etest::/bin/true:')
    expect(parseEntry(EXT)).toMatchObject({ enabled: false, extension: '.e2etest' })
  })

  it("a binfmt-support format file as update-binfmts registers it (Debian's qemu: PF)", () => {
    const format = [
      'package qemu-user-static',
      'interpreter /usr/libexec/qemu-binfmt/aarch64-binfmt-P',
      'magic \\x7f\\x45\\x4c\\x46\\x02\\x01\\x01\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x02\\x00\\xb7\\x00',
      'offset 0',
      'mask \\xff\\xff\\xff\\xff\\xff\\xff\\xff\\x00\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xfe\\xff\\xff\\xff',
      'credentials no',
      'fix_binary yes',
      'preserve yes',
      ''
    ].join('\n')
    const line = formatFileLine('qemu-aarch64', format)
    expect(line).toMatch(
      /^:qemu-aarch64:M:0:\\x7f\\x45.*:\/usr\/libexec\/qemu-binfmt\/aarch64-binfmt-P:PF$/
    )
    // The same entry read back from the kernel gives the same bytes.
    expect(line.split(':').slice(4, 6)).toEqual(
      registerLine('qemu-aarch64', AARCH64).split(':').slice(4, 6)
    )
  })
})

describe('planRestore', () => {
  const a: [string, string] = ['a', NO_MASK]
  const b: [string, string] = ['b', AARCH64]
  const c: [string, string] = ['c', EXT]

  it('nothing to do when nothing changed', () => {
    expect(planRestore(snap(c, b, a), snap(c, b, a))).toEqual([])
  })

  it('removes what was added, switches enabled/disabled in place', () => {
    const enabledC: [string, string] = ['c', EXT.replace('disabled', 'enabled')]
    expect(planRestore(snap(['x', NO_MASK], enabledC, b, a), snap(c, b, a))).toEqual([
      { op: 'remove', name: 'x' },
      { op: 'disable', name: 'c' }
    ])
  })

  it('re-registers a removed newest entry', () => {
    expect(planRestore(snap(b, a), snap(c, b, a))).toEqual([
      { op: 'register', name: 'c', line: registerLine('c', EXT), disabled: true }
    ])
  })

  it('an older entry removed: the newer ones go too, then all come back oldest first', () => {
    expect(planRestore(snap(c, b), snap(c, b, a)).map(s => `${s.op} ${s.name}`)).toEqual([
      'remove c',
      'remove b',
      'register a',
      'register b',
      'register c'
    ])
  })

  it('a changed entry is replaced and regains its place', () => {
    const changedB: [string, string] = ['b', AARCH64.replace('OCF', 'F')]
    expect(planRestore(snap(c, changedB, a), snap(c, b, a)).map(s => `${s.op} ${s.name}`)).toEqual([
      'remove b',
      'remove c',
      'register b',
      'register c'
    ])
  })

  it('same entries in another order: re-registered from the first difference', () => {
    expect(planRestore(snap(b, c, a), snap(c, b, a)).map(s => `${s.op} ${s.name}`)).toEqual([
      'remove b',
      'remove c',
      'register b',
      'register c'
    ])
  })
})

describe('diffSnapshots', () => {
  it('names added, removed and changed entries, and the order when only it differs', () => {
    const before = snap(['a', NO_MASK], ['b', AARCH64])
    expect(diffSnapshots(before, before)).toEqual([])
    expect(diffSnapshots(before, snap(['b', AARCH64], ['a', NO_MASK]))).toEqual([
      'order (newest first): a b register status -> b a register status'
    ])
    expect(diffSnapshots(before, snap(['b', EXT], ['c', NO_MASK]))).toEqual([
      expect.stringMatching(/^removed: a: /),
      expect.stringMatching(/^changed: b: /),
      expect.stringMatching(/^added: c: /)
    ])
    expect(diffSnapshots(before, { mounted: false, listing: [], entries: {}, status: '' })[0]).toBe(
      'mounted: yes -> no'
    )
  })
})

describe('runner emulation', () => {
  it('spells INPUT_ names as the runner does and parses both file-command forms', () => {
    expect(inputEnvName('verify-image')).toBe('INPUT_VERIFY-IMAGE')
    expect(inputEnvName('a b')).toBe('INPUT_A_B')
    expect(parseFileCommands('x<<EOF_1\nmulti\nline\nEOF_1\nplain=a=b\n')).toEqual({
      x: 'multi\nline',
      plain: 'a=b'
    })
  })
})

describe('catalogue table for the registrar image', () => {
  it('one `<cpu> <family> <magic> <mask>` line per emulator of src/catalogue.ts', () => {
    const lines = catalogueTableText().trim().split('\n')
    expect(lines).toHaveLength(EMULATORS.length)
    for (const e of EMULATORS) {
      expect(lines).toContain(`${e.cpu} ${e.family} ${e.magic} ${e.mask}`)
    }
    expect(lines[0].split(' ')[0]).toBe('i386') // qemu-binfmt-conf.sh's order
  })
})
