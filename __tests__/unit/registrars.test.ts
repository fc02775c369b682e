import { jest } from '@jest/globals'
import * as core from '../../__fixtures__/core.js'
import { binfmtFiles, FakeDocker, multiarchFiles, ran } from '../../__fixtures__/fake-docker.js'
import { fakeHost } from '../../__fixtures__/fake-host.js'
import { FakeKernel } from '../../__fixtures__/fake-kernel.js'

jest.unstable_mockModule('@actions/core', () => core)

const { lookupPlatform, emulatorFor } = await import('../../src/catalogue.js')
const { registerLine } = await import('../../src/host/entry.js')
const { Privilege } = await import('../../src/host/privilege.js')
const { ContainerRegistrar, SeedRegistrar } = await import('../../src/registrar/container.js')
const { NativeRegistrar } = await import('../../src/registrar/native.js')
const { checkHandlers } = await import('../../src/registrar/readback.js')
const { registrarFor, writerFor } = await import('../../src/registrar/index.js')
const { registerByPlan, registrationFor } = await import('../../src/registrar/registrar.js')
const { BinfmtCliWriter, ShellImageWriter, binfmtCliRegistration, inspectImage } =
  await import('../../src/registrar/image.js')
const { KernelWriteError } = await import('../../src/host/kernel.js')
type KernelWriteError = InstanceType<typeof KernelWriteError>
import type { Platform } from '../../src/catalogue.js'
import type { RegistrationRequest } from '../../src/model.js'

const CPU: Record<string, string> = {
  arm64: 'aarch64',
  'arm/v7': 'arm',
  'arm/v6': 'arm',
  ppc64le: 'ppc64le',
  s390x: 's390x',
  riscv64: 'riscv64',
  loong64: 'loongarch64',
  '386': 'i386'
}

function request(names: string[], over: Partial<RegistrationRequest> = {}): RegistrationRequest {
  const emulated = names.map(n => ({
    platform: lookupPlatform(n) as Platform,
    native: false,
    why: 'test'
  }))
  return {
    emulated,
    cpus: [...new Set(names.map(n => CPU[n]))],
    reset: true,
    persistent: true,
    credential: false,
    ...over
  }
}

const installation = (cpus: string[]) => ({
  source: 'test',
  version: '10.0.13',
  emulators: new Map(cpus.map(c => [c, `/opt/qemu/qemu-${c}`]))
})

/** A host without any of the image's paths. */
const nothingOnHost = (): boolean => false

/** Every entry as `cat` shows it, in the kernel's order. */
const snapshot = (k: FakeKernel) => k.names().map(n => `${n}\n${k.text(n)}`)

const MULTIARCH = {
  id: 'sha256:multiarch',
  entrypoint: ['/register'],
  files: multiarchFiles('aarch64', 'arm', 'ppc64le', 's390x', 'riscv64', 'mips64el'),
  qemu: '7.2.0'
}
const TONISTIIGI = {
  id: 'sha256:binfmt',
  entrypoint: ['/usr/bin/binfmt'],
  files: binfmtFiles('aarch64', 'arm', 'ppc64le', 'riscv64', 'x86_64', 'i386'),
  qemu: '10.2.3'
}

beforeEach(() => core.reset())

