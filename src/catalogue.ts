/**
 * The one table of platforms and emulators. Everything else reads it: names and aliases, the
 * emulator each platform needs, the magic and mask that binfmt_misc matches (from QEMU's
 * scripts/qemu-binfmt-conf.sh), the CPU family a host runs natively, what `uname -m` prints under
 * emulation, and the default image for container verification.
 */

/** A QEMU user-mode emulator: binfmt_misc entry `qemu-<cpu>`, binary `qemu-<cpu>-static`. */
export interface Emulator {
  readonly cpu: string
  /** Hosts of this family run these binaries natively, so qemu-binfmt-conf.sh skips them. */
  readonly family: string
  /** `\xHH` text as written to the register file. */
  readonly magic: string
  readonly mask: string
  /** ELF e_machine of binaries built for this CPU (also of the emulator built for such a host). */
  readonly elfMachine: number
  /** Docker/OCI architecture name (what tonistiigi/binfmt's --install takes). */
  readonly arch: string
}

export interface Platform {
  /** Docker platform name, e.g. `linux/arm/v7`. */
  readonly name: string
  /** Other names people type; matched case-insensitively, with or without `linux/`. */
  readonly aliases: readonly string[]
  readonly cpu: string
  /** What `uname -m` prints when this platform runs under QEMU. */
  readonly machine: string
  /** What `os.machine()` reports on a host of this platform. */
  readonly hostMachines: readonly string[]
  /** Part of `platforms: all`. */
  readonly inAll: boolean
  /** Image whose variant for this platform `verify: image` runs, when verify-image is not set. */
  readonly verifyImage: string | null
  /** Debian's architecture name for a host of this platform (for its packages). */
  readonly debianArch: string
}

const ELF = '\\x7fELF'
const hex = (bytes: string): string => bytes.replace(/([0-9a-f]{2})/g, '\\x$1')

function emulator(
  cpu: string,
  arch: string,
  family: string,
  magicTail: string,
  mask: string,
  elf: number
): Emulator {
  return { cpu, arch, family, magic: ELF + hex(magicTail), mask: hex(mask), elfMachine: elf }
}

/** Magic/mask from QEMU's qemu-binfmt-conf.sh, as hex without the leading `\x7fELF`. */
const IDENT64LE = '020101000000000000000000'
const IDENT64BE = '020201000000000000000000'
const IDENT32LE = '010101000000000000000000'
/** Mask: every byte but EI_OSABI-pad; `fe` in e_type accepts ET_EXEC and ET_DYN (PIE). */
const MASK_LE = 'ffffffffffffff00ffffffffffffffff' + 'feffffff'
export const EMULATORS: readonly Emulator[] = [
  emulator('aarch64', 'arm64', 'arm', IDENT64LE + '0200b700', MASK_LE, 183),
  emulator('arm', 'arm', 'arm', IDENT32LE + '02002800', MASK_LE, 40),
  emulator(
    'ppc64le',
    'ppc64le',
    'ppcle',
    IDENT64LE + '02001500',
    'ffffffffffffff00ffffffffffffffff' + 'feffff00',
    21
  ),
  emulator(
    's390x',
    's390x',
    's390x',
    IDENT64BE + '00020016',
    'ffffffffffffff00ffffffffffffffff' + 'fffeffff',
    22
  ),
  emulator('riscv64', 'riscv64', 'riscv64', IDENT64LE + '0200f300', MASK_LE, 243),
  emulator(
    'i386',
    '386',
    'i386',
    IDENT32LE + '02000300',
    'fffffffffffefe00ffffffffffffffff' + 'feffffff',
    3
  ),
  emulator(
    'x86_64',
    'amd64',
    'i386',
    IDENT64LE + '02003e00',
    'fffffffffffefe00ffffffffffffffff' + 'feffffff',
    62
  ),
  emulator(
    'mips64el',
    'mips64le',
    'mips',
    IDENT64LE + '02000800',
    'ffffffffffffff0000ffffffffffffff' + 'feffffff',
    8
  ),
  emulator(
    'mips64',
    'mips64',
    'mips',
    IDENT64BE + '00020008',
    'ffffffffffffff0000ffffffffffffff' + 'fffeffff',
    8
  ),
  emulator(
    'loongarch64',
    'loong64',
    'loongarch',
    IDENT64LE + '02000201',
    'fffffffffffffffc00ffffffffffffff' + 'feffffff',
    258
  )
]

const ALPINE = 'alpine:3.22'

