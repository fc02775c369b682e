import { createHash } from 'node:crypto'
import { mkdtemp, readFile } from 'node:fs/promises'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import * as os from 'node:os'
import { join } from 'node:path'
import { hostPlatform } from '../../src/catalogue.js'
import type { Host } from '../../src/host/host.js'
import { Privilege } from '../../src/host/privilege.js'
import { cacheVersion, DownloadInstaller } from '../../src/installer/download.js'
import { probeProgram } from '../../src/verifier/probe/index.js'

// tool-cache's retry back-off, off for tests (a documented hook of @actions/tool-cache)
Object.assign(globalThis, {
  TEST_DOWNLOAD_TOOL_RETRY_MIN_SECONDS: 0,
  TEST_DOWNLOAD_TOOL_RETRY_MAX_SECONDS: 0
})

const platform = hostPlatform(os.machine())!
const host = {
  machine: os.machine(),
  platform,
  family: '',
  privilege: new Privilege('root'),
  binfmt: undefined
} as unknown as Host

/** A static executable for this host: the host CPU's probe stands in for an emulator. */
const staticElf = probeProgram(platform.cpu)

let server: Server
let requests: string[]
let files: Record<string, Buffer>
let base: string

beforeAll(async () => {
  server = createServer((req, res) => {
    requests.push(req.url ?? '')
    const body = files[req.url ?? '']
    if (!body) {
      res.writeHead(404).end('not found')
      return
    }
    res.writeHead(200, { 'content-length': body.length }).end(body)
  })
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
})
afterAll(() => new Promise(resolve => server.close(resolve)))

beforeEach(async () => {
  requests = []
  files = {
    '/v7.2.0-1/qemu-aarch64-static': staticElf,
    '/v7.2.0-1/qemu-s390x-static': staticElf,
    '/v7.2.0-1/qemu-riscv64-static': Buffer.from('<html>rate limited</html>'),
    '/v7.2.0-1/qemu-ppc64le-static': await readFile(process.execPath)
  }
  const root = await mkdtemp(join(os.tmpdir(), 'download-test-'))
  process.env.RUNNER_TOOL_CACHE = join(root, 'cache')
  process.env.RUNNER_TEMP = join(root, 'temp')
  process.env.GITHUB_PATH = join(root, 'path')
})

const installer = (checksums = new Map<string, string>()) =>
  new DownloadInstaller(host, {
    version: '7.2.0-1',
    urlTemplate: `${base}/v{version}/qemu-{cpu}-static`,
    checksums
  })

test('downloads only the emulators asked for, concurrently, into the tool cache; a second run makes no request', async () => {
  const first = await installer().install(['aarch64', 's390x'])
  expect(requests.sort()).toEqual(['/v7.2.0-1/qemu-aarch64-static', '/v7.2.0-1/qemu-s390x-static'])
  const path = first.emulators.get('aarch64')!
  expect(path).toBe(
    join(
      process.env.RUNNER_TOOL_CACHE!,
      'qemu-aarch64-static',
      '7.2.0-1',
      os.arch(),
      'qemu-aarch64-static'
    )
  )
  expect(await readFile(path)).toEqual(staticElf)
  expect(await readFile(process.env.GITHUB_PATH!, 'utf8')).toContain(
    join('qemu-aarch64-static', '7.2.0-1')
  )
  expect(first.version).toBe('7.2.0-1')

  requests = []
  const second = await installer().install(['aarch64', 's390x'])
  expect(requests).toEqual([])
  expect(second.emulators).toEqual(first.emulators)
})

test('a 404 names the emulator, the URL and the inputs to check', async () => {
  await expect(installer().install(['mips64el'])).rejects.toThrow(
    new RegExp(
      `^Could not download qemu-mips64el-static from ${base}/v7.2.0-1/qemu-mips64el-static: .*404.*Check qemu-version and download-url`
    )
  )
})

test('a file that is not an ELF, or is dynamically linked, is refused', async () => {
  await expect(installer().install(['riscv64'])).rejects.toThrow(
    /qemu-riscv64, from .*\) is not an ELF executable/
  )
  await expect(installer().install(['ppc64le'])).rejects.toThrow(
    /is dynamically linked; binfmt handlers need static emulators/
  )
})

test('checksums are verified when given', async () => {
  const good = createHash('sha256').update(staticElf).digest('hex')
  await expect(installer(new Map([['aarch64', good]])).install(['aarch64'])).resolves.toBeDefined()
  await expect(installer(new Map([['s390x', '0'.repeat(64)]])).install(['s390x'])).rejects.toThrow(
    new RegExp(
      `qemu-s390x-static from ${base}/v7.2.0-1/qemu-s390x-static has SHA-256 ${good}, but checksums expects 0{64}`
    )
  )
})

test('versions that are not semver get a stable cache spelling', () => {
  expect(cacheVersion('7.2.0-1')).toBe('7.2.0-1')
  expect(cacheVersion('10.2')).toBe('0.0.0-10.2')
  expect(cacheVersion('v9+patched')).toBe('0.0.0-v9-patched')
})
