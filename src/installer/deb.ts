/**
 * Chosen files from a Debian package (.deb), read as a stream: an HTTP response body is unpacked
 * while it downloads, and the whole .deb is hashed on the way.
 *
 * A .deb is an `ar` archive (`debian-binary`, `control.tar.*`, `data.tar.*`). The bytes of
 * `data.tar.xz` go through a spawned `xz -dc` (no shell), `data.tar.gz` through node:zlib and a bare
 * `data.tar` straight on; the tar that comes out is parsed here (ustar, GNU and pax). Only the
 * members asked for are written; everything else is skipped as it passes, so memory stays flat.
 * Back-pressure holds all the way: a slow disk slows the download, never buffers it.
 *
 * Trust contract. The whole-file SHA-256 (`DebExtraction.sha256`) is known only once the stream
 * has ended, so nothing is written under a destination name before that: every file is written
 * as `<dest>.partial` and renamed to `<dest>` at the very end, after the hash has been computed
 * and, when `expectedSha256` is given, matched. So:
 * - with `expectedSha256` (and ideally `expectedSize`), files at the destinations are trustworthy
 *   when the promise resolves; on a mismatch nothing is left behind;
 * - without it, the caller must compare `sha256` with its pinned checksum before using the files,
 *   so it should extract into a private temporary directory and move the files into place only
 *   after that comparison.
 * On any failure every `.partial` (and any destination already renamed) is removed.
 *
 * Once every member asked for has been written, decompression stops (xz is killed: the rest of
 * data.tar is never decoded), but the rest of the .deb is still read to its end and hashed. xz
 * decoding is deterministic, so the members are exactly what a full decode yields; the integrity
 * of the package as a whole comes from the caller's pinned SHA-256, not from xz's CRCs. The first
 * tar entry of a path is the one taken.
 *
 * Links: a member asked for that is a symlink or hard link in the tar is followed to its target
 * inside the archive (relative to the link's directory for symlinks; chains are followed). That
 * works when the target comes later in the tar or is itself asked for. dpkg-deb puts symlinks
 * after all regular files, so a link to a file not asked for has already gone past: that fails,
 * naming the target to ask for instead (e.g. Debian's `./usr/bin/qemu-arm64 -> qemu-aarch64`).
 */
import { createHash, type Hash } from 'node:crypto'
import { copyFile, open, rename, rm, type FileHandle } from 'node:fs/promises'
import { posix } from 'node:path'
import type { Readable, Transform, Writable } from 'node:stream'
import { describe } from '../errors.js'

/** A .deb that cannot be read, is not what was expected, or lacks a member asked for. */
export class DebError extends Error {
  constructor(
    message: string,
    /** Read whole, but of another size or SHA-256 than expected: the wrong file, not a fault. */
    readonly wrongFile = false
  ) {
    super(message.replace(/\s*\n\s*/g, ' ').trim())
    this.name = 'DebError'
  }
}

/** The stream is not the file expected (its size or SHA-256). */
class NotExpected extends Error {}

export interface ExtractedFile {
  /** The destination path given for the member. */
  readonly path: string
  /** SHA-256 (hex) of the bytes written. */
  readonly sha256: string
  readonly size: number
}

export interface DebExtraction {
  /** SHA-256 (hex) of every byte of the .deb. */
  readonly sha256: string
  /** Size of the .deb in bytes. */
  readonly size: number
  /** By member path, as asked for. */
  readonly files: Map<string, ExtractedFile>
}

export interface DebExtractOptions {
  /** Names the package in error messages (a file name or URL); default "the .deb". */
  readonly label?: string
  /** SHA-256 (hex) the whole .deb must have; checked before anything is renamed into place. */
  readonly expectedSha256?: string
  /** Size the whole .deb must have; a longer stream is refused as soon as it goes past it. */
  readonly expectedSize?: number
  /** Largest .deb read; a longer stream is refused as soon as it goes past it. */
  readonly maxSize?: number
  /**
   * Largest size of each member asked for (keys as in `members`): a larger one is refused from
   * its tar header, before a byte of it is written. It is not the file expected.
   */
  readonly limits?: ReadonlyMap<string, number>
  /** The xz program; default `xz` on PATH. */
  readonly xz?: string
  /**
   * xz's -T. 0, the default, decodes the blocks of a multi-block .xz (as dpkg-deb writes them) on
   * every core: about twice as fast on two cores. xz before 5.4 accepts it and decodes on one.
   */
  readonly xzThreads?: number
}

