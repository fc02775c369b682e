/**
 * The download installer against a real HTTP server on 127.0.0.1 and a real tool cache in a
 * temporary directory: what gets downloaded, what is verified against what, what reaches the
 * cache, and what a modified cache entry does.
 */
import { jest } from '@jest/globals'
import {
  chmodSync,
  existsSync,
  readFileSync,
  readdirSync,
  rmSync,
  truncateSync,
  writeFileSync
} from 'node:fs'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import * as core from '../../__fixtures__/core.js'
import { deb, removeTemps, sha256, systemTar, tmp, tree } from '../../__fixtures__/deb.js'
import { FakeActionsCache } from '../../__fixtures__/fake-actions-cache.js'
import { fakeHost } from '../../__fixtures__/fake-host.js'

jest.unstable_mockModule('@actions/core', () => core)

const { DownloadInstaller, MAX_EMULATOR_BYTES, cacheKey, render, upstreamVersion, withBasicAuth } =
  await import('../../src/installer/download.js')
const { installEmulators } = await import('../../src/installer/index.js')
const { downloadSources, parseChecksums } = await import('../../src/inputs.js')
const { probeProgram } = await import('../../src/verifier/probe/index.js')
const { debianPackage } = await import('../../src/installer/debian-qemu.js')
const { EmulatorCache } = await import('../../src/installer/actions-cache.js')

/** A static x86_64 ELF stands in for each emulator; a trailing tag makes each file distinct. */
const emulator = (cpu: string, machine = 'x86_64') =>
  Buffer.concat([probeProgram(machine), Buffer.from(`\n${cpu}\n`)])

function qemuDeb(cpus: string[], override: Record<string, Buffer> = {}): Buffer {
  const files: Record<string, Buffer> = {}
  for (const cpu of cpus) files[`usr/bin/qemu-${cpu}`] = override[cpu] ?? emulator(cpu)
  const root = tree(files)
  for (const f of Object.keys(files)) chmodSync(join(root, f), 0o755)
  return deb(systemTar(root, ['./usr', './usr/bin', ...Object.keys(files).map(f => `./${f}`)]))
}

/** A pinned table (as debian-qemu.ts has for Debian's packages) for a test package. */
function pinnedTable(pkg: Buffer, emulators: Record<string, { sha256: string; size: number }>) {
  return {
    file: `pool/${FILE}`,
    name: FILE,
    arch: 'amd64',
    size: pkg.length,
    sha256: sha256(pkg),
    sha1: '0'.repeat(40),
    emulators
  }
}

/** How a test server answers a request: a status and a body. */
type Answer = { status: number; body: Buffer | string }

/** Servers started by a test, closed after it. */
const servers: Server[] = []
afterEach(async () => {
  await Promise.all(servers.splice(0).map(s => new Promise(ok => s.close(ok))))
})

/**
 * Serves `files` by path (404 otherwise), or answers as `answer` says; records every request
 * and its user agent. Closed after the test.
 */
async function serve(files: Record<string, Buffer>, answer?: (url: string) => Answer) {
  const requests: string[] = []
  const agents: string[] = []
  const authorizations: string[] = []
  const server: Server = createServer((req, res) => {
    const url = req.url ?? ''
    requests.push(url)
    agents.push(req.headers['user-agent'] ?? '')
    authorizations.push(req.headers.authorization ?? '')
    const body = files[url]
    const { status, body: out } =
      answer?.(url) ?? (body ? { status: 200, body } : { status: 404, body: 'not found' })
    res.writeHead(status, { 'content-length': Buffer.byteLength(out) }).end(out)
  })
  servers.push(server)
  await new Promise<void>(ok => server.listen(0, '127.0.0.1', ok))
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  return { origin, requests, agents, authorizations }
}

const VERSION = '9.9.9+test-1'
const FILE = `qemu-user_${VERSION}_amd64.deb`
const host = fakeHost()

function installer(
  urls: string[],
  checksums: string[] = [],
  version = VERSION,
  extra: { cache?: InstanceType<typeof EmulatorCache>; maxEmulatorBytes?: number } = {}
) {
  return new DownloadInstaller(host, {
    version,
    sources: downloadSources(urls),
    checksums: parseChecksums(checksums),
    ...extra
  })
}

/** The installer for a package served at `origin`, verified against `pkg`'s SHA-256. */
const packageInstaller = (origin: string, pkg: Buffer) =>
  installer([`${origin}/qemu-user_{version}_{arch}.deb`], [`${sha256(pkg)}  ${FILE}`])

let cache: string
beforeEach(() => {
  core.reset()
  cache = tmp('tool-cache-')
  process.env.RUNNER_TOOL_CACHE = cache
  process.env.RUNNER_TEMP = tmp('runner-temp-')
})
afterAll(removeTemps)

const cached = () =>
  existsSync(cache)
    ? readdirSync(cache).flatMap(tool => readdirSync(join(cache, tool)).map(v => `${tool}/${v}`))
    : []

