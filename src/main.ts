import * as core from '@actions/core'
import { readFileSync } from 'node:fs'
import { SourceMap, type SourceMapPayload, type SourceMapping } from 'node:module'
import { fileURLToPath } from 'node:url'
import { handlerName } from './catalogue.js'
import { State } from './constants.js'
import { ActionError, describe, HostError, VerificationError } from './errors.js'
import type { BinfmtEntry } from './host/entry.js'
import type { Host } from './host/host.js'
import type { KernelWriter } from './host/kernel.js'
import { classify } from './host/native.js'
import { installEmulators, installerFor, staticOnHost } from './installer/index.js'
import { readInputs, urlSecrets, type Inputs } from './inputs.js'
import type { Installation, ProbeRunner, RegistrationRequest, Target, Verdict } from './model.js'
import { Unshared } from './host/shared.js'
import { needsDocker, plan, type Plan } from './plan.js'
import { defaultPorts, type Ports } from './ports.js'
import {
  currentJob,
  holdExisting,
  registerHeld,
  type Registered,
  type Session
} from './registrar/hold.js'
import { registrarFor, type Registrar } from './registrar/index.js'
import { setOutputs, type RunReport } from './report/outputs.js'
import { summaryMarkdown, writeSummary } from './report/summary.js'
import { verifyByProbe } from './verifier/probe.js'
import { passed } from './verifier/verifier.js'

/** The entry of the main step: every failure becomes one `::error::` line and exit code 1. */
export async function run(ports: Ports = defaultPorts()): Promise<void> {
  try {
    await setUp(readInputs(), ports)
  } catch (error) {
    core.setFailed(failureLine(error))
  }
}

/** What the user reads when the step fails: the action's own one-liner, or a bug report request. */
export function failureLine(error: unknown): string {
  if (error instanceof ActionError) return describe(error)
  // the first frame in the action's own code, not in node's
  const frame = (error instanceof Error ? (error.stack ?? '') : '')
    .split('\n')
    .slice(1)
    .map(f => /\(?([^\s()]+):(\d+):(\d+)\)?$/.exec(f.trim()))
    .find(f => f && !f[1].startsWith('node:'))
  const where = inSource(frame ?? null)
  return (
    `Unexpected failure: ${describe(error)}${where ? ` (at ${where})` : ''}. ` +
    "This is a bug in the action, not in your workflow: please report it with this step's log."
  )
}

/**
 * A bundle location as the place in src/ it was built from, through the source map ncc writes
 * beside the bundle. Read only here, on the way out: loading source maps at start-up would cost
 * every run tens of milliseconds.
 */
function inSource(at: RegExpExecArray | null): string | undefined {
  if (!at) return undefined
  const [, file, line, column] = at
  try {
    const path = file.startsWith('file://') ? fileURLToPath(file) : file
    const map = new SourceMap(JSON.parse(readFileSync(`${path}.map`, 'utf8')) as SourceMapPayload)
    const found = map.findEntry(Number(line) - 1, Number(column) - 1) as Partial<SourceMapping>
    if (found.originalSource) {
      const source = found.originalSource.replace(/^.*?(?=src\/)/, '')
      return `${source}:${(found.originalLine ?? 0) + 1}:${(found.originalColumn ?? 0) + 1}`
    }
  } catch {
    // no map beside it (tests, or a stripped bundle): the bundle's own place
  }
  return `${file}:${line}:${column}`
}

interface Prepared {
  readonly host: Host
  readonly targets: readonly Target[]
  readonly request: RegistrationRequest
  readonly plan: Plan
  readonly registrar: Registrar
  /** The verify-image input (empty: each platform's default). */
  readonly verifyImage: string
}

