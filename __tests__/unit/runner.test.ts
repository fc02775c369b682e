import { mkdtemp, readFile, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import * as runner from '../../src/runner.js'
import { run, lastLine } from '../../src/tools/exec.js'
import { readElf } from '../../src/host/elf.js'
import { probeProgram } from '../../src/verifier/probe/index.js'

/** Parses the runner's `name<<DELIM` file format the way the runner does. */
function parseFileCommands(text: string): Record<string, string> {
  const out: Record<string, string> = {}
  const re = /^([^\n<]+)<<(\S+)\n([\s\S]*?)\n\2$/gm
  for (const m of text.matchAll(re)) out[m[1]] = m[3]
  return out
}

describe('runner protocol', () => {
  test('inputs, outputs with newlines, state and PATH go where the runner reads them', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'runner-'))
    for (const f of ['output', 'state', 'path', 'summary']) await writeFile(join(dir, f), '')
    Object.assign(process.env, {
      GITHUB_OUTPUT: join(dir, 'output'),
      GITHUB_STATE: join(dir, 'state'),
      GITHUB_PATH: join(dir, 'path'),
      GITHUB_STEP_SUMMARY: join(dir, 'summary'),
      'INPUT_VERIFY-IMAGE': '  alpine:3.22 \n',
      STATE_snapshot: '{"x":1}'
    })
    expect(runner.getInput('verify-image')).toBe('alpine:3.22')
    expect(runner.getInput('absent')).toBe('')
    runner.setOutput('machines', '{"linux/arm64":"aarch64"}')
    runner.setOutput('multi', 'a\nb')
    runner.saveState('cleanup', 'true')
    runner.addPath('/opt/qemu')
    runner.appendSummary('| a |')
    expect(parseFileCommands(await readFile(join(dir, 'output'), 'utf8'))).toEqual({
      machines: '{"linux/arm64":"aarch64"}',
      multi: 'a\nb'
    })
    expect(parseFileCommands(await readFile(join(dir, 'state'), 'utf8'))).toEqual({
      cleanup: 'true'
    })
    expect(await readFile(join(dir, 'path'), 'utf8')).toBe('/opt/qemu\n')
    expect(process.env.PATH?.startsWith('/opt/qemu:')).toBe(true)
    expect(await readFile(join(dir, 'summary'), 'utf8')).toBe('| a |\n')
    expect(runner.getState('snapshot')).toBe('{"x":1}')
  })
})

describe('exec', () => {
  test('argument arrays reach the program verbatim, with no shell in between', async () => {
    const r = await run(process.execPath, [
      '-e',
      'console.log(JSON.stringify(process.argv.slice(1)))',
      '$(touch /tmp/pwned); `id`',
      '*'
    ])
    expect(JSON.parse(r.stdout)).toEqual(['$(touch /tmp/pwned); `id`', '*'])
  })

  test('exit codes, signals, start errors and stdin', async () => {
    expect((await run(process.execPath, ['-e', 'process.exit(3)'])).code).toBe(3)
    expect(
      (await run(process.execPath, ['-e', 'process.kill(process.pid, "SIGSEGV")'])).signal
    ).toBe('SIGSEGV')
    expect((await run('/nonexistent/program', [])).startError).toBe('ENOENT')
    expect(
      (await run(process.execPath, ['-e', 'process.stdin.pipe(process.stdout)'], { input: 'line' }))
        .stdout
    ).toBe('line')
    expect(lastLine('a\n\nwhy it failed\n\n')).toBe('why it failed')
  })
})

describe('readElf', () => {
  test('tells static from dynamic and the machine', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'elf-'))
    await writeFile(join(dir, 'probe'), probeProgram('s390x'))
    expect(await readElf(join(dir, 'probe'))).toEqual({ machine: 22, dynamic: false })
    expect((await readElf(process.execPath))?.dynamic).toBe(true)
    await writeFile(
      join(dir, 'text'),
      'not an elf at all, but long enough to read a header from.......'
    )
    expect(await readElf(join(dir, 'text'))).toBeUndefined()
  })
})
