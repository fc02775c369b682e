/**
 * Builds src/installer/debian-qemu.ts from Debian's qemu-user .debs, read with the action's own
 * extractor (src/installer/deb.ts), and reports what the packages hold: every ./usr/bin/ member
 * (file, or link and its target) and, for each emulator, whether it is a static(-pie) ELF for the
 * package's architecture.
 *
 *   npx --yes tsx@4.23.15 scripts/debian/emulator-hashes.ts [--dir DIR] [--version 1:V ...] > table.ts
 *
 * Every --version becomes one release of the table, in the order given (the default's first); by
 * default trixie's 10.0.13 and trixie-backports' 11.1.3.
 *
 * The .debs are fetched beforehand, without touching the host's apt configuration, into DIR
 * (default /var/cache/cross-arch-e2e/debian), named as apt names them
 * (qemu-user_1%3a<version>_<arch>.deb):
 *
 *   d=$(mktemp -d); mkdir -p $d/lists $d/cache
 *   uri=$(sed -n 's/^URIs: //p' /etc/apt/sources.list.d/debian.sources | head -1)
 *   printf 'deb [arch=amd64,arm64 signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] %s %s main\n' $uri trixie $uri trixie-backports > $d/sources.list
 *   O="-o Dir::Etc::SourceList=$d/sources.list -o Dir::Etc::SourceParts=/dev/null -o Dir::State::Lists=$d/lists -o Dir::Cache=$d/cache -o APT::Architectures::=amd64 -o APT::Architectures::=arm64"
 *   apt-get $O update && (cd DIR && apt-get $O download qemu-user:amd64=VERSION qemu-user:arm64=VERSION)
 *
 * apt checks the files against the archive's signed Packages index. The report goes to stderr,
 * the module to stdout; format it with prettier. tsx is run through npx so that the project need
 * not depend on it.
 */
