// The host's binfmt_misc, for the tests, the bench and the e2e orchestration (as root): read it,
// snapshot it, change it one entry at a time and put it back byte for byte, precedence included.
//
// Facts this builds on (checked on the project's kernel):
// - The raw directory order of /proc/sys/fs/binfmt_misc is the kernel's precedence order: the most
//   recently registered entry first, `register` and `status` last. fs.readdirSync sorts the names
//   (libuv), so the order is read with fs.opendirSync(...).readSync().
// - A register line must reach the kernel in one write(2), and is never passed through printf as
//   a format string (a printf-interpreted `\x7fELF...` registers a prefix that captures every
//   binary of the host).
// - Writing to `status` acts on every entry: this module never writes to it.
import { overlaps, parseEntry as parseAction } from '../src/host/entry.js'
import { execFileSync } from 'node:child_process'
import {
  closeSync,
  copyFileSync,
  existsSync,
  mkdtempSync,
  openSync,
  opendirSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeSync
} from 'node:fs'
import { arch, tmpdir } from 'node:os'
import { join } from 'node:path'
import { EMULATORS } from '../src/catalogue.js'
import { copyPath, interpreterGone, rescueInterpreter, withInterpreterAt } from './rescue.js'

export const BINFMT = '/proc/sys/fs/binfmt_misc'
const CONTROL = new Set(['register', 'status'])

export interface BinfmtSnapshot {
  mounted: boolean
  /** The directory listing in the kernel's order (newest entry first), register and status included. */
  listing: string[]
  /** Handler entries (everything but register and status): name to the exact text the kernel prints. */
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
  /** Hex without `\x`, as the kernel prints it. */
  magic?: string
  mask?: string
  extension?: string
}

