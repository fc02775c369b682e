/**
 * Where the lock and the record live: a directory root creates under /run (a tmpfs emptied at
 * every boot, like binfmt_misc itself), mode 0700, files mode 0600. Only a process that can act
 * as root ever opens them: this one when it is root, otherwise a keeper process started through
 * sudo or the registrar container (keeper.ts). Nothing another user created is ever used: every
 * directory on the way and each file is checked with lstat and fstat before use.
 */
import {
  closeSync,
  constants,
  fchmodSync,
  fstatSync,
  ftruncateSync,
  lstatSync,
  mkdirSync,
  openSync,
  readFileSync,
  writeSync,
  type Stats
} from 'node:fs'
import { dirname } from 'node:path'
import { HostError } from '../errors.js'

export const STATE_DIR = '/run/setup-cross-arch'

/** How long a job waits for the lock before it gives up, naming the holder. */
export const LOCK_WAIT_S = 300

const kind = (s: Stats): string =>
  s.isSymbolicLink()
    ? 'a symlink'
    : s.isDirectory()
      ? 'a directory'
      : s.isFile()
        ? 'a file'
        : 'a special file'

/**
 * Refuses `path` unless it is what it must be (a directory or a regular file, not a symlink),
 * owned by `owner`, and writable by nobody else; `fd` (when given) must be that same file.
 */
export function checkOwned(
  path: string,
  st: Stats,
  want: 'directory' | 'file',
  owner: number,
  fdStat?: Stats,
  /** A sticky directory (like /tmp) protects what others own in it: fine above ours. */
  stickyWritable = false
): void {
  const right = want === 'directory' ? st.isDirectory() : st.isFile()
  const problem = !right
    ? `is ${kind(st)}, not a ${want === 'directory' ? 'directory' : 'regular file'}`
    : st.uid !== owner
      ? `is owned by uid ${st.uid}, not ${owner === 0 ? 'root' : `uid ${owner}`}`
      : (st.mode & 0o022) !== 0 && !(stickyWritable && (st.mode & 0o1000) !== 0)
        ? 'is writable by group or others'
        : want === 'file' && st.nlink !== 1
          ? `has ${st.nlink} hard links`
          : fdStat && (fdStat.dev !== st.dev || fdStat.ino !== st.ino)
            ? 'was replaced while it was opened'
            : undefined
  if (problem) {
    throw new HostError(
      `${path} ${problem} (owner uid ${st.uid}, mode ${(st.mode & 0o7777).toString(8).padStart(4, '0')}): ` +
        'the action keeps its binfmt_misc lock and record only where root alone can write, and will not use it. ' +
        `Remove it as root (rm -rf ${path}) and run the job again.`
    )
  }
}

/** A file or directory that may not be there yet. */
function lstatOrNone(path: string): Stats | undefined {
  try {
    return lstatSync(path)
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    throw stateError(path, error)
  }
}

const stateError = (path: string, error: unknown): HostError =>
  new HostError(
    `Could not use ${path}: ${(error as Error).message}. The action keeps its binfmt_misc lock and record there, as root.`
  )

/**
 * The state directory as only `owner` (root) can write it. Every directory above it must be a
 * real directory of root's that nobody else can write; it is created mode 0700 when missing.
 */
export class StateDir {
  constructor(
    readonly path: string = STATE_DIR,
    /** root in production; tests that do not run as root pass their own uid. */
    private readonly owner: number = 0
  ) {}

  /** Checks (creating it when missing) the directory, then opens `name` in it, checked. */
  open(name: string): number {
    this.ensure()
    const path = `${this.path}/${name}`
    let fd: number
    try {
      fd = openSync(path, constants.O_RDWR | constants.O_CREAT | constants.O_NOFOLLOW, 0o600)
    } catch (error) {
      throw stateError(path, error)
    }
    try {
      const st = fstatSync(fd)
      checkOwned(path, lstatSync(path), 'file', this.owner, st)
      if ((st.mode & 0o077) !== 0) fchmodSync(fd, 0o600)
      return fd
    } catch (error) {
      closeSync(fd)
      throw error instanceof HostError ? error : stateError(path, error)
    }
  }

