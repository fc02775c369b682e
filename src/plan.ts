/**
 * What a run will do, decided from the inputs and what is known about the host, before anything
 * changes: which registrar, where the emulators come from, how emulation is proved, whether the
 * post step puts the host back. Pure: main.ts gathers the facts and carries the plan out.
 */
import { HostError, VerificationError } from './errors.js'
import type { PrivilegeMode } from './host/privilege.js'
import type { Inputs } from './inputs.js'
import type { RegistrarName } from './registrar/registrar.js'

export interface Facts {
  readonly privilege: PrivilegeMode
  /** The action runs in a user namespace of its own (its binfmt_misc is not the host's). */
  readonly userNamespace: boolean
  /** undefined: not asked; '' : a Docker engine answers; otherwise why none does. */
  readonly docker?: string
  readonly mounted: boolean
  readonly selfHosted: boolean
  /** A GitHub-hosted runner: one job per machine, thrown away after it. */
  readonly githubHosted: boolean
  /** Every emulator the request needs is already on the host, statically linked. */
  readonly hostEmulators: boolean
  /** How many requested platforms need emulation. */
  readonly emulated: number
  /** The runner offers an Actions cache service (ACTIONS_RESULTS_URL or ACTIONS_CACHE_URL) and a RUNNER_TEMP. */
  readonly cacheService: boolean
}

export type InstallName = 'apt' | 'download' | 'host' | 'nothing'

export interface Plan {
  readonly registrar: { readonly name: RegistrarName; readonly why: string }
  readonly install: {
    readonly name: InstallName
    readonly why: string
    /** Tried when the first choice fails (install: auto). */
    readonly fallback?: 'apt'
  }
  readonly verify: { readonly probe: boolean; readonly image: boolean; readonly note?: string }
  readonly cleanup: { readonly enabled: boolean; readonly why: string }
  /** Whether a download is looked up in, and saved to, GitHub's Actions cache. */
  readonly cache: { readonly enabled: boolean; readonly why: string }
  /**
   * Whether this run takes the machine-wide lock and records its hold. Not on a GitHub-hosted
   * runner without cleanup: no other job shares its kernel, and nothing is put back after it.
   */
  readonly shared: boolean
}

/** Whether the facts need the Docker engine asked (it costs a process start). */
export function needsDocker(
  inputs: Pick<Inputs, 'registrar' | 'verify'>,
  f: Pick<Facts, 'privilege' | 'userNamespace'>
): boolean {
  return (
    inputs.registrar === 'container' ||
    inputs.registrar === 'seed' ||
    inputs.verify === 'image' ||
    inputs.verify === 'true' ||
    (inputs.registrar === 'auto' && !canWriteDirectly(f))
  )
}

const canWriteDirectly = (f: Pick<Facts, 'privilege' | 'userNamespace'>): boolean =>
  f.privilege !== 'none' && !f.userNamespace

export function plan(inputs: Inputs, f: Facts): Plan {
  const registrar = chooseRegistrar(inputs, f)
  checkFeasible(registrar.name, f)
  const cleanup =
    inputs.cleanup === 'true'
      ? { enabled: true, why: 'cleanup: true' }
      : inputs.cleanup === 'false'
        ? { enabled: false, why: 'cleanup: false' }
        : f.selfHosted
          ? { enabled: true, why: 'cleanup: auto on a self-hosted runner' }
          : { enabled: false, why: 'cleanup: auto on an ephemeral GitHub-hosted runner' }
  return {
    registrar,
    install: chooseInstall(inputs, f, registrar.name),
    verify: chooseVerify(inputs, f),
    cleanup,
    cache: chooseCache(inputs, f),
    shared: cleanup.enabled || !f.githubHosted
  }
}

function chooseRegistrar(inputs: Inputs, f: Facts): Plan['registrar'] {
  if (f.emulated === 0) return { name: 'none', why: 'nothing to emulate' }
  if (inputs.registrar !== 'auto')
    return { name: inputs.registrar, why: `registrar: ${inputs.registrar}` }
  if (canWriteDirectly(f)) {
    return {
      name: 'native',
      why: `this job can act as root (${f.privilege}), so it writes the handlers itself`
    }
  }
  if (f.docker === '') {
    return {
      name: 'container',
      why: 'no root here, but a Docker engine answers: a privileged container registers'
    }
  }
  // Stryker disable next-line StringLiteral: checkFeasible refuses this plan, and its message is what the user sees
  return { name: 'native', why: `no root here and no Docker engine answers (${f.docker})` }
}

