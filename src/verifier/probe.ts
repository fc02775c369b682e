import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import * as os from 'node:os'
import { join } from 'node:path'
import { handlerName } from '../catalogue.js'
import { readElf } from '../host/elf.js'
import type { ProbeRunner, RunResult, Target } from '../model.js'
import { run, lastLine } from '../tools/exec.js'
import { PROBE_CPUS, probeProgram } from './probe/index.js'
import { expectedMachine, type Verdict } from './verifier.js'

/** Runs a program as root (Privilege): what a chroot needs. */
type AsRoot = NonNullable<Parameters<ProbeRunner['run']>[1]>

/**
 * Tiny static programs, one per CPU, that print `uname -m`. Executed directly on the host they
 * prove a handler works without Docker or network; executed in an empty chroot they prove the F
 * flag (the interpreter's path does not exist there).
 */
export class Probes implements ProbeRunner {
  private constructor(readonly dir: string) {}

  static async create(): Promise<Probes> {
    return new Probes(
      mkdtempSync(join(process.env.RUNNER_TEMP || os.tmpdir(), 'cross-arch-probe-'))
    )
  }

  private readonly written = new Map<string, Promise<string>>()

  has(cpu: string): boolean {
    return PROBE_CPUS.includes(cpu)
  }

  /** The probe file for a CPU, written once. */
  file(cpu: string): Promise<string> {
    let path = this.written.get(cpu)
    if (!path) {
      path = (async () => {
        const name = `probe-${cpu}`
        writeFileSync(join(this.dir, name), probeProgram(cpu))
        chmodSync(join(this.dir, name), 0o755)
        return name
      })()
      this.written.set(cpu, path)
    }
    return path.then(name => join(this.dir, name))
  }

  /** Runs the probe directly, or as root inside a chroot of the probe directory. */
  async run(cpu: string, chroot?: AsRoot): Promise<RunResult> {
    const path = await this.file(cpu)
    if (!chroot) return run(path, [], { timeoutMs: 30_000 })
    return chroot.run('chroot', [this.dir, `/probe-${cpu}`])
  }

  async dispose(): Promise<void> {
    rmSync(this.dir, { recursive: true, force: true })
  }
}

/** Why a probe run failed, in words a user can act on. */
async function diagnose(
  result: RunResult,
  target: Target,
  interpreter: string | undefined,
  inChroot: boolean
): Promise<string> {
  const name = handlerName(target.platform.cpu)
  const text = `${result.stderr}`
  if (result.startError === 'ENOEXEC' || /exec format error/i.test(text)) {
    return `exec format error: no enabled handler took the binary (is ${name} registered and enabled?)`
  }
  if (result.startError === 'ENOENT' || /No such file or directory/i.test(text)) {
    if (interpreter) {
      const elf = await readElf(interpreter).catch(() => undefined)
      if (!elf) return `the interpreter ${interpreter} of ${name} does not exist`
      if (elf.dynamic)
        return `the interpreter ${interpreter} of ${name} is dynamically linked, so it cannot run where its libraries are absent`
    }
    return inChroot
      ? `${name} could not run where its interpreter path does not exist (the F flag is not in effect)`
      : `the interpreter of ${name} is missing`
  }
  if (result.signal)
    return `it was killed by ${result.signal} (the emulator crashed; try another qemu-version)`
  return `it exited ${result.code}: ${lastLine(text) || 'no output'}`
}

export interface ProbeOptions {
  /** Run inside an empty chroot, proving F: needs root. */
  readonly chroot?: AsRoot
  /** Interpreter path of each CPU's handler, to explain failures. */
  readonly interpreters: ReadonlyMap<string, string>
}

/** Runs every platform's probe concurrently and compares what it prints with `uname -m`. */
export async function verifyByProbe(
  targets: readonly Target[],
  hostMachine: string,
  probes: ProbeRunner,
  options: ProbeOptions
): Promise<Verdict[]> {
  // Platforms sharing an emulator and expectation (arm/v7, arm/v6) need one run between them.
  const runs = new Map<string, Promise<RunResult>>()
  const runOnce = (cpu: string, chroot: AsRoot | undefined): Promise<RunResult> => {
    const key = `${cpu}:${chroot ? 'chroot' : 'direct'}`
    if (!runs.has(key)) runs.set(key, probes.run(cpu, chroot))
    return runs.get(key) as Promise<RunResult>
  }
  return Promise.all(
    targets.map(async (target): Promise<Verdict> => {
      const cpu = target.platform.cpu
      if (!probes.has(cpu)) return { target, skipped: `no probe program for ${cpu}` }
      const chroot = target.native ? undefined : options.chroot
      const result = await runOnce(cpu, chroot)
      const expected = expectedMachine(target, hostMachine)
      if (result.code !== 0) {
        return {
          target,
          problem: `probe failed: ${await diagnose(result, target, options.interpreters.get(cpu), !!chroot)}`
        }
      }
      const machine = result.stdout.trim()
      if (machine !== expected)
        return {
          target,
          machine,
          problem: `probe printed ${machine || '(nothing)'}, expected ${expected}`
        }
      return { target, machine }
    })
  )
}
