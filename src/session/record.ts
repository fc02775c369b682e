/**
 * binfmt_misc is one per kernel: on a self-hosted machine every job and every user shares it.
 * The record is what the jobs agree on: who holds which handler, and what each entry was before
 * the first holder came. It lives in a directory only root can write (store.ts), and it is
 * checked field by field before anything is done for it: a record that does not fit is
 * discarded, and the host is not touched for it.
 */
import { readFileSync } from 'node:fs'
import { canonicalFlags, lineFor, type BinfmtEntry } from '../host/entry.js'
import type { Baseline } from '../host/changes.js'

/** A job (step) that registered or relies on handlers. */
export interface Holder {
  /** GITHUB_RUN_ID/GITHUB_RUN_ATTEMPT/GITHUB_JOB/RUNNER_NAME/GITHUB_ACTION */
  readonly key: string
  /** The job's runner process (the step's parent), alive for the whole job. */
  readonly pid: number
  /** Its start time (clock ticks since boot), so a reused pid is not mistaken for it. */
  readonly started: string
  /** When it registered, ms since the epoch. */
  readonly since: number
  readonly names: readonly string[]
}

export interface SharedState {
  readonly version: 1
  /** /proc/sys/kernel/random/boot_id of the boot the record describes. */
  readonly boot: string
  /** binfmt_misc was not mounted before the first holder came, and a holder mounted it. */
  readonly mounted: boolean
  /** Entries as they were before the first holder changed them, by name. */
  readonly baselines: Readonly<Record<string, Baseline>>
  readonly holders: readonly Holder[]
}

export const emptyState = (boot: string): SharedState => ({
  version: 1,
  boot,
  mounted: false,
  baselines: {},
  holders: []
})

/** A record outlives a job that died without its post step by at most this long. */
export const MAX_HOLD_MS = 6 * 24 * 3600_000

/** How the record learns whether a holder's job still runs. */
export interface Liveness {
  readonly boot: string
  /** The start time of a running process, or undefined when there is none with that pid. */
  started(pid: number): string | undefined
  now(): number
}

/** Whether a holder's job is still running. */
export function isLive(holder: Holder, live: Liveness): boolean {
  return live.started(holder.pid) === holder.started && live.now() - holder.since < MAX_HOLD_MS
}

/** The state with holders of dead jobs dropped (and a record of another boot started afresh). */
export function withoutExpired(state: SharedState, live: Liveness): SharedState {
  if (state.boot !== live.boot) return emptyState(live.boot)
  return { ...state, holders: state.holders.filter(h => isLive(h, live)) }
}

/** Names some holder other than `key` still holds. */
export function heldByOthers(state: SharedState, key: string): Set<string> {
  return new Set(state.holders.filter(h => h.key !== key).flatMap(h => h.names))
}

/** Process facts from /proc. */
export class ProcLiveness implements Liveness {
  readonly boot = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim()

  started(pid: number): string | undefined {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
      // the command name may hold spaces and parentheses: fields start after the last ')'
      return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19]
    } catch {
      return undefined
    }
  }

  now(): number {
    return Date.now()
  }
}

/** The kernel refuses a register line longer than this (fs/binfmt_misc.c, MAX_REGISTER_LENGTH). */
export const MAX_REGISTER_LENGTH = 1920
/** Magic and offset together must fit the first bytes the kernel reads (BINPRM_BUF_SIZE). */
export const BINPRM_BUF_SIZE = 256
/** Bounds on what one record may hold: far above any real runner, far below harm. */
const MAX_HOLDERS = 256
const MAX_BASELINES = 256
const MAX_NAMES = 64
/** Linux pids never exceed 2^22 (PID_MAX_LIMIT). */
const PID_MAX = 4_194_304

/** The record as read, or why it was discarded. */
export type Parsed =
  | { readonly state: SharedState; readonly problem?: undefined }
  | { readonly state: SharedState; readonly problem: string }

/**
 * The record in `text`, checked field by field. Empty text is a fresh record for `boot`; text
 * that is not a record the action wrote is discarded (a fresh record, and the reason).
 */
export function parseRecord(text: string, boot: string): Parsed {
  if (text.trim() === '') return { state: emptyState(boot) }
  try {
    return { state: checkState(JSON.parse(text)) }
  } catch (error) {
    return { state: emptyState(boot), problem: (error as Error).message }
  }
}

class Invalid extends Error {}

function fail(what: string): never {
  throw new Invalid(what)
}

type Json = Record<string, unknown>

function object(value: unknown, what: string): Json {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    fail(`${what} is not an object`)
  return value as Json
}

function array(value: unknown, what: string, max: number): unknown[] {
  if (!Array.isArray(value)) fail(`${what} is not a list`)
  if (value.length > max) fail(`${what} has more than ${max} items`)
  return value
}

function int(value: unknown, what: string, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max)
    fail(`${what} is not a whole number from ${min} to ${max}`)
  return value
}

