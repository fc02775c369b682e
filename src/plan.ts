/**
 * What a run will do, decided from the inputs and what is known about the host, before anything
 * changes: which registrar, where the emulators come from, how emulation is proved, whether the
 * post step puts the host back. Pure: main.ts gathers the facts and carries the plan out.
 */
import { Input } from './constants.js'
import { HostError, VerificationError } from './errors.js'
import type { ImageContract } from './host/kernel.js'
import type { PrivilegeMode } from './host/privilege.js'
import type { Inputs } from './inputs.js'
import type { RegistrarName } from './registrar/registrar.js'
import type { RestoreMode } from './session/route.js'

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
  /**
   * Why no download can be verified for this host (no pinned package for its architecture and no
   * checksums for it); undefined when one can.
   */
  readonly unverifiable?: string
  /** The QEMU version install: auto and download verify (qemu-version). */
  readonly pinnedVersion: string
  /** How many requested platforms need emulation. */
  readonly emulated: number
  /** The runner offers an Actions cache service (ACTIONS_RESULTS_URL or ACTIONS_CACHE_URL) and a RUNNER_TEMP. */
  readonly cacheService: boolean
  /**
   * The job runs in a pid namespace of its own (a job container): jobs on the host could not
   * tell whether it still runs.
   */
  readonly ownPidNamespace: boolean
}

export type InstallName = 'apt' | 'download' | 'host' | 'nothing'

export interface Plan {
  readonly registrar: { readonly name: RegistrarName; readonly why: string }
  /**
   * Where the emulators come from. install: auto's order, the one place it is decided: the
   * pinned build already here (the tool cache, or the host's own file with the pinned SHA-256),
   * then the verified download (both in the download installer); only when that cannot be had,
   * the host's own emulators of whatever version, else apt, each with a warning.
   */
  readonly install: {
    readonly name: InstallName
    readonly why: string
    /** Tried when the verified download cannot be had (install: auto). */
    readonly fallback?: 'host' | 'apt'
    /** install: auto settled for an unpinned QEMU up front: why the pinned one cannot be had. */
    readonly unpinned?: string
  }
  readonly verify: { readonly probe: boolean; readonly image: boolean; readonly note?: string }
  /** Whether a download is looked up in, and saved to, GitHub's Actions cache. */
  readonly cache: { readonly enabled: boolean; readonly why: string }
  /**
   * What the run does with the machine-wide lock and record (session/): 'restore' when the post
   * step puts the host back (cleanup); 'hold' when it only records which handlers it relies on;
   * 'none' on a GitHub-hosted runner without cleanup (no other job shares its kernel).
   */
  readonly restore: { readonly mode: RestoreMode; readonly why: string }
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
  return {
    registrar,
    install: chooseInstall(inputs, f, registrar.name),
    verify: chooseVerify(inputs, f),
    cache: chooseCache(inputs, f),
    restore: chooseRestore(inputs, f)
  }
}

function chooseRestore(inputs: Inputs, f: Facts): Plan['restore'] {
  if (f.ownPidNamespace) {
    if (inputs.cleanup === 'true') {
      throw new HostError(
        'cleanup: true needs the job to be seen from the host, and this job runs in a pid namespace of its own (a job container, or a runner in a container): ' +
          'other jobs could not tell whether it still runs, and would take its handlers away. Run the job on the host, or set cleanup: false.'
      )
    }
    return {
      mode: 'none',
      why: `cleanup: ${inputs.cleanup} in a pid namespace of its own (a job container): other jobs could not tell whether it still runs, so it records no hold and puts nothing back`
    }
  }
  if (inputs.cleanup === 'true') return { mode: 'restore', why: 'cleanup: true' }
  const hold = f.githubHosted ? 'none' : 'hold'
  if (inputs.cleanup === 'false') return { mode: hold, why: 'cleanup: false' }
  return f.selfHosted
    ? { mode: 'restore', why: 'cleanup: auto on a self-hosted runner' }
    : { mode: hold, why: 'cleanup: auto on an ephemeral GitHub-hosted runner' }
}

