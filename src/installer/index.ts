import type { Host } from '../host/host.js'
import type { Inputs } from '../inputs.js'
import { AptInstaller } from './apt.js'
import { DownloadInstaller } from './download.js'
import { findAllOnHost, which } from './host-emulators.js'
import type { Installer } from './installer.js'
import { HostInstaller } from './none.js'

export type { Installation } from './installer.js'

/**
 * The installer for this run. install: auto uses the host's emulators when all are there, else
 * apt where apt-get and root are available, else a download.
 */
export async function chooseInstaller(
  inputs: Inputs,
  host: Host,
  cpus: readonly string[]
): Promise<{ installer: Installer; why: string }> {
  const download = () =>
    new DownloadInstaller(host, {
      version: inputs.qemuVersion,
      urlTemplate: inputs.downloadUrl,
      checksums: inputs.checksums
    })
  switch (inputs.install) {
    case 'apt':
      return { installer: new AptInstaller(host), why: 'install: apt' }
    case 'download':
      return { installer: download(), why: 'install: download' }
    case 'none':
      return { installer: new HostInstaller(host), why: 'install: none' }
    case 'auto':
      if (await findAllOnHost(cpus))
        return {
          installer: new HostInstaller(host),
          why: 'every emulator needed is already on the host'
        }
      if (host.privilege.canActAsRoot && (await which('apt-get')))
        return { installer: new AptInstaller(host), why: 'apt-get is available' }
      return {
        installer: download(),
        why: 'no apt-get with root here, so the emulators are downloaded'
      }
  }
}
