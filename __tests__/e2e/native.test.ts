// The native registrar with downloaded emulators (no Docker needed), and the cleanup post step.
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals'
import { createHash } from 'node:crypto'
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { emulatorFor } from '../../src/catalogue.js'
import {
  type DownloadServer,
  enableDistroHandlers,
  EMULATOR,
  expectFailure,
  expectHandler,
  expectHostRestored,
  expectSuccess,
  hostUname,
  IMAGES,
  list,
  machines,
  makeUsedMachine,
  mountBinfmt,
  registerEntry,
  removeEntry,
  runAction,
  runPost,
  snapshotBinfmt,
  startDownloadServer,
  useBench
} from './helpers/index.js'

const bench = useBench()
const aarch64 = emulatorFor('aarch64')
const DEAD_DOCKER = 'unix:///nonexistent.sock'

let server: DownloadServer
beforeEach(async () => {
  server = await startDownloadServer()
})
afterEach(async () => {
  await server.close()
})

/** Per-CPU files from the loopback server (the host's QEMU 7.2), each with its checksum. */
const download = (): Record<string, string> => ({
  registrar: 'native',
  install: 'download',
  'qemu-version': '7.2.0-1',
  'download-url': server.urlTemplate,
  checksums: ['aarch64', 'arm', 'ppc64le', 's390x']
    .map(cpu => {
      const hash = createHash('sha256').update(readFileSync(`/usr/bin/qemu-${cpu}-static`))
      return `${hash.digest('hex')}  qemu-${cpu}-static`
    })
    .join('\n')
})

describe('native registrar, emulators downloaded', () => {
  it('registers without Docker; a second run with the same tool cache downloads nothing', async () => {
    const platforms = ['linux/arm64', 'linux/s390x', 'linux/ppc64le']
    const inputs = { ...download(), platforms: platforms.join(',') }
    const env = { DOCKER_HOST: DEAD_DOCKER }

    const first = await runAction({ scenario: 'native + download, no Docker', inputs, env })
    expectSuccess(first)
    expect(first.outputs.registrar).toBe('native')
    expect(list(first.outputs.platforms)).toEqual(expect.arrayContaining(platforms))
    expect(first.outputs['qemu-version']).toMatch(/7\.2/)
    for (const p of platforms) {
      expectHandler(EMULATOR[p], {
        flagsInclude: 'OCF',
        interpreter: new RegExp(`^${first.job.toolCache}/`)
      })
    }
    expect(first.outputs.verified).toBe('true')
    expect(machines(first)).toMatchObject({ 'linux/arm64': 'aarch64', 'linux/s390x': 's390x' })
    const fetched = server.requests.length
    expect(server.requests).toEqual(
      expect.arrayContaining([
        '/v7.2.0-1/qemu-aarch64-static',
        '/v7.2.0-1/qemu-s390x-static',
        '/v7.2.0-1/qemu-ppc64le-static'
      ])
    )
    expect(await hostUname('arm64')).toBe('aarch64')
    const registered = snapshotBinfmt()

    const second = await runAction({
      scenario: 'native + download, warm tool cache',
      inputs,
      env,
      job: first.job
    })
    expectSuccess(second)
    expect(server.requests.length - fetched).toBe(0)
    expect(snapshotBinfmt()).toEqual(registered)
    expect(await hostUname('s390x')).toBe('s390x')
  })

  it('a download that 404s fails naming the emulator', async () => {
    server.notFound = true
    const r = await runAction({
      scenario: 'native + download, 404',
      inputs: { ...download(), platforms: 'linux/arm64' },
      env: { DOCKER_HOST: DEAD_DOCKER }
    })
    expectFailure(r, /qemu-aarch64/)
    expect(snapshotBinfmt().entries).toEqual(bench.before.entries)
  })
})

