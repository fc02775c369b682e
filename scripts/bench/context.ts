// What every bench scenario shares: options, the log, the Node binaries, the rows and notes of the
// report, the action run as a runner runs it (test-support/runner.ts, on Node 24) and checks on
// each run.
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { clearQemuEntries, mountBinfmt } from '../../test-support/binfmt.js'
import {
  type ActionResult,
  type Inputs,
  type Job,
  newJob,
  runAction
} from '../../test-support/runner.js'
import { type MeasureOptions, type Stats } from './measure.js'

export class BenchError extends Error {}

export interface BenchOptions {
  runs: number
  seedRuns: number
  warmup: number
  out: string
}

export interface Row extends Partial<Stats> {
  key: string
  scenario: string
  settings: string
  /** A per-run difference (no "vs (a)" column). */
  diff?: boolean
  /** A ratio row, as N× rather than ms. */
  ratio?: boolean
}

export interface Target {
  ok: boolean
  text: string
}

/** Phase times (ms) taken from the action's log, per scenario, for the notes. */
export type Phases = Record<string, (number | undefined)[]>

export const log = (msg: string): void => console.log(`[bench] ${msg}`)

export class Bench {
  readonly rows: Row[] = []
  readonly targets: Target[] = []
  readonly notes: string[] = []
  readonly phases: Phases = {}
  /** Facts for the notes (counts, names), by scenario. */
  readonly facts: Record<string, unknown> = {}
  readonly tmp: string

  constructor(
    readonly opts: BenchOptions,
    /** Runs the action (Node 24 when it could be installed). */
    readonly node24: string,
    /** This machine's node (bare-node row). */
    readonly node20: string
  ) {
    this.tmp = mkdtempSync(join(tmpdir(), 'bench-'))
  }

  row(
    key: string,
    scenario: string,
    settings: string,
    s: Partial<Stats>,
    extra: Partial<Row> = {}
  ): void {
    this.rows.push({ key, scenario, settings, ...s, ...extra })
  }

  target(ok: boolean, text: string): void {
    this.targets.push({ ok, text })
  }

  phase(name: string, value: number | undefined): void {
    ;(this.phases[name] ??= []).push(value)
  }

  by(key: string): Row {
    const r = this.rows.find(x => x.key === key)
    if (!r) throw new BenchError(`no row ${key}`)
    return r
  }

  measureOptions(prepare?: MeasureOptions['prepare'], n = this.opts.runs): MeasureOptions {
    return { n, warmup: this.opts.warmup, prepare, log }
  }

  /** A new job under the bench's temp dir (its own worker process). */
  job(): Job {
    return newJob({ tag: 'bench', parent: this.tmp })
  }

  /** One step of the action on Node 24, as the runner starts it. */
  step(
    inputs: Inputs,
    opts: {
      job?: Job
      state?: Record<string, string>
      entry?: string
      env?: Record<string, string>
    } = {}
  ) {
    return runAction({
      job: opts.job ?? this.job(),
      inputs,
      node: this.node24,
      entry: opts.entry,
      defaults: opts.entry === undefined,
      env: {
        ...opts.env,
        ...Object.fromEntries(Object.entries(opts.state ?? {}).map(([k, v]) => [`STATE_${k}`, v]))
      }
    })
  }
}

export const tail = (text: string, n = 25): string =>
  text
    .trimEnd()
    .split('\n')
    .slice(-n)
    .map(l => `    ${l}`)
    .join('\n')

/** Fails the bench unless the run succeeded with the expected outputs. */
export function check(
  scenario: string,
  i: number,
  r: ActionResult,
  want: Record<string, string> = {}
): void {
  const wrong: string[] = []
  if (r.code !== 0) wrong.push(`exit code ${r.code}${r.signal ? ` (${r.signal})` : ''}`)
  if (r.errors.length > 0) wrong.push(`error lines: ${r.errors.join(' | ')}`)
  for (const [name, value] of Object.entries(want)) {
    if (r.outputs[name] !== value) {
      wrong.push(`outputs.${name} is ${JSON.stringify(r.outputs[name])}, expected "${value}"`)
    }
  }
  if (wrong.length > 0) {
    throw new BenchError(
      `${scenario}, run ${i}: ${wrong.join('; ')}\n  --- stdout (tail)\n${tail(r.stdout)}\n` +
        `  --- stderr (tail)\n${tail(r.stderr)}`
    )
  }
}

/**
 * Milliseconds from the first stdout line matching `from` to the first line after it matching
 * `to` (undefined when either is missing): how long one phase of a run took, from the log.
 */
export function phaseMs(r: ActionResult, from: RegExp, to: RegExp): number | undefined {
  const i = r.lines.findIndex(l => from.test(l.line))
  if (i < 0) return undefined
  const j = r.lines.findIndex((l, k) => k > i && to.test(l.line))
  return j < 0 ? undefined : r.lines[j].t - r.lines[i].t
}

/** Cold: binfmt_misc mounted (as on a GitHub runner), no qemu-* handler. */
export function coldBinfmt(): void {
  mountBinfmt()
  clearQemuEntries()
}

export const platformsOf = (r: ActionResult): string[] =>
  (r.outputs.platforms ?? '').split(',').filter(Boolean)
