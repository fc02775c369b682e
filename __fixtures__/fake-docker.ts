/**
 * A Docker engine for unit tests, over a FakeKernel: a registry to pull from, a local image store
 * with tags, and containers that do what the real images do to binfmt_misc:
 *
 * - a multiarch/qemu-user-static-style image (entrypoint /register, busybox shell): its shell runs
 *   whatever `sh -c` is given (the fake understands the two programs the action passes: the
 *   emulator check, and one kernel op per argument, R/D/E/Z/X), and `/register --reset -p yes`
 *   resets every qemu-* entry, then registers every emulator it carries;
 * - a tonistiigi/binfmt-style image (entrypoint /usr/bin/binfmt, no shell): --install, --uninstall,
 *   --version, JSON status; exits 0 even when an install fails;
 * - a verify image: `uname -m` prints the machine of the variant pulled.
 *
 * The registrars' tables are written here from the real images' sources (QEMU's
 * qemu-binfmt-conf.sh, tonistiigi/binfmt's config.go), not taken from the action.
 */
import type { Docker } from '../src/tools/docker.js'
import type { RunResult } from '../src/model.js'
import { FakeKernel } from './fake-kernel.js'

const ELF = '\\x7fELF'
/** cpu → [docker arch, family, magic after \x7fELF, mask] */
const TABLE: Record<string, [string, string, string, string]> = {
  aarch64: [
    'arm64',
    'arm',
    '\\x02\\x01\\x01\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x02\\x00\\xb7\\x00',
    '\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\x00\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xfe\\xff\\xff\\xff'
  ],
  arm: [
    'arm',
    'arm',
    '\\x01\\x01\\x01\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x02\\x00\\x28\\x00',
    '\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\x00\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xfe\\xff\\xff\\xff'
  ],
  ppc64le: [
    'ppc64le',
    'ppcle',
    '\\x02\\x01\\x01\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x02\\x00\\x15\\x00',
    '\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\x00\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xfe\\xff\\xff\\x00'
  ],
  s390x: [
    's390x',
    's390x',
    '\\x02\\x02\\x01\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x02\\x00\\x16',
    '\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\x00\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xfe\\xff\\xff'
  ],
  riscv64: [
    'riscv64',
    'riscv64',
    '\\x02\\x01\\x01\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x02\\x00\\xf3\\x00',
    '\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\x00\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xfe\\xff\\xff\\xff'
  ],
  i386: [
    '386',
    'i386',
    '\\x01\\x01\\x01\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x02\\x00\\x03\\x00',
    '\\xff\\xff\\xff\\xff\\xff\\xfe\\xfe\\x00\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xfe\\xff\\xff\\xff'
  ],
  x86_64: [
    'amd64',
    'i386',
    '\\x02\\x01\\x01\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x02\\x00\\x3e\\x00',
    '\\xff\\xff\\xff\\xff\\xff\\xfe\\xfe\\x00\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xfe\\xff\\xff\\xff'
  ],
  mips64el: [
    'mips64le',
    'mips',
    '\\x02\\x01\\x01\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x02\\x00\\x08\\x00',
    '\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\x00\\x00\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xfe\\xff\\xff\\xff'
  ],
  loongarch64: [
    'loong64',
    'loongarch',
    '\\x02\\x01\\x01\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x02\\x00\\x02\\x01',
    '\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xfc\\x00\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xfe\\xff\\xff\\xff'
  ]
}

export interface FakeImage {
  readonly id: string
  readonly entrypoint: string[]
  readonly env?: string[]
  /** Files in the image (emulators). */
  readonly files?: readonly string[]
  /** For a verify image: what `uname -m` prints in it. */
  readonly machine?: string
  /**
   * For a verify image built for a foreign CPU: its programs run only through the kernel's
   * enabled `qemu-<cpu>` handler (exec format error without one; with one lacking F, its
   * interpreter is not in the container's filesystem).
   */
  readonly emulatedBy?: string
  /** QEMU version its emulators print. */
  readonly qemu?: string
}

