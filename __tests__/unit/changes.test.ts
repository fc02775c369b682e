import { FakeKernel } from '../../__fixtures__/fake-kernel.js'
import { emulatorFor } from '../../src/catalogue.js'
import {
  baselineOf,
  bridgeName,
  changedNames,
  planRegistration,
  planRestore
} from '../../src/host/changes.js'
import { registerLine, type MagicRegistration } from '../../src/host/entry.js'

const reg = (cpu: string, interpreter = `/opt/qemu-${cpu}`, flags = 'F'): MagicRegistration => {
  const e = emulatorFor(cpu)
  return { name: `qemu-${cpu}`, magic: e.magic, mask: e.mask, interpreter, flags }
}

/** The host's entries as `cat` shows them, in the kernel's order. */
const state = (k: FakeKernel) => k.names().map(n => `${n}\n${k.text(n)}`)

describe('planRegistration', () => {
  test('registers what is missing, keeps what is identical, enables an identical disabled one', async () => {
    const k = new FakeKernel()
    k.register(registerLine(reg('aarch64')))
    k.register(registerLine(reg('s390x')))
    k.control('qemu-s390x', '0')
    const plan = planRegistration(await k.list(), [reg('aarch64'), reg('s390x'), reg('riscv64')], {
      reset: false,
      bridge: true
    })
    expect(plan.kept).toEqual(['qemu-aarch64'])
    expect(plan.conflicts).toEqual([])
    k.writes.length = 0
    await k.apply(plan.ops)
    expect(k.writes).toEqual(['1 > qemu-s390x', `register ${registerLine(reg('riscv64'))}`])
    expect(k.names()).toEqual(['qemu-riscv64', 'qemu-s390x', 'qemu-aarch64'])
  })

  test('a different entry is a conflict without reset, and nothing is planned at all', async () => {
    const k = new FakeKernel()
    k.register(registerLine(reg('aarch64', '/other')))
    const plan = planRegistration(await k.list(), [reg('riscv64'), reg('aarch64')], {
      reset: false,
      bridge: true
    })
    expect(plan.ops).toEqual([])
    expect(plan.conflicts.map(c => [c.entry.interpreter, c.wanted.interpreter])).toEqual([
      ['/other', '/opt/qemu-aarch64']
    ])
  })

  test('with reset and a bridge, the architecture always has a handler while it is replaced', async () => {
    const k = new FakeKernel()
    k.register(registerLine(reg('aarch64', '/other')))
    const plan = planRegistration(await k.list(), [reg('aarch64')], { reset: true, bridge: true })
    // after every single write some enabled handler for aarch64 binaries exists
    for (const op of plan.ops) {
      await k.apply([op])
      expect(k.names().filter(n => n.startsWith('qemu-aarch64')).length).toBeGreaterThan(0)
    }
    expect(k.names()).toEqual(['qemu-aarch64'])
    expect(k.text('qemu-aarch64')).toContain('interpreter /opt/qemu-aarch64\n')
    expect(plan.ops.map(o => `${o.op} ${o.name}`)).toEqual([
      `register ${bridgeName('qemu-aarch64')}`,
      'remove qemu-aarch64',
      'register qemu-aarch64',
      `remove ${bridgeName('qemu-aarch64')}`
    ])
  })

  test('without a bridge (a writer that cannot register any line): remove, then register', async () => {
    const k = new FakeKernel()
    k.register(registerLine(reg('aarch64', '/other')))
    const plan = planRegistration(await k.list(), [reg('aarch64')], { reset: true, bridge: false })
    expect(plan.ops.map(o => o.op)).toEqual(['remove', 'register'])
  })

  test('a leftover bridge entry is not registered over (the plain replace is used)', async () => {
    const k = new FakeKernel()
    k.register(registerLine(reg('aarch64', '/other')))
    k.register(registerLine({ ...reg('aarch64'), name: bridgeName('qemu-aarch64') }))
    const plan = planRegistration(await k.list(), [reg('aarch64')], { reset: true, bridge: true })
    await k.apply(plan.ops)
    expect(k.text('qemu-aarch64')).toContain('/opt/qemu-aarch64')
  })
})

