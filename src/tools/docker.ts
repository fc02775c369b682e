import { run, lastLine, type RunResult } from './exec.js'

/** The docker CLI as the action uses it. Tests implement it with a fake engine. */
export interface Docker {
  /** Undefined when the engine answers; otherwise why not, in the CLI's words. */
  whyNotAnswering(): Promise<string | undefined>
  /** `docker info` security options (`name=rootless`, `name=userns`, ...). */
  securityOptions(): Promise<string[]>
  /** The image ID a reference resolves to locally, or undefined. */
  imageId(reference: string): Promise<string | undefined>
  /** The tags of a local image, or undefined when there is no such image. */
  repoTags(reference: string): Promise<string[] | undefined>
  /** Entrypoint and environment of a local image. */
  imageConfig(reference: string): Promise<{ entrypoint: string[]; env: string[] } | undefined>
  pull(reference: string, platform?: string): Promise<RunResult>
  tag(id: string, reference: string): Promise<RunResult>
  /** Removes a tag (never the image by force). */
  untag(reference: string): Promise<RunResult>
  /** `docker run --rm [flags] image [args]`. */
  run(
    image: string,
    args: readonly string[],
    flags?: readonly string[],
    echo?: boolean
  ): Promise<RunResult>
}

/** The docker CLI on the runner's PATH. */
export class DockerCli implements Docker {
  private answer?: Promise<string | undefined>

  constructor(private readonly bin = 'docker') {}

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

  async securityOptions(): Promise<string[]> {
    const result = await run(this.bin, ['info', '--format', '{{json .SecurityOptions}}'])
    try {
      return result.code === 0 ? ((JSON.parse(result.stdout) as string[]) ?? []) : []
    } catch {
      return []
    }
  }

  async imageId(reference: string): Promise<string | undefined> {
    const result = await run(this.bin, ['image', 'inspect', '--format', '{{.Id}}', reference])
    return result.code === 0 ? result.stdout.trim() : undefined
  }

  async repoTags(reference: string): Promise<string[] | undefined> {
    const result = await run(this.bin, [
      'image',
      'inspect',
      '--format',
      '{{json .RepoTags}}',
      reference
    ])
    if (result.code !== 0) return undefined
    try {
      return (JSON.parse(result.stdout) as string[] | null) ?? []
    } catch {
      return undefined
    }
  }

  async imageConfig(
    reference: string
  ): Promise<{ entrypoint: string[]; env: string[] } | undefined> {
    const result = await run(this.bin, [
      'image',
      'inspect',
      '--format',
      '{{json .Config.Entrypoint}}\t{{json .Config.Env}}',
      reference
    ])
    if (result.code !== 0) return undefined
    const [entrypoint, env] = result.stdout.trim().split('\t')
    const list = (text: string | undefined): string[] => {
      try {
        return (JSON.parse(text ?? 'null') as string[] | null) ?? []
      } catch {
        return []
      }
    }
    return { entrypoint: list(entrypoint), env: list(env) }
  }

  pull(reference: string, platform?: string): Promise<RunResult> {
    const args = platform ? ['pull', '--platform', platform, reference] : ['pull', reference]
    return run(this.bin, args, { echo: true })
  }

  tag(id: string, reference: string): Promise<RunResult> {
    return run(this.bin, ['image', 'tag', id, reference])
  }

  untag(reference: string): Promise<RunResult> {
    return run(this.bin, ['image', 'rm', '--no-prune', reference])
  }

  run(
    image: string,
    args: readonly string[],
    flags: readonly string[] = [],
    echo = false
  ): Promise<RunResult> {
    return run(this.bin, ['run', '--rm', ...flags, image, ...args], { echo })
  }
}
