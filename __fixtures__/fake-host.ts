/**
 * The rest of the host ports for unit tests: a Host over a FakeKernel, an in-memory lock and
 * shared record with a clock and process table the test controls, and probes whose output the
 * test decides.
 */
import { lookupPlatform, type Platform } from '../src/catalogue.js'
import type { Host } from '../src/host/host.js'
import type { NativeRuns } from '../src/host/native.js'
import { Privilege, type PrivilegeMode } from '../src/host/privilege.js'
import type { Coordination } from '../src/session/coordination.js'
import type { Liveness, SharedState } from '../src/session/record.js'
import type { AsRoot, ProbeRunner, RunResult } from '../src/model.js'
import { FakeKernel } from './fake-kernel.js'

const FAMILY: Record<string, string> = { x86_64: 'i386', aarch64: 'arm' }

export function fakeHost(
  over: {
    machine?: string
    privilege?: PrivilegeMode
    userNamespace?: boolean
    kernel?: FakeKernel
    /** Files on the host (default: none). */
    files?: readonly string[]
  } = {}
): Host & { kernel: FakeKernel } {
  const machine = over.machine ?? 'x86_64'
  const kernel = over.kernel ?? new FakeKernel()
  const platform = lookupPlatform(machine === 'x86_64' ? 'linux/amd64' : 'linux/arm64') as Platform
  return {
    machine,
    platform,
    family: FAMILY[machine],
    privilege: new Privilege(over.privilege ?? 'root'),
    binfmt: kernel,
    direct: kernel,
    userNamespace: over.userNamespace ?? false,
    hasFile: path => (over.files ?? []).includes(path),
    kernel
  }
}

/** A process table and a clock. */
export class FakeLiveness implements Liveness {
  boot = 'boot-1'
  clock = 1_700_000_000_000
  /** pid → start time of running processes. */
  readonly processes = new Map<number, string>()

  started(pid: number): string | undefined {
    return this.processes.get(pid)
  }

  now(): number {
    return this.clock
  }
}

/** The lock and the record in memory: transactions run one at a time, as under flock. */
export class FakeCoordination implements Coordination {
  state: SharedState
  /** Who waited for whom. */
  readonly waits: string[] = []
  /** Who holds the lock (first) and who waits for it. */
  private readonly inLine: string[] = []
  private queue: Promise<unknown> = Promise.resolve()

  constructor(boot = 'boot-1') {
    this.state = { version: 1, boot, mounted: false, baselines: {}, holders: [] }
  }

  async transaction<T>(
    who: string,
    fn: (state: SharedState) => Promise<{ result: T; state: SharedState }>,
    onWait?: (holder: string) => void
  ): Promise<T> {
    const holder = this.inLine[0]
    this.inLine.push(who)
    if (holder) {
      this.waits.push(`${who} waits for ${holder}`)
      onWait?.(holder)
    }
    const run = this.queue.then(async () => {
      try {
        const { result, state } = await fn(this.state)
        this.state = state
        return result
      } finally {
        this.inLine.shift()
      }
    })
    this.queue = run.catch(() => undefined)
    return run
  }
}

/** Probes that print what the test says, per CPU (default: QEMU's machine name for it). */
export class FakeProbes implements ProbeRunner {
  readonly runs: string[] = []
  disposed = false

  constructor(
    readonly outputs: Record<string, Partial<RunResult>> = {},
    private readonly cpus: readonly string[] = [
      'aarch64',
      'arm',
      'ppc64le',
      's390x',
      'riscv64',
      'i386',
      'x86_64',
      'mips64el',
      'mips64'
    ]
  ) {}

  has(cpu: string): boolean {
    return this.cpus.includes(cpu)
  }

  /** Output per CPU; a `<cpu> (chroot)` key, when given, answers the run in the empty chroot. */
  async run(cpu: string, chroot?: AsRoot): Promise<RunResult> {
    const key = `${cpu}${chroot ? ' (chroot)' : ''}`
    this.runs.push(key)
    const given = this.outputs[key] ?? this.outputs[cpu] ?? {}
    return { code: 0, signal: null, stdout: '', stderr: '', ...given }
  }

  async runAll(cpus: readonly string[], chroot?: AsRoot): Promise<Map<string, RunResult>> {
    return new Map(await Promise.all(cpus.map(async c => [c, await this.run(c, chroot)] as const)))
  }

  async dispose(): Promise<void> {
    this.disposed = true
  }
}

/** What family members printed natively earlier in the job, in memory. */
export class FakeNativeRuns implements NativeRuns {
  readonly known = new Map<string, string | null>()

  get(cpu: string): string | null | undefined {
    return this.known.get(cpu)
  }

  set(cpu: string, printed: string | undefined): void {
    this.known.set(cpu, printed ?? null)
  }
}
