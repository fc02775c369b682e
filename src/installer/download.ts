/**
 * Emulators downloaded into the runner's tool cache, verified before anything uses them.
 *
 * Sources (the download-url input, tried in order): a Debian `qemu-user` package, streamed
 * through the .deb extractor so download and decompression overlap and only the requested
 * emulators are written; or one file per CPU. Every download is checked against a SHA-256 before
 * any part of it is used: the built-in table (debian-qemu.ts) for Debian's packages, whichever
 * mirror served them, else the checksums input. Nothing unverified reaches the tool cache.
 *
 * The tool cache is keyed by the SHA-256 the download was verified against, so entries from
 * different sources never mix unless they are byte-identical. A cache hit is checked again before
 * it is registered (installation.pending): a static ELF for this host, with the emulator's pinned
 * hash, or the hash recorded when it was cached. An emulator the host already has (root's, see
 * host-emulators.ts) with the pinned SHA-256 is the pinned build too, and is used as it is.
 *
 * Sizes are capped before anything is written: an emulator of a pinned package at its pinned
 * size (read from its tar header), any other emulator (a per-CPU file, or a member of a package
 * verified by the checksums input) at MAX_EMULATOR_BYTES, an unpinned package at
 * MAX_PACKAGE_BYTES. A file over its cap is not the file expected.
 */
import * as core from '@actions/core'
import { createHash } from 'node:crypto'
import {
  chmodSync,
  createReadStream,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync
} from 'node:fs'
import * as os from 'node:os'
import { basename, join } from 'node:path'
import type { Readable } from 'node:stream'
import { Input } from '../constants.js'
import { describe, InputError, InstallError } from '../errors.js'
import type { Host } from '../host/host.js'
import { percentDecoded, redactUrl, type Checksums, type DownloadSource } from '../inputs.js'
import type { Installation } from '../model.js'
import type { EmulatorCache, Wanted } from './actions-cache.js'
import type { ExtractedFile } from './deb.js'
import { DEBIAN_QEMU, debianPackage, type DebianPackage } from './debian-qemu.js'
import { hostEmulators } from './host-emulators.js'
import { Installer } from './installer.js'

type ToolCache = typeof import('@actions/tool-cache')

export interface DownloadOptions {
  /** Debian version without epoch (`10.0.13+ds-0+deb13u1`), or a per-CPU release tag. */
  readonly version: string
  readonly sources: readonly DownloadSource[]
  readonly checksums: Checksums
  /** GitHub's Actions cache, tried before a download and filled after one (the cache input). */
  readonly cache?: EmulatorCache
  /** The pinned package for this host; default: the built-in table's for version and host. */
  readonly table?: DebianPackage
  /** Largest emulator without a pinned size; default MAX_EMULATOR_BYTES. */
  readonly maxEmulatorBytes?: number
}

/** Largest emulator written when no pinned size is known (Debian's are about 15 MB). */
export const MAX_EMULATOR_BYTES = 64 * 1024 * 1024
/** Largest package read when no pinned size is known (Debian's qemu-user is about 71 MB). */
export const MAX_PACKAGE_BYTES = 256 * 1024 * 1024

/**
 * No source could be had (every one failed to answer or was cut short): the one install failure
 * that install: auto may answer with an unpinned QEMU. A file that arrived but is not the one
 * expected is never that.
 */
export class DownloadUnavailable extends InstallError {}

/** A source that sent no file: unreachable, or an HTTP status other than 2xx. */
class NoAnswer extends Error {}

/** One usable source: its URL for this host and what its bytes must hash to. */
interface Candidate {
  readonly source: DownloadSource
  /** Per CPU for per-cpu sources; the same package URL for every CPU otherwise. */
  url(cpu: string): string
  /** SHA-256 of what is downloaded for a CPU (the package, or the CPU's file). */
  expected(cpu: string): string
  /** Pinned SHA-256 of a CPU's emulator itself, when known in advance. */
  pin(cpu: string): string | undefined
  /** Largest a CPU's emulator may be: its pinned size, else MAX_EMULATOR_BYTES. */
  cap(cpu: string): number
  readonly size?: number
  /** Where the expected hash comes from, for the log. */
  readonly trust: string
}