export function isMounted(): boolean {
  return readFileSync('/proc/self/mounts', 'utf8')
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

/** The directory in the kernel's order (newest entry first), register and status included. */
export function kernelListing(): string[] {
  if (!isMounted()) return []
  const dir = opendirSync(BINFMT)
  const names: string[] = []
  try {
    for (let d = dir.readSync(); d !== null; d = dir.readSync()) names.push(d.name)
  } finally {
    dir.closeSync()
  }
  return names
}

/** Handler entries, newest first (the order in which the kernel tries them). */
export function kernelOrder(): string[] {
  return kernelListing().filter(n => !CONTROL.has(n))
}

/** Handler entries, sorted by name. */
export function entryNames(): string[] {
  if (!isMounted()) return []
  return readdirSync(BINFMT)
    .filter(n => !CONTROL.has(n))
    .sort()
}

const validName = (name: string): boolean =>
  name !== '' && !CONTROL.has(name) && !name.includes('/') && name !== '.' && name !== '..'

export function readEntryText(name: string): string | undefined {
  if (!validName(name) || !isMounted()) return undefined
  try {
    return readFileSync(`${BINFMT}/${name}`, 'utf8')
  } catch {
    return undefined
  }
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

/**
 * Mounted or not, the listing in the kernel's order, each entry's text, and `status`. An F entry
 * whose interpreter file is gone gets its interpreter copied out of the kernel first (rescue.ts),
 * so that restoreBinfmt can register it again.
 */
export function snapshotBinfmt(): BinfmtSnapshot {
  if (!isMounted()) return { mounted: false, listing: [], entries: {}, status: '' }
  const listing = kernelListing()
  const entries: Record<string, string> = {}
  for (const name of listing) {
    if (!CONTROL.has(name)) entries[name] = readFileSync(`${BINFMT}/${name}`, 'utf8')
  }
  for (const [name, text] of Object.entries(entries)) keepRestorable(name, text)
  return { mounted: true, listing, entries, status: readFileSync(`${BINFMT}/status`, 'utf8') }
}

/** Why a copy of an entry's gone interpreter could not be taken, by copyPath. */
const unrescued = new Map<string, string>()

function keepRestorable(name: string, text: string): void {
  const e = parseEntry(text)
  if (!interpreterGone(e) || unrescued.has(copyPath(name, text))) return
  try {
    rescueInterpreter(name, text, e)
  } catch (error) {
    unrescued.set(copyPath(name, text), (error as Error).message.trim().split('\n').pop() ?? '')
  }
}

/** Why an entry of a snapshot cannot be registered again, or undefined when it can. */
export function whyNotRegistrable(name: string, text: string): string | undefined {
  const e = parseEntry(text)
  if (!interpreterGone(e) || existsSync(copyPath(name, text))) return undefined
  const why = unrescued.get(copyPath(name, text))
  return (
    `its interpreter ${e.interpreter} was deleted after it was registered with F, ` +
    `and no copy of it could be taken${why ? ` (${why})` : ''}`
  )
}

const hexEscape = (hex: string): string => hex.replace(/../g, b => `\\x${b}`)

/**
 * The register line that recreates an entry from the text the kernel prints for it: magic and
 * mask as `\xHH` text (an entry printed without a mask gets an empty mask field), extension
 * entries as `E`. Enabled or disabled is not part of the line (see restoreBinfmt).
 */
export function registerLine(name: string, text: string): string {
  const e = parseEntry(text)
  if (e.extension !== undefined) {
    return `:${name}:E::${e.extension.replace(/^\./, '')}::${e.interpreter}:${e.flags}`
  }
  if (e.magic === undefined) throw new Error(`cannot re-register ${name} from: ${text}`)
  return (
    `:${name}:M:${e.offset ?? 0}:${hexEscape(e.magic)}:${e.mask ? hexEscape(e.mask) : ''}:` +
    `${e.interpreter}:${e.flags}`
  )
}

/** Writes one register line in a single write(2) (what the kernel requires). */
export function registerEntry(line: string): void {
  const bytes = Buffer.from(line, 'utf8')
  const fd = openSync(`${BINFMT}/register`, 'w')
  try {
    const n = writeSync(fd, bytes, 0, bytes.length)
    if (n !== bytes.length) throw new Error(`register: wrote ${n} of ${bytes.length} bytes`)
  } finally {
    closeSync(fd)
  }
}

function control(name: string, value: '-1' | '0' | '1'): void {
  if (!validName(name)) throw new Error(`refusing to write ${value} to ${name}`)
  const fd = openSync(`${BINFMT}/${name}`, 'w')
  try {
    writeSync(fd, value)
  } finally {
    closeSync(fd)
  }
}

/** Writes -1 to one entry (never to status, which would remove every entry). */
export function removeEntry(name: string): void {
  if (!validName(name)) throw new Error(`refusing to remove ${name}`)
  if (existsSync(`${BINFMT}/${name}`)) control(name, '-1')
}

/** Writes 1 or 0 to one entry. */
export function setEnabled(name: string, enabled: boolean): void {
  control(name, enabled ? '1' : '0')
}

/**
 * Puts the host in the state of a long-used machine (reference/test-machines.md): `qemu-aarch64`
 * registered with F from a copy of the emulator that is deleted at once (the handler still works:
 * the kernel holds the file), and a `jar` extension entry (unless there is one). The caller's
 * snapshot puts the host back. Returns the deleted interpreter's path.
 */
export function makeUsedMachine(emulator = '/usr/bin/qemu-aarch64-static'): string {
  mountBinfmt()
  const dir = mkdtempSync(join(tmpdir(), 'e2e-used-'))
  const interpreter = join(dir, 'qemu-aarch64-static')
  try {
    copyFileSync(emulator, interpreter)
    const aarch64 = EMULATORS.find(e => e.cpu === 'aarch64')
    removeEntry('qemu-aarch64')
    registerEntry(`:qemu-aarch64:M::${aarch64?.magic}:${aarch64?.mask}:${interpreter}:F`)
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
  if (!readEntryText('jar')) registerEntry(':jar:E::jar::/usr/bin/jexec:')
  return interpreter
}

/** Removes every qemu-* entry (the host then has no emulation registered). */
export function clearQemuEntries(): void {
  for (const name of kernelOrder()) if (name.startsWith('qemu-')) removeEntry(name)
}

/**
 * Registers one line (with the interpreter copy in place, for an F entry whose file is gone), then
 * disables the entry again if it was.
 */
function reRegister(name: string, line: string, text: string): void {
  const e = parseEntry(text)
  try {
    if (interpreterGone(e) && existsSync(copyPath(name, text))) {
      withInterpreterAt(e.interpreter, copyPath(name, text), () => registerEntry(line))
    } else {
      registerEntry(line)
    }
  } catch (error) {
    throw new Error(
      `re-registering ${name} failed (${(error as Error).message}): ${line}` +
        (/:[POC]*F[POC]*$/.test(line)
          ? ' (F opens the interpreter at registration: does it still exist?)'
          : '')
    )
  }
  if (!e.enabled) setEnabled(name, false)
}

const withoutEnabled = (text: string | undefined): string | undefined =>
  text?.split('\n').slice(1).join('\n')

export type RestoreStep =
  | { op: 'remove'; name: string }
  | { op: 'enable' | 'disable'; name: string }
  | { op: 'register'; name: string; line: string; disabled: boolean }

/**
 * What turns the mounted binfmt_misc `now` into `snap` (both mounted), in order. Entries that
 * differ or were added are removed; an entry that differs only in enabled/disabled is switched
 * in place. The surviving entries must be the snapshot's oldest ones in the snapshot's order;
 * from the first one that is not, every newer surviving entry is removed too, and the snapshot's
 * entries from there on are registered again from oldest to newest, so each regains its
 * precedence.
 */
export function planRestore(now: BinfmtSnapshot, snap: BinfmtSnapshot): RestoreStep[] {
  const steps: RestoreStep[] = []
  const order = (x: BinfmtSnapshot): string[] => x.listing.filter(n => !CONTROL.has(n))
  const surviving: string[] = []
  for (const name of order(now)) {
    const want = snap.entries[name]
    const have = now.entries[name]
    if (want === have) surviving.push(name)
    else if (want !== undefined && withoutEnabled(want) === withoutEnabled(have)) {
      steps.push({ op: want.startsWith('enabled') ? 'enable' : 'disable', name })
      surviving.push(name)
    } else steps.push({ op: 'remove', name })
  }
  const target = order(snap).reverse() // oldest first
  const kept = surviving.reverse()
  let keep = 0
  while (keep < kept.length && kept[keep] === target[keep]) keep++
  for (const name of kept.slice(keep).reverse()) steps.push({ op: 'remove', name })
  for (const name of target.slice(keep)) {
    const text = snap.entries[name]
    steps.push({
      op: 'register',
      name,
      line: registerLine(name, text),
      disabled: text.split('\n')[0] === 'disabled'
    })
  }
  return steps
}

/**
 * Puts binfmt_misc back as the snapshot says, byte for byte and in the same precedence order
 * (planRestore), then checks it: throws when the result differs, naming every entry that could
 * not be put back and why. One failing step never stops the others, and an entry that could not
 * be registered again is never removed (it stays where it is, working). Unmounts at the end when
 * the snapshot was taken unmounted. Never writes to `status`.
 */
export function restoreBinfmt(snap: BinfmtSnapshot): void {
  const failures: string[] = []
  if (!snap.mounted) {
    unmountBinfmt()
  } else {
    mountBinfmt()
    const now = snapshotBinfmt()
    const steps = planRestore(now, snap)
    const cannot = new Map<string, string>()
    for (const step of steps) {
      const why =
        step.op === 'register' ? whyNotRegistrable(step.name, snap.entries[step.name]) : undefined
      if (why) cannot.set(step.name, why)
    }
    for (const step of steps) {
      const why = cannot.get(step.name)
      // make-before-break: the snapshot's own entry, which could not come back, stays
      if (why && now.entries[step.name] === snap.entries[step.name]) {
        if (step.op === 'register')
          failures.push(`${step.name}: left where it is, out of its place in the order: ${why}`)
        continue
      }
      if (why && step.op === 'register') {
        failures.push(`${step.name}: not registered again: ${why}`)
        continue
      }
      try {
        if (step.op === 'remove') removeEntry(step.name)
        else if (step.op === 'register') reRegister(step.name, step.line, snap.entries[step.name])
        else setEnabled(step.name, step.op === 'enable')
      } catch (error) {
        failures.push(`${step.name}: ${(error as Error).message}`)
      }
    }
  }
  const diff = diffSnapshots(snap, snapshotBinfmt())
  if (diff.length > 0 || failures.length > 0) {
    throw new Error(
      `binfmt_misc could not be restored:\n${[...failures, ...diff.map(d => `differs: ${d}`)].join('\n')}`
    )
  }
}

/** The differences between two snapshots, one line each (empty when equal, order included). */
export function diffSnapshots(want: BinfmtSnapshot, got: BinfmtSnapshot): string[] {
  const out: string[] = []
  if (want.mounted !== got.mounted) {
    out.push(`mounted: ${want.mounted ? 'yes' : 'no'} -> ${got.mounted ? 'yes' : 'no'}`)
  }
  const names = new Set([...Object.keys(want.entries), ...Object.keys(got.entries)])
  for (const name of [...names].sort()) {
    const a = want.entries[name]
    const b = got.entries[name]
    if (a === b) continue
    if (a === undefined) out.push(`added: ${name}: ${oneLine(b)}`)
    else if (b === undefined) out.push(`removed: ${name}: ${oneLine(a)}`)
    else out.push(`changed: ${name}: ${oneLine(a)} -> ${oneLine(b)}`)
  }
  if (want.status !== got.status) {
    out.push(`status: ${want.status.trim()} -> ${got.status.trim()}`)
  }
  if (out.length === 0 && want.listing.join(' ') !== got.listing.join(' ')) {
    out.push(`order (newest first): ${want.listing.join(' ')} -> ${got.listing.join(' ')}`)
  }
  return out
}

const oneLine = (text: string): string => text.trim().replace(/\n/g, ' | ')

/** The snapshot with its listing sorted: for comparisons that ignore precedence order. */
export function unordered(snap: BinfmtSnapshot): BinfmtSnapshot {
  return { ...snap, listing: [...snap.listing].sort() }
}

/**
 * Pairs of entries that could match the same file, in the snapshot's precedence order
 * (`newer>older`): what decides which interpreter the kernel picks. Two snapshots with the same
 * entries and the same pairs behave identically, whatever the order of unrelated entries.
 */
export function precedence(snap: BinfmtSnapshot): string[] {
  const names = snap.listing.filter(n => n !== 'register' && n !== 'status')
  const entries = names.map(n => parseAction(n, snap.entries[n] ?? 'enabled\n'))
  const pairs: string[] = []
  for (let i = 0; i < entries.length; i++)
    for (let j = i + 1; j < entries.length; j++)
      if (overlaps(entries[i], entries[j])) pairs.push(`${names[i]}>${names[j]}`)
  return pairs.sort()
}

/** A human-readable snapshot: one line per entry, newest first. */
export function describeSnapshot(snap: BinfmtSnapshot): string {
  if (!snap.mounted) return 'binfmt_misc not mounted'
  const names = snap.listing.filter(n => !CONTROL.has(n))
  return names.length === 0
    ? 'binfmt_misc mounted, no entries'
    : `binfmt_misc mounted, ${names.length} entries (newest first): ${names.join(', ')}`
}

// ---------------------------------------------------------------------------------------------
// The distro's handlers: what Debian's qemu-user-static registers through binfmt-support
// ---------------------------------------------------------------------------------------------

/** Where Debian's qemu-user-static puts its binfmt-support format files. */
export const DEBIAN_FORMATS = '/usr/share/binfmts'

/** Host CPU family, in the catalogue's terms (whose emulators Debian does not register). */
const HOST_FAMILY: Record<string, string> = {
  x64: 'i386',
  ia32: 'i386',
  arm64: 'arm',
  arm: 'arm',
  ppc64: 'ppcle',
  s390x: 's390x',
  riscv64: 'riscv64',
  mips64el: 'mips',
  loong64: 'loongarch'
}

/**
 * A binfmt-support format file (`package`, `interpreter`, `magic`, `offset`, `mask`, `credentials`,
 * `fix_binary`, `preserve` lines) as the register line update-binfmts writes for it: flags P for
 * preserve, C for credentials, F for fix_binary (bookworm's qemu-user-static: `PF`).
 */
export function formatFileLine(name: string, text: string): string {
  const get = (key: string): string | undefined =>
    text
      .split('\n')
      .find(l => l.startsWith(`${key} `))
      ?.slice(key.length + 1)
      .trim()
  const yes = (key: string): boolean => get(key) === 'yes'
  const flags = `${yes('preserve') ? 'P' : ''}${yes('credentials') ? 'C' : ''}${yes('fix_binary') ? 'F' : ''}`
  const interpreter = get('interpreter')
  if (!interpreter) throw new Error(`format file ${name}: no interpreter`)
  const extension = get('extension')
  if (extension !== undefined) return `:${name}:E::${extension}::${interpreter}:${flags}`
  const magic = get('magic')
  if (magic === undefined) throw new Error(`format file ${name}: neither magic nor extension`)
  return `:${name}:M:${get('offset') ?? ''}:${magic}:${get('mask') ?? ''}:${interpreter}:${flags}`
}

/**
 * The qemu-* register lines Debian would register on this host, in update-binfmts' order: from
 * /usr/share/binfmts/qemu-* when qemu-user-static is installed, else from the catalogue with
 * Debian's interpreter paths (/usr/libexec/qemu-binfmt/<cpu>-binfmt-P) and flags (PF).
 */
export function distroHandlerLines(): { name: string; line: string }[] {
  const files = existsSync(DEBIAN_FORMATS)
    ? readdirSync(DEBIAN_FORMATS)
        .filter(n => n.startsWith('qemu-'))
        .sort()
    : []
  if (files.length > 0) {
    return files.map(name => ({
      name,
      line: formatFileLine(name, readFileSync(`${DEBIAN_FORMATS}/${name}`, 'utf8'))
    }))
  }
  const family = HOST_FAMILY[arch()]
  return EMULATORS.filter(e => e.family !== family)
    .map(e => ({
      name: `qemu-${e.cpu}`,
      line: `:qemu-${e.cpu}:M::${e.magic}:${e.mask}:/usr/libexec/qemu-binfmt/${e.cpu}-binfmt-P:PF`
    }))
    .sort((a, b) => (a.name < b.name ? -1 : 1))
}

/**
 * Debian's qemu-* handlers, registered as `update-binfmts --enable` registers them on a machine
 * with qemu-user-static and binfmt-support, but written here directly (no package is installed
 * or enabled). Other qemu-* entries are removed first; other handlers are left alone.
 */
export function enableDistroHandlers(): void {
  mountBinfmt()
  clearQemuEntries()
  for (const { name, line } of distroHandlerLines()) {
    try {
      registerEntry(line)
    } catch (e) {
      throw new Error(
        `registering the distro's ${name} failed (${(e as Error).message}): ${line}` +
          ' (is its interpreter installed? the F flag opens it at registration)'
      )
    }
  }
}
