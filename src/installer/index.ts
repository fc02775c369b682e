import * as core from '@actions/core'
import { describe } from '../errors.js'
import type { Host } from '../host/host.js'
import type { Inputs } from '../inputs.js'
import type { Installation } from '../model.js'
import type { InstallName, Plan } from '../plan.js'
import { AptInstaller } from './apt.js'
import { DownloadInstaller } from './download.js'
import { findOnHost } from './host-emulators.js'
import type { Installer } from './installer.js'
import { HostInstaller } from './none.js'
import { readElf } from '../host/elf.js'
import { emulatorFor } from '../catalogue.js'
import { EmulatorCache } from './actions-cache.js'
import { join } from 'node:path'

/** The installer the plan names; undefined for "nothing". */
export function installerFor(
  name: InstallName,
  inputs: Pick<Inputs, 'qemuVersion' | 'downloadSources' | 'checksums'>,
  host: Host,
  cache = false
): Installer | undefined {
  switch (name) {
    case 'apt':
      return new AptInstaller(host)
    case 'download':
      return new DownloadInstaller(host, {
        version: inputs.qemuVersion,
        sources: inputs.downloadSources,
        checksums: inputs.checksums,
        cache: cache ? emulatorCache(inputs.qemuVersion, host) : undefined
      })
    case 'host':
      return new HostInstaller(host)
    case 'nothing':
      return undefined
  }
}

/** Installs as planned; with a fallback (install: auto), a failed download falls back to apt. */
export async function installEmulators(
  planned: Plan['install'],
  inputs: Pick<Inputs, 'qemuVersion' | 'downloadSources' | 'checksums'>,
  host: Host,
  cpus: readonly string[],
  cache = false
): Promise<Installation | undefined> {
  const installer = installerFor(planned.name, inputs, host, cache)
  if (!installer) return undefined
  core.info(`Installer: ${installer.name} (${planned.why})`)
  let done: Installation
  try {
    done = await installer.install(cpus)
  } catch (error) {
    if (!planned.fallback || !host.privilege.canActAsRoot) throw error
    core.info(`The download failed (${describe(error)}); installing with apt instead.`)
    done = await new AptInstaller(host).install(cpus)
  }
  core.info(
    `QEMU ${done.version || '(version unknown)'} from ${done.source}: ${[...done.emulators.values()].join(', ')}`
  )
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
    const path = await findOnHost(cpu)
    const elf = path ? await readElf(path).catch(() => undefined) : undefined
    if (!elf || elf.dynamic || elf.machine !== hostMachine) return false
  }
  return true
}
