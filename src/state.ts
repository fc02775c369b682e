import type { Binfmt } from './host/binfmt.js'
import { lineFor, parseEntry } from './host/binfmt.js'

/** The host's qemu-* handlers before this action changed anything, to put back in the post step. */
export interface Snapshot {
  readonly mounted: boolean
  readonly entries: readonly { readonly name: string; readonly text: string }[]
}

/** Only handlers of this family are ever changed by the action, so only they are restored. */
const ours = (name: string): boolean => name.startsWith('qemu-')

export async function takeSnapshot(binfmt: Binfmt): Promise<Snapshot> {
  const mounted = await binfmt.isMounted()
  const names = (await binfmt.names()).filter(ours)
  const entries = await Promise.all(
    names.map(async name => ({ name, text: (await binfmt.text(name)) ?? '' }))
  )
  return { mounted, entries: entries.filter(e => e.text !== '') }
}

/**
 * Puts the qemu-* handlers back exactly as the snapshot has them: added ones removed, replaced or
 * removed ones registered again (and disabled again when they were). Unmounts binfmt_misc when
 * the action mounted it and nothing is left in it. Returns what it did, a line each.
 */
export async function restoreSnapshot(
  binfmt: Binfmt,
  snapshot: Snapshot,
  weMounted: boolean
): Promise<string[]> {
  const done: string[] = []
  const before = new Map(snapshot.entries.map(e => [e.name, e.text]))
  for (const name of (await binfmt.names()).filter(ours)) {
    const text = await binfmt.text(name)
    if (before.get(name) === text) continue
    await binfmt.remove(name)
    if (!before.has(name)) done.push(`${name}: removed (added by this job)`)
  }
  for (const { name, text } of snapshot.entries) {
    if ((await binfmt.text(name)) === text) continue
    const entry = parseEntry(name, text)
    await binfmt.register(lineFor(entry))
    if (!entry.enabled) await binfmt.setEnabled(name, false)
    done.push(
      `${name}: put back (${entry.interpreter}, flags "${entry.flags}"${entry.enabled ? '' : ', disabled'})`
    )
  }
  if (!snapshot.mounted && weMounted && (await binfmt.names()).length === 0) {
    await binfmt.unmount()
    done.push('binfmt_misc: unmounted again (this job mounted it)')
  }
  return done
}
