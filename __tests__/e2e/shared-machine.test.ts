// Issue 16: on a shared self-hosted machine, nothing another local user writes, holds or prints
// changes what the action does as root. The attacker is e2e-attacker (scripts/e2e/setup.sh): no
// sudo, not in the docker group. Each attack is tried where the action keeps its lock and record
// now (/run/setup-cross-arch) and where it kept them before (/tmp/setup-cross-arch), so the same
// file shows the attacks working against an older build.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals'
import { type ChildProcess, execFileSync, spawn } from 'node:child_process'
import {
  chmodSync,
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  writeFileSync
} from 'node:fs'
import { join } from 'node:path'
import {
  clearQemuEntries,
  entryNames,
  expectFailure,
  expectHostRestored,
  expectSuccess,
  isMounted,
  mountBinfmt,
  runAction,
  runPost,
  native,
  selfHosted,
  snapshotBinfmt,
  useBench
} from './helpers/index.js'

useBench()

const ATTACKER = 'e2e-attacker'
/** Where the action keeps its state now, and where it kept it before issue 16. */
const PLACES = ['/run/setup-cross-arch', '/tmp/setup-cross-arch']
/** The entry a forged record asks root to register: harmless magic, the attacker's interpreter. */
const EVIL = 'e2e-evil'

let attacker: { uid: number; gid: number }
beforeAll(() => {
  const id = (flag: string) =>
    Number(execFileSync('id', [flag, ATTACKER], { encoding: 'utf8' }).trim())
  attacker = { uid: id('-u'), gid: id('-g') }
})

/** Each test starts with no state anywhere, and leaves none the attacker made. */
function clearState(): void {
  for (const dir of PLACES) rmSync(dir, { recursive: true, force: true })
}
beforeEach(clearState)
afterAll(clearState)

/** Runs a node program as the attacker; returns what it printed. */
function asAttacker(program: string, ...args: string[]): string {
  return execFileSync(
    'setpriv',
    [
      `--reuid=${attacker.uid}`,
      `--regid=${attacker.gid}`,
      '--clear-groups',
      process.execPath,
      '-e',
      program,
      ...args
    ],
    { encoding: 'utf8', cwd: '/' }
  )
}

/** A process of the attacker's that keeps running until stopped (flock holding a lock). */
function attackerProcess(
  file: string,
  args: string[]
): { child: ChildProcess; ready: Promise<string> } {
  const child = spawn(
    'setpriv',
    [`--reuid=${attacker.uid}`, `--regid=${attacker.gid}`, '--clear-groups', file, ...args],
    {
      stdio: ['pipe', 'pipe', 'pipe'],
      cwd: '/'
    }
  )
  const ready = new Promise<string>(resolve => {
    let out = ''
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString()
      if (out.includes('\n')) resolve(out.trim())
    })
    child.stderr?.on('data', (d: Buffer) => (out += d.toString()))
    child.on('close', code => resolve(`exited ${code}: ${out.trim()}`))
  })
  return { child, ready }
}

/** The record the attacker would like root to act on. */
function forgedRecord(boot: string): object {
  return {
    version: 1,
    boot,
    mounted: true,
    baselines: {
      [EVIL]: {
        // harmless here: a magic no file has, an interpreter that does not exist
        before: {
          name: EVIL,
          enabled: true,
          interpreter: '/tmp/e2e-evil-interpreter',
          flags: 'OC',
          offset: 0,
          magic: 'e2e0e2e0e2e0e2e0'
        },
        above: [],
        rank: 0
      }
    },
    holders: [
      // a holder that looks alive for ever: pid 1 with its real start time
      { key: 'forever', pid: 1, started: startTime(1), since: Date.now(), names: ['qemu-aarch64'] }
    ]
  }
}

function startTime(pid: number): string {
  const stat = execFileSync('cat', [`/proc/${pid}/stat`], { encoding: 'utf8' })
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19]
}

const BOOT = execFileSync('cat', ['/proc/sys/kernel/random/boot_id'], { encoding: 'utf8' }).trim()

/** What the attacker manages to write over each place's record, a line per place. */
function forge(): string {
  return asAttacker(
    `const fs = require('fs')
     for (const dir of ${JSON.stringify(PLACES)}) {
       try {
         fs.writeFileSync(dir + '/state.json', process.argv[1])
         console.log(dir + ': forged')
       } catch (e) { console.log(dir + ': ' + e.code) }
     }`,
    JSON.stringify(forgedRecord(BOOT))
  )
}

