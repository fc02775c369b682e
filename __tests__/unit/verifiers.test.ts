import { jest } from '@jest/globals'
import * as core from '../../__fixtures__/core.js'
import { FakeDocker, ran, type FakeImage } from '../../__fixtures__/fake-docker.js'
import { FakeProbes } from '../../__fixtures__/fake-host.js'
import { FakeKernel } from '../../__fixtures__/fake-kernel.js'

jest.unstable_mockModule('@actions/core', () => core)

const { emulatorFor, lookupPlatform } = await import('../../src/catalogue.js')
const { verifyByImage } = await import('../../src/verifier/image.js')
const { verifyByProbe } = await import('../../src/verifier/probe.js')
const { passed } = await import('../../src/verifier/verifier.js')
import type { Platform } from '../../src/catalogue.js'
import type { RunResult, Target } from '../../src/model.js'

const t = (name: string, native = false): Target => ({
  platform: lookupPlatform(name) as Platform,
  native,
  why: ''
})

beforeEach(() => core.reset())

describe('verifyByProbe', () => {
  const asRoot = {
    run: async (): Promise<RunResult> => ran(0)
  }

  test('each probe prints its machine: passed', async () => {
    const probes = new FakeProbes({
      aarch64: { stdout: 'aarch64\n' },
      s390x: { stdout: 's390x\n' },
      i386: { stdout: 'i686\n' }
    })
    const verdicts = await verifyByProbe([t('arm64'), t('s390x'), t('386')], 'x86_64', probes, {
      interpreters: new Map()
    })
    expect(verdicts.map(v => [v.target.platform.name, v.machine, v.problem])).toEqual([
      ['linux/arm64', 'aarch64', undefined],
      ['linux/s390x', 's390x', undefined],
      ['linux/386', 'i686', undefined]
    ])
    expect(verdicts.every(passed)).toBe(true)
  })

  test('arm/v7 and arm/v6 share one run, in the chroot; native platforms are not run again', async () => {
    const probes = new FakeProbes({ arm: { stdout: 'armv7l\n' }, x86_64: { stdout: 'x86_64\n' } })
    const verdicts = await verifyByProbe(
      [t('arm/v7'), t('arm/v6'), t('amd64', true)],
      'x86_64',
      probes,
      { interpreters: new Map(), chroot: asRoot }
    )
    expect(verdicts.map(v => v.machine)).toEqual(['armv7l', 'armv7l', 'x86_64'])
    expect(verdicts.every(passed)).toBe(true)
    // the host's own platform, or a family member classification already ran natively
    expect(probes.runs.sort()).toEqual(['arm (chroot)'])
  })

  test('a native platform must print the host machine, an emulated one QEMU’s name', async () => {
    // i386 run natively on an x86_64 host prints x86_64; under QEMU it prints i686
    const probes = new FakeProbes({ i386: { stdout: 'x86_64\n' } })
    const [native] = await verifyByProbe([t('386', true)], 'x86_64', probes, {
      interpreters: new Map()
    })
    expect(native).toEqual({ target: t('386', true), machine: 'x86_64' })
    const [emulated] = await verifyByProbe([t('386')], 'x86_64', probes, {
      interpreters: new Map()
    })
    expect(emulated.problem).toBe('probe printed x86_64, expected i686')
  })

  test('printing the wrong machine, or nothing, is a problem naming both', async () => {
    const probes = new FakeProbes({ aarch64: { stdout: 'x86_64\n' }, riscv64: { stdout: '' } })
    const verdicts = await verifyByProbe([t('arm64'), t('riscv64')], 'x86_64', probes, {
      interpreters: new Map()
    })
    expect(verdicts.map(v => [v.machine, v.problem])).toEqual([
      ['x86_64', 'probe printed x86_64, expected aarch64'],
      ['', 'probe printed (nothing), expected riscv64']
    ])
  })

  test('a failed run is a problem saying why', async () => {
    const probes = new FakeProbes({
      s390x: { code: 1, stderr: 'qemu: uncaught target signal 4\n' }
    })
    const [v] = await verifyByProbe([t('s390x')], 'x86_64', probes, { interpreters: new Map() })
    expect(v.problem).toBe('probe failed: it exited 1: qemu: uncaught target signal 4')
    expect(passed(v)).toBe(false)
  })

  test('a CPU without a probe is skipped, not passed, and nothing runs', async () => {
    const probes = new FakeProbes()
    const [v] = await verifyByProbe([t('loong64')], 'x86_64', probes, { interpreters: new Map() })
    expect(v).toEqual({ target: t('loong64'), skipped: 'no probe program for loongarch64' })
    expect(passed(v)).toBe(false)
    expect(probes.runs).toEqual([])
  })
})

