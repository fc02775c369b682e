import type { Target } from '../registrar/index.js'

/** What one platform's verification found. */
export interface Verdict {
  readonly target: Target
  /** The machine name it printed, when it ran. */
  readonly machine?: string
  /** Empty when it passed. */
  readonly problem?: string
  /** It was not checked, and why (no probe for this CPU, no image variant by default). */
  readonly skipped?: string
}

export const passed = (v: Verdict): boolean => !v.problem && !v.skipped

/** What `uname -m` must print: the host's own name when native, else QEMU's name for the CPU. */
export function expectedMachine(target: Target, hostMachine: string): string {
  return target.native ? hostMachine : target.platform.machine
}
