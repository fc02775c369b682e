// The bench itself: the runner emulation, the binfmt snapshot/restore, the download server and the
// registrar images' command line. These pass without the action, so a failure elsewhere is the
// action's, not the bench's.
import { afterAll, describe, expect, it } from '@jest/globals'
import {
  chmodSync,
  copyFileSync,
  existsSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync
} from 'node:fs'
import { get, request as httpRequest } from 'node:http'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import {
  actionDefaults,
  clearQemuEntries,
  distroHandlerLines,
  docker,
  enableDistroHandlers,
  entryNames,
  expectHandler,
  hostUname,
  IMAGES,
  isMounted,
  kernelOrder,
  makeUsedMachine,
  mountBinfmt,
  newJob,
  readEntry,
  readEntryText,
  registerEntry,
  removeEntry,
  restoreBinfmt,
  runAction,
  runPost,
  setEnabled,
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

  it('reads action.yml defaults: empty, so the action knows what a workflow gave', () => {
    const d = actionDefaults()
    expect(Object.keys(d)).toEqual(expect.arrayContaining(['platforms', 'registrar', 'reset']))
    expect(Object.entries(d).filter(([, v]) => v !== '')).toEqual([])
  })

  it('passes inputs, parses outputs/state/summary, and runs post with STATE_*', async () => {
    const main = await runAction({ entry, inputs: { 'verify-image': 'x:y' } })
    expect(main.code).toBe(1)
    expect(main.errors).toEqual(['no NODE_OPTIONS'])
    expect(main.outputs).toMatchObject({
      'verify-image': 'x:y',
      platforms: '',
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

// A stand-in that reports its parent process and the job's identity, main and post alike.
const JOB_ACTION = `
import { appendFileSync, readFileSync } from 'node:fs'
const env = process.env
const stat = readFileSync('/proc/' + process.ppid + '/stat', 'utf8')
const parentStart = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19]
const out = [
  'ppid=' + process.ppid,
  'parent-start=' + parentStart,
  'uid=' + process.getuid(),
  'post=' + (env.STATE_isPost ?? ''),
  ...['GITHUB_RUN_ID', 'GITHUB_RUN_ATTEMPT', 'GITHUB_JOB', 'RUNNER_NAME', 'RUNNER_ENVIRONMENT'].map(
    k => k + '=' + env[k]
  )
]
appendFileSync(env.GITHUB_OUTPUT, out.join('\\n') + '\\n')
appendFileSync(env.GITHUB_STATE, 'isPost=true\\n')
`

describe("the job's runner process", () => {
  const dir = mkdtempSync(join(tmpdir(), 'e2e-job-action-'))
  chmodSync(dir, 0o755)
  const entry = join(dir, 'job-action.mjs')
  writeFileSync(entry, JOB_ACTION)
  afterAll(() => rmSync(dir, { recursive: true, force: true }))
  const alive = (pid: number): boolean => {
    try {
      process.kill(pid, 0)
      return true
    } catch {
      return false
    }
  }

  it("main and post are children of the job's worker, alive in between", async () => {
    const main = await runAction({ entry })
    expect(main.code).toBe(0)
    expect(main.outputs.ppid).toBe(String(main.job.workerPid))
    expect(main.ppid).toBe(main.job.workerPid)
    expect(alive(main.job.workerPid)).toBe(true)
    const post = await runPost(main)
    expect(post.outputs).toMatchObject({
      ppid: main.outputs.ppid,
      'parent-start': main.outputs['parent-start'],
      post: 'true',
      RUNNER_ENVIRONMENT: 'github-hosted'
    })
  })

  it("a step run as another user is still the worker's child", async () => {
    const job = newJob({ user: { uid: 65534, gid: 65534 } })
    const r = await runAction({ entry, job, user: { uid: 65534, gid: 65534 } })
    expect(r.outputs).toMatchObject({ uid: '65534', ppid: String(job.workerPid) })
  })

  it('two jobs on one machine: distinct workers and identities, overridable', async () => {
    const a = newJob({ identity: { GITHUB_RUN_ID: '100', GITHUB_JOB: 'a' } })
    const b = newJob({
      identity: { GITHUB_RUN_ID: '100', GITHUB_JOB: 'b', RUNNER_ENVIRONMENT: 'self-hosted' }
    })
    const [ra, rb] = [await runAction({ entry, job: a }), await runAction({ entry, job: b })]
    expect(a.workerPid).not.toBe(b.workerPid)
    expect(ra.outputs).toMatchObject({
      GITHUB_RUN_ID: '100',
      GITHUB_JOB: 'a',
      ppid: String(a.workerPid)
    })
    expect(rb.outputs).toMatchObject({
      GITHUB_JOB: 'b',
      RUNNER_ENVIRONMENT: 'self-hosted',
      GITHUB_RUN_ATTEMPT: '1',
      ppid: String(b.workerPid)
    })
    expect(newJob().identity.GITHUB_JOB).not.toBe(newJob().identity.GITHUB_JOB)
  })

  it('job.kill(): the worker is gone before the post step, which cannot run', async () => {
    const main = await runAction({ entry })
    const worker = main.job.workerPid
    main.job.kill()
    for (let i = 0; i < 50 && alive(worker); i++) await new Promise(r => setTimeout(r, 20))
    expect(alive(worker)).toBe(false)
    expect(main.job.alive).toBe(false)
    await expect(runPost(main)).rejects.toThrow(/dead/)
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

  it('puts back the precedence order, mask-less, disabled and extension entries', () => {
    mountBinfmt()
    // Two entries for the same bytes (the newer one wins), one without a mask, one disabled.
    registerEntry(':e2e-old:M::\\x01\\x02\\x03:\\xff\\xff\\x00:/bin/false:')
    registerEntry(':e2e-nomask:M:4:\\x05\\x06::/bin/false:')
    registerEntry(':e2e-new:M::\\x01\\x02\\x03::/bin/true:F')
    registerEntry(':e2e-ext2:E::e2etest2::/bin/true:')
    setEnabled('e2e-nomask', false)
    const snap = snapshotBinfmt()
    expect(kernelOrder().slice(0, 4)).toEqual(['e2e-ext2', 'e2e-new', 'e2e-nomask', 'e2e-old'])
    expect(readEntryText('e2e-nomask')).not.toMatch(/^mask/m)

    // The oldest one removed and re-registered: now it is the newest and wins.
    removeEntry('e2e-old')
    registerEntry(':e2e-old:M::\\x01\\x02\\x03:\\xff\\xff\\x00:/bin/false:')
    removeEntry('e2e-nomask')
    expect(kernelOrder()[0]).toBe('e2e-old')

    restoreBinfmt(snap)
    expect(snapshotBinfmt()).toEqual(snap)
    expect(kernelOrder().slice(0, 4)).toEqual(['e2e-ext2', 'e2e-new', 'e2e-nomask', 'e2e-old'])
    expect(readEntry('e2e-nomask')).toMatchObject({ enabled: false, mask: undefined, offset: 4 })
  })

  it("registers Debian's qemu-* handlers as update-binfmts would (PF, /usr/libexec/qemu-binfmt)", () => {
    const lines = distroHandlerLines()
    expect(lines.map(l => l.name)).toContain('qemu-aarch64')
    expect(lines.find(l => l.name === 'qemu-aarch64')?.line).toBe(
      ':qemu-aarch64:M:0:\\x7f\\x45\\x4c\\x46\\x02\\x01\\x01\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x02\\x00\\xb7\\x00:' +
        '\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\x00\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xfe\\xff\\xff\\xff:' +
        '/usr/libexec/qemu-binfmt/aarch64-binfmt-P:PF'
    )
    enableDistroHandlers()
    expect(readEntry('qemu-aarch64')).toMatchObject({
      enabled: true,
      flags: 'PF',
      interpreter: '/usr/libexec/qemu-binfmt/aarch64-binfmt-P',
      mask: 'ffffffffffffff00fffffffffffffffffeffffff'
    })
    expect(
      entryNames()
        .filter(n => n.startsWith('qemu-'))
        .sort()
    ).toEqual(lines.map(l => l.name).sort())
  })

  it('on a long-used machine (an F handler whose file is gone, a jar entry): every entry comes back, still working', async () => {
    const gone = makeUsedMachine()
    const used = snapshotBinfmt()
    expect(readEntry('qemu-aarch64')).toMatchObject({ interpreter: gone, flags: 'F' })
    // what the tests do to the host: every qemu-* entry replaced, jar removed, one added
    enableDistroHandlers()
    removeEntry('jar')
    registerEntry(':e2e-added:M::\\x01\\x02::/bin/false:')
    expect(readEntry('qemu-aarch64')?.interpreter).not.toBe(gone)

    restoreBinfmt(used)
    expect(snapshotBinfmt()).toEqual(used)
    expect(await hostUname('arm64')).toBe('aarch64')
    // the interpreter was there for the registration only, and its directory with it
    expect(existsSync(gone)).toBe(false)
    expect(existsSync(dirname(gone))).toBe(false)
  })

  it('what cannot come back is never removed, and every failure is named with its reason', () => {
    // an F entry from a copy of /bin/true, disabled, its file deleted: nothing runs through it, so
    // no copy of its interpreter can be taken; then the used machine's entries, the same way
    mountBinfmt()
    const dir = mkdtempSync(join(tmpdir(), 'e2e-gone-'))
    copyFileSync('/bin/true', join(dir, 'true'))
    registerEntry(`:e2e-gone:M::\\x7fELF\\x02\\x02\\x01::${dir}/true:F`)
    setEnabled('e2e-gone', false)
    rmSync(dir, { recursive: true })
    const gone = makeUsedMachine()
    setEnabled('qemu-aarch64', false)
    const used = snapshotBinfmt()
    // a test changed the jar entry and added one: both come back; the two that cannot stay as they are
    removeEntry('jar')
    registerEntry(':e2e-added:M::\\x01\\x02::/bin/false:')
    restoreBinfmt(used)
    expect(snapshotBinfmt()).toEqual(used)

    // removed by a test: each is reported, the rest is put back all the same
    removeEntry('qemu-aarch64')
    removeEntry('e2e-gone')
    removeEntry('jar')
    let message = ''
    try {
      restoreBinfmt(used)
    } catch (e) {
      message = (e as Error).message
    }
    expect(message.split('\n')).toEqual(
      expect.arrayContaining([
        expect.stringMatching(
          new RegExp(
            `^qemu-aarch64: not registered again: its interpreter ${gone} was deleted .*\\(it is disabled`
          )
        ),
        expect.stringMatching(/^e2e-gone: not registered again: /)
      ])
    )
    expect(readEntryText('jar')).toBe(used.entries.jar)
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

describe('download server: Debian pool', () => {
  const request = (
    url: string,
    method = 'GET'
  ): Promise<{ status: number; body: Buffer; length: string | undefined }> =>
    new Promise((ok, fail) => {
      const req = httpRequest(url, { method }, res => {
        const chunks: Buffer[] = []
        res.on('data', (d: Buffer) => chunks.push(d))
        res.on('end', () =>
          ok({
            status: res.statusCode ?? 0,
            body: Buffer.concat(chunks),
            length: res.headers['content-length']
          })
        )
      })
      req.on('error', fail)
      req.end()
    })

  it('serves .debs by pool name, registered overrides, HEAD, and forced statuses', async () => {
    const debDir = mkdtempSync(join(tmpdir(), 'e2e-debs-'))
    writeFileSync(join(debDir, 'qemu-user_1%3a10.0.13+ds-0+deb13u1_amd64.deb'), 'real deb')
    writeFileSync(join(debDir, 'notes.txt'), 'not a deb')
    const server = await startDownloadServer({ debDir })
    try {
      const pool = 'qemu-user_10.0.13+ds-0+deb13u1_amd64.deb'
      expect(
        server.debTemplate.replace('{version}', '10.0.13+ds-0+deb13u1').replace('{arch}', 'amd64')
      ).toBe(server.debUrl(pool))
      expect(server.debFiles()).toEqual([pool])
      let r = await request(server.debUrl(pool))
      expect([r.status, r.body.toString(), r.length]).toEqual([200, 'real deb', '8'])
      r = await request(server.debUrl(pool), 'HEAD')
      expect([r.status, r.body.length, r.length]).toEqual([200, 0, '8'])
      expect((await request(`${server.debianMirror}/pool/main/q/qemu/notes.txt`)).status).toBe(404)

      server.addFile(pool, Buffer.from('tampered'))
      expect((await request(server.debUrl(pool))).body.toString()).toBe('tampered')
      server.statusFor.set(`/debian/pool/main/q/qemu/${pool}`, 503)
      expect((await request(server.debUrl(pool))).status).toBe(503)
      expect(server.log.map(l => `${l.method} ${l.status}`)).toEqual([
        'GET 200',
        'HEAD 200',
        'GET 404',
        'GET 200',
        'GET 503'
      ])
    } finally {
      await server.close()
      rmSync(debDir, { recursive: true, force: true })
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
