import { readdirSync, readFileSync } from 'node:fs'
import {
  EMULATORS,
  PLATFORMS,
  acceptedNames,
  emulatorFor,
  findEmulator,
  handlerName,
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

describe('names', () => {
  test('every emulator has its own Docker architecture name', () => {
    const archs = EMULATORS.map(e => e.arch)
    expect(archs).toEqual([
      'arm64',
      'arm',
      'ppc64le',
      's390x',
      'riscv64',
      '386',
      'amd64',
      'mips64le',
      'mips64',
      'loong64'
    ])
    expect(new Set(archs).size).toBe(archs.length)
  })

  test("every platform's Docker name is linux/ plus its emulator's arch (and variant)", () => {
    for (const p of PLATFORMS)
      expect(p.name).toMatch(new RegExp(`^linux/${emulatorFor(p.cpu).arch}(/v[0-9])?$`))
  })

  test('every platform has its own Debian architecture', () => {
    const debian = PLATFORMS.map(p => [p.name, p.debianArch])
    expect(Object.fromEntries(debian)).toEqual({
      'linux/amd64': 'amd64',
      'linux/arm64': 'arm64',
      'linux/arm/v7': 'armhf',
      'linux/arm/v6': 'armel',
      'linux/ppc64le': 'ppc64el',
      'linux/s390x': 's390x',
      'linux/riscv64': 'riscv64',
      'linux/386': 'i386',
      'linux/mips64le': 'mips64el',
      'linux/mips64': 'mips64',
      'linux/loong64': 'loong64'
    })
    expect(new Set(debian.map(d => d[1])).size).toBe(PLATFORMS.length)
  })

  test('findEmulator finds by CPU, or nothing; emulatorFor throws naming the CPU', () => {
    for (const e of EMULATORS) expect(findEmulator(e.cpu)).toBe(e)
    expect(findEmulator('sparc64')).toBeUndefined()
    expect(findEmulator('arm64')).toBeUndefined() // a Docker arch, not a CPU
    expect(() => emulatorFor('sparc64')).toThrow('no emulator "sparc64" in the catalogue')
  })

  test('handler names are qemu-<cpu>', () => {
    expect(handlerName('aarch64')).toBe('qemu-aarch64')
  })
})

/** `\xHH` text (the register file's form) as lower-case hex, as the kernel prints it. */
const hex = (text: string): string =>
  bytes(text)
    .map(b => b.toString(16).padStart(2, '0'))
    .join('')

describe('magic and mask against the kernel', () => {
  const dir = new URL('../../__fixtures__/binfmt/', import.meta.url)
  const fixtures = readdirSync(dir)
    .filter(f => f.endsWith('.txt'))
    .map(file => {
      const text = readFileSync(new URL(file, dir), 'utf8')
      const field = (name: string) => new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1]
      return {
        file,
        cpu: /^fixture-([a-z0-9_]+?)(?:-[a-z]+)?\.txt$/.exec(file)?.[1] ?? '',
        magic: field('magic'),
        mask: field('mask')
      }
    })
  const magicFixtures = fixtures.filter(f => f.magic)

  test('the fixtures are the entries the kernel printed for QEMU handlers (and one by extension)', () => {
    expect(magicFixtures.map(f => f.cpu).sort()).toEqual(['aarch64', 'arm', 'i386', 's390x'])
    expect(fixtures.filter(f => !f.magic).map(f => f.file)).toEqual(['fixture-jar.txt'])
  })

  test.each(magicFixtures.map(f => [f.file, f] as const))(
    '%s: the magic and mask the kernel printed are the catalogue’s',
    (_file, f) => {
      const e = emulatorFor(f.cpu)
      expect({ magic: hex(e.magic), mask: hex(e.mask) }).toEqual({ magic: f.magic, mask: f.mask })
    }
  )
})

/**
 * tonistiigi/binfmt's table (cmd/binfmt/config.go at e41434fefad6aee7b01fbe5efc1c4b6f6c735fff),
 * copied as data: Docker arch → [binary, magic, mask]. Its images register these.
 */