describe('planRestore', () => {
  test('removes added entries, re-registers replaced ones byte for byte, leaves others alone', async () => {
    const k = new FakeKernel()
    k.register(':jar:E::jar::/usr/bin/jexec:')
    k.register(registerLine(reg('s390x', '/usr/libexec/qemu-binfmt/s390x-binfmt-P', 'PF')))
    k.register(`:qemu-aarch64:M::${emulatorFor('aarch64').magic}::/debian/qemu-aarch64:OCF`) // no mask
    k.control('qemu-aarch64', '0')
    const before = await k.list()
    const wantedText = state(k)
    // the action's run: replace aarch64 and s390x, add riscv64
    const plan = planRegistration(before, [reg('aarch64'), reg('s390x'), reg('riscv64')], {
      reset: true,
      bridge: true
    })
    await k.apply(plan.ops)
    const changed = changedNames(before, await k.list())
    expect(changed.sort()).toEqual(['qemu-aarch64', 'qemu-riscv64', 'qemu-s390x'])
    const baselines = new Map(changed.map(n => [n, baselineOf(n, before)]))
    await k.apply(planRestore(await k.list(), baselines, changed))
    expect(state(k)).toEqual(wantedText)
    expect(k.text('qemu-aarch64')).not.toContain('mask')
  })

  test('overlapping entries come back in their original precedence', async () => {
    const k = new FakeKernel()
    // qemu-aarch64 first, then a newer overlapping handler that takes precedence over it
    k.register(registerLine(reg('aarch64', '/old')))
    k.register(registerLine({ ...reg('aarch64', '/preferred'), name: 'aarch64-preferred' }))
    k.register(':jar:E::jar::/usr/bin/jexec:')
    const before = await k.list()
    const wantedText = state(k)
    expect(k.names()).toEqual(['jar', 'aarch64-preferred', 'qemu-aarch64'])
    await k.apply(planRegistration(before, [reg('aarch64')], { reset: true, bridge: true }).ops)
    expect(k.names()[0]).toBe('qemu-aarch64') // the action's handler is tried first now
    const baselines = new Map([['qemu-aarch64', baselineOf('qemu-aarch64', before)]])
    expect(baselines.get('qemu-aarch64')?.above.map(e => e.name)).toEqual(['aarch64-preferred'])
    k.writes.length = 0
    await k.apply(planRestore(await k.list(), baselines, ['qemu-aarch64']))
    expect(k.names()).toEqual(['aarch64-preferred', 'qemu-aarch64', 'jar'])
    expect(state(k).filter(s => !s.startsWith('jar'))).toEqual(
      wantedText.filter(s => !s.startsWith('jar'))
    )
    // jar never overlapped anything: untouched
    expect(k.writes.some(w => w.includes('jar'))).toBe(false)
  })

  test('an entry only enabled or disabled since is switched back, not re-registered', async () => {
    const k = new FakeKernel()
    k.register(registerLine(reg('arm')))
    k.register(registerLine(reg('aarch64')))
    const before = await k.list()
    k.control('qemu-arm', '0')
    k.writes.length = 0
    await k.apply(
      planRestore(await k.list(), new Map([['qemu-arm', baselineOf('qemu-arm', before)]]), [
        'qemu-arm'
      ])
    )
    expect(k.writes).toEqual(['1 > qemu-arm'])
    expect(k.names()).toEqual(['qemu-aarch64', 'qemu-arm'])
  })

  test('names outside the scope, or without a baseline, are not touched', async () => {
    const k = new FakeKernel()
    const before = await k.list()
    k.register(registerLine(reg('aarch64')))
    k.register(registerLine(reg('s390x')))
    const ops = planRestore(
      await k.list(),
      new Map([
        ['qemu-aarch64', baselineOf('qemu-aarch64', before)],
        ['qemu-s390x', baselineOf('qemu-s390x', before)]
      ]),
      ['qemu-aarch64', 'qemu-riscv64']
    )
    expect(ops).toEqual([{ op: 'remove', name: 'qemu-aarch64' }])
    // added and already gone again: nothing to remove
    const none = planRestore(
      await k.list(),
      new Map([['qemu-riscv64', baselineOf('qemu-riscv64', before)]]),
      ['qemu-riscv64']
    )
    expect(none).toEqual([])
  })
})

describe('baselineOf, through chains of overlaps', () => {
  test('a newer entry overlapping only through another one is above too; rank counts the older ones', async () => {
    const k = new FakeKernel()
    k.register(':old:M:0:\\x7f\\x01::/old:')
    k.register(':A:M:0:\\x41\\x42::/a:') // AB
    k.register(':B:M:0:\\x41\\x00:\\xff\\x00:/b:') // A?, agrees with both A and C
    k.register(':C:M:0:\\x41\\x58::/c:') // AX: never matches what A matches
    k.register(':jar:E::jar::/usr/bin/jexec:')
    const before = await k.list()
    const a = baselineOf('A', before)
    expect(a.above.map(e => e.name)).toEqual(['C', 'B'])
    expect(a.rank).toBe(1)
    expect(baselineOf('old', before).rank).toBe(0)
    expect(baselineOf('C', before)).toMatchObject({ above: [], rank: 3 })
    // A replaced, then put back: B and C come back above it, in their order
    // (jar overlaps nothing: where it lands among them does not matter)
    const magic = (k: FakeKernel) => state(k).filter(e => !e.startsWith('jar'))
    const want = magic(k)
    k.control('A', '-1')
    k.register(':A:M:0:\\x41\\x42::/new:')
    await k.apply(planRestore(await k.list(), new Map([['A', a]]), ['A']))
    expect(magic(k)).toEqual(want)
  })
})

