import type { Host } from '../host/host.js'
import type { KernelWriter, RouteSpec } from '../host/kernel.js'
import type { Inputs } from '../inputs.js'
import type { Docker } from '../tools/docker.js'
import { NativeRegistrar } from './native.js'
import { NoRegistrar } from './none.js'
import type { Registrar, RegistrarName } from './registrar.js'

export type { Registrar } from './registrar.js'

/**
 * The registrar the plan names. The image registrars are loaded only when named: a run that
 * writes directly does not pay for parsing them.
 */
export async function registrarFor(
  name: RegistrarName,
  inputs: Pick<Inputs, 'image'>,
  host: Host,
  docker: Docker
): Promise<Registrar> {
  switch (name) {
    case 'container':
    case 'seed': {
      const { ContainerRegistrar, SeedRegistrar } = await import('./container.js')
      const Image = name === 'seed' ? SeedRegistrar : ContainerRegistrar
      return new Image(docker, inputs.image, host.hasFile)
    }
    case 'native':
      return new NativeRegistrar(host.direct, host.privilege)
    case 'none':
      return new NoRegistrar()
  }
}

/** The writer a route spec names: how the post step reaches the kernel the way main did. */
export async function writerFor(
  spec: RouteSpec,
  host: Host,
  docker: Docker
): Promise<KernelWriter> {
  if (spec.kind === 'direct') return host.direct
  // the same module as the image registrars: one chunk of the bundle holds the image code
  return (await import('./container.js')).imageWriter(spec, docker, host.hasFile)
}
