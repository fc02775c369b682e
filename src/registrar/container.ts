import * as core from '../runner.js'
import { emulatorFor } from '../catalogue.js'
import { HostError, RegistrationError } from '../errors.js'
import type { Binfmt } from '../host/binfmt.js'
import { lastLine } from '../tools/exec.js'
import type { Docker } from '../tools/docker.js'
import {
  conflicts,
  registrationFor,
  throwOnConflicts,
  wantedFlags,
  type Registrar,
  type RegistrationOutcome,
  type RegistrationRequest
} from './registrar.js'

/** Where the multiarch image keeps its emulators, and so what its entries point at. */
export const imageInterpreter = (cpu: string): string => `/usr/bin/qemu-${cpu}-static`

/**
 * Platforms the multiarch registrar never registers: qemu-binfmt-conf.sh skips the host's own CPU
 * family (i386 on x86_64), assuming it runs natively. Not every kernel does (no IA32 emulation).
 */
export function outsideContainerReach(request: RegistrationRequest, hostFamily: string): string[] {
  return request.emulated
    .filter(t => emulatorFor(t.platform.cpu).family === hostFamily)
    .map(t => t.platform.name)
}

/** The seed's way: `docker run --rm --privileged <image> --reset -p yes [--credential yes]`. */
export class ContainerRegistrar implements Registrar {
  readonly name = 'container'
  readonly needsHostEmulators = false

  constructor(
    private readonly docker: Docker,
    private readonly binfmt: Binfmt,
    private readonly image: string,
    private readonly hostFamily: string
  ) {}

  get remedy(): string {
    return `Check that ${this.image} carries and registers these emulators (its output is above), or use registrar: native.`
  }

  async prepare(request: RegistrationRequest): Promise<void> {
    const unreachable = outsideContainerReach(request, this.hostFamily)
    if (unreachable.length > 0) {
      throw new HostError(
        `This host cannot run ${unreachable.join(', ')} natively, and the multiarch registrar never registers ` +
          `its host's own CPU family. Use registrar: native (or auto), or leave ${unreachable.join(', ')} out of platforms.`
      )
    }
    const why = await this.docker.whyNotAnswering()
    if (why) {
      throw new HostError(
        `registrar: container needs a Docker engine, and none answers (${why}). ` +
          'Start Docker (or set DOCKER_HOST), or use registrar: native, which needs no Docker.'
      )
    }
    if (!request.reset) {
      const flags = wantedFlags(request)
      throwOnConflicts(
        conflicts(
          await this.binfmt.list(),
          request.cpus.map(cpu => registrationFor(cpu, imageInterpreter(cpu), flags))
        )
      )
    }
  }

  async register(request: RegistrationRequest): Promise<RegistrationOutcome> {
    await this.ensureImage()
    const args = [...(request.reset ? ['--reset'] : []), '-p', request.persistent ? 'yes' : 'no']
    if (request.credential) args.push('--credential', 'yes')
    const result = await this.docker.run(this.image, args, ['--privileged'], true)
    const output = `${result.stdout}\n${result.stderr}`
    if (/exec format error/i.test(output)) {
      throw new RegistrationError(
        `The registrar image ${this.image} does not run on this host's architecture (exec format error); ` +
          'the multiarch images exist for x86_64 hosts only. Use registrar: native.'
      )
    }
    if (/unable to apply caps|operation not permitted/i.test(result.stderr) && result.code !== 0) {
      throw new HostError(
        `docker run --privileged ${this.image} was refused: ${lastLine(result.stderr)}. ` +
          'The Docker engine must allow privileged containers (rootless Docker cannot register handlers); use registrar: native.'
      )
    }
    if (result.code !== 0)
      core.warning(`${this.image} exited ${result.code}; checking what it really registered.`)
    const registered = new Set(
      [...output.matchAll(/as binfmt interpreter for (\S+)/g)].map(m => m[1])
    )
    const notes = new Map<string, string>()
    for (const cpu of request.cpus) {
      if (!registered.has(cpu)) notes.set(cpu, `${this.image} did not report registering ${cpu}`)
    }
    return { notes, qemuVersion: await this.qemuVersion(request.cpus[0]) }
  }

  private async ensureImage(): Promise<void> {
    if (await this.docker.hasImage(this.image)) {
      core.info(`${this.image} is already present; not pulling.`)
      return
    }
    const pulled = await this.docker.pull(this.image)
    if (pulled.code !== 0) {
      throw new RegistrationError(
        `Could not pull the registrar image ${this.image}: ${lastLine(pulled.stderr) || 'docker pull failed'}. ` +
          'Check the image name and tag and that its registry is reachable, or name a mirror in image.'
      )
    }
  }

  private async qemuVersion(cpu: string | undefined): Promise<string | undefined> {
    if (!cpu) return undefined
    const result = await this.docker.run(
      this.image,
      ['--version'],
      ['--entrypoint', imageInterpreter(cpu)]
    )
    return /version\s+(\S+)/.exec(result.stdout)?.[1]
  }
}