describe('a .deb package source', () => {
  test('downloads once, writes only the requested emulators into the tool cache, then hits the cache', async () => {
    const pkg = qemuDeb(['aarch64', 'riscv64', 's390x'])
    const server = await serve({ [`/pool/${FILE}`]: pkg })
    const urls = [`${server.origin}/pool/qemu-user_{version}_{arch}.deb`]
    const sums = [`${sha256(pkg)}  ${FILE}`]
    const first = await installer(urls, sums).install(['aarch64', 'riscv64'])
    expect(server.requests).toEqual([`/pool/${FILE}`])
    expect(first.version).toBe('9.9.9')
    for (const cpu of ['aarch64', 'riscv64']) {
      const path = first.emulators.get(cpu) as string
      expect(path.startsWith(cache)).toBe(true)
      expect(readFileSync(path)).toEqual(emulator(cpu))
    }
    expect(cached().sort()).toEqual([
      `qemu-aarch64/${cacheKey(VERSION, sha256(pkg))}`,
      `qemu-riscv64/${cacheKey(VERSION, sha256(pkg))}`
    ])
    const second = await installer(urls, sums).install(['aarch64', 'riscv64'])
    expect(server.requests).toHaveLength(1) // no request, no decompression
    expect(second.emulators).toEqual(first.emulators)
    await second.pending?.get('aarch64')?.() // the hit checks out
  })

  test('a modified cache entry is never registered: its check fails naming the entry', async () => {
    const pkg = qemuDeb(['aarch64'])
    const server = await serve({ [`/${FILE}`]: pkg })
    const args = [[`${server.origin}/qemu-user_{version}_{arch}.deb`], [`${sha256(pkg)}  ${FILE}`]]
    const first = await installer(args[0], args[1]).install(['aarch64'])
    const path = first.emulators.get('aarch64') as string
    writeFileSync(path, emulator('aarch64-modified'))
    const hit = await installer(args[0], args[1]).install(['aarch64'])
    await expect(hit.pending?.get('aarch64')?.()).rejects.toThrow(
      /The tool-cache entry .*qemu-aarch64 has SHA-256 [0-9a-f]{64}, but it was cached as [0-9a-f]{64}: it was modified, so it is not registered\. Delete /
    )
  })

  test('another package under the pinned name fails naming the URL; nothing from it is cached', async () => {
    const pkg = qemuDeb(['aarch64'])
    const other = qemuDeb(['aarch64'], { aarch64: emulator('something else') })
    const server = await serve({ [`/${FILE}`]: other })
    await expect(packageInstaller(server.origin, pkg).install(['aarch64'])).rejects.toThrow(
      new RegExp(
        `^http://127\\.0\\.0\\.1:\\d+/${FILE.replace(/[+.]/g, '\\$&')} is not the file expected \\(.*SHA-256.*\\); nothing from it was used or cached, and no other QEMU is used instead\\. The file may have been tampered with`
      )
    )
    expect(cached()).toEqual([])
  })

  test('a corrupt download (one byte changed) is a failed source: nothing is used or cached', async () => {
    const pkg = qemuDeb(['aarch64'])
    const tampered = Buffer.from(pkg)
    tampered[tampered.length - 100] ^= 1
    const server = await serve({ [`/${FILE}`]: tampered })
    await expect(packageInstaller(server.origin, pkg).install(['aarch64'])).rejects.toThrow(
      // xz may find the damage first, or the whole-file hash (when xz stopped before it)
      /^(Could not download QEMU .* from any source: .*corrupt|.* is not the file expected \(.*SHA-256)/
    )
    expect(cached()).toEqual([])
  })

  test('an emulator built for another host is refused before caching', async () => {
    const pkg = qemuDeb(['aarch64'], { aarch64: emulator('aarch64', 'aarch64') })
    const server = await serve({ [`/${FILE}`]: pkg })
    await expect(packageInstaller(server.origin, pkg).install(['aarch64'])).rejects.toThrow(
      /is built for ELF machine 183, not for this x86_64 host/
    )
    expect(cached()).toEqual([])
  })

  test('sources are tried in order: an unreachable mirror, then the next', async () => {
    const pkg = qemuDeb(['s390x'])
    const server = await serve({ [`/b/${FILE}`]: pkg })
    const done = await installer(
      [
        `${server.origin}/a/qemu-user_{version}_{arch}.deb`,
        `${server.origin}/b/qemu-user_{version}_{arch}.deb`
      ],
      [`${sha256(pkg)}  ${FILE}`]
    ).install(['s390x'])
    expect(done.emulators.get('s390x')).toMatch(/qemu-s390x$/)
    expect(server.requests).toEqual([`/a/${FILE}`, `/b/${FILE}`])
    expect(
      core.seen.log.some(l =>
        /Download failed \(.*\/a\/.*HTTP 404\); trying the next source\./.test(l)
      )
    ).toBe(true)
  })

  test('every source failing is one line, credentials hidden', async () => {
    const server = await serve({})
    const url = server.origin.replace('http://', 'http://ci:t0ps3cret@')
    await expect(
      installer([`${url}/qemu-user_{version}_{arch}.deb`], [`${'a'.repeat(64)}  ${FILE}`]).install([
        's390x'
      ])
    ).rejects.toThrow(
      /^Could not download QEMU 9\.9\.9\+test-1 from any source: http:\/\/\*\*\*@127\.0\.0\.1:\d+\/qemu-user.*: HTTP 404\. Check qemu-version and download-url/
    )
  })
})

describe('pinned emulators and size caps (issue 16)', () => {
  const pinnedInstaller = (origin: string, table: ReturnType<typeof pinnedTable>) =>
    new DownloadInstaller(host, {
      version: VERSION,
      sources: downloadSources([`${origin}/qemu-user_{version}_{arch}.deb`]),
      checksums: parseChecksums([]),
      table
    })

  test('the package matches its pin but an emulator in it does not match its own: refused, naming both hashes; nothing cached', async () => {
    const pkg = qemuDeb(['aarch64'])
    const server = await serve({ [`/${FILE}`]: pkg })
    const size = emulator('aarch64').length
    const d = pinnedInstaller(
      server.origin,
      pinnedTable(pkg, { aarch64: { sha256: 'b'.repeat(64), size } })
    )
    await expect(d.install(['aarch64'])).rejects.toThrow(
      new RegExp(
        `^http://127\\.0\\.0\\.1:\\d+/${FILE.replace(/[+.]/g, '\\$&')} is not the file expected \\(qemu-aarch64 in it has SHA-256 ${sha256(emulator('aarch64'))}, the action expects ${'b'.repeat(64)}\\); nothing from it was used or cached, and no other QEMU is used instead\\.`
      )
    )
    expect(cached()).toEqual([])
  })

  test('an emulator larger than its pinned size is refused from its tar header, before a byte of it is written', async () => {
    const pkg = qemuDeb(['aarch64'])
    const server = await serve({ [`/${FILE}`]: pkg })
    const size = emulator('aarch64').length
    const pin = { sha256: sha256(emulator('aarch64')), size: size - 1 }
    const d = pinnedInstaller(server.origin, pinnedTable(pkg, { aarch64: pin }))
    await expect(d.install(['aarch64'])).rejects.toThrow(
      `./usr/bin/qemu-aarch64 in its data.tar.xz is ${size} bytes, more than the ${size - 1} expected); nothing from it was used or cached, and no other QEMU is used instead.`
    )
    expect(cached()).toEqual([])
  })

  // the default cap, MAX_EMULATOR_BYTES, is 64 MiB; these tests use a smaller one
  const CAP = 1 << 20

  test('the cap on an emulator without a pinned size is 64 MiB by default', () => {
    expect(MAX_EMULATOR_BYTES).toBe(64 * 1024 * 1024)
  })

  test('an unpinned package: an emulator over the cap (a small xz bomb) is refused before it is written', async () => {
    const root = tree({ 'usr/bin/qemu-aarch64': '' })
    // a sparse file: nothing on disk, CAP + 1 bytes of zeros in the tar, a few hundred once xz'd
    truncateSync(join(root, 'usr/bin/qemu-aarch64'), CAP + 1)
    const pkg = deb(systemTar(root, ['./usr', './usr/bin', './usr/bin/qemu-aarch64']))
    expect(pkg.length).toBeLessThan(CAP / 16)
    const server = await serve({ [`/${FILE}`]: pkg })
    const runnerTemp = process.env.RUNNER_TEMP as string
    await expect(
      installer(
        [`${server.origin}/qemu-user_{version}_{arch}.deb`],
        [`${sha256(pkg)}  ${FILE}`],
        VERSION,
        { maxEmulatorBytes: CAP }
      ).install(['aarch64'])
    ).rejects.toThrow(`is ${CAP + 1} bytes, more than the ${CAP} expected)`)
    expect(readdirSync(runnerTemp)).toEqual([])
    expect(cached()).toEqual([])
  })

  test('a per-CPU file over the cap is cut off and refused as not the file expected', async () => {
    const big = Buffer.alloc(CAP + 4096)
    const server = await serve({ '/v1/qemu-aarch64-static': big })
    await expect(
      installer(
        [`${server.origin}/v{version}/qemu-{cpu}-static`],
        [`${sha256(big)}  qemu-aarch64-static`],
        '1',
        { maxEmulatorBytes: CAP }
      ).install(['aarch64'])
    ).rejects.toThrow(
      `is not the file expected (it is larger than ${CAP} bytes, the most an emulator may be)`
    )
    expect(cached()).toEqual([])
  })

  test('the host already has the pinned build (same SHA-256, root-owned): used as it is, nothing downloaded', async () => {
    const bin = tmp('host-bin-')
    chmodSync(bin, 0o755)
    const file = emulator('aarch64')
    writeFileSync(join(bin, 'qemu-aarch64'), file, { mode: 0o755 })
    // another version under the static name comes first on PATH and is passed over
    writeFileSync(join(bin, 'qemu-aarch64-static'), emulator('aarch64-7.2'), { mode: 0o755 })
    const server = await serve({})
    const saved = process.env.PATH
    process.env.PATH = `${bin}:${saved}`
    try {
      const pkg = qemuDeb(['aarch64'])
      const d = pinnedInstaller(
        server.origin,
        pinnedTable(pkg, { aarch64: { sha256: sha256(file), size: file.length } })
      )
      const done = await d.install(['aarch64'])
      expect(done.emulators.get('aarch64')).toBe(join(bin, 'qemu-aarch64'))
      expect(server.requests).toEqual([])
      expect(core.seen.log).toContain(
        `qemu-aarch64 ${VERSION}: ${join(bin, 'qemu-aarch64')} on the host is the pinned build`
      )
    } finally {
      process.env.PATH = saved
    }
  })
})

describe('credentials in a download URL', () => {
  test('user:password@ is sent as Basic authorization (percent-decoded), never in the request line', async () => {
    const pkg = qemuDeb(['aarch64'])
    const server = await serve({ [`/${FILE}`]: pkg })
    const origin = server.origin.replace('http://', 'http://bob:p%40ss@')
    await installer(
      [`${origin}/qemu-user_{version}_{arch}.deb`],
      [`${sha256(pkg)}  ${FILE}`]
    ).install(['aarch64'])
    expect(server.requests).toEqual([`/${FILE}`])
    expect(server.authorizations).toEqual([`Basic ${Buffer.from('bob:p@ss').toString('base64')}`])
  })

  test('an unencoded @ in the password and a token alone', () => {
    expect(withBasicAuth('https://bob:p@ss@example.com/a.deb')).toEqual({
      href: 'https://example.com/a.deb',
      headers: { authorization: `Basic ${Buffer.from('bob:p@ss').toString('base64')}` }
    })
    expect(withBasicAuth('https://tok@example.com/a.deb?x=100%').headers).toEqual({
      authorization: `Basic ${Buffer.from('tok:').toString('base64')}`
    })
    expect(withBasicAuth('https://example.com/a.deb')).toEqual({
      href: 'https://example.com/a.deb',
      headers: {}
    })
  })
})

describe('checksums decide what may be downloaded (check, before any change)', () => {
  test("the default version needs no checksums: Debian's pinned hashes, whichever mirror serves", () => {
    const d = new DownloadInstaller(host, {
      version: '10.0.13+ds-0+deb13u1',
      sources: downloadSources([
        'https://mirror.internal/debian/pool/main/q/qemu/qemu-user_{version}_{arch}.deb'
      ]),
      checksums: parseChecksums([])
    })
    const [c] = d.check(['aarch64'])
    const pinned = debianPackage('10.0.13+ds-0+deb13u1', 'amd64')
    expect(c.url('aarch64')).toBe(
      'https://mirror.internal/debian/pool/main/q/qemu/qemu-user_10.0.13+ds-0+deb13u1_amd64.deb'
    )
    expect(c.expected('aarch64')).toBe(pinned?.sha256)
    expect(c.pin('aarch64')).toBe(pinned?.emulators.aarch64.sha256)
  })

  test('the snapshot archive is addressed by the pinned SHA-1; unknown versions skip it', () => {
    const urls = ['https://snapshot.debian.org/file/{sha1}']
    const [c] = new DownloadInstaller(host, {
      version: '10.0.13+ds-0+deb13u1',
      sources: downloadSources(urls),
      checksums: parseChecksums([])
    }).check(['aarch64'])
    expect(c.url('aarch64')).toBe(
      'https://snapshot.debian.org/file/dec1373851d29f91642c197f4a339d0d2ad25ed0'
    )
    expect(() => installer(urls, [`${'a'.repeat(64)}  ${FILE}`]).check(['aarch64'])).toThrow(
      /^Input "checksums": nothing to verify the download against: https:\/\/snapshot\.debian\.org\/file\/\{sha1\} needs the package's SHA-1/
    )
  })

  test('no checksum for a package: fails naming checksums as the remedy', () => {
    expect(() =>
      installer(['https://m.example/qemu-user_{version}_{arch}.deb']).check(['aarch64'])
    ).toThrow(
      `Input "checksums": nothing to verify the download against: no checksum for ${FILE} (https://m.example/qemu-user_{version}_{arch}.deb). Add the SHA-256 of each file to checksums`
    )
  })

  test('per-CPU files: a list missing a requested CPU fails naming it', () => {
    const url = ['https://m.example/v{version}/qemu-{cpu}-static']
    expect(() =>
      installer(url, [`${'a'.repeat(64)}  qemu-aarch64-static`]).check(['aarch64', 's390x'])
    ).toThrow(/checksums has no line for qemu-s390x-static/)
    expect(() => installer(url).check(['aarch64'])).toThrow(
      /checksums has no line for qemu-aarch64-static/
    )
  })

  test('an unusable source is skipped with a log line when another can be verified', () => {
    const pkg = 'https://m.example/qemu-user_{version}_{arch}.deb'
    const [c] = installer(
      ['https://m.example/v{version}/qemu-{cpu}-static', pkg],
      [`${'b'.repeat(64)}  ${FILE}`]
    ).check(['aarch64'])
    expect(c.source.template).toBe(pkg)
    expect(core.seen.log).toEqual([
      expect.stringMatching(
        /^download-url: skipping a source, .*qemu-\{cpu\}-static is one file per CPU, and checksums has no line/
      )
    ])
  })
})

describe('per-CPU files', () => {
  test('each file is checked against its own line, then cached; a wrong one caches nothing', async () => {
    const files = { aarch64: emulator('aarch64'), s390x: emulator('s390x') }
    const server = await serve({
      '/v7.2.0-1/qemu-aarch64-static': files.aarch64,
      '/v7.2.0-1/qemu-s390x-static': files.s390x
    })
    const url = [`${server.origin}/v{version}/qemu-{cpu}-static`]
    const done = await installer(
      url,
      Object.entries(files).map(([cpu, f]) => `${sha256(f)}  qemu-${cpu}-static`),
      '7.2.0-1'
    ).install(['aarch64', 's390x'])
    expect(readFileSync(done.emulators.get('s390x') as string)).toEqual(files.s390x)
    expect(done.version).toBe('7.2.0')
    const before = cached()
    await expect(
      installer(url, [`${sha256(files.s390x)}  qemu-aarch64-static`], '7.2.0-1').install([
        'aarch64'
      ])
    ).rejects.toThrow(
      /qemu-aarch64-static is not the file expected \(it has SHA-256 [0-9a-f]{64}, checksums expects [0-9a-f]{64}\)/
    )
    expect(cached()).toEqual(before)
  })
})

describe('the Actions cache (cache: true)', () => {
  const files = { aarch64: emulator('aarch64'), s390x: emulator('s390x') }
  const sums = Object.entries(files).map(([cpu, f]) => `${sha256(f)}  qemu-${cpu}-static`)
  const serveFiles = () =>
    serve({
      '/v7.2.0-1/qemu-aarch64-static': files.aarch64,
      '/v7.2.0-1/qemu-s390x-static': files.s390x
    })
  /** A job: its own fresh tool cache, the runner's RUNNER_TEMP path (the same in every job). */
  const job = (service: FakeActionsCache, root: string) => {
    cache = tmp('tool-cache-')
    process.env.RUNNER_TOOL_CACHE = cache
    let loads = 0
    const emulatorCache = new EmulatorCache('7.2.0-1', 'amd64', root, async () => {
      loads++
      return service
    })
    return { emulatorCache, loads: () => loads }
  }
  const key = (cpu: keyof typeof files) =>
    `setup-cross-arch-qemu-${cpu}-7.2.0-1-amd64-${sha256(files[cpu])}`

  test('a first job saves each verified emulator; a second job with a fresh tool cache restores them and downloads nothing', async () => {
    const server = await serveFiles()
    const url = [`${server.origin}/v{version}/qemu-{cpu}-static`]
    const service = new FakeActionsCache()
    const root = join(tmp('runner-temp-'), 'setup-cross-arch-cache')
    const first = job(service, root)
    await installer(url, sums, '7.2.0-1', { cache: first.emulatorCache }).install([
      'aarch64',
      's390x'
    ])
    expect(server.requests).toHaveLength(2)
    expect([...service.entries.keys()].sort()).toEqual([key('aarch64'), key('s390x')])
    expect(existsSync(root)).toBe(false) // nothing left in RUNNER_TEMP

    const second = job(service, root)
    core.reset()
    const done = await installer(url, sums, '7.2.0-1', { cache: second.emulatorCache }).install([
      'aarch64',
      's390x'
    ])
    expect(server.requests).toHaveLength(2) // no download
    for (const cpu of ['aarch64', 's390x'] as const) {
      const path = done.emulators.get(cpu) as string
      expect(path.startsWith(cache)).toBe(true) // registered from the tool cache, verified
      expect(readFileSync(path)).toEqual(files[cpu])
    }
    expect(core.seen.log).toContain(
      'Actions cache: qemu-aarch64, qemu-s390x restored and verified.'
    )
    expect(service.calls.filter(c => c.startsWith('save'))).toHaveLength(2) // nothing saved again
    expect(existsSync(root)).toBe(false)
  })

  test('a tampered entry is never used: one warning, then the download', async () => {
    const server = await serveFiles()
    const url = [`${server.origin}/v{version}/qemu-{cpu}-static`]
    const service = new FakeActionsCache()
    const root = join(tmp('runner-temp-'), 'setup-cross-arch-cache')
    await installer(url, sums, '7.2.0-1', { cache: job(service, root).emulatorCache }).install([
      'aarch64'
    ])
    const evil = emulator('evil')
    service.tamper(key('aarch64'), evil)
    core.reset()
    const done = await installer(url, sums, '7.2.0-1', {
      cache: job(service, root).emulatorCache
    }).install(['aarch64'])
    expect(server.requests).toHaveLength(2) // downloaded again
    expect(readFileSync(done.emulators.get('aarch64') as string)).toEqual(files.aarch64)
    expect(core.seen.warnings).toEqual([
      `The Actions cache entry ${key('aarch64')} holds a qemu-aarch64 with SHA-256 ${sha256(evil)}, not the verified ${sha256(files.aarch64)}: it is ignored, and qemu-aarch64 is downloaded. Delete the entry in the repository's Actions caches (it cannot be overwritten).`
    ])
    // the entry is not written again (the service would refuse: one more warning)
    expect(service.calls.filter(c => c.startsWith('save'))).toEqual([`save ${key('aarch64')}`])
  })

  test('a cache that fails (service down, refusal) never fails the job: one line each, then the download', async () => {
    const server = await serveFiles()
    const url = [`${server.origin}/v{version}/qemu-{cpu}-static`]
    const service = new FakeActionsCache()
    service.failure = new Error('Failed to GetCacheEntryDownloadURL: Rate limited')
    const root = join(tmp('runner-temp-'), 'setup-cross-arch-cache')
    const done = await installer(url, sums, '7.2.0-1', {
      cache: job(service, root).emulatorCache
    }).install(['aarch64'])
    expect(readFileSync(done.emulators.get('aarch64') as string)).toEqual(files.aarch64)
    expect(core.seen.log.filter(l => l.startsWith('Actions cache'))).toEqual([
      'Actions cache: qemu-aarch64 not restored (Failed to GetCacheEntryDownloadURL: Rate limited); downloading it.',
      'Actions cache: qemu-aarch64 not saved (Failed to GetCacheEntryDownloadURL: Rate limited).'
    ])
    expect(core.seen.warnings).toEqual([])
  })

  test('a warm run (tool cache hit) never loads the cache module', async () => {
    const server = await serveFiles()
    const url = [`${server.origin}/v{version}/qemu-{cpu}-static`]
    const service = new FakeActionsCache()
    const root = join(tmp('runner-temp-'), 'setup-cross-arch-cache')
    const cold = job(service, root)
    await installer(url, sums, '7.2.0-1', { cache: cold.emulatorCache }).install(['aarch64'])
    expect(cold.loads()).toBe(1)
    let loads = 0
    const warm = new EmulatorCache('7.2.0-1', 'amd64', root, async () => {
      loads++
      return service
    })
    await installer(url, sums, '7.2.0-1', { cache: warm }).install(['aarch64'])
    expect(loads).toBe(0)
  })

  test('a package checked only as a whole is not cached: a restored emulator could not be checked', async () => {
    const pkg = qemuDeb(['aarch64'])
    const server = await serve({ [`/${FILE}`]: pkg })
    const service = new FakeActionsCache()
    const root = join(tmp('runner-temp-'), 'setup-cross-arch-cache')
    await installer(
      [`${server.origin}/qemu-user_{version}_{arch}.deb`],
      [`${sha256(pkg)}  ${FILE}`],
      VERSION,
      { cache: job(service, root).emulatorCache }
    ).install(['aarch64'])
    expect(service.calls).toEqual([])
    expect(core.seen.log).toContain(
      'Actions cache: not used for qemu-aarch64 (no SHA-256 of the emulator itself to check a cached copy against; a per-emulator checksums line gives one).'
    )
  })
})

describe('what a user sees of a download and of a cache hit', () => {
  test('the log names the source and what it is verified against; PATH gets each emulator; nothing is left in RUNNER_TEMP', async () => {
    const pkg = qemuDeb(['aarch64', 's390x'])
    const files = { aarch64: emulator('aarch64') }
    const server = await serve({ [`/${FILE}`]: pkg, '/f/qemu-aarch64': files.aarch64 })
    const deb = await packageInstaller(server.origin, pkg).install(['aarch64', 's390x'])
    expect(core.seen.log).toContain(
      `Downloading ${server.origin}/${FILE}, verified against checksums (${FILE})`
    )
    expect(deb.source).toBe(`download (${VERSION})`)
    expect(core.addPath.mock.calls.map(([p]) => p)).toEqual(
      ['aarch64', 's390x'].map(cpu => join(deb.emulators.get(cpu) as string, '..'))
    )
    expect(readdirSync(process.env.RUNNER_TEMP as string)).toEqual([])
    const perCpu = await installer(
      [`${server.origin}/f/qemu-{cpu}`],
      [`${sha256(files.aarch64)}  qemu-aarch64`],
      '7.2.0-1'
    ).install(['aarch64'])
    expect(core.seen.log).toContain(
      `Downloading ${server.origin}/f/qemu-aarch64, verified against checksums (one line per emulator)`
    )
    expect(perCpu.source).toBe('download (7.2.0-1)')
    expect(readdirSync(process.env.RUNNER_TEMP as string)).toEqual([])
    core.reset()
    await installer(
      [`${server.origin}/f/qemu-{cpu}`],
      [`${sha256(files.aarch64)}  qemu-aarch64`],
      '7.2.0-1'
    ).install(['aarch64'])
    expect(core.seen.log).toEqual([
      `qemu-aarch64 7.2.0-1: tool cache hit (${join(perCpu.emulators.get('aarch64') as string, '..')})`
    ])
  })

  test('the pinned Debian package is named as the trust anchor; a different file under its name is refused', async () => {
    const version = '10.0.13+ds-0+deb13u1'
    const name = `qemu-user_${version}_amd64.deb`
    const server = await serve({ [`/${name}`]: qemuDeb(['aarch64']) })
    const d = new DownloadInstaller(host, {
      version,
      sources: downloadSources([`${server.origin}/qemu-user_{version}_{arch}.deb`]),
      checksums: parseChecksums([])
    })
    // a whole file of another size is the wrong file: refused, not retried elsewhere
    await expect(d.install(['aarch64'])).rejects.toThrow(
      /^http:\/\/127\.0\.0\.1:\d+\/qemu-user_10\.0\.13\+ds-0\+deb13u1_amd64\.deb is not the file expected \(.*it is \d+ bytes, expected 71089852\); nothing from it was used or cached, and no other QEMU is used instead\. The file may have been tampered with; or the mirror serves a different or damaged file, or the checksum is wrong: check download-url, qemu-version and checksums\.$/
    )
    const pinned = debianPackage(version, 'amd64')?.sha256 as string
    expect(core.seen.log).toContain(
      `Downloading ${server.origin}/${name}, verified against Debian's signed index, pinned in the action (${pinned.slice(0, 12)}…)`
    )
    expect(cached()).toEqual([])
  })

  test('a per-CPU cache hit is checked against checksums, not only against the hash recorded beside it', async () => {
    const file = emulator('aarch64')
    const server = await serve({ '/qemu-aarch64': file })
    const urls = [`${server.origin}/qemu-{cpu}`]
    const sums = [`${sha256(file)}  qemu-aarch64`]
    const first = await installer(urls, sums, '7.2.0-1').install(['aarch64'])
    const path = first.emulators.get('aarch64') as string
    // both the file and its recorded hash replaced: only the user's checksum catches it
    const other = emulator('aarch64-evil')
    writeFileSync(path, other)
    writeFileSync(`${path}.sha256`, `${sha256(other)}\n`)
    const hit = await installer(urls, sums, '7.2.0-1').install(['aarch64'])
    await expect(hit.pending?.get('aarch64')?.()).rejects.toThrow(
      `has SHA-256 ${sha256(other)}, but it was cached as ${sha256(file)}`
    )
  })

  test('a cache entry without its recorded hash, or no longer an emulator for this host, is not registered', async () => {
    const pkg = qemuDeb(['aarch64'])
    const server = await serve({ [`/${FILE}`]: pkg })
    const urls = [`${server.origin}/qemu-user_{version}_{arch}.deb`]
    const sums = [`${sha256(pkg)}  ${FILE}`]
    const path = (await installer(urls, sums).install(['aarch64'])).emulators.get(
      'aarch64'
    ) as string
    rmSync(`${path}.sha256`)
    const hit = await installer(urls, sums).install(['aarch64'])
    await expect(hit.pending?.get('aarch64')?.()).rejects.toThrow(
      /but no hash was recorded when it was cached: it was modified, so it is not registered\. Delete .* \(or the runner's tool cache\) and run again\.$/
    )
    const arm = emulator('aarch64', 'aarch64')
    writeFileSync(path, arm)
    writeFileSync(`${path}.sha256`, `${sha256(arm)}\n`)
    await expect(hit.pending?.get('aarch64')?.()).rejects.toThrow(
      `${path} (qemu-aarch64, from the tool cache) is built for ELF machine 183, not for this x86_64 host.`
    )
  })

  test('a package without a requested emulator fails naming it; nothing is cached', async () => {
    const pkg = qemuDeb(['aarch64'])
    const server = await serve({ [`/${FILE}`]: pkg })
    await expect(packageInstaller(server.origin, pkg).install(['s390x'])).rejects.toThrow(
      `Could not download QEMU ${VERSION} from any source: ${server.origin}/${FILE}: ${FILE}: its data.tar.xz has no ./usr/bin/qemu-s390x.`
    )
    expect(cached()).toEqual([])
    expect(readdirSync(process.env.RUNNER_TEMP as string)).toEqual([])
  })

  test('a large emulator streams to disk whole; a server error is retried; the client names itself', async () => {
    const big = Buffer.concat([emulator('s390x'), Buffer.alloc(4 << 20, 7)])
    let failures = 1
    const { origin, agents } = await serve({}, () =>
      failures-- > 0 ? { status: 503, body: 'busy' } : { status: 200, body: big }
    )
    const done = await installer(
      [`${origin}/qemu-{cpu}`],
      [`${sha256(big)}  qemu-s390x`],
      '7.2.0-1'
    ).install(['s390x'])
    expect(readFileSync(done.emulators.get('s390x') as string).equals(big)).toBe(true)
    expect(agents).toEqual(['setup-cross-arch', 'setup-cross-arch'])
  })

  test('a 300 answer is a failed source, not a file to verify', async () => {
    const pkg = qemuDeb(['s390x'])
    const { origin } = await serve({}, url =>
      url.startsWith('/a/') ? { status: 300, body: 'choose' } : { status: 200, body: pkg }
    )
    const done = await installer(
      [`${origin}/a/qemu-user_{version}_{arch}.deb`, `${origin}/b/qemu-user_{version}_{arch}.deb`],
      [`${sha256(pkg)}  ${FILE}`]
    ).install(['s390x'])
    expect(done.emulators.get('s390x')).toMatch(/qemu-s390x$/)
    expect(core.seen.log.some(l => l.includes('HTTP 300); trying the next source.'))).toBe(true)
  })

  test('every source failing: each one named, in order', async () => {
    const server = await serve({})
    await expect(
      installer(
        [`${server.origin}/a/qemu-user_{version}_{arch}.deb`, `${server.origin}/b/qemu-{cpu}`],
        [`${'a'.repeat(64)}  ${FILE}`, `${'b'.repeat(64)}  qemu-s390x`]
      ).install(['s390x'])
    ).rejects.toThrow(
      `Could not download QEMU ${VERSION} from any source: ${server.origin}/a/${FILE}: HTTP 404; ${server.origin}/b/qemu-s390x: HTTP 404. Check qemu-version and download-url (name a reachable mirror there).`
    )
    expect(readdirSync(process.env.RUNNER_TEMP as string)).toEqual([])
  })

  test('nothing to verify against: every unusable source named, and the version the action knows', () => {
    expect(() =>
      installer([
        'https://m.example/qemu-user_{version}_{arch}.deb',
        'https://m.example/{cpu}'
      ]).check(['aarch64', 's390x'])
    ).toThrow(
      `Input "checksums": nothing to verify the download against: no checksum for ${FILE} (https://m.example/qemu-user_{version}_{arch}.deb); https://m.example/{cpu} is one file per CPU, and checksums has no line for qemu-aarch64-static, qemu-s390x-static. Add the SHA-256 of each file to checksums (sha256sum output), or use qemu-version 10.0.13+ds-0+deb13u1 or 11.1.3+ds-2~bpo13+1, whose Debian packages the action knows.`
    )
  })
})

describe('helpers', () => {
  test('cache keys: the version as semver, then the first 16 hex digits of the verified hash', () => {
    const h = '0123456789abcdef'.repeat(4)
    expect(
      ['10.0.13+ds-0+deb13u1', '7.2.0-1', '10.0', '1:2', 'x', '10.0.13+ds-01', '1.2.3+x-a05'].map(
        v => cacheKey(v, h)
      )
    ).toEqual([
      '10.0.13-ds.0.deb13u1.sha0123456789abcdef',
      '7.2.0-1.sha0123456789abcdef',
      '10.0.0-sha0123456789abcdef',
      '0.0.0-1.2.sha0123456789abcdef',
      '0.0.0-x.sha0123456789abcdef',
      '10.0.13-ds.n01.sha0123456789abcdef',
      '1.2.3-x.a05.sha0123456789abcdef'
    ])
  })

  test('the pinned Debian packages pin every emulator the action knows, for both host architectures', async () => {
    const { EMULATORS } = await import('../../src/catalogue.js')
    for (const arch of ['amd64', 'arm64']) {
      const pkg = debianPackage('10.0.13+ds-0+deb13u1', arch)
      expect([arch, EMULATORS.filter(e => !pkg?.emulators[e.cpu]?.sha256).map(e => e.cpu)]).toEqual(
        [arch, []]
      )
    }
  })

  test('cache keys are valid semver, distinct per verified hash, stable per version', async () => {
    const semver = await import('semver')
    for (const v of ['10.0.13+ds-0+deb13u1', '7.2.0-1', '1:2', 'x', '10.0.13+ds-01']) {
      const key = cacheKey(v, '0123456789abcdef'.repeat(4))
      expect([v, semver.valid(key)]).toEqual([v, key])
      expect(semver.clean(key)).toBe(key)
    }
    expect(cacheKey('7.2.0-1', 'a'.repeat(64))).not.toBe(cacheKey('7.2.0-1', 'b'.repeat(64)))
  })

  test('render, upstreamVersion', () => {
    expect(
      render('{version}/{arch}/{cpu}/{sha1}/{other}', {
        version: 'v',
        arch: 'a',
        cpu: 'c',
        sha1: 's'
      })
    ).toBe('v/a/c/s/{other}')
    expect(upstreamVersion('10.0.13+ds-0+deb13u1')).toBe('10.0.13')
    expect(upstreamVersion('7.2.0-1')).toBe('7.2.0')
    expect(upstreamVersion('weird')).toBe('weird')
    expect(upstreamVersion('v1.2')).toBe('v1.2')
    expect(render('{version}-{cpu}', { version: 'v' })).toBe('v-')
  })

  test('install: auto falls back to apt only when a download fails and apt can run as root', async () => {
    const nonRoot = fakeHost({ privilege: 'none' })
    await expect(
      installEmulators(
        { name: 'download', why: 'auto', fallback: 'apt' },
        {
          qemuVersion: VERSION,
          downloadSources: downloadSources(['http://127.0.0.1:9/qemu-user_{version}_{arch}.deb']),
          checksums: parseChecksums([`${'a'.repeat(64)}  ${FILE}`])
        },
        nonRoot,
        ['aarch64']
      )
    ).rejects.toThrow(/Could not download QEMU/)
  })
})