function bool(value: unknown, what: string): boolean {
  if (typeof value !== 'boolean') fail(`${what} is not true or false`)
  return value
}

/** Printable ASCII only: nothing that could end a log line, a register line or a field. */
function text(value: unknown, what: string, pattern: RegExp): string {
  if (typeof value !== 'string' || !pattern.test(value)) fail(`${what} is not allowed`)
  return value
}

/** A binfmt_misc entry name the kernel accepts: no `/`, not `.` or `..`, not its control files. */
export function isEntryName(name: string): boolean {
  return (
    /^[\x21-\x7e]{1,255}$/.test(name) &&
    !name.includes('/') &&
    !['.', '..', 'register', 'status'].includes(name)
  )
}

function entryName(value: unknown, what: string): string {
  if (typeof value !== 'string' || !isEntryName(value)) fail(`${what} is not an entry name`)
  return value
}

const HEX = /^(?:[0-9a-f]{2})+$/

/** A binfmt_misc entry as the kernel could have printed it, and the line that would register it. */
export function checkEntry(value: unknown, what: string): BinfmtEntry {
  const e = object(value, what)
  const name = entryName(e.name, `${what}'s name`)
  const at = `${what} (${name})`
  const interpreter = text(e.interpreter, `${at}'s interpreter`, /^\/[\x20-\x7e]{0,254}$/)
  const flags = text(e.flags, `${at}'s flags`, /^P?O?C?F?$/)
  if (canonicalFlags(flags) !== flags) fail(`${at}'s flags are not as the kernel prints them`)
  const offset = int(e.offset, `${at}'s offset`, 0, BINPRM_BUF_SIZE - 1)
  const entry: { -readonly [K in keyof BinfmtEntry]: BinfmtEntry[K] } = {
    name,
    enabled: bool(e.enabled, `${at}'s enabled`),
    interpreter,
    flags,
    offset
  }
  if (e.extension !== undefined) {
    if (e.magic !== undefined || e.mask !== undefined || offset !== 0)
      fail(`${at} is an extension entry with a magic`)
    entry.extension = text(e.extension, `${at}'s extension`, /^\.[\x21-\x2e\x30-\x7e]{1,127}$/)
  } else {
    const magic = text(e.magic, `${at}'s magic`, HEX)
    if (offset + magic.length / 2 > BINPRM_BUF_SIZE)
      fail(`${at}'s magic reaches past the first ${BINPRM_BUF_SIZE} bytes`)
    entry.magic = magic
    if (e.mask !== undefined) {
      entry.mask = text(e.mask, `${at}'s mask`, HEX)
      if (entry.mask.length !== magic.length) fail(`${at}'s mask is not as long as its magic`)
    }
  }
  if (lineFor(entry).length > MAX_REGISTER_LENGTH)
    fail(`${at} is longer than a register line can be`)
  return entry
}

function checkBaseline(value: unknown, name: string): Baseline {
  const what = `the baseline of ${name}`
  const b = object(value, what)
  const above = array(b.above, `${what}'s newer entries`, MAX_BASELINES).map((e, i) =>
    checkEntry(e, `${what}'s newer entry ${i}`)
  )
  const rank = int(b.rank, `${what}'s rank`, 0, 100_000)
  if (b.before === undefined) return { above, rank }
  const before = checkEntry(b.before, what)
  if (before.name !== name) fail(`${what} names another entry`)
  return { before, above, rank }
}

function checkHolder(value: unknown, i: number): Holder {
  const what = `holder ${i}`
  const h = object(value, what)
  return {
    key: text(h.key, `${what}'s key`, /^[\x20-\x7e]{1,512}$/),
    pid: int(h.pid, `${what}'s pid`, 1, PID_MAX),
    started: text(h.started, `${what}'s start time`, /^\d{0,20}$/),
    since: int(h.since, `${what}'s time`, 0, Number.MAX_SAFE_INTEGER),
    names: array(h.names, `${what}'s names`, MAX_NAMES).map((n, j) =>
      entryName(n, `${what}'s name ${j}`)
    )
  }
}

function checkState(value: unknown): SharedState {
  const s = object(value, 'the record')
  if (s.version !== 1) fail('the record is not of version 1')
  const baselines = object(s.baselines, 'the baselines')
  const names = Object.keys(baselines)
  if (names.length > MAX_BASELINES) fail(`the record has more than ${MAX_BASELINES} baselines`)
  return {
    version: 1,
    boot: text(s.boot, 'the boot id', /^[\x21-\x7e]{1,64}$/),
    mounted: bool(s.mounted, 'mounted'),
    baselines: Object.fromEntries(
      names.map(name => [entryName(name, `baseline name`), checkBaseline(baselines[name], name)])
    ),
    holders: array(s.holders, 'the holders', MAX_HOLDERS).map(checkHolder)
  }
}
