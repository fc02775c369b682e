import * as core from './runner.js'
import { handlerName } from './catalogue.js'
import { ActionError, describe, VerificationError } from './errors.js'
import type { BinfmtEntry } from './host/binfmt.js'
import { inspectHost, type Host } from './host/host.js'
import { classify } from './host/native.js'
import { chooseInstaller, type Installation } from './installer/index.js'
import { readInputs, type Inputs } from './inputs.js'
import {
  chooseRegistrar,
  type Registrar,
  type RegistrationRequest,
  type Target
} from './registrar/index.js'
import { NoRegistrar } from './registrar/none.js'
import { checkHandlers } from './registrar/readback.js'
import { setOutputs, type RunReport } from './report/outputs.js'
import { summaryMarkdown, writeSummary } from './report/summary.js'
import { takeSnapshot } from './state.js'
import { Docker } from './tools/docker.js'
import { verifyByImage } from './verifier/image.js'
import { Probes, verifyByProbe } from './verifier/probe.js'
import { passed, type Verdict } from './verifier/verifier.js'

/** The entry of the main step: every failure becomes one `::error::` line and exit code 1. */
export async function run(): Promise<void> {
  try {
    await setUp(readInputs())
  } catch (error) {
    core.setFailed(
      error instanceof ActionError
        ? describe(error)
        : `Unexpected failure: ${describe(error)}. This is a bug in the action, not in your workflow: please report it with this step's log.`
    )
  }
}

interface Plan {
  readonly host: Host
  readonly targets: readonly Target[]
  readonly request: RegistrationRequest
  readonly registrar: Registrar
  readonly probe: boolean
  readonly image: boolean
}

async function setUp(inputs: Inputs): Promise<void> {
  const started = performance.now()
  const docker = new Docker()
  const probes = await Probes.create()
  try {
    const plan = await core.group('Preflight', () => preflight(inputs, docker, probes))
    const { host, request, registrar } = plan
    let installation: Installation | undefined
    let qemuVersion: string | undefined
    let handlers = new Map<string, BinfmtEntry>()
    if (request.emulated.length > 0) {
      await core.group('binfmt_misc on the host', async () => {
        const snapshot = await takeSnapshot(host.binfmt)
        const mounted = await host.binfmt.ensureMounted()
        core.info(
          mounted
            ? `Mounted binfmt_misc at ${host.binfmt.dir}.`
            : `binfmt_misc is mounted at ${host.binfmt.dir}.`
        )
        saveCleanupState(inputs, snapshot, mounted)
      })
      // The container registrar's image carries its own emulators; an explicit install still
      // puts them on the host (for running foreign binaries directly or later native use).
      if (
        registrar.needsHostEmulators ||
        inputs.install === 'apt' ||
        inputs.install === 'download'
      ) {
        installation = await core.group('Install QEMU', async () => {
          const { installer, why } = await chooseInstaller(inputs, host, request.cpus)
          core.info(`Installer: ${installer.name} (${why})`)
          const done = await installer.install(request.cpus)
          core.info(
            `QEMU ${done.version || '(version unknown)'} from ${done.source}: ${[...done.emulators.values()].join(', ')}`
          )
          return done
        })
      } else {
        core.info(
          `Install QEMU: nothing to install on the host (${registrar.name === 'container' ? 'the registrar image carries its emulators' : 'registrar: none'}).`
        )
      }
      const outcome = await core.group(`Register handlers (${registrar.name})`, () =>
        registrar.register(request, installation)
      )
      qemuVersion = outcome.qemuVersion || installation?.version
      handlers = await core.group('Read back /proc/sys/fs/binfmt_misc', async () => {
        const found = checkHandlers(await host.binfmt.list(), request, outcome, registrar.remedy)
        for (const [cpu, e] of found)
          core.info(
            `${handlerName(cpu)}: enabled, interpreter ${e.interpreter}, flags "${e.flags}"`
          )
        return found
      })
    } else {
      core.info('Every requested platform is native to this host: nothing to register.')
    }
    const verdicts = await verify(plan, docker, probes, handlers, inputs)
    const report: RunReport = {
      targets: plan.targets,
      emulators: request.cpus.map(handlerName),
      verdicts,
      qemuVersion: qemuVersion ?? '',
      registrar: request.emulated.length > 0 ? registrar.name : 'none'
    }
    setOutputs(report)
    writeSummary(summaryMarkdown(report, handlers, 'Cross-architecture emulation'))
    const failed = [...verdicts.values()].filter(v => v.problem)
    if (failed.length > 0) {
      throw new VerificationError(
        `Verification failed for ${failed.map(v => `${v.target.platform.name}: ${v.problem}`).join('; ')}.`
      )
    }
    core.info(
      `Ready: ${report.targets.map(t => t.platform.name).join(', ')} in ${Math.round(performance.now() - started)} ms.`
    )
  } finally {
    await probes.dispose()
  }
}

