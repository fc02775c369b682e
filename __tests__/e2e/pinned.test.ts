// The QEMU a user gets by default is the pinned, verified one (issue 21), on this machine, where
// Debian 12's qemu-user-static (QEMU 7.2) is installed in /usr/bin: install: auto takes the pinned
// 10.0.13 (a tool-cache entry of it, else the verified download from a loopback Debian mirror);
// the host's 7.2 only when asked for (install: host) or, with a warning, when the download cannot
// be had; never when a download arrived that does not verify. Host emulators come only from
// root's directories (issue 16).
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals'
import { execFileSync } from 'node:child_process'
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import {
  clearQemuEntries,
  DEBIAN_DEB_DIR,
  expectFailure,
  expectHandler,
  expectHostUnchanged,
  expectSuccess,
  hostUname,
  mountBinfmt,
  newJob,
  run,
  runAction,
  snapshotBinfmt,
  startDownloadServer,
  useBench,
  type ActionResult,
  type DownloadServer
} from './helpers/index.js'

useBench()

let server: DownloadServer
beforeEach(async () => {
  server = await startDownloadServer({ debDir: DEBIAN_DEB_DIR })
  mountBinfmt()
  clearQemuEntries()
})
afterEach(() => server.close())

const HOST_QEMU = '/usr/bin/qemu-aarch64-static'
const hostVersion = async () =>
  /version (\S+)/.exec((await run(HOST_QEMU, ['--version'])).stdout)?.[1] ?? 'unknown'
const warnings = (r: ActionResult) =>
  r.stdout
    .split('\n')
    .filter(l => l.startsWith('::warning'))
    .map(l => l.replace(/^::warning[^:]*::/, ''))
const inToolCache = (r: ActionResult) => new RegExp(`^${r.job.toolCache}/qemu-aarch64/`)

describe('install: auto (the default) on a host with the distro QEMU 7.2 in /usr/bin', () => {
  it('registers the pinned 10.0.13 from the tool cache an earlier job left; nothing is downloaded', async () => {
    const r = await runAction({
      scenario: 'defaults, pinned in the tool cache',
      inputs: { platforms: 'arm64', 'download-url': server.debTemplate }
    })
    expectSuccess(r)
    expect(server.requests).toEqual([])
    expect(r.outputs['qemu-version']).toBe('10.0.13')
    expectHandler('qemu-aarch64', { flagsInclude: 'F', interpreter: inToolCache(r) })
    expect(r.stdout).toMatch(
      /QEMU: download \(install: auto: the pinned, verified QEMU 10\.0\.13\+ds-0\+deb13u1 \(the tool cache, else a download\); the host's own emulators only if it cannot be downloaded\)/
    )
    expect(r.summary).toMatch(
      /QEMU: \*\*10\.0\.13\*\* \(download \(Debian qemu-user 10\.0\.13\+ds-0\+deb13u1, amd64\)\)/
    )
    expect(warnings(r)).toEqual([])
    expect(await hostUname('arm64')).toBe('aarch64')
  })

  it("with an empty tool cache: downloads and verifies the pinned 10.0.13 rather than use the host's", async () => {
    const r = await runAction({
      scenario: 'defaults, cold',
      pinnedQemu: false,
      inputs: { platforms: 'arm64,s390x', 'download-url': server.debTemplate }
    })
    expectSuccess(r)
    expect(server.requests).toEqual([
      '/debian/pool/main/q/qemu/qemu-user_10.0.13+ds-0+deb13u1_amd64.deb'
    ])
    expect(r.outputs['qemu-version']).toBe('10.0.13')
    expectHandler('qemu-aarch64', { interpreter: inToolCache(r) })
    expect(warnings(r)).toEqual([])
    expect(r.outputs.verified).toBe('true')
  })

  it("the download failing (the mirror is down): the host's 7.2 with a warning naming version, path and the remedy", async () => {
    server.notFound = true
    const r = await runAction({
      scenario: 'defaults, download unavailable',
      pinnedQemu: false,
      inputs: { platforms: 'arm64', 'download-url': server.debTemplate }
    })
    expectSuccess(r)
    const version = await hostVersion()
    expect(version).toMatch(/^7\.2\./)
    expectHandler('qemu-aarch64', { interpreter: HOST_QEMU })
    expect(r.outputs['qemu-version']).toBe(version)
    expect(warnings(r)).toEqual([
      expect.stringMatching(
        new RegExp(
          `^Using QEMU ${version.replace(/\./g, '\\.')} from host \\(${HOST_QEMU}\\), not the pinned, verified 10\\.0\\.13: Could not download QEMU 10\\.0\\.13\\+ds-0\\+deb13u1 from any source: .*HTTP 404.*\\. To get 10\\.0\\.13, let the runner reach the download \\(or name a reachable mirror in download-url\\)\\.$`
        )
      )
    ])
    expect(r.summary).toContain(`QEMU: **${version}** (host)`)
  })

  it('a download that arrives tampered with: the step fails naming the URL; no other QEMU stands in', async () => {
    const file = 'qemu-user_10.0.13+ds-0+deb13u1_amd64.deb'
    const bad = Buffer.from(readFileSync(join(DEBIAN_DEB_DIR, file)))
    bad[bad.length - 1000] ^= 0x01 // past the emulators: only the whole-file hash sees it
    server.addFile(file, bad)
    const before = snapshotBinfmt()
    const r = await runAction({
      scenario: 'defaults, tampered download',
      pinnedQemu: false,
      inputs: { platforms: 'arm64', 'download-url': server.debTemplate }
    })
    expectFailure(
      r,
      new RegExp(`${server.debUrl(file).replace(/[.+]/g, '\\$&')} is not the file expected`),
      /no other QEMU is used instead\. The file may have been tampered with/
    )
    expect(warnings(r)).toEqual([])
    expectHostUnchanged(before)
  })
})

describe('install: host (and none, its older name)', () => {
  it.each(['host', 'none'])(
    "install: %s registers the host's own QEMU, with no warning",
    async install => {
      const r = await runAction({
        scenario: `install: ${install}`,
        inputs: { platforms: 'arm64', install, 'download-url': server.debTemplate }
      })
      expectSuccess(r)
      expect(server.requests).toEqual([])
      expectHandler('qemu-aarch64', { interpreter: HOST_QEMU })
      expect(r.outputs['qemu-version']).toBe(await hostVersion())
      expect(warnings(r)).toEqual([])
    }
  )

  it("only root's files: a relative PATH entry, a directory others can write and a FIFO are passed over, without hanging", async () => {
    const dir = mkdtempSync('/tmp/e2e-path-')
    try {
      const open = join(dir, 'open')
      const fifo = join(dir, 'fifo')
      mkdirSync(open)
      mkdirSync(fifo)
      chmodSync(dir, 0o755)
      chmodSync(fifo, 0o755)
      chmodSync(open, 0o777)
      copyFileSync(HOST_QEMU, join(open, 'qemu-aarch64-static'))
      execFileSync('mkfifo', ['-m', '0755', join(fifo, 'qemu-aarch64-static')])
      // the job's workspace, the step's working directory, has an emulator under that name too
      const job = newJob()
      copyFileSync(HOST_QEMU, join(job.workspace, 'qemu-aarch64-static'))
      const r = await runAction({
        job,
        scenario: 'install: host, hostile PATH',
        inputs: { platforms: 'arm64', install: 'host' },
        env: { PATH: `.:${fifo}:${open}:${process.env.PATH}` },
        timeoutMs: 60_000
      })
      expectSuccess(r)
      expectHandler('qemu-aarch64', { interpreter: HOST_QEMU })
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
