/**
 * Registering and putting back on a kernel that other jobs share (session/): every
 * read-modify-write of binfmt_misc happens under the machine-wide lock; each job records which
 * handlers it holds; the first job to change an entry records what it was; a post step puts an
 * entry back only when no other live job holds it, so the last holder leaves the host as it was
 * before the first one came. A registration that fails partway is rolled back before the error
 * is reported.
 */
import * as core from '@actions/core'
import { handlerName } from '../catalogue.js'
import { describe, RegistrationError } from '../errors.js'
import type { BinfmtReader } from '../host/binfmt.js'
import { baselineOf, changedNames, planRestoreSteps, type Baseline } from '../host/changes.js'
import { sameEntry, type BinfmtEntry } from '../host/entry.js'
import type { KernelWriter } from '../host/kernel.js'
import { applyRestore, type RestoreFailure } from '../host/restore.js'
import type { Coordination } from '../session/coordination.js'
import {
  heldByOthers,
  withoutExpired,
  type Holder,
  type Liveness,
  type SharedState
} from '../session/record.js'
import type { RestoreMode } from '../session/route.js'
import type { Job } from '../session/session.js'
import type { Installation, RegistrationOutcome, RegistrationRequest } from '../model.js'
import { checkHandlers } from './readback.js'
import type { Registrar } from './registrar.js'

export interface Registered {
  /** The requested handlers as read back, by CPU. */
  readonly handlers: Map<string, BinfmtEntry>
  readonly outcome: RegistrationOutcome
  /** Entries this run changed (added, replaced, enabled). */
  readonly changed: readonly string[]
}

/**
 * Registers the request under the lock, reads the host back, and records the hold. On any
 * failure, everything this run changed is put back first.
 */
export async function registerHeld(args: {
  coordination: Coordination
  reader: BinfmtReader
  writer: KernelWriter
  /** Puts back what a failed registration changed; by default `writer`. */
  restorer?: KernelWriter
  /** Mounts and unmounts binfmt_misc on the host (a container cannot): the direct route. */
  mounter: KernelWriter
  registrar: Registrar
  request: RegistrationRequest
  installation?: Installation
  job: Job
  /** Plan.restore's mode: with 'restore', what this run changes is recorded to be put back. */
  restore: RestoreMode
  live: Liveness
}): Promise<Registered> {
  const { coordination, reader, writer, registrar, request, job } = args
  return coordination.transaction(
    job.key,
    async stored => {
      const state = withoutExpired(stored, args.live)
      const mountedBefore = await reader.isMounted()
      if (!mountedBefore) {
        await args.mounter.mount()
        core.info(`Mounted binfmt_misc at ${reader.dir}.`)
      }
      const current = await reader.list()
      let outcome: RegistrationOutcome
      let handlers: Map<string, BinfmtEntry>
      try {
        outcome = await registrar.register(request, current, args.installation)
        handlers = checkHandlers(await reader.list(), request, outcome, registrar.remedy)
      } catch (error) {
        const restorer = args.restorer ?? writer
        throw await rolledBack(error, reader, restorer, args.mounter, current, mountedBefore)
      }
      const changed = changedNames(current, await reader.list())
      const baselines: Record<string, Baseline> = { ...state.baselines }
      const restoring = args.restore === 'restore'
      if (restoring) {
        for (const name of changed) baselines[name] ??= baselineOf(name, current)
      }
      const holder: Holder = {
        key: job.key,
        pid: job.pid,
        started: job.started,
        since: args.live.now(),
        names: [...new Set([...request.cpus.map(handlerName), ...changed])]
      }
      return {
        result: { handlers, outcome, changed },
        state: {
          ...state,
          mounted: state.mounted || (!mountedBefore && restoring),
          baselines,
          holders: [...state.holders.filter(h => h.key !== job.key), holder]
        }
      }
    },
    waitingFor
  )
}

/** Records that this job relies on handlers someone else registered (registrar: none). */
export async function holdExisting(args: {
  coordination: Coordination
  reader: BinfmtReader
  request: RegistrationRequest
  registrar: Registrar
  job: Job
  live: Liveness
}): Promise<Registered> {
  const { coordination, reader, request, registrar, job } = args
  return coordination.transaction(
    job.key,
    async stored => {
      const state = withoutExpired(stored, args.live)
      const outcome = await registrar.register(request, [], undefined)
      const handlers = checkHandlers(await reader.list(), request, outcome, registrar.remedy)
      const holder: Holder = {
        key: job.key,
        pid: job.pid,
        started: job.started,
        since: args.live.now(),
        names: request.cpus.map(handlerName)
      }
      return {
        result: { handlers, outcome, changed: [] },
        state: { ...state, holders: [...state.holders.filter(h => h.key !== job.key), holder] }
      }
    },
    waitingFor
  )
}

function waitingFor(holder: string): void {
  core.info(`Waiting for the binfmt_misc lock, held by ${holder}.`)
}

/**
 * Puts back what changed since `before`, every entry it can (one that fails never stops the
 * others); returns the error to report, with the rollback's fate.
 */
