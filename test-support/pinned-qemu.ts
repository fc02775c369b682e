// The pinned QEMU in a job's tool cache, as a runner has it after an earlier job of the action
// ran (a tool-cache entry of the pinned build is the pinned build: install: auto uses it and
// downloads nothing). The e2e runs of the default inputs start from it, so they neither reach
// deb.debian.org nor spend seconds decompressing the .deb each; tests of the download itself
// start from an empty tool cache (RunOptions.pinnedQemu: false).
//
// The emulators come from the trixie .deb that scripts/e2e/setup.sh fetched and checked, unpacked
// once per machine by the action's own reader (checked against the package's pinned SHA-256 and
// each emulator's), into CACHE_DIR; each job gets copies (a test may modify its tool cache).
import {
  copyFileSync,
  createReadStream,
  existsSync,
  mkdirSync,
  renameSync,
  rmSync,
  writeFileSync
} from 'node:fs'
import { arch } from 'node:os'
import { join } from 'node:path'
import { DEBIAN_QEMU, debianPackage } from '../src/installer/debian-qemu.js'
import { CACHE_DIR, DEBIAN_DEB_DIR } from './env.js'

const RELEASE = DEBIAN_QEMU[0]
const PACKAGE = debianPackage(RELEASE.version, 'amd64')
if (!PACKAGE) throw new Error('no pinned amd64 package')
const pkg = PACKAGE
const SEED = join(CACHE_DIR, 'pinned-qemu', RELEASE.version)

/** The pinned version the seed holds (Debian's, without epoch). */
export const PINNED_VERSION = RELEASE.version

/** Unpacks the pinned emulators into CACHE_DIR once; later calls find them there. */
async function seed(): Promise<string> {
  if (existsSync(join(SEED, '.complete'))) return SEED
  const { extractDeb } = await import('../src/installer/deb.js')
  const tmp = `${SEED}.tmp-${process.pid}`
  rmSync(tmp, { recursive: true, force: true })
  mkdirSync(tmp, { recursive: true })
  const cpus = Object.keys(pkg.emulators)
  const done = await extractDeb(
    createReadStream(join(DEBIAN_DEB_DIR, pkg.name)),
    new Map(cpus.map(cpu => [`./usr/bin/qemu-${cpu}`, join(tmp, `qemu-${cpu}`)])),
    { expectedSha256: pkg.sha256, expectedSize: pkg.size }
  )
  for (const cpu of cpus) {
    const file = done.files.get(`./usr/bin/qemu-${cpu}`)
    if (file?.sha256 !== pkg.emulators[cpu].sha256)
      throw new Error(`qemu-${cpu} in ${pkg.name} does not have its pinned SHA-256`)
  }
  writeFileSync(join(tmp, '.complete'), '')
  rmSync(SEED, { recursive: true, force: true })
  renameSync(tmp, SEED)
  return SEED
}

/**
 * Puts every pinned emulator into `toolCache` as the action caches a verified download:
 * `qemu-<cpu>/<version key>/<arch>/qemu-<cpu>` with its `.sha256` beside it and the
 * `<arch>.complete` marker of @actions/tool-cache.
 */
export async function seedToolCache(toolCache: string): Promise<void> {
  const from = await seed()
  // loaded here, not at the top: importing the runner must not load the action's modules (unit
  // tests mock @actions/core before they do)
  const { cacheKey } = await import('../src/installer/download.js')
  const key = cacheKey(RELEASE.version, pkg.sha256)
  for (const [cpu, pin] of Object.entries(pkg.emulators)) {
    const dir = join(toolCache, `qemu-${cpu}`, key, arch())
    mkdirSync(dir, { recursive: true })
    copyFileSync(join(from, `qemu-${cpu}`), join(dir, `qemu-${cpu}`))
    writeFileSync(join(dir, `qemu-${cpu}.sha256`), `${pin.sha256}\n`)
    writeFileSync(`${dir}.complete`, '')
  }
}
