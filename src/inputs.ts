import * as core from './runner.js'
import { acceptedNames, lookupPlatform, PLATFORMS, type Platform } from './catalogue.js'
import { InputError } from './errors.js'

export type RegistrarChoice = 'auto' | 'container' | 'native' | 'none'
export type InstallChoice = 'auto' | 'apt' | 'download' | 'none'
export type VerifyChoice = 'probe' | 'image' | 'true' | 'false'
export type CleanupChoice = 'auto' | 'true' | 'false'

export interface Inputs {
  /** Requested platforms, de-duplicated, in catalogue order. */
  readonly platforms: readonly Platform[]
  readonly registrar: RegistrarChoice
  readonly image: string
  readonly install: InstallChoice
  readonly qemuVersion: string
  readonly downloadUrl: string
  /** Expected SHA-256 by emulator CPU. */
  readonly checksums: ReadonlyMap<string, string>
  readonly reset: boolean
  readonly persistent: boolean
  readonly credential: boolean
  readonly verify: VerifyChoice
  /** Empty: each platform's catalogue default. */
  readonly verifyImage: string
  readonly cleanup: CleanupChoice
}

/** Reads and checks every input; throws InputError before anything on the machine changes. */
export function readInputs(get: (name: string) => string = name => core.getInput(name)): Inputs {
  return {
    platforms: parsePlatforms(get('platforms')),
    registrar: oneOf('registrar', get('registrar') || 'auto', [
      'auto',
      'container',
      'native',
      'none'
    ]),
    image: imageReference('image', get('image'), false),
    install: oneOf('install', get('install') || 'auto', ['auto', 'apt', 'download', 'none']),
    qemuVersion: qemuVersion(get('qemu-version')),
    downloadUrl: downloadUrl(get('download-url')),
    checksums: parseChecksums(get('checksums')),
    reset: boolean('reset', get('reset'), true),
    persistent: boolean('persistent', get('persistent'), true),
    credential: boolean('credential', get('credential'), false),
    verify: verifyChoice(get('verify')),
    verifyImage: imageReference('verify-image', get('verify-image'), true),
    cleanup: oneOf('cleanup', get('cleanup') || 'auto', ['auto', 'true', 'false'])
  }
}

export function parsePlatforms(text: string): Platform[] {
  const names = text
    .split(/[,\n]/)
    .map(s => s.trim())
    .filter(Boolean)
  if (names.length === 0) {
    throw new InputError(
      'platforms',
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
      'platforms',
      `unknown platform ${unknown.map(u => JSON.stringify(u)).join(', ')}`,
      `Accepted: all, ${acceptedNames().join(', ')}.`
    )
  }
  return PLATFORMS.filter(p => wanted.has(p))
}

const YAML_TRUE = ['true', 'True', 'TRUE']
const YAML_FALSE = ['false', 'False', 'FALSE']

function boolean(name: string, text: string, fallback: boolean): boolean {
  if (text === '') return fallback
  if (YAML_TRUE.includes(text)) return true
  if (YAML_FALSE.includes(text)) return false
  throw new InputError(name, `${JSON.stringify(text)} is not a boolean`, 'Use true or false.')
}

function oneOf<T extends string>(name: string, text: string, allowed: readonly T[]): T {
  const lower = text.toLowerCase()
  const found = allowed.find(a => a === lower)
  if (!found) {
    throw new InputError(
      name,
      `${JSON.stringify(text)} is not one of ${allowed.join(', ')}`,
      `Use one of: ${allowed.join(', ')}.`
    )
  }
  return found
}

function verifyChoice(text: string): VerifyChoice {
  if (text === '') return 'probe'
  if (YAML_TRUE.includes(text)) return 'true'
  if (YAML_FALSE.includes(text)) return 'false'
  return oneOf('verify', text, ['probe', 'image', 'true', 'false'])
}

/** Docker's reference grammar: [host[:port]/]path[:tag][@digest]. No spaces, no leading dash. */
const COMPONENT = '[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*'
const HOST =
  '(?:(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)(?:\\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*|\\[[0-9a-fA-F:]+\\])(?::[0-9]+)?'
const REFERENCE = new RegExp(
  `^(?:${HOST}/)?${COMPONENT}(?:/${COMPONENT})*(?::[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?(?:@sha256:[0-9a-f]{64})?$`
)

export function imageReference(name: string, text: string, optional: boolean): string {
  if (text === '' && optional) return ''
  if (text.length > 255 || !REFERENCE.test(text)) {
    throw new InputError(
      name,
      `${JSON.stringify(text)} is not an image reference`,
      'Use [registry[:port]/]name[:tag][@sha256:digest], e.g. multiarch/qemu-user-static:7.2.0-1 or mirror.example.com/multiarch/qemu-user-static.'
    )
  }
  return text
}

function qemuVersion(text: string): string {
  const value = text || '7.2.0-1'
  if (!/^[0-9A-Za-z][0-9A-Za-z.+_-]{0,63}$/.test(value)) {
    throw new InputError(
      'qemu-version',
      `${JSON.stringify(text)} is not a version`,
      'Use a release tag without the leading v, e.g. 7.2.0-1.'
    )
  }
  return value
}

function downloadUrl(text: string): string {
  const template =
    text ||
    'https://github.com/multiarch/qemu-user-static/releases/download/v{version}/qemu-{cpu}-static'
  let ok = template.includes('{cpu}')
  if (ok) {
    try {
      const url = new URL(template.replaceAll('{version}', '1').replaceAll('{cpu}', 'aarch64'))
      ok = url.protocol === 'https:' || url.protocol === 'http:'
    } catch {
      ok = false
    }
  }
  if (!ok) {
    throw new InputError(
      'download-url',
      `${JSON.stringify(text)} is not an http(s) URL template with {cpu}`,
      'Use e.g. https://mirror.example.com/qemu/v{version}/qemu-{cpu}-static.'
    )
  }
  return template
}

export function parseChecksums(text: string): Map<string, string> {
  const sums = new Map<string, string>()
  for (const raw of text.split('\n')) {
    const line = raw.trim()
    if (!line || line.startsWith('#')) continue
    const match = /^([0-9a-fA-F]{64})\s+\*?(?:.*\/)?qemu-([a-z0-9_]+?)(?:-static)?$/.exec(line)
    if (!match) {
      throw new InputError(
        'checksums',
        `line ${JSON.stringify(line)} is not "SHA256  qemu-<cpu>-static"`,
        'Paste sha256sum output, one emulator a line.'
      )
    }
    sums.set(match[2], match[1].toLowerCase())
  }
  return sums
}
