import { readdirSync, readFileSync } from 'node:fs'
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { emulatorFor } from '../../src/catalogue.js'
import { Binfmt } from '../../src/host/binfmt.js'
import {
  canonicalFlags,
  entryOf,
  lineFor,
  overlaps,
  parseEntry,
  registerLine,
  sameEntry,
  sameRegistration,
  toHex,
  type BinfmtEntry,
  type MagicRegistration
} from '../../src/host/entry.js'

/** Entry texts read from a real kernel (6.18) on this project's machines. */
const sample = (name: string) =>
  readFileSync(new URL(`../../__fixtures__/binfmt/${name}.txt`, import.meta.url), 'utf8')

const aarch64 = emulatorFor('aarch64')
const wanted = (over: Partial<MagicRegistration> = {}): MagicRegistration => ({
  name: 'qemu-aarch64',
  magic: aarch64.magic,
  mask: aarch64.mask,
  interpreter: '/usr/bin/qemu-aarch64-static',
  flags: 'F',
  ...over
})

describe('parseEntry (real kernel text)', () => {
  test('an F entry', () => {
    expect(parseEntry('qemu-aarch64', sample('fixture-aarch64'))).toEqual({
      name: 'qemu-aarch64',
      enabled: true,
      interpreter: '/usr/bin/qemu-aarch64-static',
      flags: 'F',
      offset: 0,
      magic: '7f454c460201010000000000000000000200b700',
      mask: 'ffffffffffffff00fffffffffffffffffeffffff',
      extension: undefined
    })
  })

  test('C reads back as OCF; a disabled Debian entry with P', () => {
    expect(parseEntry('x', sample('fixture-s390x')).flags).toBe('OCF')
    const arm = parseEntry('x', sample('fixture-arm-debian'))
    expect(arm.enabled).toBe(false)
    expect(arm.flags).toBe('PF')
  })

  test('an extension entry with no flags', () => {
    const jar = parseEntry('jar', sample('fixture-jar'))
    expect(jar).toMatchObject({
      enabled: true,
      interpreter: '/usr/bin/jexec',
      flags: '',
      extension: '.jar'
    })
    expect(lineFor(jar)).toBe(':jar:E::jar::/usr/bin/jexec:')
  })

  test('text that is not an entry is refused', () => {
    expect(() => parseEntry('x', 'garbage')).toThrow(/does not look like an entry/)
  })
})

describe('register lines', () => {
  test('canonicalFlags orders as the kernel prints and lets C imply O', () => {
    expect(canonicalFlags('FC')).toBe('OCF')
    expect(canonicalFlags('fp')).toBe('PF')
    expect(canonicalFlags('xF')).toBe('F')
    expect(canonicalFlags('')).toBe('')
  })

  test('the aarch64 line is the one qemu-binfmt-conf.sh writes', () => {
    const line = registerLine(wanted())
    expect(line).toBe(
      ':qemu-aarch64:M:0:\\x7fELF\\x02\\x01\\x01\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x02\\x00\\xb7\\x00:' +
        '\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\x00\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xfe\\xff\\xff\\xff:/usr/bin/qemu-aarch64-static:F'
    )
    expect(line.length).toBeLessThan(1920)
  })

  test('toHex reads \\xHH escapes and literal characters', () => {
    expect(toHex('\\x7fELF\\xAB')).toBe('7f454c46ab')
    expect(toHex('')).toBe('')
  })

  test('a real entry re-registers as the same registration, every field counts', () => {
    const entry = parseEntry('qemu-s390x', sample('fixture-s390x'))
    const e = emulatorFor('s390x')
    const same = {
      name: 'qemu-s390x',
      magic: e.magic,
      mask: e.mask,
      interpreter: '/usr/bin/qemu-s390x-static',
      flags: 'CF'
    }
    expect(sameRegistration(entry, same)).toBe(true)
    expect(sameRegistration(entry, { ...same, flags: 'F' })).toBe(false)
    expect(sameRegistration(entry, { ...same, interpreter: '/other' })).toBe(false)
    expect(sameRegistration(entry, { ...same, offset: 1 })).toBe(false)
    expect(sameRegistration(entry, { ...same, magic: e.magic.replace('\\x16', '\\x17') })).toBe(
      false
    )
    expect(sameRegistration(entry, { ...same, mask: e.mask.replace('\\xfe', '\\xff') })).toBe(false)
    expect(sameRegistration({ ...entry, mask: undefined }, same)).toBe(false)
    expect(sameRegistration({ ...entry, extension: '.x' }, same)).toBe(false)
  })

  test("QEMU's i386 magic is kept as written (the kernel does not mask it)", () => {
    const entry = parseEntry('qemu-i386', sample('fixture-i386'))
    const e = emulatorFor('i386')
    expect(
      sameRegistration(entry, {
        name: 'qemu-i386',
        magic: e.magic,
        mask: e.mask,
        interpreter: '/usr/bin/qemu-i386-static',
        flags: 'F'
      })
    ).toBe(true)
  })

  test('lineFor writes an entry back byte for byte: mask-less stays mask-less', () => {
    const entry = parseEntry('qemu-aarch64', sample('fixture-aarch64'))
    expect(lineFor(entry)).toBe(registerLine(wanted({ magic: escape(entry.magic) })))
    const maskless: BinfmtEntry = { ...entry, mask: undefined }
    expect(lineFor(maskless)).toMatch(
      /^:qemu-aarch64:M:0:\\x7f\\x45.*\\x00::\/usr\/bin\/qemu-aarch64-static:F$/
    )
  })

  test('a field holding the separator gets another separator; a newline is refused', () => {
    const entry = parseEntry('a:b', sample('fixture-aarch64'))
    const line = lineFor(entry)
    expect(line[0]).toBe('|')
    expect(line.slice(1).split('|')[0]).toBe('a:b')
    expect(() => lineFor({ ...entry, interpreter: '/bin/x\nmask ff' })).toThrow(
      /"a:b" cannot be written back: a field holds a newline/
    )
    expect(() => lineFor({ ...entry, interpreter: ':|#!,;@%^~' })).toThrow(/use every separator/)
  })

  test('entryOf is what the kernel shows after registering', () => {
    expect(entryOf(wanted({ flags: 'CF' }))).toEqual(
      parseEntry('qemu-aarch64', sample('fixture-aarch64').replace('flags: F', 'flags: OCF'))
    )
    expect(entryOf(wanted({ mask: '' })).mask).toBeUndefined()
  })

  test('sameEntry compares everything but enabled', () => {
    const a = parseEntry('qemu-aarch64', sample('fixture-aarch64'))
    expect(sameEntry(a, { ...a, enabled: false })).toBe(true)
    for (const change of [
      { interpreter: '/x' },
      { flags: 'OCF' },
      { offset: 2 },
      { magic: '00' },
      { mask: undefined },
      { extension: '.x' }
    ]) {
      expect(sameEntry(a, { ...a, ...change })).toBe(false)
    }
  })
})

