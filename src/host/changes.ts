/**
 * What to write to binfmt_misc, worked out from what it holds: registering the requested handlers
 * (keeping identical ones, replacing different ones without a gap) and putting entries back as
 * they were (byte for byte, in their original precedence). Pure functions over entry lists in the
 * kernel's order (most recently registered first); the KernelWriter carries out the result.
 */
import {
  lineFor,
  overlaps,
  registerLine,
  sameEntry,
  sameRegistration,
  type BinfmtEntry,
  type MagicRegistration
} from './entry.js'
import type { KernelOp } from './kernel.js'

export interface RegistrationPlan {
  readonly ops: readonly KernelOp[]
  /** Entries already as wanted. */
  readonly kept: readonly string[]
  /** Wanted entries that exist but differ; with reset off they are conflicts and `ops` is empty. */
  readonly conflicts: readonly { readonly entry: BinfmtEntry; readonly wanted: MagicRegistration }[]
}

/** The temporary name that carries a handler while its entry is replaced. */
export const bridgeName = (name: string): string => `${name}.replacing`

/**
 * The ops that leave exactly the wanted handlers registered and enabled, touching no other
 * entry. An existing different entry is replaced only with `reset`; with `bridge` the new handler
 * is first registered under a temporary name, so binaries of that architecture never find no
 * handler while the entry is replaced (the kernel tries the newest entry first).
 */
export function planRegistration(
  current: readonly BinfmtEntry[],
  wanted: readonly MagicRegistration[],
  options: { readonly reset: boolean; readonly bridge: boolean }
): RegistrationPlan {
  const ops: KernelOp[] = []
  const kept: string[] = []
  const conflicts: { entry: BinfmtEntry; wanted: MagicRegistration }[] = []
  for (const w of wanted) {
    const entry = current.find(e => e.name === w.name)
    const line = registerLine(w)
    if (!entry) {
      ops.push({ op: 'register', name: w.name, line })
    } else if (sameRegistration(entry, w)) {
      if (entry.enabled) kept.push(w.name)
      else ops.push({ op: 'enable', name: w.name })
    } else if (!options.reset) {
      conflicts.push({ entry, wanted: w })
    } else if (options.bridge && !current.some(e => e.name === bridgeName(w.name))) {
      const bridge = bridgeName(w.name)
      ops.push(
        { op: 'register', name: bridge, line: registerLine({ ...w, name: bridge }) },
        { op: 'remove', name: w.name },
        { op: 'register', name: w.name, line },
        { op: 'remove', name: bridge }
      )
    } else {
      ops.push({ op: 'remove', name: w.name }, { op: 'register', name: w.name, line })
    }
  }
  return { ops: conflicts.length > 0 ? [] : ops, kept, conflicts }
}

/** What an entry was before the action first changed it, and what it must stay below. */
export interface Baseline {
  /** The entry before; absent when there was none of that name. */
  readonly before?: BinfmtEntry
  /**
   * Entries that were newer than it and could match the same files (directly or through each
   * other), newest first: re-registering it would put it above them, so they are re-registered
   * after it.
   */
  readonly above: readonly BinfmtEntry[]
  /** How many entries were older than it then: re-registered entries keep that order. */
  readonly rank: number
}

/** The baseline of `name` in a listing taken before anything changed. */
export function baselineOf(name: string, listing: readonly BinfmtEntry[]): Baseline {
  const index = listing.findIndex(e => e.name === name)
  if (index < 0) return { above: [], rank: 0 }
  const before = listing[index]
  const group: BinfmtEntry[] = [before]
  const newer = listing.slice(0, index)
  // closure: newer entries that overlap the entry or any newer entry already in the group
  for (let grew = true; grew;) {
    grew = false
    for (const e of newer) {
      if (!group.includes(e) && group.some(g => overlaps(g, e))) {
        group.push(e)
        grew = true
      }
    }
  }
  return { before, above: newer.filter(e => group.includes(e)), rank: listing.length - 1 - index }
}

const sameState = (a: BinfmtEntry, b: BinfmtEntry): boolean =>
  sameEntry(a, b) && a.enabled === b.enabled

/**
 * One entry's part of a restore. A bridged step re-registers an entry that is present now
 * make-before-break: `ops[0]` registers the baseline under the bridge name, and only once that
 * worked is the present entry removed and the baseline registered under its own name; so when
 * the baseline cannot be registered again (an F interpreter deleted since), nothing has changed
 * and the present handler stays.
 */
