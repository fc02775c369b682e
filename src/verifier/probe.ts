import { chmodSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import * as os from 'node:os'
import { join } from 'node:path'
import { handlerName } from '../catalogue.js'
import { readElf } from '../host/elf.js'
import { readFileSync } from 'node:fs'
import { constants as osConstants } from 'node:os'
import type { AsRoot, ProbeRunner, RunResult, Target } from '../model.js'
import { run, lastLine } from '../tools/exec.js'
import { PROBE_CPUS } from './probe/cpus.js'
import { expectedMachine, type Verdict } from './verifier.js'

/** How long probes may run before they are killed: an emulator start takes milliseconds. */
const PROBE_TIMEOUT_S = 30

/**
 * Starts every probe at once and waits for them all, directly or in the empty chroot of their
 * directory; writes each one's stdout, stderr and exit code next to it. Arguments: the directory,
 * 1 for the chroot, the probe file names. A constant script: nothing the user wrote reaches it.
 * It runs under one `timeout`, which kills its whole process group (a hung emulator included).
 */
const LAUNCHER = `d=$1; c=$2; shift 2
for p; do
  { if [ "$c" = 1 ]; then chroot "$d" "/$p"; else "$d/$p"; fi >"$d/$p.out" 2>"$d/$p.err"; echo $? >"$d/$p.rc"; } &
done
wait`

/** A shell's exit status as a RunResult's code and signal (128+N: killed by signal N). */
function status(rc: number): Pick<RunResult, 'code' | 'signal'> {
  if (rc > 128 && rc !== 124) {
    const name = Object.entries(osConstants.signals).find(([, n]) => n === rc - 128)?.[0]
    return { code: null, signal: name ?? `signal ${rc - 128}` }
  }
  return { code: rc, signal: null }
}

/**
 * Tiny static programs, one per CPU, that print `uname -m`. Executed directly on the host they
 * prove a handler works without Docker or network; executed in an empty chroot they prove the F
 * flag (the interpreter's path does not exist there).
 */
export class Probes implements ProbeRunner {
  private constructor(
    readonly dir: string,
    /** A probe still running after this long is killed (a hung emulator), with its launcher. */
    readonly timeoutSeconds: number
  ) {}

  static async create(timeoutSeconds = PROBE_TIMEOUT_S): Promise<Probes> {
    return new Probes(
      mkdtempSync(join(process.env.RUNNER_TEMP || os.tmpdir(), 'cross-arch-probe-')),
      timeoutSeconds
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
        // the machine code is loaded with the first probe written, not at every start
        const { probeProgram } = await import('./probe/index.js')
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
    // Stryker disable next-line ArrayDeclaration: a probe takes no arguments and reads none
    if (!chroot) return run(path, [], { timeoutMs: this.timeoutSeconds * 1000 })
    return chroot.run('chroot', [this.dir, `/probe-${cpu}`])
  }

  async runAll(cpus: readonly string[], chroot?: AsRoot): Promise<Map<string, RunResult>> {
    const names = await Promise.all(
      cpus.map(async cpu => (await this.file(cpu)).slice(this.dir.length + 1))
    )
    const args = [
      String(this.timeoutSeconds),
      'sh',
      '-c',
      LAUNCHER,
      'sh',
      this.dir,
      // Stryker disable next-line StringLiteral: the launcher takes anything but 1 as "no chroot"
      chroot ? '1' : '0',
      ...names
    ]
    const launched = chroot ? await chroot.run('timeout', args) : await run('timeout', args)
    const read = (name: string): string => {
      try {
        return readFileSync(join(this.dir, name), 'utf8')
      } catch {
        return ''
      }
    }
    return new Map(
      cpus.map((cpu, i) => {
        // Stryker disable next-line MethodExpression: Number() ignores the newline, and "0\n" is as truthy as "0"
        const rc = read(`${names[i]}.rc`).trim()
        const result: RunResult = rc
          ? {
              ...status(Number(rc)),
              stdout: read(`${names[i]}.out`),
              stderr: read(`${names[i]}.err`)
            }
          : { code: launched.code ?? 1, signal: null, stdout: '', stderr: launched.stderr }
        return [cpu, result]
      })
    )
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
  // Native platforms need no proof here: the host's own, or a family member whose probe already
  // ran natively when it was classified. One run per emulated CPU (arm/v7 and arm/v6 share
  // qemu-arm), all started together, in the empty chroot when one is given.
  const cpus = [
    ...new Set(
      targets.filter(t => !t.native && probes.has(t.platform.cpu)).map(t => t.platform.cpu)
    )
  ]
  const results = cpus.length
    ? await probes.runAll(cpus, options.chroot)
    : new Map<string, RunResult>()
  return Promise.all(
    targets.map(async (target): Promise<Verdict> => {
      const cpu = target.platform.cpu
      const expected = expectedMachine(target, hostMachine)
      if (target.native) return { target, machine: expected }
      if (!probes.has(cpu)) return { target, skipped: `no probe program for ${cpu}` }
      const chroot = options.chroot
      const result = results.get(cpu) as RunResult
      if (result.code !== 0) {
        const interpreter = options.interpreters.get(cpu)
        // run alone again: the exact start error and output are what the diagnosis reads
        return {
          target,
          problem: `probe failed: ${
            chroot
              ? await diagnoseChroot(target, interpreter, () => probes.run(cpu))
              : await diagnose(await probes.run(cpu), target, interpreter)
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