/**
 * Reads a .deb from `source` to its end, writes the `data.tar` members named in `members` (tar
 * path, with or without a leading `./`, to destination file path; mode 0755) and returns the
 * whole-file hash and the files written. See the module comment for when the files can be
 * trusted. Rejects with a one-line DebError on a truncated or corrupt package, a failing xz, a
 * bad tar header, or members missing (all named). `source` is read with back-pressure; on failure
 * it is destroyed when it is a stream.
 */
export async function extractDeb(
  source: AsyncIterable<Uint8Array>,
  members: ReadonlyMap<string, string>,
  options: DebExtractOptions = {}
): Promise<DebExtraction> {
  const label = options.label ?? 'the .deb'
  let job: Extraction | undefined
  try {
    job = new Extraction(members, options, source)
    return await job.run()
  } catch (error) {
    // A failure found while reading destroys the source; what it then throws is an echo.
    const reason = job?.failure ?? error
    await job?.cleanUp()
    if (isStream(source)) source.destroy()
    throw new DebError(`${label}: ${messageOf(reason)}`, reason instanceof NotExpected)
  }
}

/** An error's message on one line; errors from other realms (jest's VM) count too. */
function messageOf(error: unknown): string {
  const message = (error as { message?: unknown } | undefined)?.message
  return typeof message === 'string' ? describe(message) : describe(error)
}

function isStream(value: unknown): value is Readable {
  return typeof (value as Readable).destroy === 'function'
}

// ---------------------------------------------------------------------------------------------
// ar

export type ArEvent =
  | { readonly type: 'member'; readonly name: string; readonly size: number }
  | { readonly type: 'data'; readonly data: Buffer }
  | { readonly type: 'member-end'; readonly name: string }

const AR_MAGIC = '!<arch>\n'
const AR_HEADER = 60

/**
 * A streaming parser of System V / GNU `ar` archives as dpkg writes them: member names of up to
 * 16 characters (space-padded, an optional trailing `/`), 2-byte alignment. Long-name tables and
 * BSD `#1/` names, which .debs never use, are refused. `write` returns the events for one chunk;
 * data events are views into the chunk, not copies.
 */
export class ArParser {
  private state: 'magic' | 'header' | 'data' | 'pad' = 'magic'
  private readonly head = Buffer.alloc(AR_HEADER)
  private fill = 0
  private position = 0
  private remaining = 0
  private member = { name: '', size: 0 }

  write(chunk: Buffer): ArEvent[] {
    const events: ArEvent[] = []
    let i = 0
    while (i < chunk.length) {
      if (this.state === 'data') {
        const n = Math.min(this.remaining, chunk.length - i)
        events.push({ type: 'data', data: chunk.subarray(i, i + n) })
        i += n
        this.remaining -= n
        if (this.remaining === 0) this.endMember(events)
      } else if (this.state === 'pad') {
        i += 1
        this.state = 'header'
      } else {
        const want = this.state === 'magic' ? AR_MAGIC.length : AR_HEADER
        const n = Math.min(want - this.fill, chunk.length - i)
        chunk.copy(this.head, this.fill, i, i + n)
        this.fill += n
        i += n
        if (this.fill < want) continue
        this.fill = 0
        if (this.state === 'magic') {
          if (this.head.toString('latin1', 0, 8) !== AR_MAGIC)
            throw new Error('not a Debian package: it does not start with the ar signature !<arch>')
          this.state = 'header'
        } else {
          this.member = this.parseHeader(this.position + i - AR_HEADER)
          events.push({ type: 'member', ...this.member })
          this.remaining = this.member.size
          this.state = 'data'
          if (this.remaining === 0) this.endMember(events)
        }
      }
    }
    this.position += chunk.length
    return events
  }

  /** Call at the end of the input: throws unless it ended between members. */
  end(): void {
    // A missing final padding byte is tolerated, as by GNU ar.
    if ((this.state === 'header' && this.fill === 0) || this.state === 'pad') return
    if (this.state === 'magic')
      throw new Error(`truncated: it ends after ${this.fill} bytes, inside the ar signature`)
    if (this.state === 'header')
      throw new Error(`truncated: it ends inside an ar member header at byte ${this.position}`)
    const { name, size } = this.member
    throw new Error(
      `truncated: it ends inside member ${name} (${size - this.remaining} of ${size} bytes)`
    )
  }

