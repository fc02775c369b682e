import { chmodSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
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

/**
 * A shell's complaint about running a binary: on ENOEXEC (no handler took it) execvp hands the
 * file to /bin/sh, whose "Syntax error" or "cannot execute binary file" then stands for the exec
 * format error.
 */
const shellFallback = (result: RunResult): boolean =>
  (result.code === 2 || result.code === 126 || result.code === 127) &&
  /probe-[a-z0-9_]+: (\d+: )?(Syntax error|.*cannot execute binary file|.*not found)/.test(
    result.stderr
  )

/** Why a direct probe run failed, in words a user can act on. */
async function diagnose(result: RunResult, target: Target, interpreter?: string): Promise<string> {
  const name = handlerName(target.platform.cpu)
  const text = result.stderr
  if (result.startError === 'ENOEXEC' || /exec format error/i.test(text) || shellFallback(result)) {
    return `exec format error: no enabled handler took the binary (is ${name} registered and enabled?)`
  }
  if (result.startError === 'ENOENT' || /No such file or directory/i.test(text)) {
    return interpreter && !existsSync(interpreter)
      ? `the interpreter ${interpreter} of ${name} does not exist`
      : `the interpreter of ${name} is missing`
  }
  if (result.signal)
    return `it was killed by ${result.signal} (the emulator crashed; try another qemu-version)`
  return `it exited ${result.code}: ${lastLine(text) || 'no output'}`
}

/**
 * Why the probe failed in the empty chroot: a dynamically linked interpreter; else one direct run
 * tells "no working handler at all" from "works, but not where its path is absent" (no F).
 */
async function diagnoseChroot(
  target: Target,
  interpreter: string | undefined,
  direct: () => Promise<RunResult>
): Promise<string> {
  const name = handlerName(target.platform.cpu)
  const elf = interpreter ? await readElf(interpreter).catch(() => undefined) : undefined
  if (elf?.dynamic) {
    return `the interpreter ${interpreter} of ${name} is dynamically linked, so it cannot run where its libraries are absent (inside containers and chroots)`
  }
  const result = await direct()
  if (result.code !== 0) return diagnose(result, target, interpreter)
  return `${name} could not run where its interpreter path does not exist (the F flag is not in effect)`
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
        const interpreter = options.interpreters.get(cpu)
        return {
          target,
          problem: `probe failed: ${
            chroot
              ? await diagnoseChroot(target, interpreter, () => runOnce(cpu, undefined))
              : await diagnose(result, target, interpreter)
          }`
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
