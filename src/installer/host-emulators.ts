import { lstatSync, realpathSync, statSync, type Stats } from 'node:fs'
import { delimiter, dirname, isAbsolute, join } from 'node:path'

/** @actions/io's which(), loaded only when asked (it is not needed on warm runs). */
export async function which(tool: string): Promise<string> {
  const io = await import('@actions/io')
  return io.which(tool)
}

/** Every emulator file for `cpu` on the host that root may run: PATH order, static names first. */
export function hostEmulators(cpu: string): { found: string[]; refused: string[] } {
  const found: string[] = []
  const refused: string[] = []
  for (const name of [`qemu-${cpu}-static`, `qemu-${cpu}`]) {
    for (const dir of searchDirs(process.env.PATH)) {
      const candidate = join(dir, name)
      const why = untrusted(candidate)
      // searchDirs has no duplicates, so neither has found
      if (why === undefined) found.push(candidate)
      else if (why) {
        refused.push(`${candidate} (${why})`)
      }
    }
  }
  return { found, refused }
}

/** Where a host emulator for `cpu` already is: PATH first, static names before plain ones. */
export function findOnHost(cpu: string): string | undefined {
  return hostEmulators(cpu).found[0]
}

/**
 * The absolute directories of PATH (an empty or relative entry, which would name a place under
 * the working directory, skipped), then where distributions install emulators, for a runner
 * started with a short PATH.
 */
export function searchDirs(path: string | undefined): string[] {
  const dirs = [...(path ?? '').split(delimiter).filter(isAbsolute), '/usr/bin', '/usr/local/bin']
  return [...new Set(dirs)]
}

/**
 * Why root must not run `path` as an interpreter: '' when there is no such file, undefined when
 * it may. It may when it is a regular file (a FIFO or device is never opened) and it, the
 * directory it is really in and every directory above that belong to root and cannot be written
 * by anyone else (a world-writable directory above counts when it is sticky, like /tmp: others
 * cannot rename what root put there). Another local user then cannot put or swap a file there.
 */
export function untrusted(path: string): string | undefined {
  let real: string
  try {
    real = realpathSync(path)
  } catch {
    return ''
  }
  const file = statSync(real)
  if (!file.isFile()) return 'not a regular file'
  if ((file.mode & 0o111) === 0) return 'not executable'
  const problem = unsafe(real, file, false)
  if (problem) return problem
  for (let dir = dirname(real), first = true; ; dir = dirname(dir), first = false) {
    const why = unsafe(dir, lstatSync(dir), !first)
    if (why) return why
    if (dir === '/') return undefined
  }
}

function unsafe(path: string, s: Stats, stickyWritableOk: boolean): string | undefined {
  if (s.uid !== 0) return `${path} belongs to uid ${s.uid}, not root`
  const writable = s.mode & 0o022
  const sticky = (s.mode & 0o1000) !== 0
  if (writable && !(stickyWritableOk && sticky)) {
    return `${path} can be written by ${s.mode & 0o002 ? 'any user' : 'its group'} (mode ${(s.mode & 0o7777).toString(8)})`
  }
  return undefined
}
