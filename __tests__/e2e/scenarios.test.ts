// Registration scenarios against the real kernel, Docker engine and loopback registry.
import { describe, expect, it } from '@jest/globals'
import {
  BUSYBOX_PLATFORMS,
  clearQemuEntries,
  dockerUname,
  EMULATOR,
  enableDistroHandlers,
  expectFailure,
  expectHandler,
  expectHostUnchanged,
  expectSuccess,
  expectSummaryRows,
  hostRunsI386Natively,
  hostUname,
  IMAGES,
  isMounted,
  list,
  machines,
  mountBinfmt,
  readEntryText,
  registerEntry,
  runAction,
  snapshotBinfmt,
  unmountBinfmt,
  useBench
} from './helpers/index.js'

useBench()
const container = {
  registrar: 'container',
  image: IMAGES.registrar,
  'verify-image': IMAGES.busybox
}

// Emulated platforms every "all" run must make runnable here (the registrar image carries these).
const CORE = ['linux/arm64', 'linux/arm/v7', 'linux/arm/v6', 'linux/ppc64le', 'linux/s390x']

describe('container registrar', () => {
  it('defaults: all platforms, registered with C and F on the host, containers run', async () => {
    // registrar: auto writes the handlers itself when the job can act as root, with the host's
    // static emulators when it has them (this bench's Debian qemu-user-static)
    const native386 = await hostRunsI386Natively()
    const r = await runAction({ scenario: 'defaults (auto, all)', inputs: {} })
    expectSuccess(r)
    expect(r.outputs.registrar).toBe('native')
    expect(r.stdout).toMatch(/Registrar: native \(this job can act as root \(root\)/)
    expect(r.stdout).toMatch(
      /Emulators: host \(every emulator needed is already on the host, statically linked\)/
    )
    const platforms = list(r.outputs.platforms)
    expect(platforms).toEqual(
      expect.arrayContaining([...CORE, 'linux/riscv64', 'linux/amd64', 'linux/386'])
    )
    const emulators = list(r.outputs.emulators)
    expect(emulators).toEqual(
      expect.arrayContaining(['qemu-aarch64', 'qemu-arm', 'qemu-ppc64le', 'qemu-s390x'])
    )
    for (const name of emulators) {
      expectHandler(name, { flagsInclude: 'OCF', interpreter: `/usr/bin/${name}-static` })
    }
    expect(r.warnings).toEqual([])
    expect(r.outputs.verified).toBe('true')
    expect(machines(r)).toMatchObject({
      'linux/arm64': 'aarch64',
      'linux/ppc64le': 'ppc64le',
      'linux/s390x': 's390x',
      'linux/386': native386 ? 'x86_64' : 'i686',
      // tonistiigi/binfmt's all has mips64 too
      'linux/mips64': 'mips64'
    })
    expect(r.outputs['qemu-version']).toMatch(/\d+\.\d+/)
    expectSummaryRows(r, platforms)
    expect(isMounted()).toBe(true)
    expect(await dockerUname('linux/arm64')).toBe('aarch64')
    expect(await dockerUname('linux/s390x')).toBe('s390x')
    expect(await hostUname('ppc64el')).toBe('ppc64le')
  })

  it('the container registrar over every platform it can register', async () => {
    const r = await runAction({
      scenario: 'container, all foreign families',
      inputs: {
        ...container,
        platforms: [...CORE, 'linux/riscv64', 'linux/mips64le', 'linux/amd64'].join(',')
      }
    })
    expectSuccess(r)
    expect(r.outputs.registrar).toBe('container')
    for (const name of list(r.outputs.emulators)) {
      expectHandler(name, { flagsInclude: 'OCF', interpreter: `/usr/bin/${name}-static` })
    }
    expect(machines(r)).toMatchObject({
      'linux/riscv64': 'riscv64',
      'linux/mips64le': 'mips64',
      'linux/amd64': 'x86_64'
    })
    expect(await dockerUname('linux/mips64le')).toBe('mips64')
  })

  it('registrar: container refuses, before any change, a platform whose emulator the image lacks', async () => {
    if (await hostRunsI386Natively()) {
      // nothing to refuse on a host that runs i386 natively: the platform is native there
      const r = await runAction({
        scenario: 'container, 386 native',
        inputs: { ...container, platforms: 'linux/386' }
      })
      expectSuccess(r)
      expect(r.stdout).toMatch(/linux\/386: native/)
      return
    }
    const before = snapshotBinfmt()
    const r = await runAction({
      scenario: 'container, 386 not native',
      inputs: { ...container, platforms: 'linux/arm64,linux/386' }
    })
    // the bench's image carries what multiarch's script registers: not the host's own family
    expectFailure(r, /carries no emulator for linux\/386 \(qemu-i386-static\)/, /registrar: native/)
    expectHostUnchanged(before)
  })

  it('a subset: linux/arm64,ppc64le', async () => {
    const r = await runAction({
      scenario: 'subset arm64,ppc64le',
      inputs: { ...container, platforms: 'linux/arm64,ppc64le' }
    })
    expectSuccess(r)
    const platforms = list(r.outputs.platforms)
    expect(platforms).toEqual(expect.arrayContaining(['linux/arm64', 'linux/ppc64le']))
    expect(list(r.outputs.emulators)).toEqual(
      expect.arrayContaining(['qemu-aarch64', 'qemu-ppc64le'])
    )
    expectHandler('qemu-aarch64', { flagsInclude: 'OCF' })
    expectHandler('qemu-ppc64le', { flagsInclude: 'OCF' })
    const m = machines(r)
    expect(m).toMatchObject({ 'linux/arm64': 'aarch64', 'linux/ppc64le': 'ppc64le' })
    expect(Object.keys(m).sort()).toEqual(['linux/arm64', 'linux/ppc64le'])
    expectSummaryRows(r, ['linux/arm64', 'linux/ppc64le'])
    expect(await dockerUname('linux/arm64')).toBe('aarch64')
    expect(await dockerUname('linux/ppc64le')).toBe('ppc64le')
  })

  it('verify: image over every platform of the test image', async () => {
    // linux/386 runs natively on most x86_64 hosts (uname -m: x86_64); where the kernel cannot run
    // i386 binaries it must be emulated like the others (i686).
    const native386 = await hostRunsI386Natively()
    const want: Record<string, string> = {
      ...BUSYBOX_PLATFORMS,
      'linux/386': native386 ? 'x86_64' : 'i686'
    }
    const platforms = Object.keys(want)
    const r = await runAction({
      scenario: 'verify image, 7 platforms',
      inputs: {
        'verify-image': IMAGES.busybox,
        platforms: platforms.join(','),
        verify: 'image'
      }
    })
    expectSuccess(r)
    // auto, as root: native
    expect(r.outputs.registrar).toBe('native')
    expect(list(r.outputs.platforms)).toEqual(expect.arrayContaining(platforms))
    expect(r.outputs.verified).toBe('true')
    expect(machines(r)).toEqual(want)
    expectSummaryRows(r, platforms)
    for (const p of platforms) expect(`${p}: ${await dockerUname(p)}`).toBe(`${p}: ${want[p]}`)
  })

  it('verify: true probes and, with a Docker engine answering, runs the image too', async () => {
    const r = await runAction({
      scenario: 'verify true (probe + image)',
      inputs: { ...container, platforms: 'linux/arm64,linux/arm/v7', verify: 'true' }
    })
    expectSuccess(r)
    expect(r.outputs.verified).toBe('true')
    expect(machines(r)).toEqual({ 'linux/arm64': 'aarch64', 'linux/arm/v7': 'armv7l' })
    expectSummaryRows(r, ['linux/arm64', 'linux/arm/v7'])
  })

  it('binfmt_misc not mounted at start: handlers still there afterwards, seen from the host', async () => {
    unmountBinfmt()
    const r = await runAction({
      scenario: 'binfmt_misc unmounted at start',
      inputs: { ...container, platforms: 'linux/arm64,linux/s390x' }
    })
    expectSuccess(r)
    expect(isMounted()).toBe(true)
    expectHandler('qemu-aarch64', { flagsInclude: 'OCF' })
    expectHandler('qemu-s390x', { flagsInclude: 'OCF' })
    expect(await hostUname('arm64')).toBe('aarch64')
    expect(await hostUname('s390x')).toBe('s390x')
    expect(await dockerUname('linux/arm64')).toBe('aarch64')
  })
})

describe('existing handlers', () => {
  it("the distro's handlers already registered; a second run is idempotent", async () => {
    enableDistroHandlers()
    const distro = snapshotBinfmt()
    expect(distro.entries['qemu-aarch64']).toContain('qemu-binfmt/aarch64-binfmt-P')
    const others = Object.keys(distro.entries).filter(n => !n.startsWith('qemu-'))

    const inputs = { ...container, platforms: 'linux/arm64,linux/arm/v7,linux/s390x' }
    const first = await runAction({ scenario: 'distro handlers present', inputs })
    expectSuccess(first)
    for (const p of ['linux/arm64', 'linux/arm/v7', 'linux/s390x']) {
      expectHandler(EMULATOR[p])
    }
    // Handlers that are not QEMU's (jar, python...) are none of the action's business.
    for (const n of others) expect(readEntryText(n)).toBe(distro.entries[n])
    expect(await dockerUname('linux/arm64')).toBe('aarch64')
    expect(await hostUname('armhf')).toBe('armv7l')
    const afterFirst = snapshotBinfmt()

    const second = await runAction({ scenario: 'second run, same job', inputs, job: first.job })
    expectSuccess(second)
    expect(snapshotBinfmt()).toEqual(afterFirst)
    for (const k of ['platforms', 'emulators', 'machines', 'verified', 'qemu-version']) {
      expect(`${k}=${second.outputs[k]}`).toBe(`${k}=${first.outputs[k]}`)
    }
    expect(await dockerUname('linux/s390x')).toBe('s390x')
  })

  it('reset: false with a conflicting qemu-aarch64 entry fails naming it, entry unchanged', async () => {
    mountBinfmt()
    clearQemuEntries()
    const magic =
      '\\x7fELF\\x02\\x01\\x01\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x02\\x00\\xb7\\x00'
    const mask =
      '\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\x00\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xfe\\xff\\xff\\xff'
    registerEntry(`:qemu-aarch64:M::${magic}:${mask}:/opt/e2e/other-qemu-aarch64:`)
    const conflict = readEntryText('qemu-aarch64')
    const before = snapshotBinfmt()

    const r = await runAction({
      scenario: 'reset false, conflict',
      inputs: { ...container, platforms: 'linux/arm64', reset: 'false' }
    })
    expectFailure(r, /qemu-aarch64/, /reset/)
    expect(readEntryText('qemu-aarch64')).toBe(conflict)
    expectHostUnchanged(before)
  })
})

describe('flags', () => {
  it.each([
    ['container', { ...container }],
    ['native', { registrar: 'native', install: 'none' }]
  ])('persistent: false, credential: true (%s registrar)', async (name, inputs) => {
    mountBinfmt()
    clearQemuEntries()
    const r = await runAction({
      scenario: `persistent false, credential true (${name})`,
      inputs: {
        ...inputs,
        platforms: 'linux/arm64,linux/s390x',
        persistent: 'false',
        credential: 'true'
      }
    })
    expectSuccess(r)
    expect(r.outputs.registrar).toBe(name)
    // C implies O; the kernel prints flags in the order P, O, C, F.
    for (const e of ['qemu-aarch64', 'qemu-s390x']) {
      expectHandler(e, { flagsInclude: 'OC', flagsExclude: 'F' })
    }
    expect(await hostUname('arm64')).toBe('aarch64')
  })
})

describe('verification catches a lie', () => {
  it('verify image whose linux/arm64 entry holds an x86_64 binary', async () => {
    const r = await runAction({
      scenario: 'lying verify image',
      inputs: {
        ...container,
        platforms: 'linux/arm64',
        verify: 'image',
        'verify-image': IMAGES.busyboxLiar
      }
    })
    expectFailure(r, /linux\/arm64/, /aarch64/, /x86_64/)
    expect(r.outputs.verified ?? 'false').toBe('false')
  })
})
