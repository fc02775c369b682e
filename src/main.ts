import * as core from '@actions/core'
import { readFileSync } from 'node:fs'
import { SourceMap, type SourceMapPayload, type SourceMapping } from 'node:module'
import { fileURLToPath } from 'node:url'
import { handlerName, PLATFORMS } from './catalogue.js'
import { Input, State } from './constants.js'
import { ActionError, describe, HostError, VerificationError } from './errors.js'
import type { BinfmtEntry } from './host/entry.js'
import type { Host } from './host/host.js'
import type { KernelWriter } from './host/kernel.js'
import { classify } from './host/native.js'
import { installEmulators, installerFor, staticOnHost, whyUnverifiable } from './installer/index.js'
import { readInputs, urlSecrets, type Inputs } from './inputs.js'
import type { Installation, ProbeRunner, RegistrationRequest, Target, Verdict } from './model.js'
import { cacheImageNote, needsDocker, plan, unusedInputs, type Plan } from './plan.js'
import { defaultPorts, type Ports } from './ports.js'
import { describeEntry, holdExisting, registerHeld, type Registered } from './registrar/hold.js'
import { keeperRoute, withRoute, type KeeperRoute, type RestoreMode } from './session/route.js'
import { currentJob, type Session } from './session/session.js'
import { registrarFor, type Registrar } from './registrar/index.js'
import { setOutputs, type RunReport } from './report/outputs.js'
import { runnablePlatforms } from './report/runnable.js'
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
  /** Every catalogue platform, native or emulated here. */
  readonly classified: readonly Target[]
  /** The requested ones. */
  readonly targets: readonly Target[]
  /** What to register: the request without the platforms whose host handler is kept. */
  readonly request: RegistrationRequest
  /** Host handlers kept instead of replaced, by CPU (see keepUnrestorable). */
  readonly kept: ReadonlyMap<string, BinfmtEntry>
  readonly plan: Plan
  /** Plan.restore's mode as this job's route to the record allows, and that route. */
  readonly restore: { readonly mode: RestoreMode; readonly route?: KeeperRoute }
  readonly registrar: Registrar
  /** The verify-image input (empty: each platform's default). */
  readonly verifyImage: string
}

/** What the run has done so far: the job summary shows it on success and on failure alike. */
interface Progress {
  targets: readonly Target[]
  handlers: ReadonlyMap<string, BinfmtEntry>
  verdicts: ReadonlyMap<string, Verdict>
  runnable: readonly string[]
  registrar: string
  qemuVersion: string
  /** Where the QEMU in use came from, for the summary. */
  qemuSource?: string
}

const HEADING = 'Cross-architecture emulation'

async function setUp(inputs: Inputs, ports: Ports): Promise<void> {
  for (const secret of inputs.downloadSources.flatMap(s => urlSecrets(s.template)))
    core.setSecret(secret)
  const started = performance.now()
  const probes = await ports.probes()
  const done: Progress = {
    targets: [],
    handlers: new Map(),
    verdicts: new Map(),
    runnable: [],
    registrar: '',
    qemuVersion: ''
  }
  try {
    const prepared = await core.group('Preflight', () => preflight(inputs, ports, probes))
    const { request, registrar, host } = prepared
    done.targets = prepared.targets
    done.registrar = request.emulated.length > 0 ? registrar.name : 'none'
    done.handlers = new Map(prepared.kept)
    let installation: Installation | undefined
    let registered: Registered | undefined
    if (request.emulated.length > 0) {
      installation = await install(inputs, prepared)
      done.qemuVersion = installation?.version ?? ''
      done.qemuSource = installation?.source
      registered = await core.group(`Register handlers (${registrar.name})`, () =>
        register(prepared, ports, installation)
      )
      done.handlers = new Map([...prepared.kept, ...registered.handlers])
      if (registered.outcome.qemuVersion) {
        done.qemuVersion = registered.outcome.qemuVersion
        done.qemuSource = 'the registrar image'
      }
      for (const [cpu, e] of registered.handlers)
        core.info(`${handlerName(cpu)}: enabled, interpreter ${e.interpreter}, flags "${e.flags}"`)
    } else if (prepared.kept.size === 0) {
      core.info('Every requested platform is native to this host: nothing to register.')
    }
    const verdicts = await verify(prepared, ports, probes, done.handlers)
    done.verdicts = verdicts
    done.runnable = await runnablePlatforms({
      classified: prepared.classified,
      requested: new Set(prepared.targets.map(t => t.platform.name)),
      verdicts,
      handlers: done.handlers,
      entries: await host.binfmt.list(),
      hasFile: path => host.hasFile(path),
      hasProbe: cpu => probes.has(cpu),
      probe: prepared.plan.verify.probe ? cpus => probes.runAll(cpus) : undefined
    })
    const report = reportOf(done)
    setOutputs(report)
    const failed = [...verdicts.values()].filter(v => v.problem)
    if (failed.length > 0) {
      throw new VerificationError(
        `Verification failed for ${failed.map(v => `${v.target.platform.name}: ${v.problem}`).join('; ')}.`
      )
    }
    await writeSummary(summaryMarkdown(report, done.handlers, HEADING))
    core.info(
      `Ready: ${report.targets.map(t => t.platform.name).join(', ')} in ${Math.round(performance.now() - started)} ms.`
    )
  } catch (error) {
    // the summary says what was done before the failure; its own failure must not hide this one
    await writeSummary(
      summaryMarkdown(reportOf(done), done.handlers, HEADING, failureLine(error))
    ).catch(() => undefined)
    throw error
  } finally {
    await probes.dispose()
  }
}