describe('NativeRegistrar', () => {
  test('registers each emulator once with the catalogue magic and the asked flags', async () => {
    const kernel = new FakeKernel()
    const r = new NativeRegistrar(kernel, new Privilege('root'))
    await r.register(
      request(['arm/v7', 'arm/v6', 'arm64'], { credential: true }),
      await kernel.list(),
      installation(['arm', 'aarch64'])
    )
    expect(kernel.names()).toEqual(['qemu-aarch64', 'qemu-arm'])
    const arm = (await kernel.list()).find(e => e.name === 'qemu-arm')
    expect(arm).toMatchObject({
      interpreter: '/opt/qemu/qemu-arm',
      flags: 'OCF',
      magic: '7f454c4601010100000000000000000002002800'
    })
  })

  test('Debian-style -binfmt-P interpreters get the P flag', async () => {
    const kernel = new FakeKernel()
    await new NativeRegistrar(kernel, new Privilege('root')).register(request(['arm64']), [], {
      ...installation([]),
      emulators: new Map([['aarch64', '/usr/libexec/qemu-binfmt/aarch64-binfmt-P']])
    })
    expect(kernel.text('qemu-aarch64')).toContain('flags: PF')
  })

  test('a pending tool-cache check runs before registering, and not for a kept F handler', async () => {
    const kernel = new FakeKernel()
    const checked: string[] = []
    const inst = {
      ...installation(['aarch64', 's390x']),
      pending: new Map(
        ['aarch64', 's390x'].map(c => [c, async () => void checked.push(c)] as const)
      )
    }
    kernel.register(registerLine(registrationFor('aarch64', '/opt/qemu/qemu-aarch64', 'F')))
    const r = new NativeRegistrar(kernel, new Privilege('root'))
    await r.register(request(['arm64', 's390x']), await kernel.list(), inst)
    expect(checked).toEqual(['s390x'])
    // without F the kernel opens the file at every exec: a kept entry is checked too
    checked.length = 0
    await r.register(request(['arm64', 's390x'], { persistent: false }), await kernel.list(), inst)
    expect(checked).toEqual(['aarch64', 's390x'])
  })

  test('a failed check registers nothing', async () => {
    const kernel = new FakeKernel()
    const inst = {
      ...installation(['aarch64']),
      pending: new Map([
        [
          'aarch64',
          async () => {
            throw new Error('modified cache entry')
          }
        ]
      ])
    }
    await expect(
      new NativeRegistrar(kernel, new Privilege('root')).register(request(['arm64']), [], inst)
    ).rejects.toThrow('modified cache entry')
    expect(kernel.writes).toEqual([])
  })

  test('with reset false, a conflicting entry fails naming it and nothing is written', async () => {
    const kernel = new FakeKernel()
    kernel.register(registerLine(registrationFor('aarch64', '/usr/bin/other', 'F')))
    kernel.writes.length = 0
    await expect(
      new NativeRegistrar(kernel, new Privilege('root')).register(
        request(['arm64', 'riscv64'], { reset: false }),
        await kernel.list(),
        installation(['aarch64', 'riscv64'])
      )
    ).rejects.toThrow(
      /reset is false, and existing handlers differ.*qemu-aarch64 \(interpreter \/usr\/bin\/other, flags "F"; wanted \/opt\/qemu\/qemu-aarch64, flags "F"\)/
    )
    expect(kernel.writes).toEqual([])
  })

  test('a register write the kernel refuses names the platform, the line and what to check', async () => {
    const kernel = new FakeKernel()
    kernel.exists = () => false
    await expect(
      new NativeRegistrar(kernel, new Privilege('root')).register(
        request(['arm64']),
        [],
        installation(['aarch64'])
      )
    ).rejects.toThrow(
      /registering qemu-aarch64 \(interpreter \/opt\/qemu\/qemu-aarch64, flags "F"\) as root \(fake kernel\) failed: ENOENT.* Line: :qemu-aarch64:M:0:.*interpreter must exist when it is registered/
    )
  })

  test('without root or sudo it refuses in prepare, before any change', async () => {
    const r = new NativeRegistrar(new FakeKernel(), new Privilege('none'))
    await expect(r.prepare()).rejects.toThrow(
      /^registrar: native \(writing \/proc\/sys\/fs\/binfmt_misc\/register\) needs root, and this job runs as uid \d+ without passwordless sudo/
    )
    await expect(
      new NativeRegistrar(new FakeKernel(), new Privilege('root')).prepare()
    ).resolves.toBeUndefined()
  })

  test('only an interpreter ending in -binfmt-P gets the P flag', async () => {
    const kernel = new FakeKernel()
    await new NativeRegistrar(kernel, new Privilege('root')).register(request(['arm64']), [], {
      ...installation([]),
      emulators: new Map([['aarch64', '/opt/qemu-binfmt-Pool/qemu-aarch64']])
    })
    expect(kernel.text('qemu-aarch64')).toContain('flags: F')
    expect(kernel.text('qemu-aarch64')).not.toContain('flags: PF')
  })

  test('without installed emulators it registers nothing', async () => {
    const kernel = new FakeKernel()
    await expect(
      new NativeRegistrar(kernel, new Privilege('root')).register(request(['arm64']), [])
    ).rejects.toThrow('the native registrar needs installed emulators')
    expect(kernel.writes).toEqual([])
  })

  test("a kept handler must be the same CPU's entry, enabled and with F: anything else is checked first", async () => {
    const inst = (checked: string[]) => ({
      ...installation(['aarch64']),
      pending: new Map([['aarch64', async () => void checked.push('aarch64')]])
    })
    const ours = registrationFor('aarch64', '/opt/qemu/qemu-aarch64', 'F')
    const cases: [string, (k: FakeKernel) => void][] = [
      [
        'the same line under another name',
        k => k.register(registerLine({ ...ours, name: 'aarch64' }))
      ],
      // persistent: false wants no F either: identical, yet the kernel opens the file at every exec
      ['the same line without F', k => k.register(registerLine({ ...ours, flags: '' }))],
      [
        'the same line, disabled',
        k => {
          k.register(registerLine(ours))
          k.control('qemu-aarch64', '0')
        }
      ]
    ]
    for (const [what, given] of cases) {
      const kernel = new FakeKernel()
      given(kernel)
      const checked: string[] = []
      await new NativeRegistrar(kernel, new Privilege('root')).register(
        request(['arm64'], { persistent: !what.includes('without F') }),
        await kernel.list(),
        inst(checked)
      )
      expect([what, checked]).toEqual([what, ['aarch64']])
    }
  })

  test('handlers missing afterwards: the message ends in what to try with this registrar', () => {
    const r = new NativeRegistrar(new FakeKernel(), new Privilege('root'))
    expect(() => checkHandlers([], request(['arm64']), { notes: new Map() }, r.remedy)).toThrow(
      'Handlers missing on the host after registration: linux/arm64 (qemu-aarch64) is not registered. Check the emulators installed above, or register with registrar: container.'
    )
  })
})

