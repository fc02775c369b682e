// Prints the action's magic/mask table (src/catalogue.ts), one `<cpu> <family> <magic> <mask>` line
// per emulator, magic and mask as the `\xHH` text written to binfmt_misc's register file. The e2e
// registrar image's /register script (scripts/e2e/setup.sh) and the bench read it from here, so the
// table exists once. Lines come in the order of QEMU's qemu-binfmt-conf.sh target list, the order
// in which multiarch's registrar registers them.
//   tsx test-support/catalogue-table.ts [--register | --standin | --debian]
// --standin prints the tonistiigi/binfmt stand-in image's table; --debian the pinned qemu-user
// packages (src/installer/debian-qemu.ts), which setup.sh fetches and checks.
import { realpathSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { EMULATORS, type Emulator } from '../src/catalogue.js'
import { DEBIAN_QEMU } from '../src/installer/debian-qemu.js'

/** qemu-binfmt-conf.sh's qemu_target_list (the CPUs it knows, in its order). */
const QEMU_TARGET_ORDER = (
  'i386 i486 alpha arm armeb sparc sparc32plus sparc64 ppc ppc64 ppc64le m68k mips mipsel ' +
  'mipsn32 mipsn32el mips64 mips64el sh4 sh4eb s390x aarch64 aarch64_be hppa riscv32 riscv64 ' +
  'xtensa xtensaeb microblaze microblazeel or1k x86_64 hexagon loongarch64'
).split(' ')

const rank = (cpu: string): number => {
  const i = QEMU_TARGET_ORDER.indexOf(cpu)
  return i < 0 ? QEMU_TARGET_ORDER.length : i
}

/** The catalogue's emulators in qemu-binfmt-conf.sh's order. */
export function catalogueTable(): Emulator[] {
  return [...EMULATORS].sort((a, b) => rank(a.cpu) - rank(b.cpu))
}

export function catalogueTableText(): string {
  return catalogueTable()
    .map(e => `${e.cpu} ${e.family} ${e.magic} ${e.mask}\n`)
    .join('')
}

/** The tonistiigi/binfmt stand-in's table: `<docker arch> <cpu> <magic> <mask>` lines. */
export function standinTableText(): string {
  return EMULATORS.map(e => `${e.arch} ${e.cpu} ${e.magic} ${e.mask}\n`).join('')
}

/** Debian's pinned qemu-user packages: `<arch> <sha256> <pool file>` lines. */
export function debianTableText(): string {
  return DEBIAN_QEMU.flatMap(r =>
    Object.entries(r.packages).map(([arch, p]) => `${arch} ${p.sha256} ${p.file}\n`)
  ).join('')
}

if (process.argv[1] && realpathSync(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const what = process.argv[2] ?? '--register'
  process.stdout.write(
    what === '--standin'
      ? standinTableText()
      : what === '--debian'
        ? debianTableText()
        : catalogueTableText()
  )
}