const TONISTIIGI: Record<string, [string, string, string]> = {
  amd64: [
    'qemu-x86_64',
    '\\x7fELF\\x02\\x01\\x01\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x02\\x00\\x3e\\x00',
    '\\xff\\xff\\xff\\xff\\xff\\xfe\\xfe\\x00\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xfe\\xff\\xff\\xff'
  ],
  arm64: [
    'qemu-aarch64',
    '\\x7fELF\\x02\\x01\\x01\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x02\\x00\\xb7\\x00',
    '\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\x00\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xfe\\xff\\xff\\xff'
  ],
  arm: [
    'qemu-arm',
    '\\x7fELF\\x01\\x01\\x01\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x02\\x00\\x28\\x00',
    '\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\x00\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xfe\\xff\\xff\\xff'
  ],
  s390x: [
    'qemu-s390x',
    '\\x7fELF\\x02\\x02\\x01\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x02\\x00\\x16',
    '\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\x00\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xfe\\xff\\xff'
  ],
  ppc64le: [
    'qemu-ppc64le',
    '\\x7fELF\\x02\\x01\\x01\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x02\\x00\\x15\\x00',
    '\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\x00\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xfe\\xff\\xff\\x00'
  ],
  riscv64: [
    'qemu-riscv64',
    '\\x7fELF\\x02\\x01\\x01\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x02\\x00\\xf3\\x00',
    '\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\x00\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xfe\\xff\\xff\\xff'
  ],
  '386': [
    'qemu-i386',
    '\\x7fELF\\x01\\x01\\x01\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x02\\x00\\x03\\x00',
    '\\xff\\xff\\xff\\xff\\xff\\xfe\\xfe\\x00\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xfe\\xff\\xff\\xff'
  ],
  mips64le: [
    'qemu-mips64el',
    '\\x7fELF\\x02\\x01\\x01\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x02\\x00\\x08\\x00',
    '\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\x00\\x00\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xfe\\xff\\xff\\xff'
  ],
  mips64: [
    'qemu-mips64',
    '\\x7fELF\\x02\\x02\\x01\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x02\\x00\\x08',
    '\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\x00\\x00\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xfe\\xff\\xff'
  ],
  loong64: [
    'qemu-loongarch64',
    '\\x7fELF\\x02\\x01\\x01\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x02\\x00\\x02\\x01',
    '\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xfc\\x00\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xfe\\xff\\xff\\xff'
  ]
}

describe('magic and mask against tonistiigi/binfmt', () => {
  test('the same architectures', () => {
    expect(Object.keys(TONISTIIGI).sort()).toEqual(EMULATORS.map(e => e.arch).sort())
  })

  test.each(Object.entries(TONISTIIGI))(
    '%s: binary, magic and mask equal',
    (arch, [binary, magic, mask]) => {
      const e = EMULATORS.find(x => x.arch === arch)
      expect(e && { binary: handlerName(e.cpu), magic: hex(e.magic), mask: hex(e.mask) }).toEqual({
        binary,
        magic: hex(magic),
        mask: hex(mask)
      })
    }
  )
})

describe('properties of the table', () => {
  /** Whether binfmt_misc hands a file starting with `header` to the entry (fs/binfmt_misc.c). */
  const matches = (header: number[], e: { magic: string; mask: string }): boolean => {
    const magic = bytes(e.magic)
    const mask = bytes(e.mask)
    return magic.every((b, i) => ((header[i] ^ b) & mask[i]) === 0)
  }

  /** A deterministic PRNG (mulberry32), so a failure reproduces. */
  function random(seed: number): () => number {
    return () => {
      seed = (seed + 0x6d2b79f5) | 0
      let t = Math.imul(seed ^ (seed >>> 15), 1 | seed)
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296
    }
  }

  test('no ELF header matches two entries', () => {
    for (const a of EMULATORS) {
      for (const b of EMULATORS.filter(x => x !== a)) {
        const [ma, ka, mb, kb] = [bytes(a.magic), bytes(a.mask), bytes(b.magic), bytes(b.mask)]
        const distinguished = ma.some((x, i) => ((x ^ mb[i]) & ka[i] & kb[i]) !== 0)
        expect([a.cpu, b.cpu, distinguished]).toEqual([a.cpu, b.cpu, true])
      }
    }
  })

  test('any Linux executable or PIE header for a CPU is taken by its entry and no other', () => {
    const next = random(20260720)
    const byte = () => Math.floor(next() * 256)
    for (let n = 0; n < 2000; n++) {
      const e = EMULATORS[Math.floor(next() * EMULATORS.length)]
      const magic = bytes(e.magic)
      const mask = bytes(e.mask)
      // e_ident: anything in the bits the entry ignores, then an OS ABI of SYSV or GNU/Linux
      const header = magic.slice(0, 16).map((b, i) => (b & mask[i]) | (byte() & ~mask[i]))
      header[7] = next() < 0.5 ? 0 : 3
      const le = magic[5] === 1
      const word = (v: number) => (le ? [v & 0xff, v >> 8] : [v >> 8, v & 0xff])
      header.push(...word(next() < 0.5 ? 2 : 3), ...word(e.elfMachine)) // ET_EXEC or ET_DYN
      expect([e.cpu, EMULATORS.filter(x => matches(header, x)).map(x => x.cpu)]).toEqual([
        e.cpu,
        [e.cpu]
      ])
    }
  })

  test('relocatable objects and core files are not taken', () => {
    for (const e of EMULATORS) {
      for (const type of [0, 1, 4]) {
        const header = bytes(e.magic)
        const le = header[5] === 1
        header[le ? 16 : 17] = type
        header[le ? 17 : 16] = 0
        expect([e.cpu, type, matches(header, e)]).toEqual([e.cpu, type, false])
      }
    }
  })
})
