import * as os from 'node:os'
import type { Host } from '../host/host.js'
import type { Inputs } from '../inputs.js'
import { Docker } from '../tools/docker.js'
import { ContainerRegistrar } from './container.js'
import { NativeRegistrar } from './native.js'
import { NoRegistrar } from './none.js'
import type { Registrar } from './registrar.js'

export type { Registrar, RegistrationRequest, Target } from './registrar.js'

/**
 * registrar: auto takes the multiarch container where it can run (an x86_64 host with a Docker
 * engine answering) and writes handlers natively elsewhere; the reason goes to the log.
 */
export async function chooseRegistrar(
  inputs: Inputs,
  host: Host,
  docker = new Docker()
): Promise<{ registrar: Registrar; why: string }> {
  const container = () => new ContainerRegistrar(docker, host.binfmt, inputs.image)
  const native = () => new NativeRegistrar(host.binfmt, host.privilege)
  switch (inputs.registrar) {
    case 'container':
      return { registrar: container(), why: 'registrar: container' }
    case 'native':
      return { registrar: native(), why: 'registrar: native' }
    case 'none':
      return { registrar: new NoRegistrar(), why: 'registrar: none' }
    case 'auto': {
      if (host.machine !== 'x86_64') {
        return {
          registrar: native(),
          why: `the multiarch images run on x86_64 hosts only and this host is ${os.machine()}`
        }
      }
      const notAnswering = await docker.whyNotAnswering()
      if (notAnswering)
        return { registrar: native(), why: `no Docker engine answers (${notAnswering})` }
      return { registrar: container(), why: 'an x86_64 host with a Docker engine answering' }
    }
  }
}
