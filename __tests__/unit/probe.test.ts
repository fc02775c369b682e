import { execFile } from 'node:child_process'
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { promisify } from 'node:util'
import { FakeProbes } from '../../__fixtures__/fake-host.js'
import { EMULATORS, hostPlatform, lookupPlatform, type Platform } from '../../src/catalogue.js'
import type { RunResult, Target } from '../../src/model.js'
import { Probes, verifyByProbe } from '../../src/verifier/probe.js'
import { PROBES } from '../../src/verifier/probe/code.js'
import { buildElf, entryAddress, type ElfTarget } from '../../src/verifier/probe/elf.js'
import { PROBE_CPUS, probeProgram } from '../../src/verifier/probe/index.js'

const run = promisify(execFile)

/** The fields of an ELF file the probes rely on, read back independently of elf.ts. */
function readElf(file: Buffer) {
  const bits = file[4] === 2 ? 64 : 32
  const le = file[5] === 1
  const u16 = (o: number) => (le ? file.readUInt16LE(o) : file.readUInt16BE(o))
  const u32 = (o: number) => (le ? file.readUInt32LE(o) : file.readUInt32BE(o))
  const u64 = (o: number) => Number(le ? file.readBigUInt64LE(o) : file.readBigUInt64BE(o))
  const word = bits === 64 ? u64 : u32
  const w = bits === 64 ? 8 : 4
  const entry = word(24)
  const phoff = word(24 + w)
  const shoff = word(24 + 2 * w)
  const flags = u32(24 + 3 * w)
  const ehsize = u16(28 + 3 * w)
  const phentsize = u16(30 + 3 * w)
  const phnum = u16(32 + 3 * w)
  const shnum = u16(36 + 3 * w)
  const segments = Array.from({ length: phnum }, (_, i) => {
    const p = phoff + i * phentsize
    return bits === 64
      ? {
          type: u32(p),
          flags: u32(p + 4),
          offset: u64(p + 8),
          vaddr: u64(p + 16),
          filesz: u64(p + 32),
          memsz: u64(p + 40),
          align: u64(p + 48)
        }
      : {
          type: u32(p),
          offset: u32(p + 4),
          vaddr: u32(p + 8),
          filesz: u32(p + 16),
          memsz: u32(p + 20),
          flags: u32(p + 24),
          align: u32(p + 28)
        }
  })
  return {
    magic: file.subarray(0, 4).toString('latin1'),
    bits,
    le,
    version: file[6],
    type: u16(16),
    machine: u16(18),
    entry,
    phoff,
    shoff,
    flags,
    ehsize,
    phentsize,
    shnum,
    segments
  }
}

/** `\xHH` text (as in the catalogue) to bytes. */
const unescape = (text: string): number[] =>
  [...text.replace(/^\\x7fELF/, '\\x7f\\x45\\x4c\\x46').matchAll(/\\x([0-9a-f]{2})/gi)].map(m =>
    parseInt(m[1], 16)
  )

/** fs/binfmt_misc.c: a file matches when it differs from the magic only in bits the mask clears. */
const binfmtMatches = (file: Buffer, magic: string, mask: string): boolean => {
  const k = unescape(mask)
  return unescape(magic).every((b, i) => ((file[i] ^ b) & k[i]) === 0)
}

const expected: Record<string, { bits: number; le: boolean; machine: number }> = {
  aarch64: { bits: 64, le: true, machine: 183 },
  arm: { bits: 32, le: true, machine: 40 },
  ppc64le: { bits: 64, le: true, machine: 21 },
  s390x: { bits: 64, le: false, machine: 22 },
  riscv64: { bits: 64, le: true, machine: 243 },
  i386: { bits: 32, le: true, machine: 3 },
  x86_64: { bits: 64, le: true, machine: 62 },
  mips64el: { bits: 64, le: true, machine: 8 },
  mips64: { bits: 64, le: false, machine: 8 }
}

