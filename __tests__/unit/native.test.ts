import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { FakeNativeRuns, FakeProbes } from '../../__fixtures__/fake-host.js'
import { lookupPlatform, type Platform } from '../../src/catalogue.js'
import type { BinfmtEntry } from '../../src/host/entry.js'
import { classify, JobNativeRuns, jobNativeRuns } from '../../src/host/native.js'

const platforms = (...names: string[]): Platform[] => names.map(n => lookupPlatform(n) as Platform)
const x86Host = {
  machine: 'x86_64',
  platform: lookupPlatform('linux/amd64') as Platform,
  family: 'i386'
}
const handler = (name: string, enabled = true): BinfmtEntry => ({
  name,
  enabled,
  interpreter: '/q',
  flags: 'F',
  offset: 0,
  magic: '00',
  mask: 'ff'
})

describe('classify', () => {
  test('the host itself is native; another family is emulated, without running anything', async () => {
    const probes = new FakeProbes()
    const targets = await classify(platforms('amd64', 'arm64', 's390x'), x86Host, probes, [])
    expect(targets.map(t => [t.platform.name, t.native, t.why])).toEqual([
      ['linux/amd64', true, 'the host architecture'],
      ['linux/arm64', false, 'foreign CPU family'],
      ['linux/s390x', false, 'foreign CPU family']
    ])
    expect(probes.runs).toEqual([])
  })

  test('a family member is native only when its probe runs here and prints the host machine', async () => {
    const runs = await classify(
      platforms('386'),
      x86Host,
      new FakeProbes({ i386: { stdout: 'x86_64\n' } }),
      []
    )
    expect(runs[0]).toMatchObject({ native: true, why: 'its probe ran natively (printed x86_64)' })
    const fails = await classify(
      platforms('386'),
      x86Host,
      new FakeProbes({ i386: { code: 126, stderr: 'Exec format error' } }),
      []
    )
    expect(fails[0]).toMatchObject({
      native: false,
      why: 'this x86_64 host cannot run i386 binaries natively'
    })
    const other = await classify(
      platforms('386'),
      x86Host,
      new FakeProbes({ i386: { stdout: 'i686\n' } }),
      []
    )
    expect(other[0].native).toBe(false)
  })

  test('an enabled handler for a family member makes it emulated (binfmt_misc comes first); a disabled one does not', async () => {
    const probes = new FakeProbes({ i386: { stdout: 'x86_64\n' } })
    const [held] = await classify(platforms('386'), x86Host, probes, [handler('qemu-i386')])
    expect(held).toMatchObject({ native: false, why: 'the existing qemu-i386 handler runs them' })
    expect(probes.runs).toEqual([])
    const [disabled] = await classify(platforms('386'), x86Host, probes, [
      handler('qemu-i386', false)
    ])
    expect(disabled.native).toBe(true)
  })

  test('a family member without a probe is taken as native by the family', async () => {
    const host = {
      machine: 'x86_64',
      platform: lookupPlatform('linux/amd64') as Platform,
      family: 'mips'
    }
    const [t] = await classify(platforms('mips64le'), host, new FakeProbes({}, []), [])
    expect(t).toMatchObject({ native: true, why: 'the mips family runs natively' })
  })

  test('arm/v7 and arm/v6 on an arm64 host share one native run; what it printed is remembered for the job', async () => {
    const arm64Host = {
      machine: 'aarch64',
      platform: lookupPlatform('linux/arm64') as Platform,
      family: 'arm'
    }
    const memo = new FakeNativeRuns()
    const probes = new FakeProbes({ arm: { stdout: 'aarch64\n' } })
    const first = await classify(
      platforms('arm/v7', 'arm/v6', 'amd64'),
      arm64Host,
      probes,
      [],
      memo
    )
    expect(first.map(t => t.native)).toEqual([true, true, false])
    expect(probes.runs).toEqual(['arm'])
    expect(memo.known.get('arm')).toBe('aarch64')
    const again = await classify(platforms('arm/v7'), arm64Host, probes, [], memo)
    expect(again[0].native).toBe(true)
    expect(probes.runs).toEqual(['arm']) // not run again
    // a CPU that could not run natively is remembered as such
    const noArm = new FakeProbes({ arm: { code: 1 } })
    const memo2 = new FakeNativeRuns()
    await classify(platforms('arm/v7'), arm64Host, noArm, [], memo2)
    expect(memo2.known.get('arm')).toBeNull()
    const [later] = await classify(platforms('arm/v7'), arm64Host, noArm, [], memo2)
    expect(later.native).toBe(false)
    expect(noArm.runs).toEqual(['arm'])
  })
})

describe('JobNativeRuns', () => {
  let dir: string
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'native-runs-'))
  })
  afterEach(() => rmSync(dir, { recursive: true, force: true }))

  test('remembers what a CPU printed in a file, for the same boot only', () => {
    const file = join(dir, 'runs.json')
    const a = new JobNativeRuns(file, 'boot-1')
    expect(a.get('i386')).toBeUndefined()
    a.set('i386', 'x86_64')
    a.set('arm', undefined)
    const b = new JobNativeRuns(file, 'boot-1')
    expect(b.get('i386')).toBe('x86_64')
    expect(b.get('arm')).toBeNull()
    expect(b.get('toString')).toBeUndefined()
    expect(new JobNativeRuns(file, 'boot-2').get('i386')).toBeUndefined()
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual({
      boot: 'boot-1',
      printed: { i386: 'x86_64', arm: null }
    })
  })

  test('an unreadable file is nothing known; an unwritable one is only a lost shortcut', () => {
    const file = join(dir, 'runs.json')
    writeFileSync(file, '{not json')
    expect(new JobNativeRuns(file, 'b').get('i386')).toBeUndefined()
    const nowhere = new JobNativeRuns(join(dir, 'missing', 'runs.json'), 'b')
    expect(() => nowhere.set('i386', 'x86_64')).not.toThrow()
    expect(nowhere.get('i386')).toBe('x86_64')
  })

  test('kept in the job’s RUNNER_TEMP; without one, in memory only (never a fixed name in /tmp)', () => {
    const inTemp = jobNativeRuns({ RUNNER_TEMP: dir }, 'b')
    inTemp.set('i386', 'x86_64')
    expect(readdirSync(dir)).toEqual(['setup-cross-arch-native-runs.json'])
    expect(jobNativeRuns({ RUNNER_TEMP: dir }, 'b').get('i386')).toBe('x86_64')
    const before = readdirSync(tmpdir())
    const memory = jobNativeRuns({ TMPDIR: dir }, 'b')
    memory.set('arm', 'armv7l')
    expect(memory.get('arm')).toBe('armv7l')
    expect(
      readdirSync(tmpdir()).filter(f => !before.includes(f) && f.includes('native-runs'))
    ).toEqual([])
    expect(readdirSync(dir)).toEqual(['setup-cross-arch-native-runs.json'])
    expect(jobNativeRuns({}, 'b').get('arm')).toBeUndefined()
  })
})