describe('planRestore, over many random hosts', () => {
  /** A small deterministic PRNG (mulberry32): the same hosts on every run. */
  const random = (seed: number) => () => {
    seed = (seed + 0x6d2b79f5) | 0
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
  const CPUS = ['aarch64', 's390x', 'riscv64']
  /** A line for one of a CPU's handlers (all of a CPU's lines match the same files). */
  const line = (pick: () => number, name: string, cpu: string) => {
    const e = emulatorFor(cpu)
    const flags = ['F', 'OCF', 'PF', ''][Math.floor(pick() * 4)]
    const mask = pick() < 0.3 ? '' : e.mask
    return `:${name}:M::${e.magic}:${mask}:/i/${name}-${Math.floor(pick() * 3)}:${flags}`
  }
  test('the host comes back entry for entry, and overlapping entries in their order', async () => {
    for (let seed = 1; seed <= 500; seed++) {
      const pick = random(seed)
      const k = new FakeKernel()
      const names: string[] = []
      for (let i = 0; i < 2 + Math.floor(pick() * 6); i++) {
        const cpu = CPUS[Math.floor(pick() * CPUS.length)]
        const name = pick() < 0.5 ? `qemu-${cpu}` : `${cpu}-${i}`
        if (names.includes(name)) continue
        if (pick() < 0.15) k.register(`:${name}:E::jar::/usr/bin/jexec-${i}:`)
        else k.register(line(pick, name, cpu))
        if (pick() < 0.2) k.control(name, '0')
        names.push(name)
      }
      const before = await k.list()
      const want = state(k)
      // the action's changes: the qemu-<cpu> names only, each replaced, removed, added or toggled
      const scope = CPUS.map(c => `qemu-${c}`).filter(() => pick() < 0.8)
      for (const name of scope) {
        const cpu = name.slice(5)
        const roll = pick()
        const present = k.names().includes(name)
        if (present && roll < 0.4) {
          // replaced by a different entry (the action keeps an identical one where it is)
          const was = k.text(name)
          do {
            k.control(name, '-1')
            k.register(line(pick, name, cpu))
          } while (
            k.text(name)?.replace(/^(en|dis)abled/, '') === was?.replace(/^(en|dis)abled/, '')
          )
        } else if (present && roll < 0.6) k.control(name, '-1')
        else if (present && roll < 0.8)
          k.control(name, k.text(name)?.startsWith('enabled') ? '0' : '1')
        else if (!present) k.register(line(pick, name, cpu))
      }
      // the names the action changed, or every name it was asked about (changed or not)
      const changed = changedNames(before, await k.list())
      const restoreScope = pick() < 0.5 ? changed : [...new Set([...scope, ...changed])]
      const baselines = new Map(restoreScope.map(n => [n, baselineOf(n, before)]))
      await k.apply(planRestore(await k.list(), baselines, restoreScope))
      const got = state(k)
      // every entry as it was, and any two entries of the same CPU in the same order
      expect([seed, [...got].sort()]).toEqual([seed, [...want].sort()])
      // (extension entries match by name, never a CPU's magic)
      const order = (list: string[]) =>
        CPUS.map(c =>
          list
            .filter(s => !s.includes('extension'))
            .map(s => s.split('\n')[0])
            .filter(n => n.includes(c))
        )
      expect([seed, order(got)]).toEqual([seed, order(want)])
    }
  })
})

describe('changedNames', () => {
  test('added, removed, changed and enabled-state changes; unchanged ones are not', async () => {
    const k = new FakeKernel()
    k.register(registerLine(reg('arm')))
    k.register(registerLine(reg('s390x')))
    k.register(registerLine(reg('ppc64le')))
    const before = await k.list()
    k.control('qemu-arm', '0')
    k.control('qemu-s390x', '-1')
    k.register(registerLine(reg('aarch64')))
    expect(changedNames(before, await k.list()).sort()).toEqual([
      'qemu-aarch64',
      'qemu-arm',
      'qemu-s390x'
    ])
  })
})
