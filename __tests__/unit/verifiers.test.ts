import { mkdtemp, writeFile } from 'node:fs/promises'
import * as os from 'node:os'
import { join } from 'node:path'
import { hostPlatform, lookupPlatform, type Platform } from '../../src/catalogue.js'
import type { Target } from '../../src/registrar/index.js'
import type { Docker } from '../../src/tools/docker.js'
import type { RunResult } from '../../src/tools/exec.js'
import { verifyByImage } from '../../src/verifier/image.js'
import { Probes, verifyByProbe } from '../../src/verifier/probe.js'
import { probeProgram } from '../../src/verifier/probe/index.js'

const t = (name: string, native = false): Target => ({
  platform: lookupPlatform(name) as Platform,
  native,
  why: ''
})
const ok = (stdout: string): RunResult => ({ code: 0, signal: null, stdout, stderr: '' })
const fail = (over: Partial<RunResult>): RunResult => ({
  code: null,
  signal: null,
  stdout: '',
  stderr: '',
  ...over
})

/** Stands in for Probes where a test needs a failure the host cannot produce on demand. */
const scripted = (results: Record<string, RunResult>) => {
  const calls: string[] = []
  return {
    calls,
    probes: {
      run: async (cpu: string, chroot?: unknown) => {
        calls.push(`${cpu}${chroot ? ' (chroot)' : ''}`)
        return results[cpu]
      }
    } as unknown as Probes
  }
}

describe('probe verification', () => {
  test("the host's own probe really runs here and passes as native", async () => {
    const probes = await Probes.create()
    try {
      const host = hostPlatform(os.machine()) as Platform
      const [v] = await verifyByProbe(
        [{ platform: host, native: true, why: '' }],
        os.machine(),
        probes,
        { interpreters: new Map() }
      )
      expect(v).toMatchObject({ machine: os.machine() })
      expect(v.problem).toBeUndefined()
    } finally {
      await probes.dispose()
    }
  })

  test('arm/v7 and arm/v6 share one run; chroot is used for emulated platforms only', async () => {
    const { probes, calls } = scripted({ arm: ok('armv7l\n'), x86_64: ok('x86_64\n') })
    const verdicts = await verifyByProbe(
      [t('arm/v7'), t('arm/v6'), t('amd64', true)],
      'x86_64',
      probes,
      {
        interpreters: new Map(),
        chroot: {} as never
      }
    )
    expect(verdicts.map(v => v.machine)).toEqual(['armv7l', 'armv7l', 'x86_64'])
    expect(calls.sort()).toEqual(['arm (chroot)', 'x86_64'])
  })

  test('failures are explained: exec format error, missing or dynamic interpreter, F not in effect, crash, wrong machine', async () => {
    const dir = await mkdtemp(join(os.tmpdir(), 'interp-'))
    await writeFile(join(dir, 'static'), probeProgram('aarch64'))
    const { probes } = scripted({
      aarch64: fail({ startError: 'ENOEXEC' }),
      s390x: fail({ startError: 'ENOENT' }),
      ppc64le: fail({
        code: 127,
        stderr: "chroot: failed to run command '/probe-ppc64le': No such file or directory"
      }),
      riscv64: fail({
        code: 127,
        stderr: "chroot: failed to run command '/probe-riscv64': No such file or directory"
      }),
      mips64el: fail({ signal: 'SIGSEGV' }),
      arm: ok('x86_64\n')
    })
    const verdicts = await verifyByProbe(
      [t('arm64'), t('s390x'), t('ppc64le'), t('riscv64'), t('mips64le'), t('arm/v7')],
      'x86_64',
      probes,
      {
        chroot: {} as never,
        interpreters: new Map([
          ['s390x', '/nonexistent/qemu-s390x-static'],
          ['ppc64le', process.execPath],
          ['riscv64', join(dir, 'static')]
        ])
      }
    )
    expect(verdicts.map(v => v.problem)).toEqual([
      'probe failed: exec format error: no enabled handler took the binary (is qemu-aarch64 registered and enabled?)',
      'probe failed: the interpreter /nonexistent/qemu-s390x-static of qemu-s390x does not exist',
      `probe failed: the interpreter ${process.execPath} of qemu-ppc64le is dynamically linked, so it cannot run where its libraries are absent`,
      'probe failed: qemu-riscv64 could not run where its interpreter path does not exist (the F flag is not in effect)',
      'probe failed: it was killed by SIGSEGV (the emulator crashed; try another qemu-version)',
      'probe printed x86_64, expected armv7l'
    ])
  })

  test('a CPU without a probe is skipped, not passed', async () => {
    const { probes } = scripted({})
    const [v] = await verifyByProbe([t('loong64')], 'x86_64', probes, { interpreters: new Map() })
    expect(v.skipped).toBe('no probe program for loongarch64')
  })
})

/** A docker CLI stand-in: pulls by platform and runs image IDs. */
class ImageDocker {
  tag = ''
  calls: string[] = []
  constructor(private readonly variants: Record<string, string | RunResult>) {}
  async pull(_image: string, platform: string): Promise<RunResult> {
    this.calls.push(`pull ${platform}`)
    if (!(platform in this.variants))
      return fail({
        code: 1,
        stderr: `no matching manifest for ${platform} in the manifest list entries\n`
      })
    this.tag = platform
    return ok('')
  }
  async imageId(): Promise<string> {
    return `sha256:${this.tag}`
  }
  async run(id: string): Promise<RunResult> {
    const v = this.variants[id.replace('sha256:', '')]
    this.calls.push(`run ${id}`)
    return typeof v === 'string' ? ok(`${v}\n`) : v
  }
}

describe('image verification', () => {
  test('pulls one platform at a time, runs each resolved image, compares uname -m', async () => {
    const docker = new ImageDocker({ 'linux/arm64': 'aarch64', 'linux/s390x': 's390x' })
    const verdicts = await verifyByImage(
      [t('arm64'), t('s390x')],
      'x86_64',
      docker as unknown as Docker,
      'reg/busybox'
    )
    expect(verdicts.map(v => [v.machine, v.problem])).toEqual([
      ['aarch64', undefined],
      ['s390x', undefined]
    ])
    expect(docker.calls.slice(0, 2)).toEqual(['pull linux/arm64', 'pull linux/s390x'])
  })

  test('a variant holding the wrong binary, a missing variant, exec format error', async () => {
    const docker = new ImageDocker({
      'linux/arm64': 'x86_64',
      'linux/ppc64le': fail({ code: 1, stderr: 'exec /bin/uname: exec format error\n' })
    })
    const verdicts = await verifyByImage(
      [t('arm64'), t('riscv64'), t('ppc64le')],
      'x86_64',
      docker as unknown as Docker,
      'reg/liar'
    )
    expect(verdicts.map(v => v.problem)).toEqual([
      'reg/liar for linux/arm64 printed x86_64, expected aarch64',
      expect.stringMatching(
        /^reg\/liar has no linux\/riscv64 variant \(no matching manifest.*\); name an image that has one in verify-image, or use verify: probe$/
      ),
      'reg/liar (linux/ppc64le) failed with exec format error: no working handler inside containers (was it registered with F?)'
    ])
  })

  test('without verify-image, platforms no default image has are skipped', async () => {
    const docker = new ImageDocker({})
    const [v] = await verifyByImage([t('mips64le')], 'x86_64', docker as unknown as Docker, '')
    expect(v.skipped).toMatch(/no default verify image has linux\/mips64le; set verify-image/)
    expect(docker.calls).toEqual([])
  })
})
