import { FakeBinfmt } from '../../__fixtures__/fake-binfmt.js'
import { lookupPlatform, type Platform } from '../../src/catalogue.js'
import type { Binfmt } from '../../src/host/binfmt.js'
import { Privilege } from '../../src/host/privilege.js'
import { ContainerRegistrar } from '../../src/registrar/container.js'
import { NativeRegistrar } from '../../src/registrar/native.js'
import { checkHandlers } from '../../src/registrar/readback.js'
import { chooseRegistrar } from '../../src/registrar/index.js'
import type { Inputs } from '../../src/inputs.js'
import type { Host } from '../../src/host/host.js'
import type { RegistrationRequest } from '../../src/registrar/registrar.js'
import type { Docker } from '../../src/tools/docker.js'
import type { RunResult } from '../../src/tools/exec.js'

const platform = (name: string): Platform => lookupPlatform(name) as Platform

function request(names: string[], over: Partial<RegistrationRequest> = {}): RegistrationRequest {
  const emulated = names.map(n => ({ platform: platform(n), native: false, why: 'test' }))
  return {
    emulated,
    cpus: [...new Set(emulated.map(t => t.platform.cpu))],
    reset: true,
    persistent: true,
    credential: false,
    ...over
  }
}

const installation = (cpus: string[]) => ({
  source: 'test',
  version: '7.2.0',
  emulators: new Map(cpus.map(c => [c, `/opt/qemu/qemu-${c}-static`]))
})