describe('another local user (no sudo, no docker) against the record and the lock', () => {
  it('1. a forged record: no entry registered for it, no holder believed, no unmount, nothing blocked', async () => {
    mountBinfmt()
    clearQemuEntries()
    const before = snapshotBinfmt()
    const a = selfHosted('a')
    const main = await runAction({ job: a, inputs: native('arm64') })
    expectSuccess(main)
    const forged = forge()
    const post = await runPost(main)
    expect(entryNames()).not.toContain(EVIL)
    expect(isMounted()).toBe(true)
    expectSuccess(post)
    // the fake holder blocked nothing: qemu-aarch64 is gone again
    expectHostRestored(before)
    expect(forged).toMatch(/\/run\/setup-cross-arch: EACCES/)
  })

  it('2. a directory the attacker created first is never used', async () => {
    mountBinfmt()
    clearQemuEntries()
    const before = snapshotBinfmt()
    const made = asAttacker(
      `const fs = require('fs')
       for (const dir of ${JSON.stringify(PLACES)}) {
         try { fs.mkdirSync(dir, 0o777); fs.chmodSync(dir, 0o777); console.log(dir + ': made') }
         catch (e) { console.log(dir + ': ' + e.code) }
       }`
    )
    const a = selfHosted('a')
    const main = await runAction({ job: a, inputs: native('arm64') })
    const post = await runPost(main)
    // whatever the jobs did, root created nothing in a directory the attacker owns
    for (const dir of PLACES) {
      if (existsSync(dir) && lstatSync(dir).uid === attacker.uid)
        expect(`${dir}: ${readdirSync(dir).join(',')}`).toBe(`${dir}: `)
    }
    expectSuccess(main)
    expectSuccess(post)
    expectHostRestored(before)
    expect(made).toMatch(/\/run\/setup-cross-arch: EACCES/)
  })

  it('3. a symlink planted where the state goes: root creates nothing at its target', async () => {
    mountBinfmt()
    clearQemuEntries()
    const victim = mkdtempSync('/var/tmp/e2e-victim-')
    chmodSync(victim, 0o755)
    try {
      const planted = asAttacker(
        `const fs = require('fs')
         for (const dir of ${JSON.stringify(PLACES)}) {
           try { fs.symlinkSync(process.argv[1], dir); console.log(dir + ': planted') }
           catch (e) { console.log(dir + ': ' + e.code) }
         }`,
        victim
      )
      const main = await runAction({ job: selfHosted('a'), inputs: native('arm64') })
      const post = await runPost(main)
      expect(readdirSync(victim)).toEqual([])
      expectSuccess(main)
      expectSuccess(post)
      expect(planted).toMatch(/\/run\/setup-cross-arch: EACCES/)
    } finally {
      rmSync(victim, { recursive: true, force: true })
    }
  })

  it('4 and 5. the lock held by the attacker, with a workflow command in it: jobs neither stall nor run it', async () => {
    mountBinfmt()
    clearQemuEntries()
    const before = snapshotBinfmt()
    const a = selfHosted('a')
    const mainA = await runAction({ job: a, inputs: native('arm64') })
    expectSuccess(mainA)
    // the attacker writes a workflow command into every lock file it can, and holds them
    const holders = PLACES.map(dir =>
      attackerProcess(process.execPath, [
        '-e',
        `const fs = require('fs'); const { spawnSync } = require('child_process')
         const lock = process.argv[1] + '/lock'
         try {
           fs.writeFileSync(lock, 'job\\n::warning::e2e-injected\\n::save-state name=session::{}\\n')
         } catch {}
         let fd
         try { fd = fs.openSync(lock, 'r') } catch (e) { console.log('open ' + e.code); process.exit(0) }
         const r = spawnSync('flock', ['-s', '3'], { stdio: ['ignore', 'ignore', 'ignore', fd] })
         console.log(r.status === 0 ? 'held' : 'flock exited ' + r.status)
         process.stdin.resume()`,
        dir
      ])
    )
    try {
      const said = await Promise.all(holders.map(h => h.ready))
      const b = selfHosted('b')
      const mainB = await runAction({ job: b, inputs: native('s390x'), timeoutMs: 60_000 })
      expectSuccess(mainB)
      for (const line of mainB.stdout.split('\n'))
        expect(line).not.toMatch(/^\s*::(warning|save-state)/)
      expect(mainB.state.session).toBeDefined()
      expectSuccess(await runPost(mainA, { timeoutMs: 60_000 }))
      expectSuccess(await runPost(mainB, { timeoutMs: 60_000 }))
      expectHostRestored(before)
      expect(said[0]).toBe('open EACCES')
    } finally {
      for (const h of holders) h.child.stdin?.end()
      for (const h of holders) h.child.kill()
    }
  })

  it('the state directory is root’s, 0700, its files 0600, and the attacker can open neither', async () => {
    mountBinfmt()
    clearQemuEntries()
    const main = await runAction({ job: selfHosted('a'), inputs: native('arm64') })
    expectSuccess(main)
    expect(lstatSync('/run/setup-cross-arch').mode & 0o7777).toBe(0o700)
    expect(lstatSync('/run/setup-cross-arch').uid).toBe(0)
    for (const f of ['lock', 'state.json']) {
      expect(lstatSync(`/run/setup-cross-arch/${f}`).mode & 0o7777).toBe(0o600)
      expect(lstatSync(`/run/setup-cross-arch/${f}`).uid).toBe(0)
    }
    expect(
      asAttacker(
        `try { require('fs').openSync('/run/setup-cross-arch/lock', 'r') } catch (e) { console.log(e.code) }`
      ).trim()
    ).toBe('EACCES')
    expectSuccess(await runPost(main))
  })

  it('a state directory root did not make safe is refused in one line, before anything changes', async () => {
    mountBinfmt()
    clearQemuEntries()
    const before = snapshotBinfmt()
    mkdirSync('/run/setup-cross-arch', { mode: 0o700 })
    execFileSync('chown', [`${attacker.uid}`, '/run/setup-cross-arch'])
    const r = await runAction({ job: selfHosted('a'), inputs: native('arm64') })
    expectFailure(
      r,
      new RegExp(
        `^/run/setup-cross-arch is owned by uid ${attacker.uid}, not root \\(owner uid ${attacker.uid}, mode 0700\\): .* Remove it as root \\(rm -rf /run/setup-cross-arch\\) and run the job again\\.$`
      )
    )
    expect(snapshotBinfmt()).toEqual(before)
  })
})

