/**
 * An in-memory binfmt_misc with the kernel's own semantics (fs/binfmt_misc.c), written from the
 * kernel's behaviour, not from the action's code:
 *
 * - a register line is split on its first character; `M` entries decode `\xHH` escapes in magic
 *   and mask, which must decode to the same length; a mask is kept only when one is given;
 * - a taken name fails with EEXIST; `/`, `.` and `..` fail with EINVAL;
 * - new entries go to the head of the list (the kernel tries the most recently registered first,
 *   and its directory lists them in that order);
 * - with F the interpreter is opened at registration: a missing one fails with ENOENT;
 * - an entry file takes `1` (enable), `0` (disable), `-1` (remove);
 * - when the last mount goes (Linux 6.7+), every entry goes with it.
 *
 * It serves as the reader and as the root/sudo writer of the action's host ports (it imports
 * only their types and the writer's error class); `writes`
 * records every write, and `failOn` injects a refusal.
 */
import type { BinfmtReader } from '../src/host/binfmt.js'
import type { BinfmtEntry } from '../src/host/entry.js'
// the port's error type: what every KernelWriter throws for a refused write
import { KernelWriteError } from '../src/host/kernel.js'
import type { KernelOp, KernelWriter, RouteSpec } from '../src/host/kernel.js'

interface Stored {
  name: string
  enabled: boolean
  interpreter: string
  flags: string
  offset?: number
  magic?: number[]
  mask?: number[]
  extension?: string
}

const errno = (code: string, message: string): NodeJS.ErrnoException =>
  Object.assign(new Error(`${code}: ${message}`), { code })

function unescape(text: string): number[] {
  const out: number[] = []
  for (let i = 0; i < text.length; i++) {
    if (text[i] === '\\' && text[i + 1] === 'x') {
      out.push(parseInt(text.slice(i + 2, i + 4), 16))
      i += 3
    } else {
      out.push(text.charCodeAt(i))
    }
  }
  return out
}

const hex = (bytes: number[]): string => bytes.map(b => b.toString(16).padStart(2, '0')).join('')

export class FakeKernel implements BinfmtReader, KernelWriter {
  readonly dir = '/proc/sys/fs/binfmt_misc'
  readonly description = 'as root (fake kernel)'
  readonly spec: RouteSpec = { kind: 'direct' }
  readonly writesAnyLine = true
  /** Newest first. */
  private entries: Stored[] = []
  mounted = true
  /** Every write, as `register <line>` or `<value> > <name>`. */
  readonly writes: string[] = []
  /** Files that exist for F registrations (default: every path). */
  exists: (path: string) => boolean = () => true
  /** Return an error to refuse a write. */
  failOn: (write: string, index: number) => NodeJS.ErrnoException | undefined = () => undefined

  async isMounted(): Promise<boolean> {
    return this.mounted
  }

  async list(): Promise<BinfmtEntry[]> {
    return this.listNow()
  }

  /** list(), synchronously. */
  listNow(): BinfmtEntry[] {
    if (!this.mounted) return []
    return this.entries.map(e => this.entryOf(e))
  }

  names(): string[] {
    return this.mounted ? this.entries.map(e => e.name) : []
  }

  /** What `cat /proc/sys/fs/binfmt_misc/<name>` prints. */
  text(name: string): string | undefined {
    const e = this.entries.find(x => x.name === name)
    if (!e || !this.mounted) return undefined
    let out = `${e.enabled ? 'enabled' : 'disabled'}\ninterpreter ${e.interpreter}\nflags: ${e.flags}\n`
    if (e.extension !== undefined) return `${out}extension .${e.extension}\n`
    out += `offset ${e.offset}\nmagic ${hex(e.magic ?? [])}\n`
    if (e.mask) out += `mask ${hex(e.mask)}\n`
    return out
  }

  private entryOf(e: Stored): BinfmtEntry {
    return {
      name: e.name,
      enabled: e.enabled,
      interpreter: e.interpreter,
      flags: e.flags,
      offset: e.offset ?? 0,
      ...(e.extension !== undefined
        ? { extension: `.${e.extension}` }
        : { magic: hex(e.magic ?? []), ...(e.mask ? { mask: hex(e.mask) } : {}) })
    }
  }

  /** One write to `register`. */
  register(line: string): void {
    this.record(`register ${line}`)
    if (!this.mounted) throw errno('ENOENT', 'register: not mounted')
    const sep = line[0]
    const [name, type, offset, magic, mask, interpreter, flags = ''] = line.slice(1).split(sep)
    if (!name || name.includes('/') || name === '.' || name === '..' || interpreter === undefined)
      throw errno('EINVAL', 'Invalid argument')
    if (this.entries.some(e => e.name === name)) throw errno('EEXIST', 'File exists')
    const printed = ['P', 'O', 'C', 'F'].filter(
      f => flags.toUpperCase().includes(f) || (f === 'O' && flags.toUpperCase().includes('C'))
    )
    if (printed.includes('F') && !this.exists(interpreter))
      throw errno('ENOENT', `No such file or directory (${interpreter})`)
    const stored: Stored = { name, enabled: true, interpreter, flags: printed.join('') }
    if (type === 'E') {
      stored.extension = magic
    } else if (type === 'M') {
      stored.offset = Number(offset || 0)
      stored.magic = unescape(magic)
      if (mask) {
        stored.mask = unescape(mask)
        if (stored.mask.length !== stored.magic.length) throw errno('EINVAL', 'Invalid argument')
      }
    } else {
      throw errno('EINVAL', 'Invalid argument')
    }
    this.entries.unshift(stored)
  }

  /** A write of `-1`, `0` or `1` to an entry file. */
  control(name: string, value: '-1' | '0' | '1'): void {
    this.record(`${value} > ${name}`)
    if (name === 'status') throw new Error('test bug: the action wrote to status')
    const index = this.entries.findIndex(e => e.name === name)
    if (index < 0 || !this.mounted) throw errno('ENOENT', `No such file or directory (${name})`)
    if (value === '-1') this.entries.splice(index, 1)
    else this.entries[index].enabled = value === '1'
  }

  private record(write: string): void {
    const failure = this.failOn(write, this.writes.length)
    this.writes.push(write)
    if (failure) throw failure
  }

  async apply(ops: readonly KernelOp[]): Promise<void> {
    for (const [i, op] of ops.entries()) {
      try {
        if (op.op === 'register') this.register(op.line)
        else this.control(op.name, op.op === 'remove' ? '-1' : op.op === 'enable' ? '1' : '0')
      } catch (error) {
        const e = error as NodeJS.ErrnoException
        throw new KernelWriteError(op, i, e.message, e.code)
      }
    }
  }

  async mount(): Promise<void> {
    this.mounted = true
  }

  async unmount(): Promise<void> {
    this.mounted = false
    this.entries = []
  }
}