  private endMember(events: ArEvent[]): void {
    events.push({ type: 'member-end', name: this.member.name })
    this.state = this.member.size % 2 === 1 ? 'pad' : 'header'
  }

  private parseHeader(offset: number): { name: string; size: number } {
    const h = this.head
    if (h.toString('latin1', 58, 60) !== '`\n')
      throw new Error(`corrupt ar member header at byte ${offset}`)
    const raw = h.toString('latin1', 0, 16).trimEnd()
    if (raw.startsWith('#1/'))
      throw new Error(`ar member at byte ${offset} has a BSD long name (${raw}), not used by .debs`)
    if (raw.startsWith('/') || raw === '')
      throw new Error(
        `ar member at byte ${offset} is a GNU symbol or long-name table or reference (${raw || 'empty name'}), not used by .debs`
      )
    const name = raw.endsWith('/') ? raw.slice(0, -1) : raw
    const sizeField = h.toString('latin1', 48, 58).trim()
    if (!/^\d+$/.test(sizeField))
      throw new Error(`ar member ${name} has a bad size field "${sizeField}"`)
    return { name, size: Number(sizeField) }
  }
}

// ---------------------------------------------------------------------------------------------
// tar

export type TarEntryType = 'file' | 'hardlink' | 'symlink' | 'directory' | 'other'

export interface TarEntry {
  /** The path as recorded: pax `path`, else the GNU long name, else ustar prefix/name. */
  readonly path: string
  readonly type: TarEntryType
  /** The header's type flag ('0' for a NUL flag). */
  readonly typeflag: string
  /** Bytes of data that follow (0 for links, directories, devices and FIFOs). */
  readonly size: number
  readonly mode: number
  /** Link target: pax `linkpath`, else the GNU long link name, else the header's. */
  readonly linkpath: string
  /** A GNU sparse file (type S or pax GNU.sparse.*): its data is not the file's bytes. */
  readonly sparse: boolean
  /** Byte offset of the entry's header in the tar stream. */
  readonly offset: number
}

export type TarEvent =
  | { readonly type: 'entry'; readonly entry: TarEntry }
  | { readonly type: 'data'; readonly data: Buffer }
  | { readonly type: 'entry-end'; readonly entry: TarEntry }
  | { readonly type: 'end' }

const BLOCK = 512
/** Largest GNU long name or pax header kept in memory. */
const MAX_META = 1 << 20
/** Types that never have data blocks (POSIX): hard link, symlink, char, block, dir, FIFO. */
const NO_DATA = new Set(['1', '2', '3', '4', '5', '6'])

interface Meta {
  path?: string
  linkpath?: string
  size?: number
  sparse?: boolean
}

/**
 * A streaming tar parser: 512-byte headers with checksum verification, octal and base-256
 * numbers, GNU long names (L) and long link names (K), pax extended (x) and global (g) headers
 * (path, linkpath, size), and the end-of-archive zero block, after which input is ignored. An
 * input that ends at an entry boundary without the zero block is accepted, as by GNU tar.
 * `write` returns the events for one chunk; data events are views into the chunk.
 */
export class TarParser {
  private state: 'header' | 'data' | 'meta' | 'pad' | 'done' = 'header'
  private readonly head = Buffer.alloc(BLOCK)
  private fill = 0
  private position = 0
  private remaining = 0
  private padding = 0
  private entry?: TarEntry
  private metaType = ''
  private metaOffset = 0
  private metaBuffer = Buffer.alloc(0)
  private local: Meta = {}
  private global: Meta = {}

  write(chunk: Buffer): TarEvent[] {
    const events: TarEvent[] = []
    let i = 0
    while (i < chunk.length && this.state !== 'done') {
      switch (this.state) {
        case 'header': {
          const n = Math.min(BLOCK - this.fill, chunk.length - i)
          chunk.copy(this.head, this.fill, i, i + n)
          this.fill += n
          i += n
          if (this.fill < BLOCK) break
          this.fill = 0
          this.header(this.position + i - BLOCK, events)
          break
        }
        case 'data': {
          const n = Math.min(this.remaining, chunk.length - i)
          events.push({ type: 'data', data: chunk.subarray(i, i + n) })
          i += n
          this.remaining -= n
          if (this.remaining === 0) this.endEntry(events)
          break
        }
        case 'meta': {
          const n = Math.min(this.remaining, chunk.length - i)
          chunk.copy(this.metaBuffer, this.metaBuffer.length - this.remaining, i, i + n)
          i += n
          this.remaining -= n
          if (this.remaining === 0) this.endMeta()
          break
        }
        case 'pad': {
          const n = Math.min(this.padding, chunk.length - i)
          i += n
          this.padding -= n
          if (this.padding === 0) this.state = 'header'
          break
        }
      }
    }
    this.position += chunk.length
    return events
  }