export interface RestoreStep {
  readonly name: string
  readonly ops: readonly KernelOp[]
  /** The bridge name, when the step is bridged. */
  readonly bridge?: string
  /** The entry registered now, which stays when the baseline cannot be registered. */
  readonly present?: BinfmtEntry
}

/**
 * The ops that put every name of `scope` back as its baseline has it, in steps of one entry each
 * (see RestoreStep): entries added since are removed, replaced or removed ones registered again
 * (disabled again when they were), and overlapping entries re-registered after them so that the
 * kernel tries them in their original order. Entries outside the scope are only ever
 * re-registered identically, for that order. Throws RegistrationError (from lineFor) for an entry
 * that cannot be written back.
 */
export function planRestoreSteps(
  current: readonly BinfmtEntry[],
  baselines: ReadonlyMap<string, Baseline>,
  scope: readonly string[]
): RestoreStep[] {
  const now = new Map(current.map(e => [e.name, e]))
  const steps: RestoreStep[] = []
  /** Entries to register again, by name. */
  const again = new Map<string, BinfmtEntry>()
  const mark = (name: string, entry: BinfmtEntry, above: readonly BinfmtEntry[]): void => {
    again.set(name, entry)
    for (const y of above) {
      const present = now.get(y.name)
      // still as it was (in the scope or not): registered again, identically, to stay above
      if (present && sameState(present, y)) again.set(y.name, y)
    }
  }
  for (const name of scope) {
    const baseline = baselines.get(name)
    if (!baseline) continue
    const present = now.get(name)
    const before = baseline.before
    if (!before) {
      if (present) steps.push({ name, ops: [{ op: 'remove', name }], present })
    } else if (present && sameEntry(present, before)) {
      if (present.enabled !== before.enabled)
        steps.push({ name, ops: [{ op: before.enabled ? 'enable' : 'disable', name }], present })
    } else {
      mark(name, before, baseline.above)
    }
  }
  // Oldest first, so the kernel's head-of-list insertion rebuilds the original precedence. A
  // scope entry ranks where it was; an entry outside the scope by its place in the `above` lists
  // it is in (newest first): never above its true place, and above every entry it overlaps that
  // is older (an `above` list is closed under overlap), so overlapping entries never swap.
  const rank = (name: string): number =>
    baselines.get(name)?.rank ??
    Math.max(
      ...[...baselines.values()].flatMap(b => {
        const i = b.above.findIndex(e => e.name === name)
        return i < 0 ? [] : [b.rank + b.above.length - i]
      })
    )
  for (const name of [...again.keys()].sort((a, b) => rank(a) - rank(b))) {
    steps.push(reRegistering(name, again.get(name) as BinfmtEntry, now))
  }
  return steps
}

/** The step that registers `entry` again under `name`, bridged when an entry holds the name now. */
function reRegistering(
  name: string,
  entry: BinfmtEntry,
  now: ReadonlyMap<string, BinfmtEntry>
): RestoreStep {
  const line = lineFor(entry)
  const register = (as: string, text: string): KernelOp[] => [
    { op: 'register', name: as, line: text, fromHost: true },
    ...(entry.enabled ? [] : [{ op: 'disable', name: as } as const])
  ]
  const present = now.get(name)
  if (!present) return { name, ops: register(name, line) }
  const bridge = bridgeName(name)
  if (now.has(bridge)) {
    // a bridge left behind by an interrupted run holds the name: replaced without one
    return { name, ops: [{ op: 'remove', name }, ...register(name, line)], present }
  }
  return {
    name,
    bridge,
    present,
    ops: [
      ...register(bridge, lineFor({ ...entry, name: bridge })),
      { op: 'remove', name },
      ...register(name, line),
      { op: 'remove', name: bridge }
    ]
  }
}

/** planRestoreSteps, as one list of ops. */
export function planRestore(
  current: readonly BinfmtEntry[],
  baselines: ReadonlyMap<string, Baseline>,
  scope: readonly string[]
): KernelOp[] {
  return planRestoreSteps(current, baselines, scope).flatMap(s => s.ops)
}

/** The entries `after` differs from `before` in, by name (added, removed or changed). */
export function changedNames(
  before: readonly BinfmtEntry[],
  after: readonly BinfmtEntry[]
): string[] {
  const was = new Map(before.map(e => [e.name, e]))
  const is = new Map(after.map(e => [e.name, e]))
  return [...new Set([...was.keys(), ...is.keys()])].filter(name => {
    const a = was.get(name)
    const b = is.get(name)
    return !a || !b || !sameState(a, b)
  })
}
