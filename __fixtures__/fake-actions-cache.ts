/**
 * GitHub's Actions cache as @actions/cache presents it to the action: entries looked up by exact
 * key and by the paths they were saved from (the cache version hashes the paths), restored to
 * those paths with their modes; a key is written once (a second save of it is refused, as the
 * service refuses a reservation of an existing key).
 */
import { chmodSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { dirname } from 'node:path'
import type { CacheService } from '../src/installer/actions-cache.js'

interface Entry {
  readonly paths: readonly string[]
  readonly files: Map<string, { data: Buffer; mode: number }>
}

export class FakeActionsCache implements CacheService {
  readonly entries = new Map<string, Entry>()
  /** `restore KEY` / `save KEY`, in order. */
  readonly calls: string[] = []
  /** When set, every call fails with it (the real module logs and returns instead: see below). */
  failure?: Error

  async restoreCache(paths: string[], key: string): Promise<string | undefined> {
    this.calls.push(`restore ${key}`)
    if (this.failure) throw this.failure
    const entry = this.entries.get(key)
    if (!entry || entry.paths.join('|') !== paths.join('|')) return undefined
    for (const [path, { data, mode }] of entry.files) {
      mkdirSync(dirname(path), { recursive: true })
      writeFileSync(path, data)
      chmodSync(path, mode)
    }
    return key
  }

  async saveCache(paths: string[], key: string): Promise<number> {
    this.calls.push(`save ${key}`)
    if (this.failure) throw this.failure
    if (this.entries.has(key)) throw new Error(`Unable to reserve cache with key ${key}`)
    const files = new Map(
      paths.map(p => [p, { data: readFileSync(p), mode: statSync(p).mode & 0o7777 }])
    )
    this.entries.set(key, { paths: [...paths], files })
    return this.entries.size
  }

  /** Replaces the content of every file of an entry (a poisoned or corrupt entry). */
  tamper(key: string, data: Buffer): void {
    for (const file of this.entries.get(key)?.files.values() ?? []) file.data = data
  }
}
