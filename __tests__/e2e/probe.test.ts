/**
 * Runs every emulation probe under Debian's qemu-<cpu>-static (directly, no binfmt_misc needed)
 * and rebuilds the probes' machine code from src/verifier/probe/asm with Debian's cross binutils.
 * Needs the packages .ci/run installs: qemu-user-static and the binutils-* cross assemblers.
 */
import { execFile } from 'node:child_process'
import { accessSync, constants } from 'node:fs'
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { PROBES } from '../../src/verifier/probe/code.js'
import { PROBE_CPUS, probeProgram } from '../../src/verifier/probe/index.js'

const run = promisify(execFile)

/** What `uname -m` prints under each emulator. */
const MACHINE: Record<string, string> = {
  aarch64: 'aarch64',
  arm: 'armv7l',
  ppc64le: 'ppc64le',
  s390x: 's390x',
  riscv64: 'riscv64',
  i386: 'i686',
  x86_64: 'x86_64',
  mips64el: 'mips64',
  mips64: 'mips64'
}

const emulator = (cpu: string): string => {
  const file = `/usr/bin/qemu-${cpu}-static`
  try {
    accessSync(file, constants.X_OK)
  } catch {
    throw new Error(
      `${file} is missing: install Debian's qemu-user-static (apt-get install qemu-user-static)`
    )
  }
  return file
}

describe('probes under qemu-user-static', () => {
  let dir: string
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'probe-e2e-'))
  })
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true })
  })

  test('every probe has an expected machine name', () => {
    expect([...PROBE_CPUS].sort()).toEqual(Object.keys(MACHINE).sort())
  })

  test.each(PROBE_CPUS.map(cpu => [cpu, MACHINE[cpu]]))(
    'qemu-%s-static runs the probe, which prints "%s"',
    async (cpu, machine) => {
      const qemu = emulator(cpu)
      const file = path.join(dir, `probe-${cpu}`)
      await writeFile(file, probeProgram(cpu))
      await chmod(file, 0o755)
      const { stdout } = await run(qemu, [file], { encoding: 'utf8', timeout: 30_000 })
      expect(stdout).toBe(`${machine}\n`)
    }
  )
})

describe('probe machine code is reproducible from source', () => {
  test('scripts/probes/assemble.sh rebuilds code.ts byte for byte', async () => {
    const script = fileURLToPath(new URL('../../scripts/probes/assemble.sh', import.meta.url))
    let stdout: string
    try {
      ;({ stdout } = await run('bash', [script], { encoding: 'utf8', timeout: 60_000 }))
    } catch (error) {
      const stderr = (error as { stderr?: string }).stderr ?? ''
      throw new Error(
        `${script} failed (are Debian's binutils-<target> cross assemblers installed?): ${stderr || String(error)}`
      )
    }
    const assembled = Object.fromEntries(
      stdout
        .trim()
        .split('\n')
        .map(line => line.split(' ') as [string, string])
    )
    const fromSource = Object.fromEntries(
      PROBE_CPUS.map(cpu => [cpu, Buffer.from(PROBES[cpu].code).toString('hex')])
    )
    expect(assembled).toEqual(fromSource)
  })
})
