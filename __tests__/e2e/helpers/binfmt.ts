// The host's binfmt_misc, read and put back from the tests (as root). Entries are compared by
// the exact text the kernel prints for them.
import { execFileSync } from 'node:child_process'
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'

export const BINFMT = '/proc/sys/fs/binfmt_misc'

export interface BinfmtSnapshot {
  mounted: boolean
  /** Sorted directory listing (empty when not mounted), register and status included. */
  listing: string[]
  /** Handler entries (everything but register and status): name to the text the kernel prints. */
  entries: Record<string, string>
  /** The text of `status` (enabled/disabled), '' when not mounted. */
  status: string
}

export interface BinfmtEntry {
  enabled: boolean
  interpreter: string
  /** Flag letters as the kernel prints them (order P, O, C, F). */
  flags: string
  offset?: number
  magic?: string
  mask?: string
  extension?: string
}

export function isMounted(): boolean {
  return readFileSync('/proc/mounts', 'utf8')
    .split('\n')
    .some(line => {
      const f = line.split(' ')
      return f[1] === BINFMT && f[2] === 'binfmt_misc'
    })
}

export function mountBinfmt(): void {
  if (!isMounted()) execFileSync('mount', ['-t', 'binfmt_misc', 'binfmt_misc', BINFMT])
}

/** Unmounts binfmt_misc. Since Linux 6.7 this destroys every entry of the instance. */
export function unmountBinfmt(): void {
  if (isMounted()) execFileSync('umount', [BINFMT])
}

export function entryNames(): string[] {
  if (!isMounted()) return []
  return readdirSync(BINFMT)
    .filter(n => n !== 'register' && n !== 'status')
    .sort()
}

export function readEntryText(name: string): string | undefined {
  if (name === 'register' || name === 'status' || name.includes('/')) return undefined
  const path = `${BINFMT}/${name}`
  if (!isMounted() || !existsSync(path)) return undefined
  return readFileSync(path, 'utf8')
}

export function parseEntry(text: string): BinfmtEntry {
  const lines = text.split('\n')
  const field = (key: string): string | undefined => {
    const line = lines.find(l => l.startsWith(`${key} `) || l === key)
    return line === undefined ? undefined : line.slice(key.length).trim()
  }
  const offset = field('offset')
  return {
    enabled: lines[0] === 'enabled',
    interpreter: field('interpreter') ?? '',
    flags: field('flags:') ?? '',
    offset: offset === undefined ? undefined : Number(offset),
    magic: field('magic'),
    mask: field('mask'),
    extension: field('extension')
  }
}

/** An entry as the kernel shows it, or undefined when it is not registered. */
export function readEntry(name: string): BinfmtEntry | undefined {
  const text = readEntryText(name)
  return text === undefined ? undefined : parseEntry(text)
}

export function snapshotBinfmt(): BinfmtSnapshot {
  if (!isMounted()) return { mounted: false, listing: [], entries: {}, status: '' }
  const listing = readdirSync(BINFMT).sort()
  const entries: Record<string, string> = {}
  for (const name of listing) {
    if (name === 'register' || name === 'status') continue
    entries[name] = readFileSync(`${BINFMT}/${name}`, 'utf8')
  }
  return { mounted: true, listing, entries, status: readFileSync(`${BINFMT}/status`, 'utf8') }
}

const hexEscape = (hex: string): string => hex.replace(/../g, b => `\\x${b}`)

/** The register line that recreates an entry from the text the kernel prints for it. */
export function registerLine(name: string, text: string): string {
  const e = parseEntry(text)
  if (e.extension !== undefined) {
    return `:${name}:E::${e.extension.replace(/^\./, '')}::${e.interpreter}:${e.flags}`
  }
  if (e.magic === undefined) throw new Error(`cannot re-register ${name} from: ${text}`)
  const mask = e.mask === undefined ? '' : hexEscape(e.mask)
  return `:${name}:M:${e.offset ?? 0}:${hexEscape(e.magic)}:${mask}:${e.interpreter}:${e.flags}`
}

/** One write of one line to register (the kernel wants it in a single write). */
export function registerEntry(line: string): void {
  writeFileSync(`${BINFMT}/register`, line)
}

/** Writes -1 to one entry (never to status, which would act on every entry). */
export function removeEntry(name: string): void {
  if (name === 'status' || name === 'register' || name.includes('/')) {
    throw new Error(`refusing to remove ${name}`)
  }
  if (existsSync(`${BINFMT}/${name}`)) writeFileSync(`${BINFMT}/${name}`, '-1')
}

/** Removes every qemu-* entry (the host then has no emulation registered). */
export function clearQemuEntries(): void {
  for (const name of entryNames()) if (name.startsWith('qemu-')) removeEntry(name)
}

/** Puts binfmt_misc back as the snapshot says, then checks it. Never writes to status. */
export function restoreBinfmt(snap: BinfmtSnapshot): void {
  mountBinfmt()
  const now = snapshotBinfmt()
  for (const [name, text] of Object.entries(now.entries)) {
    if (snap.entries[name] !== text) removeEntry(name)
  }
  for (const [name, text] of Object.entries(snap.entries)) {
    if (existsSync(`${BINFMT}/${name}`)) continue
    registerEntry(registerLine(name, text))
    if (text.split('\n')[0] === 'disabled') writeFileSync(`${BINFMT}/${name}`, '0')
  }
  if (!snap.mounted) unmountBinfmt()
  const after = snapshotBinfmt()
  if (JSON.stringify(after) !== JSON.stringify(snap)) {
    throw new Error(
      `binfmt_misc could not be restored:\nwanted ${JSON.stringify(snap, null, 1)}\n` +
        `got ${JSON.stringify(after, null, 1)}`
    )
  }
}

/** Debian's handlers, as binfmt-support registers them from the qemu-user-static package. */
export function enableDistroHandlers(): void {
  mountBinfmt()
  clearQemuEntries() // update-binfmts does not replace handlers someone else registered
  execFileSync('update-binfmts', ['--enable'], { stdio: 'ignore' })
}
