import * as core from '@actions/core'
import { HostError, RegistrationError } from '../errors.js'
import type { BinfmtEntry } from '../host/entry.js'
import type { KernelWriter, RouteSpec } from '../host/kernel.js'
import type { RegistrationOutcome, RegistrationRequest } from '../model.js'
import { lastLine } from '../tools/exec.js'
import type { Docker } from '../tools/docker.js'
import {
  BinfmtCliWriter,
  binfmtCliRegistration,
  imageInterpreter,
  inspectImage,
  ShellImageWriter,
  type ImageFacts
} from './image.js'
import { registerByPlan, registrationFor, wantedFlags, type Registrar } from './registrar.js'

/** Fails before any change when Docker cannot run a privileged container for the host. */
async function checkEngine(docker: Docker, registrar: string): Promise<void> {
  const why = await docker.whyNotAnswering()
  if (why) {
    throw new HostError(
      `registrar: ${registrar} needs a Docker engine, and none answers (${why}). ` +
        'Start Docker (or set DOCKER_HOST), or use registrar: native, which needs no Docker.'
    )
  }
  const options = await docker.securityOptions()
  const isolated = options.find(o => /name=(rootless|userns)/.test(o))
  if (isolated) {
    throw new HostError(
      `registrar: ${registrar} cannot register handlers through this Docker engine (${isolated}): its containers run in their own user namespace, where binfmt_misc is a separate, empty instance. ` +
        'Use registrar: native with root or passwordless sudo.'
    )
  }
}

/**
 * How a container route writes to the kernel: through the image's own shell, or through its
 * tonistiigi/binfmt-style CLI. Main registers with it, and the post step rebuilds it from the
 * saved route, so that both take the same way.
 */
export function imageWriter(
  spec: Extract<RouteSpec, { kind: 'container' }>,
  docker: Docker,
  onHost: (path: string) => boolean
): KernelWriter {
  return spec.contract === 'multiarch'
    ? new ShellImageWriter(docker, spec.image, onHost)
    : new BinfmtCliWriter(docker, spec.image, spec.preserveArgv0 ?? false)
}

/** Pulls the registrar image unless it is present, and reads its contract. */
async function ensureImage(docker: Docker, image: string): Promise<ImageFacts> {
  if (await docker.imageId(image)) {
    core.info(`${image} is already present; not pulling.`)
  } else {
    const pulled = await docker.pull(image)
    if (pulled.code !== 0) {
      throw new RegistrationError(
        `Could not pull the registrar image ${image}: ${lastLine(pulled.stderr) || 'docker pull failed'}. ` +
          'Check the image name and tag and that its registry is reachable, or name a mirror in image.'
      )
    }
  }
  return inspectImage(docker, image)
}

/**
 * Registers exactly the requested handlers with a registrar image as the carrier of the
 * emulators (image.ts): no other entry on the host is touched.
 */
export class ContainerRegistrar implements Registrar {
  readonly name: 'container' | 'seed' = 'container'
  writer?: KernelWriter
  protected facts?: ImageFacts
  protected qemuVersion?: string

  constructor(
    protected readonly docker: Docker,
    protected readonly image: string,
    /** Whether a path exists on the host (persistent: false needs the image's paths there). */
    private readonly onHost: (path: string) => boolean
  ) {}

  get remedy(): string {
    return `Check that ${this.image} carries these emulators (its output is above), or use registrar: native.`
  }

  async prepare(request: RegistrationRequest): Promise<void> {
    await checkEngine(this.docker, this.name)
    const facts = await ensureImage(this.docker, this.image)
    this.facts = facts
    core.info(
      `${this.image}: ${facts.contract === 'multiarch' ? 'multiarch/qemu-user-static' : 'tonistiigi/binfmt'} contract`
    )
    if (!request.persistent) this.refuseNonPersistent(request, facts)
    this.writer = imageWriter(
      { kind: 'container', image: this.image, ...facts },
      this.docker,
      this.onHost
    )
    if (facts.contract === 'multiarch') {
      this.qemuVersion = await this.checkCarried(request)
    } else {
      const result = await this.docker.run(this.image, ['--version'], ['--pull', 'never'])
      this.qemuVersion = /qemu\/v?(\S+)/.exec(`${result.stdout}\n${result.stderr}`)?.[1]
    }
  }

