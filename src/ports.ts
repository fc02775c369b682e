/**
 * Everything the steps touch outside the process, as injectable ports: the host (kernel,
 * privileges), the Docker CLI, the machine-wide lock and record, the probe programs. The
 * production wiring is `defaultPorts()`; unit tests pass fakes that implement the same interfaces.
 */
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { inspectHost, type Host } from './host/host.js'
import { JobNativeRuns, type NativeRuns } from './host/native.js'
import { FileCoordination, ProcLiveness, type Coordination, type Liveness } from './host/shared.js'
import type { ProbeRunner } from './model.js'
import { DockerCli, type Docker } from './tools/docker.js'
import { Probes } from './verifier/probe.js'

export interface Ports {
  inspectHost(): Promise<Host>
  readonly docker: Docker
  readonly liveness: Liveness
  readonly coordination: Coordination
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
    coordination: new FileCoordination(liveness.boot),
    probes: () => Probes.create(),
    nativeRuns: () =>
      new JobNativeRuns(
        join(process.env.RUNNER_TEMP || tmpdir(), 'setup-cross-arch-native-runs.json'),
        liveness.boot
      )
  }
}

export type { Host }
