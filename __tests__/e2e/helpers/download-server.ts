// A loopback stand-in for the multiarch/qemu-user-static release downloads: serves Debian's
// /usr/bin/qemu-<cpu>-static under the upstream asset path /v<version>/qemu-<cpu>-static.
import { createReadStream, existsSync, statSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'

export interface DownloadServer {
  /** The action's download-url input: http://127.0.0.1:PORT/v{version}/qemu-{cpu}-static */
  urlTemplate: string
  port: number
  /** Paths requested so far, in order (every method, every answer). */
  requests: string[]
  /** Answer 404 to everything (true) or to these paths only. */
  notFound: boolean | Set<string>
  close(): Promise<void>
}

export async function startDownloadServer(qemuDir = '/usr/bin'): Promise<DownloadServer> {
  const state = { requests: [] as string[], notFound: false as boolean | Set<string> }
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0]
    state.requests.push(path)
    const m = /^\/v([0-9A-Za-z._-]+)\/qemu-([0-9a-z_]+)-static$/.exec(path)
    const file = m ? `${qemuDir}/qemu-${m[2]}-static` : undefined
    const denied =
      state.notFound === true || (state.notFound instanceof Set && state.notFound.has(path))
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405).end()
    } else if (denied || file === undefined || !existsSync(file)) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('Not Found\n')
    } else {
      res.writeHead(200, {
        'content-type': 'application/octet-stream',
        'content-length': statSync(file).size
      })
      if (req.method === 'HEAD') res.end()
      else createReadStream(file).pipe(res)
    }
  })
  await new Promise<void>(ok => server.listen(0, '127.0.0.1', ok))
  const port = (server.address() as AddressInfo).port
  return {
    urlTemplate: `http://127.0.0.1:${port}/v{version}/qemu-{cpu}-static`,
    port,
    get requests() {
      return state.requests
    },
    get notFound() {
      return state.notFound
    },
    set notFound(v: boolean | Set<string>) {
      state.notFound = v
    },
    close: () =>
      new Promise<void>(ok => {
        server.closeAllConnections()
        server.close(() => ok())
      })
  }
}
