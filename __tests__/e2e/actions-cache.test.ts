// Verified emulators from GitHub's Actions cache (issue 18), against a real blob store: Azurite
// behind a stand-in for the cache service @actions/cache calls, reached through the environment
// a runner gives every step. A first job saves; the next job on a runner (same RUNNER_TEMP path,
// fresh tool cache) restores and downloads nothing; a tampered entry is never registered; a
// failing service is a log line and the download.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from '@jest/globals'
import { readFileSync } from 'node:fs'
import { createHash } from 'node:crypto'
import {
  clearQemuEntries,
  DEBIAN_DEB_DIR,
  expectHandler,
  expectSuccess,
  flipContentByte,
  hostUname,
  mountBinfmt,
  newJob,
  runAction,
  startCacheService,
  startDownloadServer,
  useBench,
  type CacheServiceStandIn,
  type DownloadServer
} from './helpers/index.js'
import { debianPackage } from '../../src/installer/debian-qemu.js'

useBench()

const VERSION = '10.0.13+ds-0+deb13u1'
const pin = (cpu: string) => debianPackage(VERSION, 'amd64')?.emulators[cpu]?.sha256 as string
const key = (cpu: string) => `setup-cross-arch-qemu-${cpu}-${VERSION}-amd64-${pin(cpu)}`
const sha256 = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex')

let cache: CacheServiceStandIn
beforeAll(async () => {
  cache = await startCacheService()
})
afterAll(() => cache.close())

let server: DownloadServer
beforeEach(async () => {
  server = await startDownloadServer({ qemuDir: '/usr/bin', debDir: DEBIAN_DEB_DIR })
  mountBinfmt()
  clearQemuEntries()
})
afterEach(() => server.close())

const inputs = () => ({
  registrar: 'native',
  install: 'download',
  'download-url': server.debTemplate,
  platforms: 'arm64,s390x'
})

/** A first job that downloads and saves, then the runner's next job in the same directory. */
async function firstThenNext(scenario: string, between: () => Promise<void> = async () => {}) {
  const first = await runAction({
    scenario: `${scenario}: first job`,
    pinnedQemu: false,
    inputs: inputs(),
    env: cache.env()
  })
  expectSuccess(first)
  first.job.remove({ keepDir: true })
  clearQemuEntries()
  await between()
  const job = newJob({ dir: first.job.dir })
  const next = await runAction({
    scenario: `${scenario}: next job`,
    inputs: inputs(),
    env: cache.env(),
    job
  })
  return { first, next, job }
}

describe('cache: auto on a GitHub-hosted runner', () => {
  it('a first job saves each emulator; the next job, with a fresh tool cache, restores them, downloads nothing, and runs foreign binaries', async () => {
    const { first, next, job } = await firstThenNext('cache warm')
    expect(first.stdout).toMatch(/Actions cache: on \(cache: auto on a GitHub-hosted runner\)/)
    expect(cache.keys()).toEqual(expect.arrayContaining([key('aarch64'), key('s390x')]))
    expectSuccess(next)
    expect(server.requests).toHaveLength(1) // the first job's download only
    expect(next.stdout).toContain('Actions cache: qemu-aarch64, qemu-s390x restored and verified.')
    for (const cpu of ['aarch64', 's390x']) {
      expectHandler(`qemu-${cpu}`, { interpreter: new RegExp(`^${job.toolCache}/qemu-${cpu}/`) })
    }
    expect(await hostUname('arm64')).toBe('aarch64')
    expect(await hostUname('s390x')).toBe('s390x')
    expect(next.outputs.verified).toBe('true')
  })

  it('a tampered entry is never registered: a warning naming it, then the download', async () => {
    const { next, job } = await firstThenNext('cache tampered', async () => {
      await cache.rewrite(key('aarch64'), flipContentByte)
    })
    expectSuccess(next)
    expect(next.stdout).toMatch(
      new RegExp(
        `::warning::The Actions cache entry ${key('aarch64').replace(/[+.]/g, '\\$&')} holds a qemu-aarch64 with SHA-256 [0-9a-f]{64}, not the verified ${pin('aarch64')}: it is ignored, and qemu-aarch64 is downloaded\\. Delete the entry in the repository's Actions caches \\(it cannot be overwritten\\)\\.`
      )
    )
    expect(server.requests).toHaveLength(2) // downloaded again
    const handler = readFileSync('/proc/sys/fs/binfmt_misc/qemu-aarch64', 'utf8')
    const interpreter = /^interpreter (.*)$/m.exec(handler)?.[1] as string
    expect(interpreter.startsWith(job.toolCache)).toBe(true)
    expect(sha256(interpreter)).toBe(pin('aarch64'))
    expect(await hostUname('arm64')).toBe('aarch64')
  })
})

describe('a cache that fails never fails the job', () => {
  afterEach(() => {
    cache.fault = undefined
  })
  it.each([429, 500])('a service answering %i: the job passes by download', async status => {
    cache.fault = status
    const r = await runAction({
      scenario: `cache service ${status}`,
      pinnedQemu: false,
      inputs: inputs(),
      env: cache.env()
    })
    expectSuccess(r)
    expect(server.requests).toHaveLength(1)
    expect(r.stdout).toMatch(/Failed to restore: .*(Rate limited|500)/)
    expect(
      cache.calls.filter(c => c.startsWith('GetCacheEntryDownloadURL')).length
    ).toBeGreaterThan(0)
    expect(await hostUname('arm64')).toBe('aarch64')
  })
})