/** A variant of the multi-arch alpine image: its programs print `machine`, through QEMU for `cpu`. */
const variant = (arch: string, machine: string, cpu?: string): FakeImage => ({
  id: `sha256:alpine-${arch}`,
  entrypoint: [],
  machine,
  emulatedBy: cpu
})
const AMD64 = variant('amd64', 'x86_64')
const ARM64 = variant('arm64', 'aarch64', 'aarch64')
const S390X = variant('s390x', 's390x', 's390x')
const ARMV7 = variant('armv7', 'armv7l', 'arm')

/** A host with alpine:3.22 in its registry, and working F handlers for these CPUs. */
function machine(...cpus: string[]): FakeDocker {
  const kernel = new FakeKernel()
  for (const cpu of cpus) register(kernel, cpu, 'F')
  const docker = new FakeDocker(kernel)
  docker.registry.set('alpine:3.22', {
    'linux/amd64': AMD64,
    'linux/arm64': ARM64,
    'linux/s390x': S390X,
    'linux/arm/v7': ARMV7
  })
  return docker
}

function register(kernel: FakeKernel, cpu: string, flags: string): void {
  const e = emulatorFor(cpu)
  kernel.register(`:qemu-${cpu}:M::${e.magic}:${e.mask}:/usr/bin/qemu-${cpu}-static:${flags}`)
}

/** Local tags and image IDs, as `docker image ls` would show them. */
const local = (docker: FakeDocker) => ({
  tags: Object.fromEntries(docker.tags),
  images: [...docker.images.keys()].sort()
})