describe('ContainerRegistrar, multiarch/qemu-user-static image', () => {
  const image = 'mirror.example.com/multiarch/qemu-user-static:7.2.0-1'
  const setup = () => {
    const docker = new FakeDocker()
    docker.registry.set(image, MULTIARCH)
    return { docker, kernel: docker.kernel }
  }

  test('registers exactly the requested handlers, with F, and touches no other entry', async () => {
    const { docker, kernel } = setup()
    kernel.register(':jar:E::jar::/usr/bin/jexec:')
    kernel.register(registerLine(registrationFor('ppc64le', '/usr/bin/unrelated', 'F')))
    const before = snapshot(kernel)
    const r = new ContainerRegistrar(docker, image, nothingOnHost)
    const req = request(['arm64'])
    await r.prepare(req)
    const outcome = await r.register(req, await kernel.list())
    expect(kernel.names()).toEqual(['qemu-aarch64', ...before.map(s => s.split('\n')[0])])
    expect(snapshot(kernel).slice(1)).toEqual(before)
    expect(kernel.text('qemu-aarch64')).toContain(
      'interpreter /usr/bin/qemu-aarch64-static\nflags: F\n'
    )
    expect(outcome.qemuVersion).toBe('7.2.0')
    expect(docker.calls.filter(c => c[0] === 'pull')).toEqual([['pull', image]])
    const write = docker.calls.find(c => c.includes('--privileged')) as string[]
    expect(write).toEqual(expect.arrayContaining(['--network', 'none', '--pull', 'never']))
    expect(write.slice(write.indexOf('sh') + 1)).toEqual([
      'X/usr/bin/qemu-aarch64-static',
      `R${registerLine(registrationFor('aarch64', '/usr/bin/qemu-aarch64-static', 'F'))}`
    ])
  })

  test('reset replaces a conflicting entry of a requested platform only; reset false over an identical one succeeds', async () => {
    const { docker, kernel } = setup()
    kernel.register(
      `:qemu-aarch64:M::${emulatorFor('aarch64').magic}:${emulatorFor('aarch64').mask}:/usr/libexec/qemu-binfmt/aarch64-binfmt-P:PF`
    )
    kernel.register(registerLine(registrationFor('s390x', '/other', 'F')))
    const r = new ContainerRegistrar(docker, image, nothingOnHost)
    await r.prepare(request(['arm64']))
    await r.register(request(['arm64']), await kernel.list())
    expect(kernel.text('qemu-aarch64')).toContain('/usr/bin/qemu-aarch64-static')
    expect(kernel.text('qemu-s390x')).toContain('interpreter /other')
    const again = new ContainerRegistrar(docker, image, nothingOnHost)
    await again.prepare(request(['arm64'], { reset: false }))
    const writes = kernel.writes.length
    await again.register(request(['arm64'], { reset: false }), await kernel.list())
    expect(kernel.writes.length).toBe(writes)
  })

  test('an emulator the image lacks is refused in preflight, naming the platform', async () => {
    const { docker, kernel } = setup()
    const r = new ContainerRegistrar(docker, image, nothingOnHost)
    await expect(r.prepare(request(['arm64', 'loong64']))).rejects.toThrow(
      `${image} carries no emulator for linux/loong64 (qemu-loongarch64-static). Use registrar: native for it, an image that has it, or leave linux/loong64 out of platforms.`
    )
    expect(kernel.writes).toEqual([])
  })

  test('persistent: false is refused unless the host has the image paths', async () => {
    const { docker } = setup()
    const hostHas = (path: string) => path === '/usr/bin/qemu-s390x-static'
    await new ContainerRegistrar(docker, image, hostHas).prepare(
      request(['s390x'], { persistent: false })
    )
    await expect(
      new ContainerRegistrar(docker, image, hostHas).prepare(
        request(['arm64'], { persistent: false })
      )
    ).rejects.toThrow(
      /persistent: false with registrar: container registers interpreters that exist only inside .* \(\/usr\/bin\/qemu-aarch64-static are not on this host\).*Set persistent: true, or use registrar: native/
    )
  })

  test('a failed pull, a silent engine and a rootless engine each say what to do', async () => {
    const docker = new FakeDocker()
    await expect(
      new ContainerRegistrar(docker, 'nowhere/img', nothingOnHost).prepare(request(['arm64']))
    ).rejects.toThrow(
      /Could not pull the registrar image nowhere\/img: Error response from daemon: manifest for nowhere\/img not found\. .*name a mirror in image/
    )
    docker.answering = 'Cannot connect to the Docker daemon'
    await expect(
      new ContainerRegistrar(docker, image, nothingOnHost).prepare(request(['arm64']))
    ).rejects.toThrow(
      /needs a Docker engine, and none answers \(Cannot connect to the Docker daemon\)\. .*registrar: native/
    )
    docker.answering = undefined
    docker.security = ['name=seccomp,profile=builtin', 'name=rootless']
    await expect(
      new ContainerRegistrar(docker, image, nothingOnHost).prepare(request(['arm64']))
    ).rejects.toThrow(
      /cannot register handlers through this Docker engine \(name=rootless\).*Use registrar: native with root or passwordless sudo/
    )
  })

  test('an image that is neither contract is named', async () => {
    const docker = new FakeDocker()
    docker.registry.set('alpine', { id: 'sha256:alpine', entrypoint: [] })
    await expect(
      new ContainerRegistrar(docker, 'alpine', nothingOnHost).prepare(request(['arm64']))
    ).rejects.toThrow(
      /has entrypoint \[\], which is neither multiarch\/qemu-user-static's \/register nor tonistiigi\/binfmt's \/usr\/bin\/binfmt/
    )
  })

  test('privileged containers refused by the engine: the write fails naming the remedy', async () => {
    const { docker, kernel } = setup()
    docker.refusePrivileged = true
    const r = new ContainerRegistrar(docker, image, nothingOnHost)
    await r.prepare(request(['arm64']))
    await expect(r.register(request(['arm64']), await kernel.list())).rejects.toThrow(
      /was refused \(unable to apply caps: operation not permitted\).*rootless Docker cannot register handlers/
    )
  })
})

