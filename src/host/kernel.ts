/**
 * Changes to binfmt_misc as data (KernelOp), and the ports that carry them to the kernel: as root,
 * through `sudo -n`, or (registrar/image.ts) through a privileged container. Every change the
 * action makes, main step, rollback or post step, goes through one of these.
 */
import { existsSync } from 'node:fs'
import { HostError } from '../errors.js'
import { lastLine } from '../tools/exec.js'
import { BINFMT_DIR } from './binfmt.js'
import type { Privilege } from './privilege.js'

export type KernelOp =
  | {
      readonly op: 'register'
      readonly name: string
      readonly line: string
      /** Re-registers an entry the host had: its interpreter is a file of the host. */
      readonly fromHost?: boolean
    }
  | { readonly op: 'remove'; readonly name: string }
  | { readonly op: 'enable'; readonly name: string }
  | { readonly op: 'disable'; readonly name: string }

/** How a route is written into the main step's state, so the post step can take the same route. */
export type RouteSpec =
  | { readonly kind: 'direct' }
  | {
      readonly kind: 'container'
      readonly image: string
      readonly contract: ImageContract
      readonly preserveArgv0?: boolean
    }

/** multiarch/qemu-user-static-style images have a shell; tonistiigi/binfmt-style ones only their CLI. */
export type ImageContract = 'multiarch' | 'binfmt'

export interface KernelWriter {
  /** For the log: root, sudo, or the container image. */
  readonly description: string
  readonly spec: RouteSpec
  /** Whether it can register any line (else only what its image's CLI writes, and removals). */
  readonly writesAnyLine: boolean
  /** Applies the ops in order; stops at the first that fails and throws KernelWriteError. */
  apply(ops: readonly KernelOp[]): Promise<void>
  /** Mounts binfmt_misc on the host; throws HostError when this route cannot. */
  mount(): Promise<void>
  unmount(): Promise<void>
}

/** An op the kernel refused; `done` ops before it took effect. */
export class KernelWriteError extends Error {
  constructor(
    readonly op: KernelOp,
    readonly done: number,
    readonly reason: string,
    readonly code?: string
  ) {
    super(`${describeOp(op)} failed: ${reason}`)
  }
}

export function describeOp(op: KernelOp): string {
  switch (op.op) {
    case 'register': {
      const fields = op.line.slice(1).split(op.line[0])
      return `registering ${op.name} (interpreter ${fields[5]}, flags "${fields[6] ?? ''}")`
    }
    case 'remove':
      return `removing ${op.name}`
    default:
      return `${op.op === 'enable' ? 'enabling' : 'disabling'} ${op.name}`
  }
}

/** The file an op writes to and what it writes, in one write(2). */
export function opWrite(dir: string, op: KernelOp): { path: string; text: string } {
  if (op.op === 'register') return { path: `${dir}/register`, text: op.line }
  if (op.name === 'status' || op.name === 'register' || op.name.includes('/') || !op.name) {
    // `status` would act on every entry on the host, other jobs' and other tools' included
    throw new Error(`refusing to write to "${op.name}"`)
  }
  const text = op.op === 'remove' ? '-1' : op.op === 'enable' ? '1' : '0'
  return { path: `${dir}/${op.name}`, text }
}

/** Writes as this process (root) or through `sudo -n` (a runner user with passwordless sudo). */
export class DirectWriter implements KernelWriter {
  readonly spec: RouteSpec = { kind: 'direct' }
  readonly writesAnyLine = true

  constructor(
    private readonly privilege: Privilege,
    private readonly dir: string = BINFMT_DIR
  ) {}

  get description(): string {
    return this.privilege.mode === 'root' ? 'as root' : 'through sudo'
  }

  async apply(ops: readonly KernelOp[]): Promise<void> {
    for (const [i, op] of ops.entries()) {
      try {
        const { path, text } = opWrite(this.dir, op)
        await this.privilege.write(path, text)
      } catch (error) {
        const e = error as NodeJS.ErrnoException
        throw new KernelWriteError(op, i, e.message, e.code)
      }
    }
  }

  async mount(): Promise<void> {
    if (!existsSync(this.dir)) {
      throw new HostError(
        `${this.dir} does not exist: this kernel has no binfmt_misc support. ` +
          'Load it with "modprobe binfmt_misc" on the host, or use a runner whose kernel has it.'
      )
    }
    this.privilege.require(`Mounting binfmt_misc at ${this.dir}`)
    const result = await this.privilege.run('mount', ['-t', 'binfmt_misc', 'binfmt_misc', this.dir])
    if (result.code !== 0) {
      throw new HostError(
        `Could not mount binfmt_misc at ${this.dir}: ${lastLine(result.stderr) || 'mount failed'}. ` +
          'Inside a job container, run it with --privileged (or mount binfmt_misc on the host first); ' +
          'rootless containers cannot register handlers for the host.'
      )
    }
  }

  async unmount(): Promise<void> {
    const result = await this.privilege.run('umount', [this.dir])
    if (result.code !== 0) {
      throw new HostError(
        `Could not unmount ${this.dir}: ${lastLine(result.stderr) || 'umount failed'}.`
      )
    }
  }
}