describe('probe programs', () => {
  test('there is a probe for each required cpu', () => {
    expect([...PROBE_CPUS].sort()).toEqual(Object.keys(expected).sort())
  })

  test.each(PROBE_CPUS.map(cpu => [cpu]))('%s: a small static ELF executable', cpu => {
    const file = probeProgram(cpu)
    const elf = readElf(file)
    const want = expected[cpu]
    expect(elf.magic).toBe('\x7fELF')
    expect({ bits: elf.bits, le: elf.le, machine: elf.machine }).toEqual(want)
    expect(elf.version).toBe(1)
    expect(elf.type).toBe(2) // ET_EXEC
    expect(elf.ehsize).toBe(want.bits === 64 ? 64 : 52)
    expect(elf.phoff).toBe(elf.ehsize)
    expect(elf.shoff).toBe(0)
    expect(elf.shnum).toBe(0)
    expect(file.length).toBeLessThan(512)

    const loads = elf.segments.filter(s => s.type === 1)
    expect(loads).toHaveLength(1)
    const [load] = loads
    expect(load.offset).toBe(0)
    expect(load.filesz).toBe(file.length)
    expect(load.memsz).toBe(file.length)
    expect(load.flags).toBe(4 | 1) // R+X
    expect(load.vaddr % 0x10000).toBe(0)
    expect(load.vaddr % load.align).toBe(0)
    // the entry is the first code byte, after the headers, inside the loaded segment
    const headers = elf.ehsize + elf.segments.length * elf.phentsize
    expect(elf.entry).toBe(load.vaddr + headers)
    expect(elf.entry).toBeLessThan(load.vaddr + load.filesz)
    expect(elf.entry).toBe(entryAddress(PROBES[cpu].elf))
    expect([...file.subarray(headers)]).toEqual([...PROBES[cpu].code])

    const stack = elf.segments.find(s => s.type === 0x6474e551) // PT_GNU_STACK
    expect(stack?.flags).toBe(4 | 2) // RW, not executable
  })

  test.each([
    ['arm', 0x05000000], // EABI version 5
    ['ppc64le', 2], // ELFv2: QEMU reads an ELFv1 entry point as a function descriptor
    ['mips64el', 0x80000000], // mips64r2, n64 (no EF_MIPS_ABI2)
    ['mips64', 0x80000000],
    ['x86_64', 0]
  ] as const)('%s: e_flags %i', (cpu, flags) => {
    expect(readElf(probeProgram(cpu)).flags).toBe(flags)
  })

  test.each(PROBE_CPUS.map(cpu => [cpu]))(
    '%s: binfmt_misc hands it to its own qemu entry and to no other',
    cpu => {
      const file = probeProgram(cpu)
      const matching = EMULATORS.filter(e => binfmtMatches(file, e.magic, e.mask)).map(e => e.cpu)
      expect(matching).toEqual([cpu])
    }
  )

  test('code lengths are whole instructions for fixed-width instruction sets', () => {
    for (const cpu of ['aarch64', 'arm', 'ppc64le', 'riscv64', 'mips64el', 'mips64']) {
      expect(PROBES[cpu].code.length % 4).toBe(0)
    }
    // mips64 is the mips64el program in the other byte order
    const le = PROBES.mips64el.code
    const be = PROBES.mips64.code
    expect(Buffer.from(be).swap32()).toEqual(Buffer.from(le))
  })

  test('deterministic: the same bytes every call, in a fresh buffer', () => {
    for (const cpu of PROBE_CPUS) {
      const first = probeProgram(cpu)
      first.fill(0)
      expect(probeProgram(cpu)).toEqual(probeProgram(cpu))
      expect(probeProgram(cpu).equals(first)).toBe(false)
    }
    expect(Object.isFrozen(PROBE_CPUS)).toBe(true)
    expect(Object.isFrozen(PROBES.x86_64.code)).toBe(true)
  })

  test('an unknown cpu is an error naming it', () => {
    expect(() => probeProgram('loongarch64')).toThrow(/"loongarch64"/)
    expect(() => probeProgram('toString')).toThrow(/"toString"/)
    expect(() => probeProgram('')).toThrow(/No emulation probe/)
  })
})