describe('verifyByImage', () => {
  test('pulls one platform at a time, runs each variant by ID, compares uname -m', async () => {
    const docker = machine('aarch64', 's390x')
    const verdicts = await verifyByImage([t('arm64'), t('s390x')], 'x86_64', docker, '')
    expect(verdicts).toEqual([
      { target: t('arm64'), machine: 'aarch64' },
      { target: t('s390x'), machine: 's390x' }
    ])
    const pulls = docker.calls.filter(c => c[0] === 'pull')
    expect(pulls).toEqual([
      ['pull', '--platform', 'linux/arm64', 'alpine:3.22'],
      ['pull', '--platform', 'linux/s390x', 'alpine:3.22']
    ])
    const runs = docker.calls.filter(c => c[0] === 'run')
    expect(runs).toEqual([
      ['run', '--network', 'none', 'sha256:alpine-arm64', 'uname', '-m'],
      ['run', '--network', 'none', 'sha256:alpine-s390x', 'uname', '-m']
    ])
  })

  test("a tag the user had points at the same image afterwards (the host's variant)", async () => {
    const docker = machine('aarch64', 's390x').load('alpine:3.22', AMD64)
    await verifyByImage([t('arm64'), t('s390x')], 'x86_64', docker, '')
    expect(await docker.imageId('alpine:3.22')).toBe('sha256:alpine-amd64')
    // a later `docker run alpine:3.22` in the job runs the host's variant, as without the action
    expect((await docker.run('alpine:3.22', ['uname', '-m'])).stdout).toBe('x86_64\n')
    expect(local(docker)).toEqual({
      tags: { 'alpine:3.22': 'sha256:alpine-amd64' },
      images: ['sha256:alpine-amd64']
    })
  })

  test('a tag that did not exist does not exist afterwards, and nothing pulled is left', async () => {
    const docker = machine('aarch64', 's390x')
    docker.load('busybox:latest', { id: 'sha256:busybox', entrypoint: [] })
    await verifyByImage([t('arm64'), t('s390x')], 'x86_64', docker, '')
    expect(await docker.imageId('alpine:3.22')).toBeUndefined()
    expect(local(docker)).toEqual({
      tags: { 'busybox:latest': 'sha256:busybox' },
      images: ['sha256:busybox']
    })
  })

  test('a variant the user has under another tag is never removed', async () => {
    const docker = machine('aarch64', 's390x')
      .load('alpine:3.22', AMD64)
      .load('mirror.example.com/alpine-arm64:3.22', ARM64)
    await verifyByImage([t('arm64'), t('s390x')], 'x86_64', docker, '')
    expect(local(docker)).toEqual({
      tags: {
        'alpine:3.22': 'sha256:alpine-amd64',
        'mirror.example.com/alpine-arm64:3.22': 'sha256:alpine-arm64'
      },
      images: ['sha256:alpine-amd64', 'sha256:alpine-arm64']
    })
  })

  test('a native platform pulled under the tag keeps its image (it is what the tag named)', async () => {
    const docker = machine('aarch64').load('alpine:3.22', AMD64)
    const verdicts = await verifyByImage([t('amd64', true), t('arm64')], 'x86_64', docker, '')
    expect(verdicts.map(v => v.machine)).toEqual(['x86_64', 'aarch64'])
    expect(local(docker)).toEqual({
      tags: { 'alpine:3.22': 'sha256:alpine-amd64' },
      images: ['sha256:alpine-amd64']
    })
  })

  test('tags are put back when a check fails too', async () => {
    const docker = machine().load('alpine:3.22', AMD64)
    const verdicts = await verifyByImage([t('arm64'), t('riscv64')], 'x86_64', docker, '')
    expect(verdicts.every(v => v.problem)).toBe(true)
    expect(local(docker)).toEqual({
      tags: { 'alpine:3.22': 'sha256:alpine-amd64' },
      images: ['sha256:alpine-amd64']
    })
  })

  test('a tag that cannot be put back is a warning naming it', async () => {
    class StuckTags extends FakeDocker {
      async tag(): Promise<RunResult> {
        return ran(1, '', 'Error: permission denied\n')
      }
    }
    const docker = new StuckTags(machine('aarch64').kernel)
    docker.registry.set('alpine:3.22', { 'linux/arm64': ARM64 })
    docker.load('alpine:3.22', AMD64)
    const [v] = await verifyByImage([t('arm64')], 'x86_64', docker, '')
    expect(v.machine).toBe('aarch64')
    expect(core.seen.warnings).toEqual([
      'Could not put the tag alpine:3.22 back (Error: permission denied); it now names the variant verified last.'
    ])
    // the variant still tagged is not removed from under the tag
    expect(await docker.imageId('alpine:3.22')).toBe('sha256:alpine-arm64')
  })

  test('"no matching manifest" names the platform, the image and verify-image', async () => {
    const docker = machine('riscv64')
    const [v] = await verifyByImage([t('riscv64')], 'x86_64', docker, '')
    expect(v.problem).toBe(
      'alpine:3.22 has no linux/riscv64 variant (no matching manifest for linux/riscv64 in the manifest list entries); name an image that has one in verify-image, or use verify: probe'
    )
    expect(docker.calls.filter(c => c[0] === 'run')).toEqual([])
  })

  test('each way a registry says a platform is missing is read as a missing variant', async () => {
    for (const why of [
      'no matching manifest for linux/s390x in the manifest list entries',
      'image with reference x was found but does not provide the specified platform (linux/s390x)',
      'manifest unknown: not found for platform linux/s390x'
    ]) {
      const docker = machine('s390x')
      docker.pull = async () => ran(1, '', `Error: ${why}\n`)
      const [v] = await verifyByImage([t('s390x')], 'x86_64', docker, 'i')
      expect(v.problem).toMatch(/^i has no linux\/s390x variant \(/)
    }
  })

  test('pulled but not resolvable, or printing nothing: each a problem in words', async () => {
    const docker = machine('aarch64')
    const imageId = docker.imageId.bind(docker)
    docker.imageId = async ref =>
      ref === 'alpine:3.22' && docker.calls.some(c => c[0] === 'pull') ? undefined : imageId(ref)
    const [gone] = await verifyByImage([t('arm64')], 'x86_64', docker, '')
    expect(gone.problem).toBe('alpine:3.22 could not be resolved after pulling')
    const quiet = machine('aarch64')
    quiet.run = async () => ran(0, '\n')
    const [v] = await verifyByImage([t('arm64')], 'x86_64', quiet, '')
    expect(v.problem).toBe('alpine:3.22 for linux/arm64 printed (nothing), expected aarch64')
  })

  test('tags already right are left alone; a removal that fails is a warning naming the tag', async () => {
    // the only pull fails: the user's tag still names what it named, and is not touched
    const docker = machine('riscv64').load('alpine:3.22', AMD64)
    await verifyByImage([t('riscv64')], 'x86_64', docker, '')
    expect(docker.calls.filter(c => c[0] === 'tag' || c[0] === 'rmi')).toEqual([])
    expect(core.seen.warnings).toEqual([])
    const fresh = machine('aarch64')
    fresh.untag = async () => ran(1, '', 'Error: busy\n')
    await verifyByImage([t('arm64')], 'x86_64', fresh, '')
    expect(core.seen.warnings).toEqual([
      'Could not put the tag alpine:3.22 back (Error: busy); it now names the variant pulled for verification.'
    ])
  })

  test('an image that cannot be pulled at all says to check verify-image and the registry', async () => {
    const docker = machine('aarch64')
    const [v] = await verifyByImage([t('arm64')], 'x86_64', docker, 'registry.example.com/nothing')
    expect(v.problem).toBe(
      'could not pull registry.example.com/nothing for linux/arm64: Error response from daemon: manifest for registry.example.com/nothing not found; check verify-image and that its registry is reachable'
    )
    expect(local(docker)).toEqual({ tags: {}, images: [] })
  })

  test('exec format error: no working handler inside containers', async () => {
    const docker = machine('aarch64')
    const verdicts = await verifyByImage([t('arm64'), t('s390x')], 'x86_64', docker, '')
    expect(verdicts.map(v => v.problem)).toEqual([
      undefined,
      'alpine:3.22 (linux/s390x) failed with exec format error: no working handler inside containers (was it registered with F?)'
    ])
  })

  test('a handler without F cannot reach its interpreter inside the container', async () => {
    const docker = machine()
    register(docker.kernel, 'aarch64', '')
    const [v] = await verifyByImage([t('arm64')], 'x86_64', docker, '')
    expect(v.problem).toBe(
      'uname -m in alpine:3.22 (linux/arm64) exited 255: exec /bin/uname: no such file or directory'
    )
  })

  test('a variant holding the wrong binary is caught by the machine it prints', async () => {
    const docker = machine('aarch64')
    // a mislabelled image: its arm64 variant holds amd64 binaries
    docker.registry.set('reg/liar', { 'linux/arm64': variant('liar', 'x86_64') })
    const [v] = await verifyByImage([t('arm64')], 'x86_64', docker, 'reg/liar')
    expect(v).toEqual({
      target: t('arm64'),
      machine: 'x86_64',
      problem: 'reg/liar for linux/arm64 printed x86_64, expected aarch64'
    })
    expect(local(docker)).toEqual({ tags: {}, images: [] })
  })

  test('arm/v7 prints armv7l', async () => {
    const docker = machine('arm')
    const [v] = await verifyByImage([t('arm/v7')], 'x86_64', docker, '')
    expect(v).toEqual({ target: t('arm/v7'), machine: 'armv7l' })
  })

  test('without verify-image, platforms no default image has are skipped and nothing is pulled', async () => {
    const docker = machine('mips64el')
    const [v] = await verifyByImage([t('mips64le')], 'x86_64', docker, '')
    expect(v).toEqual({
      target: t('mips64le'),
      skipped: 'no default verify image has linux/mips64le; set verify-image to check it'
    })
    expect(docker.calls).toEqual([])
  })

  test('verify-image replaces the default for every platform', async () => {
    const docker = machine('mips64el')
    docker.registry.set('reg/debian', {
      'linux/mips64le': variant('mips64le', 'mips64', 'mips64el')
    })
    const [v] = await verifyByImage([t('mips64le')], 'x86_64', docker, 'reg/debian')
    expect(v).toEqual({ target: t('mips64le'), machine: 'mips64' })
    expect(local(docker)).toEqual({ tags: {}, images: [] })
  })
})
