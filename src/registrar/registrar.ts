import { emulatorFor, handlerName, type Platform } from '../catalogue.js'
import {
  canonicalFlags,
  sameRegistration,
  type BinfmtEntry,
  type MagicRegistration
} from '../host/binfmt.js'
import { RegistrationError } from '../errors.js'
import type { Installation } from '../installer/index.js'

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

export interface RegistrationOutcome {
  /** Why a CPU's handler may be missing, when the registrar said so. */
  readonly notes: ReadonlyMap<string, string>
  /** QEMU version of the registered emulators, when only the registrar knows it. */
  readonly qemuVersion?: string
}

/** One way of registering handlers. The container and native registrars implement it. */
export interface Registrar {
  readonly name: 'container' | 'native' | 'none'
  /** Whether emulators must be installed on the host before `register`. */
  readonly needsHostEmulators: boolean
  /** Checks everything it can without changing the host; throws when registration cannot work. */
  prepare(request: RegistrationRequest): Promise<void>
  register(request: RegistrationRequest, installation?: Installation): Promise<RegistrationOutcome>
  /** One clause telling the user what to try when handlers are missing afterwards. */
  readonly remedy: string
}

/** Flags a handler should carry, in the kernel's spelling. */
export function wantedFlags(request: RegistrationRequest, preserveArgv0 = false): string {
  return canonicalFlags(
    `${preserveArgv0 ? 'P' : ''}${request.credential ? 'C' : ''}${request.persistent ? 'F' : ''}`
  )
}

/** The magic registration for a CPU with a given interpreter. */
export function registrationFor(
  cpu: string,
  interpreter: string,
  flags: string
): MagicRegistration {
  const emulator = emulatorFor(cpu)
  return { name: handlerName(cpu), magic: emulator.magic, mask: emulator.mask, interpreter, flags }
}

/** Existing entries that differ from what would be registered; only an error when reset is off. */
export function conflicts(
  existing: readonly BinfmtEntry[],
  wanted: readonly MagicRegistration[]
): string[] {
  const out: string[] = []
  for (const w of wanted) {
    const entry = existing.find(e => e.name === w.name)
    if (!entry || (entry.enabled && sameRegistration(entry, w))) continue
    const what = entry.enabled
      ? `interpreter ${entry.interpreter}, flags "${entry.flags}"`
      : 'disabled'
    out.push(`${w.name} (${what}; wanted ${w.interpreter}, flags "${canonicalFlags(w.flags)}")`)
  }
  return out
}

export function throwOnConflicts(found: readonly string[]): void {
  if (found.length === 0) return
  throw new RegistrationError(
    `reset is false, and existing handlers differ from what would be registered: ${found.join('; ')}. ` +
      'Set reset: true to replace them, or remove them first.'
  )
}
