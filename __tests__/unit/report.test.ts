import { jest } from '@jest/globals'
import { readFileSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import * as os from 'node:os'
import { join } from 'node:path'
import * as core from '../../__fixtures__/core.js'

jest.unstable_mockModule('@actions/core', () => core)

const { lookupPlatform } = await import('../../src/catalogue.js')
const { Output } = await import('../../src/constants.js')
const { parseEntry } = await import('../../src/host/entry.js')
const { outputsOf, setOutputs } = await import('../../src/report/outputs.js')
const { summaryMarkdown, writeSummary } = await import('../../src/report/summary.js')
import type { Platform } from '../../src/catalogue.js'
import type { Target, Verdict } from '../../src/model.js'
import type { RunReport } from '../../src/report/outputs.js'

const p = (n: string) => lookupPlatform(n) as Platform
const amd64: Target = { platform: p('amd64'), native: true, why: '' }
const arm64: Target = { platform: p('arm64'), native: false, why: '' }
const riscv: Target = { platform: p('riscv64'), native: false, why: '' }

const report = (verdicts: Verdict[], targets = [amd64, arm64, riscv]): RunReport => ({
  targets,
  runnable: ['linux/amd64', 'linux/arm64', 'linux/386', 'linux/riscv64'],
  emulators: ['qemu-aarch64', 'qemu-riscv64'],
  verdicts: new Map(verdicts.map(v => [v.target.platform.name, v])),
  qemuVersion: '7.2.22',
  registrar: 'native'
})

const entry = (cpu: string, flags: string) =>
  parseEntry(
    `qemu-${cpu}`,
    `enabled\ninterpreter /usr/bin/qemu-${cpu}-static\nflags: ${flags}\noffset 0\nmagic 7f454c46\nmask ffffffff\n`
  )

beforeEach(() => core.reset())

describe('outputs', () => {
  test('set under the names action.yml declares', () => {
    setOutputs(
      report([
        { target: amd64, machine: 'x86_64' },
        { target: arm64, machine: 'aarch64' },
        { target: riscv, machine: 'riscv64' }
      ])
    )
    expect(core.seen.outputs).toEqual({
      [Output.Platforms]: 'linux/amd64,linux/arm64,linux/386,linux/riscv64',
      [Output.RequestedPlatforms]: 'linux/amd64,linux/arm64,linux/riscv64',
      [Output.Emulators]: 'qemu-aarch64,qemu-riscv64',
      [Output.Machines]:
        '{"linux/amd64":"x86_64","linux/arm64":"aarch64","linux/riscv64":"riscv64"}',
      [Output.Verified]: 'true',
      [Output.QemuVersion]: '7.2.22',
      [Output.Registrar]: 'native'
    })
    expect(Object.keys(core.seen.outputs).sort()).toEqual(
      [
        'emulators',
        'machines',
        'platforms',
        'requested-platforms',
        'qemu-version',
        'registrar',
        'verified'
      ].sort()
    )
  })

  test('action.yml declares exactly these outputs', () => {
    const yml = readFileSync(new URL('../../action.yml', import.meta.url), 'utf8')
    const section = /^outputs:\n((?: .*\n|\n)*)/m.exec(yml)?.[1] ?? ''
    const declared = [...section.matchAll(/^ {2}([a-z-]+):/gm)].map(m => m[1])
    expect(declared.sort()).toEqual(Object.values(Output).sort())
  })

  test('nothing verified (verify: false) is verified=false with no machines', () => {
    setOutputs(report([]))
    expect(core.seen.outputs).toMatchObject({ machines: '{}', verified: 'false' })
  })

  test('a failed or skipped emulated platform is verified=false; only passing machines are listed', () => {
    setOutputs(
      report([
        { target: amd64, machine: 'x86_64' },
        { target: arm64, machine: 'x86_64', problem: 'printed x86_64, expected aarch64' },
        { target: riscv, skipped: 'no image' }
      ])
    )
    expect(core.seen.outputs).toMatchObject({
      machines: '{"linux/amd64":"x86_64"}',
      verified: 'false'
    })
  })

  test('a skipped emulated platform alone makes verified=false', () => {
    setOutputs(
      report([
        { target: amd64, machine: 'x86_64' },
        { target: arm64, machine: 'aarch64' },
        { target: riscv, skipped: 'no probe program for riscv64' }
      ])
    )
    expect(core.seen.outputs).toMatchObject({
      machines: '{"linux/amd64":"x86_64","linux/arm64":"aarch64"}',
      verified: 'false'
    })
  })

  test('an emulated platform left out of the verdicts is not verified', () => {
    const out = outputsOf(
      report([
        { target: amd64, machine: 'x86_64' },
        { target: arm64, machine: 'aarch64' }
      ])
    )
    expect(out).toMatchObject({ verified: 'false', machines: expect.stringContaining('aarch64') })
  })

  test('only native platforms, checked: verified; nothing emulated, nothing registered', () => {
    const out = outputsOf({
      ...report([{ target: amd64, machine: 'x86_64' }], [amd64]),
      runnable: ['linux/amd64', 'linux/386'],
      emulators: [],
      registrar: 'none',
      qemuVersion: ''
    })
    expect(out).toEqual({
      platforms: 'linux/amd64,linux/386',
      'requested-platforms': 'linux/amd64',
      emulators: '',
      machines: '{"linux/amd64":"x86_64"}',
      verified: 'true',
      'qemu-version': '',
      registrar: 'none'
    })
  })
})

describe('summary', () => {
  test('one row per platform: how each was verified, flags, problems escaped; interpreters in a details block', () => {
    const md = summaryMarkdown(
      report([
        { target: arm64, machine: 'aarch64', by: ['probe', 'image'] },
        { target: riscv, problem: 'exec | format\nerror' }
      ]),
      new Map([['aarch64', entry('aarch64', 'OCF')]]),
      'Cross-architecture emulation'
    )
    expect(md.split('\n')).toEqual([
      '## Cross-architecture emulation',
      '',
      '| Platform | Emulator | Flags | Verification |',
      '| --- | --- | --- | --- |',
      '| `linux/amd64` | native | — | native: nothing to run |',
      '| `linux/arm64` | qemu-aarch64 | OCF | ✅ probe and image, `aarch64` |',
      '| `linux/riscv64` | qemu-riscv64 | not registered | ❌ exec \\| format error |',
      '',
      'Registrar: **native** · QEMU: **7.2.22** · Runnable now: linux/amd64, linux/arm64, linux/386, linux/riscv64',
      '',
      '<details><summary>Interpreters</summary>',
      '',
      '| Handler | Interpreter |',
      '| --- | --- |',
      '| qemu-aarch64 | `/usr/bin/qemu-aarch64-static` |',
      '',
      '</details>',
      ''
    ])
  })

  test('skipped platforms say why; an entry without flags says (none); the verifier is named; an unknown version says so', () => {
    const md = summaryMarkdown(
      {
        ...report(
          [
            { target: amd64, machine: 'x86_64' },
            { target: arm64, skipped: 'no probe program for aarch64' },
            { target: riscv, machine: 'riscv64', by: ['image'] }
          ],
          [amd64, arm64, riscv]
        ),
        qemuVersion: ''
      },
      new Map([
        ['aarch64', entry('aarch64', 'F')],
        ['riscv64', entry('riscv64', '')]
      ]),
      'Emulation'
    )
    expect(md.split('\n').filter(l => l.startsWith('| `'))).toEqual([
      '| `linux/amd64` | native | — | native: nothing to run |',
      '| `linux/arm64` | qemu-aarch64 | F | skipped: no probe program for aarch64 |',
      '| `linux/riscv64` | qemu-riscv64 | (none) | ✅ image, `riscv64` |'
    ])
    expect(md).toContain('Registrar: **native** · QEMU: **unknown**')
  })

  test('on a failure: the failure first, then what was done before it', () => {
    const md = summaryMarkdown(
      { ...report([], [amd64, arm64]), runnable: [], registrar: 'container' },
      new Map(),
      'Emulation',
      'Could not pull the registrar image x.'
    )
    expect(md.split('\n')).toEqual([
      '## Emulation',
      '',
      '**Failed:** Could not pull the registrar image x.',
      '',
      '| Platform | Emulator | Flags | Verification |',
      '| --- | --- | --- | --- |',
      '| `linux/amd64` | native | — | native: nothing to run |',
      '| `linux/arm64` | qemu-aarch64 | not registered | not verified |',
      '',
      'Registrar: **container** · QEMU: **7.2.22**',
      ''
    ])
  })

  test('a failure before any platform was classified: the failure alone', () => {
    const md = summaryMarkdown(
      { ...report([], []), runnable: [], registrar: '', qemuVersion: '' },
      new Map(),
      'Emulation',
      'This action needs a Linux runner.'
    )
    expect(md.split('\n')).toEqual([
      '## Emulation',
      '',
      '**Failed:** This action needs a Linux runner.',
      '',
      'Registrar: **not chosen** · QEMU: **unknown**',
      ''
    ])
  })
})

describe('writeSummary', () => {
  const saved = process.env.GITHUB_STEP_SUMMARY
  let dir: string
  beforeEach(async () => {
    dir = await mkdtemp(join(os.tmpdir(), 'summary-'))
  })
  afterEach(async () => {
    if (saved === undefined) delete process.env.GITHUB_STEP_SUMMARY
    else process.env.GITHUB_STEP_SUMMARY = saved
    await rm(dir, { recursive: true, force: true })
  })

  test('on a runner (GITHUB_STEP_SUMMARY set) it is appended to the job summary', async () => {
    process.env.GITHUB_STEP_SUMMARY = join(dir, 'step_summary')
    await writeSummary('## Cross-architecture emulation\n')
    expect(core.seen.summary).toBe('## Cross-architecture emulation\n\n')
  })

  test('outside a runner (no GITHUB_STEP_SUMMARY) nothing is written', async () => {
    delete process.env.GITHUB_STEP_SUMMARY
    await writeSummary('## Cross-architecture emulation\n')
    expect(core.seen.summary).toBe('')
    process.env.GITHUB_STEP_SUMMARY = ''
    await writeSummary('## Cross-architecture emulation\n')
    expect(core.seen.summary).toBe('')
  })
})
