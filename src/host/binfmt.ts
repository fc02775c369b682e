import { opendirSync, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { parseEntry, type BinfmtEntry } from './entry.js'

export const BINFMT_DIR = '/proc/sys/fs/binfmt_misc'

/** What the action reads from binfmt_misc. Reading needs no privilege once it is mounted. */
export interface BinfmtReader {
  readonly dir: string
  isMounted(): Promise<boolean>
  /**
   * Every entry, in the kernel's precedence order: the most recently registered first, which is
   * the order the kernel tries them in (and the raw order of its directory listing).
   */
  list(): Promise<BinfmtEntry[]>
}

/** The host's binfmt_misc, read from the filesystem. */
export class Binfmt implements BinfmtReader {
  constructor(readonly dir: string = BINFMT_DIR) {}

  async isMounted(): Promise<boolean> {
    try {
      statSync(join(this.dir, 'register'))
      return true
    } catch {
      return false
    }
  }

  async list(): Promise<BinfmtEntry[]> {
    if (!(await this.isMounted())) return []
    const entries: BinfmtEntry[] = []
    for (const name of rawNames(this.dir)) {
      if (name === 'register' || name === 'status') continue
      try {
        entries.push(parseEntry(name, readFileSync(join(this.dir, name), 'utf8')))
      } catch (error) {
        // removed between listing and reading: not there
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error
      }
    }
    return entries
  }
}

/**
 * Names in the directory's own order. fs.readdirSync sorts (libuv's scandir), which would hide
 * the kernel's precedence order; a Dir stream does not.
 */
function rawNames(dir: string): string[] {
  const handle = opendirSync(dir)
  // Stryker disable next-line ArrayDeclaration: a name not in the directory reads as ENOENT and is skipped, like an entry removed while listing
  const names: string[] = []
  try {
    for (let d = handle.readSync(); d !== null; d = handle.readSync()) names.push(d.name)
  } finally {
    handle.closeSync()
  }
  return names
}
