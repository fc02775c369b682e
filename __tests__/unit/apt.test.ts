import { jest } from '@jest/globals'
import { mkdirSync } from 'node:fs'
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises'
import * as os from 'node:os'
import { join } from 'node:path'
import * as core from '../../__fixtures__/core.js'
import type { RunOptions, RunResult } from '../../src/tools/exec.js'

// apt-get cannot run in a unit test; the process boundary (tools/exec) is replaced, and the
// end-to-end bench runs the real apt-get. The emulators it "installs" are real files, read by the
// real ELF check.
const calls: { command: string; env?: NodeJS.ProcessEnv }[] = []
let script: (args: readonly string[]) => RunResult
jest.unstable_mockModule('../../src/tools/exec.js', () => ({
  run: async (file: string, args: readonly string[], options: RunOptions = {}) => {
    calls.push({ command: [file, ...args].join(' '), env: options.env })
    return script([file, ...args])
  },
  lastLine: (t: string) => t.trim().split('\n').pop() ?? ''
}))
let aptGet = '/usr/bin/apt-get'
jest.unstable_mockModule('@actions/io', () => ({
  which: async (tool: string) => (tool === 'apt-get' ? aptGet : '')
}))
jest.unstable_mockModule('@actions/core', () => core)

// imported after the mocks: the fixture's Privilege must run apt-get through the mocked exec
const { fakeHost } = await import('../../__fixtures__/fake-host.js')
const { AptInstaller } = await import('../../src/installer/apt.js')
const { HostInstaller } = await import('../../src/installer/none.js')
const { installEmulators, installerFor, staticOnHost, whyUnverifiable } =
  await import('../../src/installer/index.js')
const { downloadSources, parseChecksums } = await import('../../src/inputs.js')
const { lookupPlatform } = await import('../../src/catalogue.js')
import type { Platform } from '../../src/catalogue.js'
const { searchDirs, untrusted } = await import('../../src/installer/host-emulators.js')
const { probeProgram } = await import('../../src/verifier/probe/index.js')
import type { PrivilegeMode } from '../../src/host/privilege.js'

const ok: RunResult = { code: 0, signal: null, stdout: '', stderr: '' }
const host = (privilege: PrivilegeMode = 'root') => fakeHost({ machine: os.machine(), privilege })
const hostCpu = host().platform.cpu

// never run the real apt-get as root: stop here unless the host's commands go through the mock
script = () => ok
await host().privilege.run('true', [])
if (calls.length !== 1) throw new Error('tools/exec is not mocked: refusing to run apt-get')
const VERSION = 'qemu-aarch64 version 8.2.2 (Debian 1:8.2.2+ds-0ubuntu1)\n'
/** apt-get succeeds; emulators print a version. */
const happy = (args: readonly string[]): RunResult =>
  args.includes('--version') ? { ...ok, stdout: VERSION } : ok
const aptCommands = () =>
  calls.filter(c => /apt-get/.test(c.command)).map(c => c.command.replace(/^.*apt-get /, ''))

/** A static ELF executable for `cpu` (the probe program: what a static emulator looks like). */
const elfFor = (cpu: string) => probeProgram(cpu)

/** The same with a PT_INTERP program header: a dynamically linked build. */
function dynamicElf(cpu: string): Buffer {
  const file = elfFor(cpu)
  const is64 = file[4] === 2
  const phoff = is64 ? Number(file.readBigUInt64LE(32)) : file.readUInt32LE(28)
  const phentsize = file.readUInt16LE(is64 ? 54 : 42)
  const phnum = file.readUInt16LE(is64 ? 56 : 44)
  for (let i = 0; i < phnum; i++) {
    if (file.readUInt32LE(phoff + i * phentsize) === 0x6474e551)
      file.writeUInt32LE(3, phoff + i * phentsize)
  }
  return file
}

const savedPath = process.env.PATH
let bin: string
async function emulator(cpu: string, content: Buffer | string = elfFor(hostCpu)): Promise<string> {
  const file = join(bin, `qemu-${cpu}-static`)
  await writeFile(file, content)
  await chmod(file, 0o755)
  return file
}

