/** Carrying out a restore: make-before-break per entry, and every entry it can, whatever fails. */
import { FakeKernel } from '../../__fixtures__/fake-kernel.js'
import { emulatorFor } from '../../src/catalogue.js'
import { baselineOf, planRestoreSteps } from '../../src/host/changes.js'
import { registerLine } from '../../src/host/entry.js'
import { KernelWriteError } from '../../src/host/kernel.js'
import { applyRestore, whyFailed } from '../../src/host/restore.js'

const line = (cpu: string, interpreter: string, flags = 'F'): string => {
  const e = emulatorFor(cpu)
  return registerLine({ name: `qemu-${cpu}`, magic: e.magic, mask: e.mask, interpreter, flags })
}
const refuse = (code: string) => Object.assign(new Error(`${code}: refused`), { code })

/** A host with the old aarch64 (disabled when asked) and s390x handlers, then the job's. */
async function replaced(disabled = false) {
  const k = new FakeKernel()
  k.register(line('s390x', '/old/s390x'))
  k.register(line('aarch64', '/old/aarch64'))
  if (disabled) k.control('qemu-aarch64', '0')
  const before = await k.list()
  for (const cpu of ['aarch64', 's390x']) {
    k.control(`qemu-${cpu}`, '-1')
    k.register(line(cpu, `/job/${cpu}`))
  }
  const names = ['qemu-aarch64', 'qemu-s390x']
  const steps = planRestoreSteps(
    await k.list(),
    new Map(names.map(n => [n, baselineOf(n, before)])),
    names
  )
  k.writes.length = 0
  return { k, steps }
}

describe('applyRestore', () => {
  test('a bridged step: the baseline under the bridge name first, the job handler removed only then', async () => {
    const { k, steps } = await replaced()
    const result = await applyRestore(k, steps)
    expect(result.failures).toEqual([])
    expect(k.writes.filter(w => /aarch64/.test(w)).map(w => w.replace(/:.*/, ''))).toEqual([
      'register ',
      '-1 > qemu-aarch64',
      'register ',
      '-1 > qemu-aarch64.replacing'
    ])
    expect(k.writes[0]).toMatch(/^register :qemu-(aarch64|s390x)\.replacing:/)
    expect(k.text('qemu-aarch64')).toContain('interpreter /old/aarch64')
  })

  test.each([
    // [the write that fails, what the failure says, the aarch64 entry after, bridge left]
    [
      'register :qemu-aarch64.replacing',
      /^registering qemu-aarch64\.replacing .*failed/,
      '/job/aarch64',
      false
    ],
    [
      '0 > qemu-aarch64.replacing',
      /^disabling qemu-aarch64\.replacing failed/,
      '/job/aarch64',
      false
    ],
    ['-1 > qemu-aarch64', /^removing qemu-aarch64 failed/, '/job/aarch64', false],
    [
      'register :qemu-aarch64:',
      /failed: EBUSY: refused; it is registered as qemu-aarch64\.replacing instead$/,
      undefined,
      true
    ],
    ['0 > qemu-aarch64', /^disabling qemu-aarch64 failed/, '/old/aarch64', false],
    [
      '-1 > qemu-aarch64.replacing',
      /^removing qemu-aarch64\.replacing failed: EBUSY: refused$/,
      '/old/aarch64',
      true
    ]
  ] as const)(
    'failing at %s: cleaned up as far as it can be, reported, and s390x still put back',
    async (at, says, after, bridge) => {
      const { k, steps } = await replaced(true)
      // a register line by its start, a control write exactly
      k.failOn = write =>
        write === at || (at.startsWith('register') && write.startsWith(at))
          ? refuse('EBUSY')
          : undefined
      const result = await applyRestore(k, steps)
      expect(result.failures).toEqual([
        expect.objectContaining({ name: 'qemu-aarch64', reason: expect.stringMatching(says) })
      ])
      expect(!!result.failures[0].stayed).toBe(at === 'register :qemu-aarch64.replacing')
      const entry = (await k.list()).find(e => e.name === 'qemu-aarch64')
      expect(entry?.interpreter).toBe(after)
      expect(k.names().includes('qemu-aarch64.replacing')).toBe(bridge)
      expect(k.text('qemu-s390x')).toContain('interpreter /old/s390x')
    }
  )

  test('a bridge that cannot be removed after a failure says both', async () => {
    const { k, steps } = await replaced()
    k.failOn = write => (write.startsWith('-1 > qemu-aarch64') ? refuse('EBUSY') : undefined)
    const result = await applyRestore(k, steps)
    expect(result.failures.map(f => f.reason)).toEqual([
      expect.stringMatching(
        /^removing qemu-aarch64 failed: EBUSY: refused; removing qemu-aarch64\.replacing failed/
      )
    ])
  })

  test("a missing F interpreter is said in words; the job's handler is what stays", async () => {
    const { k, steps } = await replaced()
    k.exists = path => path !== '/old/aarch64'
    const result = await applyRestore(k, steps)
    expect(result.failures).toEqual([
      {
        name: 'qemu-aarch64',
        reason: expect.stringMatching(
          /\(its interpreter \/old\/aarch64 no longer exists: it was registered with the F flag, which opens the file at registration, and the file was deleted since\)$/
        ),
        stayed: expect.objectContaining({ name: 'qemu-aarch64', interpreter: '/job/aarch64' })
      }
    ])
    expect(result.done).toContain('removing qemu-s390x.replacing')
  })
})

test('only a missing F interpreter is explained as one', () => {
  const enoent = (op: Parameters<typeof whyFailed>[0] & object) =>
    whyFailed(op, new KernelWriteError(op, 0, 'ENOENT: no such file', 'ENOENT'))
  const noF = { op: 'register', name: 'x', line: ':x:M::\\x01::/gone:' } as const
  expect(enoent(noF)).toBe(
    'registering x (interpreter /gone, flags "") failed: ENOENT: no such file'
  )
  expect(enoent({ ...noF, line: ':x:M::\\x01::/gone:F' })).toMatch(
    /its interpreter \/gone no longer exists/
  )
  expect(enoent({ op: 'remove', name: 'x' })).toBe('removing x failed: ENOENT: no such file')
})