async function preflight(inputs: Inputs, docker: Docker, probes: Probes): Promise<Plan> {
  const host = await inspectHost()
  core.info(`Host: ${host.machine} (${host.platform.name}), privileges: ${host.privilege.mode}`)
  const mounted = await host.binfmt.isMounted()
  const targets = await classify(inputs.platforms, host, probes, await host.binfmt.list())
  for (const t of targets) {
    core.info(
      `${t.platform.name}: ${t.native ? 'native' : `emulated by ${handlerName(t.platform.cpu)}`} (${t.why})`
    )
  }
  const emulated = targets.filter(t => !t.native)
  const request: RegistrationRequest = {
    emulated,
    cpus: [...new Set(emulated.map(t => t.platform.cpu))],
    reset: inputs.reset,
    persistent: inputs.persistent,
    credential: inputs.credential
  }
  const { registrar, why } =
    emulated.length > 0
      ? await chooseRegistrar(inputs, host, request, docker)
      : { registrar: new NoRegistrar(), why: 'nothing to emulate' }
  core.info(`Registrar: ${registrar.name} (${why})`)
  if (emulated.length > 0) {
    if (!mounted) host.privilege.require(`Mounting binfmt_misc at ${host.binfmt.dir}`)
    await registrar.prepare(request)
  }
  const probe = inputs.verify === 'probe' || inputs.verify === 'true'
  let image = inputs.verify === 'image'
  if (inputs.verify === 'image' || inputs.verify === 'true') {
    const why = await docker.whyNotAnswering()
    if (why && inputs.verify === 'image') {
      throw new VerificationError(
        `verify: image needs a Docker engine, and none answers (${why}). Start Docker, or use verify: probe, which needs none.`
      )
    }
    image = !why
    if (why)
      core.info(`verify: true without image verification: no Docker engine answers (${why}).`)
  }
  return { host, targets, request, registrar, probe, image }
}

async function verify(
  plan: Plan,
  docker: Docker,
  probes: Probes,
  handlers: ReadonlyMap<string, BinfmtEntry>,
  inputs: Inputs
): Promise<Map<string, Verdict>> {
  const verdicts = new Map<string, Verdict>()
  if (!plan.probe && !plan.image) return verdicts
  return core.group('Verify', async () => {
    const interpreters = new Map([...handlers].map(([cpu, e]) => [cpu, e.interpreter]))
    const chroot =
      inputs.persistent && plan.host.privilege.canActAsRoot ? plan.host.privilege : undefined
    const [byProbe, byImage] = await Promise.all([
      plan.probe
        ? verifyByProbe(plan.targets, plan.host.machine, probes, { chroot, interpreters })
        : [],
      plan.image ? verifyByImage(plan.targets, plan.host.machine, docker, inputs.verifyImage) : []
    ])
    for (const v of [...byProbe, ...byImage]) {
      const name = v.target.platform.name
      const merged = merge(verdicts.get(name), v)
      verdicts.set(name, merged)
    }
    for (const [name, v] of verdicts) {
      core.info(
        `${name}: ${v.problem ? `FAILED, ${v.problem}` : v.skipped ? `skipped, ${v.skipped}` : `ok, uname -m = ${v.machine}`}`
      )
    }
    return verdicts
  })
}

/** Probe and image verdicts for one platform: a problem in either wins; a pass beats a skip. */
function merge(a: Verdict | undefined, b: Verdict): Verdict {
  if (!a) return b
  if (a.problem || b.problem) {
    return {
      target: b.target,
      machine: a.machine ?? b.machine,
      problem: [a.problem, b.problem].filter(Boolean).join('; ')
    }
  }
  if (passed(a) && passed(b)) return b
  return passed(a) ? a : b
}

function saveCleanupState(inputs: Inputs, snapshot: unknown, mounted: boolean): void {
  const enabled =
    inputs.cleanup === 'true' ||
    (inputs.cleanup === 'auto' && process.env.RUNNER_ENVIRONMENT === 'self-hosted')
  if (!enabled) return
  core.saveState('cleanup', 'true')
  core.saveState('snapshot', JSON.stringify(snapshot))
  core.saveState('mounted', String(mounted))
}
