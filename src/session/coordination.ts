/**
 * The machine-wide lock and the record, as the steps use them: one transaction around every
 * read-modify-write of binfmt_misc. The files are root's (store.ts); a job reaches them the way it
 * reaches binfmt_misc itself: in this process when it is root, otherwise through a keeper, one
 * process with root's rights (through `sudo -n`, or in the registrar's container) that holds the
 * lock for the transaction and hands the record over its stdin and stdout.
 */
import * as core from '@actions/core'
import { HostError } from '../errors.js'
import { printable } from './escape.js'
import { parseRecord, type SharedState } from './record.js'
import { acquire, StateDir, type Held } from './store.js'

export interface Coordination {
  /**
   * Runs `fn` holding the lock, with the record as stored (an empty one for this boot when there
   * is none or it is not valid), and saves the record `fn` returns. `onWait` is told who holds
   * the lock when it must wait (escaped, ready for the log).
   */
  transaction<T>(
    who: string,
    fn: (state: SharedState) => Promise<{ readonly result: T; readonly state: SharedState }>,
    onWait?: (holder: string) => void
  ): Promise<T>
}

/**
 * No lock and no record: for a machine no other job shares (a GitHub-hosted runner runs one job
 * and is thrown away), where there is nobody to coordinate with and nothing to put back.
 */
export class Unshared implements Coordination {
  constructor(private readonly boot: string) {}

  async transaction<T>(
    _who: string,
    fn: (state: SharedState) => Promise<{ result: T; state: SharedState }>
  ): Promise<T> {
    return (await fn(emptyFor(this.boot))).result
  }
}

const emptyFor = (boot: string): SharedState => parseRecord('', boot).state

/** The record a transaction starts from; a record that is not valid is discarded, with a warning. */
function startFrom(text: string, boot: string, where: string): SharedState {
  const { state, problem } = parseRecord(text, boot)
  if (problem) {
    core.warning(
      `Discarded the binfmt_misc record in ${where}: ${printable(problem)}. Nothing on the host is put back for it; the record starts afresh.`
    )
  }
  return state
}

/** What a holder's line in the lock file says, for the log. */
const holderOf = (text: string): string => (text.trim() ? printable(text.trim()) : 'another job')

/** Runs a transaction on a lock already held. */
async function within<T>(
  held: Pick<Held, 'record' | 'save'>,
  boot: string,
  where: string,
  fn: (state: SharedState) => Promise<{ result: T; state: SharedState }>
): Promise<T> {
  const { result, state } = await fn(startFrom(held.record, boot, where))
  held.save(`${JSON.stringify(state)}\n`)
  return result
}

/** The lock and the record opened by this process, which is root. */
export class LocalCoordination implements Coordination {
  constructor(
    private readonly boot: string,
    private readonly dir: StateDir = new StateDir(),
    private readonly waitSeconds?: number
  ) {}

  async transaction<T>(
    who: string,
    fn: (state: SharedState) => Promise<{ result: T; state: SharedState }>,
    onWait?: (holder: string) => void
  ): Promise<T> {
    const held = await acquire(this.dir, who, text => onWait?.(holderOf(text)), this.waitSeconds)
    try {
      return await within(held, this.boot, this.dir.path, fn)
    } finally {
      held.release()
    }
  }
}

/** One message of the keeper protocol: a JSON object a line. */
export type KeeperMessage =
  | { readonly wait: string }
  | { readonly record: string }
  | { readonly error: string }
  | { readonly saved: true }

/**
 * The lock and the record through a keeper process with root's rights (`command`, whose last
 * arguments start keep() below). It says `wait` while it waits, then `record` once it holds the
 * lock; it saves the record it is sent back, and releases the lock when its stdin ends (also
 * when this process dies).
 */
export class KeeperCoordination implements Coordination {
  constructor(
    private readonly boot: string,
    /** The keeper's program and arguments, never a shell with anything of the job's in it. */
    private readonly command: readonly string[],
    /** For messages: sudo, or the container image. */
    private readonly via: string
  ) {}

  async transaction<T>(
    who: string,
    fn: (state: SharedState) => Promise<{ result: T; state: SharedState }>,
    onWait?: (holder: string) => void
  ): Promise<T> {
    const { spawn } = await import('node:child_process')
    const { createInterface } = await import('node:readline')
    const child = spawn(this.command[0], this.command.slice(1), {
      stdio: ['pipe', 'pipe', 'pipe']
    })
    let stderr = ''
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
    const exited = new Promise<number | null>(resolve => {
      child.on('error', error => {
        stderr += error.message
        resolve(null)
      })
      child.on('close', code => resolve(code))
    })
    const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]()
    const failed = async (what: string): Promise<HostError> => {
      const code = await exited
      const why = stderr.trim().split('\n').pop() ?? ''
      return new HostError(
        `Could not take the binfmt_misc lock ${this.via}: ${what}${code === null ? '' : ` (exit ${code})`}${why ? `: ${printable(why)}` : ''}. ` +
          'Check that this route still works on this runner, or set cleanup: false.'
      )
    }
    /** The keeper's next message; undefined once its stdout ends. */
    const next = async (): Promise<Record<string, unknown> | undefined> => {
      const line = await lines.next()
      if (line.done) return undefined
      try {
        return JSON.parse(line.value) as Record<string, unknown>
      } catch {
        return { unreadable: line.value }
      }
    }
    child.stdin.on('error', () => {
      // the keeper ended early: its exit says why
    })
    child.stdin.write(`${JSON.stringify({ who })}\n`)
    let message = await next()
    while (message && typeof message.wait === 'string') {
      onWait?.(holderOf(message.wait))
      message = await next()
    }
    if (!message || typeof message.record !== 'string') {
      child.stdin.end()
      throw await failed(
        typeof message?.error === 'string'
          ? printable(message.error, 1000)
          : typeof message?.unreadable === 'string'
            ? `it printed "${printable(message.unreadable)}"`
            : 'it stopped'
      )
    }
    let result: T
    try {
      result = await within(
        {
          record: message.record,
          save: text => child.stdin.write(`${JSON.stringify({ record: text })}\n`)
        },
        this.boot,
        `the keeper's record (${this.via})`,
        fn
      )
    } finally {
      child.stdin.end()
    }
    const saved = await next()
    if (saved?.saved !== true || (await exited) !== 0)
      throw await failed('it did not save the record')
    return result
  }
}

/**
 * The keeper's side: reads who it holds for, takes the lock, sends the record, saves the record
 * it gets back (if any) and releases the lock when its input ends. Returns the exit code.
 */
export async function keep(
  dir: StateDir,
  input: NodeJS.ReadableStream,
  send: (message: KeeperMessage) => void
): Promise<number> {
  const { createInterface } = await import('node:readline')
  const lines = createInterface({ input })[Symbol.asyncIterator]()
  try {
    const first = await lines.next()
    const who = first.done ? '' : (JSON.parse(first.value) as { who?: unknown }).who
    if (typeof who !== 'string' || !who)
      throw new HostError('the keeper was not told who it holds for')
    const held = await acquire(dir, printable(who), holder => send({ wait: holder }))
    try {
      send({ record: held.record })
      const reply = await lines.next()
      if (!reply.done) {
        const { record } = JSON.parse(reply.value) as { record?: unknown }
        if (typeof record !== 'string') throw new HostError('the keeper was sent no record')
        held.save(record)
      }
    } finally {
      held.release()
    }
    send({ saved: true })
    return 0
  } catch (error) {
    send({ error: (error as Error).message })
    return 1
  }
}
