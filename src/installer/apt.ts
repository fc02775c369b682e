import * as core from '@actions/core'
import { InstallError } from '../errors.js'
import { lastLine, type RunResult } from '../tools/exec.js'
import { findOnHost, which } from './host-emulators.js'
import { Installer, type Installation } from './installer.js'

/** Debian/Ubuntu packages: qemu-user-static, or qemu-user where the distro dropped the old name. */
export class AptInstaller extends Installer {
  readonly name = 'apt'

  async install(cpus: readonly string[]): Promise<Installation> {
    if (!(await which('apt-get'))) {
      throw new InstallError(
        'install: apt, but apt-get is not on this runner (not Debian or Ubuntu). Use install: download.'
      )
    }
    this.host.privilege.require('install: apt')
    const pkg = await this.installFirstAvailable(['qemu-user-static', 'qemu-user'])
    const emulators = new Map<string, string>()
    for (const cpu of cpus) {
      const path = findOnHost(cpu)
      if (!path) {
        throw new InstallError(
          `${pkg} is installed but has no qemu-${cpu} emulator. Use install: download for ${cpu}.`
        )
      }
      emulators.set(cpu, path)
    }
    await Promise.all(
      [...emulators].map(([cpu, path]) => this.checkEmulator(cpu, path, `the ${pkg} package`))
    )
    return {
      source: `apt (${pkg})`,
      emulators,
      version: await this.versionOf(emulators.values().next().value as string)
    }
  }

  private async installFirstAvailable(packages: readonly string[]): Promise<string> {
    let updated = false
    let last: RunResult | undefined
    for (const pkg of packages) {
      for (;;) {
        last = await this.apt(['install', '-y', '--no-install-recommends', pkg])
        if (last.code === 0) return pkg
        if (updated) break
        core.info('apt-get install failed; refreshing the package lists once and trying again.')
        updated = true
        await this.apt(['update'])
      }
      core.info(`${pkg} could not be installed; trying the next package name.`)
    }
    throw new InstallError(
      `apt-get could not install ${packages.join(' or ')}: ${lastLine(last?.stderr ?? '')}. ` +
        'Check the runner can reach its apt sources, or use install: download.'
    )
  }

  private apt(args: string[]): Promise<RunResult> {
    return this.host.privilege.run('apt-get', ['-q', ...args], {
      echo: true,
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' }
    })
  }
}