beforeEach(async () => {
  core.reset()
  calls.length = 0
  aptGet = '/usr/bin/apt-get'
  script = happy
  bin = await mkdtemp(join(os.tmpdir(), 'apt-bin-'))
  process.env.PATH = `${bin}:/nonexistent`
  await emulator('aarch64')
  await emulator('s390x')
})
afterEach(async () => {
  process.env.PATH = savedPath
  await rm(bin, { recursive: true, force: true })
})

describe('AptInstaller', () => {
  test('installs qemu-user-static, refreshing the lists once when the first try fails', async () => {
    let tries = 0
    script = args => {
      if (args.includes('install') && ++tries === 1)
        return { ...ok, code: 100, stderr: 'E: Unable to locate package qemu-user-static' }
      return happy(args)
    }
    const done = await new AptInstaller(host()).install(['aarch64', 's390x'])
    expect(aptCommands()).toEqual([
      '-q install -y --no-install-recommends qemu-user-static',
      '-q update',
      '-q install -y --no-install-recommends qemu-user-static'
    ])
    expect(core.seen.log).toContain(
      'apt-get install failed; refreshing the package lists once and trying again.'
    )
    expect(done).toEqual({
      source: 'apt (qemu-user-static)',
      version: '8.2.2',
      emulators: new Map([
        ['aarch64', join(bin, 'qemu-aarch64-static')],
        ['s390x', join(bin, 'qemu-s390x-static')]
      ])
    })
  })

  test('apt-get runs non-interactively, through sudo when not root', async () => {
    await new AptInstaller(host('sudo')).install(['aarch64'])
    expect(calls[0].command).toBe(
      'sudo -n --preserve-env=DEBIAN_FRONTEND apt-get -q install -y --no-install-recommends qemu-user-static'
    )
    expect(calls[0].env?.DEBIAN_FRONTEND).toBe('noninteractive')
  })

  test('falls back to qemu-user where the distro dropped qemu-user-static', async () => {
    script = args =>
      args.includes('qemu-user-static')
        ? { ...ok, code: 100, stderr: 'E: Package qemu-user-static has no installation candidate' }
        : happy(args)
    const done = await new AptInstaller(host()).install(['aarch64'])
    expect(done.source).toBe('apt (qemu-user)')
    expect(aptCommands()).toEqual([
      '-q install -y --no-install-recommends qemu-user-static',
      '-q update',
      '-q install -y --no-install-recommends qemu-user-static',
      '-q install -y --no-install-recommends qemu-user'
    ])
    expect(core.seen.log).toContain(
      'qemu-user-static could not be installed; trying the next package name.'
    )
  })

  test('an emulator the package lacks is a one-line error with a remedy', async () => {
    // a CPU no package ships, so the answer does not depend on what this machine has in /usr/bin
    await expect(new AptInstaller(host()).install(['nosuchcpu'])).rejects.toThrow(
      'qemu-user-static is installed but has no qemu-nosuchcpu emulator. Use install: download for nosuchcpu.'
    )
  })

  test('no root: fails before apt-get runs', async () => {
    await expect(new AptInstaller(host('none')).install(['aarch64'])).rejects.toThrow(
      /^install: apt needs root, and this job runs as uid \d+ without passwordless sudo\./
    )
    expect(calls).toEqual([])
  })

  test('not Debian or Ubuntu: says to use install: download', async () => {
    aptGet = ''
    await expect(new AptInstaller(host()).install(['aarch64'])).rejects.toThrow(
      'install: apt, but apt-get is not on this runner (not Debian or Ubuntu). Use install: download.'
    )
    expect(calls).toEqual([])
  })

  test('apt-get failing twice for every name says so', async () => {
    script = args =>
      args.includes('install')
        ? { ...ok, code: 100, stderr: 'E: Could not resolve archive.ubuntu.com' }
        : ok
    await expect(new AptInstaller(host()).install(['aarch64'])).rejects.toThrow(
      'apt-get could not install qemu-user-static or qemu-user: E: Could not resolve archive.ubuntu.com. Check the runner can reach its apt sources, or use install: download.'
    )
  })

  test('checkEmulator: a dynamically linked emulator is refused (F needs a static one)', async () => {
    const path = await emulator('s390x', dynamicElf(hostCpu))
    await expect(new AptInstaller(host()).install(['aarch64', 's390x'])).rejects.toThrow(
      `${path} (qemu-s390x, from the qemu-user-static package) is dynamically linked; binfmt handlers need static emulators to work in containers. Install a static build (qemu-user-static, or install: download).`
    )
  })

  test('checkEmulator: an emulator built for another host is refused', async () => {
    const foreign = hostCpu === 's390x' ? 'aarch64' : 's390x'
    const path = await emulator('aarch64', elfFor(foreign))
    await expect(new AptInstaller(host()).install(['aarch64'])).rejects.toThrow(
      new RegExp(
        `^${path} \\(qemu-aarch64, from the qemu-user-static package\\) is built for ELF machine ${foreign === 's390x' ? 22 : 183}, not for this ${os.machine()} host\\. Use emulators built for ${os.machine()} hosts \\(another download-url, or install: apt\\)\\.$`
      )
    )
  })

  test('checkEmulator: a file that is not ELF is refused', async () => {
    const path = await emulator('aarch64', '#!/bin/sh\nexec qemu-aarch64 "$@"\n')
    await expect(new AptInstaller(host()).install(['aarch64'])).rejects.toThrow(
      `${path} (qemu-aarch64, from the qemu-user-static package) is not an ELF executable. Check the qemu-user-static package.`
    )
  })

  test('an emulator whose version cannot be read: a warning, and no version', async () => {
    script = args => (args.includes('--version') ? { ...ok, stdout: 'garbage\n' } : ok)
    const none = {
      qemuVersion: '',
      downloadSources: [],
      checksums: { packages: new Map(), cpus: new Map() }
    }
    const done = await installEmulators({ name: 'apt', why: 'install: apt' }, none, host(), [
      'aarch64',
      's390x'
    ])
    expect(core.seen.log).toContain(
      `QEMU (version unknown) from apt (qemu-user-static): ${join(bin, 'qemu-aarch64-static')}, ${join(bin, 'qemu-s390x-static')}`
    )
    expect(done?.version).toBe('')
    expect(core.seen.warnings).toEqual([
      `Could not read the QEMU version from ${join(bin, 'qemu-aarch64-static')} --version.`
    ])
  })
})

