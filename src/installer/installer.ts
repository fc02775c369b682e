import * as core from '@actions/core'
import { emulatorFor } from '../catalogue.js'
import { InstallError } from '../errors.js'
import { readElf } from '../host/elf.js'
import type { Host } from '../host/host.js'
import { run } from '../tools/exec.js'

import type { Installation } from '../model.js'

export type { Installation }

/**
 * Puts static QEMU user-mode emulators for the given CPUs on the host. Subclasses differ only in
 * where the files come from; checking and describing them is shared.
 */
export abstract class Installer {
  abstract readonly name: string

  constructor(protected readonly host: Host) {}

  abstract install(cpus: readonly string[]): Promise<Installation>

  /** Preflight: throws, before anything changes, when installing these CPUs cannot work. */
  check(cpus: readonly string[]): unknown {
    return cpus
  }

  /**
   * Fails when an emulator is dynamically linked (an F-flag interpreter must be static to work
   * inside containers and chroots) or is not built for this host.
   */
  protected async checkEmulator(cpu: string, path: string, origin: string): Promise<void> {
    const elf = await readElf(path).catch(() => undefined)
    if (!elf)
      throw new InstallError(
        `${path} (qemu-${cpu}, from ${origin}) is not an ELF executable. Check ${origin}.`
      )
    const hostElf = emulatorFor(this.host.platform.cpu).elfMachine
    if (elf.machine !== hostElf) {
      throw new InstallError(
        `${path} (qemu-${cpu}, from ${origin}) is built for ELF machine ${elf.machine}, not for this ${this.host.machine} host. ` +
          `Use emulators built for ${this.host.machine} hosts (another download-url, or install: apt).`
      )
    }
    if (elf.dynamic) {
      throw new InstallError(
        `${path} (qemu-${cpu}, from ${origin}) is dynamically linked; binfmt handlers need static emulators to work in containers. ` +
          'Install a static build (qemu-user-static, or install: download).'
      )
    }
  }

  /** The QEMU version an emulator reports (`qemu-aarch64 version 7.2.22 (Debian ...)` → 7.2.22). */
  protected async versionOf(path: string): Promise<string> {
    const result = await run(path, ['--version'], { timeoutMs: 10_000 })
    const match = /version (\S+)/.exec(result.stdout)
    if (!match) core.warning(`Could not read the QEMU version from ${path} --version.`)
    return match?.[1] ?? ''
  }
}
