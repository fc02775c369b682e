import { lookupPlatform, type Platform } from '../../src/catalogue.js'
import { parseEntry } from '../../src/host/binfmt.js'
import { outputsOf, type RunReport } from '../../src/report/outputs.js'
import { summaryMarkdown } from '../../src/report/summary.js'

const p = (n: string) => lookupPlatform(n) as Platform
const amd64 = { platform: p('amd64'), native: true, why: '' }
const arm64 = { platform: p('arm64'), native: false, why: '' }
const riscv = { platform: p('riscv64'), native: false, why: '' }

const report = (verdicts: RunReport['verdicts']): RunReport => ({
  targets: [amd64, arm64, riscv],
  emulators: ['qemu-aarch64', 'qemu-riscv64'],
  verdicts,
  qemuVersion: '7.2.22',
  registrar: 'native'
})

describe('outputs', () => {
  test('all verified', () => {
    const out = outputsOf(
      report(
        new Map([
          ['linux/amd64', { target: amd64, machine: 'x86_64' }],
          ['linux/arm64', { target: arm64, machine: 'aarch64' }],
          ['linux/riscv64', { target: riscv, machine: 'riscv64' }]
        ])
      )
    )
    expect(out).toEqual({
      platforms: 'linux/amd64,linux/arm64,linux/riscv64',
      emulators: 'qemu-aarch64,qemu-riscv64',
      machines: '{"linux/amd64":"x86_64","linux/arm64":"aarch64","linux/riscv64":"riscv64"}',
      verified: 'true',
      'qemu-version': '7.2.22',
      registrar: 'native'
    })
  })

  test('not verified, or a skipped emulated platform, is verified=false; failed machines are left out', () => {
    expect(outputsOf(report(new Map()))).toMatchObject({ machines: '{}', verified: 'false' })
    const out = outputsOf(
      report(
        new Map([
          [
            'linux/arm64',
            { target: arm64, machine: 'x86_64', problem: 'printed x86_64, expected aarch64' }
          ],
          ['linux/riscv64', { target: riscv, skipped: 'no image' }]
        ])
      )
    )
    expect(out).toMatchObject({ machines: '{}', verified: 'false' })
  })
})

test('the summary is one table row per platform, native rows marked, problems shown', () => {
  const entry = parseEntry(
    'qemu-aarch64',
    'enabled\ninterpreter /usr/bin/qemu-aarch64-static\nflags: F\noffset 0\nmagic 00\nmask ff\n'
  )
  const md = summaryMarkdown(
    report(
      new Map([
        ['linux/arm64', { target: arm64, machine: 'aarch64' }],
        ['linux/riscv64', { target: riscv, problem: 'exec | format' }]
      ])
    ),
    new Map([['aarch64', entry]]),
    'Cross-architecture emulation'
  )
  const rows = md.split('\n').filter(l => l.startsWith('| `'))
  expect(rows).toEqual([
    '| `linux/amd64` | native | — | — | not verified |',
    '| `linux/arm64` | qemu-aarch64 | `/usr/bin/qemu-aarch64-static` | F | ✅ `aarch64` |',
    '| `linux/riscv64` | qemu-riscv64 | missing | (none) | ❌ exec \\| format |'
  ])
  expect(md).toContain('Registrar: **native** · QEMU: **7.2.22**')
})
