import { createHash } from 'node:crypto'
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import { Readable } from 'node:stream'
import {
  ArParser,
  archivePath,
  DebError,
  extractDeb,
  TarParser,
  type ArEvent,
  type TarEntry,
  type TarEvent
} from '../../src/installer/deb.js'

import { ar, deb, removeTemps, sha256, systemTar, tmp, tree, xz } from '../../__fixtures__/deb.js'

// ---------------------------------------------------------------------------------------------
// fixtures: __fixtures__/deb.ts, and tar headers written by tarHeader below

afterAll(removeTemps)

interface HeaderOptions {
  name: string
  size?: number
  type?: string
  linkname?: string
  prefix?: string
  /** Replaces the size field's 12 bytes. */
  sizeField?: Buffer
  /** Sum the checksum with signed bytes (historic tars). */
  signed?: boolean
}

/** One ustar header, built by hand for the cases system tar will not write. */
function tarHeader(o: HeaderOptions): Buffer {
  const h = Buffer.alloc(512)
  const put = (text: string, at: number, length: number) =>
    h.write(text.slice(0, length), at, length, 'utf8')
  const octal = (value: number, length: number) =>
    value.toString(8).padStart(length - 1, '0') + '\0'
  put(o.name, 0, 100)
  put(octal(0o755, 8), 100, 8)
  put(octal(0, 8), 108, 8)
  put(octal(0, 8), 116, 8)
  if (o.sizeField) o.sizeField.copy(h, 124)
  else put(octal(o.size ?? 0, 12), 124, 12)
  put(octal(0, 12), 136, 12)
  h.write('        ', 148, 8, 'latin1')
  put(o.type ?? '0', 156, 1)
  put(o.linkname ?? '', 157, 100)
  h.write('ustar\u000000', 257, 8, 'latin1')
  put(o.prefix ?? '', 345, 155)
  let sum = 0
  for (const b of h) sum += o.signed && b >= 0x80 ? b - 0x100 : b
  put(octal(sum, 7), 148, 7)
  return h
}

function tarEntry(o: HeaderOptions, data: Buffer | string = Buffer.alloc(0)): Buffer {
  const body = Buffer.from(data)
  const header = tarHeader({ size: body.length, ...o })
  return Buffer.concat([header, body, Buffer.alloc((512 - (body.length % 512)) % 512)])
}

const tarEnd = () => Buffer.alloc(1024)

function paxRecords(records: Record<string, string>): string {
  return Object.entries(records)
    .map(([key, value]) => {
      const body = ` ${key}=${value}\n`
      let length = body.length + 1
      while (String(length).length + body.length !== length) length++
      return `${length}${body}`
    })
    .join('')
}

/** `data` in chunks of `size` bytes. */
function chunks(data: Buffer, size: number): Buffer[] {
  const out: Buffer[] = []
  for (let i = 0; i < data.length; i += size) out.push(data.subarray(i, i + size))
  return out
}

const stream = (data: Buffer, size = 4096) => Readable.from(chunks(data, size))

// Stand-ins for emulators: distinct, incompressible-ish bytes of sizes that straddle blocks.
const bytes = (seed: string, size: number) => {
  const out = Buffer.alloc(size)
  let block = Buffer.alloc(0)
  for (let i = 0; i < size; i += 32) {
    block = createHash('sha256').update(seed).update(block).digest()
    block.copy(out, i)
  }
  return out
}
const AARCH64 = bytes('aarch64', 70_001)
const RISCV64 = bytes('riscv64', 1_536)
const S390X = bytes('s390x', 33)

function qemuTree() {
  return tree({
    'usr/bin/qemu-aarch64': AARCH64,
    'usr/bin/qemu-riscv64': RISCV64,
    'usr/bin/qemu-s390x': S390X,
    'usr/bin/qemu-arm64': { link: 'qemu-aarch64' },
    'usr/share/doc/qemu-user/README': 'read me\n'
  })
}

const QEMU_PATHS = [
  '.',
  './usr',
  './usr/bin',
  './usr/bin/qemu-aarch64',
  './usr/bin/qemu-riscv64',
  './usr/bin/qemu-s390x',
  './usr/share',
  './usr/share/doc',
  './usr/share/doc/qemu-user',
  './usr/share/doc/qemu-user/README',
  './usr/bin/qemu-arm64'
]

/** What is left in a directory, to show that a failure leaves nothing behind. */
const left = (dir: string) => readdirSync(dir).sort()

async function failure(promise: Promise<unknown>): Promise<DebError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e
  )
  expect(error).toBeInstanceOf(DebError)
  expect((error as Error).message).not.toContain('\n')
  return error as DebError
}

// ---------------------------------------------------------------------------------------------
// ar

