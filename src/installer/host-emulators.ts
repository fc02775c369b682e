import { accessSync, constants } from 'node:fs'
import { delimiter, join } from 'node:path'

/** @actions/io's which(), loaded only when asked (it is not needed on warm runs). */
export async function which(tool: string): Promise<string> {
  const io = await import('@actions/io')
  return io.which(tool)
}

/** Where a host emulator for `cpu` already is: PATH first, static names before plain ones. */
export async function findOnHost(cpu: string): Promise<string | undefined> {
  for (const name of [`qemu-${cpu}-static`, `qemu-${cpu}`]) {
    for (const dir of searchDirs(process.env.PATH)) {
      const candidate = join(dir, name)
      try {
        accessSync(candidate, constants.X_OK)
        return candidate
      } catch {
        // not here
      }
    }
  }
  return undefined
}

/**
 * The directories of PATH (an empty entry, which would mean the working directory, skipped), then
 * where distributions install emulators, for a runner started with a short PATH.
 */
export function searchDirs(path: string | undefined): string[] {
  return [...(path ?? '').split(delimiter).filter(Boolean), '/usr/bin', '/usr/local/bin']
}