/** A version as tool-cache keys it: semver, with the verified hash as a pre-release part. */
export function cacheKey(version: string, sha256: string): string {
  const head = /^(\d+)\.(\d+)(?:\.(\d+))?/.exec(version)
  const base = head ? `${Number(head[1])}.${Number(head[2])}.${Number(head[3] ?? 0)}` : '0.0.0'
  const rest = version
    .slice(head?.[0].length ?? 0)
    .split(/[^0-9A-Za-z]/)
    .filter(Boolean)
    .map(part => (/^0\d/.test(part) ? `n${part}` : part)) // semver: no leading zeros
  return `${base}-${[...rest, `sha${sha256.slice(0, 16)}`].join('.')}`
}

/** The upstream QEMU version of a Debian version (`10.0.13+ds-0+deb13u1` → `10.0.13`). */
export const upstreamVersion = (version: string): string =>
  /^\d+(?:\.\d+)*/.exec(version)?.[0] ?? version

export function render(template: string, values: Record<string, string>): string {
  return template.replace(/\{(version|arch|cpu|sha1)\}/g, (_, key: string) => values[key] ?? '')
}

/**
 * Downloads the requested emulators (or finds them in the tool cache) and verifies them. `check`
 * runs in preflight: it fails, before anything changes, when a download could not be verified.
 */
export class DownloadInstaller extends Installer {
  readonly name = 'download'
  private readonly table?: DebianPackage
  private readonly maxEmulatorBytes: number

  constructor(
    host: Host,
    private readonly options: DownloadOptions
  ) {
    super(host)
    this.table = options.table ?? debianPackage(options.version, host.platform.debianArch)
    this.maxEmulatorBytes = options.maxEmulatorBytes ?? MAX_EMULATOR_BYTES
  }

  /** The sources that can be verified for these CPUs, in order, and why the others cannot. */
  usable(cpus: readonly string[]): { usable: Candidate[]; problems: string[] } {
    const usable: Candidate[] = []
    const problems: string[] = []
    for (const source of this.options.sources) {
      const result = this.candidate(source, cpus)
      if (typeof result === 'string') problems.push(result)
      else usable.push(result)
    }
    return { usable, problems }
  }

  /** The sources that can be verified for these CPUs, in order; throws when there is none. */
  check(cpus: readonly string[]): Candidate[] {
    const { usable, problems } = this.usable(cpus)
    if (usable.length === 0) {
      throw new InputError(
        Input.Checksums,
        `nothing to verify the download against: ${problems.join('; ')}`,
        `Add the SHA-256 of each file to checksums (sha256sum output), or use qemu-version ${DEBIAN_QEMU.map(r => r.version).join(' or ')}, whose Debian packages the action knows.`
      )
    }
    for (const p of problems) core.info(`download-url: skipping a source, ${p}.`)
    return usable
  }

  private candidate(source: DownloadSource, cpus: readonly string[]): Candidate | string {
    const { version, checksums } = this.options
    const arch = this.host.platform.debianArch
    const values = { version, arch, sha1: this.table?.sha1 ?? '' }
    const shown = redactUrl(source.template)
    if (source.kind === 'package') {
      if (source.template.includes('{sha1}') && !this.table)
        return `${shown} needs the package's SHA-1, known only for versions in the action's table`
      const url = render(source.template, values)
      const file = source.template.includes('{sha1}')
        ? (this.table as DebianPackage).name
        : basename(new URL(url).pathname)
      const table = this.table
      const given = checksums.packages.get(file)
      const expected = table?.sha256 ?? given
      if (!expected) return `no checksum for ${file} (${shown})`
      return {
        source,
        url: () => url,
        expected: () => expected,
        // Stryker disable next-line OptionalChaining: the pinned table has every catalogue emulator for each architecture (download.test.ts)
        pin: cpu => table?.emulators[cpu]?.sha256,
        cap: cpu => table?.emulators[cpu]?.size ?? this.maxEmulatorBytes,
        size: table?.size,
        trust: table
          ? `Debian's signed index, pinned in the action (${table.sha256.slice(0, 12)}…)`
          : `checksums (${file})`
      }
    }
    const missing = cpus.filter(cpu => !checksums.cpus.has(cpu))
    if (missing.length > 0) {
      return `${shown} is one file per CPU, and checksums has no line for ${missing.map(c => `qemu-${c}-static`).join(', ')}`
    }
    return {
      source,
      url: cpu => render(source.template, { ...values, cpu }),
      expected: cpu => checksums.cpus.get(cpu) as string,
      pin: cpu => checksums.cpus.get(cpu),
      cap: () => this.maxEmulatorBytes,
      trust: 'checksums (one line per emulator)'
    }
  }

