import * as core from '@actions/core'
import {
  acceptedNames,
  findEmulator,
  lookupPlatform,
  PLATFORMS,
  type Platform
} from './catalogue.js'
import { Input } from './constants.js'
import { InputError } from './errors.js'
import { DEBIAN_QEMU } from './installer/debian-qemu.js'

const upstreamOf = (version: string): string => /^\d+(?:\.\d+)*/.exec(version)?.[0] ?? version

export type RegistrarChoice = 'auto' | 'container' | 'native' | 'seed' | 'none'
export type InstallChoice = 'auto' | 'apt' | 'download' | 'host' | 'none'
export type VerifyChoice = 'probe' | 'image' | 'true' | 'false'
export type CleanupChoice = 'auto' | 'true' | 'false'
export type CacheChoice = 'auto' | 'true' | 'false'

/** A `download-url` template: one package holding every emulator, or one file per CPU. */
export interface DownloadSource {
  readonly template: string
  readonly kind: 'package' | 'per-cpu'
}

/** Expected SHA-256s from the `checksums` input. */
export interface Checksums {
  /** By package file name (`qemu-user_10.0.13+ds-0+deb13u1_amd64.deb`). */
  readonly packages: ReadonlyMap<string, string>
  /** By emulator CPU, for per-CPU downloads. */
  readonly cpus: ReadonlyMap<string, string>
}

export interface Inputs {
  /** Requested platforms, de-duplicated, in catalogue order. */
  readonly platforms: readonly Platform[]
  readonly registrar: RegistrarChoice
  readonly image: string
  readonly install: InstallChoice
  /** Debian version without its epoch (or a per-CPU release tag). */
  readonly qemuVersion: string
  /** Tried in order. */
  readonly downloadSources: readonly DownloadSource[]
  readonly checksums: Checksums
  readonly reset: boolean
  readonly persistent: boolean
  readonly credential: boolean
  readonly verify: VerifyChoice
  /** Empty: each platform's catalogue default. */
  readonly verifyImage: string
  readonly cleanup: CleanupChoice
  /** Keep downloaded emulators in GitHub's Actions cache (auto: on GitHub-hosted runners). */
  readonly cache: CacheChoice
  /**
   * docker/setup-qemu-action's cache-image (keep the registrar image in GitHub's Actions cache
   * between jobs): accepted, but not implemented yet; the image is pulled as usual.
   */
  readonly cacheImage: boolean
  /**
   * The inputs the workflow gave (non-empty). action.yml has empty defaults, so a default here
   * is never mistaken for a choice: an explicit `image` makes its container the registrar, and
   * a given input the chosen route cannot use is warned about.
   */
  readonly given: ReadonlySet<string>
}

/** The part of @actions/core that reads inputs. */
export interface InputSource {
  getInput(name: string): string
  getMultilineInput(name: string): string[]
}

export const DEFAULT_QEMU_VERSION = '10.0.13+ds-0+deb13u1'
export const DEFAULT_IMAGE = 'multiarch/qemu-user-static:latest'

/** Debian's pool first, then its snapshot archive by content (superseded files leave the pool). */
export const DEFAULT_DOWNLOAD_URLS = [
  'https://deb.debian.org/debian/pool/main/q/qemu/qemu-user_{version}_{arch}.deb',
  'https://snapshot.debian.org/file/{sha1}'
]

/** Reads and checks every input; throws InputError before anything on the machine changes. */
export function readInputs(source: InputSource = core): Inputs {
  const get = (name: string): string => source.getInput(name)
  const given = new Set(Object.values(Input).filter(name => get(name) !== ''))
  const verifyImage = get(Input.VerifyImage)
  return {
    platforms: parsePlatforms(get(Input.Platforms) || 'all'),
    // an image given alone is the registrar, as in docker/setup-qemu-action
    registrar: oneOf(
      Input.Registrar,
      get(Input.Registrar) || (given.has(Input.Image) ? 'container' : 'auto'),
      ['auto', 'container', 'native', 'seed', 'none']
    ),
    image: imageReference(Input.Image, get(Input.Image) || DEFAULT_IMAGE),
    install: oneOf(Input.Install, get(Input.Install) || 'auto', [
      'auto',
      'apt',
      'download',
      'host',
      'none'
    ]),
    qemuVersion: qemuVersion(get(Input.QemuVersion)),
    downloadSources: downloadSources(source.getMultilineInput(Input.DownloadUrl)),
    checksums: parseChecksums(source.getMultilineInput(Input.Checksums)),
    reset: boolean(Input.Reset, get(Input.Reset), true),
    persistent: boolean(Input.Persistent, get(Input.Persistent), true),
    credential: boolean(Input.Credential, get(Input.Credential), true),
    verify: verifyChoice(get(Input.Verify)),
    verifyImage: verifyImage && imageReference(Input.VerifyImage, verifyImage),
    cleanup: oneOf(Input.Cleanup, get(Input.Cleanup) || 'auto', ['auto', 'true', 'false']),
    cache: oneOf(Input.Cache, get(Input.Cache) || 'auto', ['auto', 'true', 'false']),
    cacheImage: boolean(Input.CacheImage, get(Input.CacheImage), true),
    given
  }
}

