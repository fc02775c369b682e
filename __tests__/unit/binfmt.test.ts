import { readFileSync } from 'node:fs'
import { mkdtemp, readFile, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { emulatorFor } from '../../src/catalogue.js'
import {
  Binfmt,
  canonicalFlags,
  lineFor,
  parseEntry,
  registerLine,
  sameRegistration
} from '../../src/host/binfmt.js'
import { Privilege } from '../../src/host/privilege.js'

/** Entry texts read from a real kernel (6.18) on this project's machines. */
const sample = (name: string) =>
  readFileSync(new URL(`../../__fixtures__/binfmt/${name}.txt`, import.meta.url), 'utf8')

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
    expect(canonicalFlags('')).toBe('')
  })

  test('the aarch64 line is the one qemu-binfmt-conf.sh writes', () => {
    const e = emulatorFor('aarch64')
    const line = registerLine({
      name: 'qemu-aarch64',
      magic: e.magic,
      mask: e.mask,
      interpreter: '/usr/bin/qemu-aarch64-static',
      flags: 'F'
    })
    expect(line).toBe(
      ':qemu-aarch64:M:0:\\x7fELF\\x02\\x01\\x01\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x02\\x00\\xb7\\x00:' +
        '\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\x00\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xfe\\xff\\xff\\xff:/usr/bin/qemu-aarch64-static:F'
    )
    expect(line.length).toBeLessThan(1920)
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

  test('a real entry re-registers as the same registration', () => {
    const entry = parseEntry('qemu-s390x', sample('fixture-s390x'))
    const e = emulatorFor('s390x')
    expect(
      sameRegistration(entry, {
        name: 'qemu-s390x',
        magic: e.magic,
        mask: e.mask,
        interpreter: '/usr/bin/qemu-s390x-static',
        flags: 'CF'
      })
    ).toBe(true)
    expect(
      sameRegistration(entry, {
        name: 'qemu-s390x',
        magic: e.magic,
        mask: e.mask,
        interpreter: '/usr/bin/qemu-s390x-static',
        flags: 'F'
      })
    ).toBe(false)
    expect(lineFor(entry)).toBe(
      registerLine({
        name: 'qemu-s390x',
        magic: e.magic.replace('\\x7fELF', '\\x7f\\x45\\x4c\\x46'),
        mask: e.mask,
        interpreter: '/usr/bin/qemu-s390x-static',
        flags: 'OCF'
      })
    )
  })
})

describe('Binfmt on a directory', () => {
  test('lists entries but never register/status, writes lines to register, refuses to remove status', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'binfmt-'))
    await writeFile(join(dir, 'register'), '')
    await writeFile(join(dir, 'status'), 'enabled\n')
    await writeFile(join(dir, 'qemu-aarch64'), sample('fixture-aarch64'))
    const binfmt = new Binfmt(new Privilege('root'), dir)
    expect(await binfmt.isMounted()).toBe(true)
    expect(await binfmt.ensureMounted()).toBe(false)
    expect(await binfmt.names()).toEqual(['qemu-aarch64'])
    expect((await binfmt.list())[0].interpreter).toBe('/usr/bin/qemu-aarch64-static')
    expect(await binfmt.read('qemu-nothing')).toBeUndefined()
    await binfmt.register(':x:M::\\x00:\\xff:/bin/x:F')
    expect(await readFile(join(dir, 'register'), 'utf8')).toBe(':x:M::\\x00:\\xff:/bin/x:F')
    await binfmt.remove('qemu-aarch64')
    expect(await readFile(join(dir, 'qemu-aarch64'), 'utf8')).toBe('-1')
    await expect(binfmt.remove('status')).rejects.toThrow(/refusing/)
  })

  test('an unmounted directory has no entries, and mounting without root fails before trying', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'binfmt-'))
    const binfmt = new Binfmt(new Privilege('none'), dir)
    expect(await binfmt.isMounted()).toBe(false)
    expect(await binfmt.names()).toEqual([])
    await expect(binfmt.ensureMounted()).rejects.toThrow(/needs root, and this job runs as uid/)
  })

  test('a kernel without binfmt_misc is named', async () => {
    const binfmt = new Binfmt(new Privilege('root'), '/nonexistent/binfmt_misc')
    await expect(binfmt.ensureMounted()).rejects.toThrow(/no binfmt_misc support/)
  })
})
