// The bench itself: the runner emulation, the binfmt snapshot/restore, the download server and the
// registrar images' command line. These pass without the action, so a failure elsewhere is the
// action's, not the bench's.
import { afterAll, describe, expect, it } from '@jest/globals'
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { get } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import {
  actionDefaults,
  clearQemuEntries,
  docker,
  enableDistroHandlers,
  entryNames,
  expectHandler,
  IMAGES,
  isMounted,
  mountBinfmt,
  readEntry,
  readEntryText,
  registerEntry,
  removeEntry,
  restoreBinfmt,
  runAction,
  runPost,
  snapshotBinfmt,
  startDownloadServer,
  unmountBinfmt,
  useBench
} from './helpers/index.js'

useBench()

// A stand-in action: echoes what a node action receives from the runner.
const FAKE_ACTION = `
import { appendFileSync } from 'node:fs'
const env = process.env
const put = (file, name, value) => appendFileSync(file, name + '<<EOF_1\\n' + value + '\\nEOF_1\\n')
if (env.STATE_isPost === 'true') {
  put(env.GITHUB_OUTPUT, 'post-saw', env.STATE_token)
  process.exit(0)
}
put(env.GITHUB_STATE, 'isPost', 'true')
put(env.GITHUB_STATE, 'token', 'multi\\nline')
put(env.GITHUB_OUTPUT, 'verify-image', env['INPUT_VERIFY-IMAGE'])
put(env.GITHUB_OUTPUT, 'platforms', env.INPUT_PLATFORMS)
put(env.GITHUB_OUTPUT, 'uid', String(process.getuid()))
put(env.GITHUB_OUTPUT, 'dirs', [env.RUNNER_TEMP, env.RUNNER_TOOL_CACHE].join(','))
appendFileSync(env.GITHUB_OUTPUT, 'plain=a=b\\n')
appendFileSync(env.GITHUB_STEP_SUMMARY, '| platform | machine |\\n|---|---|\\n| linux/arm64 | aarch64 |\\n')
console.log('::error::' + (env.NODE_OPTIONS ?? 'no NODE_OPTIONS'))
process.exit(1)
`

describe('runner emulation', () => {
  const dir = mkdtempSync(join(tmpdir(), 'e2e-fake-'))
  chmodSync(dir, 0o755) // readable by nobody too, like a checked-out action
  const entry = join(dir, 'fake-action.mjs')
  writeFileSync(entry, FAKE_ACTION)
  afterAll(() => rmSync(dir, { recursive: true, force: true }))

  it('reads action.yml defaults', () => {
    const d = actionDefaults()
    expect(d).toMatchObject({
      platforms: 'all',
      registrar: 'auto',
      'verify-image': '',
      reset: 'true'
    })
    expect(d['download-url']).toContain('{version}')
  })

  it('passes inputs, parses outputs/state/summary, and runs post with STATE_*', async () => {
    const main = await runAction({ entry, inputs: { 'verify-image': 'x:y' } })
    expect(main.code).toBe(1)
    expect(main.errors).toEqual(['no NODE_OPTIONS'])
    expect(main.outputs).toMatchObject({
      'verify-image': 'x:y',
      platforms: 'all',
      uid: '0',
      dirs: `${main.job.runnerTemp},${main.job.toolCache}`,
      plain: 'a=b'
    })
    expect(main.state).toEqual({ isPost: 'true', token: 'multi\nline' })
    expect(main.summary).toContain('| linux/arm64 |')
    const post = await runPost(main)
    expect(post.code).toBe(0)
    expect(post.outputs).toEqual({ 'post-saw': 'multi\nline' })
  })

  it('runs as another user with its job files writable', async () => {
    const r = await runAction({ entry, user: { uid: 65534, gid: 65534 } })
    expect(r.outputs.uid).toBe('65534')
  })
})