export function parsePlatforms(text: string): Platform[] {
  const names = text
    .split(/[,\n]/)
    .map(s => s.trim())
    .filter(Boolean)
  if (names.length === 0) {
    throw new InputError(
      Input.Platforms,
      'no platform given',
      'Name one or more, e.g. "linux/arm64,linux/ppc64le", or "all".'
    )
  }
  const wanted = new Set<Platform>()
  const unknown: string[] = []
  for (const name of names) {
    if (name.toLowerCase() === 'all') {
      PLATFORMS.filter(p => p.inAll).forEach(p => wanted.add(p))
      continue
    }
    const platform = lookupPlatform(name)
    if (platform) wanted.add(platform)
    else unknown.push(name)
  }
  if (unknown.length > 0) {
    throw new InputError(
      Input.Platforms,
      `unknown platform ${unknown.map(u => JSON.stringify(u)).join(', ')}`,
      `Accepted: all, ${acceptedNames().join(', ')}.`
    )
  }
  return PLATFORMS.filter(p => wanted.has(p))
}

/** YAML 1.2 core-schema booleans, as @actions/core's getBooleanInput reads them. */
const YAML_TRUE = ['true', 'True', 'TRUE']
const YAML_FALSE = ['false', 'False', 'FALSE']

function boolean(name: string, text: string, fallback: boolean): boolean {
  if (text === '') return fallback
  if (YAML_TRUE.includes(text)) return true
  if (YAML_FALSE.includes(text)) return false
  throw new InputError(name, `${JSON.stringify(text)} is not a boolean`, 'Use true or false.')
}

function oneOf<T extends string>(name: string, text: string, allowed: readonly T[]): T {
  const found = allowed.find(a => a === text.toLowerCase())
  if (!found) {
    throw new InputError(
      name,
      `${JSON.stringify(text)} is not one of ${allowed.join(', ')}`,
      `Use one of: ${allowed.join(', ')}.`
    )
  }
  return found
}

/** probe, image, or a boolean: true is probe, false skips verification. */
function verifyChoice(text: string): VerifyChoice {
  return oneOf(Input.Verify, text || 'probe', ['probe', 'image', 'true', 'false'])
}

/** Docker's reference grammar: [host[:port]/]path[:tag][@digest]. No spaces, no leading dash. */
const COMPONENT = '[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*'
const HOST =
  '(?:(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)(?:\\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*|\\[[0-9a-fA-F:]+\\])(?::[0-9]+)?'
const REFERENCE = new RegExp(
  `^(?:${HOST}/)?${COMPONENT}(?:/${COMPONENT})*(?::[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?(?:@sha256:[0-9a-f]{64})?$`
)