describe('ContainerRegistrar, tonistiigi/binfmt image', () => {
  const image = 'tonistiigi/binfmt:qemu-v10.2.3'
  const setup = (over: Partial<typeof TONISTIIGI> & { env?: string[] } = {}) => {
    const docker = new FakeDocker()
    docker.registry.set(image, { ...TONISTIIGI, ...over })
    return { docker, kernel: docker.kernel }
  }

  test('is driven with exactly the requested list; flags OCF; version from --version', async () => {
    const { docker, kernel } = setup()
    kernel.register(':jar:E::jar::/usr/bin/jexec:')
    const r = new ContainerRegistrar(docker, image, nothingOnHost)
    const req = request(['arm64', 'riscv64'])
    await r.prepare(req)
    const outcome = await r.register(req, await kernel.list())
    expect(kernel.names()).toEqual(['qemu-riscv64', 'qemu-aarch64', 'jar'])
    expect(kernel.text('qemu-aarch64')).toContain('interpreter /usr/bin/qemu-aarch64\nflags: OCF\n')
    expect(outcome.qemuVersion).toBe('10.2.3')
    const install = docker.calls.find(c => c.includes('--install')) as string[]
    expect(install.slice(install.indexOf('--install'))).toEqual(['--install', 'arm64,riscv64'])
    expect(() => checkHandlers(kernel.listNow(), req, outcome, r.remedy)).not.toThrow()
  })

  test('an install failure it reports with exit 0 leaves the handler missing for readback to catch', async () => {
    const { docker, kernel } = setup({ files: binfmtFiles('aarch64') })
    const r = new ContainerRegistrar(docker, image, nothingOnHost)
    const req = request(['arm64', 's390x'])
    await r.prepare(req)
    const outcome = await r.register(req, await kernel.list())
    expect(() => checkHandlers(kernel.listNow(), req, outcome, r.remedy)).toThrow(
      /linux\/s390x \(qemu-s390x\) is not registered: tonistiigi\/binfmt:qemu-v10.2.3 did not register it/
    )
  })

  test('with QEMU_PRESERVE_ARGV0 in the image, P is expected and an identical entry is kept', async () => {
    const { docker, kernel } = setup({ env: ['QEMU_PRESERVE_ARGV0=1'] })
    const r = new ContainerRegistrar(docker, image, nothingOnHost)
    await r.prepare(request(['arm64']))
    await r.register(request(['arm64']), await kernel.list())
    expect(kernel.text('qemu-aarch64')).toContain('flags: POCF')
    const writes = kernel.writes.length
    await r.register(request(['arm64'], { reset: false }), await kernel.list())
    expect(kernel.writes.length).toBe(writes)
  })

  test('replacing a different entry: --uninstall then --install in one run', async () => {
    const { docker, kernel } = setup()
    kernel.register(registerLine(registrationFor('aarch64', '/other', 'F')))
    const r = new ContainerRegistrar(docker, image, nothingOnHost)
    await r.prepare(request(['arm64']))
    await r.register(request(['arm64']), await kernel.list())
    const run = docker.calls.find(c => c.includes('--install')) as string[]
    expect(run.slice(run.indexOf('--uninstall'))).toEqual([
      '--uninstall',
      'qemu-aarch64',
      '--install',
      'arm64'
    ])
    expect(kernel.text('qemu-aarch64')).toContain('/usr/bin/qemu-aarch64')
  })

  test('persistent: false is refused: these images always register with F', async () => {
    const { docker } = setup()
    await expect(
      new ContainerRegistrar(docker, image, nothingOnHost).prepare(
        request(['arm64'], { persistent: false })
      )
    ).rejects.toThrow(/always register with F\. Set persistent: true/)
  })

  test('its CLI cannot re-register an arbitrary entry: the writer says so', async () => {
    const { docker } = setup()
    const writer = await writerFor(
      { kind: 'container', image, contract: 'binfmt' },
      fakeHost(),
      docker
    )
    await docker.pull(image)
    await expect(
      writer.apply([{ op: 'register', name: 'qemu-aarch64', line: ':qemu-aarch64:M::\\x7f::/x:' }])
    ).rejects.toThrow(/cannot write this line .*Use an image with a shell/)
  })
})