/** A finished process, as docker run hands it back. */
export const ran = (code: number, stdout = '', stderr = ''): RunResult => ({
  code,
  signal: null,
  stdout,
  stderr
})

/** `docker run` options the action may pass, with the values the CLI accepts (undefined: any). */
const RUN_FLAGS: Record<string, readonly string[] | undefined | false> = {
  '--privileged': false,
  '--rm': false,
  '--network': ['none', 'host', 'bridge'],
  '--pull': ['never', 'missing', 'always'],
  '--entrypoint': undefined,
  '--volume': undefined,
  '--platform': undefined
}

/** What the docker CLI says about options it does not take, as it would (exit 125). */
function badRunFlag(flags: readonly string[]): string | undefined {
  for (let i = 0; i < flags.length; i++) {
    const flag = flags[i]
    if (!(flag in RUN_FLAGS)) return `unknown flag: ${flag}\nSee 'docker run --help'.`
    const values = RUN_FLAGS[flag]
    if (values === false) continue
    const value = flags[++i]
    if (value === undefined || value === '') return `flag needs an argument: ${flag}`
    if (values && !values.includes(value)) return `invalid argument "${value}" for "${flag}" flag`
  }
  return undefined
}

export class FakeDocker implements Docker {
  /** What a pull finds: reference → image, or platform → image for a multi-arch reference. */
  readonly registry = new Map<string, FakeImage | Record<string, FakeImage>>()
  /** Local tags: reference → image ID. */
  readonly tags = new Map<string, string>()
  /** Local images by ID. */
  readonly images = new Map<string, FakeImage>()
  readonly calls: string[][] = []
  answering: string | undefined = undefined
  security: string[] = ['name=seccomp,profile=builtin']
  /** Whether privileged containers are refused (as on hosts whose runc cannot apply all caps). */
  refusePrivileged = false

  constructor(readonly kernel: FakeKernel = new FakeKernel()) {}

  /** An image in the local store under a tag, as after a pull. */
  load(reference: string, image: FakeImage): this {
    this.images.set(image.id, image)
    this.tags.set(reference, image.id)
    return this
  }

  async whyNotAnswering(): Promise<string | undefined> {
    this.calls.push(['version'])
    return this.answering
  }

  async securityOptions(): Promise<string[]> {
    return this.security
  }

  private resolve(reference: string): FakeImage | undefined {
    const id = this.tags.get(reference) ?? reference
    return this.images.get(id)
  }

  async imageId(reference: string): Promise<string | undefined> {
    return this.resolve(reference)?.id
  }

  async repoTags(reference: string): Promise<string[] | undefined> {
    const image = this.resolve(reference)
    if (!image) return undefined
    return [...this.tags].filter(([, id]) => id === image.id).map(([tag]) => tag)
  }

  async imageConfig(reference: string) {
    const image = this.resolve(reference)
    return image ? { entrypoint: image.entrypoint, env: image.env ?? [] } : undefined
  }

  async pull(reference: string, platform?: string): Promise<RunResult> {
    this.calls.push(['pull', ...(platform ? ['--platform', platform] : []), reference])
    const found = this.registry.get(reference)
    if (!found) return ran(1, '', `Error response from daemon: manifest for ${reference} not found`)
    const image =
      'id' in found
        ? (found as FakeImage)
        : (found as Record<string, FakeImage>)[platform ?? 'linux/amd64']
    if (!image)
      return ran(1, '', `no matching manifest for ${platform} in the manifest list entries`)
    this.load(reference, image)
    return ran(0, `Status: Downloaded newer image for ${reference}`)
  }

  async tag(id: string, reference: string): Promise<RunResult> {
    this.calls.push(['tag', id, reference])
    this.tags.set(reference, id)
    return ran(0)
  }

  async untag(reference: string): Promise<RunResult> {
    this.calls.push(['rmi', reference])
    const id = this.tags.get(reference)
    if (id) {
      this.tags.delete(reference)
      // the last tag gone, the image goes too
      if (![...this.tags.values()].includes(id)) this.images.delete(id)
      return ran(0)
    }
    if (!this.images.has(reference)) return ran(1, '', `No such image: ${reference}`)
    if ([...this.tags.values()].includes(reference))
      return ran(1, '', 'conflict: unable to delete (must be forced)')
    this.images.delete(reference)
    return ran(0)
  }

