// The e2e bench that scripts/e2e/setup.sh prepares on this machine: where things are, the
// loopback registry's images, the cached static busybox binaries, and small wrappers around
// programs, docker and the host. Shared by the e2e tests, the benchmark and the local scripts.
import { execFile } from 'node:child_process'
import { appendFileSync, existsSync } from 'node:fs'
import { get as httpGet } from 'node:http'
import { dirname, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..')
export const DIST = resolve(ROOT, 'dist/index.js')
export const ACTION_YML = resolve(ROOT, 'action.yml')
export const CACHE_DIR = process.env.E2E_CACHE_DIR ?? '/var/cache/cross-arch-e2e'
export const STATE_DIR = process.env.E2E_STATE_DIR ?? '/var/lib/cross-arch-e2e'
/** Debian .debs served by the download server's pool (e.g. trixie's qemu-user). */
export const DEBIAN_DEB_DIR = `${CACHE_DIR}/debian`

export const REGISTRY = '127.0.0.1:5000'
export const IMAGES = {
  registrar: `${REGISTRY}/e2e/qemu-user-static:latest`,
  registrarNoop: `${REGISTRY}/e2e/registrar-noop:latest`,
  /** The multiarch-style registrar with a broken (non-executable) qemu-s390x-static. */
  registrarBroken: `${REGISTRY}/e2e/registrar-broken:latest`,
  /** A tonistiigi/binfmt-style image (test-support/images/binfmt-standin) with trixie's QEMU. */
  binfmt: `${REGISTRY}/e2e/binfmt:latest`,
  busybox: `${REGISTRY}/e2e/busybox:latest`,
  busyboxLiar: `${REGISTRY}/e2e/busybox-liar:latest`,
  missing: `${REGISTRY}/e2e/does-not-exist:latest`,
  unreachable: '127.0.0.1:5999/x/y'
}

/** Every emulated platform of the e2e busybox image, and what `uname -m` prints there. */
export const BUSYBOX_PLATFORMS: Record<string, string> = {
  'linux/arm64': 'aarch64',
  'linux/arm/v7': 'armv7l',
  'linux/arm/v6': 'armv7l',
  'linux/386': 'i686',
  'linux/ppc64le': 'ppc64le',
  'linux/s390x': 's390x',
  'linux/mips64le': 'mips64'
}

/** Debian architecture of each cached static busybox (scripts/e2e/setup.sh). */
export type DebArch =
  'amd64' | 'arm64' | 'armhf' | 'armel' | 'i386' | 'ppc64el' | 's390x' | 'mips64el'
export const busyboxPath = (arch: DebArch): string => `${CACHE_DIR}/busybox/${arch}/busybox`

export interface ExecResult {
  code: number
  stdout: string
  stderr: string
}

/** Runs a program (no shell), never rejects. */
export function run(
  file: string,
  args: string[],
  opts: { env?: NodeJS.ProcessEnv; timeoutMs?: number; cwd?: string } = {}
): Promise<ExecResult> {
  return new Promise(done => {
    execFile(
      file,
      args,
      {
        env: opts.env ?? process.env,
        cwd: opts.cwd,
        timeout: opts.timeoutMs ?? 120_000,
        maxBuffer: 64 << 20
      },
      (err, stdout, stderr) => {
        const code =
          err === null ? 0 : typeof err.code === 'number' ? err.code : err.killed ? 124 : 127
        done({ code, stdout: String(stdout), stderr: String(stderr) })
      }
    )
  })
}

export const docker = (args: string[], timeoutMs = 120_000): Promise<ExecResult> =>
  run('docker', args, { timeoutMs })

export async function dockerAnswers(): Promise<boolean> {
  return (await docker(['version', '--format', '{{.Server.Version}}'], 15_000)).code === 0
}

export function registryAnswers(): Promise<boolean> {
  return new Promise(resolve => {
    const req = httpGet(`http://${REGISTRY}/v2/`, { timeout: 5000 }, res => {
      res.resume()
      resolve(res.statusCode === 200)
    })
    req.on('timeout', () => req.destroy())
    req.on('error', () => resolve(false))
  })
}

/**
 * `docker run --rm --pull always --platform P IMAGE uname -m`: stdout trimmed, or the failure.
 * Always pulls: engine 20.10 otherwise runs a local image of a merely compatible platform (after
 * linux/arm/v7 was pulled, `--platform linux/arm64` runs that armv7 image and prints armv7l).
 */
export async function dockerUname(platform: string, image = IMAGES.busybox): Promise<string> {
  const r = await docker([
    'run',
    '--rm',
    '--pull',
    'always',
    '--platform',
    platform,
    image,
    'uname',
    '-m'
  ])
  if (r.code !== 0) return `exit ${r.code}: ${r.stderr.trim().split('\n').pop()}`
  return r.stdout.trim()
}

/** Runs a cached static busybox of ARCH directly on the host: `uname -m`, or the failure. */
export async function hostUname(arch: DebArch): Promise<string> {
  const r = await run(busyboxPath(arch), ['uname', '-m'], { timeoutMs: 30_000 })
  if (r.code !== 0) return `exit ${r.code}: ${r.stderr.trim()}`
  return r.stdout.trim()
}

/**
 * Whether this host runs i386 binaries without emulation. Ask while no qemu-i386 handler is
 * registered. GitHub's x86_64 runners do; some VMs (this project's, kernel without working IA32
 * compat) do not, and there linux/386 needs qemu-i386 like any foreign platform.
 */
export async function hostRunsI386Natively(): Promise<boolean> {
  return (await hostUname('i386')) === 'x86_64'
}

/** What is missing for the bench (empty when ready), each with what to do. */
export async function benchProblems(): Promise<string[]> {
  const missing: string[] = []
  if (process.getuid?.() !== 0) missing.push('run as root (the tests change binfmt_misc)')
  if (!existsSync(DIST)) missing.push(`${DIST} is missing: run npm run build`)
  if (!existsSync(busyboxPath('arm64'))) missing.push(`no cached busybox in ${CACHE_DIR}`)
  if (!existsSync('/usr/bin/qemu-aarch64-static')) {
    missing.push('/usr/bin/qemu-*-static missing (qemu-user-static)')
  }
  if (!(await dockerAnswers())) missing.push('no Docker engine answers')
  if (!(await registryAnswers())) missing.push(`no registry answers on ${REGISTRY}`)
  return missing
}

/** Fails early, with what to do, when the bench is not there. */
export async function checkBench(): Promise<void> {
  const missing = await benchProblems()
  if (missing.length > 0) {
    throw new Error(
      `e2e bench not ready: ${missing.join('; ')}. Run the suite with npm run test:e2e ` +
        '(test-support/e2e-run.ts), or bash scripts/e2e/setup.sh first.'
    )
  }
}

/**
 * One line per action run: `[<tag>] <scenario>: <ms> ms` on stdout (tag e2e by default), also
 * appended as JSON to $E2E_TIMINGS_FILE when set.
 */
export function reportTiming(scenario: string, ms: number, tag = 'e2e'): void {
  process.stdout.write(`[${tag}] ${scenario}: ${Math.round(ms)} ms\n`)
  const file = process.env.E2E_TIMINGS_FILE
  if (file) appendFileSync(file, `${JSON.stringify({ scenario, ms: Math.round(ms) })}\n`)
}
