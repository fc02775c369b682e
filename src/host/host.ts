import * as os from 'node:os'
import { emulatorFor, hostPlatform, type Platform } from '../catalogue.js'
import { HostError } from '../errors.js'
import { Binfmt } from './binfmt.js'
import { detectPrivilege, Privilege } from './privilege.js'

/** What this run knows about the machine it is on. */
export interface Host {
  /** `uname -m` of the host. */
  readonly machine: string
  readonly platform: Platform
  /** CPU family the host runs natively (e.g. i386 for x86_64, arm for aarch64). */
  readonly family: string
  readonly privilege: Privilege
  readonly binfmt: Binfmt
}

export async function inspectHost(): Promise<Host> {
  if (process.platform !== 'linux') {
    throw new HostError(
      `This action needs a Linux runner (binfmt_misc is a Linux kernel feature), and this one runs ${process.platform}. ` +
        'Use runs-on: ubuntu-latest, or ubuntu-24.04-arm for an arm64 host.'
    )
  }
  const machine = os.machine()
  const platform = hostPlatform(machine)
  if (!platform) {
    throw new HostError(
      `This host's architecture "${machine}" is not in the catalogue, so its native platforms are unknown. Open an issue naming it.`
    )
  }
  const privilege = new Privilege(await detectPrivilege())
  return {
    machine,
    platform,
    family: emulatorFor(platform.cpu).family,
    privilege,
    binfmt: new Binfmt(privilege)
  }
}