async function setUp(inputs: Inputs, ports: Ports): Promise<void> {
  for (const secret of inputs.downloadSources.flatMap(s => urlSecrets(s.template)))
    core.setSecret(secret)
  const started = performance.now()
  const probes = await ports.probes()
  try {
    const prepared = await core.group('Preflight', () => preflight(inputs, ports, probes))
    const { request, registrar } = prepared
    let installation: Installation | undefined
    let registered: Registered | undefined
    if (request.emulated.length > 0) {
      installation = await install(inputs, prepared)
      registered = await core.group(`Register handlers (${registrar.name})`, () =>
        register(prepared, ports, installation)
      )
      for (const [cpu, e] of registered.handlers)
        core.info(`${handlerName(cpu)}: enabled, interpreter ${e.interpreter}, flags "${e.flags}"`)
    } else {
      core.info('Every requested platform is native to this host: nothing to register.')
    }
    const verdicts = await verify(prepared, ports, probes, registered?.handlers ?? new Map())
    const report: RunReport = {
      targets: prepared.targets,
      emulators: request.cpus.map(handlerName),
      verdicts,
      qemuVersion: registered?.outcome.qemuVersion || installation?.version || '',
      registrar: request.emulated.length > 0 ? registrar.name : 'none'
    }
    setOutputs(report)
    await writeSummary(
      summaryMarkdown(report, registered?.handlers ?? new Map(), 'Cross-architecture emulation')
    )
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

async function preflight(inputs: Inputs, ports: Ports, probes: ProbeRunner): Promise<Prepared> {
  const host = await ports.inspectHost()
  core.info(`Host: ${host.machine} (${host.platform.name}), privileges: ${host.privilege.mode}`)
  const mounted = await host.binfmt.isMounted()
  const entries = await host.binfmt.list()
  const targets = await classify(inputs.platforms, host, probes, entries, ports.nativeRuns())
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
  const facts = { privilege: host.privilege.mode, userNamespace: host.userNamespace }
  const p = plan(inputs, {
    ...facts,
    docker: needsDocker(inputs, facts) ? ((await ports.docker.whyNotAnswering()) ?? '') : undefined,
    mounted,
    selfHosted: process.env.RUNNER_ENVIRONMENT === 'self-hosted',
    githubHosted: process.env.RUNNER_ENVIRONMENT === 'github-hosted',
    cacheService: Boolean(
      (process.env.ACTIONS_RESULTS_URL || process.env.ACTIONS_CACHE_URL) && process.env.RUNNER_TEMP
    ),
    hostEmulators:
      inputs.install === 'auto' && emulated.length > 0
        ? await staticOnHost(request.cpus, host)
        : false,
    emulated: emulated.length
  })
  core.info(`Registrar: ${p.registrar.name} (${p.registrar.why})`)
  if (emulated.length > 0) core.info(`Emulators: ${p.install.name} (${p.install.why})`)
  core.info(`Cleanup: ${p.cleanup.enabled ? 'on' : 'off'} (${p.cleanup.why})`)
  if (p.install.name === 'download')
    core.info(`Actions cache: ${p.cache.enabled ? 'on' : 'off'} (${p.cache.why})`)
  if (p.verify.note) core.info(p.verify.note)
  const registrar = await registrarFor(p.registrar.name, inputs, host, ports.docker)
  if (emulated.length > 0) {
    installerFor(p.install.name, inputs, host)?.check(request.cpus)
    await registrar.prepare(request)
    if (p.cleanup.enabled) checkRestorable(registrar, host, entries, request)
  }
  return { host, targets, request, plan: p, registrar, verifyImage: inputs.verifyImage }
}

/**
 * How what the registrar changes is put back (rollback, cleanup): its own route, unless that
 * route cannot write arbitrary lines (a tonistiigi/binfmt-style image's CLI) and the job can
 * write them itself as root.
 */
function restorerFor(writer: KernelWriter, host: Host): KernelWriter {
  return writer.writesAnyLine || !host.privilege.canActAsRoot ? writer : host.direct
}

/**
 * A route that cannot write arbitrary lines could not put back an entry this run would replace:
 * say so before changing anything.
 */
function checkRestorable(
  registrar: Registrar,
  host: Host,
  entries: readonly BinfmtEntry[],
  request: RegistrationRequest
): void {
  if (!registrar.writer || restorerFor(registrar.writer, host).writesAnyLine || !request.reset)
    return
  const replaced = request.cpus.map(handlerName).filter(n => entries.some(e => e.name === n))
  if (replaced.length === 0) return
  throw new HostError(
    `cleanup is on, and ${replaced.join(', ')} would be replaced ${registrar.writer.description}, which cannot register them again as they are now. ` +
      'Use a registrar image with a shell (multiarch/qemu-user-static style), run the job as root or with passwordless sudo, or set cleanup: false.'
  )
}

async function install(inputs: Inputs, prepared: Prepared): Promise<Installation | undefined> {
  const { plan: p, host, request } = prepared
  if (p.install.name === 'nothing') {
    core.info(`Install QEMU: nothing to install on the host (${p.install.why}).`)
    return undefined
  }
  return core.group('Install QEMU', () =>
    installEmulators(p.install, inputs, host, request.cpus, p.cache.enabled)
  )
}

async function register(
  prepared: Prepared,
  ports: Ports,
  installation: Installation | undefined
): Promise<Registered> {
  const { host, registrar, request, plan: p } = prepared
  const job = currentJob(ports.liveness)
  const common = {
    coordination: p.shared ? ports.coordination : new Unshared(ports.liveness.boot),
    reader: host.binfmt,
    registrar,
    request,
    job,
    live: ports.liveness
  }
  if (!registrar.writer) return holdExisting(common)
  const restorer = restorerFor(registrar.writer, host)
  const registered = await registerHeld({
    ...common,
    writer: registrar.writer,
    restorer,
    mounter: host.direct,
    installation,
    cleanup: p.cleanup.enabled
  })
  const session: Session = {
    job,
    cleanup: p.cleanup.enabled,
    shared: p.shared,
    route: restorer.spec
  }
  core.saveState(State.Session, JSON.stringify(session))
  return registered
}

async function verify(
  prepared: Prepared,
  ports: Ports,
  probes: ProbeRunner,
  handlers: ReadonlyMap<string, BinfmtEntry>
): Promise<Map<string, Verdict>> {
  const { plan: p, host, targets, request } = prepared
  const verdicts = new Map<string, Verdict>()
  if (!p.verify.probe && !p.verify.image) return verdicts
  return core.group('Verify', async () => {
    const interpreters = new Map([...handlers].map(([cpu, e]) => [cpu, e.interpreter]))
    const chroot = request.persistent && host.privilege.canActAsRoot ? host.privilege : undefined
    const [byProbe, byImage] = await Promise.all([
      p.verify.probe ? verifyByProbe(targets, host.machine, probes, { chroot, interpreters }) : [],
      p.verify.image
        ? import('./verifier/image.js').then(m =>
            m.verifyByImage(targets, host.machine, ports.docker, prepared.verifyImage)
          )
        : []
    ])
    for (const v of [...byProbe, ...byImage]) {
      const name = v.target.platform.name
      verdicts.set(name, merge(verdicts.get(name), v))
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
export function merge(a: Verdict | undefined, b: Verdict): Verdict {
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
