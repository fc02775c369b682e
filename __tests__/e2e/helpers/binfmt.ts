// The host's binfmt_misc, read and put back from the tests (as root): the shared reader in
// scripts/binfmt-state.mjs (the benchmark uses it too), plus typed parsing and Debian's handlers.
import { execFileSync } from 'node:child_process'
import { clearQemuEntries, mountBinfmt, readEntryText } from '../../../scripts/binfmt-state.mjs'

export {
  BINFMT,
  clearQemuEntries,
  entryNames,
  isMounted,
  mountBinfmt,
  readEntryText,
  registerEntry,
  registerLine,
  removeEntry,
  restoreBinfmt,
  snapshotBinfmt,
  unmountBinfmt,
  type BinfmtSnapshot
} from '../../../scripts/binfmt-state.mjs'

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

/** Debian's handlers, as binfmt-support registers them from the qemu-user-static package. */
export function enableDistroHandlers(): void {
  mountBinfmt()
  clearQemuEntries() // update-binfmts does not replace handlers someone else registered
  execFileSync('update-binfmts', ['--enable'], { stdio: 'ignore' })
}
