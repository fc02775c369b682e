// Current, verified QEMU by default (issue 9): Debian trixie's static qemu-user 10.0.13, served
// by a loopback mirror with Debian's pool layout (the real .debs, fetched by setup.sh), verified
// against the action's pinned hashes; nothing unverified is ever used.
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals'
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import {
  busyboxPath,
  clearQemuEntries,
  DEBIAN_DEB_DIR,
  entryNames,
  expectFailure,
  expectHandler,
  expectHostUnchanged,
  expectSuccess,
  hostUname,
  mountBinfmt,
  removeEntry,
  run,
  runAction,
  snapshotBinfmt,
  startDownloadServer,
  useBench,
  type DownloadServer
} from './helpers/index.js'

useBench()

let server: DownloadServer
beforeEach(async () => {
  server = await startDownloadServer({ qemuDir: '/usr/bin', debDir: DEBIAN_DEB_DIR })
})
afterEach(() => server.close())

const FILE = (arch: string) => `qemu-user_10.0.13+ds-0+deb13u1_${arch}.deb`
const debian = () => ({
  registrar: 'native',
  install: 'download',
  'download-url': server.debTemplate
})
const cachedTools = (toolCache: string) =>
  existsSync(toolCache) ? readdirSync(toolCache).filter(n => n.startsWith('qemu-')) : []