  private ensure(): void {
    for (let up = dirname(this.path), seen = ''; up !== seen; seen = up, up = dirname(up)) {
      const st = lstatOrNone(up)
      if (!st) throw stateError(up, new Error('it does not exist'))
      checkOwned(up, st, 'directory', st.uid === this.owner ? this.owner : 0, undefined, true)
    }
    if (!lstatOrNone(this.path)) {
      try {
        mkdirSync(this.path, 0o700)
      } catch (error) {
        // another job created it first: checked below like any other
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw stateError(this.path, error)
      }
    }
    let fd: number
    try {
      fd = openSync(this.path, constants.O_RDONLY | constants.O_DIRECTORY | constants.O_NOFOLLOW)
    } catch (error) {
      checkOwned(this.path, lstatSync(this.path), 'directory', this.owner)
      throw stateError(this.path, error)
    }
    try {
      const st = fstatSync(fd)
      checkOwned(this.path, lstatSync(this.path), 'directory', this.owner, st)
      if ((st.mode & 0o077) !== 0) fchmodSync(fd, 0o700)
    } finally {
      closeSync(fd)
    }
  }
}

/** Replaces a file's content in one write at offset 0 (the file is never renamed). */
export function rewrite(fd: number, text: string): void {
  const bytes = Buffer.from(text)
  ftruncateSync(fd, 0)
  let written = 0
  while (written < bytes.length)
    // Stryker disable next-line ArithmeticOperator: a regular file takes the whole buffer in one write; the loop only guards a short one
    written += writeSync(fd, bytes, written, bytes.length - written, written)
}

/** The lock, held; the record's text and a way to replace it. */
export interface Held {
  readonly record: string
  save(text: string): void
  release(): void
}

/**
 * Takes the lock (flock(2) on `lock`, through util-linux's flock on a descriptor this process
 * holds: released when this process closes it or dies, never left behind) and opens the record.
 * `onWait` is told what the lock file says about its holder (text for the log only after
 * `printable`).
 */
export async function acquire(
  dir: StateDir,
  who: string,
  onWait: (holder: string) => void,
  waitSeconds: number = LOCK_WAIT_S
): Promise<Held> {
  const lock = dir.open('lock')
  try {
    if ((await flock(lock, ['-x', '-n'], dir.path)) !== 0) {
      onWait(readFileSync(lock, 'utf8').trim())
      if ((await flock(lock, ['-x', '-w', String(waitSeconds)], dir.path)) !== 0) {
        throw new HostError(
          `Waited ${waitSeconds} s for the binfmt_misc lock (${dir.path}/lock). ` +
            'Check for a hung job on this runner, or end the process that holds it.'
        )
      }
    }
    rewrite(lock, `${who} (pid ${process.pid}, since ${new Date().toISOString()})\n`)
    const file = dir.open('state.json')
    return {
      record: readFileSync(file, 'utf8'),
      save: text => rewrite(file, text),
      release: () => {
        closeSync(file)
        rewrite(lock, '')
        closeSync(lock) // releases the lock
      }
    }
  } catch (error) {
    closeSync(lock)
    throw error
  }
}

/** flock(1) on a descriptor of this process, passed to it as its fd 3. */
async function flock(fd: number, args: readonly string[], dir: string): Promise<number | null> {
  // loaded here: a run on a machine nobody shares never takes the lock (Unshared)
  const { spawn } = await import('node:child_process')
  return new Promise((resolve, reject) => {
    const child = spawn('flock', [...args, '3'], { stdio: ['ignore', 'ignore', 'ignore', fd] })
    child.on('error', error =>
      reject(
        new HostError(
          `Could not run flock (util-linux) to take ${dir}/lock: ${error.message}. Install util-linux on this runner.`
        )
      )
    )
    child.on('close', code => resolve(code))
  })
}
