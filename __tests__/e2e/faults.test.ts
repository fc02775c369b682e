// Faults of the environment: each one a single `::error::` line that says what went wrong, exit
// 1, and the host left as it was or better.
import { describe, expect, it } from '@jest/globals'
import {
  clearQemuEntries,
  entryNames,
  expectFailure,
  expectNoEntryChanges,
  IMAGES,
  mountBinfmt,
  runAction,
  snapshotBinfmt,
  unmountBinfmt,
  useBench
} from './helpers/index.js'

const bench = useBench()
const container = {
  registrar: 'container',
  image: IMAGES.registrar,
  'verify-image': IMAGES.busybox
}
const DEAD_DOCKER = 'unix:///nonexistent.sock'

describe('faults', () => {
  it('no Docker engine answering, registrar container', async () => {
    const r = await runAction({
      scenario: 'fault: no Docker engine',
      inputs: { ...container, platforms: 'linux/arm64' },
      env: { DOCKER_HOST: DEAD_DOCKER }
    })
    const msg = expectFailure(
      r,
      /docker/i,
      /(not answer|no answer|not respond|not running|cannot connect|unreachable)/i
    )
    // ... and what to do about it: start an engine, or register without one.
    expect(msg).toMatch(/registrar[: ]+.?native|start|install/i)
    expectNoEntryChanges(bench.before)
  })

  it('registry unreachable', async () => {
    const r = await runAction({
      scenario: 'fault: registry unreachable',
      inputs: { ...container, image: IMAGES.unreachable, platforms: 'linux/arm64' }
    })
    expectFailure(r, /127\.0\.0\.1:5999\/x\/y/)
    expectNoEntryChanges(bench.before)
  })

  it('registrar image missing', async () => {
    const r = await runAction({
      scenario: 'fault: registrar image missing',
      inputs: { ...container, image: IMAGES.missing, platforms: 'linux/arm64' }
    })
    expectFailure(r, /127\.0\.0\.1:5000\/e2e\/does-not-exist/)
    expectNoEntryChanges(bench.before)
  })

  it('registrar exits 0 yet registers nothing', async () => {
    mountBinfmt()
    clearQemuEntries()
    const r = await runAction({
      scenario: 'fault: registrar registers nothing',
      inputs: { ...container, image: IMAGES.registrarNoop, platforms: 'linux/arm64,linux/s390x' }
    })
    expectFailure(r, /linux\/arm64|qemu-aarch64/, /linux\/s390x|qemu-s390x/)
    expect(entryNames().filter(n => n.startsWith('qemu-'))).toEqual([])
  })

  it('a platform the verify image lacks (linux/riscv64), verify-image set', async () => {
    const r = await runAction({
      scenario: 'fault: platform missing from verify image',
      inputs: { ...container, platforms: 'linux/riscv64', verify: 'image' }
    })
    expectFailure(r, /linux\/riscv64/)
  })

  it.each([
    ['binfmt_misc not mounted', false],
    ['binfmt_misc mounted', true]
  ])('no root and no sudo, registrar native (%s)', async (name, mounted) => {
    if (mounted) mountBinfmt()
    else unmountBinfmt()
    const before = snapshotBinfmt() // unmounting destroyed whatever was registered: compare from here
    const r = await runAction({
      scenario: `fault: not root, no sudo (${name})`,
      inputs: { registrar: 'native', install: 'none', platforms: 'linux/arm64' },
      user: { uid: 65534, gid: 65534 }
    })
    expectFailure(r, /root/i, /sudo/i)
    expectNoEntryChanges(before)
  })
})
