import { InstallError } from '../errors.js'
import { findOnHost } from './host-emulators.js'
import { Installer, type Installation } from './installer.js'

/** Installs nothing: uses emulators already on the host (install: none). */
export class HostInstaller extends Installer {
  readonly name = 'none'

  async install(cpus: readonly string[]): Promise<Installation> {
    const emulators = new Map<string, string>()
    const missing: string[] = []
    for (const cpu of cpus) {
      const path = await findOnHost(cpu)
      if (path) emulators.set(cpu, path)
      else missing.push(`qemu-${cpu}-static`)
    }
    if (missing.length > 0) {
      throw new InstallError(
        `install: none, but ${missing.join(', ')} ${missing.length === 1 ? 'is' : 'are'} not on PATH or in /usr/bin. ` +
          'Use install: apt or install: download, or install them before this step.'
      )
    }
    await Promise.all(
      [...emulators].map(([cpu, path]) => this.checkEmulator(cpu, path, 'the host'))
    )
    return {
      source: 'host',
      emulators,
      version: await this.versionOf(emulators.values().next().value as string)
    }
  }
}