  /** What `docker run` printed to the job's log (runs with echo): the user sees it. */
  readonly echoed: string[] = []

  async run(
    reference: string,
    args: readonly string[],
    flags: readonly string[] = [],
    echo = false
  ): Promise<RunResult> {
    const r = this.execute(reference, args, flags)
    if (echo) this.echoed.push(...`${r.stdout}${r.stderr}`.split('\n').filter(Boolean))
    return r
  }

  private execute(reference: string, args: readonly string[], flags: readonly string[]): RunResult {
    this.calls.push(['run', ...flags, reference, ...args])
    const bad = badRunFlag(flags)
    if (bad) return ran(125, '', bad)
    const image = this.resolve(reference)
    if (!image) return ran(125, '', `Unable to find image '${reference}' locally`)
    const privileged = flags.includes('--privileged')
    if (privileged && this.refusePrivileged)
      return ran(126, '', 'unable to apply caps: operation not permitted')
    const at = flags.indexOf('--entrypoint')
    const entrypoint = at >= 0 ? [flags[at + 1]] : image.entrypoint
    const binds = flags
      .map((f, i) => (flags[i - 1] === '--volume' ? f.split(':')[0] : undefined))
      .filter((b): b is string => !!b)
    const files = new Set([...(image.files ?? []), ...binds])
    if (entrypoint[0] === '/bin/sh') return this.shell(image, args, files, privileged)
    if (entrypoint[0] === '/register') return this.register(args, files, privileged)
    if (entrypoint[0] === '/usr/bin/binfmt') return this.binfmt(image, args, files, privileged)
    if (args[0] === 'uname') {
      if (image.emulatedBy) {
        const handler = this.kernel
          .listNow()
          .find(e => e.name === `qemu-${image.emulatedBy}` && e.enabled)
        if (!handler) return ran(255, '', 'exec /bin/uname: exec format error')
        if (!handler.flags.includes('F') && !files.has(handler.interpreter))
          return ran(255, '', 'exec /bin/uname: no such file or directory')
      }
      return ran(0, `${image.machine ?? 'x86_64'}\n`)
    }
    if (entrypoint[0]?.startsWith('/usr/bin/qemu-') && args[0] === '--version')
      return ran(0, `qemu-x version ${image.qemu ?? '7.2.0'}\n`)
    return ran(127, '', `exec: ${entrypoint[0]}: not found`)
  }

  private withFiles<T>(files: Set<string>, fn: () => T): T {
    const before = this.kernel.exists
    this.kernel.exists = path => files.has(path)
    try {
      return fn()
    } finally {
      this.kernel.exists = before
    }
  }

  private shell(
    image: FakeImage,
    args: readonly string[],
    files: Set<string>,
    privileged: boolean
  ): RunResult {
    if (!image.entrypoint.includes('/register'))
      return ran(127, '', 'exec: "/bin/sh": stat /bin/sh: no such file or directory')
    // sh takes `-c SCRIPT NAME ARGS...`; anything else is a script file it cannot open
    if (args[0] !== '-c') return ran(2, '', `sh: 0: cannot open ${args[0]}: No such file`)
    const [, script, , ...ops] = args
    if (!script.includes('binfmt_misc')) {
      const missing = ops
        .filter(p => !files.has(p))
        .map(p => `missing ${p}\n`)
        .join('')
      return ran(0, `${missing}qemu-x version ${image.qemu ?? '7.2.0'}\n`)
    }
    if (!privileged) return ran(2, '', 'mount: permission denied (are you root?)')
    for (const op of ops) {
      if (op.startsWith('X') && !files.has(op.slice(1))) return ran(3, '', `missing ${op.slice(1)}`)
    }
    let out = ''
    let n = 0
    for (const op of ops.filter(o => !o.startsWith('X'))) {
      try {
        this.withFiles(files, () => {
          const rest = op.slice(1)
          if (op[0] === 'R') this.kernel.register(rest)
          else this.kernel.control(rest, op[0] === 'D' ? '-1' : op[0] === 'E' ? '1' : '0')
        })
      } catch (error) {
        return ran(4, out, `cat: write error: ${(error as Error).message}\nop ${n} failed`)
      }
      n++
      out += `done ${n}\n`
    }
    return ran(0, out)
  }