  async install(cpus: readonly string[]): Promise<Installation> {
    const candidates = this.check(cpus)
    const emulators = new Map<string, string>()
    const pending = new Map<string, () => Promise<void>>()
    const missing: string[] = []
    const tc = await import('@actions/tool-cache')
    // 1. the pinned build already here: the tool cache, or the host's own file with its hash
    for (const cpu of cpus) {
      const hit = this.cached(tc, cpu, candidates)
      const onHost = hit ? undefined : await this.pinnedOnHost(cpu)
      if (hit) {
        emulators.set(cpu, hit.path)
        pending.set(cpu, hit.verify)
      } else if (onHost) {
        emulators.set(cpu, onHost)
      } else {
        missing.push(cpu)
      }
    }
    // 2. GitHub's Actions cache (cache input), 3. the verified download, saved to that cache
    if (missing.length > 0) {
      for (const [cpu, path] of await this.fetch(missing, candidates)) emulators.set(cpu, path)
    }
    for (const path of new Set([...emulators.values()].map(p => join(p, '..')))) core.addPath(path)
    return {
      source: `download (${this.table ? `Debian qemu-user ${this.options.version}, ${this.table.arch}` : this.options.version})`,
      emulators,
      version: upstreamVersion(this.options.version),
      pending
    }
  }

  /** A tool-cache entry for a CPU from any usable source, checked lazily before registration. */
  private cached(
    tc: ToolCache,
    cpu: string,
    candidates: readonly Candidate[]
  ): { path: string; verify: () => Promise<void> } | undefined {
    for (const c of candidates) {
      const dir = tc.find(`qemu-${cpu}`, cacheKey(this.options.version, c.expected(cpu)))
      if (!dir) continue
      const path = join(dir, `qemu-${cpu}`)
      core.info(`qemu-${cpu} ${this.options.version}: tool cache hit (${dir})`)
      const verify = async (): Promise<void> => {
        const recorded = readOr(`${path}.sha256`).trim()
        const want = c.pin(cpu) ?? recorded
        const actual = await sha256File(path)
        if (!want || actual !== want) {
          throw new InstallError(
            `The tool-cache entry ${path} has SHA-256 ${actual}, but ${want ? `it was cached as ${want}` : 'no hash was recorded when it was cached'}: it was modified, so it is not registered. ` +
              `Delete ${dir} (or the runner's tool cache) and run again.`
          )
        }
        await this.checkEmulator(cpu, path, 'the tool cache')
      }
      return { path, verify }
    }
    return undefined
  }

  /**
   * What the tool cache lacks: from the Actions cache when it holds a copy with the emulator's
   * verified SHA-256, else downloaded, and then saved there for the next job.
   */
  private async fetch(
    cpus: readonly string[],
    candidates: readonly Candidate[]
  ): Promise<Map<string, string>> {
    const cache = this.options.cache
    const out = new Map<string, string>()
    // only an emulator with its own SHA-256 can be checked when it comes back from the cache
    const wanted = cpus.flatMap((cpu): Wanted[] => {
      const sha256 = candidates.map(c => c.pin(cpu)).find(Boolean)
      return sha256 ? [{ cpu, sha256 }] : []
    })
    if (cache && wanted.length < cpus.length) {
      const unpinned = cpus.filter(cpu => !wanted.some(w => w.cpu === cpu))
      core.info(
        `Actions cache: not used for ${unpinned.map(c => `qemu-${c}`).join(', ')} (no SHA-256 of the emulator itself to check a cached copy against; a per-emulator checksums line gives one).`
      )
    }
    if (cache && wanted.length > 0) {
      try {
        for (const [cpu, file] of await cache.restore(wanted)) {
          const sha256 = wanted.find(w => w.cpu === cpu)?.sha256 as string
          out.set(
            cpu,
            await this.store(cpu, file, sha256, candidates[0].expected(cpu), 'the Actions cache')
          )
        }
      } finally {
        cache.clear()
      }
    }
    const rest = cpus.filter(cpu => !out.has(cpu))
    if (rest.length === 0) return out
    const downloaded = await this.download(rest, candidates)
    if (cache) {
      const verified = wanted.filter(w => downloaded.has(w.cpu))
      await cache.save(
        new Map(
          verified.map(w => [w.cpu, { path: downloaded.get(w.cpu) as string, sha256: w.sha256 }])
        )
      )
    }
    return new Map([...out, ...downloaded])
  }