async function rolledBack(
  error: unknown,
  reader: BinfmtReader,
  writer: KernelWriter,
  mounter: KernelWriter,
  before: readonly BinfmtEntry[],
  mountedBefore: boolean
): Promise<unknown> {
  const now = await reader.list()
  const changed = changedNames(before, now)
  // Stryker disable next-line ConditionalExpression: with nothing changed and nothing mounted, the rollback below writes nothing
  if (changed.length === 0 && mountedBefore) return error
  const failures: string[] = []
  try {
    const baselines = new Map(changed.map(name => [name, baselineOf(name, before)]))
    const result = await applyRestore(writer, planRestoreSteps(now, baselines, changed))
    failures.push(...result.failures.map(failureText))
  } catch (rollback) {
    failures.push(describe(rollback))
  }
  const left = changedNames(before, await reader.list())
  if (failures.length === 0 && left.length === 0) {
    try {
      if (!mountedBefore && (await reader.list()).length === 0) await mounter.unmount()
    } catch (unmount) {
      failures.push(describe(unmount))
    }
  }
  if (failures.length === 0) {
    if (changed.length > 0)
      core.info(`Rolled back ${changed.join(', ')}: the host is as it was before this step.`)
    return error
  }
  return new RegistrationError(
    `${describe(error)} Putting the host back then failed too (${failures.join('; ')}): ${left.join(', ') || 'nothing'} differ from before this step. ` +
      'Check /proc/sys/fs/binfmt_misc on this runner.'
  )
}

/** A restore failure as one clause: the entry, what failed, and what is registered instead. */
function failureText(f: RestoreFailure): string {
  return f.stayed
    ? `${f.name}: ${f.reason}; ${describeEntry(f.stayed)} stays registered instead`
    : `${f.name}: ${f.reason}`
}

/** An entry in a few words: what it runs, with which flags. */
export function describeEntry(e: BinfmtEntry): string {
  return `${e.name} (interpreter ${e.interpreter}, flags "${e.flags}"${e.enabled ? '' : ', disabled'})`
}

export interface Released {
  /** What was put back, a line each. */
  readonly restored: readonly string[]
  /** Entries other live jobs still hold, left as they are. */
  readonly kept: readonly string[]
  /** Entries that could not be put back, each with why (empty when all went well). */
  readonly left: readonly string[]
  /**
   * Entries whose baseline could not be registered again, so the handler this job left stays
   * registered in its place (the host keeps a working handler): each with why and what stays.
   */
  readonly stayed: readonly string[]
}

/**
 * The post step: drops this job's hold and puts back every recorded entry no other live job
 * holds, every one it can (a failing entry never stops the others); unmounts binfmt_misc when a
 * holder mounted it and the host has no entry left.
 */
export async function releaseHeld(args: {
  coordination: Coordination
  reader: BinfmtReader
  writer: KernelWriter
  /** Unmounts binfmt_misc on the host: the direct route. */
  mounter: KernelWriter
  job: Job
  live: Liveness
}): Promise<Released> {
  const { coordination, reader, writer, job } = args
  return coordination.transaction(
    job.key,
    async stored => {
      const state = withoutExpired(stored, args.live)
      const others = heldByOthers(state, job.key)
      const holders = state.holders.filter(h => h.key !== job.key)
      const scope = Object.keys(state.baselines).filter(name => !others.has(name))
      const kept = Object.keys(state.baselines).filter(name => others.has(name))
      const baselines = new Map(Object.entries(state.baselines))
      const failures = new Map<string, RestoreFailure>()
      let restored: string[] = []
      let broken: string | undefined
      try {
        const result = await applyRestore(
          writer,
          planRestoreSteps(await reader.list(), baselines, scope)
        )
        restored = [...result.done]
        for (const f of result.failures) failures.set(f.name, f)
      } catch (error) {
        broken = describe(error)
      }
      const after = await reader.list()
      const left = scope.filter(name => !asBaseline(after, baselines.get(name) as Baseline, name))
      let mounted = state.mounted
      if (mounted && holders.length === 0 && after.length === 0 && left.length === 0) {
        try {
          await args.mounter.unmount()
          mounted = false
          restored.push('binfmt_misc: unmounted again (a job mounted it)')
        } catch (error) {
          broken ??= `unmounting binfmt_misc failed: ${describe(error)}`
        }
      }
      const next: SharedState = {
        ...state,
        mounted,
        holders,
        baselines: Object.fromEntries(
          Object.entries(state.baselines).filter(
            ([name]) => !scope.includes(name) || left.includes(name)
          )
        )
      }
      // the baseline could not come back and nothing of its step took effect: what was there stays
      const stays = (f: RestoreFailure | undefined): boolean => !!f?.stayed
      const why = (name: string): string => {
        const reason = failures.get(name)?.reason ?? broken
        return reason ? `${name} (${reason})` : name
      }
      return {
        result: {
          restored,
          kept,
          left: [
            ...left.filter(name => !stays(failures.get(name))).map(why),
            ...(broken && left.length === 0 ? [`binfmt_misc (${broken})`] : [])
          ],
          stayed: [...failures.values()].filter(f => stays(f)).map(failureText)
        },
        state: next
      }
    },
    waitingFor
  )
}

/** Whether an entry is now as its baseline has it. */
function asBaseline(entries: readonly BinfmtEntry[], baseline: Baseline, name: string): boolean {
  const now = entries.find(e => e.name === name)
  if (!baseline.before) return !now
  return !!now && sameEntry(now, baseline.before) && now.enabled === baseline.before.enabled
}
