import * as core from '../runner.js'
import { accessSync, chmodSync, readFileSync } from 'node:fs'
import * as os from 'node:os'
import { join } from 'node:path'
import { InstallError, describe } from '../errors.js'
import type { Host } from '../host/host.js'
import { Installer, type Installation } from './installer.js'

export interface DownloadOptions {
  /** QEMU release, e.g. 7.2.0-1. */
  readonly version: string
  /** URL template with {version} and {cpu}. */
  readonly urlTemplate: string
  /** Expected SHA-256 by CPU; verified when present. */
  readonly checksums: ReadonlyMap<string, string>
}

/** tool-cache keys versions by semver; a version that is not one gets a stable semver spelling. */
export function cacheVersion(version: string): string {
  if (/^\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?$/.test(version)) return version
  return `0.0.0-${version.replace(/[^0-9A-Za-z.-]/g, '-')}`
}

/**
 * A tool-cache hit, found the way @actions/tool-cache's find() does (`<cache>/<tool>/<version>/<arch>`
 * with a `<arch>.complete` marker) without loading it: it pulls in an HTTP stack that costs more
 * than a whole warm run. Misses go through tool-cache itself (downloadTool, cacheFile).
 */
export async function findCached(
  tool: string,
  version: string,
  arch: string
): Promise<string | undefined> {
  const root = process.env.RUNNER_TOOL_CACHE
  if (!root) return undefined
  const dir = join(root, tool, version, arch)
  try {
    accessSync(`${dir}.complete`)
    return dir
  } catch {
    return undefined
  }
}

export function assetUrl(template: string, version: string, cpu: string): string {
  return template.replaceAll('{version}', version).replaceAll('{cpu}', cpu)
}

/**
 * Static emulators fetched into the runner's tool cache, only the ones needed, concurrently.
 * A cache hit makes no network request.
 */
export class DownloadInstaller extends Installer {
  readonly name = 'download'

  constructor(
    host: Host,
    private readonly options: DownloadOptions
  ) {
    super(host)
  }

  async install(cpus: readonly string[]): Promise<Installation> {
    const version = cacheVersion(this.options.version)
    const arch = os.arch()
    const emulators = new Map<string, string>()
    await Promise.all(
      cpus.map(async cpu => {
        const tool = `qemu-${cpu}-static`
        let dir = await findCached(tool, version, arch)
        if (dir) {
          core.info(`${tool} ${this.options.version}: tool cache hit (${dir})`)
          await this.verifyChecksum(cpu, join(dir, tool), 'the tool cache')
        } else {
          const url = assetUrl(this.options.urlTemplate, this.options.version, cpu)
          core.info(`${tool} ${this.options.version}: downloading ${url}`)
          const tc = await import('@actions/tool-cache')
          let file: string
          try {
            file = await tc.downloadTool(url)
          } catch (error) {
            throw new InstallError(
              `Could not download ${tool} from ${url}: ${describe(error)}. ` +
                'Check qemu-version and download-url (a mirror can be named there).'
            )
          }
          await this.verifyChecksum(cpu, file, url)
          chmodSync(file, 0o755)
          await this.check(cpu, file, url)
          dir = await tc.cacheFile(file, tool, tool, version, arch)
        }
        emulators.set(cpu, join(dir, tool))
        core.addPath(dir)
      })
    )
    // The release named is the version in use: no need to start an emulator to ask it.
    return {
      source: `download (${this.options.version})`,
      emulators,
      version: this.options.version
    }
  }

  private async verifyChecksum(cpu: string, file: string, origin: string): Promise<void> {
    const expected = this.options.checksums.get(cpu)
    if (!expected) return
    const { createHash } = await import('node:crypto')
    const actual = createHash('sha256').update(readFileSync(file)).digest('hex')
    if (actual !== expected) {
      throw new InstallError(
        `qemu-${cpu}-static from ${origin} has SHA-256 ${actual}, but checksums expects ${expected}. ` +
          'The file changed or the checksum is wrong: check download-url, qemu-version and checksums.'
      )
    }
  }
}
