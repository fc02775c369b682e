import { jest } from '@jest/globals'
import { mkdtemp, writeFile, chmod } from 'node:fs/promises'
import * as os from 'node:os'
import { join } from 'node:path'
import type { RunResult } from '../../src/tools/exec.js'

// apt-get cannot run in a unit test; the process boundary (tools/exec) is replaced, and the
// end-to-end bench runs the real apt-get. The emulators it "installs" are real static files.
const calls: string[][] = []
let script: (args: readonly string[]) => RunResult
jest.unstable_mockModule('../../src/tools/exec.js', () => ({
  run: async (file: string, args: readonly string[]) => {
    calls.push([file, ...args])
    return script([file, ...args])
  },
  lastLine: (t: string) => t.trim().split('\n').pop() ?? ''
}))
jest.unstable_mockModule('@actions/io', () => ({
  which: async (tool: string) => (tool === 'apt-get' ? '/usr/bin/apt-get' : '')
}))

const { AptInstaller } = await import('../../src/installer/apt.js')
const { Privilege } = await import('../../src/host/privilege.js')
const { hostPlatform } = await import('../../src/catalogue.js')
const { probeProgram } = await import('../../src/verifier/probe/index.js')

const ok: RunResult = { code: 0, signal: null, stdout: '', stderr: '' }
const platform = hostPlatform(os.machine())!
const host = (mode: 'root' | 'none') =>
  ({
    machine: os.machine(),
    platform,
    family: '',
    privilege: new Privilege(mode),
    binfmt: undefined
  }) as never

let bin: string
beforeEach(async () => {
  calls.length = 0
  bin = await mkdtemp(join(os.tmpdir(), 'apt-bin-'))
  process.env.PATH = `${bin}:/nonexistent`
  for (const cpu of ['aarch64', 's390x']) {
    await writeFile(join(bin, `qemu-${cpu}-static`), probeProgram(platform.cpu))
    await chmod(join(bin, `qemu-${cpu}-static`), 0o755)
  }
})

test('installs qemu-user-static, refreshing the lists once when the first try fails', async () => {
  let tries = 0
  script = args => {
    if (args.includes('--version'))
      return { ...ok, stdout: 'qemu-aarch64 version 8.2.2 (Debian 1:8.2.2+ds-0ubuntu1)\n' }
    if (args.includes('install'))
      return ++tries === 1
        ? { ...ok, code: 100, stderr: 'E: Unable to locate package qemu-user-static' }
        : ok
    return ok
  }
  const done = await new AptInstaller(host('root')).install(['aarch64', 's390x'])
  expect(calls.filter(c => c[0] === 'apt-get').map(c => c.slice(1).join(' '))).toEqual([
    '-q install -y --no-install-recommends qemu-user-static',
    '-q update',
    '-q install -y --no-install-recommends qemu-user-static'
  ])
  expect(done.version).toBe('8.2.2')
  expect(done.source).toBe('apt (qemu-user-static)')
  expect(done.emulators.get('s390x')).toBe(join(bin, 'qemu-s390x-static'))
})

test('falls back to qemu-user where the distro dropped qemu-user-static', async () => {
  script = args =>
    args.includes('qemu-user-static')
      ? { ...ok, code: 100, stderr: 'E: Package qemu-user-static has no installation candidate' }
      : ok
  const done = await new AptInstaller(host('root')).install(['aarch64'])
  expect(done.source).toBe('apt (qemu-user)')
})

test('an emulator the package lacks, and no root, are one-line errors with a remedy', async () => {
  script = () => ok
  // a CPU no package ships, so the answer does not depend on what this machine has in /usr/bin
  await expect(new AptInstaller(host('root')).install(['nosuchcpu'])).rejects.toThrow(
    'qemu-user-static is installed but has no qemu-nosuchcpu emulator. Use install: download for nosuchcpu.'
  )
  await expect(new AptInstaller(host('none')).install(['aarch64'])).rejects.toThrow(
    /^install: apt needs root/
  )
})

test('apt-get failing twice for every name says so', async () => {
  script = args =>
    args.includes('install')
      ? { ...ok, code: 100, stderr: 'E: Could not resolve archive.ubuntu.com' }
      : ok
  await expect(new AptInstaller(host('root')).install(['aarch64'])).rejects.toThrow(
    'apt-get could not install qemu-user-static or qemu-user: E: Could not resolve archive.ubuntu.com. Check the runner can reach its apt sources, or use install: download.'
  )
})