  /** Call at the end of the input: throws if it ended inside a header or an entry. */
  end(): void {
    if (this.state === 'done' || (this.state === 'header' && this.fill === 0)) return
    if (this.state === 'header')
      throw new Error(`tar archive ends inside a header at byte ${this.position - this.fill}`)
    const what =
      this.state === 'meta' ? `a type ${this.metaType} header` : (this.entry?.path ?? 'an entry')
    throw new Error(`tar archive ends inside ${what} at byte ${this.position}`)
  }

  private header(offset: number, events: TarEvent[]): void {
    const h = this.head
    if (isZero(h)) {
      this.state = 'done'
      events.push({ type: 'end' })
      return
    }
    verifyChecksum(h, offset)
    const flag = h[156] === 0 ? '0' : String.fromCharCode(h[156])
    const size = readNumber(h, 124, 12, 'size', offset)
    if (flag === 'L' || flag === 'K' || flag === 'x' || flag === 'g') {
      if (size > MAX_META)
        throw new Error(`tar ${flag} header at byte ${offset} is too large (${size} bytes)`)
      this.metaType = flag
      this.metaOffset = offset
      this.metaBuffer = Buffer.alloc(size)
      this.remaining = size
      this.padding = padOf(size)
      this.state = 'meta'
      if (size === 0) this.endMeta()
      return
    }
    const meta = { ...this.global, ...this.local }
    this.local = {}
    let path = cString(h, 0, 100)
    if (h.toString('latin1', 257, 263) === 'ustar\0') {
      const prefix = cString(h, 345, 155)
      if (prefix) path = `${prefix}/${path}`
    }
    const entry: TarEntry = {
      path: meta.path ?? path,
      type: typeOf(flag),
      typeflag: flag,
      size: NO_DATA.has(flag) ? 0 : (meta.size ?? size),
      mode: readNumber(h, 100, 8, 'mode', offset),
      linkpath: meta.linkpath ?? cString(h, 157, 100),
      sparse: flag === 'S' || meta.sparse === true,
      offset
    }
    this.entry = entry
    events.push({ type: 'entry', entry })
    this.remaining = entry.size
    this.padding = padOf(entry.size)
    this.state = 'data'
    if (entry.size === 0) this.endEntry(events)
  }

  private endEntry(events: TarEvent[]): void {
    events.push({ type: 'entry-end', entry: this.entry! })
    this.state = this.padding > 0 ? 'pad' : 'header'
  }

  private endMeta(): void {
    const data = this.metaBuffer
    switch (this.metaType) {
      case 'L':
        this.local.path = cString(data, 0, data.length)
        break
      case 'K':
        this.local.linkpath = cString(data, 0, data.length)
        break
      case 'x':
        Object.assign(this.local, parsePax(data, this.metaOffset))
        break
      default:
        Object.assign(this.global, parsePax(data, this.metaOffset))
    }
    this.metaBuffer = Buffer.alloc(0)
    this.state = this.padding > 0 ? 'pad' : 'header'
  }
}

function typeOf(flag: string): TarEntryType {
  switch (flag) {
    case '0':
    case '7':
    case 'S':
      return 'file'
    case '1':
      return 'hardlink'
    case '2':
      return 'symlink'
    case '5':
      return 'directory'
    default:
      return 'other'
  }
}

function padOf(size: number): number {
  return (BLOCK - (size % BLOCK)) % BLOCK
}

function isZero(block: Buffer): boolean {
  for (let i = 0; i < block.length; i++) if (block[i] !== 0) return false
  return true
}

function cString(buffer: Buffer, start: number, length: number): string {
  const end = buffer.indexOf(0, start)
  return buffer.toString('utf8', start, end === -1 || end > start + length ? start + length : end)
}

