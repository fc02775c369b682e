import { lookupPlatform, PLATFORMS, type Platform } from '../../src/catalogue.js'
import { parseEntry } from '../../src/host/entry.js'
import type { RunResult, Target } from '../../src/model.js'
import { runnablePlatforms, type Runnable } from '../../src/report/runnable.js'

const p = (n: string) => lookupPlatform(n) as Platform
/** An x86_64 host that runs linux/386 natively: every catalogue platform classified. */
const classified: Target[] = PLATFORMS.map(platform => ({
  platform,
  native: platform.cpu === 'x86_64' || platform.cpu === 'i386',
  why: ''
}))
const entry = (cpu: string, flags: string, enabled = true) =>
  parseEntry(
    `qemu-${cpu}`,
    `${enabled ? 'enabled' : 'disabled'}\ninterpreter /opt/qemu-${cpu}\nflags: ${flags}\noffset 0\nmagic 7f454c46\nmask ffffffff\n`
  )
const ok = (stdout: string): RunResult => ({ code: 0, signal: null, stdout, stderr: '' })

const base = (over: Partial<Runnable> = {}): Runnable => ({
  classified,
  requested: new Set(['linux/arm64']),
  verdicts: new Map(),
  handlers: new Map([['aarch64', entry('aarch64', 'OCF')]]),
  entries: [entry('aarch64', 'OCF')],
  hasFile: () => false,
  hasProbe: () => true,
  ...over
})

describe('runnablePlatforms', () => {
  test('native platforms and the requested ones registered, in catalogue order', async () => {
    expect(await runnablePlatforms(base())).toEqual(['linux/amd64', 'linux/arm64', 'linux/386'])
  })

  test('a requested platform not registered, or shown broken, is not runnable', async () => {
    expect(await runnablePlatforms(base({ handlers: new Map() }))).toEqual([
      'linux/amd64',
      'linux/386'
    ])
    const broken = base({
      verdicts: new Map([
        ['linux/arm64', { target: { platform: p('arm64'), native: false, why: '' }, problem: 'x' }]
      ])
    })
    expect(await runnablePlatforms(broken)).toEqual(['linux/amd64', 'linux/386'])
  })

  test('found handlers: enabled, with F or an interpreter on the host; both arm platforms share qemu-arm', async () => {
    const entries = [
      entry('s390x', 'F'),
      entry('riscv64', 'F', false),
      entry('ppc64le', ''),
      entry('arm', 'OC'),
      entry('mips64', '')
    ]
    const r = base({ entries, hasFile: path => path === '/opt/qemu-arm' })
    expect(await runnablePlatforms(r)).toEqual([
      'linux/amd64',
      'linux/arm64',
      'linux/arm/v7',
      'linux/arm/v6',
      'linux/s390x',
      'linux/386'
    ])
  })

  test('with probes: a found handler counts only when its probe prints its machine; one run for all', async () => {
    const asked: string[][] = []
    const r = base({
      entries: [entry('s390x', 'F'), entry('ppc64le', 'F'), entry('loongarch64', 'F')],
      hasProbe: cpu => cpu !== 'loongarch64',
      probe: async cpus => {
        asked.push([...cpus])
        return new Map([
          ['s390x', ok('s390x\n')],
          ['ppc64le', ok('x86_64\n')]
        ])
      }
    })
    expect(await runnablePlatforms(r)).toEqual([
      'linux/amd64',
      'linux/arm64',
      'linux/s390x',
      'linux/386',
      'linux/loong64'
    ])
    expect(asked).toEqual([['ppc64le', 's390x']])
  })
})