  /**
   * Without F the kernel looks for the interpreter at exec time, on the host: the image's paths
   * must exist there too.
   */
  private refuseNonPersistent(request: RegistrationRequest, facts: ImageFacts): void {
    if (facts.contract === 'binfmt') {
      throw new HostError(
        `persistent: false with ${this.image}: tonistiigi/binfmt-style images always register with F. Set persistent: true, or use registrar: native.`
      )
    }
    const missing = request.cpus
      .map(cpu => imageInterpreter(facts.contract, cpu))
      .filter(path => !this.onHost(path))
    if (missing.length > 0) {
      throw new HostError(
        `persistent: false with registrar: container registers interpreters that exist only inside ${this.image} (${missing.join(', ')} are not on this host), so nothing could run. ` +
          'Set persistent: true, or use registrar: native.'
      )
    }
  }

  /** Which requested emulators the image lacks (fails naming them), and its QEMU version. */
  private async checkCarried(request: RegistrationRequest): Promise<string | undefined> {
    const paths = request.cpus.map(cpu => imageInterpreter('multiarch', cpu))
    const result = await this.docker.run(
      this.image,
      ['-c', 'for f; do [ -f "$f" ] || echo "missing $f"; done; "$1" --version', 'sh', ...paths],
      ['--network', 'none', '--pull', 'never', '--entrypoint', '/bin/sh']
    )
    // Stryker disable next-line Regex: the script prints each "missing <path>" on a line of its own, for the paths it was given
    const missing = [...result.stdout.matchAll(/^missing \/usr\/bin\/qemu-(\S+)-static$/gm)].map(
      m => m[1]
    )
    if (missing.length > 0) {
      const platforms = request.emulated
        .filter(t => missing.includes(t.platform.cpu))
        .map(t => t.platform.name)
      throw new HostError(
        `${this.image} carries no emulator for ${platforms.join(', ')} (${missing.map(c => `qemu-${c}-static`).join(', ')}). ` +
          `Use registrar: native for ${platforms.length === 1 ? 'it' : 'them'}, an image that has ${platforms.length === 1 ? 'it' : 'them'}, or leave ${platforms.join(', ')} out of platforms.`
      )
    }
    if (result.code !== 0) {
      throw new HostError(
        `${this.image} could not be run (${lastLine(result.stderr) || `exit ${result.code}`}). Check the image, or use registrar: native.`
      )
    }
    return /version (\S+)/.exec(result.stdout)?.[1]
  }

  async register(
    request: RegistrationRequest,
    current: readonly BinfmtEntry[]
  ): Promise<RegistrationOutcome> {
    const facts = this.facts as ImageFacts
    const wanted = request.cpus.map(cpu =>
      facts.contract === 'multiarch'
        ? registrationFor(cpu, imageInterpreter('multiarch', cpu), wantedFlags(request))
        : binfmtCliRegistration(cpu, facts.preserveArgv0)
    )
    await registerByPlan(this.writer as KernelWriter, current, wanted, request.reset)
    return {
      notes: new Map(
        request.cpus.map(cpu => [cpu, `${this.image} did not register it (see its output above)`])
      ),
      qemuVersion: this.qemuVersion
    }
  }
}

/**
 * The seed recipe verbatim, as an explicit opt-in: `docker run --rm --privileged <image> --reset
 * -p yes`. The image registers every handler it has and first resets every qemu-* entry on the
 * host, requested or not; readback still checks the requested ones.
 */
export class SeedRegistrar extends ContainerRegistrar {
  override readonly name = 'seed'

  override async prepare(request: RegistrationRequest): Promise<void> {
    await super.prepare(request)
    if (this.facts?.contract !== 'multiarch') {
      throw new HostError(
        `registrar: seed runs multiarch/qemu-user-static's /register, and ${this.image} is a tonistiigi/binfmt-style image. Use registrar: container with it.`
      )
    }
  }

  override async register(request: RegistrationRequest): Promise<RegistrationOutcome> {
    const args = ['--reset', '-p', request.persistent ? 'yes' : 'no']
    if (request.credential) args.push('--credential', 'yes')
    const result = await this.docker.run(
      this.image,
      args,
      ['--privileged', '--pull', 'never'],
      true
    )
    if (result.code !== 0)
      core.warning(`${this.image} exited ${result.code}; checking what it really registered.`)
    const output = `${result.stdout}\n${result.stderr}`
    const registered = new Set(
      [...output.matchAll(/as binfmt interpreter for (\S+)/g)].map(m => m[1])
    )
    const notes = new Map<string, string>()
    for (const cpu of request.cpus) {
      if (!registered.has(cpu)) notes.set(cpu, `${this.image} did not report registering ${cpu}`)
    }
    return { notes, qemuVersion: this.qemuVersion }
  }
}