const escape = (hex: string | undefined): string => (hex ?? '').replace(/(..)/g, '\\x$1')

describe('overlaps', () => {
  const entry = (name: string, magic: string, mask?: string, offset = 0): BinfmtEntry => ({
    name,
    enabled: true,
    interpreter: '/x',
    flags: '',
    offset,
    magic,
    mask
  })

  test('two handlers for the same CPU overlap; different CPUs do not', () => {
    const a = parseEntry('qemu-aarch64', sample('fixture-aarch64'))
    const other = { ...a, name: 'aarch64-other', mask: undefined }
    expect(overlaps(a, other)).toBe(true)
    const s390x = parseEntry('qemu-s390x', sample('fixture-s390x'))
    expect(overlaps(a, s390x)).toBe(false)
  })

  test('masked-out bits do not separate; offsets line the bytes up', () => {
    expect(overlaps(entry('a', '7f00', 'ff00'), entry('b', '7f45'))).toBe(true)
    expect(overlaps(entry('a', '7f00'), entry('b', '7f45'))).toBe(false)
    expect(overlaps(entry('a', '45', undefined, 1), entry('b', '7f45'))).toBe(true)
    expect(overlaps(entry('a', '46', undefined, 1), entry('b', '7f45'))).toBe(false)
    expect(overlaps(entry('a', '99', undefined, 5), entry('b', '7f45'))).toBe(true)
  })

  test('extension entries overlap only with the same extension', () => {
    const jar = parseEntry('jar', sample('fixture-jar'))
    expect(overlaps(jar, { ...jar, name: 'jar2' })).toBe(true)
    expect(overlaps(jar, { ...jar, extension: '.war' })).toBe(false)
    expect(overlaps(jar, parseEntry('a', sample('fixture-aarch64')))).toBe(false)
  })
})

