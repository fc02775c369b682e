import * as core from '@actions/core'
import { emulatorFor } from '../catalogue.js'
import { describe } from '../errors.js'
import { readElf } from '../host/elf.js'
import type { Host } from '../host/host.js'
import type { Inputs } from '../inputs.js'
import type { Installation } from '../model.js'
import type { InstallName, Plan } from '../plan.js'
import { AptInstaller } from './apt.js'
import { DEBIAN_QEMU } from './debian-qemu.js'
import { DownloadInstaller, DownloadUnavailable, upstreamVersion } from './download.js'
import { findOnHost } from './host-emulators.js'
import type { Installer } from './installer.js'
import { HostInstaller } from './none.js'
import { join } from 'node:path'
import { EmulatorCache } from './actions-cache.js'

type DownloadInputs = Pick<Inputs, 'qemuVersion' | 'downloadSources' | 'checksums'>

/** The installer the plan names; undefined for "nothing". */
export function installerFor(
  name: InstallName,
  inputs: DownloadInputs,
  host: Host,
  cache = false
): Installer | undefined {
  switch (name) {
    case 'apt':
      return new AptInstaller(host)
    case 'download':
      return downloader(inputs, host, cache)
    case 'host':
      return new HostInstaller(host)
    case 'nothing':
      return undefined
  }
}

const downloader = (inputs: DownloadInputs, host: Host, cache = false): DownloadInstaller =>
  new DownloadInstaller(host, {
    version: inputs.qemuVersion,
    sources: inputs.downloadSources,
    checksums: inputs.checksums,
    cache: cache ? emulatorCache(inputs.qemuVersion, host) : undefined
  })

/**
 * Why no download of these CPUs' emulators can be verified on this host: the action pins the
 * qemu-version asked for, but not for this host's architecture (ppc64el, s390x, ...), and
 * checksums has nothing for it. undefined when one can, and when the version is not pinned at all
 * (then the user chose it, and preflight asks for its checksums).
 */
export function whyUnverifiable(
  inputs: DownloadInputs,
  host: Host,
  cpus: readonly string[]
): string | undefined {
  const release = DEBIAN_QEMU.find(r => r.version === inputs.qemuVersion)
  if (!release) return undefined
  const { usable, problems } = downloader(inputs, host).usable(cpus)
  if (usable.length > 0) return undefined
  return (
    `the action pins QEMU ${inputs.qemuVersion} for ${Object.keys(release.packages).join(' and ')} hosts, ` +
    `not for this ${host.platform.debianArch} host, and checksums has nothing for it (${problems.join('; ')})`
  )
}

/**
 * Installs as planned. With install: auto (a fallback in the plan), the verified download is
 * answered with an unpinned QEMU only when it cannot be had (DownloadUnavailable); a file that
 * arrived wrong fails the step. Every unpinned QEMU install: auto settles for is a warning.
 */
export async function installEmulators(
  planned: Plan['install'],
  inputs: DownloadInputs,
  host: Host,
  cpus: readonly string[],
  cache = false
): Promise<Installation | undefined> {
  const installer = installerFor(planned.name, inputs, host, cache)
  if (!installer) return undefined
  core.info(`Installer: ${installer.name} (${planned.why})`)
  let done: Installation
  let unpinned = planned.unpinned
  try {
    done = await installer.install(cpus)
  } catch (error) {
    const fallback = planned.fallback
    if (!(error instanceof DownloadUnavailable) || !fallback) throw error
    if (fallback === 'apt' && !host.privilege.canActAsRoot) throw error
    unpinned = describe(error)
    core.info(`The verified download cannot be had (${unpinned}); using ${fallback} instead.`)
    done = await (installerFor(fallback, inputs, host) as Installer).install(cpus)
  }
  const paths = [...done.emulators.values()]
  core.info(`QEMU ${done.version || '(version unknown)'} from ${done.source}: ${paths.join(', ')}`)
  if (unpinned) {
    const pinned = upstreamVersion(inputs.qemuVersion)
    core.warning(
      `Using QEMU ${done.version || '(version unknown)'} from ${done.source} (${paths.join(', ')}), not the pinned, verified ${pinned}: ${unpinned}. ` +
        (planned.fallback
          ? `To get ${pinned}, let the runner reach the download (or name a reachable mirror in download-url).`
          : `To get a verified QEMU here, give download-url and checksums for a static build for ${host.platform.debianArch} hosts.`)
    )
  }
  return done
}

/** The Actions cache for a download: entries restored to and saved from this job's RUNNER_TEMP. */
function emulatorCache(version: string, host: Host): EmulatorCache {
  const temp = process.env.RUNNER_TEMP as string // the plan enables the cache only with it set
  return new EmulatorCache(version, host.platform.debianArch, join(temp, 'setup-cross-arch-cache'))
}

/** Whether every CPU's emulator is on the host already, statically linked and built for it. */
export async function staticOnHost(cpus: readonly string[], host: Host): Promise<boolean> {
  const hostMachine = emulatorFor(host.platform.cpu).elfMachine
  for (const cpu of cpus) {
    const path = findOnHost(cpu)
    const elf = path ? await readElf(path).catch(() => undefined) : undefined
    if (!elf || elf.dynamic || elf.machine !== hostMachine) return false
  }
  return true
}