describe('binfmt snapshot and restore', () => {
  it('puts back a changed, a removed, an added, a disabled and an extension entry', () => {
    enableDistroHandlers()
    registerEntry(':e2e-ext:E::e2etest::/bin/true:')
    writeFileSync('/proc/sys/fs/binfmt_misc/e2e-ext', '0')
    const snap = snapshotBinfmt()
    expect(readEntry('e2e-ext')).toMatchObject({ enabled: false, extension: '.e2etest' })

    removeEntry('qemu-arm')
    removeEntry('e2e-ext')
    removeEntry('qemu-aarch64')
    const magic =
      '\\x7fELF\\x02\\x01\\x01\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x02\\x00\\xb7\\x00'
    registerEntry(`:qemu-aarch64:M::${magic}::/usr/bin/qemu-aarch64-static:F`)
    registerEntry(':e2e-added:M:2:\\x01\\x02::/bin/false:')
    expect(snapshotBinfmt()).not.toEqual(snap)

    restoreBinfmt(snap)
    expect(snapshotBinfmt()).toEqual(snap)
    expect(readEntryText('qemu-aarch64')).toContain('aarch64-binfmt-P')
  })

  it('restores the unmounted state', () => {
    const start = snapshotBinfmt()
    unmountBinfmt()
    const unmounted = snapshotBinfmt()
    expect(unmounted).toEqual({ mounted: false, listing: [], entries: {}, status: '' })
    mountBinfmt()
    registerEntry(':e2e-added:M::\\x01\\x02::/bin/false:')
    restoreBinfmt(unmounted)
    expect(isMounted()).toBe(false)
    restoreBinfmt(start)
    expect(snapshotBinfmt()).toEqual(start)
  })
})

describe('download server', () => {
  const fetchStatus = (url: string): Promise<{ status: number; bytes: number }> =>
    new Promise((ok, fail) => {
      get(url, res => {
        let bytes = 0
        res.on('data', (d: Buffer) => (bytes += d.length))
        res.on('end', () => ok({ status: res.statusCode ?? 0, bytes }))
      }).on('error', fail)
    })

  it('serves the emulators under the release path, counts requests, 404s on demand', async () => {
    const server = await startDownloadServer()
    try {
      const url = server.urlTemplate.replace('{version}', '7.2.0-1').replace('{cpu}', 'aarch64')
      const size = readFileSync('/usr/bin/qemu-aarch64-static').length
      expect(await fetchStatus(url)).toEqual({ status: 200, bytes: size })
      expect((await fetchStatus(url.replace('aarch64', 'nonesuch'))).status).toBe(404)
      server.notFound = true
      expect((await fetchStatus(url)).status).toBe(404)
      expect(server.requests).toEqual([
        '/v7.2.0-1/qemu-aarch64-static',
        '/v7.2.0-1/qemu-nonesuch-static',
        '/v7.2.0-1/qemu-aarch64-static'
      ])
    } finally {
      await server.close()
    }
  })
})

describe('registrar images', () => {
  const register = (image: string, ...args: string[]) =>
    docker(['run', '--rm', '--privileged', image, ...args])

  it('registers every emulator it carries with multiarch flags, --reset first', async () => {
    mountBinfmt()
    clearQemuEntries()
    let r = await register(IMAGES.registrar, '--reset', '-p', 'yes', '--credential', 'yes')
    expect(r.code).toBe(0)
    expect(r.stdout).toContain(
      'Setting /usr/bin/qemu-aarch64-static as binfmt interpreter for aarch64'
    )
    const names = entryNames().filter(n => n.startsWith('qemu-'))
    expect(names).toEqual(
      [
        'qemu-aarch64',
        'qemu-arm',
        'qemu-loongarch64',
        'qemu-mips64',
        'qemu-mips64el',
        'qemu-ppc64le',
        'qemu-riscv64',
        'qemu-s390x'
      ].sort()
    )
    expectHandler('qemu-aarch64', {
      flagsInclude: 'OCF',
      interpreter: '/usr/bin/qemu-aarch64-static'
    })
    expect(readEntry('qemu-aarch64')?.mask).toBe('ffffffffffffff00fffffffffffffffffeffffff')

    // Without --reset an existing entry makes the write fail, like multiarch's.
    r = await register(IMAGES.registrar, '-p', 'yes')
    expect(r.stdout + r.stderr).toMatch(/File exists/)

    r = await register(IMAGES.registrar, '--reset', '--preserve-argv0', 'yes')
    expect(r.code).toBe(0)
    expect(readEntry('qemu-s390x')?.flags).toBe('P')
  })

  it('the no-op registrar says the same and registers nothing', async () => {
    mountBinfmt()
    clearQemuEntries()
    const r = await register(IMAGES.registrarNoop, '--reset', '-p', 'yes')
    expect(r.code).toBe(0)
    expect(r.stdout).toContain('as binfmt interpreter for aarch64')
    expect(entryNames().filter(n => n.startsWith('qemu-'))).toEqual([])
  })
})