describe('entries at the edges', () => {
  test('an entry printed without interpreter, flags or offset lines reads as empty and at 0', () => {
    expect(parseEntry('x', 'enabled\n')).toMatchObject({ interpreter: '', flags: '', offset: 0 })
    expect(parseEntry('jar', sample('fixture-jar')).offset).toBe(0)
    expect(() => parseEntry('x', ' enabled\n')).toThrow(
      'binfmt_misc entry x does not look like an entry: " enabled"'
    )
  })

  test("flags are the kernel's letters in its order; anything else is dropped", () => {
    expect(canonicalFlags('fcx-p')).toBe('POCF')
    expect(canonicalFlags('')).toBe('')
  })

  test('a literal character below 0x10 in a register line is two hex digits', () => {
    expect(toHex('\u0001A\\x7f')).toBe('01417f')
  })

  test('a field holding the separator moves the line to the next separator the kernel accepts', () => {
    const seps = [':', '|', '#', '!', ',', ';', '@', '%', '^', '~']
    for (let k = 0; k < seps.length; k++) {
      const interpreter = `/opt/${seps.slice(0, k).join('')}q`
      expect(registerLine(wanted({ interpreter }))[0]).toBe(seps[k])
    }
    expect(() => registerLine(wanted({ interpreter: `/${seps.join('')}` }))).toThrow(
      'The binfmt_misc entry "qemu-aarch64" cannot be written back: its fields use every separator the action knows. Re-register it by hand.'
    )
    expect(() => registerLine(wanted({ interpreter: '/a\nb' }))).toThrow(
      'The binfmt_misc entry "qemu-aarch64" cannot be written back: a field holds a newline or NUL, which the kernel cannot be given in a register line. Re-register it by hand.'
    )
  })

  test('a mask-less entry is the same registration as one asked for without a mask', () => {
    const entry = parseEntry(
      'qemu-aarch64',
      'enabled\ninterpreter /q\nflags: F\noffset 0\nmagic 7f45\n'
    )
    expect(
      sameRegistration(entry, {
        name: 'qemu-aarch64',
        magic: '\\x7fE',
        mask: '',
        interpreter: '/q',
        flags: 'F'
      })
    ).toBe(true)
    expect(
      sameRegistration(entry, {
        name: 'qemu-aarch64',
        magic: '\\x7fE',
        mask: '\\xff\\xff',
        interpreter: '/q',
        flags: 'F'
      })
    ).toBe(false)
  })

  test('magic entries at different offsets overlap only where both look, under both masks', () => {
    const at = (offset: number, magic: string, mask?: string): BinfmtEntry => ({
      name: `e${offset}${magic}`,
      enabled: true,
      interpreter: '/q',
      flags: '',
      offset,
      magic,
      mask
    })
    // AB at 0 and BC at 1 agree on byte 1
    expect(overlaps(at(0, '4142'), at(1, '4243'))).toBe(true)
    expect(overlaps(at(1, '4243'), at(0, '4142'))).toBe(true)
    // ... unless the second byte differs there
    expect(overlaps(at(0, '4142'), at(1, '5843'))).toBe(false)
    expect(overlaps(at(1, '5843'), at(0, '4142'))).toBe(false)
    // a mask that ignores that byte makes them overlap again
    expect(overlaps(at(0, '4142', 'ff00'), at(1, '5843'))).toBe(true)
    // disjoint ranges never disagree
    expect(overlaps(at(0, '41'), at(1, '58'))).toBe(true)
    // the last byte of the shorter one counts
    expect(overlaps(at(0, '4142'), at(0, '4158'))).toBe(false)
    expect(overlaps(at(2, '4142'), at(0, '00004158'))).toBe(false)
    // an extension entry and a magic entry, either way round, are independent
    const jar = parseEntry('jar', sample('fixture-jar'))
    expect(overlaps(at(0, '4142'), jar)).toBe(false)
    expect(overlaps(jar, at(0, '4142'))).toBe(false)
  })
})

describe('Binfmt on a directory', () => {
  test("the host's binfmt_misc is the default (only its path is read here)", () => {
    expect(new Binfmt().dir).toBe('/proc/sys/fs/binfmt_misc')
  })

  test('lists entries but never register/status; an unmounted directory has none', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'binfmt-'))
    const binfmt = new Binfmt(dir)
    expect(await binfmt.isMounted()).toBe(false)
    // files left in the mount point of an unmounted binfmt_misc are not entries
    await writeFile(join(dir, 'qemu-stale'), sample('fixture-aarch64'))
    expect(await binfmt.list()).toEqual([])
    await rm(join(dir, 'qemu-stale'))
    await writeFile(join(dir, 'register'), '')
    await writeFile(join(dir, 'status'), 'enabled\n')
    await writeFile(join(dir, 'qemu-aarch64'), sample('fixture-aarch64'))
    await writeFile(join(dir, 'jar'), sample('fixture-jar'))
    expect(await binfmt.isMounted()).toBe(true)
    const list = await binfmt.list()
    expect(list.map(e => e.name).sort()).toEqual(['jar', 'qemu-aarch64'])
    expect(list.find(e => e.name === 'qemu-aarch64')?.interpreter).toBe(
      '/usr/bin/qemu-aarch64-static'
    )
  })
  test('an entry removed while listing is skipped; one that cannot be read fails the list', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'binfmt-'))
    await writeFile(join(dir, 'register'), '')
    await writeFile(join(dir, 'qemu-aarch64'), sample('fixture-aarch64'))
    await symlink(join(dir, 'gone'), join(dir, 'qemu-gone'))
    const binfmt = new Binfmt(dir)
    expect((await binfmt.list()).map(e => e.name)).toEqual(['qemu-aarch64'])
    await mkdir(join(dir, 'qemu-dir'))
    await expect(binfmt.list()).rejects.toThrow(/EISDIR/)
  })

  test('listing leaves no directory handle open', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'binfmt-'))
    await writeFile(join(dir, 'register'), '')
    const open = () => readdirSync('/proc/self/fd').length
    const before = open()
    for (let i = 0; i < 20; i++) await new Binfmt(dir).list()
    expect(open()).toBe(before)
  })
})