function collectAr(data: Buffer, size: number) {
  const parser = new ArParser()
  const members: { name: string; size: number; data: Buffer }[] = []
  const take = (events: ArEvent[]) => {
    for (const event of events) {
      if (event.type === 'member')
        members.push({ name: event.name, size: event.size, data: Buffer.alloc(0) })
      else if (event.type === 'data') {
        const last = members[members.length - 1]
        last.data = Buffer.concat([last.data, event.data])
      } else expect(event.name).toBe(members[members.length - 1].name)
    }
  }
  for (const chunk of chunks(data, size)) take(parser.write(chunk))
  parser.end()
  return members
}

describe('ArParser', () => {
  const archive = ar([
    ['debian-binary', Buffer.from('2.0\n')],
    ['odd', Buffer.from('abc')],
    ['empty', Buffer.alloc(0)],
    ['data.tar.xz/', Buffer.from('0123456789')]
  ])

  test.each([1, 7, 60, 61, 4096])(
    'reads members, padding and GNU slashes in %i-byte chunks',
    size => {
      expect(collectAr(archive, size)).toEqual([
        { name: 'debian-binary', size: 4, data: Buffer.from('2.0\n') },
        { name: 'odd', size: 3, data: Buffer.from('abc') },
        { name: 'empty', size: 0, data: Buffer.alloc(0) },
        { name: 'data.tar.xz', size: 10, data: Buffer.from('0123456789') }
      ])
    }
  )

  test('accepts an odd last member without its padding byte', () => {
    const archive = ar([['odd', Buffer.from('abc')]])
    expect(collectAr(archive.subarray(0, archive.length - 1), 5)).toHaveLength(1)
  })

  test('refuses what is not an ar archive', () => {
    expect(() => new ArParser().write(Buffer.from('PK\x03\x04 not ar'))).toThrow(
      'not a Debian package: it does not start with the ar signature !<arch>'
    )
  })

  test.each([
    ['#1/20', 'has a BSD long name (#1/20)'],
    ['//', 'GNU symbol or long-name table or reference (//)'],
    ['/0', 'GNU symbol or long-name table or reference (/0)'],
    ['/', 'GNU symbol or long-name table or reference (/)'],
    ['', 'GNU symbol or long-name table or reference (empty name)']
  ])('refuses the long-name form %j', (name, message) => {
    expect(() => new ArParser().write(ar([[name, Buffer.from('x')]]))).toThrow(message)
  })

  test('refuses a corrupt header and a bad size', () => {
    const good = ar([['member', Buffer.from('xy')]])
    const badMagic = Buffer.from(good)
    badMagic[8 + 58] = 0x21
    expect(() => new ArParser().write(badMagic)).toThrow('corrupt ar member header at byte 8')
    const badSize = Buffer.from(good)
    badSize.write('1x', 8 + 48, 'latin1')
    expect(() => new ArParser().write(badSize)).toThrow(
      'ar member member has a bad size field "1x"'
    )
  })

  test('end() tells where a truncated archive stops', () => {
    const archive = ar([['member', Buffer.from('0123456789')]])
    const at = (n: number) => () => {
      const parser = new ArParser()
      parser.write(archive.subarray(0, n))
      parser.end()
    }
    expect(at(3)).toThrow('truncated: it ends after 3 bytes, inside the ar signature')
    expect(at(20)).toThrow('truncated: it ends inside an ar member header at byte 20')
    expect(at(72)).toThrow('truncated: it ends inside member member (4 of 10 bytes)')
    expect(at(8)).not.toThrow()
    expect(at(archive.length)).not.toThrow()
  })
})

// ---------------------------------------------------------------------------------------------
// tar

interface Parsed {
  entry: TarEntry
  data: Buffer
}

function collectTar(data: Buffer, size = 512): { entries: Parsed[]; ended: boolean } {
  const parser = new TarParser()
  const entries: Parsed[] = []
  let ended = false
  let open = false
  const take = (events: TarEvent[]) => {
    for (const event of events) {
      if (event.type === 'entry') {
        expect(open).toBe(false)
        open = true
        entries.push({ entry: event.entry, data: Buffer.alloc(0) })
      } else if (event.type === 'data') {
        const last = entries[entries.length - 1]
        last.data = Buffer.concat([last.data, event.data])
      } else if (event.type === 'entry-end') {
        expect(event.entry).toBe(entries[entries.length - 1].entry)
        open = false
      } else ended = true
    }
  }
  for (const chunk of chunks(data, size)) take(parser.write(chunk))
  parser.end()
  return { entries, ended }
}

const summary = ({ entry, data }: Parsed) => ({
  path: entry.path,
  type: entry.type,
  size: entry.size,
  linkpath: entry.linkpath,
  sha256: data.length ? sha256(data) : ''
})

