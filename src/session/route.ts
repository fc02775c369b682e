/**
 * How a job reaches the root-only lock and record (store.ts): the route it already has to
 * binfmt_misc. As root, in this process; with passwordless sudo, a keeper started through
 * `sudo -n`; a docker-group user without sudo, a keeper in a container of the registrar image
 * (one with a shell), which runs this same program as root on the host's filesystem. A job with
 * none of these cannot touch the record: it takes no lock and records no hold, or, when it would
 * have to put entries back, it stops before changing anything.
 */
import { HostError } from '../errors.js'
import type { RouteSpec } from '../host/kernel.js'
import type { PrivilegeMode } from '../host/privilege.js'
import {
  KeeperCoordination,
  LocalCoordination,
  Unshared,
  type Coordination
} from './coordination.js'

/** The argument that makes the action's entry the keeper (index.ts). */
export const KEEPER_ARG = 'keep-binfmt-record'

export type KeeperRoute =
  | { readonly kind: 'root' }
  | { readonly kind: 'sudo' }
  | { readonly kind: 'container'; readonly image: string }

/** What the run does with the machine-wide record (Plan.restore). */
export type RestoreMode =
  /** No lock, nothing recorded: nobody else shares this kernel, or nothing can be recorded. */
  | 'none'
  /** Takes the lock and records its hold; its post step puts back only what others left. */
  | 'hold'
  /** As hold, and the post step puts back what the run changed once no other job holds it. */
  | 'restore'

/** The route a job with these rights has to the record, if any. */
export function keeperRoute(
  privilege: PrivilegeMode,
  writer: RouteSpec | undefined
): KeeperRoute | undefined {
  if (privilege !== 'none') return { kind: privilege }
  if (writer?.kind === 'container' && writer.contract === 'multiarch')
    return { kind: 'container', image: writer.image }
  return undefined
}

/**
 * The restore mode a run can keep, and its route: a run that would have to put entries back but
 * has no route stops here (nothing has changed yet); one that would only record a hold records
 * none, and says so.
 */
export function withRoute(
  mode: RestoreMode,
  route: KeeperRoute | undefined,
  writer: RouteSpec | undefined
): { readonly mode: RestoreMode; readonly route?: KeeperRoute; readonly note?: string } {
  if (mode === 'none') return { mode }
  if (route) return { mode, route }
  if (mode === 'restore' && writer) {
    throw new HostError(
      `cleanup is on, and this job has no way to the root-only binfmt_misc record: it is not root, has no passwordless sudo, and ${writer.kind === 'container' ? `the registrar image ${writer.image} has no shell` : 'no registrar container'} to keep the record with. ` +
        'Use a registrar image with a shell (multiarch/qemu-user-static style), grant passwordless sudo, or set cleanup: false.'
    )
  }
  return {
    mode: 'none',
    note: 'No hold recorded: without root, sudo or a registrar image with a shell this job cannot reach the root-only record, so other jobs do not know it uses these handlers.'
  }
}

/** The program a keeper runs: this action's own entry, with the keeper argument. */
function keeperProgram(): string[] {
  return [process.execPath, process.argv[1], KEEPER_ARG]
}

/**
 * The keeper's container runs this same program as root on the host's filesystem: `/` bound at
 * /host and chroot into it (the image's shell starts it; the script is constant, the program
 * comes as arguments).
 */
const CHROOT_SCRIPT = 'exec chroot /host "$@"'

export function coordinationFor(route: KeeperRoute | undefined, boot: string): Coordination {
  if (!route) return new Unshared(boot)
  switch (route.kind) {
    case 'root':
      return new LocalCoordination(boot)
    case 'sudo':
      return new KeeperCoordination(boot, ['sudo', '-n', ...keeperProgram()], 'through sudo')
    case 'container':
      return new KeeperCoordination(
        boot,
        [
          'docker',
          'run',
          '--rm',
          '--interactive',
          '--network',
          'none',
          '--pull',
          'never',
          '--user',
          '0:0',
          '--volume',
          '/:/host',
          '--entrypoint',
          '/bin/sh',
          route.image,
          '-c',
          CHROOT_SCRIPT,
          'sh',
          ...keeperProgram()
        ],
        `through a container of ${route.image}`
      )
  }
}

/** /proc/self/ns/pid of a process in the initial pid namespace (PROC_PID_INIT_INO). */
const INITIAL_PID_NAMESPACE = 'pid:[4026531836]'

/**
 * Whether this process runs in a pid namespace of its own (a job container, a runner in a
 * container): its pids mean nothing to jobs on the host, so its hold could not be told apart
 * from a dead job's.
 */
export function ownPidNamespace(link: () => string): boolean {
  try {
    return link() !== INITIAL_PID_NAMESPACE
  } catch {
    return true
  }
}