/** Both the unsigned sum and the historic signed one are accepted, as by GNU tar. */
function verifyChecksum(h: Buffer, offset: number): void {
  let unsigned = 0
  let signed = 0
  for (let i = 0; i < BLOCK; i++) {
    const b = i >= 148 && i < 156 ? 0x20 : h[i]
    unsigned += b
    signed += b >= 0x80 ? b - 0x100 : b
  }
  let stored: number
  try {
    stored = readNumber(h, 148, 8, 'checksum', offset)
  } catch {
    stored = -1
  }
  if (stored !== unsigned && stored !== signed)
    throw new Error(
      `tar header at byte ${offset} has a bad checksum (stored ${JSON.stringify(h.toString('latin1', 148, 156))}, computed ${unsigned.toString(8)}): the archive is corrupt`
    )
}

/** An octal field (space- or NUL-terminated) or, with the high bit of its first byte set, GNU base-256. */
function readNumber(h: Buffer, start: number, length: number, field: string, offset: number) {
  const end = start + length
  if (h[start] & 0x80) {
    if (h[start] & 0x40)
      throw new Error(`tar header at byte ${offset} has a negative ${field} (base-256)`)
    let value = BigInt(h[start] & 0x3f)
    for (let i = start + 1; i < end; i++) value = (value << 8n) | BigInt(h[i])
    if (value > BigInt(Number.MAX_SAFE_INTEGER))
      throw new Error(`tar header at byte ${offset} has a ${field} too large to handle`)
    return Number(value)
  }
  let i = start
  while (i < end && h[i] === 0x20) i++
  let value = 0
  for (; i < end && h[i] >= 0x30 && h[i] <= 0x37; i++) value = value * 8 + h[i] - 0x30
  if (i < end && h[i] !== 0 && h[i] !== 0x20)
    throw new Error(
      `tar header at byte ${offset} has a bad ${field} field ${JSON.stringify(h.toString('latin1', start, end))}`
    )
  return value
}

/** pax records: `<length> <key>=<value>\n`, length counting the whole record in bytes. */
function parsePax(data: Buffer, offset: number): Meta {
  const meta: Meta = {}
  const bad = () => new Error(`tar pax header at byte ${offset} has a malformed record`)
  let i = 0
  while (i < data.length && data[i] !== 0) {
    const space = data.indexOf(0x20, i)
    const digits = space === -1 ? '' : data.toString('latin1', i, space)
    if (!/^\d+$/.test(digits)) throw bad()
    const end = i + Number(digits)
    if (end > data.length || end <= space + 1 || data[end - 1] !== 0x0a) throw bad()
    const record = data.toString('utf8', space + 1, end - 1)
    const eq = record.indexOf('=')
    if (eq < 1) throw bad()
    const key = record.slice(0, eq)
    const value = record.slice(eq + 1)
    if (key === 'path') meta.path = value || undefined
    else if (key === 'linkpath') meta.linkpath = value || undefined
    else if (key === 'size') {
      if (!/^\d+$/.test(value) || !Number.isSafeInteger(Number(value)))
        throw new Error(`tar pax header at byte ${offset} has a bad size "${value}"`)
      meta.size = Number(value)
    } else if (key.startsWith('GNU.sparse.')) meta.sparse = true
    i = end
  }
  return meta
}

/** A tar or member path compared without a leading `./` or `/`, trailing `/`, or `a/../`. */
export function archivePath(path: string): string {
  const normal = posix.normalize(path.replace(/^\/+/, '')).replace(/\/+$/, '')
  return normal === '.' ? '' : normal
}

// ---------------------------------------------------------------------------------------------
// decompressors

interface Decompressor {
  readonly input: Writable
  readonly output: Readable
  /** Resolves when it has finished cleanly; rejects with what went wrong. */
  readonly finished: Promise<void>
  /** Set, before the output stream reports it, when it failed. */
  error?: Error
  stop(): void
}

async function decompressor(member: string, options: DebExtractOptions): Promise<Decompressor> {
  if (member === 'data.tar.xz') return xzDecompressor(options)
  if (member === 'data.tar.gz') {
    const { createGunzip } = await import('node:zlib')
    return transformDecompressor(createGunzip(), 'its gzip data is corrupt')
  }
  if (member === 'data.tar') {
    const { PassThrough } = await import('node:stream')
    return transformDecompressor(new PassThrough(), 'unreadable')
  }
  throw new Error(
    `its ${member} is compressed in a way this action cannot unpack (it reads data.tar.xz, data.tar.gz and data.tar)`
  )
}