describe('ContainerRegistrar, what the user sees', () => {
  const image = 'mirror.example.com/multiarch/qemu-user-static:7.2.0-1'

  test('an image already present is not pulled; one that is not is pulled, and the contract is named', async () => {
    const docker = new FakeDocker()
    docker.load(image, MULTIARCH)
    await new ContainerRegistrar(docker, image, nothingOnHost).prepare(request(['arm64']))
    expect(docker.calls.filter(c => c[0] === 'pull')).toEqual([])
    expect(core.seen.log).toContain(`${image} is already present; not pulling.`)
    expect(core.seen.log).toContain(`${image}: multiarch/qemu-user-static contract`)
    const pulled = new FakeDocker()
    pulled.registry.set('tonistiigi/binfmt', TONISTIIGI)
    const r = new ContainerRegistrar(pulled, 'tonistiigi/binfmt', nothingOnHost)
    await r.prepare(request(['arm64']))
    expect(pulled.calls.filter(c => c[0] === 'pull')).toEqual([['pull', 'tonistiigi/binfmt']])
    expect(core.seen.log).toContain('tonistiigi/binfmt: tonistiigi/binfmt contract')
    const outcome = await r.register(request(['arm64']), [])
    expect(outcome.qemuVersion).toBe('10.2.3')
  })

  test('a pull failing without a word still says what failed', async () => {
    const docker = new FakeDocker()
    docker.pull = async () => ran(1)
    await expect(
      new ContainerRegistrar(docker, 'nowhere/img', nothingOnHost).prepare(request(['arm64']))
    ).rejects.toThrow(
      'Could not pull the registrar image nowhere/img: docker pull failed. Check the image name and tag and that its registry is reachable, or name a mirror in image.'
    )
  })

  test('the carried-emulator check is one shell in the image, without network', async () => {
    const docker = new FakeDocker()
    docker.load(image, MULTIARCH)
    await new ContainerRegistrar(docker, image, nothingOnHost).prepare(request(['arm64', 's390x']))
    expect(docker.calls.find(c => c.includes('--entrypoint'))).toEqual([
      'run',
      '--network',
      'none',
      '--pull',
      'never',
      '--entrypoint',
      '/bin/sh',
      image,
      '-c',
      'for f; do [ -f "$f" ] || echo "missing $f"; done; "$1" --version',
      'sh',
      '/usr/bin/qemu-aarch64-static',
      '/usr/bin/qemu-s390x-static'
    ])
  })

  test('two missing emulators are "them"; an image that cannot run says so', async () => {
    const docker = new FakeDocker()
    docker.load(image, MULTIARCH)
    await expect(
      new ContainerRegistrar(docker, image, nothingOnHost).prepare(
        request(['arm64', 'loong64', '386'])
      )
    ).rejects.toThrow(
      `${image} carries no emulator for linux/loong64, linux/386 (qemu-loongarch64-static, qemu-i386-static). Use registrar: native for them, an image that has them, or leave linux/loong64, linux/386 out of platforms.`
    )
    const broken = new FakeDocker()
    broken.load(image, MULTIARCH)
    broken.run = async () => ran(126, '', 'oci runtime error\n')
    await expect(
      new ContainerRegistrar(broken, image, nothingOnHost).prepare(request(['arm64']))
    ).rejects.toThrow(
      `${image} could not be run (oci runtime error). Check the image, or use registrar: native.`
    )
    broken.run = async () => ran(2)
    await expect(
      new ContainerRegistrar(broken, image, nothingOnHost).prepare(request(['arm64']))
    ).rejects.toThrow(`${image} could not be run (exit 2).`)
  })

  test('persistent: false names the missing paths and the two ways out', async () => {
    const docker = new FakeDocker()
    docker.load(image, MULTIARCH)
    await expect(
      new ContainerRegistrar(docker, image, nothingOnHost).prepare(
        request(['arm64', 's390x'], { persistent: false })
      )
    ).rejects.toThrow(
      `persistent: false with registrar: container registers interpreters that exist only inside ${image} (/usr/bin/qemu-aarch64-static, /usr/bin/qemu-s390x-static are not on this host), so nothing could run. Set persistent: true, or use registrar: native.`
    )
  })

  test('the QEMU version of a tonistiigi image comes from its --version, with or without a v', async () => {
    for (const [printed, version] of [
      ['binfmt/a1b2 qemu/v9.2.0 go/1.23', '9.2.0'],
      ['binfmt/a1b2 qemu/8.1.5 go/1.21', '8.1.5']
    ]) {
      const docker = new FakeDocker()
      docker.load('t', TONISTIIGI)
      const run = docker.run.bind(docker)
      docker.run = async (ref, args, flags) =>
        args[0] === '--version' && flags?.join(' ') === '--pull never'
          ? ran(0, '', `${printed}\n`)
          : run(ref, args, flags)
      const r = new ContainerRegistrar(docker, 't', nothingOnHost)
      await r.prepare(request(['arm64']))
      expect((await r.register(request(['arm64']), [])).qemuVersion).toBe(version)
    }
  })

  test('handlers missing afterwards: the message names the image', () => {
    const r = new ContainerRegistrar(new FakeDocker(), image, nothingOnHost)
    expect(() => checkHandlers([], request(['arm64']), { notes: new Map() }, r.remedy)).toThrow(
      `linux/arm64 (qemu-aarch64) is not registered. Check that ${image} carries these emulators (its output is above), or use registrar: native.`
    )
  })
})