describe('cleanup: true puts binfmt_misc back in the post step', () => {
  it.each([
    ['container registrar, from the host as it was', 'container', false],
    ['container registrar, distro handlers present', 'container', true],
    ['native registrar, distro handlers present', 'native', true]
  ])('%s', async (name, registrar, distro) => {
    if (distro) enableDistroHandlers()
    const before = snapshotBinfmt()
    const inputs: Record<string, string> = {
      cleanup: 'true',
      registrar,
      platforms: 'linux/arm64,linux/arm/v7'
    }
    if (registrar === 'container') inputs.image = IMAGES.registrar
    else Object.assign(inputs, download())

    const main = await runAction({ scenario: `cleanup: ${name}`, inputs })
    expectSuccess(main)
    expect(await hostUname('arm64')).toBe('aarch64')
    const post = await runPost(main, { scenario: `cleanup: ${name}` })
    expectSuccess(post)
    expectHostRestored(before)
  })
})

describe('a long-used machine: an F handler whose interpreter file was deleted since, and a jar entry', () => {
  const warnings = (r: { stdout: string }): string[] =>
    r.stdout.split('\n').filter(l => l.startsWith('::warning'))

  it('reset and cleanup on: the working handler is kept and used, and arm64 binaries run after the job', async () => {
    const gone = makeUsedMachine()
    expect(existsSync(gone)).toBe(false)
    expect(await hostUname('arm64')).toBe('aarch64')
    const used = snapshotBinfmt()
    const inputs = { ...download(), platforms: 'linux/arm64,linux/s390x', cleanup: 'true' }

    const main = await runAction({ scenario: 'used machine: main', inputs })
    expectSuccess(main)
    expect(warnings(main)).toEqual([
      expect.stringMatching(
        new RegExp(
          `qemu-aarch64 \\(interpreter ${gone}, flags "F"\\) could never be registered again once replaced.*Kept as it is, not replaced`
        )
      )
    ])
    expect(machines(main)).toMatchObject({ 'linux/arm64': 'aarch64', 'linux/s390x': 's390x' })
    expectHandler('qemu-aarch64', { interpreter: gone })
    expectHandler('qemu-s390x', { interpreter: new RegExp(`^${main.job.toolCache}/`) })

    const post = await runPost(main, { scenario: 'used machine: post' })
    expectSuccess(post)
    expect(await hostUname('arm64')).toBe('aarch64')
    expectHostRestored(used)
  })

  it("the interpreter deleted during the job: post keeps the job's handler in its place, says so, and puts back the rest", async () => {
    // a handler from a file that exists while the job starts, so the job replaces it
    mountBinfmt()
    const dir = mkdtempSync(join(tmpdir(), 'e2e-old-'))
    const old = join(dir, 'qemu-aarch64-static')
    copyFileSync('/usr/bin/qemu-aarch64-static', old)
    removeEntry('qemu-aarch64')
    registerEntry(`:qemu-aarch64:M::${aarch64.magic}:${aarch64.mask}:${old}:F`)
    const before = snapshotBinfmt()
    const inputs = { ...download(), platforms: 'linux/arm64,linux/s390x', cleanup: 'true' }
    const main = await runAction({ scenario: 'interpreter deleted mid-job: main', inputs })
    expectSuccess(main)
    expectHandler('qemu-aarch64', { interpreter: new RegExp(`^${main.job.toolCache}/`) })
    rmSync(dir, { recursive: true })

    const post = await runPost(main, { scenario: 'interpreter deleted mid-job: post' })
    expectSuccess(post)
    expect(warnings(post)).toEqual([
      expect.stringMatching(
        new RegExp(
          `^::warning::Could not put back qemu-aarch64: registering qemu-aarch64\\.replacing \\(interpreter ${old}, flags "F"\\) failed: .*no longer exists.*; qemu-aarch64 \\(interpreter ${main.job.toolCache}/\\S+, flags "F"\\) stays registered instead`
        )
      )
    ])
    expect(await hostUname('arm64')).toBe('aarch64')
    expect(snapshotBinfmt().entries['qemu-s390x']).toBe(before.entries['qemu-s390x'])
    expect(Object.keys(snapshotBinfmt().entries).filter(n => n.endsWith('.replacing'))).toEqual([])
  })
})