function transformDecompressor(stream: Transform, problem: string): Decompressor {
  const d: Decompressor = {
    input: stream,
    output: stream,
    finished: new Promise<void>((resolve, reject) => {
      stream.on('end', resolve)
      stream.on('error', error => {
        d.error = new Error(`${problem}: ${error.message}`)
        reject(d.error)
      })
      stream.on('close', () => reject(new Error('stopped')))
    }),
    stop: () => stream.destroy()
  }
  d.finished.catch(() => undefined)
  return d
}

async function xzDecompressor(options: DebExtractOptions): Promise<Decompressor> {
  const { spawn } = await import('node:child_process')
  const xz = options.xz ?? 'xz'
  const child = spawn(xz, ['-dc', `-T${options.xzThreads ?? 0}`], {
    stdio: ['pipe', 'pipe', 'pipe']
  })
  let stderr = ''
  child.stderr.setEncoding('utf8')
  child.stderr.on('data', (text: string) => {
    stderr = (stderr + text).slice(-4096)
  })
  // EPIPE when xz has exited: its exit status says why.
  child.stdin.on('error', () => undefined)
  const d: Decompressor = {
    input: child.stdin,
    output: child.stdout,
    finished: new Promise<void>((resolve, reject) => {
      child.on('error', error => {
        d.error = new Error(
          `cannot run ${xz} to unpack its data.tar.xz: ${messageOf(error)}. Install xz-utils`
        )
        reject(d.error)
      })
      child.on('close', (code, signal) => {
        if (code === 0) return resolve()
        const last = stderr.trim().split('\n').pop()?.trim()
        d.error ??= new Error(
          `${xz} -dc failed on its data.tar.xz (${code === null ? `signal ${signal}` : `exit code ${code}`})${last ? `: ${last}` : ''}`
        )
        reject(d.error)
      })
    }),
    stop: () => {
      child.stdin.destroy()
      child.stdout.destroy()
      child.kill()
    }
  }
  d.finished.catch(() => undefined)
  return d
}

// ---------------------------------------------------------------------------------------------
// extraction

interface Output {
  readonly key: string
  readonly dest: string
  readonly partial: string
  /** The links followed to reach the file, for messages. */
  readonly via: string[]
  handle?: FileHandle
  hash: Hash
  size: number
  sha256?: string
}

/** Link chains longer than this are taken to be loops. */
const MAX_LINKS = 32

class Extraction {
  private readonly hash = createHash('sha256')
  private size = 0
  private readonly outputs: Output[] = []
  /** Archive path to the outputs waiting for its bytes. */
  private readonly waiting = new Map<string, Output[]>()
  /** Outputs receiving the current entry's data. */
  private current: Output[] = []
  /** Archive paths of files written, to copy from when a link to them is asked for. */
  private readonly written = new Map<string, Output>()
  /** Every archive path seen; links with their resolved target (undefined: out of the archive). */
  private readonly seen = new Map<string, { link: boolean; target?: string; entry: TarEntry }>()
  private left: number
  private decomp?: Decompressor
  private dataMember = ''
  private consumer?: Promise<void>
  failure?: Error
  private stopped = false
  private wake?: () => void
  private readonly renamed: string[] = []

  constructor(
    members: ReadonlyMap<string, string>,
    private readonly options: DebExtractOptions,
    private readonly source: AsyncIterable<Uint8Array>
  ) {
    const dests = new Set<string>()
    for (const [key, dest] of members) {
      const path = archivePath(key)
      if (!path) throw new Error(`"${key}" is not a member path`)
      if (dests.has(dest)) throw new Error(`two members are to be written to ${dest}`)
      dests.add(dest)
      const output: Output = {
        key,
        dest,
        partial: `${dest}.partial`,
        via: [],
        hash: createHash('sha256'),
        size: 0
      }
      this.outputs.push(output)
      this.waiting.set(path, [...(this.waiting.get(path) ?? []), output])
    }
    this.left = this.outputs.length
  }