describe('SeedRegistrar (registrar: seed)', () => {
  test('credential and persistent reach the seed command; a non-zero exit is a warning, then readback decides', async () => {
    const docker = new FakeDocker()
    docker.registry.set('seed', { ...MULTIARCH, files: multiarchFiles('aarch64', 's390x') })
    const r = new SeedRegistrar(docker, 'seed', nothingOnHost)
    const req = request(['arm64', 'riscv64'], { credential: true, persistent: false })
    await expect(r.prepare(req)).rejects.toThrow(/persistent: false/)
    const ok = request(['arm64', 'riscv64'], { credential: true })
    const outcome = await r.register(ok)
    const run = docker.calls.find(c => c.includes('--reset')) as string[]
    expect(run).toEqual([
      'run',
      '--privileged',
      '--pull',
      'never',
      'seed',
      '--reset',
      '-p',
      'yes',
      '--credential',
      'yes'
    ])
    expect(docker.kernel.text('qemu-aarch64')).toContain('flags: OCF')
    expect([...outcome.notes]).toEqual([['riscv64', 'seed did not report registering riscv64']])
    expect(docker.echoed).toContain(
      'Setting /usr/bin/qemu-aarch64-static as binfmt interpreter for aarch64'
    )
    expect(core.seen.warnings).toEqual([])
    docker.run = async () => ran(1, '', 'boom')
    await r.register(request(['arm64']))
    expect(core.seen.warnings).toEqual(['seed exited 1; checking what it really registered.'])
  })

  test('runs the seed command line: every qemu-* entry reset, every emulator registered', async () => {
    const docker = new FakeDocker()
    docker.registry.set('seed', MULTIARCH)
    const kernel = docker.kernel
    kernel.register(registerLine(registrationFor('i386', '/usr/bin/qemu-i386-static', 'F')))
    kernel.register(':jar:E::jar::/usr/bin/jexec:')
    const r = new SeedRegistrar(docker, 'seed', nothingOnHost)
    await r.prepare(request(['arm64']))
    const outcome = await r.register(request(['arm64']))
    expect(kernel.names().sort()).toEqual(
      ['jar', ...MULTIARCH.files.map(f => f.replace(/^\/usr\/bin\/(.*)-static$/, '$1'))].sort()
    )
    expect(outcome.notes.size).toBe(0)
    const run = docker.calls.find(c => c.includes('--reset')) as string[]
    expect(run.slice(run.indexOf('seed'))).toEqual(['seed', '--reset', '-p', 'yes'])
  })

  test('refuses a tonistiigi/binfmt-style image', async () => {
    const docker = new FakeDocker()
    docker.registry.set('t', TONISTIIGI)
    await expect(
      new SeedRegistrar(docker, 't', nothingOnHost).prepare(request(['arm64']))
    ).rejects.toThrow(/registrar: seed runs multiarch\/qemu-user-static's \/register/)
  })
})

describe('registerByPlan: what the log and the failures say', () => {
  const ours = (cpu: string) => registrationFor(cpu, `/opt/qemu/qemu-${cpu}`, 'F')

  test('each kept handler and each write is logged with the route', async () => {
    const kernel = new FakeKernel()
    kernel.register(registerLine(ours('aarch64')))
    await registerByPlan(kernel, await kernel.list(), [ours('aarch64'), ours('s390x')], true)
    expect(core.seen.log).toEqual([
      'qemu-aarch64: already registered as wanted, kept',
      'registering qemu-s390x (interpreter /opt/qemu/qemu-s390x, flags "F") as root (fake kernel)'
    ])
  })

  test('conflicts without reset are all named, a disabled one as disabled', async () => {
    const kernel = new FakeKernel()
    kernel.register(registerLine(registrationFor('aarch64', '/a', 'F')))
    kernel.register(registerLine(registrationFor('s390x', '/s', '')))
    kernel.control('qemu-s390x', '0')
    await expect(
      registerByPlan(kernel, await kernel.list(), [ours('aarch64'), ours('s390x')], false)
    ).rejects.toThrow(
      'reset is false, and existing handlers differ from what would be registered: qemu-aarch64 (interpreter /a, flags "F"; wanted /opt/qemu/qemu-aarch64, flags "F"); qemu-s390x (disabled, interpreter /s; wanted /opt/qemu/qemu-s390x, flags "F"). Set reset: true to replace them, or remove them first.'
    )
  })

  test('a refused write: the F hint only for a missing interpreter at registration', async () => {
    const refuse = (code: string, when: string) => (write: string) =>
      write.startsWith(when) ? Object.assign(new Error(`${code}: refused`), { code }) : undefined
    const cases: [string, string, boolean, string][] = [
      [
        'ENOENT',
        'register',
        true,
        'With the F flag the interpreter must exist when it is registered'
      ],
      [
        'EACCES',
        'register',
        true,
        'Check the kernel log (dmesg) and that no other tool manages binfmt_misc on this runner.'
      ],
      ['ENOENT', '-1', false, 'Check the kernel log (dmesg)']
    ]
    for (const [code, when, isRegister, hint] of cases) {
      const kernel = new FakeKernel()
      kernel.register(registerLine(registrationFor('aarch64', '/other', 'F')))
      kernel.failOn = refuse(code, when)
      const error = await registerByPlan(
        kernel,
        await kernel.list(),
        [ours('aarch64')],
        true
      ).catch(e => e as Error)
      expect([
        code,
        when,
        (error as Error).message.endsWith(hint) || (error as Error).message.includes(hint)
      ]).toEqual([code, when, true])
      expect((error as Error).message.includes(' Line: :qemu-aarch64')).toBe(isRegister)
      expect((error as Error).message).not.toContain('Stryker')
    }
  })
})

describe('checkHandlers', () => {
  const outcome = { notes: new Map<string, string>() }
  test('disabled entries and missing flags are named per platform', async () => {
    const kernel = new FakeKernel()
    kernel.register(registerLine(registrationFor('aarch64', '/q', 'F')))
    kernel.control('qemu-aarch64', '0')
    kernel.register(registerLine(registrationFor('s390x', '/q', '')))
    kernel.register(registerLine(registrationFor('riscv64', '/q', 'F')))
    expect(() =>
      checkHandlers(
        kernel.listNow(),
        request(['arm64', 's390x', 'riscv64'], { credential: true }),
        outcome,
        'Fix it.'
      )
    ).toThrow(
      'Handlers missing on the host after registration: linux/arm64 (qemu-aarch64) is disabled; linux/s390x (qemu-s390x) lacks the F flag (flags ""); linux/riscv64 (qemu-riscv64) lacks the C flag (flags "F"). Fix it.'
    )
  })

  test('returns the entries by CPU when all are there', async () => {
    const kernel = new FakeKernel()
    kernel.register(registerLine(registrationFor('aarch64', '/q', 'F')))
    expect([...checkHandlers(kernel.listNow(), request(['arm64']), outcome, '').keys()]).toEqual([
      'aarch64'
    ])
  })
})

test('registrarFor builds the registrar the plan names; writerFor rebuilds main routes for post', async () => {
  const host = fakeHost()
  const docker = new FakeDocker()
  expect((await registrarFor('native', { image: 'i' }, host, docker)).name).toBe('native')
  expect((await registrarFor('container', { image: 'i' }, host, docker)).name).toBe('container')
  expect((await registrarFor('seed', { image: 'i' }, host, docker)).name).toBe('seed')
  expect((await registrarFor('none', { image: 'i' }, host, docker)).name).toBe('none')
  expect(await writerFor({ kind: 'direct' }, host, docker)).toBe(host.direct)
  expect(
    (await writerFor({ kind: 'container', image: 'i', contract: 'multiarch' }, host, docker))
      .description
  ).toBe('through a privileged container of i')
  // a route recorded without preserveArgv0 installs handlers without P
  const d = new FakeDocker()
  d.load('t', TONISTIIGI)
  const cli = await writerFor({ kind: 'container', image: 't', contract: 'binfmt' }, host, d)
  const line = registerLine(binfmtCliRegistration('aarch64', false))
  await cli.apply([{ op: 'register', name: 'qemu-aarch64', line }])
  expect(d.kernel.text('qemu-aarch64')).toContain('flags: OCF')
})

describe('the container routes as writers', () => {
  const image = 'reg/img'
  const multiarch = () => {
    const docker = new FakeDocker()
    docker.load(image, MULTIARCH)
    return { docker, writer: new ShellImageWriter(docker, image, nothingOnHost) }
  }

  test('a refused write names the shell error and its errno; ops before it took effect', async () => {
    const { docker, writer } = multiarch()
    docker.kernel.register(registerLine(registrationFor('s390x', '/x', 'F')))
    const line = registerLine(registrationFor('aarch64', '/usr/bin/qemu-aarch64-static', 'F'))
    const again = registerLine(registrationFor('s390x', '/usr/bin/qemu-s390x-static', 'F'))
    const error: KernelWriteError = await writer
      .apply([
        { op: 'register', name: 'qemu-aarch64', line },
        { op: 'register', name: 'qemu-s390x', line: again }
      ])
      .then(() => {
        throw new Error('the write went through')
      })
      .catch(e => e as KernelWriteError)
    expect(error).toBeInstanceOf(KernelWriteError)
    expect(error).toMatchObject({ done: 1, code: 'EEXIST', op: { name: 'qemu-s390x' } })
    expect(error.reason).toMatch(/^cat: write error: EEXIST: File exists$/)
    expect(docker.kernel.names()).toContain('qemu-aarch64')
  })

  test('an image for another architecture is named before anything else', async () => {
    const { docker, writer } = multiarch()
    docker.run = async () => ran(1, '', 'exec /bin/sh: exec format error')
    await expect(writer.apply([{ op: 'remove', name: 'qemu-x' }])).rejects.toThrow(
      /reg\/img does not run on this host's architecture \(exec format error\)/
    )
  })

  test('the kernel refusing a write (Permission denied) is not blamed on the engine', async () => {
    const { docker, writer } = multiarch()
    docker.run = async () =>
      ran(4, 'done 1\n', 'cat: write error: Permission denied\nop 1 failed\n')
    const ops = [
      { op: 'remove', name: 'qemu-aarch64' },
      { op: 'remove', name: 'qemu-s390x' }
    ] as const
    const error = (await writer.apply(ops).catch(e => e)) as KernelWriteError
    expect(error).toMatchObject({ done: 1, code: 'EACCES', op: { name: 'qemu-s390x' } })
    expect(error.reason).toBe('cat: write error: Permission denied')
    expect(error.message).not.toMatch(/was refused/)
  })

  test('a shell that fails a write without a word still names the image and its exit code', async () => {
    const { docker, writer } = multiarch()
    docker.run = async () => ran(4, '', 'op 0 failed\n')
    const error = (await writer
      .apply([{ op: 'remove', name: 'qemu-x' }])
      .catch(e => e)) as KernelWriteError
    expect(error).toMatchObject({ done: 0, code: undefined, reason: 'reg/img exited 4' })
  })

  test('containers cannot mount or unmount binfmt_misc for the host', async () => {
    const { writer } = multiarch()
    await expect(writer.mount()).rejects.toThrow(/a container cannot mount it there/)
    await expect(writer.unmount()).rejects.toThrow(/cannot unmount binfmt_misc on the host/)
    const cli = new BinfmtCliWriter(new FakeDocker(), image, false)
    await expect(cli.mount()).rejects.toThrow(/a container cannot mount it there/)
    await expect(cli.unmount()).rejects.toThrow(/cannot unmount/)
  })

  test('enable, disable and remove reach the kernel through the image; nothing to write runs nothing', async () => {
    const { docker, writer } = multiarch()
    for (const cpu of ['aarch64', 's390x', 'riscv64'])
      docker.kernel.register(registerLine(registrationFor(cpu, '/x', 'F')))
    docker.kernel.control('qemu-s390x', '0')
    await writer.apply([
      { op: 'disable', name: 'qemu-aarch64' },
      { op: 'enable', name: 'qemu-s390x' },
      { op: 'remove', name: 'qemu-riscv64' }
    ])
    expect(docker.kernel.names().sort()).toEqual(['qemu-aarch64', 'qemu-s390x'])
    expect(docker.kernel.text('qemu-aarch64')).toMatch(/^disabled\n/)
    expect(docker.kernel.text('qemu-s390x')).toMatch(/^enabled\n/)
    const calls = docker.calls.length
    await writer.apply([])
    await new BinfmtCliWriter(docker, image, false).apply([])
    expect(docker.calls.length).toBe(calls)
  })

  test('only an F line the image must open is checked inside the image first', async () => {
    const { docker, writer } = multiarch()
    const f = registerLine(registrationFor('aarch64', '/usr/bin/qemu-aarch64-static', 'F'))
    const noF = registerLine(registrationFor('s390x', '/usr/bin/qemu-s390x-static', ''))
    const host = registerLine(registrationFor('riscv64', '/usr/bin/qemu-riscv64-static', 'F'))
    await writer.apply([
      { op: 'register', name: 'qemu-aarch64', line: f },
      { op: 'register', name: 'qemu-s390x', line: noF },
      { op: 'register', name: 'qemu-riscv64', line: host, fromHost: true }
    ])
    const run = docker.calls.find(c => c.includes('--privileged')) as string[]
    expect(run.filter(a => a.startsWith('X'))).toEqual(['X/usr/bin/qemu-aarch64-static'])
  })

  test("the kernel's words become the error code; a failure after the last op names the last op", async () => {
    const { docker, writer } = multiarch()
    const ops = [
      { op: 'remove', name: 'qemu-a' },
      { op: 'remove', name: 'qemu-b' }
    ] as const
    for (const [text, code] of [
      ['No such file or directory', 'ENOENT'],
      ['Invalid argument', 'EINVAL'],
      ['File exists', 'EEXIST']
    ]) {
      docker.run = async () => ran(4, '', `cat: write error: ${text}\nop 0 failed\n`)
      const error = (await writer.apply(ops).catch(e => e)) as KernelWriteError
      expect([text, error.code, error.op.name]).toEqual([text, code, 'qemu-a'])
    }
    docker.run = async () => ran(1, 'done 1\ndone 2\n', 'sh: exit 1\n')
    const late = (await writer.apply(ops).catch(e => e)) as KernelWriteError
    expect([late.op.name, late.done, late.reason]).toEqual(['qemu-b', 2, 'sh: exit 1'])
  })

  test('a tonistiigi image: environment, several names at once, its output in the log', async () => {
    const docker = new FakeDocker()
    const withEnv = { ...TONISTIIGI, env: ['PATH=/usr/bin', 'QEMU_PRESERVE_ARGV0=1'] }
    docker.load('t', withEnv)
    expect((await inspectImage(docker, 't')).preserveArgv0).toBe(true)
    docker.load('u', { ...TONISTIIGI, id: 'sha256:u', env: ['X_QEMU_PRESERVE_ARGV0=1'] })
    expect((await inspectImage(docker, 'u')).preserveArgv0).toBe(false)
    docker.load('a', { id: 'sha256:a', entrypoint: ['/bin/app'] })
    await expect(inspectImage(docker, 'a')).rejects.toThrow(
      `The registrar image a has entrypoint ["/bin/app"], which is neither multiarch/qemu-user-static's /register nor tonistiigi/binfmt's /usr/bin/binfmt. Name an image of one of those two kinds in image, or use registrar: native.`
    )
    const cli = new BinfmtCliWriter(docker, 'u', false)
    for (const cpu of ['aarch64', 'riscv64'])
      docker.kernel.register(registerLine(registrationFor(cpu, '/x', 'F')))
    await cli.apply([
      { op: 'remove', name: 'qemu-aarch64' },
      { op: 'remove', name: 'qemu-riscv64' }
    ])
    expect(docker.kernel.names()).toEqual([])
    expect(docker.echoed).toEqual(
      expect.arrayContaining(['uninstalling: qemu-aarch64 OK', 'uninstalling: qemu-riscv64 OK'])
    )
  })

  test('a container cannot mount binfmt_misc: the message says how to do it on the host', async () => {
    const { writer } = multiarch()
    await expect(writer.mount()).rejects.toThrow(
      'binfmt_misc is not mounted on the host, and a container cannot mount it there (its mount would vanish with the container, and on Linux 6.7+ the handlers with it). Mount it on the host first (mount -t binfmt_misc binfmt_misc /proc/sys/fs/binfmt_misc, as root), or run the job as root or with passwordless sudo.'
    )
  })

  test('the tonistiigi CLI: an identical disabled entry is uninstalled and installed again; what it cannot do is refused', async () => {
    const docker = new FakeDocker()
    docker.load(image, TONISTIIGI)
    const cli = new BinfmtCliWriter(docker, image, false)
    const own = registerLine(binfmtCliRegistration('aarch64', false))
    docker.kernel.register(own)
    docker.kernel.control('qemu-aarch64', '0')
    await cli.apply([{ op: 'enable', name: 'qemu-aarch64' }])
    expect(docker.kernel.text('qemu-aarch64')).toMatch(/^enabled\n/)
    const run = docker.calls.find(c => c.includes('--install')) as string[]
    expect(run.slice(run.indexOf('--uninstall'))).toEqual([
      '--uninstall',
      'qemu-aarch64',
      '--install',
      'arm64'
    ])
    await expect(cli.apply([{ op: 'disable', name: 'qemu-aarch64' }])).rejects.toThrow(
      /cannot write disable of qemu-aarch64 \(disable qemu-aarch64\)/
    )
    await expect(
      cli.apply([
        { op: 'register', name: 'qemu-aarch64', line: own },
        { op: 'remove', name: 'qemu-s390x' }
      ])
    ).rejects.toThrow(/cannot write a removal after an install/)
    await expect(
      cli.apply([{ op: 'register', name: 'qemu-sparc', line: ':qemu-sparc:M::x::/x:F' }])
    ).rejects.toThrow(/cannot write this line/)
    expect(await cli.apply([])).toBeUndefined()
    docker.refusePrivileged = true
    await expect(cli.apply([{ op: 'remove', name: 'qemu-aarch64' }])).rejects.toThrow(
      /was refused \(unable to apply caps/
    )
  })
})
