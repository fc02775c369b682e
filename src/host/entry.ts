/**
 * binfmt_misc entries as text: what the kernel prints for an entry, and the one line written to
 * `register` that creates it. Pure functions; nothing here touches the host.
 */
import { RegistrationError } from '../errors.js'

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
  /** Absent when the entry was registered without a mask (the kernel then prints none). */
  readonly mask?: string
  /** For extension (`E`) entries, with its leading dot as the kernel prints it. */
  readonly extension?: string
}

/** A magic (`M`) registration as the action writes it: magic and mask as `\xHH` text. */
export interface MagicRegistration {
  readonly name: string
  readonly magic: string
  readonly mask: string
  readonly interpreter: string
  readonly flags: string
  readonly offset?: number
}

/** Parses the text the kernel prints for an entry. */
export function parseEntry(name: string, text: string): BinfmtEntry {
  const [first, ...rest] = text.split('\n')
  if (first !== 'enabled' && first !== 'disabled') {
    throw new Error(`binfmt_misc entry ${name} does not look like an entry: "${first}"`)
  }
  const fields = new Map<string, string>()
  for (const line of rest) {
    // Stryker disable next-line Regex,MethodExpression: the kernel prints `key value` or `key: value` lines (fs/binfmt_misc.c), read the same either way
    const match = /^([a-z]+):?\s?(.*)$/.exec(line)
    if (match) fields.set(match[1], match[2].trim())
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
  const set = new Set(flags.toUpperCase())
  if (set.has('C')) set.add('O')
  return ['P', 'O', 'C', 'F'].filter(f => set.has(f)).join('')
}

/** Hex as the kernel prints it, as `\xHH` register-line text. */
export const escapeHex = (hex: string): string => hex.replace(/([0-9a-f]{2})/gi, '\\x$1')

/** Register-line text (`\xHH` escapes and literal characters) as the hex the kernel prints. */
export function toHex(text: string): string {
  let out = ''
  for (let i = 0; i < text.length; i++) {
    // Stryker disable next-line Regex: the 4-character window cannot hold an escape that does not start it
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

/**
 * Field separators the kernel accepts: the first character of a register line is the separator
 * of that line. `:` unless a field contains it.
 */
const SEPARATORS = [':', '|', '#', '!', ',', ';', '@', '%', '^', '~']

function assemble(fields: readonly string[], name: string): string {
  if (fields.some(f => /[\n\0]/.test(f))) {
    throw new RegistrationError(
      `The binfmt_misc entry ${JSON.stringify(name)} cannot be written back: a field holds a newline or NUL, ` +
        'which the kernel cannot be given in a register line. Re-register it by hand.'
    )
  }
  const sep = SEPARATORS.find(s => fields.every(f => !f.includes(s)))
  if (!sep) {
    throw new RegistrationError(
      `The binfmt_misc entry ${JSON.stringify(name)} cannot be written back: its fields use every separator the action knows. Re-register it by hand.`
    )
  }
  return sep + fields.join(sep)
}

/** The one line written to `register` for a magic entry. */
export function registerLine(r: MagicRegistration): string {
  return assemble(
    [r.name, 'M', String(r.offset ?? 0), r.magic, r.mask, r.interpreter, canonicalFlags(r.flags)],
    r.name
  )
}

/**
 * The line that registers `entry` again exactly as the kernel shows it: a mask-less entry stays
 * mask-less, an extension entry stays one. Refuses (RegistrationError) an entry whose fields cannot
 * be written back in one line.
 */
export function lineFor(entry: BinfmtEntry): string {
  const flags = canonicalFlags(entry.flags)
  if (entry.extension !== undefined) {
    return assemble(
      // Stryker disable next-line Regex: the kernel prints an extension with its leading dot, the only one the replace could find first
      [entry.name, 'E', '', entry.extension.replace(/^\./, ''), '', entry.interpreter, flags],
      entry.name
    )
  }
  return assemble(
    [
      entry.name,
      'M',
      String(entry.offset),
      // Stryker disable next-line StringLiteral: a magic entry always has its magic line (only the mask is optional)
      escapeHex(entry.magic ?? ''),
      escapeHex(entry.mask ?? ''),
      entry.interpreter,
      flags
    ],
    entry.name
  )
}

/** Whether an entry on the host is what `wanted` would register (enabled or not). */
export function sameRegistration(entry: BinfmtEntry, wanted: MagicRegistration): boolean {
  return (
    entry.extension === undefined &&
    entry.interpreter === wanted.interpreter &&
    canonicalFlags(entry.flags) === canonicalFlags(wanted.flags) &&
    entry.offset === (wanted.offset ?? 0) &&
    entry.magic === toHex(wanted.magic) &&
    (entry.mask ?? '') === toHex(wanted.mask)
  )
}

/** An entry as it would read back after registering `r`, enabled. */
export function entryOf(r: MagicRegistration): BinfmtEntry {
  const mask = toHex(r.mask)
  return {
    name: r.name,
    enabled: true,
    interpreter: r.interpreter,
    flags: canonicalFlags(r.flags),
    offset: r.offset ?? 0,
    magic: toHex(r.magic),
    ...(mask ? { mask } : {})
  }
}

/** Two entries are the same registration; only enabled/disabled may differ. */
export function sameEntry(a: BinfmtEntry, b: BinfmtEntry): boolean {
  return (
    a.interpreter === b.interpreter &&
    canonicalFlags(a.flags) === canonicalFlags(b.flags) &&
    a.offset === b.offset &&
    a.magic === b.magic &&
    a.mask === b.mask &&
    a.extension === b.extension
  )
}

/**
 * Whether some file could match both entries, so that their order decides which interpreter runs
 * it (the kernel tries the most recently registered first). Magic entries overlap when every byte
 * they both examine agrees under both masks; extension entries when the extensions are equal. A
 * magic entry and an extension entry are treated as independent.
 */
export function overlaps(a: BinfmtEntry, b: BinfmtEntry): boolean {
  if (a.extension !== undefined || b.extension !== undefined) {
    return a.extension === b.extension
  }
  const bytes = (hex: string | undefined): number[] =>
    // Stryker disable next-line StringLiteral: only magic entries get here, and each has its magic line
    (hex ?? '').match(/../g)?.map(h => parseInt(h, 16)) ?? []
  const ma = bytes(a.magic)
  const mb = bytes(b.magic)
  const ka = a.mask ? bytes(a.mask) : ma.map(() => 0xff)
  const kb = b.mask ? bytes(b.mask) : mb.map(() => 0xff)
  // Stryker disable next-line MethodExpression: a wider range only adds bytes outside one magic, which read as undefined, `&` makes 0, and never disagree
  const start = Math.max(a.offset, b.offset)
  // Stryker disable next-line MethodExpression: as above
  const end = Math.min(a.offset + ma.length, b.offset + mb.length)
  // Stryker disable next-line EqualityOperator: as above
  for (let p = start; p < end; p++) {
    const i = p - a.offset
    const j = p - b.offset
    const both = ka[i] & kb[j]
    if ((ma[i] & both) !== (mb[j] & both)) return false
  }
  return true
}