describe('NativeRegistrar', () => {
  test('registers each emulator once with the catalogue magic and the asked flags', async () => {
    const kernel = new FakeBinfmt()
    const r = new NativeRegistrar(kernel as unknown as Binfmt, new Privilege('root'))
    await r.register(
      request(['arm/v7', 'arm/v6', 'arm64'], { credential: true }),
      installation(['arm', 'aarch64'])
    )
    expect(await kernel.names()).toEqual(['qemu-aarch64', 'qemu-arm'])
    const arm = await kernel.read('qemu-arm')
    expect(arm).toMatchObject({
      interpreter: '/opt/qemu/qemu-arm-static',
      flags: 'OCF',
      magic: '7f454c4601010100000000000000000002002800'
    })
  })

  test('keeps an identical entry, replaces a different one when reset, never touches others', async () => {
    const kernel = new FakeBinfmt()
    const r = new NativeRegistrar(kernel as unknown as Binfmt, new Privilege('root'))
    await r.register(request(['arm64']), installation(['aarch64']))
    await kernel.register(':jar:E::jar::/usr/bin/jexec:')
    await kernel.register(':qemu-s390x:M::\\x7fELF:\\xff\\xff\\xff\\xff:/usr/bin/other:')
    kernel.writes.length = 0
    await r.register(request(['arm64', 's390x']), installation(['aarch64', 's390x']))
    expect(kernel.writes).toEqual([
      '-1 > qemu-s390x',
      expect.stringMatching(/^:qemu-s390x:M:0:.*:\/opt\/qemu\/qemu-s390x-static:F$/)
    ])
    expect(await kernel.text('jar')).toContain('/usr/bin/jexec')
  })

  test('an identical but disabled entry is registered again, enabled', async () => {
    const kernel = new FakeBinfmt()
    const r = new NativeRegistrar(kernel as unknown as Binfmt, new Privilege('root'))
    await r.register(request(['arm64']), installation(['aarch64']))
    await kernel.setEnabled('qemu-aarch64', false)
    await r.register(request(['arm64']), installation(['aarch64']))
    expect((await kernel.read('qemu-aarch64'))?.enabled).toBe(true)
  })

  test('with reset false, a conflicting entry fails naming it and nothing is written', async () => {
    const kernel = new FakeBinfmt()
    await kernel.register(':qemu-aarch64:M::\\x7fELF:\\xff\\xff\\xff\\xff:/usr/bin/other:F')
    kernel.writes.length = 0
    const r = new NativeRegistrar(kernel as unknown as Binfmt, new Privilege('root'))
    await expect(
      r.register(
        request(['arm64', 'riscv64'], { reset: false }),
        installation(['aarch64', 'riscv64'])
      )
    ).rejects.toThrow(
      /reset is false, and existing handlers differ.*qemu-aarch64 \(interpreter \/usr\/bin\/other, flags "F"; wanted \/opt\/qemu\/qemu-aarch64-static/
    )
    expect(kernel.writes).toEqual([])
  })

  test('a register write the kernel refuses is reported with the platform, the line and what to check', async () => {
    const kernel = new FakeBinfmt()
    kernel.register = async () => {
      throw Object.assign(new Error('ENOENT: no such file'), { code: 'ENOENT' })
    }
    const r = new NativeRegistrar(kernel as unknown as Binfmt, new Privilege('root'))
    await expect(r.register(request(['arm64']), installation(['aarch64']))).rejects.toThrow(
      /Writing the qemu-aarch64 handler .* failed: ENOENT.*must exist when F is set/
    )
  })

  test('without root or sudo it refuses in prepare, before any change', async () => {
    const r = new NativeRegistrar(new FakeBinfmt() as unknown as Binfmt, new Privilege('none'))
    await expect(r.prepare()).rejects.toThrow(
      /needs root, and this job runs as uid \d+ without passwordless sudo/
    )
  })
})

/** A docker CLI stand-in that replays what the multiarch registrar does to the kernel. */
class FakeDocker {
  calls: string[][] = []
  constructor(
    private readonly kernel: FakeBinfmt,
    private readonly behaviour: {
      answering?: string
      image?: boolean
      pull?: RunResult
      registers?: string[]
      stderr?: string
    } = {}
  ) {}
  async whyNotAnswering() {
    return this.behaviour.answering
  }
  async hasImage() {
    return this.behaviour.image ?? true
  }
  async pull(ref: string) {
    this.calls.push(['pull', ref])
    return this.behaviour.pull ?? { code: 0, signal: null, stdout: '', stderr: '' }
  }
  async run(
    image: string,
    args: readonly string[],
    flags: readonly string[] = []
  ): Promise<RunResult> {
    this.calls.push(['run', ...flags, image, ...args])
    if (flags.includes('--entrypoint'))
      return {
        code: 0,
        signal: null,
        stdout: 'qemu-aarch64 version 7.2.0 (Debian 1:7.2+dfsg-1~bpo11+2)\n',
        stderr: ''
      }
    const lines: string[] = []
    for (const cpu of this.behaviour.registers ?? []) {
      const flagsText = `${args.includes('--credential') ? 'C' : ''}${args[args.indexOf('-p') + 1] === 'yes' ? 'F' : ''}`
      await this.kernel.register(
        `:qemu-${cpu}:M::\\x7fELF:\\xff\\xff\\xff\\xff:/usr/bin/qemu-${cpu}-static:${flagsText}`
      )
      lines.push(`Setting /usr/bin/qemu-${cpu}-static as binfmt interpreter for ${cpu}`)
    }
    return { code: 0, signal: null, stdout: lines.join('\n'), stderr: this.behaviour.stderr ?? '' }
  }
}

describe('ContainerRegistrar', () => {
  test('runs the seed command line, privileged, and reads the QEMU version from the image', async () => {
    const kernel = new FakeBinfmt()
    const docker = new FakeDocker(kernel, { registers: ['aarch64', 'ppc64le'] })
    const r = new ContainerRegistrar(
      docker as unknown as Docker,
      kernel as unknown as Binfmt,
      'mirror.example.com/qemu:7.2',
      'i386'
    )
    const outcome = await r.register(request(['arm64', 'ppc64le'], { credential: true }))
    expect(docker.calls[0]).toEqual([
      'run',
      '--privileged',
      'mirror.example.com/qemu:7.2',
      '--reset',
      '-p',
      'yes',
      '--credential',
      'yes'
    ])
    expect(outcome.qemuVersion).toBe('7.2.0')
    expect(outcome.notes.size).toBe(0)
  })

  test('reset false and persistent false change the command line', async () => {
    const kernel = new FakeBinfmt()
    const docker = new FakeDocker(kernel)
    const r = new ContainerRegistrar(
      docker as unknown as Docker,
      kernel as unknown as Binfmt,
      'img',
      'i386'
    )
    await r.register(request(['arm64'], { reset: false, persistent: false }))
    expect(docker.calls[0]).toEqual(['run', '--privileged', 'img', '-p', 'no'])
  })

  test('a CPU the image did not report is noted, and the readback then fails naming the platform', async () => {
    const kernel = new FakeBinfmt()
    const docker = new FakeDocker(kernel, { registers: ['aarch64'] })
    const r = new ContainerRegistrar(
      docker as unknown as Docker,
      kernel as unknown as Binfmt,
      'img',
      'i386'
    )
    const req = request(['arm64', 'riscv64'])
    const outcome = await r.register(req)
    expect(() => checkHandlers(kernel.entriesList(), req, outcome, r.remedy)).toThrow(
      /^Handlers missing on the host after registration: linux\/riscv64 \(qemu-riscv64\) is not registered: img did not report registering riscv64\. Check that img/
    )
  })

  test('pull failures and a silent engine say what to do', async () => {
    const kernel = new FakeBinfmt()
    const missing = new FakeDocker(kernel, {
      image: false,
      pull: {
        code: 1,
        signal: null,
        stdout: '',
        stderr: 'Error response from daemon: manifest unknown\n'
      }
    })
    await expect(
      new ContainerRegistrar(
        missing as unknown as Docker,
        kernel as unknown as Binfmt,
        'img',
        'i386'
      ).register(request(['arm64']))
    ).rejects.toThrow(
      /Could not pull the registrar image img: Error response from daemon: manifest unknown\. .*name a mirror in image/
    )
    const silent = new FakeDocker(kernel, { answering: 'Cannot connect to the Docker daemon' })
    await expect(
      new ContainerRegistrar(
        silent as unknown as Docker,
        kernel as unknown as Binfmt,
        'img',
        'i386'
      ).prepare(request(['arm64']))
    ).rejects.toThrow(
      /needs a Docker engine, and none answers \(Cannot connect to the Docker daemon\)\. .*registrar: native/
    )
  })

  test('an image that cannot run on this host architecture points at the native registrar', async () => {
    const kernel = new FakeBinfmt()
    const docker = new FakeDocker(kernel, { stderr: 'exec /register: exec format error' })
    await expect(
      new ContainerRegistrar(
        docker as unknown as Docker,
        kernel as unknown as Binfmt,
        'img',
        'i386'
      ).register(request(['arm64']))
    ).rejects.toThrow(/does not run on this host's architecture .*Use registrar: native/)
  })

  test('reset false refuses, before running anything, when an entry differs from what the image registers', async () => {
    const kernel = new FakeBinfmt()
    await kernel.register(
      ':qemu-aarch64:M::\\x7fELF:\\xff\\xff\\xff\\xff:/usr/libexec/qemu-binfmt/aarch64-binfmt-P:PF'
    )
    const docker = new FakeDocker(kernel)
    await expect(
      new ContainerRegistrar(
        docker as unknown as Docker,
        kernel as unknown as Binfmt,
        'img',
        'i386'
      ).prepare(request(['arm64'], { reset: false }))
    ).rejects.toThrow(
      /qemu-aarch64 \(interpreter \/usr\/libexec\/qemu-binfmt\/aarch64-binfmt-P, flags "PF"; wanted \/usr\/bin\/qemu-aarch64-static, flags "F"\)/
    )
    expect(docker.calls).toEqual([])
  })
})

test('a host-family platform the multiarch registrar would skip fails in prepare, before anything runs', async () => {
  const kernel = new FakeBinfmt()
  const docker = new FakeDocker(kernel)
  const r = new ContainerRegistrar(
    docker as unknown as Docker,
    kernel as unknown as Binfmt,
    'img',
    'i386'
  )
  await expect(r.prepare(request(['arm64', '386']))).rejects.toThrow(
    "This host cannot run linux/386 natively, and the multiarch registrar never registers its host's own CPU family. Use registrar: native (or auto), or leave linux/386 out of platforms."
  )
  expect(docker.calls).toEqual([])
})

describe('checkHandlers', () => {
  const outcome = { notes: new Map<string, string>() }
  test('disabled entries and missing flags are named per platform', async () => {
    const kernel = new FakeBinfmt()
    await kernel.register(':qemu-aarch64:M::\\x7fELF:\\xff\\xff\\xff\\xff:/q:F')
    await kernel.setEnabled('qemu-aarch64', false)
    await kernel.register(':qemu-s390x:M::\\x7fELF:\\xff\\xff\\xff\\xff:/q:')
    await kernel.register(':qemu-riscv64:M::\\x7fELF:\\xff\\xff\\xff\\xff:/q:F')
    expect(() =>
      checkHandlers(
        kernel.entriesList(),
        request(['arm64', 's390x', 'riscv64'], { credential: true }),
        outcome,
        'Fix it.'
      )
    ).toThrow(
      'Handlers missing on the host after registration: linux/arm64 (qemu-aarch64) is disabled; linux/s390x (qemu-s390x) lacks the F flag (flags ""); linux/riscv64 (qemu-riscv64) lacks the C flag (flags "F"). Fix it.'
    )
  })

  test('returns the entries by CPU when all are there', async () => {
    const kernel = new FakeBinfmt()
    await kernel.register(':qemu-aarch64:M::\\x7fELF:\\xff\\xff\\xff\\xff:/q:F')
    expect([
      ...checkHandlers(kernel.entriesList(), request(['arm64']), outcome, '').keys()
    ]).toEqual(['aarch64'])
  })
})

describe('registrar: auto', () => {
  const inputs = { registrar: 'auto', image: 'img' } as Inputs
  const host = (machine: string, family: string) =>
    ({
      machine,
      family,
      binfmt: new FakeBinfmt(),
      privilege: new Privilege('root')
    }) as unknown as Host
  const docker = (answering?: string) =>
    ({ whyNotAnswering: async () => answering }) as unknown as Docker

  test.each([
    [
      'x86_64',
      'i386',
      ['arm64'],
      undefined,
      'container',
      /an x86_64 host with a Docker engine answering/
    ],
    [
      'x86_64',
      'i386',
      ['arm64'],
      'Cannot connect',
      'native',
      /no Docker engine answers \(Cannot connect\)/
    ],
    ['aarch64', 'arm', ['amd64'], undefined, 'native', /x86_64 hosts only and this host is/],
    ['x86_64', 'i386', ['arm64', '386'], undefined, 'native', /linux\/386 must be emulated here/]
  ])(
    '%s host, %s family, %j, docker %s: %s',
    async (machine, family, names, answering, name, why) => {
      const chosen = await chooseRegistrar(
        inputs,
        host(machine, family),
        request(names),
        docker(answering)
      )
      expect(chosen.registrar.name).toBe(name)
      expect(chosen.why).toMatch(why)
    }
  )
})
