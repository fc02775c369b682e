import type { Host } from '../host/host.js'
import type { Inputs } from '../inputs.js'
import { Docker } from '../tools/docker.js'
import { ContainerRegistrar, outsideContainerReach } from './container.js'
import { NativeRegistrar } from './native.js'
import { NoRegistrar } from './none.js'
import type { Registrar, RegistrationRequest } from './registrar.js'

export type { Registrar, RegistrationRequest, Target } from './registrar.js'

/**
 * registrar: auto takes the multiarch container where it can run and register everything asked
 * (an x86_64 host with a Docker engine answering, no host-family platform to emulate) and writes
 * handlers natively elsewhere; the reason goes to the log.
 */
export async function chooseRegistrar(
  inputs: Inputs,
  host: Host,
  request: RegistrationRequest,
  docker = new Docker()
): Promise<{ registrar: Registrar; why: string }> {
  const container = () => new ContainerRegistrar(docker, host.binfmt, inputs.image, host.family)
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
          why: `the multiarch images run on x86_64 hosts only and this host is ${host.machine}`
        }
      }
      const unreachable = outsideContainerReach(request, host.family)
      if (unreachable.length > 0) {
        return {
          registrar: native(),
          why: `${unreachable.join(', ')} must be emulated here, which the multiarch registrar never does for its host's family`
        }
      }
      const notAnswering = await docker.whyNotAnswering()
      if (notAnswering)
        return { registrar: native(), why: `no Docker engine answers (${notAnswering})` }
      return { registrar: container(), why: 'an x86_64 host with a Docker engine answering' }
    }
  }
}
