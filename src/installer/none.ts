import { InstallError } from '../errors.js'
import { hostEmulators } from './host-emulators.js'
import { Installer, type Installation } from './installer.js'

/** Installs nothing: uses the emulators already on the host, whatever their version. */
export class HostInstaller extends Installer {
  readonly name = 'host'

  async install(cpus: readonly string[]): Promise<Installation> {
    const emulators = new Map<string, string>()
    const missing: string[] = []
    const refused: string[] = []
    for (const cpu of cpus) {
      const on = hostEmulators(cpu)
      if (on.found[0]) emulators.set(cpu, on.found[0])
      else missing.push(`qemu-${cpu}-static`)
      refused.push(...on.refused)
    }
    if (missing.length > 0) {
      throw new InstallError(
        `The host's own emulators were asked for, but ${missing.join(', ')} ${missing.length === 1 ? 'is' : 'are'} not on PATH or in /usr/bin` +
          (refused.length > 0 ? ` (refused, as root runs them: ${refused.join('; ')})` : '') +
          '. Use install: auto or install: download, or install them (root-owned) before this step.'
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
