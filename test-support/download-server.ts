// A loopback stand-in for the hosts the action downloads from, on 127.0.0.1:<random port>:
// - the multiarch/qemu-user-static release assets, `/v<version>/qemu-<cpu>-static`, served from a
//   directory of `qemu-<cpu>-static` files (Debian's /usr/bin by default);
// - a Debian archive's pool, `/debian/pool/main/q/qemu/<file>.deb`, served by basename from a
//   directory of .deb files (default /var/cache/cross-arch-e2e/debian; a file apt downloaded as
//   `name_1%3aversion_arch.deb` is served under its pool name `name_version_arch.deb` too), plus
//   files a test registers or overrides (a tampered copy, say).
// Every request is recorded. Switches: 404 for everything or for some paths, or any other status
// for some paths. GET and HEAD, with Content-Length.
import { createReadStream, existsSync, readdirSync, statSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { basename, join } from 'node:path'
import { DEBIAN_DEB_DIR } from './env.js'

export const DEBIAN_POOL = '/debian/pool/main/q/qemu/'

export interface ServedRequest {
  method: string
  path: string
  status: number
  /** Body bytes sent. */
  bytes: number
}

export interface DownloadServerOptions {
  /** Directory of `qemu-<cpu>-static` files (default /usr/bin). */
  qemuDir?: string
  /** Directory of .deb files for the pool (default $E2E_CACHE_DIR/debian). */
  debDir?: string
}

/** A file registered by a test: its bytes, or a file to stream. */
export type ServedFile = Buffer | { path: string }

export interface DownloadServer {
  port: number
  /** http://127.0.0.1:PORT */
  origin: string
  /** The action's download-url for release assets: http://127.0.0.1:PORT/v{version}/qemu-{cpu}-static */
  urlTemplate: string
  /** The Debian archive root: http://127.0.0.1:PORT/debian */
  debianMirror: string
  /** http://127.0.0.1:PORT/debian/pool/main/q/qemu/qemu-user_{version}_{arch}.deb (no epoch) */
  debTemplate: string
  /** The URL of one pool file. */
  debUrl(file: string): string
  /** Paths requested so far, in order (every method, every answer). */
  readonly requests: string[]
  /** Every request with its method, status and body bytes. */
  readonly log: ServedRequest[]
  /** Answer 404 to everything (true) or to these paths only. */
  notFound: boolean | Set<string>
  /** Answer these paths with this status (and a short text body) instead. */
  readonly statusFor: Map<string, number>
  /**
   * Serves `file` at a path: a pool file name (`qemu-user_..._amd64.deb`, served under the pool)
   * or an absolute URL path (`/v7.2.0-1/qemu-aarch64-static`). Replaces what was served there.
   */
  addFile(nameOrPath: string, file: ServedFile): void
  /** The .deb file names the pool serves (directory and registered ones). */
  debFiles(): string[]
  close(): Promise<void>
}

/** Pool name of an apt-downloaded file: `%3a` (the epoch's colon) and the epoch dropped. */
const poolName = (file: string): string => file.replace(/_\d+%3a/i, '_')

export async function startDownloadServer(
  options: string | DownloadServerOptions = {}
): Promise<DownloadServer> {
  const opts = typeof options === 'string' ? { qemuDir: options } : options
  const qemuDir = opts.qemuDir ?? '/usr/bin'
  const debDir = opts.debDir ?? DEBIAN_DEB_DIR
  const requests: string[] = []
  const log: ServedRequest[] = []
  const extra = new Map<string, ServedFile>()
  const statusFor = new Map<string, number>()
  let notFound: boolean | Set<string> = false

  const debsOnDisk = (): Map<string, string> => {
    const found = new Map<string, string>()
    if (!existsSync(debDir)) return found
    for (const name of readdirSync(debDir)) {
      if (!name.endsWith('.deb')) continue
      found.set(name, join(debDir, name))
      found.set(poolName(name), join(debDir, name))
    }
    return found
  }

  /** What a path serves: registered files first, then the directories. */
  const lookup = (path: string): ServedFile | undefined => {
    const registered = extra.get(path)
    if (registered) return registered
    const release = /^\/v([0-9A-Za-z._~+-]+)\/qemu-([0-9a-z_]+)-static$/.exec(path)
    if (release) {
      const file = join(qemuDir, `qemu-${release[2]}-static`)
      return existsSync(file) ? { path: file } : undefined
    }
    if (path.startsWith(DEBIAN_POOL)) {
      const name = path.slice(DEBIAN_POOL.length)
      if (name.includes('/') || !name.endsWith('.deb')) return undefined
      const file = debsOnDisk().get(name)
      return file ? { path: file } : undefined
    }
    return undefined
  }

  const server: Server = createServer((req, res) => {
    const raw = (req.url ?? '/').split('?')[0]
    let path = raw
    try {
      path = decodeURIComponent(raw)
    } catch {
      // served as is
    }
    requests.push(path)
    const entry: ServedRequest = { method: req.method ?? '?', path, status: 0, bytes: 0 }
    log.push(entry)
    const answer = (status: number, body: string): void => {
      entry.status = status
      res.writeHead(status, { 'content-type': 'text/plain', 'content-length': body.length })
      if (req.method === 'HEAD') res.end()
      else {
        entry.bytes = body.length
        res.end(body)
      }
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') return answer(405, 'Method Not Allowed\n')
    const forced = statusFor.get(path)
    if (forced !== undefined) return answer(forced, `status ${forced}\n`)
    const denied = notFound === true || (notFound instanceof Set && notFound.has(path))
    const file = denied ? undefined : lookup(path)
    if (!file) return answer(404, 'Not Found\n')
    const size = Buffer.isBuffer(file) ? file.length : statSync(file.path).size
    entry.status = 200
    res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': size })
    if (req.method === 'HEAD') return void res.end()
    entry.bytes = size
    if (Buffer.isBuffer(file)) res.end(file)
    else createReadStream(file.path).pipe(res)
  })
  await new Promise<void>(ok => server.listen(0, '127.0.0.1', ok))
  const port = (server.address() as AddressInfo).port
  const origin = `http://127.0.0.1:${port}`

  return {
    port,
    origin,
    urlTemplate: `${origin}/v{version}/qemu-{cpu}-static`,
    debianMirror: `${origin}/debian`,
    debTemplate: `${origin}${DEBIAN_POOL}qemu-user_{version}_{arch}.deb`,
    debUrl: file => `${origin}${DEBIAN_POOL}${file}`,
    requests,
    log,
    get notFound() {
      return notFound
    },
    set notFound(v: boolean | Set<string>) {
      notFound = v
    },
    statusFor,
    addFile(nameOrPath, file) {
      extra.set(nameOrPath.startsWith('/') ? nameOrPath : `${DEBIAN_POOL}${nameOrPath}`, file)
    },
    debFiles() {
      const names = new Set([...debsOnDisk().keys()].filter(n => !n.includes('%3a')))
      for (const p of extra.keys()) if (p.startsWith(DEBIAN_POOL)) names.add(basename(p))
      return [...names].sort()
    },
    close: () =>
      new Promise<void>(ok => {
        server.closeAllConnections()
        server.close(() => ok())
      })
  }
}
