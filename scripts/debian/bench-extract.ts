/**
 * Times unpacking ./usr/bin/qemu-{aarch64,riscv64,s390x} from a real qemu-user .deb (run through
 * scripts/debian/bench.sh, which compiles this first so no run pays for a TypeScript loader):
 *
 *   bench-extract bench DEB [--rounds N]       the comparison below, interleaved, medians
 *   bench-extract file  DEB OUT [--threads N] [--all]   one extraction from disk
 *   bench-extract http  URL OUT [--threads N] [--all]   one extraction as it downloads
 *
 * bench runs, in each round, one of each: floor (dpkg-deb --fsys-tarfile | tar -x, no hashing),
 * file, http (from a server in this process on 127.0.0.1), file-T1 (xz on one thread) and
 * file-all (also asks for the last file in data.tar, so xz decodes it all: what stopping xz early
 * saves). Rounds interleave the variants so that other load on the machine falls on all of them;
 * the CPU time of each (user + system, all its processes) is reported too, as it depends less on
 * that load than the wall time does.
 */
import { spawn } from 'node:child_process'
import { createReadStream, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs'
import { createServer, get, type IncomingMessage } from 'node:http'
import type { AddressInfo } from 'node:net'
import { loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { extractDeb } from '../../src/installer/deb.js'

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: {
    threads: { type: 'string', default: '0' },
    all: { type: 'boolean', default: false },
    rounds: { type: 'string', default: '5' }
  }
})
const [mode, source, target] = positionals
const CPUS = ['aarch64', 'riscv64', 's390x']
const MEMBERS = CPUS.map(cpu => `./usr/bin/qemu-${cpu}`)
/** The last regular file in qemu-user's data.tar (the symlinks come after it). */
const LAST = './usr/share/qemu/binfmt.d/qemu-xtensaeb.conf'

async function extract(body: AsyncIterable<Uint8Array>, out: string): Promise<void> {
  const members = new Map(MEMBERS.map(path => [path, join(out, path.split('/').pop()!)]))
  if (values.all) members.set(LAST, join(out, 'last'))
  const result = await extractDeb(body, members, { xzThreads: Number(values.threads) })
  console.log(result.sha256)
}

/** Runs argv (no shell) to its end; rejects unless it exits 0. */
function run(argv: string[], stdin?: NodeJS.ReadableStream): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(argv[0], argv.slice(1), {
      stdio: [stdin ? 'pipe' : 'ignore', 'ignore', 'inherit']
    })
    if (stdin) stdin.pipe(child.stdin!)
    child.on('error', reject)
    child.on('close', code =>
      code === 0 ? resolve() : reject(new Error(`${argv[0]} exited ${code}`))
    )
  })
}

/** CPU seconds (user + system) of the children waited for so far: cutime + cstime, Linux only. */
function childCpu(): number {
  const fields = readFileSync('/proc/self/stat', 'utf8').split(') ')[1].split(' ')
  return (Number(fields[13]) + Number(fields[14])) / 100
}

async function bench(deb: string, rounds: number): Promise<void> {
  const size = statSync(deb).size
  const server = createServer((_req, res) => {
    res.writeHead(200, { 'content-length': size })
    createReadStream(deb).pipe(res)
  })
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/qemu-user.deb`
  const self = process.argv[1]
  const variants: Record<string, (out: string) => Promise<void>> = {
    floor: async out => {
      const dpkg = spawn('dpkg-deb', ['--fsys-tarfile', deb], {
        stdio: ['ignore', 'pipe', 'inherit']
      })
      const dpkgDone = new Promise<void>((resolve, reject) =>
        dpkg.on('close', code =>
          code === 0 ? resolve() : reject(new Error(`dpkg-deb exited ${code}`))
        )
      )
      await Promise.all([run(['tar', '-x', '-C', out, ...MEMBERS], dpkg.stdout), dpkgDone])
    },
    file: out => run([process.execPath, self, 'file', deb, out]),
    http: out => run([process.execPath, self, 'http', url, out]),
    'file-T1': out => run([process.execPath, self, 'file', deb, out, '--threads', '1']),
    'file-all': out => run([process.execPath, self, 'file', deb, out, '--all'])
  }
  const times: Record<string, number[]> = {}
  const cpu: Record<string, number[]> = {}
  for (let round = 0; round <= rounds; round++) {
    const line: string[] = []
    for (const [name, variant] of Object.entries(variants)) {
      const out = mkdtempSync(join(tmpdir(), 'bench-extract-'))
      const [start, startCpu] = [performance.now(), childCpu()]
      await variant(out)
      const seconds = (performance.now() - start) / 1000
      const cpuSeconds = childCpu() - startCpu
      rmSync(out, { recursive: true, force: true })
      if (round > 0) {
        ;(times[name] ??= []).push(seconds)
        ;(cpu[name] ??= []).push(cpuSeconds)
      }
      line.push(`${name} ${seconds.toFixed(2)} (cpu ${cpuSeconds.toFixed(2)})`)
    }
    const load = loadavg()[0].toFixed(1)
    console.log(`${round === 0 ? 'warm-up' : `round ${round}`}: ${line.join('  ')}  (load ${load})`)
  }
  server.close()
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]
  const floor = median(times.floor)
  for (const [name, xs] of Object.entries(times))
    console.log(
      `${name.padEnd(9)} median ${median(xs).toFixed(3)} s  min ${Math.min(...xs).toFixed(3)} s  ` +
        `${(median(xs) / floor).toFixed(2)}x floor  cpu median ${median(cpu[name]).toFixed(2)} s`
    )
}

if (mode === 'bench') {
  await bench(source, Number(values.rounds))
} else if (mode === 'file') {
  await extract(createReadStream(source), target)
} else if (mode === 'http') {
  const response = await new Promise<IncomingMessage>((resolve, reject) =>
    get(source, resolve).on('error', reject)
  )
  if (response.statusCode !== 200) throw new Error(`${source}: HTTP ${response.statusCode}`)
  await extract(response, target)
} else {
  console.error('usage: bench-extract bench DEB | file DEB OUT | http URL OUT')
  process.exit(2)
}