  private register(args: readonly string[], files: Set<string>, privileged: boolean): RunResult {
    if (!privileged) return ran(1, '', 'mount: permission denied')
    let out = ''
    if (args[0] === '--reset') {
      for (const name of this.kernel.names().filter(n => n.startsWith('qemu-')))
        this.kernel.control(name, '-1')
    }
    const persistent = args[args.indexOf('-p') + 1] === 'yes'
    const credential = args.includes('--credential')
    const flags = `${credential ? 'OC' : ''}${persistent ? 'F' : ''}`
    for (const [cpu, [, family, magic, mask]] of Object.entries(TABLE)) {
      const qemu = `/usr/bin/qemu-${cpu}-static`
      if (family === 'i386' || !files.has(qemu)) continue
      out += `Setting ${qemu} as binfmt interpreter for ${cpu}\n`
      try {
        this.withFiles(files, () =>
          this.kernel.register(`:qemu-${cpu}:M::${ELF}${magic}:${mask}:${qemu}:${flags}`)
        )
      } catch (error) {
        out += `cat: write error: ${(error as Error).message}\n`
      }
    }
    return ran(0, out)
  }

  private binfmt(
    image: FakeImage,
    args: readonly string[],
    files: Set<string>,
    privileged: boolean
  ): RunResult {
    const option = (name: string): string[] => {
      const i = args.indexOf(name)
      return i >= 0 ? args[i + 1].split(',') : []
    }
    if (args.includes('--version'))
      return ran(0, '', `binfmt/fake qemu/v${image.qemu ?? '10.2.3'} go/1.24\n`)
    let log = ''
    if (!privileged)
      return ran(0, '', 'error: cannot mount binfmt_misc filesystem: operation not permitted\n')
    for (const name of option('--uninstall')) {
      const entry = this.kernel.names().find(n => n === name || n.endsWith(`-${name}`))
      if (entry) this.kernel.control(entry, '-1')
      log += `uninstalling: ${name} ${entry ? 'OK' : 'not found'}\n`
    }
    const preserve = (image.env ?? []).some(e => /^QEMU_PRESERVE_ARGV0=./.test(e))
    for (const arch of option('--install')) {
      const cpu = Object.keys(TABLE).find(c => TABLE[c][0] === arch)
      if (!cpu) {
        log += `installing: ${arch} unsupported architecture: ${arch}\n`
        continue
      }
      const [, , magic, mask] = TABLE[cpu]
      const qemu = `/usr/bin/qemu-${cpu}`
      try {
        this.withFiles(files, () =>
          this.kernel.register(
            `:qemu-${cpu}:M:0:${ELF}${magic}:${mask}:${qemu}:CF${preserve ? 'P' : ''}`
          )
        )
        log += `installing: ${arch} OK\n`
      } catch (error) {
        log += `installing: ${arch} cannot register "${qemu}": ${(error as Error).message}\n`
      }
    }
    const status = JSON.stringify(
      { supported: ['linux/amd64'], emulators: this.kernel.names() },
      null,
      2
    )
    return ran(0, `${status}\n`, log)
  }
}

/** Emulator paths of a multiarch/qemu-user-static-style image carrying these CPUs. */
export const multiarchFiles = (...cpus: string[]): string[] =>
  cpus.map(c => `/usr/bin/qemu-${c}-static`)
/** Emulator paths of a tonistiigi/binfmt-style image carrying these CPUs. */
export const binfmtFiles = (...cpus: string[]): string[] => cpus.map(c => `/usr/bin/qemu-${c}`)