describe('buildElf', () => {
  const target: ElfTarget = { bits: 32, endian: 'big', machine: 8, flags: 0, loadAddress: 0x10000 }

  test('writes a big-endian 32-bit header', () => {
    const elf = readElf(buildElf(target, [0, 0, 0, 0]))
    expect(elf).toMatchObject({ bits: 32, le: false, machine: 8, entry: 0x10000 + 52 + 2 * 32 })
  })

  test('rejects what it cannot write', () => {
    expect(() => buildElf(target, [])).toThrow(/empty/)
    expect(() => buildElf(target, [256])).toThrow(/not a byte/)
    expect(() => buildElf(target, [1.5])).toThrow(/not a byte/)
    expect(() => buildElf({ ...target, loadAddress: 0x8048000 }, [0])).toThrow(/64 KiB/)
    expect(() => buildElf({ ...target, loadAddress: 0 }, [0])).toThrow(/64 KiB/)
    expect(() => buildElf({ ...target, loadAddress: 0x100000000 }, [0])).toThrow(/32-bit/)
  })
})

/** The probe for the machine these tests run on, as `os.machine()` names it. */
function nativeCpu(machine: string): string {
  const cpus: Record<string, string> = {
    x86_64: 'x86_64',
    amd64: 'x86_64',
    aarch64: 'aarch64',
    arm64: 'aarch64',
    armv6l: 'arm',
    armv7l: 'arm',
    armv8l: 'arm',
    ppc64le: 'ppc64le',
    s390x: 's390x',
    riscv64: 'riscv64',
    i386: 'i386',
    i686: 'i386',
    mips64: os.endianness() === 'LE' ? 'mips64el' : 'mips64'
  }
  const cpu = cpus[machine]
  if (!cpu) throw new Error(`no emulation probe runs natively on a "${machine}" host`)
  return cpu
}

describe('native run', () => {
  let dir: string
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'probe-unit-'))
  })
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true })
  })

  test(`the ${os.machine()} host's own probe prints os.machine()`, async () => {
    const cpu = nativeCpu(os.machine())
    const file = path.join(dir, `probe-${cpu}`)
    await writeFile(file, probeProgram(cpu))
    await chmod(file, 0o755)
    const { stdout, stderr } = await run(file, [], { encoding: 'utf8', timeout: 10_000 })
    expect(stdout).toBe(`${os.machine()}\n`)
    expect(stderr).toBe('')
  })
})

const target = (name: string, native = false): Target => ({
  platform: lookupPlatform(name) as Platform,
  native,
  why: ''
})
const hostCpu = nativeCpu(os.machine())
const hostTarget: Target = {
  platform: hostPlatform(os.machine()) as Platform,
  native: true,
  why: ''
}

