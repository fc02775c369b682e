import type { Host } from '../host/host.js'
import type { KernelWriter, RouteSpec } from '../host/kernel.js'
import type { Inputs } from '../inputs.js'
import type { Docker } from '../tools/docker.js'
import { ContainerRegistrar, SeedRegistrar } from './container.js'
import { BinfmtCliWriter, ShellImageWriter } from './image.js'
import { NativeRegistrar } from './native.js'
import { NoRegistrar } from './none.js'
import type { Registrar, RegistrarName } from './registrar.js'

export type { Registrar } from './registrar.js'

/** The registrar the plan names. */
export function registrarFor(
  name: RegistrarName,
  inputs: Pick<Inputs, 'image'>,
  host: Host,
  docker: Docker
): Registrar {
  switch (name) {
    case 'container':
      return new ContainerRegistrar(docker, inputs.image, host.hasFile)
    case 'seed':
      return new SeedRegistrar(docker, inputs.image, host.hasFile)
    case 'native':
      return new NativeRegistrar(host.direct, host.privilege)
    case 'none':
      return new NoRegistrar()
  }
}

/** The writer a route spec names: how the post step reaches the kernel the way main did. */
export function writerFor(spec: RouteSpec, host: Host, docker: Docker): KernelWriter {
  if (spec.kind === 'direct') return host.direct
  return spec.contract === 'multiarch'
    ? new ShellImageWriter(docker, spec.image, host.hasFile)
    : new BinfmtCliWriter(docker, spec.image, spec.preserveArgv0 ?? false)
}