export function imageReference(name: string, text: string): string {
  // Docker limits the name (without tag and digest) to 255 characters
  const repository = text.replace(
    /(?::[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?(?:@sha256:[0-9a-f]{64})?$/,
    ''
  )
  if (repository.length > 255 || !REFERENCE.test(text)) {
    throw new InputError(
      name,
      `${JSON.stringify(text)} is not an image reference`,
      'Use [registry[:port]/]name[:tag][@sha256:digest], e.g. tonistiigi/binfmt:qemu-v10.2.3 or mirror.example.com/multiarch/qemu-user-static.'
    )
  }
  return text
}

/**
 * A Debian version, with or without its epoch (`1:10.0.13+ds-0+deb13u1`), or a release tag. A
 * bare upstream version of a package the action pins (`11`, `11.1`, `11.1.3`) names that package.
 */
export function qemuVersion(text: string): string {
  const value = text || DEFAULT_QEMU_VERSION
  const pinned = DEBIAN_QEMU.find(r => `${upstreamOf(r.version)}.`.startsWith(`${value}.`))
  if (pinned) return pinned.version
  const match = /^(?:\d+:)?([0-9A-Za-z][0-9A-Za-z.+~_-]{0,63})$/.exec(value)
  if (!match) {
    throw new InputError(
      Input.QemuVersion,
      `${JSON.stringify(text)} is not a version`,
      `Use ${DEBIAN_QEMU.map(r => upstreamOf(r.version).split('.')[0]).join(' or ')} (the Debian packages the action pins), a Debian version such as ${DEFAULT_QEMU_VERSION} (an epoch such as "1:" may be given), or a per-CPU release tag such as 7.2.0-1.`
    )
  }
  return match[1]
}

const PLACEHOLDERS = ['{version}', '{arch}', '{cpu}', '{sha1}']

/** Each line of download-url: an http(s) URL template, tried in order. */
export function downloadSources(lines: readonly string[]): DownloadSource[] {
  const templates = lines.map(l => l.trim()).filter(l => l && !l.startsWith('#'))
  return (templates.length > 0 ? templates : DEFAULT_DOWNLOAD_URLS).map(template => {
    const fail = (problem: string): never => {
      throw new InputError(
        Input.DownloadUrl,
        `${JSON.stringify(redactUrl(template))} ${problem}`,
        'Use e.g. https://mirror.example.com/debian/pool/main/q/qemu/qemu-user_{version}_{arch}.deb (one package for every emulator) or https://mirror.example.com/qemu/v{version}/qemu-{cpu}-static (one file per CPU).'
      )
    }
    const unknown = template.match(/\{[^}]*\}/g)?.filter(p => !PLACEHOLDERS.includes(p)) ?? []
    if (unknown.length > 0) fail(`has unknown placeholders ${unknown.join(', ')}`)
    let url: URL
    try {
      url = new URL(PLACEHOLDERS.reduce((t, p) => t.replaceAll(p, 'x'), template))
    } catch {
      return fail('is not a URL')
    }
    if (url.protocol !== 'https:' && url.protocol !== 'http:') fail('is not an http(s) URL')
    const kind =
      url.pathname.endsWith('.deb') || template.includes('{sha1}') ? 'package' : 'per-cpu'
    if (kind === 'per-cpu' && !template.includes('{cpu}'))
      fail('names neither a .deb package nor one file per {cpu}')
    return { template, kind }
  })
}

/** A URL with its credentials (user information, query values) replaced, for messages. */
export function redactUrl(url: string): string {
  return url.replace(USERINFO, '$1***@').replace(/([?&][^=&#]+=)[^&#]*/g, '$1***')
}

/**
 * A URL's user information: everything of its authority (up to the first `/`, `?` or `#`) before
 * the last `@` in it, as WHATWG URL parsing takes it (`user:p@ss@host`: the password is `p@ss`).
 */
const USERINFO = /^([a-z][a-z0-9+.-]*:\/\/)([^/?#]*)@/i

/** A URL part percent-decoded; as it is when it is not valid percent-encoding (`100%`). */
export const percentDecoded = (text: string): string => {
  try {
    return decodeURIComponent(text)
  } catch {
    return text
  }
}

/** The parts of download URLs that are credentials: passwords, user names with them, query values. */
export function urlSecrets(url: string): string[] {
  const secrets: string[] = []
  const userinfo = USERINFO.exec(url)?.[2]
  if (userinfo) {
    secrets.push(userinfo, percentDecoded(userinfo))
    const colon = userinfo.indexOf(':')
    const password = colon < 0 ? '' : userinfo.slice(colon + 1)
    if (password) secrets.push(password, percentDecoded(password))
    else secrets.push(colon < 0 ? userinfo : userinfo.slice(0, colon))
  }
  for (const m of url.matchAll(/[?&][^=&#]+=([^&#]+)/g)) secrets.push(m[1], percentDecoded(m[1]))
  return [...new Set(secrets.filter(s => s.length >= 3))]
}

/**
 * sha256sum lines: `HEX  qemu-user_<version>_<arch>.deb` for a package, `HEX  qemu-<cpu>[-static]`
 * for a per-CPU file. `#` comments and blank lines are ignored, and so are lines for files this
 * action never fetches (other CPUs, tarballs: a whole upstream SHA256SUMS file may be pasted), as
 * `sha256sum --ignore-missing` does; the download still refuses a file without its line.
 */
export function parseChecksums(lines: readonly string[]): Checksums {
  const packages = new Map<string, string>()
  const cpus = new Map<string, string>()
  for (const raw of lines) {
    const line = raw.trim()
    if (!line || line.startsWith('#')) continue
    const match = /^([0-9a-fA-F]{64})\s+\*?(?:.*\/)?([^/]*[^/\s])$/.exec(line)
    if (!match) {
      throw new InputError(
        Input.Checksums,
        `line ${JSON.stringify(line)} is not "SHA256  <file>"`,
        'Paste sha256sum output: one line for a .deb package, or one line per emulator (qemu-<cpu>-static).'
      )
    }
    const [, hex, file] = match
    const cpu = /^qemu-([a-z0-9_]+?)(?:-static)?$/.exec(file)?.[1]
    const table = file.endsWith('.deb') ? packages : cpu && findEmulator(cpu) ? cpus : undefined
    if (!table) continue
    const key = cpu ?? file
    const hash = hex.toLowerCase()
    if (table.has(key) && table.get(key) !== hash) {
      throw new InputError(
        Input.Checksums,
        `${key} has two different checksums`,
        'Keep one line per file.'
      )
    }
    table.set(key, hash)
  }
  return { packages, cpus }
}