  async run(): Promise<DebExtraction> {
    const ar = new ArParser()
    const { expectedSize } = this.options
    let first = true
    let member = ''
    let version = ''
    for await (const bytes of this.source) {
      if (this.failure) throw this.failure
      const chunk = Buffer.isBuffer(bytes)
        ? bytes
        : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
      this.hash.update(chunk)
      this.size += chunk.length
      if (expectedSize !== undefined && this.size > expectedSize)
        throw new NotExpected(`it is larger than the expected ${expectedSize} bytes`)
      if (this.options.maxSize !== undefined && this.size > this.options.maxSize)
        throw new NotExpected(`it is larger than ${this.options.maxSize} bytes, the most read`)
      for (const event of ar.write(chunk)) {
        if (event.type === 'member') {
          member = event.name
          if (first && member !== 'debian-binary')
            throw new Error(`not a Debian package: its first member is ${member}`)
          first = false
          if (member === 'data.tar' || member.startsWith('data.tar.')) await this.start(member)
        } else if (event.type === 'data') {
          if (member === this.dataMember) await this.feed(event.data)
          else if (member === 'debian-binary' && version.length < 16)
            version += event.data.toString('latin1')
        } else if (member === 'debian-binary') {
          if (!/^2\.\d+\n/.test(version))
            throw new Error(
              `not a Debian package of format 2.x: debian-binary says ${JSON.stringify(version.slice(0, 16))}`
            )
        } else if (member === this.dataMember) {
          if (!this.stopped) this.decomp!.input.end()
        }
      }
    }
    ar.end()
    if (!this.consumer) throw new Error('it has no data.tar member')
    await this.consumer
    if (this.failure) throw this.failure
    const sha256 = this.hash.digest('hex')
    if (expectedSize !== undefined && this.size !== expectedSize)
      throw new NotExpected(`it is ${this.size} bytes, expected ${expectedSize}`)
    const expected = this.options.expectedSha256?.toLowerCase()
    if (expected !== undefined && sha256 !== expected)
      throw new NotExpected(`it has SHA-256 ${sha256}, expected ${expected}`)
    const files = new Map<string, ExtractedFile>()
    for (const output of this.outputs) {
      await rename(output.partial, output.dest)
      this.renamed.push(output.dest)
      files.set(output.key, { path: output.dest, sha256: output.sha256!, size: output.size })
    }
    return { sha256, size: this.size, files }
  }

  private async start(member: string): Promise<void> {
    if (this.decomp) throw new Error(`it has two data members, ${this.dataMember} and ${member}`)
    this.dataMember = member
    const decomp = await decompressor(member, this.options)
    this.decomp = decomp
    decomp.input.on('drain', () => this.wakeUp())
    decomp.input.on('error', () => this.wakeUp())
    decomp.input.on('close', () => this.wakeUp())
    this.consumer = this.consume(decomp).catch(error => this.fail(error))
  }

  /** Writes data.tar bytes to the decompressor, waiting while it is full. */
  private async feed(data: Buffer): Promise<void> {
    const input = this.decomp!.input
    if (this.stopped || input.destroyed) return
    if (input.write(data)) return
    await new Promise<void>(resolve => {
      this.wake = resolve
    })
    this.wake = undefined
    if (this.failure) throw this.failure
  }

  private wakeUp(): void {
    this.wake?.()
  }

  private fail(error: unknown): void {
    if (this.failure) return
    this.failure = error instanceof Error ? error : new Error(messageOf(error))
    this.halt()
    this.wakeUp()
    // Stop downloading now rather than when the next chunk arrives.
    if (isStream(this.source)) this.source.destroy()
  }

  /** Stops decompressing: on success once everything asked for is written, or on failure. */
  private halt(): void {
    if (this.stopped) return
    this.stopped = true
    this.decomp?.stop()
    this.wakeUp()
  }

  private async consume(decomp: Decompressor): Promise<void> {
    const tar = new TarParser()
    let ended = false
    try {
      read: for await (const chunk of decomp.output) {
        for (const event of tar.write(chunk as Buffer)) {
          if (this.failure) break read
          if (event.type === 'end') ended = true
          else await this.handle(event)
          if (this.left === 0 || ended) break read
        }
      }
    } catch (error) {
      throw decomp.error ?? error
    }
    if (this.failure) return
    if (this.left === 0 || ended) this.halt()
    else {
      await decomp.finished
      tar.end()
    }
    if (this.left > 0) throw new Error(`its ${this.dataMember} has no ${this.missing()}`)
  }

