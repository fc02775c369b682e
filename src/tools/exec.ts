import type { RunResult } from '../model.js'

export type { RunResult }

export interface RunOptions {
  /** Bytes for standard input. */
  readonly input?: string | Buffer
  /** Stream the command line and its output to the job log (long-running, user-facing steps). */
  readonly echo?: boolean
  readonly env?: NodeJS.ProcessEnv
  readonly timeoutMs?: number
}

/**
 * Runs a program with an argument array; never through a shell, so no input is ever parsed as
 * shell syntax.
 */
export async function run(
  file: string,
  args: readonly string[],
  options: RunOptions = {}
): Promise<RunResult> {
  if (options.echo) return runEchoed(file, args, options)
  // Loaded on first use: a warm run that starts no process skips node:child_process (~9 ms).
  const { execFile } = await import('node:child_process')
  return new Promise(resolve => {
    const child = execFile(
      file,
      args,
      {
        env: options.env,
        timeout: options.timeoutMs,
        maxBuffer: 64 * 1024 * 1024,
        encoding: 'utf8'
      },
      (error, stdout, stderr) => {
        const err = error as
          (NodeJS.ErrnoException & { code?: unknown; signal?: string | null }) | null
        const startError = err && typeof err.code === 'string' ? err.code : undefined
        const code = !err ? 0 : typeof err.code === 'number' ? err.code : null
        resolve({ code, signal: err?.signal ?? null, stdout, stderr, startError })
      }
    )
    child.stdin?.on('error', () => undefined)
    child.stdin?.end(options.input ?? '')
  })
}

async function runEchoed(
  file: string,
  args: readonly string[],
  options: RunOptions
): Promise<RunResult> {
  // Loaded only when a step streams output (apt-get, docker pull), keeping warm runs lean.
  const actionsExec = await import('@actions/exec')
  try {
    const out = await actionsExec.getExecOutput(file, [...args], {
      ignoreReturnCode: true,
      input: options.input === undefined ? undefined : Buffer.from(options.input),
      env: options.env as Record<string, string> | undefined
    })
    return { code: out.exitCode, signal: null, stdout: out.stdout, stderr: out.stderr }
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    return {
      code: null,
      signal: null,
      stdout: '',
      stderr: String(error),
      startError: code ?? 'ENOENT'
    }
  }
}

/** The last non-empty line of a tool's error output: usually the one that says why. */
export function lastLine(text: string): string {
  const lines = text
    .split('\n')
    .map(l => l.trim())
    .filter(Boolean)
  return lines[lines.length - 1] ?? ''
}
