import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { HostError } from '../errors.js'
import { lastLine } from '../tools/exec.js'
import type { Privilege } from './privilege.js'

export const BINFMT_DIR = '/proc/sys/fs/binfmt_misc'

/** One `/proc/sys/fs/binfmt_misc/<name>` entry, as the kernel reports it. */
export interface BinfmtEntry {
  readonly name: string
  readonly enabled: boolean
  readonly interpreter: string
  /** Flag letters as the kernel prints them (order P, O, C, F). */
  readonly flags: string
  readonly offset: number
  /** Lower-case hex without separators; absent for extension entries. */
  readonly magic?: string
  readonly mask?: string
  /** For extension (`E`) entries. */
  readonly extension?: string
}

/** Parses the text the kernel prints for an entry. */
export function parseEntry(name: string, text: string): BinfmtEntry {
  const fields = new Map<string, string>()
  const lines = text.split('\n')
  for (const line of lines.slice(1)) {
    const match = /^([a-z]+):?\s?(.*)$/.exec(line)
    if (match) fields.set(match[1], match[2].trim())
  }
  const first = lines[0]?.trim()
  if (first !== 'enabled' && first !== 'disabled') {
    throw new Error(`binfmt_misc entry ${name} does not look like an entry: "${first}"`)
  }
  return {
    name,
    enabled: first === 'enabled',
    interpreter: fields.get('interpreter') ?? '',
    flags: fields.get('flags') ?? '',
    offset: Number(fields.get('offset') ?? 0),
    magic: fields.get('magic'),
    mask: fields.get('mask'),
    extension: fields.get('extension')
  }
}

/** Flag letters in the order and form the kernel prints them: C implies O. */
export function canonicalFlags(flags: string): string {
  const set = new Set(flags.toUpperCase().replace(/[^POCF]/g, ''))
  if (set.has('C')) set.add('O')
  return ['P', 'O', 'C', 'F'].filter(f => set.has(f)).join('')
}

const escapeHex = (hex: string): string => hex.replace(/([0-9a-f]{2})/gi, '\\x$1')
/** Register-line text (`\\xHH` escapes and literal characters) as the hex the kernel prints. */
export function toHex(text: string): string {
  let out = ''
  for (let i = 0; i < text.length; i++) {
    const escaped = /^\\x([0-9a-fA-F]{2})/.exec(text.slice(i, i + 4))
    if (escaped) {
      out += escaped[1].toLowerCase()
      i += 3
    } else {
      out += text.charCodeAt(i).toString(16).padStart(2, '0')
    }
  }
  return out
}

export interface MagicRegistration {
  readonly name: string
  readonly magic: string
  readonly mask: string
  readonly interpreter: string
  readonly flags: string
  readonly offset?: number
}

/** The one line written to `register` for a magic entry; magic and mask given as `\xHH` text. */
export function registerLine(r: MagicRegistration): string {
  return `:${r.name}:M:${r.offset ?? 0}:${r.magic}:${r.mask}:${r.interpreter}:${canonicalFlags(r.flags)}`
}

/** The line that registers `entry` again exactly as it was (used to put the host back). */
export function lineFor(entry: BinfmtEntry): string {
  if (entry.extension !== undefined) {
    return `:${entry.name}:E::${entry.extension.replace(/^\./, '')}::${entry.interpreter}:${canonicalFlags(entry.flags)}`
  }
  return registerLine({
    name: entry.name,
    magic: escapeHex(entry.magic ?? ''),
    mask: escapeHex(entry.mask ?? 'ff'.repeat((entry.magic ?? '').length / 2)),
    interpreter: entry.interpreter,
    flags: entry.flags,
    offset: entry.offset
  })
}

/** Whether an entry on the host is what `wanted` would register. */
export function sameRegistration(entry: BinfmtEntry, wanted: MagicRegistration): boolean {
  return (
    entry.interpreter === wanted.interpreter &&
    canonicalFlags(entry.flags) === canonicalFlags(wanted.flags) &&
    entry.offset === (wanted.offset ?? 0) &&
    entry.magic === toHex(wanted.magic) &&
    entry.mask === toHex(wanted.mask)
  )
}

/** The host's binfmt_misc: mount, read, register, remove. Only named entries are ever touched. */
export class Binfmt {
  constructor(
    private readonly privilege: Privilege,
    readonly dir: string = BINFMT_DIR
  ) {}

  async isMounted(): Promise<boolean> {
    try {
      statSync(join(this.dir, 'register'))
      return true
    } catch {
      return false
    }
  }

  /**
   * Mounts binfmt_misc on the host when it is not. Doing this before any container touches it
   * matters: on Linux 6.7+, handlers a container registers in an instance it mounted itself
   * vanish when the container exits. Returns whether it mounted.
   */
  async ensureMounted(): Promise<boolean> {
    if (await this.isMounted()) return false
    try {
      statSync(this.dir)
    } catch {
      throw new HostError(
        `${this.dir} does not exist: this kernel has no binfmt_misc support. ` +
          'Load it with "modprobe binfmt_misc" on the host, or use a runner whose kernel has it.'
      )
    }
    this.privilege.require(`Mounting binfmt_misc at ${this.dir}`)
    const result = await this.privilege.run('mount', ['-t', 'binfmt_misc', 'binfmt_misc', this.dir])
    if (result.code !== 0 || !(await this.isMounted())) {
      throw new HostError(
        `Could not mount binfmt_misc at ${this.dir}: ${lastLine(result.stderr) || 'mount failed'}. ` +
          'Inside a job container, run it with --privileged (or mount binfmt_misc on the host first); ' +
          'rootless containers cannot register handlers for the host.'
      )
    }
    return true
  }

  async names(): Promise<string[]> {
    if (!(await this.isMounted())) return []
    const names = readdirSync(this.dir)
    return names.filter(n => n !== 'register' && n !== 'status').sort()
  }

  /** The raw text of an entry, or undefined when there is none of that name. */
  async text(name: string): Promise<string | undefined> {
    try {
      return readFileSync(join(this.dir, name), 'utf8')
    } catch {
      return undefined
    }
  }

  async read(name: string): Promise<BinfmtEntry | undefined> {
    const text = await this.text(name)
    return text === undefined ? undefined : parseEntry(name, text)
  }

  async list(): Promise<BinfmtEntry[]> {
    const entries = await Promise.all((await this.names()).map(n => this.read(n)))
    return entries.filter((e): e is BinfmtEntry => e !== undefined)
  }

  async register(line: string): Promise<void> {
    await this.privilege.write(join(this.dir, 'register'), line)
  }

  /** Deletes one entry (never `status`, which would delete every entry on the host). */
  async remove(name: string): Promise<void> {
    if (name === 'status' || name === 'register' || name.includes('/'))
      throw new Error(`refusing to remove "${name}"`)
    await this.privilege.write(join(this.dir, name), '-1')
  }

  async setEnabled(name: string, enabled: boolean): Promise<void> {
    await this.privilege.write(join(this.dir, name), enabled ? '1' : '0')
  }

  async unmount(): Promise<void> {
    await this.privilege.run('umount', [this.dir])
  }
}