describe('Probes', () => {
  const savedTemp = process.env.RUNNER_TEMP
  let temp: string
  let probes: Probes
  beforeEach(async () => {
    temp = await mkdtemp(path.join(os.tmpdir(), 'runner-temp-'))
    process.env.RUNNER_TEMP = temp
    probes = await Probes.create()
  })
  afterEach(async () => {
    await probes.dispose()
    if (savedTemp === undefined) delete process.env.RUNNER_TEMP
    else process.env.RUNNER_TEMP = savedTemp
    await rm(temp, { recursive: true, force: true })
  })

  test('a private directory under RUNNER_TEMP, removed by dispose', async () => {
    expect(path.dirname(probes.dir)).toBe(temp)
    expect(path.basename(probes.dir)).toMatch(/^cross-arch-probe-/)
    expect(statSync(probes.dir).isDirectory()).toBe(true)
    await probes.file('aarch64')
    await probes.dispose()
    expect(existsSync(probes.dir)).toBe(false)
  })

  test('has a probe for each CPU with a program, and none for others', () => {
    for (const cpu of PROBE_CPUS) expect(probes.has(cpu)).toBe(true)
    for (const cpu of ['loongarch64', 'sparc64', '', 'toString'])
      expect(probes.has(cpu)).toBe(false)
  })

  test('each probe file is the program, executable, written once', async () => {
    const file = await probes.file('s390x')
    expect(file).toBe(path.join(probes.dir, 'probe-s390x'))
    expect(readFileSync(file).equals(probeProgram('s390x'))).toBe(true)
    expect(statSync(file).mode & 0o777).toBe(0o755)
    writeFileSync(file, 'changed')
    expect(await probes.file('s390x')).toBe(file)
    expect(readFileSync(file, 'utf8')).toBe('changed')
  })

  test(`run: the ${os.machine()} host's own probe prints os.machine()`, async () => {
    const result = await probes.run(hostCpu)
    expect(result).toMatchObject({ code: 0, stdout: `${os.machine()}\n`, stderr: '' })
  })

  test(`runAll: the probes start together in one process; each result read back`, async () => {
    const results = await probes.runAll([hostCpu])
    expect(results.get(hostCpu)).toEqual({
      code: 0,
      signal: null,
      stdout: `${os.machine()}\n`,
      stderr: ''
    })
  })

  test('runAll in the chroot goes through one root process: sh with the launcher', async () => {
    const calls: string[][] = []
    // stands in for Privilege: records the one call, and runs the launcher without chroot
    const asRoot = {
      run: async (file: string, args: readonly string[]): Promise<RunResult> => {
        calls.push([file, ...args])
        const direct = [...args.slice(0, 6), '0', ...args.slice(7)]
        return new Promise(resolve =>
          execFile(file, direct, { encoding: 'utf8' }, (error, stdout, stderr) =>
            resolve({ code: error ? 1 : 0, signal: null, stdout, stderr })
          )
        )
      }
    }
    const results = await probes.runAll([hostCpu], asRoot)
    expect(calls).toHaveLength(1)
    expect(calls[0].slice(0, 4)).toEqual(['timeout', '30', 'sh', '-c'])
    expect(calls[0].slice(5)).toEqual(['sh', probes.dir, '1', `probe-${hostCpu}`])
    expect(results.get(hostCpu)?.stdout).toBe(`${os.machine()}\n`)
  })

  test('runAll reads a signal-killed probe (128+N) as that signal', async () => {
    const file = await probes.file(hostCpu)
    writeFileSync(file, '#!/bin/sh\nkill -SEGV $$\n')
    const results = await probes.runAll([hostCpu])
    expect(results.get(hostCpu)).toMatchObject({ code: null, signal: 'SIGSEGV' })
  })

  test('runAll: exit codes that are not signals stay exit codes; its error output is read back', async () => {
    const file = await probes.file(hostCpu)
    for (const [script, expected] of [
      ['exit 128', { code: 128, signal: null }],
      ['exit 124', { code: 124, signal: null }],
      ['exit 200', { code: null, signal: 'signal 72' }],
      ['echo oops >&2; exit 3', { code: 3, signal: null, stderr: 'oops\n', stdout: '' }]
    ] as const) {
      writeFileSync(file, `#!/bin/sh\n${script}\n`)
      expect([script, (await probes.runAll([hostCpu])).get(hostCpu)]).toEqual([
        script,
        expect.objectContaining(expected)
      ])
    }
  })

  test('a probe that hangs is killed after the timeout, run alone or with the others', async () => {
    const quick = await Probes.create(1)
    try {
      const file = await quick.file(hostCpu)
      writeFileSync(file, '#!/bin/sh\nexec sleep 60\n')
      // the launcher is killed with it: no exit code written, timeout's own 124 stands for it
      expect((await quick.runAll([hostCpu])).get(hostCpu)).toMatchObject({ code: 124, stdout: '' })
      const alone = await quick.run(hostCpu)
      expect(alone.code).not.toBe(0)
    } finally {
      await quick.dispose()
    }
  })

  test('run in a chroot: chroot <probe dir> /probe-<cpu>, as root', async () => {
    const calls: string[] = []
    // stands in for Privilege: runs the program as chroot would find it under the new root
    const asRoot = {
      run: async (file: string, args: readonly string[]): Promise<RunResult> => {
        calls.push([file, ...args].join(' '))
        const [root, inside] = args
        return new Promise(resolve =>
          execFile(path.join(root, inside), [], { encoding: 'utf8' }, (error, stdout, stderr) =>
            resolve({ code: error ? 1 : 0, signal: null, stdout, stderr })
          )
        )
      }
    }
    const result = await probes.run(hostCpu, asRoot)
    expect(calls).toEqual([`chroot ${probes.dir} /probe-${hostCpu}`])
    expect(result.stdout).toBe(`${os.machine()}\n`)
  })

  test('verifyByProbe: the host’s own platform passes as native', async () => {
    const [v] = await verifyByProbe([hostTarget], os.machine(), probes, {
      interpreters: new Map()
    })
    expect(v).toEqual({ target: hostTarget, machine: os.machine() })
  })

  /** Replaces a CPU's probe file with a script, to make a real run fail a given way. */
  async function failing(cpu: string, script: string): Promise<void> {
    const file = await probes.file(cpu)
    writeFileSync(file, script)
  }

  test('a probe killed by a signal: the emulator crashed', async () => {
    await failing('s390x', '#!/bin/sh\nkill -SEGV $$\n')
    const [v] = await verifyByProbe([target('s390x')], 'x86_64', probes, {
      interpreters: new Map()
    })
    expect(v.problem).toBe(
      'probe failed: it was killed by SIGSEGV (the emulator crashed; try another qemu-version)'
    )
  })

  test('a probe exiting non-zero: its code and the last line it printed', async () => {
    await failing(
      'riscv64',
      '#!/bin/sh\necho "qemu-riscv64: starting" >&2\necho "qemu: unhandled trap" >&2\nexit 3\n'
    )
    await failing('aarch64', '#!/bin/sh\nexit 4\n')
    const verdicts = await verifyByProbe([target('riscv64'), target('arm64')], 'x86_64', probes, {
      interpreters: new Map()
    })
    expect(verdicts.map(v => v.problem)).toEqual([
      'probe failed: it exited 3: qemu: unhandled trap',
      'probe failed: it exited 4: no output'
    ])
  })

  test('an interpreter that does not exist is named', async () => {
    await failing('s390x', '#!/nonexistent/qemu-s390x-static\n')
    await failing('ppc64le', '#!/nonexistent/qemu-ppc64le-static\n')
    const verdicts = await verifyByProbe([target('s390x'), target('ppc64le')], 'x86_64', probes, {
      interpreters: new Map([['s390x', '/nonexistent/qemu-s390x-static']])
    })
    expect(verdicts.map(v => v.problem)).toEqual([
      'probe failed: the interpreter /nonexistent/qemu-s390x-static of qemu-s390x does not exist',
      'probe failed: the interpreter of qemu-ppc64le is missing'
    ])
  })
})

