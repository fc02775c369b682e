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
      return new (await import('./container.js')).ContainerRegistrar(
        docker,
        inputs.image,
        host.hasFile
      )
    case 'seed':
      return new (await import('./container.js')).SeedRegistrar(docker, inputs.image, host.hasFile)
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
  const { BinfmtCliWriter, ShellImageWriter } = await import('./image.js')
  return spec.contract === 'multiarch'
    ? new ShellImageWriter(docker, spec.image, host.hasFile)
    : new BinfmtCliWriter(docker, spec.image, spec.preserveArgv0 ?? false)
}