  /**
   * A root-owned emulator on the host (host-emulators.ts) with the SHA-256 the action pins for a
   * CPU: the pinned build itself (Debian's qemu-user of this version installed, say). Only the
   * action's own pins count (a checksums line names a file to download, not one to look for).
   * Sizes are compared first, so another version's file is not even hashed.
   */
  private async pinnedOnHost(cpu: string): Promise<string | undefined> {
    const pin = this.table?.emulators[cpu]
    if (!pin) return undefined
    for (const path of hostEmulators(cpu).found) {
      if (statSync(path).size !== pin.size || (await sha256File(path)) !== pin.sha256) continue
      core.info(`qemu-${cpu} ${this.options.version}: ${path} on the host is the pinned build`)
      await this.checkEmulator(cpu, path, 'the host')
      return path
    }
    return undefined
  }

  /** Downloads from the first source that answers; verified files go into the tool cache. */
  private async download(
    cpus: readonly string[],
    candidates: readonly Candidate[]
  ): Promise<Map<string, string>> {
    const failures: string[] = []
    let answered = false
    for (const c of candidates) {
      try {
        return c.source.kind === 'package'
          ? await this.fromPackage(c, cpus)
          : await this.perCpu(c, cpus)
      } catch (error) {
        if (error instanceof InstallError) throw error // verified wrong: never try another source
        answered ||= !(error instanceof NoAnswer)
        failures.push(`${redactUrl(c.url(cpus[0]))}: ${describe(error)}`)
        core.info(`Download failed (${failures[failures.length - 1]}); trying the next source.`)
      }
    }
    const text = `Could not download QEMU ${this.options.version} from any source: ${failures.join('; ')}.`
    // a source that sent a file it could not be verified (damaged, cut short, or another one):
    // no unverified QEMU stands in for it
    if (answered) {
      throw new InstallError(
        `${text} A source answered with a file that could not be verified, so no other QEMU is used instead (possibly tampered with, or damaged on the way). ` +
          'Check download-url (name a mirror that serves the file whole) and qemu-version.'
      )
    }
    throw new DownloadUnavailable(
      `${text} Check qemu-version and download-url (name a reachable mirror there).`
    )
  }

  private async fromPackage(c: Candidate, cpus: readonly string[]): Promise<Map<string, string>> {
    const url = c.url(cpus[0])
    core.info(`Downloading ${redactUrl(url)}, verified against ${c.trust}`)
    const body = await get(url)
    const work = mkdtempSync(join(process.env.RUNNER_TEMP || os.tmpdir(), 'qemu-deb-'))
    try {
      const members = new Map(
        cpus.map(cpu => [`./usr/bin/qemu-${cpu}`, join(work, cpu, `qemu-${cpu}`)])
      )
      for (const cpu of cpus) mkdirSync(join(work, cpu))
      // loaded on a cache miss only: a warm run extracts nothing
      const { DebError, extractDeb } = await import('./deb.js')
      const extracted = await extractDeb(body, members, {
        label: basename(new URL(url).pathname),
        expectedSha256: c.expected(cpus[0]),
        expectedSize: c.size,
        maxSize: c.size ?? MAX_PACKAGE_BYTES,
        limits: new Map(cpus.map(cpu => [`./usr/bin/qemu-${cpu}`, c.cap(cpu)]))
      }).catch(error => {
        // a complete file of another size or hash is the wrong file, not an outage: never retried
        throw error instanceof DebError && error.wrongFile
          ? this.mismatch(url, describe(error))
          : error
      })
      const out = new Map<string, string>()
      for (const cpu of cpus) {
        // extractDeb fails naming any member it did not find
        const file = extracted.files.get(`./usr/bin/qemu-${cpu}`) as ExtractedFile
        const pin = c.pin(cpu)
        if (pin && file.sha256 !== pin) {
          throw this.mismatch(
            url,
            `qemu-${cpu} in it has SHA-256 ${file.sha256}, the action expects ${pin}`
          )
        }
        out.set(cpu, await this.store(cpu, file.path, file.sha256, c.expected(cpu), url))
      }
      return out
    } finally {
      rmSync(work, { recursive: true, force: true })
    }
  }