describe('diagnoses', () => {
  let dir: string
  let staticInterpreter: string
  let dynamicInterpreter: string
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'interpreters-'))
    staticInterpreter = path.join(dir, 'qemu-static')
    await writeFile(staticInterpreter, probeProgram('x86_64'))
    // the same program with a PT_INTERP header: what a dynamically linked emulator has
    const dynamic = probeProgram('x86_64')
    const elf = readElf(dynamic)
    const at = elf.segments.findIndex(s => s.type === 0x6474e551)
    dynamic.writeUInt32LE(3, elf.phoff + at * elf.phentsize)
    dynamicInterpreter = path.join(dir, 'qemu-dynamic')
    await writeFile(dynamicInterpreter, dynamic)
  })
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true })
  })
  const chroot = {
    run: async (): Promise<RunResult> => ({ code: 0, signal: null, stdout: '', stderr: '' })
  }
  const noSuchFile = (cpu: string) => ({
    code: 127,
    stderr: `chroot: failed to run command '/probe-${cpu}': No such file or directory\n`
  })

  test('exec format error: no enabled handler took the binary', async () => {
    const probes = new FakeProbes({
      aarch64: { code: null, startError: 'ENOEXEC' },
      s390x: {
        code: 126,
        stderr: "chroot: failed to run command '/probe-s390x': Exec format error\n"
      }
    })
    const verdicts = await verifyByProbe([target('arm64'), target('s390x')], 'x86_64', probes, {
      interpreters: new Map(),
      chroot
    })
    expect(verdicts.map(v => v.problem)).toEqual([
      'probe failed: exec format error: no enabled handler took the binary (is qemu-aarch64 registered and enabled?)',
      'probe failed: exec format error: no enabled handler took the binary (is qemu-s390x registered and enabled?)'
    ])
  })

  test('a dynamically linked interpreter cannot run without its libraries', async () => {
    const probes = new FakeProbes({
      'ppc64le (chroot)': noSuchFile('ppc64le'),
      ppc64le: { stdout: 'ppc64le\n' }
    })
    const [v] = await verifyByProbe([target('ppc64le')], 'x86_64', probes, {
      interpreters: new Map([['ppc64le', dynamicInterpreter]]),
      chroot
    })
    expect(v.problem).toBe(
      `probe failed: the interpreter ${dynamicInterpreter} of qemu-ppc64le is dynamically linked, so it cannot run where its libraries are absent (inside containers and chroots)`
    )
  })

  test('a static interpreter not found in the chroot: the F flag is not in effect', async () => {
    const probes = new FakeProbes({
      'riscv64 (chroot)': noSuchFile('riscv64'),
      riscv64: { stdout: 'riscv64\n' }
    })
    const [v] = await verifyByProbe([target('riscv64')], 'x86_64', probes, {
      interpreters: new Map([['riscv64', staticInterpreter]]),
      chroot
    })
    expect(v.problem).toBe(
      'probe failed: qemu-riscv64 could not run where its interpreter path does not exist (the F flag is not in effect)'
    )
    // the direct run, only after the chroot failed, tells "no F" from "no handler"
    expect(probes.runs).toEqual(['riscv64 (chroot)', 'riscv64'])
  })

  test('failing in the chroot and directly: the direct failure is the diagnosis', async () => {
    const probes = new FakeProbes({ riscv64: noSuchFile('riscv64') })
    const [v] = await verifyByProbe([target('riscv64')], 'x86_64', probes, {
      interpreters: new Map([['riscv64', '/nonexistent/qemu-riscv64']]),
      chroot
    })
    expect(v.problem).toBe(
      'probe failed: the interpreter /nonexistent/qemu-riscv64 of qemu-riscv64 does not exist'
    )
  })

  test('no handler at all: the shell execvp falls back to is recognised as the exec format error', async () => {
    const probes = new FakeProbes({
      aarch64: {
        code: 2,
        stderr:
          '/tmp/cross-arch-probe-x/probe-aarch64: 1: Syntax error: word unexpected (expecting ")")\n'
      }
    })
    const [v] = await verifyByProbe([target('arm64')], 'x86_64', probes, {
      interpreters: new Map()
    })
    expect(v.problem).toMatch(/exec format error: no enabled handler took the binary/)
  })

  test.each([
    [2, '/tmp/cross-arch-probe-x/probe-aarch64: 12: Syntax error: ")" unexpected\n'],
    [
      126,
      'bash: /tmp/cross-arch-probe-x/probe-aarch64: cannot execute binary file: Exec format error\n'
    ],
    [127, 'sh: /tmp/cross-arch-probe-x/probe-aarch64: not found\n']
  ])("each shell's fallback (exit %i) is the exec format error", async (code, stderr) => {
    const probes = new FakeProbes({ aarch64: { code, stderr } })
    const [v] = await verifyByProbe([target('arm64')], 'x86_64', probes, {
      interpreters: new Map()
    })
    expect(v.problem).toMatch(/exec format error: no enabled handler took the binary/)
  })

  test("the same words with another exit code are the probe's own failure", async () => {
    const probes = new FakeProbes({
      aarch64: { code: 3, stderr: 'sh: /tmp/x/probe-aarch64: not found\n' }
    })
    const [v] = await verifyByProbe([target('arm64')], 'x86_64', probes, {
      interpreters: new Map()
    })
    expect(v.problem).toBe('probe failed: it exited 3: sh: /tmp/x/probe-aarch64: not found')
  })

  test('a missing interpreter outside a chroot', async () => {
    const probes = new FakeProbes({ riscv64: { code: null, startError: 'ENOENT' } })
    const [v] = await verifyByProbe([target('riscv64')], 'x86_64', probes, {
      interpreters: new Map([['riscv64', path.join(dir, 'nothing-here')]])
    })
    expect(v.problem).toBe(
      `probe failed: the interpreter ${path.join(dir, 'nothing-here')} of qemu-riscv64 does not exist`
    )
  })
})
