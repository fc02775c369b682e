/**
 * Everything the steps touch outside the process, as injectable ports: the host (kernel,
 * privileges), the Docker CLI, the machine-wide lock and record, the probe programs. The
 * production wiring is `defaultPorts()`; unit tests pass fakes that implement the same interfaces.
 */
import { readlinkSync } from 'node:fs'
import { inspectHost, type Host } from './host/host.js'
import { jobNativeRuns, type NativeRuns } from './host/native.js'
import type { Coordination } from './session/coordination.js'
import { ProcLiveness, type Liveness } from './session/record.js'
import { coordinationFor, ownPidNamespace, type KeeperRoute } from './session/route.js'
import type { ProbeRunner } from './model.js'
import { DockerCli, type Docker } from './tools/docker.js'
import { Probes } from './verifier/probe.js'

export interface Ports {
  inspectHost(): Promise<Host>
  readonly docker: Docker
  readonly liveness: Liveness
  /** The machine-wide lock and record, reached by `route` (none: no lock, nothing recorded). */
  coordination(route: KeeperRoute | undefined): Coordination
  /** Whether this process runs in a pid namespace of its own (a job container). */
  ownPidNamespace(): boolean
  /** Probe programs written to a private directory; disposed when the step ends. */
  probes(): Promise<ProbeRunner & { dispose(): Promise<void> }>
  /** What native runs of family members printed earlier in this job. */
  nativeRuns(): NativeRuns
}

export function defaultPorts(): Ports {
  const liveness = new ProcLiveness()
  return {
    inspectHost,
    docker: new DockerCli(),
    liveness,
    coordination: route => coordinationFor(route, liveness.boot),
    ownPidNamespace: () => ownPidNamespace(() => readlinkSync('/proc/self/ns/pid')),
    probes: () => Probes.create(),
    nativeRuns: () => jobNativeRuns(process.env, liveness.boot)
  }
}

export type { Host }