  private async perCpu(c: Candidate, cpus: readonly string[]): Promise<Map<string, string>> {
    const work = mkdtempSync(join(process.env.RUNNER_TEMP || os.tmpdir(), 'qemu-file-'))
    try {
      const paths = await Promise.all(
        cpus.map(async cpu => {
          const url = c.url(cpu)
          core.info(`Downloading ${redactUrl(url)}, verified against ${c.trust}`)
          const path = join(work, cpu, `qemu-${cpu}`)
          mkdirSync(join(work, cpu))
          const actual = await saveHashed(await get(url), path, c.cap(cpu))
          if (actual === undefined) {
            throw this.mismatch(
              url,
              `it is larger than ${c.cap(cpu)} bytes, the most an emulator may be`
            )
          }
          if (actual !== c.expected(cpu)) {
            throw this.mismatch(
              url,
              `it has SHA-256 ${actual}, checksums expects ${c.expected(cpu)}`
            )
          }
          return [cpu, await this.store(cpu, path, actual, c.expected(cpu), url)] as const
        })
      )
      return new Map(paths)
    } finally {
      rmSync(work, { recursive: true, force: true })
    }
  }

  /** Checks a verified file is a static emulator for this host and caches it with its hash. */
  private async store(
    cpu: string,
    path: string,
    sha256: string,
    expected: string,
    origin: string
  ): Promise<string> {
    chmodSync(path, 0o755)
    await this.checkEmulator(cpu, path, redactUrl(origin))
    writeFileSync(`${path}.sha256`, `${sha256}\n`)
    const tc = await import('@actions/tool-cache')
    const dir = await tc.cacheDir(
      join(path, '..'),
      `qemu-${cpu}`,
      cacheKey(this.options.version, expected)
    )
    return join(dir, `qemu-${cpu}`)
  }

  private mismatch(url: string, detail: string): InstallError {
    return new InstallError(
      `${redactUrl(url)} is not the file expected (${detail}); nothing from it was used or cached, and no other QEMU is used instead. ` +
        'The file may have been tampered with; or the mirror serves a different or damaged file, or the checksum is wrong: check download-url, qemu-version and checksums.'
    )
  }
}

async function get(url: string): Promise<Readable> {
  const { HttpClient } = await import('@actions/http-client')
  const client = new HttpClient('setup-cross-arch', [], { allowRetries: true, maxRetries: 2 })
  const { href, headers } = withBasicAuth(url)
  const response = await client.get(href, headers).catch((error: unknown) => {
    throw new NoAnswer(describe(error))
  })
  const status = response.message.statusCode ?? 0
  if (status < 200 || status >= 300) {
    response.message.resume()
    throw new NoAnswer(`HTTP ${status}`)
  }
  return response.message
}

/**
 * `https://user:token@host/...` as a browser or curl sends it: the credentials as a Basic
 * Authorization header (percent-decoded), not in the URL (@actions/http-client ignores them
 * there). The client drops the header when a redirect leads to another host.
 */
export function withBasicAuth(url: string): { href: string; headers: Record<string, string> } {
  const parsed = new URL(url)
  if (!parsed.username && !parsed.password) return { href: url, headers: {} }
  const credentials = `${percentDecoded(parsed.username)}:${percentDecoded(parsed.password)}`
  parsed.username = ''
  parsed.password = ''
  return {
    href: parsed.href,
    headers: { authorization: `Basic ${Buffer.from(credentials).toString('base64')}` }
  }
}

/** Saves a body, hashing it; undefined (and the download stopped) when it exceeds `cap` bytes. */
async function saveHashed(body: Readable, path: string, cap: number): Promise<string | undefined> {
  const hash = createHash('sha256')
  const { createWriteStream } = await import('node:fs')
  const out = createWriteStream(path)
  let size = 0
  try {
    for await (const chunk of body) {
      size += (chunk as Buffer).length
      if (size > cap) {
        body.destroy()
        return undefined
      }
      hash.update(chunk as Buffer)
      if (!out.write(chunk)) await new Promise<void>(ok => out.once('drain', () => ok()))
    }
  } finally {
    await new Promise<void>((ok, fail) => out.end((e?: Error | null) => (e ? fail(e) : ok())))
  }
  return hash.digest('hex')
}

export async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256')
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer)
  return hash.digest('hex')
}

function readOr(path: string): string {
  try {
    return readFileSync(path, 'utf8')
  } catch {
    return ''
  }
}
