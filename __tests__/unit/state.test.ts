import { FakeBinfmt } from '../../__fixtures__/fake-binfmt.js'
import type { Binfmt } from '../../src/host/binfmt.js'
import { restoreSnapshot, takeSnapshot } from '../../src/state.js'

const AARCH64 =
  ':qemu-aarch64:M::\\x7fELF\\x02\\x01\\x01\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x02\\x00\\xb7\\x00:\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\x00\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xfe\\xff\\xff\\xff'

describe('snapshot and restore', () => {
  test('added handlers are removed, replaced and disabled ones put back byte for byte, others untouched', async () => {
    const kernel = new FakeBinfmt()
    await kernel.register(`${AARCH64}:/usr/libexec/qemu-binfmt/aarch64-binfmt-P:PF`)
    await kernel.register(':qemu-arm:M::\\x7fELF:\\xff\\xff\\xff\\xff:/usr/bin/qemu-arm-static:F')
    await kernel.setEnabled('qemu-arm', false)
    await kernel.register(':jar:E::jar::/usr/bin/jexec:')
    const before = new Map(kernel.entries)
    const snapshot = await takeSnapshot(kernel as unknown as Binfmt)
    expect(snapshot.entries.map(e => e.name)).toEqual(['qemu-aarch64', 'qemu-arm'])

    // what a run does: replace aarch64, re-enable arm by replacing it, add s390x
    await kernel.remove('qemu-aarch64')
    await kernel.register(`${AARCH64}:/opt/qemu-aarch64-static:F`)
    await kernel.remove('qemu-arm')
    await kernel.register(':qemu-arm:M::\\x7fELF:\\xff\\xff\\xff\\xff:/usr/bin/qemu-arm-static:F')
    await kernel.register(':qemu-s390x:M::\\x7fELF:\\xff\\xff\\xff\\xff:/q:F')
    kernel.writes.length = 0

    const done = await restoreSnapshot(
      kernel as unknown as Binfmt,
      JSON.parse(JSON.stringify(snapshot)),
      false
    )
    expect(kernel.entries).toEqual(before)
    expect(done).toEqual([
      'qemu-s390x: removed (added by this job)',
      'qemu-aarch64: put back (/usr/libexec/qemu-binfmt/aarch64-binfmt-P, flags "PF")',
      'qemu-arm: put back (/usr/bin/qemu-arm-static, flags "F", disabled)'
    ])
    expect(kernel.writes.some(w => w.includes('jar'))).toBe(false)
  })

  test('an unchanged host is left alone, and binfmt_misc is unmounted again only when this job mounted it and it is empty', async () => {
    const kernel = new FakeBinfmt()
    kernel.mounted = false
    const snapshot = await takeSnapshot(kernel as unknown as Binfmt)
    expect(snapshot).toEqual({ mounted: false, entries: [] })
    await kernel.ensureMounted()
    await kernel.register(':qemu-s390x:M::\\x7fELF:\\xff\\xff\\xff\\xff:/q:F')
    expect(await restoreSnapshot(kernel as unknown as Binfmt, snapshot, true)).toEqual([
      'qemu-s390x: removed (added by this job)',
      'binfmt_misc: unmounted again (this job mounted it)'
    ])
    expect(kernel.mounted).toBe(false)

    const other = new FakeBinfmt()
    await other.register(':jar:E::jar::/usr/bin/jexec:')
    other.writes.length = 0
    expect(
      await restoreSnapshot(
        other as unknown as Binfmt,
        await takeSnapshot(other as unknown as Binfmt),
        true
      )
    ).toEqual([])
    expect(other.mounted).toBe(true)
    expect(other.writes).toEqual([])
  })
})
