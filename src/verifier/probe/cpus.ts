/**
 * The QEMU cpu names (as in `qemu-<cpu>`) that have an emulation probe (code.ts). Kept apart from
 * the machine code, which is loaded only when a probe is written.
 */
export const PROBE_CPUS: readonly string[] = Object.freeze([
  'aarch64',
  'arm',
  'ppc64le',
  's390x',
  'riscv64',
  'i386',
  'x86_64',
  'mips64el',
  'mips64'
])
