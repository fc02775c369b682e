import type { Target, Verdict } from '../model.js'

export type { Verdict }

export const passed = (v: Verdict): boolean => !v.problem && !v.skipped

/** What `uname -m` must print: the host's own name when native, else QEMU's name for the CPU. */
export function expectedMachine(target: Target, hostMachine: string): string {
  return target.native ? hostMachine : target.platform.machine
}
