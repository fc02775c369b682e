/**
 * The types the steps hand each other: what is asked (Target, RegistrationRequest), what was
 * installed (Installation), what registration reported (RegistrationOutcome) and what
 * verification found (Verdict). One module, so no folder imports back up into another's.
 */
import type { Platform } from './catalogue.js'

/** A platform this run makes runnable, and whether the host runs it without emulation. */
export interface Target {
  readonly platform: Platform
  readonly native: boolean
  /** Why it counts as native or emulated, for the log. */
  readonly why: string
}

export interface RegistrationRequest {
  /** Platforms that need a handler. */
  readonly emulated: readonly Target[]
  /** Their emulator CPUs, each once. */
  readonly cpus: readonly string[]
  readonly reset: boolean
  readonly persistent: boolean
  readonly credential: boolean
}

/** Emulators ready on the host, by CPU, and the QEMU version they report. */
export interface Installation {
  /** Where they came from, for the log and summary. */
  readonly source: string
  readonly emulators: ReadonlyMap<string, string>
  readonly version: string
  /**
   * Checks still owed before an emulator is registered, by CPU (a tool-cache hit is hashed again
   * only when it is about to be registered: an F handler already registered from it keeps the
   * file it opened then).
   */
  readonly pending?: ReadonlyMap<string, () => Promise<void>>
}

export interface RegistrationOutcome {
  /** Why a CPU's handler may be missing, when the registrar said so. */
  readonly notes: ReadonlyMap<string, string>
  /** QEMU version of the registered emulators, when only the registrar knows it. */
  readonly qemuVersion?: string
}

/** What one platform's verification found. */
export interface Verdict {
  readonly target: Target
  /** The machine name it printed, when it ran. */
  readonly machine?: string
  /** Empty when it passed. */
  readonly problem?: string
  /** It was not checked, and why (no probe for this CPU, no image variant by default). */
  readonly skipped?: string
  /** How it was proven when it passed: by the probe, the image, or both. */
  readonly by?: readonly ('probe' | 'image')[]
}

/** What a finished process left behind. Never thrown: callers decide what a failure means. */
export interface RunResult {
  /** Exit code, or null when killed by a signal or never started. */
  readonly code: number | null
  readonly signal: string | null
  readonly stdout: string
  readonly stderr: string
  /** errno code when the process could not be started at all (ENOENT, ENOEXEC, EACCES, ...). */
  readonly startError?: string
}

/** Runs the emulation probes (verifier/probe.ts): tiny static programs that print `uname -m`. */
export interface ProbeRunner {
  /** Whether there is a probe for this CPU. */
  has(cpu: string): boolean
  /** Runs a CPU's probe directly, or (with `chroot`) as root in an empty chroot. */
  run(cpu: string, chroot?: AsRoot): Promise<RunResult>
  /**
   * Runs several CPUs' probes at once, started together by one process (one `sudo` at most), as
   * a shell loop would; by CPU. The results carry exit codes and output, not start errors: a
   * failure is run again alone to be diagnosed.
   */
  runAll(cpus: readonly string[], chroot?: AsRoot): Promise<Map<string, RunResult>>
}

/** Runs a program as root (Privilege): what a chroot needs. */
export interface AsRoot {
  run(file: string, args: readonly string[]): Promise<RunResult>
}
