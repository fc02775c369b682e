import { run, lastLine, type RunResult } from './exec.js'

/** Typed wrapper over the docker CLI, so callers read as intent. */
export class Docker {
  private answer?: Promise<string | undefined>

  constructor(private readonly bin = 'docker') {}

  /** Undefined when the engine answers; otherwise why not, in the CLI's words. Asked once. */
  whyNotAnswering(): Promise<string | undefined> {
    this.answer ??= this.ask()
    return this.answer
  }

  private async ask(): Promise<string | undefined> {
    const result = await run(this.bin, ['version', '--format', '{{.Server.Version}}'], {
      timeoutMs: 30_000
    })
    if (result.startError === 'ENOENT') return 'the docker CLI is not installed'
    if (result.code === 0 && result.stdout.trim()) return undefined
    return lastLine(result.stderr) || 'the Docker engine did not answer'
  }

  async hasImage(reference: string): Promise<boolean> {
    return (await this.imageId(reference)) !== undefined
  }

  async pull(reference: string, platform?: string): Promise<RunResult> {
    const args = platform ? ['pull', '--platform', platform, reference] : ['pull', reference]
    return run(this.bin, args, { echo: true })
  }

  async imageId(reference: string): Promise<string | undefined> {
    const result = await run(this.bin, ['image', 'inspect', '--format', '{{.Id}}', reference])
    return result.code === 0 ? result.stdout.trim() : undefined
  }

  /** `docker run --rm [flags] image [args]`. */
  async run(
    image: string,
    args: readonly string[],
    flags: readonly string[] = [],
    echo = false
  ): Promise<RunResult> {
    return run(this.bin, ['run', '--rm', ...flags, image, ...args], { echo })
  }
}