function checkFeasible(registrar: RegistrarName, f: Facts): void {
  if (registrar === 'native' && f.userNamespace) {
    throw new HostError(
      'This job runs in a user namespace of its own (a rootless or user-namespaced container), where binfmt_misc is a separate instance: handlers registered there do nothing for the host. ' +
        'Run the job on the host, or in a container started with --privileged and no user namespace.'
    )
  }
  if (registrar === 'native' && f.privilege === 'none') {
    throw new HostError(
      `registrar: native (writing /proc/sys/fs/binfmt_misc/register) needs root, and this job runs as uid ${process.getuid?.()} without passwordless sudo. ` +
        'Run the job as root, grant the runner user passwordless sudo, add it to the docker group and use registrar: container, ' +
        'or, on a self-hosted runner, register the handlers once as root and use registrar: none.'
    )
  }
  if (!f.mounted && registrar !== 'none' && !canWriteDirectly(f)) {
    throw new HostError(
      'binfmt_misc is not mounted on the host, and mounting it needs root, which this job lacks (a container cannot mount it for the host). ' +
        'Mount it once as root (mount -t binfmt_misc binfmt_misc /proc/sys/fs/binfmt_misc), or run the job with passwordless sudo.'
    )
  }
}

function chooseInstall(inputs: Inputs, f: Facts, registrar: RegistrarName): Plan['install'] {
  if (f.emulated === 0) return { name: 'nothing', why: 'nothing to emulate' }
  if (registrar !== 'native') {
    if (inputs.install === 'apt' || inputs.install === 'download')
      return { name: inputs.install, why: `install: ${inputs.install} (emulators on the host too)` }
    return {
      name: 'nothing',
      why: registrar === 'none' ? 'registrar: none' : 'the registrar image carries its emulators'
    }
  }
  switch (inputs.install) {
    case 'apt':
    case 'download':
      return { name: inputs.install, why: `install: ${inputs.install}` }
    case 'none':
      return { name: 'host', why: 'install: none' }
    case 'auto':
      return f.hostEmulators
        ? { name: 'host', why: 'every emulator needed is already on the host, statically linked' }
        : {
            name: 'download',
            why: 'no static emulators on the host: verified download, apt if that fails',
            fallback: 'apt'
          }
  }
}

/**
 * On by default on GitHub-hosted runners only: a self-hosted runner keeps its tool cache between
 * jobs, so the cache would help only its first job, at the price of a transfer to GitHub's storage
 * that counts against the repository's cache quota.
 */
function chooseCache(inputs: Inputs, f: Facts): Plan['cache'] {
  if (inputs.cache === 'false') return { enabled: false, why: 'cache: false' }
  if (inputs.cache === 'auto' && !f.githubHosted)
    return { enabled: false, why: 'cache: auto, off except on GitHub-hosted runners' }
  if (!f.cacheService)
    return {
      enabled: false,
      why: `cache: ${inputs.cache}, but this runner offers no cache service (ACTIONS_RESULTS_URL is not set)`
    }
  return {
    enabled: true,
    why: `cache: ${inputs.cache}${inputs.cache === 'auto' ? ' on a GitHub-hosted runner' : ''}`
  }
}

function chooseVerify(inputs: Inputs, f: Facts): Plan['verify'] {
  const probe = inputs.verify === 'probe' || inputs.verify === 'true'
  if (inputs.verify === 'image' && f.docker) {
    throw new VerificationError(
      `verify: image needs a Docker engine, and none answers (${f.docker}). Start Docker, or use verify: probe, which needs none.`
    )
  }
  if (inputs.verify === 'true' && f.docker) {
    return {
      probe,
      image: false,
      note: `verify: true without image verification: no Docker engine answers (${f.docker}).`
    }
  }
  return { probe, image: inputs.verify === 'image' || inputs.verify === 'true' }
}
