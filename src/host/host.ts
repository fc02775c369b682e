import { existsSync, readFileSync } from 'node:fs'
import * as os from 'node:os'
import { emulatorFor, hostPlatform, type Platform } from '../catalogue.js'
import { HostError } from '../errors.js'
import { Binfmt, type BinfmtReader } from './binfmt.js'
import { DirectWriter, type KernelWriter } from './kernel.js'
import { detectPrivilege, Privilege } from './privilege.js'

/** What this run knows about the machine it is on. */
export interface Host {
  /** `uname -m` of the host. */
  readonly machine: string
  readonly platform: Platform
  /** CPU family the host runs natively (e.g. i386 for x86_64, arm for aarch64). */
  readonly family: string
  readonly privilege: Privilege
  readonly binfmt: BinfmtReader
  /** Writes to binfmt_misc as root or through sudo. */
  readonly direct: KernelWriter
  /**
   * This process runs in a user namespace of its own (a rootless container): binfmt_misc there
   * is a separate instance (Linux 6.7+), so registering there does nothing for the host.
   */
  readonly userNamespace: boolean
  /** Whether a file exists on the host (where the kernel looks for interpreters without F). */
  hasFile(path: string): boolean
}

export async function inspectHost(): Promise<Host> {
  checkLinux(process.platform)
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
    binfmt: new Binfmt(),
    direct: new DirectWriter(privilege),
    userNamespace: inUserNamespace(),
    hasFile: existsSync
  }
}

const OS_NAMES: Partial<Record<NodeJS.Platform, string>> = { win32: 'Windows', darwin: 'macOS' }

/** binfmt_misc is Linux's: on any other runner, say which and how to skip the step there. */
export function checkLinux(platform: NodeJS.Platform): void {
  if (platform === 'linux') return
  throw new HostError(
    `This action needs a Linux runner (binfmt_misc is a Linux kernel feature), and this one runs ${OS_NAMES[platform] ?? platform}. ` +
      "Add if: runner.os == 'Linux' to this step in a matrix across operating systems, or use runs-on: ubuntu-latest (ubuntu-24.04-arm for an arm64 host)."
  )
}

/** The initial user namespace maps every uid to itself: `0 0 4294967295`. */
export function inUserNamespace(map = readOr('/proc/self/uid_map')): boolean {
  const fields = map.trim().split(/\s+/)
  return (
    map.trim() !== '' && !(fields[0] === '0' && fields[1] === '0' && fields[2] === '4294967295')
  )
}

function readOr(path: string): string {
  try {
    return readFileSync(path, 'utf8')
  } catch {
    return ''
  }
}