  private missing(): string {
    const names: string[] = []
    for (const output of this.outputs) {
      if (output.sha256 !== undefined) continue
      names.push(output.via.length ? `${output.key} (${output.via.join(', ')})` : output.key)
    }
    return names.join(', ')
  }

  private async handle(event: Exclude<TarEvent, { type: 'end' }>): Promise<void> {
    if (event.type === 'data') {
      for (const output of this.current) {
        output.hash.update(event.data)
        output.size += event.data.length
        await writeAll(output.handle!, event.data)
      }
      return
    }
    const { entry } = event
    const path = archivePath(entry.path)
    if (event.type === 'entry-end') {
      for (const output of this.current) await this.finish(output)
      if (this.current.length) this.written.set(path, this.current[0])
      this.current = []
      return
    }
    if (this.seen.has(path)) return
    const link = entry.type === 'symlink' || entry.type === 'hardlink'
    this.seen.set(path, { link, target: link ? linkTarget(path, entry) : undefined, entry })
    const waiters = this.waiting.get(path)
    if (!waiters) return
    this.waiting.delete(path)
    if (link) return this.redirect(waiters, path)
    if (entry.type !== 'file')
      throw new Error(`${entry.path} in its ${this.dataMember} is a ${kind(entry)}, not a file`)
    if (entry.sparse)
      throw new Error(`${entry.path} in its ${this.dataMember} is a sparse file, not supported`)
    for (const output of waiters) {
      const limit = this.options.limits?.get(output.key)
      if (limit !== undefined && entry.size > limit) {
        throw new NotExpected(
          `${entry.path} in its ${this.dataMember} is ${entry.size} bytes, more than the ${limit} expected`
        )
      }
    }
    for (const output of waiters) {
      output.handle = await open(output.partial, 'w', 0o755)
      await output.handle.chmod(0o755)
    }
    this.current = waiters
  }

  /** Points outputs that asked for a link (at `path`) at the file it leads to. */
  private async redirect(waiters: Output[], path: string): Promise<void> {
    for (let hops = 0; hops < MAX_LINKS; hops++) {
      const { entry, target } = this.seen.get(path)!
      for (const output of waiters) output.via.push(`a ${entry.type} to ${entry.linkpath}`)
      if (target === undefined)
        throw new Error(`${entry.path} is a ${entry.type} that points outside the archive`)
      const file = this.written.get(target)
      if (file) {
        for (const output of waiters) {
          await copyFile(file.partial, output.partial)
          output.size = file.size
          output.sha256 = file.sha256
          this.left--
        }
        return
      }
      const seen = this.seen.get(target)
      if (!seen) {
        this.waiting.set(target, [...(this.waiting.get(target) ?? []), ...waiters])
        return
      }
      if (!seen.link) {
        const keys = waiters.map(output => output.key).join(', ')
        throw new Error(
          `${keys} is ${waiters[0].via.join(', ')}, which came earlier in its ${this.dataMember} and was not asked for: ask for ./${target}`
        )
      }
      path = target
    }
    throw new Error(`${waiters[0].key} is a link in a loop of links`)
  }

  private async finish(output: Output): Promise<void> {
    await output.handle!.close()
    output.handle = undefined
    output.sha256 = output.hash.digest('hex')
    this.left--
  }

  /** After a failure: no more writes, nothing left on disk. */
  async cleanUp(): Promise<void> {
    this.fail(new Error('stopped'))
    await this.consumer
    for (const output of this.outputs) {
      await output.handle?.close().catch(() => undefined)
      await rm(output.partial, { force: true })
    }
    for (const path of this.renamed) await rm(path, { force: true })
  }
}

/** The archive path a link leads to; undefined when it leads out of the archive. */
function linkTarget(path: string, entry: TarEntry): string | undefined {
  const target =
    entry.type === 'hardlink' || entry.linkpath.startsWith('/')
      ? archivePath(entry.linkpath)
      : archivePath(posix.join(posix.dirname(path), entry.linkpath))
  return target === '' || target === '..' || target.startsWith('../') ? undefined : target
}

function kind(entry: TarEntry): string {
  return entry.type === 'other' ? `special file (tar type ${entry.typeflag})` : entry.type
}

async function writeAll(handle: FileHandle, data: Buffer): Promise<void> {
  for (let done = 0; done < data.length;) {
    const { bytesWritten } = await handle.write(data, done, data.length - done)
    done += bytesWritten
  }
}