describe('TarParser', () => {
  const longName = `./usr/lib/${'a-rather-long-directory-name/'.repeat(5)}file-with-a-long-name`
  const longTarget = `../../${'x'.repeat(120)}`
  function sample(format: string) {
    const root = tree({
      'usr/bin/qemu-aarch64': AARCH64,
      'usr/bin/qemu-s390x': S390X,
      'usr/bin/qemu-arm64': { link: 'qemu-aarch64' },
      'usr/bin/hard': { hard: 'usr/bin/qemu-s390x' },
      [longName]: RISCV64,
      'usr/bin/long-link': { link: longTarget }
    })
    return systemTar(
      root,
      [
        './usr/bin',
        './usr/bin/qemu-aarch64',
        './usr/bin/qemu-s390x',
        './usr/bin/hard',
        './usr/bin/qemu-arm64',
        longName,
        './usr/bin/long-link'
      ],
      format
    )
  }
  const expected = [
    { path: './usr/bin/', type: 'directory', size: 0, linkpath: '', sha256: '' },
    {
      path: './usr/bin/qemu-aarch64',
      type: 'file',
      size: AARCH64.length,
      linkpath: '',
      sha256: sha256(AARCH64)
    },
    {
      path: './usr/bin/qemu-s390x',
      type: 'file',
      size: S390X.length,
      linkpath: '',
      sha256: sha256(S390X)
    },
    {
      path: './usr/bin/hard',
      type: 'hardlink',
      size: 0,
      linkpath: './usr/bin/qemu-s390x',
      sha256: ''
    },
    {
      path: './usr/bin/qemu-arm64',
      type: 'symlink',
      size: 0,
      linkpath: 'qemu-aarch64',
      sha256: ''
    },
    { path: longName, type: 'file', size: RISCV64.length, linkpath: '', sha256: sha256(RISCV64) },
    { path: './usr/bin/long-link', type: 'symlink', size: 0, linkpath: longTarget, sha256: '' }
  ]

  test.each([1, 7, 511, 512, 513, 65536])(
    'reads a GNU tar (long names and links) in %i-byte chunks',
    size => {
      const { entries, ended } = collectTar(sample('gnu'), size)
      expect(entries.map(summary)).toEqual(expected)
      expect(ended).toBe(true)
      expect(entries[1].entry.mode).toBe(0o644)
      expect(entries[1].entry.typeflag).toBe('0')
      expect(entries[1].entry.offset).toBe(512)
    }
  )

  test('reads a pax tar (path and linkpath records)', () => {
    expect(collectTar(sample('pax'), 1000).entries.map(summary)).toEqual(expected)
  })

  test('reads a ustar prefix', () => {
    const name = `./usr/${'d'.repeat(90)}/file`
    const root = tree({ [name]: S390X })
    const tar = systemTar(root, [name], 'ustar')
    expect(tar.toString('latin1', 345, 350)).toBe('./usr')
    expect(collectTar(tar).entries.map(e => e.entry.path)).toEqual([name])
  })

  test('reads base-256 sizes, signed checksums, K long links, global pax headers, NUL type flags', () => {
    const base256 = Buffer.alloc(12)
    base256[0] = 0x80
    base256.writeUIntBE(S390X.length, 6, 6)
    const globals = paxRecords({ linkpath: 'global-target', comment: 'ignored' })
    const tar = Buffer.concat([
      tarEntry({ name: 'big', sizeField: base256 }, S390X),
      tarEntry({ name: 'caf\u00e9', signed: true }, 'x'),
      tarEntry({ name: '././@LongLink', type: 'K' }, `${'t'.repeat(150)}\0`),
      tarEntry({ name: 'link', type: '2', linkname: 'short' }),
      tarEntry({ name: 'pax_global_header', type: 'g' }, globals),
      tarEntry({ name: 'link2', type: '1', linkname: 'ignored' }),
      tarEntry({ name: 'empty-pax', type: 'x' }),
      tarEntry({ name: 'nul-type', type: '\0' }, 'y'),
      tarEntry({ name: 'fifo', type: '6', size: 0 }),
      tarEnd()
    ])
    const entries = collectTar(tar, 100).entries
    expect(entries.map(summary)).toEqual([
      { path: 'big', type: 'file', size: S390X.length, linkpath: '', sha256: sha256(S390X) },
      { path: 'caf\u00e9', type: 'file', size: 1, linkpath: '', sha256: sha256(Buffer.from('x')) },
      { path: 'link', type: 'symlink', size: 0, linkpath: 't'.repeat(150), sha256: '' },
      { path: 'link2', type: 'hardlink', size: 0, linkpath: 'global-target', sha256: '' },
      {
        path: 'nul-type',
        type: 'file',
        size: 1,
        linkpath: 'global-target',
        sha256: sha256(Buffer.from('y'))
      },
      { path: 'fifo', type: 'other', size: 0, linkpath: 'global-target', sha256: '' }
    ])
  })

  test('a pax size overrides the header; an empty pax path keeps the header name', () => {
    const tar = Buffer.concat([
      tarEntry({ name: 'PaxHeader', type: 'x' }, paxRecords({ size: '3', path: '' })),
      tarHeader({ name: 'real', size: 0 }),
      Buffer.from('abc'),
      Buffer.alloc(509),
      tarEnd()
    ])
    expect(collectTar(tar).entries.map(summary)).toEqual([
      { path: 'real', type: 'file', size: 3, linkpath: '', sha256: sha256(Buffer.from('abc')) }
    ])
  })

  test('marks GNU sparse files', () => {
    const tar = Buffer.concat([
      tarEntry({ name: 'old', type: 'S' }, 'z'),
      tarEntry({ name: 'PaxHeader', type: 'x' }, paxRecords({ 'GNU.sparse.major': '1' })),
      tarEntry({ name: 'new' }, 'z'),
      tarEnd()
    ])
    expect(collectTar(tar).entries.map(e => [e.entry.path, e.entry.sparse])).toEqual([
      ['old', true],
      ['new', true]
    ])
  })

  test('stops at the zero block and ignores what follows; accepts no zero block at all', () => {
    const file = tarEntry({ name: 'a' }, 'a')
    const after = Buffer.concat([file, tarEnd(), Buffer.from('garbage after the end')])
    expect(collectTar(after).entries).toHaveLength(1)
    expect(collectTar(file)).toEqual({ entries: [expect.anything()], ended: false })
  })

  test('refuses a header with a bad checksum', () => {
    const tar = sample('gnu')
    tar[512 + 10] ^= 0x01
    expect(() => collectTar(tar)).toThrow(
      /^tar header at byte 512 has a bad checksum \(stored "\d+\\u0000 ", computed \d+\): the archive is corrupt$/
    )
    const noChecksum = tarHeader({ name: 'x' })
    noChecksum.write('zzzzzzzz', 148, 'latin1')
    expect(() => collectTar(noChecksum)).toThrow('bad checksum')
  })

  test.each([
    [
      'a negative base-256 size',
      Buffer.from([0xff, ...Array(11).fill(0xff)]),
      'has a negative size (base-256)'
    ],
    [
      'a base-256 size too large',
      Buffer.from([0x80, 0, 0, 0xff, ...Array(8).fill(0xff)]),
      'has a size too large to handle'
    ],
    [
      'an octal size with a letter',
      Buffer.from('0000000001x\0', 'latin1'),
      'has a bad size field "0000000001x\\u0000"'
    ]
  ])('refuses %s', (_what, sizeField, message) => {
    expect(() => collectTar(tarHeader({ name: 'x', sizeField }))).toThrow(message)
  })

  test('accepts octal numbers with leading spaces and an empty size field', () => {
    const spaced = tarHeader({ name: 'x', sizeField: Buffer.from('          1 ', 'latin1') })
    expect(collectTar(Buffer.concat([spaced, Buffer.alloc(512)])).entries[0].entry.size).toBe(1)
    const empty = tarHeader({ name: 'y', sizeField: Buffer.alloc(12) })
    expect(collectTar(empty).entries[0].entry.size).toBe(0)
  })

  test.each([
    ['no length', 'path=x\n'],
    ['a length past the end', '99 path=x\n'],
    ['no newline', '10 path=xyz'],
    ['no key', '8 =value\n'],
    ['a length too short', '3 path=x\n']
  ])('refuses a pax record with %s', (_what, record) => {
    const tar = Buffer.concat([tarEntry({ name: 'p', type: 'x' }, record), tarEntry({ name: 'f' })])
    expect(() => collectTar(tar)).toThrow('tar pax header at byte 0 has a malformed record')
  })

  test('refuses a bad pax size and an oversized meta header', () => {
    const badSize = tarEntry({ name: 'p', type: 'x' }, paxRecords({ size: '-1' }))
    expect(() => collectTar(badSize)).toThrow('tar pax header at byte 0 has a bad size "-1"')
    const huge = tarHeader({ name: '././@LongLink', type: 'L', size: 2 << 20 })
    expect(() => collectTar(huge)).toThrow('tar L header at byte 0 is too large (2097152 bytes)')
  })

  test('end() tells where a truncated archive stops', () => {
    const tar = Buffer.concat([
      tarEntry({ name: 'first' }, 'abc'),
      tarEntry({ name: '././@LongLink', type: 'L' }, 'n'.repeat(600))
    ])
    const at = (n: number) => () => collectTar(tar.subarray(0, n))
    expect(at(100)).toThrow('tar archive ends inside a header at byte 0')
    expect(at(514)).toThrow('tar archive ends inside first at byte 514')
    expect(at(600)).toThrow('tar archive ends inside first at byte 600')
    expect(at(1100)).toThrow('tar archive ends inside a header at byte 1024')
    expect(at(1700)).toThrow('tar archive ends inside a type L header at byte 1700')
  })
})