function reportOf(done: Progress): RunReport {
  return {
    targets: done.targets,
    runnable: done.runnable,
    // every emulated platform's handler, kept ones included
    emulators: [...new Set(done.targets.filter(t => !t.native).map(t => t.platform.cpu))].map(
      handlerName
    ),
    verdicts: done.verdicts,
    qemuVersion: done.qemuVersion,
    qemuSource: done.qemuSource,
    registrar: done.registrar
  }
}

async function preflight(inputs: Inputs, ports: Ports, probes: ProbeRunner): Promise<Prepared> {
  const host = await ports.inspectHost()
  core.info(`Host: ${host.machine} (${host.platform.name}), privileges: ${host.privilege.mode}`)
  const mounted = await host.binfmt.isMounted()
  const entries = await host.binfmt.list()
  // every platform, so the platforms output can name the native ones nobody asked for
  const classified = await classify(PLATFORMS, host, probes, entries, ports.nativeRuns())
  const targets = classified.filter(t => inputs.platforms.includes(t.platform))
  for (const t of targets) {
    core.info(
      `${t.platform.name}: ${t.native ? 'native' : `emulated by ${handlerName(t.platform.cpu)}`} (${t.why})`
    )
  }
  const emulated = targets.filter(t => !t.native)
  const cpus = [...new Set(emulated.map(t => t.platform.cpu))]
  const facts = { privilege: host.privilege.mode, userNamespace: host.userNamespace }
  const auto = inputs.install === 'auto' && emulated.length > 0
  const p = plan(inputs, {
    ...facts,
    docker: needsDocker(inputs, facts) ? ((await ports.docker.whyNotAnswering()) ?? '') : undefined,
    mounted,
    selfHosted: process.env.RUNNER_ENVIRONMENT === 'self-hosted',
    githubHosted: process.env.RUNNER_ENVIRONMENT === 'github-hosted',
    cacheService: Boolean(
      (process.env.ACTIONS_RESULTS_URL || process.env.ACTIONS_CACHE_URL) && process.env.RUNNER_TEMP
    ),
    hostEmulators: auto ? await staticOnHost(cpus, host) : false,
    unverifiable: auto ? whyUnverifiable(inputs, host, cpus) : undefined,
    pinnedVersion: inputs.qemuVersion,
    emulated: emulated.length,
    ownPidNamespace: ports.ownPidNamespace()
  })
  const asked: RegistrationRequest = {
    emulated,
    cpus,
    reset: inputs.reset,
    persistent: inputs.persistent,
    // C is asked of handlers registered before this step only when the workflow asks for it
    credential:
      inputs.credential && (p.registrar.name !== 'none' || inputs.given.has(Input.Credential))
  }
  core.info(`Registrar: ${p.registrar.name} (${p.registrar.why})`)
  if (emulated.length > 0) core.info(`QEMU: ${p.install.name} (${p.install.why})`)
  core.info(`Cleanup: ${p.restore.mode === 'restore' ? 'on' : 'off'} (${p.restore.why})`)
  if (p.install.name === 'download')
    core.info(`Actions cache: ${p.cache.enabled ? 'on' : 'off'} (${p.cache.why})`)
  if (p.verify.note) core.info(p.verify.note)
  const imageNote = cacheImageNote(inputs, p)
  if (imageNote) core.info(imageNote)
  // the native registrar's emulators are host files, so an entry whose interpreter is not on the
  // host always differs from what it registers; the direct route restores from host files
  const kept =
    p.restore.mode === 'restore' && p.registrar.name === 'native'
      ? keepUnrestorable(
          // a kept handler must carry C only when the workflow asked for it (C is the default)
          { ...asked, credential: asked.credential && inputs.given.has(Input.Credential) },
          entries,
          host
        )
      : new Map<string, BinfmtEntry>()
  const request = withoutKept(asked, kept)
  const registrar = await registrarFor(p.registrar.name, inputs, host, ports.docker)
  let restore: Prepared['restore'] = { mode: p.restore.mode }
  if (request.emulated.length > 0) {
    installerFor(p.install.name, inputs, host)?.check(request.cpus)
    await registrar.prepare(request)
    if (p.restore.mode === 'restore') checkRestorable(registrar, host, entries, request)
    const writer = registrar.writer?.spec
    const routed = withRoute(p.restore.mode, keeperRoute(host.privilege.mode, writer), writer)
    if (routed.note) core.info(routed.note)
    restore = routed
  }
  const spec = registrar.writer?.spec
  for (const line of unusedInputs(
    inputs,
    p,
    spec?.kind === 'container' ? spec.contract : undefined
  ))
    core.warning(line)
  return {
    host,
    classified,
    targets,
    request,
    kept,
    plan: p,
    restore,
    registrar,
    verifyImage: inputs.verifyImage
  }
}