import { execFileSync, spawn } from 'node:child_process'
import { createHash } from 'node:crypto'
import { createReadStream, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs'
import * as os from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { ArParser, extractDeb, TarParser, type TarEntry } from '../../src/installer/deb.js'

const CPUS = [
  'aarch64',
  'arm',
  'ppc64le',
  's390x',
  'riscv64',
  'i386',
  'x86_64',
  'mips64el',
  'mips64',
  'loongarch64'
]
const ARCHES = { amd64: 62, arm64: 183 } as const
type Arch = keyof typeof ARCHES

const { values } = parseArgs({
  options: {
    dir: { type: 'string', default: '/var/cache/cross-arch-e2e/debian' },
    version: {
      type: 'string',
      multiple: true,
      default: ['1:10.0.13+ds-0+deb13u1', '1:11.1.3+ds-2~bpo13+1']
    }
  }
})
const report = (line = '') => process.stderr.write(`${line}\n`)

/** Every data.tar entry, through the same ar and tar parsers the extractor uses. */
async function list(deb: string): Promise<TarEntry[]> {
  const xz = spawn('xz', ['-dc', '-T0'], { stdio: ['pipe', 'pipe', 'inherit'] })
  const entries: TarEntry[] = []
  const reading = (async () => {
    const tar = new TarParser()
    for await (const chunk of xz.stdout)
      for (const event of tar.write(chunk as Buffer))
        if (event.type === 'entry') entries.push(event.entry)
    tar.end()
  })()
  const ar = new ArParser()
  let member = ''
  for await (const chunk of createReadStream(deb)) {
    for (const event of ar.write(chunk as Buffer)) {
      if (event.type === 'member') member = event.name
      else if (event.type === 'data' && member === 'data.tar.xz') {
        if (!xz.stdin.write(event.data)) await new Promise(r => xz.stdin.once('drain', r))
      } else if (event.type === 'member-end' && member === 'data.tar.xz') xz.stdin.end()
    }
  }
  ar.end()
  await reading
  return entries
}

interface Elf {
  type: number
  machine: number
  interp: boolean
  dynamic: boolean
}

/** ELF type, machine and whether PT_INTERP / PT_DYNAMIC are present (64-bit little-endian). */
function readElf(path: string): Elf {
  const b = readFileSync(path)
  if (b.readUInt32BE(0) !== 0x7f454c46 || b[4] !== 2 || b[5] !== 1)
    throw new Error(`${path} is not a 64-bit little-endian ELF file`)
  const phoff = Number(b.readBigUInt64LE(32))
  const phentsize = b.readUInt16LE(54)
  const phnum = b.readUInt16LE(56)
  const types = Array.from({ length: phnum }, (_, i) => b.readUInt32LE(phoff + i * phentsize))
  return {
    type: b.readUInt16LE(16),
    machine: b.readUInt16LE(18),
    interp: types.includes(3),
    dynamic: types.includes(2)
  }
}

/** One release of the table: each architecture's package, read from the .deb apt fetched. */
async function release(full: string): Promise<Record<string, unknown>> {
  const [epoch, version] = full.split(':')
  const packages: Record<string, unknown> = {}
  for (const arch of Object.keys(ARCHES) as Arch[]) {
    const deb = join(values.dir!, `qemu-user_${epoch}%3a${version}_${arch}.deb`)
    report(`== ${deb}`)

    const links = new Map<string, string>()
    for (const entry of await list(deb)) {
      if (!entry.path.startsWith('./usr/bin/') || entry.type === 'directory') continue
      if (entry.type === 'file') report(`  file     ${entry.path} (${entry.size} bytes)`)
      else {
        report(`  ${entry.type.padEnd(8)} ${entry.path} -> ${entry.linkpath}`)
        links.set(entry.path, entry.linkpath)
      }
    }

    const dir = mkdtempSync(join(os.tmpdir(), 'debian-qemu-'))
    try {
      const sha1 = createHash('sha1')
      async function* hashed() {
        for await (const chunk of createReadStream(deb)) {
          sha1.update(chunk as Buffer)
          yield chunk as Buffer
        }
      }
      const members = new Map(CPUS.map(cpu => [`./usr/bin/qemu-${cpu}`, join(dir, cpu)]))
      const result = await extractDeb(hashed(), members, { label: deb })
      if (result.size !== statSync(deb).size) throw new Error(`${deb}: size mismatch`)
      const emulators: Record<string, { sha256: string; size: number }> = {}
      for (const cpu of CPUS) {
        const file = result.files.get(`./usr/bin/qemu-${cpu}`)!
        emulators[cpu] = { sha256: file.sha256, size: file.size }
        const elf = readElf(file.path)
        const staticPie = elf.type === 3 && !elf.interp
        const ok = staticPie && elf.machine === ARCHES[arch]
        report(
          `  qemu-${cpu.padEnd(12)} ${file.sha256} ${String(file.size).padStart(9)}  ` +
            `e_type ${elf.type}${elf.type === 3 ? ' (ET_DYN)' : ''}, e_machine ${elf.machine}, ` +
            `PT_INTERP ${elf.interp ? 'yes' : 'no'}, PT_DYNAMIC ${elf.dynamic ? 'yes' : 'no'}: ` +
            `${ok ? `static-pie for ${arch}` : 'NOT a static-pie ELF for this architecture'}`
        )
        if (!ok) throw new Error(`qemu-${cpu} in ${deb} is not a static-pie ELF for ${arch}`)
      }
      report(
        `  file(1): ${execFileSync('file', ['-b', join(dir, 'aarch64')], { encoding: 'utf8' }).trim()}`
      )
      packages[arch] = {
        file: `pool/main/q/qemu/qemu-user_${version}_${arch}.deb`,
        size: result.size,
        sha256: result.sha256,
        sha1: sha1.digest('hex'),
        emulators
      }
      report(`  .deb: ${result.size} bytes, SHA-256 ${result.sha256}`)
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  }

  return { version, epoch: Number(epoch), packages }
}

const releases = []
for (const full of values.version!) releases.push(await release(full))
process.stdout.write(`/**
 * Debian's static qemu-user packages, pinned by size, SHA-256 (as in the archive's signed Packages
 * index) and SHA-1 (computed with sha1sum; the index no longer lists it), with the SHA-256 and size
 * of each emulator in them, so that an unpacked or cached emulator can be checked on its own.
 *
 * Generated by scripts/debian/emulator-hashes.ts from the .debs that apt-get download fetched
 * (trixie main and trixie-backports, checked against the archive's signed Packages index). In
 * these packages ./usr/bin/qemu-<cpu> are regular files (static-pie ELF executables for the
 * package's architecture); the Debian alias names (qemu-arm64, qemu-amd64, qemu-armel, qemu-armhf,
 * qemu-loong64, qemu-powerpc, qemu-ppc64el) are symlinks to them placed after them in data.tar,
 * so ask for the real names.
 */

/** Debian's static qemu-user packages this action trusts without a checksums input. */
export interface DebianQemuRelease {
  /** Debian version without the epoch. */
  readonly version: string
  readonly epoch: number
  readonly packages: Readonly<Record<'amd64' | 'arm64', DebianQemuPackage>>
}

export interface DebianQemuPackage {
  /** Path under the mirror's root (the Packages index's Filename). */
  readonly file: string
  readonly size: number
  readonly sha256: string
  readonly sha1: string
  /** By QEMU CPU name: the ./usr/bin/qemu-<cpu> member. */
  readonly emulators: Readonly<Record<string, { readonly sha256: string; readonly size: number }>>
}

export const DEBIAN_QEMU: readonly DebianQemuRelease[] = ${JSON.stringify(releases, null, 2)}

/** A built-in package with the host architecture it is for and its file name. */
export interface DebianPackage extends DebianQemuPackage {
  readonly arch: string
  /** The .deb's file name (the last part of \`file\`). */
  readonly name: string
}

/** The built-in package for a version (without epoch) and Debian host architecture, if known. */
export function debianPackage(version: string, arch: string): DebianPackage | undefined {
  const release = DEBIAN_QEMU.find(r => r.version === version)
  const pkg = release?.packages[arch as keyof DebianQemuRelease['packages']]
  return pkg && { ...pkg, arch, name: pkg.file.slice(pkg.file.lastIndexOf('/') + 1) }
}
`)
