/**
 * Emulation probes: tiny static executables, one per QEMU cpu, that print what `uname -m` would
 * (utsname.machine and a newline) and exit 0. Written to a file and executed, directly or through
 * a binfmt_misc handler, they prove that the emulator runs a foreign binary end to end.
 *
 * Under emulation they print: aarch64 → aarch64, arm → armv7l, ppc64le → ppc64le,
 * s390x → s390x, riscv64 → riscv64, i386 → i686 (x86_64 when run natively on an x86_64 host),
 * x86_64 → x86_64, mips64el → mips64, mips64 → mips64.
 */
import { PROBES } from './code.js'
import { buildElf } from './elf.js'
import { PROBE_CPUS } from './cpus.js'

export { PROBE_CPUS } from './cpus.js'

/** The probe executable for a qemu cpu name; a new Buffer, byte-identical on every call. */
export function probeProgram(cpu: string): Buffer {
  if (!Object.hasOwn(PROBES, cpu)) {
    throw new Error(
      `No emulation probe for cpu "${cpu}" (probes exist for: ${PROBE_CPUS.join(', ')})`
    )
  }
  const { elf, code } = PROBES[cpu]
  return buildElf(elf, code)
}