describe('archivePath', () => {
  test.each([
    ['./usr/bin/qemu-aarch64', 'usr/bin/qemu-aarch64'],
    ['usr/bin/qemu-aarch64', 'usr/bin/qemu-aarch64'],
    ['/usr/bin/', 'usr/bin'],
    ['./usr/lib/../bin//x', 'usr/bin/x'],
    ['./', ''],
    ['.', '']
  ])('%j compares as %j', (path, normal) => expect(archivePath(path)).toBe(normal))
})

// ---------------------------------------------------------------------------------------------
// extractDeb

describe('extractDeb', () => {
  const qemuDeb = () => deb(systemTar(qemuTree(), QEMU_PATHS))

  test('writes the members asked for, with their hashes, and hashes the whole .deb', async () => {
    const file = qemuDeb()
    const dir = tmp()
    const result = await extractDeb(
      stream(file, 1000),
      new Map([
        ['./usr/bin/qemu-aarch64', join(dir, 'qemu-aarch64')],
        ['usr/bin/qemu-s390x', join(dir, 'qemu-s390x')]
      ])
    )
    expect(result.sha256).toBe(sha256(file))
    expect(result.size).toBe(file.length)
    expect(result.files).toEqual(
      new Map([
        [
          './usr/bin/qemu-aarch64',
          { path: join(dir, 'qemu-aarch64'), sha256: sha256(AARCH64), size: AARCH64.length }
        ],
        ['usr/bin/qemu-s390x', { path: join(dir, 'qemu-s390x'), sha256: sha256(S390X), size: 33 }]
      ])
    )
    expect(readFileSync(join(dir, 'qemu-aarch64'))).toEqual(AARCH64)
    expect(readFileSync(join(dir, 'qemu-s390x'))).toEqual(S390X)
    expect(statSync(join(dir, 'qemu-aarch64')).mode & 0o777).toBe(0o755)
    expect(left(dir)).toEqual(['qemu-aarch64', 'qemu-s390x'])
  })

  test.each([1, 13, 65536])('gives the same result in %i-byte chunks', async size => {
    const file = qemuDeb()
    const dir = tmp()
    const result = await extractDeb(
      stream(file, size),
      new Map([['usr/bin/qemu-riscv64', join(dir, 'r')]])
    )
    expect(result.sha256).toBe(sha256(file))
    expect(readFileSync(join(dir, 'r'))).toEqual(RISCV64)
  })

  test('reads any async iterable of Uint8Array, and the same member twice', async () => {
    const file = qemuDeb()
    const dir = tmp()
    async function* views() {
      for (const chunk of chunks(file, 777)) yield new Uint8Array(chunk)
    }
    const result = await extractDeb(
      views(),
      new Map([
        ['./usr/bin/qemu-riscv64', join(dir, 'one')],
        ['usr/bin/qemu-riscv64', join(dir, 'two')]
      ])
    )
    expect(result.sha256).toBe(sha256(file))
    expect(readFileSync(join(dir, 'one'))).toEqual(RISCV64)
    expect(readFileSync(join(dir, 'two'))).toEqual(RISCV64)
  })

  test('reads a response body as it downloads', async () => {
    const file = qemuDeb()
    const server = createServer((_req, res) => {
      res.writeHead(200, { 'content-length': file.length })
      let i = 0
      const next = (): void => {
        if (i >= file.length) {
          res.end()
          return
        }
        res.write(file.subarray(i, (i += 2048)))
        setImmediate(next)
      }
      next()
    })
    await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
    try {
      const { get } = await import('node:http')
      const port = (server.address() as AddressInfo).port
      const response = await new Promise<import('node:http').IncomingMessage>(resolve =>
        get(`http://127.0.0.1:${port}/x.deb`, resolve)
      )
      const dir = tmp()
      const result = await extractDeb(
        response,
        new Map([['./usr/bin/qemu-aarch64', join(dir, 'a')]]),
        { expectedSha256: sha256(file).toUpperCase(), expectedSize: file.length }
      )
      expect(result.sha256).toBe(sha256(file))
      expect(readFileSync(join(dir, 'a'))).toEqual(AARCH64)
    } finally {
      await new Promise(resolve => server.close(resolve))
    }
  })

  test('reads data.tar.gz and an uncompressed data.tar, and skips signature members', async () => {
    const tar = systemTar(qemuTree(), QEMU_PATHS)
    for (const name of ['data.tar.gz', 'data.tar']) {
      const file = deb(tar, name, [['_gpgbuilder', Buffer.from('sig')]])
      const dir = tmp()
      const result = await extractDeb(
        stream(file),
        new Map([['usr/bin/qemu-s390x', join(dir, 's')]])
      )
      expect(result.sha256).toBe(sha256(file))
      expect(readFileSync(join(dir, 's'))).toEqual(S390X)
    }
  })

  test('an empty file and a request for nothing', async () => {
    const tar = Buffer.concat([
      tarEntry({ name: './empty' }),
      tarEntry({ name: './b' }, 'b'),
      tarEnd()
    ])
    const dir = tmp()
    const result = await extractDeb(stream(deb(tar)), new Map([['empty', join(dir, 'e')]]))
    expect(result.files.get('empty')).toEqual({
      path: join(dir, 'e'),
      sha256: sha256(Buffer.alloc(0)),
      size: 0
    })
    expect((await extractDeb(stream(deb(tar)), new Map())).files.size).toBe(0)
  })

  test('takes the first entry of a path', async () => {
    const tar = Buffer.concat([
      tarEntry({ name: './x' }, 'first'),
      tarEntry({ name: './x' }, 'second'),
      tarEnd()
    ])
    const dir = tmp()
    await extractDeb(stream(deb(tar)), new Map([['x', join(dir, 'x')]]))
    expect(readFileSync(join(dir, 'x'), 'utf8')).toBe('first')
  })

  test('finds members under GNU long names and pax paths', async () => {
    const long = `./usr/lib/${'long-directory-name/'.repeat(8)}qemu-aarch64`
    for (const format of ['gnu', 'pax']) {
      const root = tree({ [long]: AARCH64, other: 'x' })
      const dir = tmp()
      const result = await extractDeb(
        stream(deb(systemTar(root, ['./other', long], format))),
        new Map([[long.slice(2), join(dir, 'a')]])
      )
      expect(result.files.get(long.slice(2))?.sha256).toBe(sha256(AARCH64))
    }
  })

  describe('links', () => {
    test('follows a symlink to a file later in the archive, and a chain of links; ignores other links', async () => {
      const root = tree({
        'usr/bin/qemu-aarch64': AARCH64,
        'usr/bin/qemu-arm64': { link: 'qemu-aarch64' },
        'usr/libexec/aarch64-binfmt-P': { link: '../bin/qemu-arm64' },
        'usr/local/abs': { link: '/usr/bin/qemu-arm64' },
        'usr/share/elsewhere': { link: '../../../outside' }
      })
      const tar = systemTar(root, [
        './usr/share/elsewhere',
        './usr/libexec/aarch64-binfmt-P',
        './usr/bin/qemu-arm64',
        './usr/local/abs',
        './usr/bin/qemu-aarch64'
      ])
      const dir = tmp()
      const result = await extractDeb(
        stream(deb(tar)),
        new Map([
          ['./usr/libexec/aarch64-binfmt-P', join(dir, 'p')],
          ['./usr/local/abs', join(dir, 'abs')]
        ])
      )
      expect(result.files.get('./usr/libexec/aarch64-binfmt-P')?.sha256).toBe(sha256(AARCH64))
      expect(readFileSync(join(dir, 'p'))).toEqual(AARCH64)
      expect(readFileSync(join(dir, 'abs'))).toEqual(AARCH64)
    })

    test('copies a link target that came earlier when it was asked for too (symlink and hard link)', async () => {
      const root = tree({
        'usr/bin/qemu-aarch64': AARCH64,
        'usr/bin/qemu-arm64': { link: 'qemu-aarch64' },
        'usr/bin/hard': { hard: 'usr/bin/qemu-aarch64' }
      })
      const tar = systemTar(root, [
        './usr/bin/qemu-aarch64',
        './usr/bin/hard',
        './usr/bin/qemu-arm64'
      ])
      const dir = tmp()
      const result = await extractDeb(
        stream(deb(tar)),
        new Map([
          ['./usr/bin/qemu-aarch64', join(dir, 'a')],
          ['./usr/bin/qemu-arm64', join(dir, 'arm64')],
          ['./usr/bin/hard', join(dir, 'hard')]
        ])
      )
      for (const key of ['./usr/bin/qemu-arm64', './usr/bin/hard'])
        expect(result.files.get(key)?.sha256).toBe(sha256(AARCH64))
      expect(readFileSync(join(dir, 'arm64'))).toEqual(AARCH64)
      expect(readFileSync(join(dir, 'hard'))).toEqual(AARCH64)
      expect(statSync(join(dir, 'arm64')).mode & 0o777).toBe(0o755)
    })

    test('names the target to ask for when a link points back at a file not asked for', async () => {
      const dir = tmp()
      const error = await failure(
        extractDeb(
          stream(qemuDeb()),
          new Map([
            ['./usr/bin/qemu-s390x', join(dir, 's')],
            ['./usr/bin/qemu-arm64', join(dir, 'arm64')]
          ])
        )
      )
      expect(error.message).toBe(
        'the .deb: ./usr/bin/qemu-arm64 is a symlink to qemu-aarch64, which came earlier in its data.tar.xz and was not asked for: ask for ./usr/bin/qemu-aarch64'
      )
      expect(left(dir)).toEqual([])
    })

    test('refuses link loops, links out of the archive, directories and sparse files', async () => {
      const loop = Buffer.concat([
        tarEntry({ name: './a', type: '2', linkname: 'b' }),
        tarEntry({ name: './b', type: '2', linkname: 'a' }),
        tarEnd()
      ])
      const dir = tmp()
      const out = new Map([['b', join(dir, 'b')]])
      expect((await failure(extractDeb(stream(deb(loop)), out))).message).toBe(
        'the .deb: b is a link in a loop of links'
      )
      const escape = Buffer.concat([
        tarEntry({ name: './a', type: '2', linkname: '../../etc/passwd' }),
        tarEnd()
      ])
      expect(
        (await failure(extractDeb(stream(deb(escape)), new Map([['a', join(dir, 'a')]])))).message
      ).toBe('the .deb: ./a is a symlink that points outside the archive')
      const directory = Buffer.concat([tarEntry({ name: './usr/bin/', type: '5' }), tarEnd()])
      expect(
        (await failure(extractDeb(stream(deb(directory)), new Map([['usr/bin', join(dir, 'd')]]))))
          .message
      ).toBe('the .deb: ./usr/bin/ in its data.tar.xz is a directory, not a file')
      const fifo = Buffer.concat([tarEntry({ name: './f', type: '6' }), tarEnd()])
      expect(
        (await failure(extractDeb(stream(deb(fifo)), new Map([['f', join(dir, 'f')]])))).message
      ).toBe('the .deb: ./f in its data.tar.xz is a special file (tar type 6), not a file')
      const sparse = Buffer.concat([tarEntry({ name: './s', type: 'S' }, 'x'), tarEnd()])
      expect(
        (await failure(extractDeb(stream(deb(sparse)), new Map([['s', join(dir, 's')]])))).message
      ).toBe('the .deb: ./s in its data.tar.xz is a sparse file, not supported')
      expect(left(dir)).toEqual([])
    })

    test('names a missing link target as missing, with the link followed', async () => {
      const dangling = Buffer.concat([
        tarEntry({ name: './a', type: '2', linkname: 'gone' }),
        tarEnd()
      ])
      const dir = tmp()
      expect(
        (await failure(extractDeb(stream(deb(dangling)), new Map([['./a', join(dir, 'a')]]))))
          .message
      ).toBe('the .deb: its data.tar.xz has no ./a (a symlink to gone)')
    })
  })

  describe('failures leave nothing behind', () => {
    test('members missing are all named', async () => {
      const dir = tmp()
      const error = await failure(
        extractDeb(
          stream(qemuDeb()),
          new Map([
            ['./usr/bin/qemu-aarch64', join(dir, 'a')],
            ['./usr/bin/qemu-sparc', join(dir, 'sparc')],
            ['usr/bin/qemu-m68k', join(dir, 'm68k')]
          ]),
          { label: 'qemu-user_1.0_amd64.deb' }
        )
      )
      expect(error.message).toBe(
        'qemu-user_1.0_amd64.deb: its data.tar.xz has no ./usr/bin/qemu-sparc, usr/bin/qemu-m68k'
      )
      expect(left(dir)).toEqual([])
    })

    test('a truncated file', async () => {
      const file = qemuDeb()
      const dir = tmp()
      const error = await failure(
        extractDeb(
          stream(file.subarray(0, file.length - 100)),
          new Map([['./usr/bin/qemu-aarch64', join(dir, 'a')]])
        )
      )
      expect(error.message).toMatch(
        /^the \.deb: truncated: it ends inside member data\.tar\.xz \(\d+ of \d+ bytes\)$/
      )
      expect(left(dir)).toEqual([])
    })

    test('a truncated tar inside a whole xz stream', async () => {
      const tar = systemTar(qemuTree(), QEMU_PATHS)
      const dir = tmp()
      const error = await failure(
        extractDeb(
          stream(deb(tar.subarray(0, 3000))),
          new Map([['usr/bin/qemu-s390x', join(dir, 's')]])
        )
      )
      expect(error.message).toMatch(/^the \.deb: tar archive ends inside .* at byte 3000$/)
      expect(left(dir)).toEqual([])
    })

    test('corrupt xz data: xz exit code and its last line', async () => {
      const file = qemuDeb()
      const data = file.indexOf('data.tar.xz')
      const corrupt = Buffer.from(file)
      for (let i = data + 60 + 200; i < data + 60 + 260; i++) corrupt[i] ^= 0x55
      const dir = tmp()
      const error = await failure(
        extractDeb(stream(corrupt), new Map([['./usr/bin/qemu-s390x', join(dir, 's')]]))
      )
      expect(error.message).toMatch(
        /^the \.deb: xz -dc failed on its data\.tar\.xz \(exit code 1\): xz: \(stdin\): .+$/
      )
      expect(left(dir)).toEqual([])
    })

    test('a bad tar header checksum after a member has been started', async () => {
      const tar = systemTar(qemuTree(), QEMU_PATHS)
      // the header of the entry after qemu-aarch64 (riscv64)
      const at = tar.indexOf('./usr/bin/qemu-riscv64')
      tar[at + 5] ^= 0x01
      const dir = tmp()
      const error = await failure(
        extractDeb(
          stream(deb(tar)),
          new Map([
            ['./usr/bin/qemu-aarch64', join(dir, 'a')],
            ['./usr/bin/qemu-s390x', join(dir, 's')]
          ])
        )
      )
      expect(error.message).toMatch(
        new RegExp(
          `^the \\.deb: tar header at byte ${at} has a bad checksum .*: the archive is corrupt$`
        )
      )
      expect(left(dir)).toEqual([])
    })

    test('a whole-file hash or size other than expected', async () => {
      const file = qemuDeb()
      const dir = tmp()
      const members = new Map([['./usr/bin/qemu-aarch64', join(dir, 'a')]])
      const wrong = '0'.repeat(64)
      expect(
        (await failure(extractDeb(stream(file), members, { expectedSha256: wrong }))).message
      ).toBe(`the .deb: it has SHA-256 ${sha256(file)}, expected ${wrong}`)
      expect(
        (await failure(extractDeb(stream(file), members, { expectedSize: file.length + 1 })))
          .message
      ).toBe(`the .deb: it is ${file.length} bytes, expected ${file.length + 1}`)
      const source = stream(file, 100)
      expect((await failure(extractDeb(source, members, { expectedSize: 1000 }))).message).toBe(
        'the .deb: it is larger than the expected 1000 bytes'
      )
      expect(source.destroyed).toBe(true)
      expect(left(dir)).toEqual([])
    })

    test('not a Debian package', async () => {
      const dir = tmp()
      const out = new Map([['x', join(dir, 'x')]])
      const tar = Buffer.concat([tarEntry({ name: './x' }, 'x'), tarEnd()])
      const cases: [Buffer, string][] = [
        [
          Buffer.from('#!/bin/sh\necho not a deb\n'),
          'not a Debian package: it does not start with the ar signature !<arch>'
        ],
        [ar([['data.tar.xz', xz(tar)]]), 'not a Debian package: its first member is data.tar.xz'],
        [
          ar([['debian-binary', Buffer.from('3.0\n')]]),
          'not a Debian package of format 2.x: debian-binary says "3.0\\n"'
        ],
        [
          ar([
            ['debian-binary', Buffer.from('2.0\n')],
            ['control.tar.xz', Buffer.alloc(0)]
          ]),
          'it has no data.tar member'
        ],
        [
          ar([
            ['debian-binary', Buffer.from('2.0\n')],
            ['data.tar.zst', Buffer.from('zstd')]
          ]),
          'its data.tar.zst is compressed in a way this action cannot unpack (it reads data.tar.xz, data.tar.gz and data.tar)'
        ],
        [
          ar([
            ['debian-binary', Buffer.from('2.0\n')],
            ['data.tar', tar],
            ['data.tar.xz', xz(tar)]
          ]),
          'it has two data members, data.tar and data.tar.xz'
        ],
        [
          ar([
            ['debian-binary', Buffer.from('2.0\n')],
            ['data.tar.gz', Buffer.from('not gzip at all')]
          ]),
          'its gzip data is corrupt: incorrect header check'
        ]
      ]
      for (const [file, message] of cases)
        expect((await failure(extractDeb(stream(file), out))).message).toBe(`the .deb: ${message}`)
      expect(left(dir)).toEqual([])
    })

    test('no xz to run', async () => {
      const dir = tmp()
      const error = await failure(
        extractDeb(stream(qemuDeb()), new Map([['usr/bin/qemu-s390x', join(dir, 's')]]), {
          xz: join(dir, 'no-such-xz')
        })
      )
      expect(error.message).toMatch(
        /^the \.deb: cannot run .*no-such-xz to unpack its data\.tar\.xz: spawn .* ENOENT\. Install xz-utils$/
      )
      expect(left(dir)).toEqual([])
    })

    test('a source that fails midway', async () => {
      const file = qemuDeb()
      const dir = tmp()
      async function* broken() {
        yield file.subarray(0, 3000)
        throw new Error('socket hang up')
      }
      expect(
        (await failure(extractDeb(broken(), new Map([['usr/bin/qemu-aarch64', join(dir, 'a')]]))))
          .message
      ).toBe('the .deb: socket hang up')
      expect(left(dir)).toEqual([])
    })

    test('a failure while the source has stalled destroys it at once', async () => {
      const file = qemuDeb()
      const data = file.indexOf('data.tar.xz')
      const size = Number(file.toString('latin1', data + 48, data + 58).trim())
      const source = new Readable({ read() {} })
      source.push(file.subarray(0, data + 60 + size))
      const dir = tmp()
      const error = await failure(extractDeb(source, new Map([['./nothing', join(dir, 'n')]])))
      expect(error.message).toBe('the .deb: its data.tar.xz has no ./nothing')
      expect(source.destroyed).toBe(true)
    })

    test('bad requests', async () => {
      expect(
        (await failure(extractDeb(stream(qemuDeb()), new Map([['./', '/tmp/x']])))).message
      ).toBe('the .deb: "./" is not a member path')
      const twice = new Map([
        ['a', '/tmp/same'],
        ['b', '/tmp/same']
      ])
      expect((await failure(extractDeb(stream(qemuDeb()), twice))).message).toBe(
        'the .deb: two members are to be written to /tmp/same'
      )
    })

    test('a destination that cannot be written', async () => {
      const dir = tmp()
      const error = await failure(
        extractDeb(stream(qemuDeb()), new Map([['usr/bin/qemu-s390x', join(dir, 'no-dir', 's')]]))
      )
      expect(error.message).toMatch(
        /^the \.deb: ENOENT: no such file or directory, open .*s\.partial'$/
      )
    })
  })
})
