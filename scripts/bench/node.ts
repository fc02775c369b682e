// The Node binaries the bench compares (Node 24 from npm runs the action, as on GitHub; this
// machine's node for the bare-node row) and the description of the machine for the report.
import { spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, readFileSync } from 'node:fs'
import { homedir } from 'node:os'
import { dirname, join } from 'node:path'
import { log } from './context.js'

/**
 * Where .ci/run and the bench install Node 24 from npm: this user's own cache, never a fixed name
 * under /tmp (another local user could create it first and have root run their "node").
 */
const PREFIXES = [
  join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'setup-cross-arch', 'node24')
]

export function nodeVersion(bin: string): string | undefined {
  const r = spawnSync(bin, ['--version'], { encoding: 'utf8', timeout: 30_000 })
  return r.status === 0 ? r.stdout.trim() : undefined
}

/** Node 24: BENCH_NODE24, E2E_NODE, an npm-installed one, else installed now; else this node. */
export function findNode24(notes: string[]): string {
  const candidates = [
    process.env.BENCH_NODE24,
    process.env.E2E_NODE,
    ...PREFIXES.map(p => join(p, 'node_modules/.bin/node'))
  ]
  const found = (): string | undefined =>
    candidates.find(c => c && existsSync(c) && /^v24\./.test(nodeVersion(c) ?? ''))
  let bin = found()
  if (!bin) {
    log(`no Node 24 found: npm i --no-save --prefix ${PREFIXES[0]} node@24`)
    mkdirSync(dirname(PREFIXES[0]), { recursive: true, mode: 0o700 })
    const r = spawnSync(
      'npm',
      ['i', '--no-save', '--no-audit', '--no-fund', '--prefix', PREFIXES[0], 'node@24'],
      {
        stdio: 'inherit',
        timeout: 300_000
      }
    )
    if (r.status !== 0) log(`npm i node@24 failed (exit ${r.status})`)
    bin = found()
  }
  if (bin) return bin
  notes.push(
    `Node 24 could not be installed (npm i --prefix ${PREFIXES[0]} node@24), so the action ` +
      `ran on this machine's Node ${process.version}: not what GitHub runs.`
  )
  return process.execPath
}

export function sh(cmd: string, args: string[]): string {
  const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: 30_000 })
  return r.status === 0 ? r.stdout.trim() : `(${cmd} failed)`
}

export interface Machine {
  cpus: string
  model: string
  mem: string
  kernel: string
  os: string
  node24?: string
  node20?: string
  docker: string
  dockerClient: string
  qemu: string
  dpkgArches: number
}

export function describeMachine(node24: string, node20: string): Machine {
  const cpuinfo = readFileSync('/proc/cpuinfo', 'utf8')
  const model = /^model name\s*:\s*(.*)$/m.exec(cpuinfo)?.[1] ?? '(unknown CPU)'
  const mem = /^Mem:\s+(\d+)/m.exec(sh('free', ['-g']))?.[1] ?? '?'
  const osRelease = readFileSync('/etc/os-release', 'utf8')
  const pretty = /^PRETTY_NAME="?([^"\n]*)"?/m.exec(osRelease)?.[1] ?? 'Linux'
  const debian = existsSync('/etc/debian_version')
    ? readFileSync('/etc/debian_version', 'utf8').trim()
    : ''
  return {
    cpus: sh('nproc', []),
    model,
    mem: `${mem} GB`,
    kernel: sh('uname', ['-r']),
    os: debian ? `${pretty} (${debian})` : pretty,
    node24: nodeVersion(node24),
    node20: nodeVersion(node20),
    docker: sh('docker', ['version', '-f', '{{.Server.Version}}']),
    dockerClient: sh('docker', ['version', '-f', '{{.Client.Version}}']),
    qemu: sh('/usr/bin/qemu-aarch64-static', ['--version']).split('\n')[0],
    dpkgArches: 1 + sh('dpkg', ['--print-foreign-architectures']).split('\n').filter(Boolean).length
  }
}
