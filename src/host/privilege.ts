import { writeFileSync } from 'node:fs'
import { HostError } from '../errors.js'
import { run, lastLine, type RunResult } from '../tools/exec.js'

/** How this process can act as root: it is root, it has passwordless sudo, or it cannot. */
export type PrivilegeMode = 'root' | 'sudo' | 'none'

export async function detectPrivilege(): Promise<PrivilegeMode> {
  if (process.getuid?.() === 0) return 'root'
  const probe = await run('sudo', ['-n', 'true'])
  return probe.code === 0 ? 'sudo' : 'none'
}

/**
 * Performs the few host changes that need root, directly when root and through `sudo -n`
 * otherwise. Nothing here goes through a shell.
 */
export class Privilege {
  constructor(readonly mode: PrivilegeMode) {}

  get canActAsRoot(): boolean {
    return this.mode !== 'none'
  }

  /** Fails, before anything changes, when root is needed for `why` and cannot be had. */
  require(why: string): void {
    if (this.mode === 'none') {
      throw new HostError(
        `${why} needs root, and this job runs as uid ${process.getuid?.()} without passwordless sudo. ` +
          'Run the job as root, grant the runner user passwordless sudo, or, on a self-hosted runner, ' +
          'register the handlers once as root and use registrar: none with install: none.'
      )
    }
  }

  /** One write(2) of `text` to `path` (binfmt_misc needs each line in a single write). */
  async write(path: string, text: string): Promise<void> {
    if (this.mode === 'root') {
      writeFileSync(path, text)
      return
    }
    const result = await run('sudo', ['-n', 'tee', path], { input: text })
    if (result.code !== 0) {
      const error = new Error(
        lastLine(result.stderr) || `sudo tee ${path} failed`
      ) as NodeJS.ErrnoException
      error.code = /File exists/i.test(result.stderr)
        ? 'EEXIST'
        : /Invalid argument/i.test(result.stderr)
          ? 'EINVAL'
          : /No such file or directory/i.test(result.stderr)
            ? 'ENOENT'
            : 'EIO'
      throw error
    }
  }

  /** Runs a program as root. */
  async run(
    file: string,
    args: readonly string[],
    options: { echo?: boolean; env?: NodeJS.ProcessEnv } = {}
  ): Promise<RunResult> {
    if (this.mode === 'root') return run(file, args, options)
    return run('sudo', ['-n', '--preserve-env=DEBIAN_FRONTEND', file, ...args], options)
  }
}