describe('the default version, from a Debian mirror, with no checksums input', () => {
  it('registers QEMU 10.0.13 verified against the pinned hashes; a foreign binary runs; a warm run downloads nothing', async () => {
    mountBinfmt()
    clearQemuEntries()
    const inputs = { ...debian(), platforms: 'arm64,riscv64,s390x' }
    const first = await runAction({ scenario: 'debian 10.0.13, cold', pinnedQemu: false, inputs })
    expectSuccess(first)
    expect(first.outputs['qemu-version']).toBe('10.0.13')
    expect(first.stdout).toMatch(/verified against Debian's signed index, pinned in the action/)
    expect(server.requests).toEqual([`/debian/pool/main/q/qemu/${FILE('amd64')}`])
    for (const name of ['qemu-aarch64', 'qemu-riscv64', 'qemu-s390x']) {
      expectHandler(name, {
        flagsInclude: 'OCF',
        interpreter: new RegExp(`^${first.job.toolCache}/${name}/`)
      })
    }
    expect(first.outputs.verified).toBe('true')
    expect(await hostUname('arm64')).toBe('aarch64')
    const second = await runAction({ scenario: 'debian 10.0.13, warm', inputs, job: first.job })
    expectSuccess(second)
    expect(server.requests).toHaveLength(1)
  })

  it('a tampered copy of the .deb (one byte changed): fails, nothing registered, nothing cached', async () => {
    const good = readFileSync(join(DEBIAN_DEB_DIR, FILE('amd64')))
    const bad = Buffer.from(good)
    bad[Math.floor(bad.length / 2)] ^= 0x01
    server.addFile(FILE('amd64'), bad)
    const before = snapshotBinfmt()
    const r = await runAction({
      scenario: 'debian, tampered',
      pinnedQemu: false,
      inputs: { ...debian(), platforms: 'arm64' }
    })
    expectFailure(r, /not the file expected|Could not download QEMU/)
    expectHostUnchanged(before)
    expect(cachedTools(r.job.toolCache)).toEqual([])
  })

  it('a modified tool-cache entry is never registered', async () => {
    mountBinfmt()
    clearQemuEntries()
    const inputs = { ...debian(), platforms: 'arm64' }
    const first = await runAction({ scenario: 'debian, cache it', pinnedQemu: false, inputs })
    expectSuccess(first)
    removeEntry('qemu-aarch64')
    const cached = join(
      first.job.toolCache,
      'qemu-aarch64',
      readdirSync(join(first.job.toolCache, 'qemu-aarch64'))[0],
      'x64',
      'qemu-aarch64'
    )
    writeFileSync(cached, Buffer.concat([readFileSync(cached), Buffer.from('tampered')]))
    const r = await runAction({ scenario: 'debian, modified cache entry', inputs, job: first.job })
    expectFailure(
      r,
      /tool-cache entry .*qemu-aarch64 has SHA-256 .*it was modified, so it is not registered/
    )
    expect(entryNames()).not.toContain('qemu-aarch64')
  })
})

describe('QEMU 11 from trixie-backports, one input away', () => {
  it('qemu-version: 11 registers QEMU 11.1.3 from the pinned backports package; a foreign binary runs', async () => {
    mountBinfmt()
    clearQemuEntries()
    const r = await runAction({
      scenario: 'debian 11, cold',
      inputs: { ...debian(), platforms: 'arm64,s390x', 'qemu-version': '11' }
    })
    expectSuccess(r)
    expect(r.outputs['qemu-version']).toBe('11.1.3')
    expect(r.stdout).toMatch(/verified against Debian's signed index, pinned in the action/)
    expect(server.requests).toEqual([
      '/debian/pool/main/q/qemu/qemu-user_11.1.3+ds-2~bpo13+1_amd64.deb'
    ])
    expect(await hostUname('arm64')).toBe('aarch64')
    expect(await hostUname('s390x')).toBe('s390x')
  })
})

describe('checksums are required before any change', () => {
  const perCpu = () => ({
    registrar: 'native',
    install: 'download',
    'download-url': server.urlTemplate
  })
  const sha = (cpu: string) =>
    // sha256sum of the host's file that the server hands out
    run('sha256sum', [`/usr/bin/qemu-${cpu}-static`]).then(r => r.stdout.split(' ')[0])

  it('a partial checksums list fails naming the missing CPU; nothing was fetched or changed', async () => {
    const before = snapshotBinfmt()
    const r = await runAction({
      scenario: 'per-cpu, partial checksums',
      inputs: {
        ...perCpu(),
        'qemu-version': '7.2.0-1',
        platforms: 'arm64,s390x',
        checksums: `${await sha('aarch64')}  qemu-aarch64-static`
      }
    })
    expectFailure(r, /^Input "checksums": .*no line for qemu-s390x-static/)
    expect(server.requests).toEqual([])
    expect(snapshotBinfmt()).toEqual(before)
  })

  it('a per-CPU URL with no checksums fails naming checksums; nothing fetched or changed', async () => {
    const before = snapshotBinfmt()
    const r = await runAction({
      scenario: 'per-cpu, no checksums',
      inputs: { ...perCpu(), 'qemu-version': '7.2.0-1', platforms: 'arm64' }
    })
    expectFailure(r, /^Input "checksums": nothing to verify the download against/)
    expect(server.requests).toEqual([])
    expect(snapshotBinfmt()).toEqual(before)
  })

  it('with a checksum per CPU, per-CPU files work as before (pinning another QEMU)', async () => {
    mountBinfmt()
    clearQemuEntries()
    const r = await runAction({
      scenario: 'per-cpu, checksummed',
      inputs: {
        ...perCpu(),
        'qemu-version': '7.2.0-1',
        platforms: 'arm64',
        checksums: `${await sha('aarch64')}  qemu-aarch64-static`
      }
    })
    expectSuccess(r)
    expect(r.outputs['qemu-version']).toBe('7.2.0')
    expect(await hostUname('arm64')).toBe('aarch64')
  })
})

describe('arm64 hosts', () => {
  it("the arm64 package's qemu-x86_64, extracted by the action, runs an x86_64 busybox under this host's qemu-aarch64", async () => {
    const { DownloadInstaller } = await import('../../src/installer/download.js')
    const { downloadSources, parseChecksums } = await import('../../src/inputs.js')
    const { lookupPlatform, emulatorFor } = await import('../../src/catalogue.js')
    const { Privilege } = await import('../../src/host/privilege.js')
    const { Binfmt } = await import('../../src/host/binfmt.js')
    const { DirectWriter } = await import('../../src/host/kernel.js')
    const platform = lookupPlatform('linux/arm64')
    if (!platform) throw new Error('no arm64 in the catalogue')
    const privilege = new Privilege('root')
    // an aarch64 host, as the action sees one: the host is a parameter, no test-only branch
    const arm64Host = {
      machine: 'aarch64',
      platform,
      family: emulatorFor('aarch64').family,
      privilege,
      binfmt: new Binfmt(),
      direct: new DirectWriter(privilege),
      userNamespace: false,
      hasFile: existsSync
    }
    const toolCache = await import('node:fs').then(fs => fs.mkdtempSync('/tmp/arm64-tool-cache-'))
    process.env.RUNNER_TOOL_CACHE = toolCache
    process.env.RUNNER_TEMP = toolCache
    const installer = new DownloadInstaller(arm64Host, {
      version: '10.0.13+ds-0+deb13u1',
      sources: downloadSources([server.debTemplate]),
      checksums: parseChecksums([])
    })
    const done = await installer.install(['x86_64', 'i386'])
    expect(server.requests).toEqual([`/debian/pool/main/q/qemu/${FILE('arm64')}`])
    const qemuX86 = done.emulators.get('x86_64') as string
    // double emulation: this x86_64 host's qemu-aarch64 runs the arm64 build of qemu-x86_64,
    // which runs an x86_64 busybox
    const r = await run(
      '/usr/bin/qemu-aarch64-static',
      [qemuX86, busyboxPath('amd64'), 'uname', '-m'],
      {
        timeoutMs: 120_000
      }
    )
    expect(`${r.code} ${r.stdout.trim()} ${r.stderr.trim()}`).toBe('0 x86_64 ')
    const i386 = await run(
      '/usr/bin/qemu-aarch64-static',
      [done.emulators.get('i386') as string, busyboxPath('i386'), 'uname', '-m'],
      {
        timeoutMs: 120_000
      }
    )
    expect(i386.stdout.trim()).toBe('i686')
  })
})