describe('HostInstaller (install: host, or none)', () => {
  test('uses the emulators already on PATH, checked, without installing anything', async () => {
    const done = await new HostInstaller(host('none')).install(['aarch64', 's390x'])
    expect(done).toEqual({
      source: 'host',
      version: '8.2.2',
      emulators: new Map([
        ['aarch64', join(bin, 'qemu-aarch64-static')],
        ['s390x', join(bin, 'qemu-s390x-static')]
      ])
    })
    expect(aptCommands()).toEqual([])
  })

  test('missing emulators are named, all at once', async () => {
    await expect(
      new HostInstaller(host()).install(['aarch64', 'nosuchcpu', 'othercpu'])
    ).rejects.toThrow(
      "The host's own emulators were asked for, but qemu-nosuchcpu-static, qemu-othercpu-static are not on PATH or in /usr/bin. Use install: auto or install: download, or install them (root-owned) before this step."
    )
  })

  test('only what root may run: absolute PATH entries, root-owned directories no one else can write, regular executable files', async () => {
    const { mkdir, chown, symlink } = await import('node:fs/promises')
    const { execFileSync } = await import('node:child_process')
    const cwd = process.cwd()
    const open = join(bin, 'open')
    const theirs = join(bin, 'theirs')
    const fifo = join(bin, 'fifo')
    const linked = join(bin, 'linked')
    for (const dir of [open, theirs, fifo, linked]) await mkdir(dir, { mode: 0o755 })
    await chmod(open, 0o777) // world-writable, not sticky
    await chown(theirs, 65534, 65534)
    for (const dir of [open, theirs]) {
      await writeFile(join(dir, 'qemu-nosuchcpu-static'), elfFor(hostCpu), { mode: 0o755 })
    }
    execFileSync('mkfifo', ['-m', '0755', join(fifo, 'qemu-nosuchcpu-static')])
    // a symlink from a good directory into a bad one counts as the bad one
    await symlink(join(open, 'qemu-nosuchcpu-static'), join(linked, 'qemu-nosuchcpu-static'))
    await writeFile(join(bin, 'qemu-nosuchcpu'), elfFor(hostCpu), { mode: 0o644 }) // not executable
    process.chdir(bin)
    try {
      // "." and "rel" would name files under the working directory
      process.env.PATH = `.:rel:${open}:${theirs}:${fifo}:${linked}:${bin}:/nonexistent`
      const error = (await new HostInstaller(host()).install(['nosuchcpu']).catch(e => e)) as Error
      expect(error.message).toContain('qemu-nosuchcpu-static is not on PATH or in /usr/bin')
      for (const why of [
        `${join(open, 'qemu-nosuchcpu-static')} (${open} can be written by any user (mode 777))`,
        `${join(theirs, 'qemu-nosuchcpu-static')} (${theirs} belongs to uid 65534, not root)`,
        `${join(fifo, 'qemu-nosuchcpu-static')} (not a regular file)`,
        `${join(linked, 'qemu-nosuchcpu-static')} (${open} can be written by any user (mode 777))`,
        `${join(bin, 'qemu-nosuchcpu')} (not executable)`
      ])
        expect(error.message).toContain(why)
      expect(error.message).not.toMatch(/\(\.\/|rel\//)
      expect(error.message).toContain('(mode 777)); ')
      expect(searchDirs(process.env.PATH)).toEqual([
        open,
        theirs,
        fifo,
        linked,
        bin,
        '/nonexistent',
        '/usr/bin',
        '/usr/local/bin'
      ])
    } finally {
      process.chdir(cwd)
    }
  })

  test('untrusted: the file itself, the directory it is in, and every directory above (sticky ones aside, except its own)', async () => {
    const { mkdir, chown } = await import('node:fs/promises')
    const file = async (path: string, mode = 0o755) => {
      await writeFile(path, elfFor(hostCpu))
      await chmod(path, mode)
      return path
    }
    expect(untrusted(await file(join(bin, 'ok')))).toBeUndefined()
    expect(untrusted(join(bin, 'absent'))).toBe('')
    const theirs = await file(join(bin, 'theirs'))
    await chown(theirs, 65534, 0)
    expect(untrusted(theirs)).toBe(`${theirs} belongs to uid 65534, not root`)
    const anyone = await file(join(bin, 'anyone'), 0o757)
    expect(untrusted(anyone)).toBe(`${anyone} can be written by any user (mode 757)`)
    const group = await file(join(bin, 'group'), 0o775)
    expect(untrusted(group)).toBe(`${group} can be written by its group (mode 775)`)
    // a world-writable directory two levels up that is not sticky: anyone can rename what is below
    const open = join(bin, 'open')
    await mkdir(join(open, 'good'), { recursive: true })
    await chmod(open, 0o777)
    await chmod(join(open, 'good'), 0o755)
    expect(untrusted(await file(join(open, 'good', 'q')))).toBe(
      `${open} can be written by any user (mode 777)`
    )
    // sticky above is fine (as /tmp above every test file here); sticky as its own directory is not
    await chmod(open, 0o1777)
    expect(untrusted(join(open, 'good', 'q'))).toBeUndefined()
    expect(untrusted(await file(join(open, 'q')))).toBe(
      `${open} can be written by any user (mode 1777)`
    )
  })

  test('a dynamically linked host emulator is refused', async () => {
    const path = await emulator('aarch64', dynamicElf(hostCpu))
    await expect(new HostInstaller(host()).install(['aarch64'])).rejects.toThrow(
      `${path} (qemu-aarch64, from the host) is dynamically linked;`
    )
  })
})

describe('choosing and falling back (installer/index.ts)', () => {
  const noDownload = {
    qemuVersion: '9.9.9',
    downloadSources: [
      { template: 'http://127.0.0.1:9/q_{version}_{arch}.deb', kind: 'package' as const }
    ],
    checksums: { packages: new Map([['q_9.9.9_amd64.deb', 'a'.repeat(64)]]), cpus: new Map() }
  }

  // the download installer's tool cache lives in this test's temporary directory
  const saved = {
    RUNNER_TOOL_CACHE: process.env.RUNNER_TOOL_CACHE,
    RUNNER_TEMP: process.env.RUNNER_TEMP
  }
  beforeEach(() => {
    process.env.RUNNER_TOOL_CACHE = join(bin, 'tool-cache')
    process.env.RUNNER_TEMP = join(bin, 'temp')
    mkdirSync(process.env.RUNNER_TEMP)
  })
  afterEach(() => {
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[name]
      else process.env[name] = value
    }
  })

  test('emulators are looked for on PATH (never in the working directory), then where distributions put them', () => {
    expect(searchDirs('/a::/b:')).toEqual(['/a', '/b', '/usr/bin', '/usr/local/bin'])
    expect(searchDirs('.:bin:/usr/bin:/a')).toEqual(['/usr/bin', '/a', '/usr/local/bin'])
    expect(searchDirs(undefined)).toEqual(['/usr/bin', '/usr/local/bin'])
  })

  test('staticOnHost: every emulator on PATH, static and built for this host', async () => {
    expect(await staticOnHost(['aarch64', 's390x'], host())).toBe(true)
    expect(await staticOnHost(['aarch64', 'nonesuch'], host())).toBe(false) // missing
    await emulator('aarch64', dynamicElf(hostCpu))
    expect(await staticOnHost(['aarch64'], host())).toBe(false)
    await emulator('aarch64', elfFor(hostCpu === 'x86_64' ? 'aarch64' : 'x86_64'))
    expect(await staticOnHost(['aarch64'], host())).toBe(false)
    await emulator('aarch64', 'not an ELF')
    expect(await staticOnHost(['aarch64'], host())).toBe(false)
  })

  test('install: auto falls back to apt when the download cannot be had, with a warning naming version, paths and the remedy', async () => {
    const done = await installEmulators(
      { name: 'download', why: 'auto', fallback: 'apt' },
      noDownload,
      host(),
      ['aarch64']
    )
    expect(done?.source).toBe('apt (qemu-user-static)')
    expect(core.seen.log).toContain(
      `QEMU 8.2.2 from apt (qemu-user-static): ${join(bin, 'qemu-aarch64-static')}`
    )
    expect(core.seen.warnings).toEqual([
      expect.stringMatching(
        new RegExp(
          `^Using QEMU 8\\.2\\.2 from apt \\(qemu-user-static\\) \\(${join(bin, 'qemu-aarch64-static')}\\), not the pinned, verified 9\\.9\\.9: Could not download QEMU 9\\.9\\.9 from any source: .*\\. To get 9\\.9\\.9, let the runner reach the download \\(or name a reachable mirror in download-url\\)\\.$`
        )
      )
    ])
    expect(core.seen.log).toEqual(
      expect.arrayContaining([
        'Installer: download (auto)',
        expect.stringMatching(
          /^The verified download cannot be had \(Could not download QEMU 9\.9\.9 from any source: .*\); using apt instead\.$/
        )
      ])
    )
  })

  test("install: auto falls back to the host's own emulators (no apt) when the download cannot be had", async () => {
    const done = await installEmulators(
      { name: 'download', why: 'auto', fallback: 'host' },
      noDownload,
      host(),
      ['aarch64', 's390x']
    )
    expect(done?.source).toBe('host')
    expect(done?.emulators.get('s390x')).toBe(join(bin, 'qemu-s390x-static'))
    expect(aptCommands()).toEqual([])
    expect(core.seen.warnings).toEqual([
      expect.stringMatching(
        /^Using QEMU 8\.2\.2 from host \(.*qemu-aarch64-static, .*qemu-s390x-static\), not the pinned, verified 9\.9\.9: Could not download/
      )
    ])
  })

  test("without root, install: auto still falls back to the host's own emulators (only apt needs root)", async () => {
    const done = await installEmulators(
      { name: 'download', why: 'auto', fallback: 'host' },
      noDownload,
      host('none'),
      ['aarch64']
    )
    expect(done?.source).toBe('host')
  })

  test('a download that arrives but is not the file expected is never answered with another QEMU', async () => {
    const { createServer } = await import('node:http')
    const server = createServer((_, res) => res.end('not the package'))
    await new Promise<void>(ok => server.listen(0, '127.0.0.1', ok))
    try {
      const port = (server.address() as { port: number }).port
      const tampered = {
        ...noDownload,
        downloadSources: [
          { template: `http://127.0.0.1:${port}/q_{version}_{arch}.deb`, kind: 'package' as const }
        ]
      }
      for (const fallback of ['host', 'apt'] as const) {
        await expect(
          installEmulators({ name: 'download', why: 'auto', fallback }, tampered, host(), [
            'aarch64'
          ])
        ).rejects.toThrow(
          new RegExp(
            `^Could not download QEMU 9\\.9\\.9 from any source: http://127\\.0\\.0\\.1:${port}/q_9\\.9\\.9_amd64\\.deb: .*not a Debian package.*A source answered with a file that could not be verified, so no other QEMU is used instead \\(possibly tampered with`
          )
        )
      }
      expect(aptCommands()).toEqual([])
      expect(core.seen.warnings).toEqual([])
    } finally {
      server.close()
    }
  })

  test("install: auto on a host the action pins nothing for: the host's own, with a warning that says how to get a verified one", async () => {
    const done = await installEmulators(
      { name: 'host', why: 'auto, unpinned', unpinned: 'no ppc64el package' },
      noDownload,
      host(),
      ['aarch64']
    )
    expect(done?.source).toBe('host')
    expect(core.seen.warnings).toEqual([
      `Using QEMU 8.2.2 from host (${join(bin, 'qemu-aarch64-static')}), not the pinned, verified 9.9.9: no ppc64el package. To get a verified QEMU here, give download-url and checksums for a static build for amd64 hosts.`
    ])
  })

  test('whyUnverifiable: only for a version the action pins, on a host it pins nothing for, without checksums', () => {
    const defaults = {
      qemuVersion: '10.0.13+ds-0+deb13u1',
      downloadSources: downloadSources([]),
      checksums: parseChecksums([])
    }
    expect(whyUnverifiable(defaults, fakeHost({ machine: 'x86_64' }), ['aarch64'])).toBeUndefined()
    const ppc = { ...fakeHost(), platform: lookupPlatform('linux/ppc64le') as Platform }
    expect(whyUnverifiable(defaults, ppc, ['aarch64'])).toBe(
      "the action pins QEMU 10.0.13+ds-0+deb13u1 for amd64 and arm64 hosts, not for this ppc64el host, and checksums has nothing for it (no checksum for qemu-user_10.0.13+ds-0+deb13u1_ppc64el.deb (https://deb.debian.org/debian/pool/main/q/qemu/qemu-user_{version}_{arch}.deb); https://snapshot.debian.org/file/{sha1} needs the package's SHA-1, known only for versions in the action's table)"
    )
    const sums = parseChecksums([`${'c'.repeat(64)}  qemu-user_10.0.13+ds-0+deb13u1_ppc64el.deb`])
    expect(whyUnverifiable({ ...defaults, checksums: sums }, ppc, ['aarch64'])).toBeUndefined()
    // a version the action does not pin was chosen by the user: preflight asks for checksums
    expect(whyUnverifiable({ ...defaults, qemuVersion: '9.9.9' }, ppc, ['aarch64'])).toBeUndefined()
  })

  test('without a fallback, or without root for apt, the download failure stands', async () => {
    await expect(
      installEmulators({ name: 'download', why: 'install: download' }, noDownload, host(), [
        'aarch64'
      ])
    ).rejects.toThrow(/Could not download QEMU 9\.9\.9/)
    await expect(
      installEmulators(
        { name: 'download', why: 'auto', fallback: 'apt' },
        noDownload,
        host('none'),
        ['aarch64']
      )
    ).rejects.toThrow(/Could not download QEMU 9\.9\.9/)
    expect(aptCommands()).toEqual([])
  })

  test('nothing to install is nothing; installerFor names each installer', async () => {
    expect(
      await installEmulators({ name: 'nothing', why: 'x' }, noDownload, host(), ['aarch64'])
    ).toBeUndefined()
    expect(installerFor('apt', noDownload, host())?.name).toBe('apt')
    expect(installerFor('download', noDownload, host())?.name).toBe('download')
    expect(installerFor('host', noDownload, host())?.name).toBe('host')
    expect(installerFor('nothing', noDownload, host())).toBeUndefined()
  })
})