export const PLATFORMS: readonly Platform[] = [
  {
    name: 'linux/amd64',
    debianArch: 'amd64',
    aliases: ['amd64', 'x86_64', 'x86-64', 'x64'],
    cpu: 'x86_64',
    machine: 'x86_64',
    hostMachines: ['x86_64', 'amd64'],
    inAll: true,
    verifyImage: ALPINE
  },
  {
    name: 'linux/arm64',
    debianArch: 'arm64',
    aliases: ['arm64', 'aarch64', 'arm64/v8', 'armv8'],
    cpu: 'aarch64',
    machine: 'aarch64',
    hostMachines: ['aarch64', 'arm64'],
    inAll: true,
    verifyImage: ALPINE
  },
  {
    name: 'linux/arm/v7',
    debianArch: 'armhf',
    aliases: ['arm', 'armhf', 'armv7', 'armv7l', 'arm/v7'],
    cpu: 'arm',
    machine: 'armv7l',
    hostMachines: ['armv7l', 'armv8l'],
    inAll: true,
    verifyImage: ALPINE
  },
  {
    name: 'linux/arm/v6',
    debianArch: 'armel',
    aliases: ['armel', 'armv6', 'armv6l', 'arm/v6'],
    cpu: 'arm',
    machine: 'armv7l',
    hostMachines: ['armv6l'],
    inAll: true,
    verifyImage: ALPINE
  },
  {
    name: 'linux/ppc64le',
    debianArch: 'ppc64el',
    aliases: ['ppc64le', 'ppc64el', 'power'],
    cpu: 'ppc64le',
    machine: 'ppc64le',
    hostMachines: ['ppc64le'],
    inAll: true,
    verifyImage: ALPINE
  },
  {
    name: 'linux/s390x',
    debianArch: 's390x',
    aliases: ['s390x'],
    cpu: 's390x',
    machine: 's390x',
    hostMachines: ['s390x'],
    inAll: true,
    verifyImage: ALPINE
  },
  {
    name: 'linux/riscv64',
    debianArch: 'riscv64',
    aliases: ['riscv64', 'riscv'],
    cpu: 'riscv64',
    machine: 'riscv64',
    hostMachines: ['riscv64'],
    inAll: true,
    verifyImage: ALPINE
  },
  {
    name: 'linux/386',
    debianArch: 'i386',
    aliases: ['386', 'i386', 'i686', 'x86'],
    cpu: 'i386',
    machine: 'i686',
    hostMachines: ['i686', 'i386'],
    inAll: true,
    verifyImage: ALPINE
  },
  {
    name: 'linux/mips64le',
    debianArch: 'mips64el',
    aliases: ['mips64le', 'mips64el'],
    cpu: 'mips64el',
    machine: 'mips64',
    hostMachines: [],
    inAll: true,
    verifyImage: null
  },
  {
    name: 'linux/mips64',
    debianArch: 'mips64',
    aliases: ['mips64'],
    cpu: 'mips64',
    machine: 'mips64',
    hostMachines: [],
    inAll: true,
    verifyImage: null
  },
  {
    name: 'linux/loong64',
    debianArch: 'loong64',
    aliases: ['loong64', 'loongarch64'],
    cpu: 'loongarch64',
    machine: 'loongarch64',
    hostMachines: ['loongarch64'],
    inAll: false,
    verifyImage: null
  }
]

export function findEmulator(cpu: string): Emulator | undefined {
  return EMULATORS.find(e => e.cpu === cpu)
}

export function emulatorFor(cpu: string): Emulator {
  const found = findEmulator(cpu)
  if (!found) throw new Error(`no emulator "${cpu}" in the catalogue`)
  return found
}

/** The binfmt_misc entry name QEMU's tools use for a CPU. */
export const handlerName = (cpu: string): string => `qemu-${cpu}`

/** Every spelling accepted in `platforms`, for error messages. */
export function acceptedNames(): string[] {
  return PLATFORMS.flatMap(p => [p.name, ...p.aliases])
}

const byName = new Map<string, Platform>()
for (const p of PLATFORMS) {
  for (const n of [p.name, ...p.aliases]) {
    byName.set(n.toLowerCase(), p)
    byName.set(`linux/${n.toLowerCase()}`, p)
  }
}

/** The platform a user's spelling names, or undefined. */
export function lookupPlatform(spelling: string): Platform | undefined {
  return byName.get(spelling.trim().toLowerCase())
}

/** The platform of a host, from `os.machine()`; undefined for a machine the catalogue lacks. */
export function hostPlatform(machine: string): Platform | undefined {
  return PLATFORMS.find(p => p.hostMachines.includes(machine))
}