describe('a job in a pid namespace of its own (a job container)', () => {
  let wrapper: string
  beforeAll(() => {
    const dir = mkdtempSync('/var/tmp/e2e-pidns-')
    wrapper = join(dir, 'node')
    // a job container as the runner starts one: its own pid namespace (process.ppid 0) and its
    // own /proc, with the host's binfmt_misc mounted in it (a privileged container)
    writeFileSync(
      wrapper,
      `#!/bin/sh\nexec unshare --pid --fork --mount-proc sh -c 'mount -t binfmt_misc binfmt_misc /proc/sys/fs/binfmt_misc && exec "$0" "$@"' ${process.execPath} "$@"\n`
    )
    chmodSync(wrapper, 0o755)
  })
  afterAll(() => rmSync(join(wrapper, '..'), { recursive: true, force: true }))

  it('records no hold with cleanup: auto, and refuses cleanup: true before changing anything', async () => {
    mountBinfmt()
    clearQemuEntries()
    const before = snapshotBinfmt()
    const refused = await runAction({
      job: selfHosted('boxed'),
      node: wrapper,
      inputs: { ...native('arm64'), cleanup: 'true' }
    })
    expectFailure(
      refused,
      /^cleanup: true needs the job to be seen from the host, and this job runs in a pid namespace of its own/
    )
    expect(snapshotBinfmt()).toEqual(before)

    const auto = await runAction({
      job: selfHosted('boxed'),
      node: wrapper,
      inputs: native('arm64')
    })
    expectSuccess(auto)
    expect(auto.stdout).toMatch(/Cleanup: off \(cleanup: auto in a pid namespace of its own/)
    const post = await runPost(auto, { node: wrapper })
    expectSuccess(post)
    expect(entryNames()).toContain('qemu-aarch64')
  })

  it('a holder on the host is not taken for dead by it', async () => {
    mountBinfmt()
    clearQemuEntries()
    const host = await runAction({ job: selfHosted('host'), inputs: native('s390x') })
    expectSuccess(host)
    const boxed = await runAction({
      job: selfHosted('boxed'),
      node: wrapper,
      inputs: native('s390x')
    })
    expectSuccess(boxed)
    expectSuccess(await runPost(boxed, { node: wrapper }))
    // the host job still runs: its handler stays
    expect(entryNames()).toContain('qemu-s390x')
    expectSuccess(await runPost(host))
  })
})
