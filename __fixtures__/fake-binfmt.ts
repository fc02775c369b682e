import { canonicalFlags, parseEntry, toHex, type BinfmtEntry } from '../src/host/binfmt.js'

/**
 * An in-memory binfmt_misc with the kernel's semantics for what the action uses: one register
 * line per write, EEXIST for a taken name, -1/0/1 on an entry, text printed as the kernel prints
 * it (flags in P,O,C,F order, C implying O). For unit tests of the logic above the kernel; the
 * end-to-end bench runs the real one.
 */
export class FakeBinfmt {
  readonly dir = '/fake/binfmt_misc'
  readonly entries = new Map<string, string>()
  readonly writes: string[] = []
  mounted = true

  async isMounted(): Promise<boolean> {
    return this.mounted
  }

  async ensureMounted(): Promise<boolean> {
    if (this.mounted) return false
    this.mounted = true
    return true
  }

  async unmount(): Promise<void> {
    this.mounted = false
    this.entries.clear()
  }

  async names(): Promise<string[]> {
    return this.mounted ? [...this.entries.keys()].sort() : []
  }

  async text(name: string): Promise<string | undefined> {
    return this.entries.get(name)
  }

  async read(name: string): Promise<BinfmtEntry | undefined> {
    const text = this.entries.get(name)
    return text === undefined ? undefined : parseEntry(name, text)
  }

  async list(): Promise<BinfmtEntry[]> {
    return this.entriesList()
  }

  /** The entries, synchronously, as list() would return them. */
  entriesList(): BinfmtEntry[] {
    return [...this.entries].sort().map(([n, t]) => parseEntry(n, t))
  }

  async register(line: string): Promise<void> {
    this.writes.push(line)
    const [, name, type, offset, magic, mask, interpreter, flags] = line.split(':')
    if (this.entries.has(name)) throw Object.assign(new Error('File exists'), { code: 'EEXIST' })
    const head = `enabled\ninterpreter ${interpreter}\nflags: ${canonicalFlags(flags)}\n`
    this.entries.set(
      name,
      type === 'E'
        ? `${head}extension .${magic}\n`
        : `${head}offset ${offset || 0}\nmagic ${toHex(magic)}\nmask ${toHex(mask)}\n`
    )
  }

  async remove(name: string): Promise<void> {
    this.writes.push(`-1 > ${name}`)
    if (!this.entries.delete(name))
      throw Object.assign(new Error('No such file'), { code: 'ENOENT' })
  }

  async setEnabled(name: string, enabled: boolean): Promise<void> {
    this.writes.push(`${enabled ? 1 : 0} > ${name}`)
    const text = this.entries.get(name)
    if (text === undefined) throw Object.assign(new Error('No such file'), { code: 'ENOENT' })
    this.entries.set(name, text.replace(/^(enabled|disabled)/, enabled ? 'enabled' : 'disabled'))
  }
}