/**
 * With cleanup on, a handler that reset would replace but that could never be registered again
 * from the host (registered with F, its interpreter deleted since: the kernel keeps the file open,
 * so it still works) is kept and used instead, after one warning; the host stays as it was and verification
 * proves the kept handler. One that this job could not use (disabled, or lacking a flag the
 * inputs ask for) is refused before anything changes. By CPU.
 */
export function keepUnrestorable(
  request: RegistrationRequest,
  entries: readonly BinfmtEntry[],
  host: Pick<Host, 'hasFile'>
): Map<string, BinfmtEntry> {
  const kept = new Map<string, BinfmtEntry>()
  if (!request.reset) return kept
  for (const cpu of request.cpus) {
    const e = entries.find(x => x.name === handlerName(cpu))
    if (e?.flags.includes('F') && !host.hasFile(e.interpreter)) kept.set(cpu, e)
  }
  if (kept.size === 0) return kept
  const what = [...kept.values()].map(describeEntry)
  const why =
    `cleanup is on and reset is true, but ${what.join(', ')} could never be registered again once replaced: ` +
    'registered with the F flag, ' +
    (kept.size > 1 ? 'their interpreters were' : 'its interpreter was') +
    ' deleted since (the kernel keeps the file open, so the handler still works)'
  const unusable = [...kept.values()].flatMap(e => {
    const lacks = [
      ...(e.enabled ? [] : ['it is disabled']),
      ...(request.credential && !e.flags.includes('C')
        ? ['it lacks the C flag that credential: true asks for']
        : [])
    ]
    return lacks.length > 0 ? [`${e.name}: ${lacks.join(' and ')}`] : []
  })
  if (unusable.length > 0) {
    throw new HostError(
      `${why}, and this job cannot use ${kept.size > 1 ? 'them' : 'it'} instead (${unusable.join('; ')}). ` +
        'Register it again from an interpreter file that exists, or set cleanup: false to replace it for good.'
    )
  }
  core.warning(
    `${why}. Kept as ${kept.size > 1 ? 'they are' : 'it is'}, not replaced: this job uses ${kept.size > 1 ? 'them' : 'it'}, not the emulator installed here. ` +
      'To replace it, register it again from an interpreter file that exists, or set cleanup: false to replace it for good.'
  )
  return kept
}

/** The request without the platforms of kept handlers. */
function withoutKept(
  request: RegistrationRequest,
  kept: ReadonlyMap<string, BinfmtEntry>
): RegistrationRequest {
  return {
    ...request,
    emulated: request.emulated.filter(t => !kept.has(t.platform.cpu)),
    cpus: request.cpus.filter(cpu => !kept.has(cpu))
  }
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
  const { host, registrar, request, restore } = prepared
  const job = currentJob(ports.liveness)
  const common = {
    coordination: ports.coordination(restore.route),
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
    restore: restore.mode
  })
  const session: Session = {
    job,
    restore: restore.mode,
    route: restorer.spec,
    ...(restore.route ? { keeper: restore.route } : {})
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
    const by = (method: 'probe' | 'image') => (v: Verdict) =>
      passed(v) && !v.target.native ? { ...v, by: [method] } : v
    for (const v of [...byProbe.map(by('probe')), ...byImage.map(by('image'))]) {
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
  if (passed(a) && passed(b)) return { ...b, by: [...(a.by ?? []), ...(b.by ?? [])] }
  return passed(a) ? a : b
}