function chooseRegistrar(inputs: Inputs, f: Facts): Plan['registrar'] {
  if (f.emulated === 0) return { name: 'none', why: 'nothing to emulate' }
  if (inputs.registrar !== 'auto') {
    return {
      name: inputs.registrar,
      why: inputs.given.has(Input.Registrar)
        ? `registrar: ${inputs.registrar}`
        : `image: ${inputs.image} given, so its container registers (as in docker/setup-qemu-action)`
    }
  }
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
    case 'host':
    case 'none':
      return {
        name: 'host',
        why: `install: ${inputs.install}: the host's own emulators, whatever their version`
      }
    case 'auto': {
      const other = f.hostEmulators ? 'host' : 'apt'
      const otherText = f.hostEmulators ? "the host's own emulators" : 'apt'
      if (f.unverifiable) {
        return {
          name: other,
          why: `install: auto, and no download of QEMU ${f.pinnedVersion} can be verified on this host: ${otherText}`,
          unpinned: f.unverifiable
        }
      }
      return {
        name: 'download',
        why: `install: auto: the pinned, verified QEMU ${f.pinnedVersion} (the tool cache, else a download); ${otherText} only if it cannot be downloaded`,
        fallback: other
      }
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

/**
 * One warning for each input the workflow gave that the chosen route cannot use, saying why: a
 * switching user's settings are honoured or named, never dropped without a word. `contract` is
 * the registrar image's, once known.
 */
export function unusedInputs(
  inputs: Pick<Inputs, 'given' | 'persistent' | 'credential' | 'reset'>,
  p: Pick<Plan, 'registrar' | 'install' | 'verify'>,
  contract?: ImageContract
): string[] {
  const registrar = p.registrar.name
  const registrarImage = registrar === 'container' || registrar === 'seed'
  const notUsed = (input: string, why: string): string | undefined =>
    inputs.given.has(input) ? `Input "${input}" has no effect: ${why}.` : undefined
  const route = `registrar ${registrar} (${p.registrar.why})`
  const source = {
    nothing: 'are not installed on the host',
    apt: 'come from apt',
    host: "are the host's"
  }
  const download =
    p.install.name === 'download'
      ? undefined
      : `the emulators ${source[p.install.name]} (${p.install.why}); it is used by install: download`
  const fixedFlags = (flag: string, value: boolean) =>
    contract === 'binfmt' && !value
      ? `a tonistiigi/binfmt-style registrar image always registers with ${flag}; use registrar: native, or a multiarch/qemu-user-static-style image, to register without it`
      : undefined
  const withoutImage = `${route} registers without a registrar image; it is used by registrar: container or seed`
  const unused: [string, string | undefined][] = [
    [Input.Image, registrarImage ? undefined : withoutImage],
    [Input.QemuVersion, download],
    [Input.DownloadUrl, download],
    [Input.Checksums, download],
    [Input.Cache, download],
    [Input.CacheImage, registrarImage ? undefined : withoutImage],
    [
      Input.Reset,
      registrar === 'none'
        ? `${route} changes no handler`
        : registrar === 'seed' && !inputs.reset
          ? 'registrar seed always resets every qemu-* entry (--reset)'
          : undefined
    ],
    [Input.Persistent, fixedFlags('F', inputs.persistent)],
    [Input.Credential, fixedFlags('C', inputs.credential)],
    [
      Input.VerifyImage,
      p.verify.image ? undefined : 'no image verification runs; it is used by verify: image or true'
    ]
  ]
  return unused.flatMap(([input, why]) => {
    const line = why && notUsed(input, why)
    return line ? [line] : []
  })
}

/**
 * cache-image given on a route that pulls a registrar image: one line saying it changes nothing
 * yet (docker/setup-qemu-action keeps the image in the Actions cache; this action pulls it as
 * usual). On a route without a registrar image, unusedInputs warns about it instead.
 */
export function cacheImageNote(
  inputs: Pick<Inputs, 'given' | 'cacheImage' | 'image'>,
  p: Pick<Plan, 'registrar'>
): string | undefined {
  if (!inputs.given.has(Input.CacheImage)) return undefined
  if (p.registrar.name !== 'container' && p.registrar.name !== 'seed') return undefined
  return `cache-image: ${inputs.cacheImage} has no effect yet: the registrar image ${inputs.image} is pulled as usual, not kept in GitHub's Actions cache between jobs.`
}
