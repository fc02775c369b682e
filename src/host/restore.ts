/**
 * Carrying out a restore (changes.ts's steps) so that it never stops halfway: a step that fails
 * is cleaned up as far as it can be and reported, and the steps after it still run. A bridged
 * step whose baseline cannot be registered leaves the entry registered now in place.
 */
import { describe } from '../errors.js'
import type { RestoreStep } from './changes.js'
import type { BinfmtEntry } from './entry.js'
import { describeOp, KernelWriteError, type KernelOp, type KernelWriter } from './kernel.js'

/** A step that did not finish. */
export interface RestoreFailure {
  readonly name: string
  /** What failed and why, one clause. */
  readonly reason: string
  /**
   * The entry that stays registered under the name because the baseline could not be registered
   * again (nothing of the step took effect); absent when the failure came later, or there was
   * nothing there.
   */
  readonly stayed?: BinfmtEntry
}

export interface RestoreResult {
  /** What was done, a line each, for the steps that finished. */
  readonly done: readonly string[]
  readonly failures: readonly RestoreFailure[]
}

/**
 * Applies every step through `writer`: all remaining ops in one `apply` (one container run on a
 * container route), and after a failure the step's cleanup and the rest in the next one.
 */
export async function applyRestore(
  writer: KernelWriter,
  steps: readonly RestoreStep[]
): Promise<RestoreResult> {
  const done: string[] = []
  const failures: RestoreFailure[] = []
  let next = 0
  // Stryker disable next-line EqualityOperator: with no step left, one more pass applies nothing and returns the same
  while (next < steps.length) {
    const rest = steps.slice(next)
    const ops = rest.flatMap(s => s.ops)
    try {
      await writer.apply(ops)
      for (const s of rest) done.push(...s.ops.map(op => describeOp(op)))
      return { done, failures }
    } catch (error) {
      // the step the failed op belongs to, and where in it
      let at = error instanceof KernelWriteError ? error.done : 0
      let i = 0
      while (at >= rest[i].ops.length) at -= rest[i++].ops.length
      for (const s of rest.slice(0, i)) done.push(...s.ops.map(op => describeOp(op)))
      const step = rest[i]
      failures.push(await failed(writer, step, at, error))
      next += i + 1
    }
  }
  return { done, failures }
}

/** Reports a step that failed at op `at`, removing its bridge when the entry has its name back. */
async function failed(
  writer: KernelWriter,
  step: RestoreStep,
  at: number,
  error: unknown
): Promise<RestoreFailure> {
  const op = step.ops[at]
  const reason = whyFailed(op, error)
  if (!step.bridge) return { name: step.name, reason }
  if (at === 0) return { name: step.name, reason, stayed: step.present }
  const registerAt = step.ops.findIndex(o => o.op === 'register' && o.name === step.name)
  // failed registering it under its own name: the bridge carries the baseline, and stays
  if (at === registerAt)
    return { name: step.name, reason: `${reason}; it is registered as ${step.bridge} instead` }
  if (op.op === 'remove' && op.name === step.bridge) return { name: step.name, reason }
  try {
    await writer.apply([{ op: 'remove', name: step.bridge }])
  } catch (cleanup) {
    return { name: step.name, reason: `${reason}; ${whyFailed(undefined, cleanup)}` }
  }
  return { name: step.name, reason }
}

/** Why an op failed, in words: a missing F interpreter is said as such. */
export function whyFailed(op: KernelOp | undefined, error: unknown): string {
  const text = describe(error)
  if (!(error instanceof KernelWriteError) || error.code !== 'ENOENT' || op?.op !== 'register')
    return text
  const fields = op.line.slice(1).split(op.line[0])
  if (!/F/.test(fields[6] ?? '')) return text
  return `${text} (its interpreter ${fields[5]} no longer exists: it was registered with the F flag, which opens the file at registration, and the file was deleted since)`
}
