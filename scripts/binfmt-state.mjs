// The host's binfmt_misc as the e2e tests and the benchmark see it (as root): read, snapshot and put
// back, comparing entries by the exact text the kernel prints. Never writes to `status`.
import { execFileSync } from 'node:child_process'
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'

export const BINFMT = '/proc/sys/fs/binfmt_misc'

export function isMounted() {
  return readFileSync('/proc/mounts', 'utf8')
    .split('\n')
    .some(line => {
      const f = line.split(' ')
      return f[1] === BINFMT && f[2] === 'binfmt_misc'
    })
}

export function mountBinfmt() {
  if (!isMounted()) execFileSync('mount', ['-t', 'binfmt_misc', 'binfmt_misc', BINFMT])
}

/** Unmounts binfmt_misc. Since Linux 6.7 this destroys every entry of the instance. */
export function unmountBinfmt() {
  if (isMounted()) execFileSync('umount', [BINFMT])
}

export function entryNames() {
  if (!isMounted()) return []
  return readdirSync(BINFMT)
    .filter(n => n !== 'register' && n !== 'status')
    .sort()
}

export function readEntryText(name) {
  if (name === 'register' || name === 'status' || name.includes('/')) return undefined
  const path = `${BINFMT}/${name}`
  if (!isMounted() || !existsSync(path)) return undefined
  return readFileSync(path, 'utf8')
}

/** Mounted or not, the sorted listing, each entry's text, and `status`. */
export function snapshotBinfmt() {
  if (!isMounted()) return { mounted: false, listing: [], entries: {}, status: '' }
  const listing = readdirSync(BINFMT).sort()
  const entries = {}
  for (const name of listing) {
    if (name === 'register' || name === 'status') continue
    entries[name] = readFileSync(`${BINFMT}/${name}`, 'utf8')
  }
  return { mounted: true, listing, entries, status: readFileSync(`${BINFMT}/status`, 'utf8') }
}

const field = (text, key) => {
  const line = text.split('\n').find(l => l.startsWith(`${key} `) || l === key)
  return line === undefined ? undefined : line.slice(key.length).trim()
}
const hexEscape = hex => hex.replace(/../g, b => `\\x${b}`)

/** The register line that recreates an entry from the text the kernel prints for it. */
export function registerLine(name, text) {
  const interpreter = field(text, 'interpreter') ?? ''
  const flags = field(text, 'flags:') ?? ''
  const extension = field(text, 'extension')
  if (extension !== undefined) {
    return `:${name}:E::${extension.replace(/^\./, '')}::${interpreter}:${flags}`
  }
  const magic = field(text, 'magic')
  if (magic === undefined) throw new Error(`cannot re-register ${name} from: ${text}`)
  const mask = field(text, 'mask')
  const offset = field(text, 'offset') ?? '0'
  return `:${name}:M:${offset}:${hexEscape(magic)}:${mask ? hexEscape(mask) : ''}:${interpreter}:${flags}`
}

/** One write of one line to register (the kernel wants it in a single write). */
export function registerEntry(line) {
  writeFileSync(`${BINFMT}/register`, line)
}

/** Writes -1 to one entry (never to status, which would act on every entry). */
export function removeEntry(name) {
  if (name === 'status' || name === 'register' || name.includes('/')) {
    throw new Error(`refusing to remove ${name}`)
  }
  if (existsSync(`${BINFMT}/${name}`)) writeFileSync(`${BINFMT}/${name}`, '-1')
}

/** Removes every qemu-* entry (the host then has no emulation registered). */
export function clearQemuEntries() {
  for (const name of entryNames()) if (name.startsWith('qemu-')) removeEntry(name)
}

/** Puts binfmt_misc back as the snapshot says, then checks it. */
export function restoreBinfmt(snap) {
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
