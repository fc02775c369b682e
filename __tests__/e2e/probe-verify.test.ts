// verify: probe against the real kernel: it proves execution with no Docker, and it fails, naming
// the platform, when a handler is disabled or its interpreter is missing or dynamically linked.
// And each probe, inside the busybox image of its platform, prints what busybox's uname -m prints.
import { describe, expect, it } from '@jest/globals'
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { lookupPlatform } from '../../src/catalogue.js'
import { probeProgram } from '../../src/verifier/probe/index.js'
import {
  BUSYBOX_PLATFORMS,
  clearQemuEntries,
  docker,
  expectFailure,
  expectSuccess,
  IMAGES,
  machines,
  mountBinfmt,
  handBuilt,
  runAction,
  useBench
} from './helpers/index.js'

useBench()
const NO_DOCKER = { DOCKER_HOST: 'unix:///nonexistent.sock' }

describe('verify: probe', () => {
  it('with Docker not answering, passes after native registration and proves F in an empty chroot', async () => {
    const r = await runAction({
      scenario: 'probe after native, no Docker',
      inputs: {
        registrar: 'native',
        install: 'none',
        platforms: 'arm64,riscv64,s390x,mips64le',
        verify: 'probe'
      },
      env: NO_DOCKER
    })
    expectSuccess(r)
    expect(r.outputs.verified).toBe('true')
    expect(machines(r)).toEqual({
      'linux/arm64': 'aarch64',
      'linux/riscv64': 'riscv64',
      'linux/s390x': 's390x',
      'linux/mips64le': 'mips64'
    })
  })

  it('a disabled handler fails naming the platform', async () => {
    mountBinfmt()
    clearQemuEntries()
    handBuilt('aarch64', '/usr/bin/qemu-aarch64-static', 'F', false)
    const r = await runAction({
      scenario: 'probe, disabled handler',
      inputs: { registrar: 'none', platforms: 'linux/arm64', verify: 'probe' },
      env: NO_DOCKER
    })
    expectFailure(r, /linux\/arm64 \(qemu-aarch64\) is disabled/)
  })

  it('a handler whose interpreter does not exist fails naming the platform and the path', async () => {
    mountBinfmt()
    clearQemuEntries()
    handBuilt('s390x', '/opt/nowhere/qemu-s390x-static', '')
    const r = await runAction({
      scenario: 'probe, missing interpreter',
      inputs: { registrar: 'none', platforms: 'linux/s390x', verify: 'probe', persistent: 'false' },
      env: NO_DOCKER
    })
    expectFailure(
      r,
      /linux\/s390x: probe failed: the interpreter \/opt\/nowhere\/qemu-s390x-static of qemu-s390x does not exist/
    )
  })

  it('an F handler whose interpreter is dynamically linked fails where its libraries are absent', async () => {
    mountBinfmt()
    clearQemuEntries()
    // any dynamically linked program stands in for a non-static QEMU build
    handBuilt('riscv64', process.execPath, 'F')
    const r = await runAction({
      scenario: 'probe, dynamic interpreter',
      inputs: { registrar: 'none', platforms: 'linux/riscv64', verify: 'probe' },
      env: NO_DOCKER
    })
    expectFailure(
      r,
      /linux\/riscv64: probe failed: the interpreter .* of qemu-riscv64 is dynamically linked/
    )
  })
})

describe('probes inside the busybox image of their platform', () => {
  it('print what busybox uname -m prints there', async () => {
    const platforms = Object.keys(BUSYBOX_PLATFORMS).filter(p => p !== 'linux/386')
    const setup = await runAction({
      scenario: 'register for probe-in-image',
      inputs: {
        registrar: 'native',
        install: 'none',
        platforms: platforms.join(','),
        verify: 'false'
      }
    })
    expectSuccess(setup)
    const dir = mkdtempSync(join(tmpdir(), 'e2e-probes-'))
    chmodSync(dir, 0o755)
    try {
      for (const p of platforms) {
        const cpu = lookupPlatform(p)!.cpu
        writeFileSync(join(dir, `probe-${cpu}`), probeProgram(cpu), { mode: 0o755 })
        const image = [
          'run',
          '--rm',
          '--pull',
          'always',
          '--platform',
          p,
          '-v',
          `${dir}:/probes:ro`,
          IMAGES.busybox
        ]
        const busybox = await docker([...image, 'uname', '-m'])
        const probe = await docker([...image, `/probes/probe-${cpu}`])
        expect(`${p}: ${busybox.code} ${busybox.stdout.trim()}`).toBe(
          `${p}: 0 ${BUSYBOX_PLATFORMS[p]}`
        )
        expect(`${p}: ${probe.code} ${probe.stdout}`).toBe(`${p}: 0 ${busybox.stdout}`)
      }
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
