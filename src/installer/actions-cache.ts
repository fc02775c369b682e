/**
 * Verified emulators kept between jobs in GitHub's Actions cache (the `cache` input).
 *
 * One entry per emulator, keyed by the emulator, the QEMU version, the host's Debian architecture
 * and the emulator's own SHA-256, the one it was verified against (Debian's pinned per-emulator
 * hash, or the checksums input's line for a per-CPU file). A restored file is handed on only if it
 * still has that SHA-256: anyone who can write to the repository's cache can put anything under
 * a key, so a hit is as untrusted as a mirror. Nothing here ever fails the job: a service that
 * does not answer, refuses (429), a reservation another job holds, a corrupt or tampered entry is
 * one log line, and the caller downloads.
 *
 * @actions/cache (and its Azure client) is imported only when an emulator is missing from the
 * runner's tool cache: a warm run never loads it.
 */
import * as core from '@actions/core'
import { copyFileSync, lstatSync, mkdirSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { describe } from '../errors.js'
import { sha256File } from './download.js'

/** The two calls of @actions/cache this module makes (its own signatures). */
export interface CacheService {
  restoreCache(paths: string[], primaryKey: string): Promise<string | undefined>
  saveCache(paths: string[], key: string): Promise<number>
}

/** What a cached emulator is known by: its CPU and the SHA-256 it must have. */
export interface Wanted {
  readonly cpu: string
  readonly sha256: string
}

const loadActionsCache = async (): Promise<CacheService> => import('@actions/cache')

/** Emulators in the Actions cache for one QEMU version on one host architecture. */
export class EmulatorCache {
  private service?: Promise<CacheService>
  /** Keys found in the cache, matching or not: an entry is never written twice. */
  private readonly present = new Set<string>()

  /**
   * `root` is where entries are restored to and saved from: the same path in every job of a
   * runner (@actions/cache keys entries by their paths too), private to this job (RUNNER_TEMP).
   */
  constructor(
    private readonly version: string,
    private readonly arch: string,
    private readonly root: string,
    private readonly load: () => Promise<CacheService> = loadActionsCache
  ) {}

  key(w: Wanted): string {
    return `setup-cross-arch-qemu-${w.cpu}-${this.version}-${this.arch}-${w.sha256}`
  }

  private file(cpu: string): string {
    return join(this.root, `qemu-${cpu}`, `qemu-${cpu}`)
  }

  /** A fresh, empty directory of this job's for a CPU's entry. */
  private fresh(cpu: string): string {
    const file = this.file(cpu)
    rmSync(join(file, '..'), { recursive: true, force: true })
    mkdirSync(join(file, '..'), { recursive: true, mode: 0o700 })
    return file
  }

  private cache(): Promise<CacheService> {
    this.service ??= this.load()
    return this.service
  }

  /**
   * Restores what the cache holds of `wanted`: CPU to a file with exactly the wanted SHA-256.
   * Missing, unreachable and mismatching entries are left out (the caller downloads them).
   */
  async restore(wanted: readonly Wanted[]): Promise<Map<string, string>> {
    const found = new Map<string, string>()
    await Promise.all(
      wanted.map(async w => {
        const key = this.key(w)
        try {
          const file = this.fresh(w.cpu)
          const hit = await (await this.cache()).restoreCache([file], key)
          if (hit !== key) return // a miss (@actions/cache logs why a lookup failed)
          this.present.add(key)
          const stat = lstatSync(file, { throwIfNoEntry: false })
          const actual = stat?.isFile() ? await sha256File(file) : 'no regular file'
          if (actual !== w.sha256) {
            core.warning(
              `The Actions cache entry ${key} holds ${stat?.isFile() ? `a qemu-${w.cpu} with SHA-256 ${actual}` : `no regular file qemu-${w.cpu}`}, not the verified ${w.sha256}: it is ignored, and qemu-${w.cpu} is downloaded. Delete the entry in the repository's Actions caches (it cannot be overwritten).`
            )
            return
          }
          found.set(w.cpu, file)
        } catch (error) {
          core.info(
            `Actions cache: qemu-${w.cpu} not restored (${describe(error)}); downloading it.`
          )
        }
      })
    )
    const restored = wanted.filter(w => found.has(w.cpu)).map(w => `qemu-${w.cpu}`)
    if (restored.length > 0)
      core.info(`Actions cache: ${restored.join(', ')} restored and verified.`)
    return found
  }

  /** Removes what restore left (after the caller has copied the files it was given). */
  clear(): void {
    rmSync(this.root, { recursive: true, force: true })
  }

  /** Saves verified emulators (CPU to its file), one entry each; a failure is one log line. */
  async save(files: ReadonlyMap<string, { path: string; sha256: string }>): Promise<void> {
    await Promise.all(
      [...files].map(async ([cpu, { path, sha256 }]) => {
        const key = this.key({ cpu, sha256 })
        if (this.present.has(key)) return
        try {
          const file = this.fresh(cpu)
          copyFileSync(path, file)
          // @actions/cache logs its own reason when it does not save (taken, denied, too big)
          await (await this.cache()).saveCache([file], key)
        } catch (error) {
          core.info(`Actions cache: qemu-${cpu} not saved (${describe(error)}).`)
        }
      })
    )
    this.clear()
  }
}
