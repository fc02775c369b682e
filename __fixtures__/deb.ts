/**
 * Debian packages built for tests: `ar` written here, tar by the system's tar, xz by the system's
 * xz (nothing from the action's own extractor).
 */
import { execFileSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { linkSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import * as os from 'node:os'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'

export const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex')
const made: string[] = []
export const tmp = (prefix = 'deb-test-') => {
  const dir = mkdtempSync(join(os.tmpdir(), prefix))
  made.push(dir)
  return dir
}
/** Removes every directory tmp() made (call from afterAll). */
export function removeTemps(): void {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true })
}

export function arMember(name: string, data: Buffer): Buffer {
  const header =
    name.padEnd(16) +
    '0'.padEnd(12) +
    '0'.padEnd(6) +
    '0'.padEnd(6) +
    '100644'.padEnd(8) +
    String(data.length).padEnd(10) +
    '`\n'
  return Buffer.concat([
    Buffer.from(header, 'latin1'),
    data,
    data.length % 2 ? Buffer.from('\n') : Buffer.alloc(0)
  ])
}

export function ar(members: [string, Buffer][]): Buffer {
  return Buffer.concat([
    Buffer.from('!<arch>\n'),
    ...members.map(([name, data]) => arMember(name, data))
  ])
}

export const xz = (data: Buffer) => execFileSync('xz', ['-c', '-0', '-T1'], { input: data })

export function deb(dataTar: Buffer, name = 'data.tar.xz', extra: [string, Buffer][] = []): Buffer {
  const control = xz(systemTar(tree({ control: 'Package: test\n' }), ['./control']))
  const data = name.endsWith('.xz')
    ? xz(dataTar)
    : name.endsWith('.gz')
      ? gzipSync(dataTar)
      : dataTar
  return ar([
    ['debian-binary', Buffer.from('2.0\n')],
    ['control.tar.xz', control],
    [name, data],
    ...extra
  ])
}

/** Files (string or Buffer contents) and symlinks ({ link }) under a new directory. */
export function tree(
  entries: Record<string, string | Buffer | { link: string } | { hard: string }>
) {
  const root = tmp('deb-tree-')
  for (const [path, content] of Object.entries(entries)) {
    const full = join(root, path)
    mkdirSync(join(full, '..'), { recursive: true })
    if (typeof content === 'object' && 'link' in content) symlinkSync(content.link, full)
    else if (typeof content === 'object' && 'hard' in content)
      linkSync(join(root, content.hard), full)
    else writeFileSync(full, content)
  }
  return root
}

/** The system's tar of `paths` (in that order, no recursion) under `root`. */
export function systemTar(root: string, paths: string[], format = 'gnu'): Buffer {
  return execFileSync(
    'tar',
    [
      `--format=${format}`,
      '--owner=0',
      '--group=0',
      '--numeric-owner',
      '--no-recursion',
      '-C',
      root,
      '-cf',
      '-',
      ...paths
    ],
    { maxBuffer: 64 << 20 }
  )
}
