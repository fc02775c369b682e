import * as core from '@actions/core'
import { emulatorFor, handlerName } from '../catalogue.js'
import { RegistrationError } from '../errors.js'
import { planRegistration } from '../host/changes.js'
import { canonicalFlags, type BinfmtEntry, type MagicRegistration } from '../host/entry.js'
import { describeOp, KernelWriteError, type KernelWriter } from '../host/kernel.js'
import type { Installation, RegistrationOutcome, RegistrationRequest } from '../model.js'

export type RegistrarName = 'container' | 'native' | 'seed' | 'none'

/** One way of registering handlers. */
export interface Registrar {
  readonly name: RegistrarName
  /** One clause telling the user what to try when handlers are missing afterwards. */
  readonly remedy: string
  /** How its changes reach the kernel; rollback and the post step take the same route. */
  readonly writer?: KernelWriter
  /** Checks everything it can without changing binfmt_misc; throws when registration cannot work. */
  prepare(request: RegistrationRequest): Promise<void>
  /**
   * Registers the request over `current` (the host's entries, newest first). Throws
   * RegistrationError, after which the caller puts back whatever changed.
   */
  register(
    request: RegistrationRequest,
    current: readonly BinfmtEntry[],
    installation?: Installation
  ): Promise<RegistrationOutcome>
}

/** Flags a handler should carry, in the kernel's spelling. */
export function wantedFlags(request: RegistrationRequest, preserveArgv0 = false): string {
  return canonicalFlags(
    // Stryker disable next-line StringLiteral: canonicalFlags keeps only the letters P, O, C and F
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

/**
 * Registers `wanted` over `current` through `writer`: identical entries kept, disabled identical
 * ones enabled, different ones replaced only with reset (bridged when the writer can write any
 * line, so the architecture never lacks a handler), nothing else touched.
 */
export async function registerByPlan(
  writer: KernelWriter,
  current: readonly BinfmtEntry[],
  wanted: readonly MagicRegistration[],
  reset: boolean
): Promise<void> {
  const plan = planRegistration(current, wanted, { reset, bridge: writer.writesAnyLine })
  if (plan.conflicts.length > 0) {
    const list = plan.conflicts.map(({ entry, wanted: w }) => {
      const what = entry.enabled
        ? `interpreter ${entry.interpreter}, flags "${entry.flags}"`
        : `disabled, interpreter ${entry.interpreter}`
      return `${w.name} (${what}; wanted ${w.interpreter}, flags "${canonicalFlags(w.flags)}")`
    })
    throw new RegistrationError(
      `reset is false, and existing handlers differ from what would be registered: ${list.join('; ')}. ` +
        'Set reset: true to replace them, or remove them first.'
    )
  }
  for (const name of plan.kept) core.info(`${name}: already registered as wanted, kept`)
  for (const op of plan.ops) core.info(`${describeOp(op)} ${writer.description}`)
  try {
    await writer.apply(plan.ops)
  } catch (error) {
    if (!(error instanceof KernelWriteError)) throw error
    const line = error.op.op === 'register' ? ` Line: ${error.op.line}.` : ''
    throw new RegistrationError(
      `${describeOp(error.op)} ${writer.description} failed: ${error.reason}.${line} ` +
        (error.code === 'ENOENT' && error.op.op === 'register'
          ? 'With the F flag the interpreter must exist when it is registered: check the emulators installed above.'
          : 'Check the kernel log (dmesg) and that no other tool manages binfmt_misc on this runner.')
    )
  }
}
