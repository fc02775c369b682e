import {
  EMULATORS,
  PLATFORMS,
  acceptedNames,
  emulatorFor,
  hostPlatform,
  lookupPlatform
} from '../../src/catalogue.js'

const bytes = (text: string): number[] =>
  [...text.replace(/^\\x7fELF/, '\\x7f\\x45\\x4c\\x46').matchAll(/\\x([0-9a-f]{2})/gi)].map(m =>
    parseInt(m[1], 16)
  )

describe('catalogue', () => {
  test.each(EMULATORS.map(e => [e.cpu, e] as const))(
    '%s: magic and mask decode to 20 bytes and name its ELF machine',
    (_cpu, e) => {
      const magic = bytes(e.magic)
      const mask = bytes(e.mask)
      expect(magic).toHaveLength(20)
      expect(mask).toHaveLength(20)
      expect(magic.slice(0, 4)).toEqual([0x7f, 0x45, 0x4c, 0x46])
      const bigEndian = magic[5] === 2
      const machine = bigEndian ? magic[18] * 256 + magic[19] : magic[19] * 256 + magic[18]
      expect(machine).toBe(e.elfMachine)
    }
  )

  test('the aarch64 entry reads back as the kernel prints it', () => {
    const hex = (t: string) => t.replace(/\\x7fELF/, '7f454c46').replace(/\\x/g, '')
    expect(hex(emulatorFor('aarch64').magic)).toBe('7f454c460201010000000000000000000200b700')
    expect(hex(emulatorFor('aarch64').mask)).toBe('ffffffffffffff00fffffffffffffffffeffffff')
  })

  test('every platform names a known emulator, and no spelling names two platforms', () => {
    for (const p of PLATFORMS) expect(() => emulatorFor(p.cpu)).not.toThrow()
    const names = acceptedNames().map(n => n.toLowerCase())
    expect(new Set(names).size).toBe(names.length)
  })

  test.each([
    ['linux/arm64', 'linux/arm64'],
    ['ARM64', 'linux/arm64'],
    ['aarch64', 'linux/arm64'],
    ['arm/v7', 'linux/arm/v7'],
    ['armhf', 'linux/arm/v7'],
    ['linux/armhf', 'linux/arm/v7'],
    ['armel', 'linux/arm/v6'],
    ['ppc64el', 'linux/ppc64le'],
    ['i386', 'linux/386'],
    ['mips64el', 'linux/mips64le'],
    [' riscv64 ', 'linux/riscv64']
  ])('%s is %s', (spelling, name) => {
    expect(lookupPlatform(spelling)?.name).toBe(name)
  })

  test('unknown spellings are not platforms', () => {
    expect(lookupPlatform('sparc')).toBeUndefined()
    expect(lookupPlatform('linux/')).toBeUndefined()
  })

  test('host machines map to their platform', () => {
    expect(hostPlatform('x86_64')?.name).toBe('linux/amd64')
    expect(hostPlatform('aarch64')?.name).toBe('linux/arm64')
    expect(hostPlatform('sparc64')).toBeUndefined()
  })
})
