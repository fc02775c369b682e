import { jest } from '@jest/globals'
import { chmodSync, mkdirSync, readFileSync, symlinkSync, writeFileSync, lstatSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import * as os from 'node:os'
import { join } from 'node:path'
import { PassThrough } from 'node:stream'
import * as core from '../../__fixtures__/core.js'

jest.unstable_mockModule('@actions/core', () => core)

const { printable, MAX_SHOWN } = await import('../../src/session/escape.js')
const { parseRecord, checkEntry, isEntryName, emptyState, MAX_REGISTER_LENGTH } =
  await import('../../src/session/record.js')
const { checkOwned, StateDir } = await import('../../src/session/store.js')
const { keep, KeeperCoordination, LocalCoordination, Unshared } =
  await import('../../src/session/coordination.js')
const { coordinationFor, keeperRoute, ownPidNamespace, withRoute, KEEPER_ARG } =
  await import('../../src/session/route.js')
const { currentJob } = await import('../../src/session/session.js')
const { HostError } = await import('../../src/errors.js')
import type { SharedState } from '../../src/session/record.js'

const uid = process.getuid?.() as number
let tmp: string
beforeEach(async () => {
  core.reset()
  tmp = await mkdtemp(join(os.tmpdir(), 'session-'))
})
afterEach(async () => {
  await rm(tmp, { recursive: true, force: true })
})

describe('printable: text from files and other processes, for the log', () => {
  test.each([
    ['plain text stays', 'job-a (pid 12)', 'job-a (pid 12)'],
    ['newlines cannot start a line', 'job\n::warning::x', 'job\\x0a::warning::x'],
    ['carriage returns too', 'a\rb', 'a\\x0db'],
    ['a leading :: is broken up', '::save-state name=x::y', '\\x3a:save-state name=x::y'],
    ['after leading blanks too', '  ::error::x', '  \\x3a:error::x'],
    ['DEL and NUL', 'a\x7fb\x00', 'a\\x7fb\\x00'],
    ['non-ASCII as code points', 'é\u2028', '\\u{e9}\\u{2028}'],
    ['backslashes doubled, so an escape is never ambiguous', 'a\\x0a', 'a\\\\x0a'],
    ['a colon inside stays', 'a::b', 'a::b']
  ])('%s', (_what, text, shown) => {
    expect(printable(text)).toBe(shown)
  })

  test(`at most ${MAX_SHOWN} characters by default, then an ellipsis`, () => {
    expect(MAX_SHOWN).toBe(200)
    expect(printable('x'.repeat(200))).toBe('x'.repeat(200))
    expect(printable('x'.repeat(201))).toBe(`${'x'.repeat(200)}…`)
    expect(printable('abcdef', 3)).toBe('abc…')
  })
})

const entry = (over: Record<string, unknown> = {}) => ({
  name: 'qemu-aarch64',
  enabled: true,
  interpreter: '/usr/bin/qemu-aarch64-static',
  flags: 'OCF',
  offset: 0,
  magic: '7f454c460201010000000000000000000200b700',
  mask: 'ffffffffffffff00fffffffffffffffffeffffff',
  ...over
})

const record = (over: Record<string, unknown> = {}) => ({
  version: 1,
  boot: 'boot-1',
  mounted: false,
  baselines: { 'qemu-aarch64': { before: entry(), above: [], rank: 3 } },
  holders: [{ key: 'run/1/a/r/s', pid: 42, started: '1234', since: 1, names: ['qemu-aarch64'] }],
  ...over
})

describe('parseRecord: nothing re-registered on a file’s word alone', () => {
  test('empty text is a fresh record for this boot', () => {
    expect(parseRecord('', 'boot-2')).toEqual({ state: emptyState('boot-2') })
    expect(parseRecord('  \n', 'boot-2')).toEqual({ state: emptyState('boot-2') })
  })

  test('a record the action wrote reads back as it was', () => {
    const r = record({
      mounted: true,
      baselines: {
        'qemu-aarch64': {
          before: entry(),
          above: [entry({ name: 'other', mask: undefined })],
          rank: 3
        },
        'qemu-s390x': { above: [], rank: 0 },
        jar: {
          before: {
            name: 'jar',
            enabled: false,
            interpreter: '/usr/bin/jexec',
            flags: '',
            offset: 0,
            extension: '.jar'
          },
          above: [],
          rank: 1
        }
      }
    })
    expect(parseRecord(JSON.stringify(r), 'boot-1')).toEqual({
      state: JSON.parse(JSON.stringify(r))
    })
  })

  test('fields it does not know are dropped', () => {
    const r = record({ extra: 1, holders: [{ ...record().holders[0], cleanup: true, route: {} }] })
    expect(parseRecord(JSON.stringify(r), 'boot-1').state).toEqual(record())
  })

  test.each<[string, unknown, string]>([
    ['not JSON', '{"version":', 'Unexpected end of JSON input'],
    ['not an object', [], 'the record is not an object'],
    ['null', null, 'the record is not an object'],
    ['another version', record({ version: 2 }), 'the record is not of version 1'],
    ['a boot id with a newline', record({ boot: 'a\nb' }), 'the boot id is not allowed'],
    ['mounted not a boolean', record({ mounted: 'yes' }), 'mounted is not true or false'],
    ['baselines a list', record({ baselines: [] }), 'the baselines is not an object'],
    ['holders not a list', record({ holders: {} }), 'the holders is not a list'],
    [
      'too many holders',
      record({ holders: Array.from({ length: 257 }, () => record().holders[0]) }),
      'the holders has more than 256 items'
    ],
    [
      'too many baselines',
      record({
        baselines: Object.fromEntries(
          Array.from({ length: 257 }, (_, i) => [`x${i}`, { above: [], rank: 0 }])
        )
      }),
      'the record has more than 256 baselines'
    ],
    [
      'a holder key with a newline',
      record({ holders: [{ ...record().holders[0], key: 'a\n::warning::x' }] }),
      "holder 0's key is not allowed"
    ],
    [
      'a holder pid 0 (a job container’s parent)',
      record({ holders: [{ ...record().holders[0], pid: 0 }] }),
      "holder 0's pid is not a whole number from 1 to 4194304"
    ],
    [
      'a holder pid past the kernel’s limit',
      record({ holders: [{ ...record().holders[0], pid: 4_194_305 }] }),
      "holder 0's pid is not a whole number from 1 to 4194304"
    ],
    [
      'a fractional time',
      record({ holders: [{ ...record().holders[0], since: 1.5 }] }),
      "holder 0's time is not a whole number from 0 to 9007199254740991"
    ],
    [
      'a start time that is not clock ticks',
      record({ holders: [{ ...record().holders[0], started: 'x' }] }),
      "holder 0's start time is not allowed"
    ],
    [
      'a holder name with a slash',
      record({ holders: [{ ...record().holders[0], names: ['../x'] }] }),
      "holder 0's name 0 is not an entry name"
    ],
    [
      'too many names',
      record({ holders: [{ ...record().holders[0], names: Array(65).fill('x') }] }),
      "holder 0's names has more than 64 items"
    ],
    ['a holder not an object', record({ holders: ['x'] }), 'holder 0 is not an object'],
    [
      'a baseline named status',
      record({ baselines: { status: { above: [], rank: 0 } } }),
      'baseline name is not an entry name'
    ],
    [
      'a baseline of another name',
      record({ baselines: { 'qemu-s390x': { before: entry(), above: [], rank: 0 } } }),
      'the baseline of qemu-s390x names another entry'
    ],
    [
      'a negative rank',
      record({ baselines: { x: { above: [], rank: -1 } } }),
      "the baseline of x's rank is not a whole number from 0 to 100000"
    ],
    [
      'newer entries not a list',
      record({ baselines: { x: { above: {}, rank: 0 } } }),
      "the baseline of x's newer entries is not a list"
    ],
    [
      'a bad newer entry',
      record({ baselines: { x: { above: [entry({ interpreter: 'x' })], rank: 0 } } }),
      "the baseline of x's newer entry 0 (qemu-aarch64)'s interpreter is not allowed"
    ]
  ])('%s: discarded, and the reason given', (_what, value, problem) => {
    const text = typeof value === 'string' ? value : JSON.stringify(value)
    expect(parseRecord(text, 'boot-9')).toEqual({ state: emptyState('boot-9'), problem })
  })
})

describe('checkEntry: only what the kernel could have printed', () => {
  const bad = (over: Record<string, unknown>) => () => checkEntry(entry(over), 'e')

  test('a magic entry and an extension entry pass', () => {
    expect(checkEntry(entry(), 'e')).toEqual(entry())
    expect(checkEntry(entry({ mask: undefined }), 'e')).toEqual(entry({ mask: undefined }))
    const ext = {
      name: 'jar',
      enabled: true,
      interpreter: '/j',
      flags: '',
      offset: 0,
      extension: '.jar'
    }
    expect(checkEntry(ext, 'e')).toEqual(ext)
  })

  test.each<[string, Record<string, unknown>, string]>([
    [
      'a relative interpreter',
      { interpreter: 'tmp/x' },
      "e (qemu-aarch64)'s interpreter is not allowed"
    ],
    [
      'an interpreter with a newline',
      { interpreter: '/x\n' },
      "e (qemu-aarch64)'s interpreter is not allowed"
    ],
    [
      'a long interpreter',
      { interpreter: `/${'x'.repeat(255)}` },
      "e (qemu-aarch64)'s interpreter is not allowed"
    ],
    ['an unknown flag', { flags: 'OX' }, "e (qemu-aarch64)'s flags is not allowed"],
    ['flags out of order', { flags: 'FO' }, "e (qemu-aarch64)'s flags is not allowed"],
    ['C without O', { flags: 'C' }, "e (qemu-aarch64)'s flags are not as the kernel prints them"],
    [
      'an enabled that is text',
      { enabled: 'true' },
      "e (qemu-aarch64)'s enabled is not true or false"
    ],
    [
      'a negative offset',
      { offset: -1 },
      "e (qemu-aarch64)'s offset is not a whole number from 0 to 255"
    ],
    [
      'an upper-case magic',
      { magic: '7F', mask: undefined },
      "e (qemu-aarch64)'s magic is not allowed"
    ],
    ['an odd magic', { magic: '7f4', mask: undefined }, "e (qemu-aarch64)'s magic is not allowed"],
    ['no magic', { magic: undefined, mask: undefined }, "e (qemu-aarch64)'s magic is not allowed"],
    [
      'a mask of another length',
      { mask: 'ff' },
      "e (qemu-aarch64)'s mask is not as long as its magic"
    ],
    [
      'a magic past 256 bytes',
      { offset: 200, magic: 'ab'.repeat(57), mask: undefined },
      "e (qemu-aarch64)'s magic reaches past the first 256 bytes"
    ],
    [
      'an extension with a magic',
      { extension: '.x' },
      'e (qemu-aarch64) is an extension entry with a magic'
    ],
    [
      'an extension with a slash',
      { extension: './x', magic: undefined, mask: undefined },
      "e (qemu-aarch64)'s extension is not allowed"
    ],
    ['a name that is ..', { name: '..' }, "e's name is not an entry name"]
  ])('%s is refused', (_what, over, message) => {
    expect(bad(over)).toThrow(message)
  })

  test('a magic that just fits the first 256 bytes passes', () => {
    expect(
      checkEntry(entry({ offset: 199, magic: 'ab'.repeat(57), mask: undefined }), 'e').offset
    ).toBe(199)
  })

  test(`a line longer than the kernel takes (${MAX_REGISTER_LENGTH} bytes) is refused`, () => {
    const long = entry({
      interpreter: `/${'i'.repeat(254)}`,
      name: 'n'.repeat(255),
      magic: 'ab'.repeat(256),
      mask: 'cd'.repeat(256),
      offset: 0
    })
    expect(() => checkEntry(long, 'e')).toThrow(/is longer than a register line can be$/)
  })

  test('entry names: what the kernel accepts, nothing that could leave binfmt_misc', () => {
    for (const ok of [
      'qemu-aarch64',
      'qemu-aarch64.replacing',
      'jar',
      'python3.11',
      'x'.repeat(255)
    ])
      expect(isEntryName(ok)).toBe(true)
    for (const no of [
      '',
      '.',
      '..',
      'register',
      'status',
      'a/b',
      'a b',
      'a\nb',
      'x'.repeat(256),
      'é'
    ])
      expect(isEntryName(no)).toBe(false)
  })
})

describe('StateDir: only a directory and files root alone can write', () => {
  const stat = (
    over: Partial<Record<'uid' | 'mode' | 'nlink' | 'dev' | 'ino', number>> & { kind?: string } = {}
  ) => {
    const kind = over.kind ?? 'file'
    return {
      uid: 0,
      mode: 0o600,
      nlink: 1,
      dev: 1,
      ino: 2,
      ...over,
      isDirectory: () => kind === 'directory',
      isFile: () => kind === 'file',
      isSymbolicLink: () => kind === 'symlink'
    } as unknown as import('node:fs').Stats
  }

  test.each<[string, ReturnType<typeof stat>, 'file' | 'directory', string]>([
    [
      'a symlink',
      stat({ kind: 'symlink', mode: 0o777 }),
      'file',
      'is a symlink, not a regular file (owner uid 0, mode 0777)'
    ],
    ['a FIFO', stat({ kind: 'fifo' }), 'file', 'is a special file, not a regular file'],
    ['a file for a directory', stat(), 'directory', 'is a file, not a directory'],
    [
      'a directory for a file',
      stat({ kind: 'directory' }),
      'file',
      'is a directory, not a regular file'
    ],
    [
      'another owner',
      stat({ uid: 1000 }),
      'file',
      'is owned by uid 1000, not root (owner uid 1000, mode 0600)'
    ],
    [
      'group-writable',
      stat({ mode: 0o620 }),
      'file',
      'is writable by group or others (owner uid 0, mode 0620)'
    ],
    ['world-writable', stat({ mode: 0o602 }), 'file', 'is writable by group or others'],
    [
      'sticky and world-writable',
      stat({ kind: 'directory', mode: 0o1777 }),
      'directory',
      'is writable by group or others (owner uid 0, mode 1777)'
    ],
    ['hard-linked', stat({ nlink: 2 }), 'file', 'has 2 hard links']
  ])('%s is refused in one line: path, owner, mode, what to do', (_what, st, want, problem) => {
    expect(() => checkOwned('/run/x/f', st, want, 0)).toThrow(
      expect.objectContaining({
        message: expect.stringMatching(
          new RegExp(
            `^/run/x/f ${problem.replace(/[()]/g, '\\$&')}.*: the action keeps its binfmt_misc lock and record only where root alone can write, and will not use it\\. Remove it as root \\(rm -rf /run/x/f\\) and run the job again\\.$`
          )
        )
      })
    )
  })

  test('a file replaced between open and check is refused', () => {
    expect(() => checkOwned('/f', stat(), 'file', 0, stat({ ino: 3 }))).toThrow(
      /^\/f was replaced while it was opened/
    )
    expect(() => checkOwned('/f', stat(), 'file', 0, stat({ dev: 9 }))).toThrow(
      /^\/f was replaced while it was opened/
    )
    expect(() => checkOwned('/f', stat(), 'file', 0, stat())).not.toThrow()
  })

  test('a sticky directory above is fine; the same directory as ours is not', () => {
    const sticky = stat({ kind: 'directory', mode: 0o1777 })
    expect(() => checkOwned('/tmp', sticky, 'directory', 0, undefined, true)).not.toThrow()
    expect(() =>
      checkOwned('/tmp', stat({ kind: 'directory', mode: 0o777 }), 'directory', 0, undefined, true)
    ).toThrow(/writable by group or others/)
    expect(() =>
      checkOwned('/x', stat({ kind: 'directory', mode: 0o755, uid: 0 }), 'directory', 0)
    ).not.toThrow()
  })

  test('a directory someone else owns is refused, nothing created in it', () => {
    const dir = join(tmp, 'state')
    mkdirSync(dir, { mode: 0o700 })
    expect(() => new StateDir(dir, uid + 1).open('lock')).toThrow(
      new RegExp(`^${dir} is owned by uid ${uid}, not uid ${uid + 1}`)
    )
    expect(() => lstatSync(join(dir, 'lock'))).toThrow(/ENOENT/)
  })

  test('a symlink in place of the directory is refused, its target untouched', () => {
    const target = join(tmp, 'target')
    mkdirSync(target, { mode: 0o700 })
    symlinkSync(target, join(tmp, 'state'))
    expect(() => new StateDir(join(tmp, 'state'), uid).open('lock')).toThrow(
      new RegExp(`^${tmp}/state is a symlink, not a directory`)
    )
    expect(() => lstatSync(join(target, 'lock'))).toThrow(/ENOENT/)
  })

  test('a directory made group-writable is made 0700 again, on its descriptor', () => {
    const dir = join(tmp, 'state')
    mkdirSync(dir)
    chmodSync(dir, 0o750)
    new StateDir(dir, uid).open('lock')
    expect(lstatSync(dir).mode & 0o7777).toBe(0o700)
  })

  test('a file readable by others is made 0600; one writable by others is refused', () => {
    const dir = join(tmp, 'state')
    mkdirSync(dir, { mode: 0o700 })
    writeFileSync(join(dir, 'lock'), '')
    chmodSync(join(dir, 'lock'), 0o644)
    new StateDir(dir, uid).open('lock')
    expect(lstatSync(join(dir, 'lock')).mode & 0o7777).toBe(0o600)
    chmodSync(join(dir, 'lock'), 0o666)
    expect(() => new StateDir(dir, uid).open('lock')).toThrow(/lock is writable by group or others/)
  })

  test('a directory above that is not there is named', () => {
    expect(() => new StateDir(join(tmp, 'no', 'state'), uid).open('lock')).toThrow(
      `Could not use ${tmp}/no: it does not exist. The action keeps its binfmt_misc lock and record there, as root.`
    )
  })

  test('a directory above that others can write is refused', () => {
    const open = join(tmp, 'open')
    mkdirSync(open)
    chmodSync(open, 0o777)
    expect(() => new StateDir(join(open, 'state'), uid).open('lock')).toThrow(
      new RegExp(`^${open} is writable by group or others`)
    )
  })
})

/** A transaction that saves `state` and returns `result`. */
const saving =
  <T>(result: T, change: (s: SharedState) => SharedState = s => s) =>
  async (state: SharedState) => ({ result, state: change(state) })

describe('the keeper: the lock and the record through a process with root’s rights', () => {
  /** keep() on a state directory of this test, as the keeper process would run it. */
  function keeper(dir: string) {
    const input = new PassThrough()
    const sent: object[] = []
    const done = keep(new StateDir(dir, uid), input, m => sent.push(m))
    return { input, sent, done }
  }

  test('sends the record, saves the one it is sent back, releases the lock', async () => {
    const dir = join(tmp, 'state')
    const k = keeper(dir)
    k.input.write('{"who":"job\\n::warning::x"}\n')
    await new Promise(r => setImmediate(r))
    while (k.sent.length === 0) await new Promise(r => setTimeout(r, 10))
    expect(k.sent).toEqual([{ record: '' }])
    expect(readFileSync(join(dir, 'lock'), 'utf8')).toMatch(
      /^job\\x0a::warning::x \(pid \d+, since /
    )
    k.input.end('{"record":"saved\\n"}\n')
    expect(await k.done).toBe(0)
    expect(k.sent).toEqual([{ record: '' }, { saved: true }])
    expect(readFileSync(join(dir, 'state.json'), 'utf8')).toBe('saved\n')
    expect(readFileSync(join(dir, 'lock'), 'utf8')).toBe('')
  })

  test('input that ends without a record saves nothing (the job failed or died)', async () => {
    const dir = join(tmp, 'state')
    mkdirSync(dir, { mode: 0o700 })
    writeFileSync(join(dir, 'state.json'), 'kept', { mode: 0o600 })
    const k = keeper(dir)
    k.input.end('{"who":"a"}\n')
    expect(await k.done).toBe(0)
    expect(k.sent).toEqual([{ record: 'kept' }, { saved: true }])
    expect(readFileSync(join(dir, 'state.json'), 'utf8')).toBe('kept')
  })

  test('refusals are sent as errors, with exit code 1', async () => {
    const k = keeper(join(tmp, 'state'))
    k.input.end('{"who":1}\n')
    expect(await k.done).toBe(1)
    expect(k.sent).toEqual([{ error: 'the keeper was not told who it holds for' }])
    const empty = keeper(join(tmp, 'state'))
    empty.input.end()
    expect(await empty.done).toBe(1)
    const noRecord = keeper(join(tmp, 'state'))
    noRecord.input.end('{"who":"a"}\n{"other":1}\n')
    expect(await noRecord.done).toBe(1)
    expect(noRecord.sent).toEqual([{ record: '' }, { error: 'the keeper was sent no record' }])
    const unsafe = join(tmp, 'unsafe')
    mkdirSync(unsafe)
    chmodSync(unsafe, 0o777)
    const refused = keeper(unsafe)
    refused.input.end('{"who":"a"}\n')
    expect(await refused.done).toBe(1)
    expect(refused.sent).toEqual([
      { error: expect.stringMatching(new RegExp(`^${unsafe} is writable by group or others`)) }
    ])
  })

  /** A keeper process: this test's keep() on its own directory, started as node would start it. */
  const keeperCommand = (dir: string): string[] => [
    process.execPath,
    '--import',
    'tsx',
    '-e',
    `const { keep } = await import(${JSON.stringify(join(process.cwd(), 'src/session/coordination.ts'))})
     const { StateDir } = await import(${JSON.stringify(join(process.cwd(), 'src/session/store.ts'))})
     process.exitCode = await keep(new StateDir(${JSON.stringify(dir)}, ${uid}), process.stdin, m => process.stdout.write(JSON.stringify(m) + '\\n'))`
  ]

  test('a job reads and saves the record through it, and waits for it while another holds the lock', async () => {
    const dir = join(tmp, 'state')
    const c = new KeeperCoordination('boot-1', keeperCommand(dir), 'through a test keeper')
    const holder = { key: 'k', pid: 5, started: '1', since: 2, names: ['qemu-x'] }
    expect(
      await c.transaction('job-a', async state => {
        expect(state).toEqual(emptyState('boot-1'))
        return { result: 'a', state: { ...state, holders: [holder] } }
      })
    ).toBe('a')
    expect(JSON.parse(readFileSync(join(dir, 'state.json'), 'utf8')).holders).toEqual([holder])
    // another job (this process, as root would) holds the lock: the keeper says so, then waits
    const local = new LocalCoordination('boot-1', new StateDir(dir, uid))
    let release!: () => void
    const held = new Promise<void>(r => (release = r))
    let inside!: () => void
    const entered = new Promise<void>(r => (inside = r))
    const first = local.transaction('job-b\n::warning::x', async state => {
      inside()
      await held
      return { result: 'b', state }
    })
    await entered
    const waits: string[] = []
    const second = c.transaction(
      'job-c',
      async state => ({ result: state.holders.length, state }),
      who => {
        waits.push(who)
        release()
      }
    )
    expect(await Promise.all([first, second])).toEqual(['b', 1])
    expect(waits).toEqual([expect.stringMatching(/^job-b\\x0a::warning::x \(pid \d+, since .*\)$/)])
  }, 30_000)

  test('a record that is not valid is discarded with a warning, and the transaction starts afresh', async () => {
    const dir = join(tmp, 'state')
    mkdirSync(dir, { mode: 0o700 })
    writeFileSync(join(dir, 'state.json'), JSON.stringify(record({ mounted: 'x\n::error::y' })), {
      mode: 0o600
    })
    const c = new KeeperCoordination('boot-1', keeperCommand(dir), 'through a test keeper')
    let seen: SharedState | undefined
    await c.transaction('job', async state => ((seen = state), { result: 0, state }))
    expect(seen).toEqual(emptyState('boot-1'))
    expect(core.seen.warnings).toEqual([
      "Discarded the binfmt_misc record in the keeper's record (through a test keeper): mounted is not true or false. Nothing on the host is put back for it; the record starts afresh."
    ])
  }, 30_000)

  test('a transaction that throws saves nothing', async () => {
    const dir = join(tmp, 'state')
    const c = new KeeperCoordination('boot-1', keeperCommand(dir), 'through a test keeper')
    await c.transaction(
      'a',
      saving(0, s => ({ ...s, mounted: true }))
    )
    await expect(
      c.transaction('b', async () => {
        throw new Error('registration failed')
      })
    ).rejects.toThrow('registration failed')
    expect(JSON.parse(readFileSync(join(dir, 'state.json'), 'utf8')).mounted).toBe(true)
  }, 30_000)

  test('a keeper that cannot be started or refuses: one line saying so, escaped', async () => {
    const missing = new KeeperCoordination(
      'boot-1',
      [join(tmp, 'no-such-program')],
      'through nothing'
    )
    await expect(missing.transaction('a', saving(0))).rejects.toThrow(
      new RegExp(
        `^Could not take the binfmt_misc lock through nothing: it stopped: spawn .*no-such-program ENOENT\\. Check that this route still works on this runner, or set cleanup: false\\.$`
      )
    )
    const unsafe = join(tmp, 'unsafe')
    mkdirSync(unsafe)
    chmodSync(unsafe, 0o777)
    const refused = new KeeperCoordination('boot-1', keeperCommand(unsafe), 'through a test keeper')
    await expect(refused.transaction('a', saving(0))).rejects.toThrow(
      new RegExp(
        `^Could not take the binfmt_misc lock through a test keeper: ${unsafe} is writable by group or others .* \\(exit 1\\)\\. Check that`
      )
    )
    const chatty = new KeeperCoordination(
      'boot-1',
      ['sh', '-c', 'echo "::warning::x"; echo "oops\n::error::y" >&2; exit 3'],
      'through sh'
    )
    await expect(chatty.transaction('a', saving(0))).rejects.toThrow(
      'Could not take the binfmt_misc lock through sh: it printed "\\x3a:warning::x" (exit 3): \\x3a:error::y. Check that this route still works on this runner, or set cleanup: false.'
    )
    const unsaved = new KeeperCoordination(
      'boot-1',
      ['sh', '-c', 'read a; echo \'{"record":""}\'; read b; exit 0'],
      'through sh'
    )
    await expect(unsaved.transaction('a', saving(0))).rejects.toThrow(
      'Could not take the binfmt_misc lock through sh: it did not save the record (exit 0). Check that this route still works on this runner, or set cleanup: false.'
    )
  }, 30_000)
})

describe('routes to the record', () => {
  test('root and sudo take their own way; a docker-group user the registrar image’s shell; nobody else any', () => {
    expect(keeperRoute('root', undefined)).toEqual({ kind: 'root' })
    expect(keeperRoute('sudo', { kind: 'container', image: 'i', contract: 'multiarch' })).toEqual({
      kind: 'sudo'
    })
    expect(keeperRoute('none', { kind: 'container', image: 'i', contract: 'multiarch' })).toEqual({
      kind: 'container',
      image: 'i'
    })
    expect(
      keeperRoute('none', { kind: 'container', image: 'i', contract: 'binfmt' })
    ).toBeUndefined()
    expect(keeperRoute('none', { kind: 'direct' })).toBeUndefined()
    expect(keeperRoute('none', undefined)).toBeUndefined()
  })

  test('without a route: a hold is not recorded (said why); a restore is refused before any change', () => {
    const cli = { kind: 'container', image: 'tonistiigi/binfmt', contract: 'binfmt' } as const
    expect(withRoute('none', { kind: 'root' }, undefined)).toEqual({ mode: 'none' })
    expect(withRoute('hold', { kind: 'sudo' }, undefined)).toEqual({
      mode: 'hold',
      route: { kind: 'sudo' }
    })
    expect(withRoute('restore', { kind: 'root' }, undefined)).toEqual({
      mode: 'restore',
      route: { kind: 'root' }
    })
    expect(withRoute('hold', undefined, cli)).toEqual({
      mode: 'none',
      note: 'No hold recorded: without root, sudo or a registrar image with a shell this job cannot reach the root-only record, so other jobs do not know it uses these handlers.'
    })
    // registrar: none changes nothing: nothing to put back, so no refusal
    expect(withRoute('restore', undefined, undefined).mode).toBe('none')
    expect(() => withRoute('restore', undefined, cli)).toThrow(
      'cleanup is on, and this job has no way to the root-only binfmt_misc record: it is not root, has no passwordless sudo, and the registrar image tonistiigi/binfmt has no shell to keep the record with. Use a registrar image with a shell (multiarch/qemu-user-static style), grant passwordless sudo, or set cleanup: false.'
    )
    expect(() => withRoute('restore', undefined, { kind: 'direct' })).toThrow(
      /and no registrar container to keep/
    )
    expect(() => withRoute('restore', undefined, cli)).toThrow(HostError)
  })

  test('each route’s coordination: in this process, through sudo, through the image’s shell', () => {
    expect(coordinationFor(undefined, 'b')).toBeInstanceOf(Unshared)
    expect(coordinationFor({ kind: 'root' }, 'b')).toBeInstanceOf(LocalCoordination)
    const sudo = coordinationFor({ kind: 'sudo' }, 'b') as unknown as {
      command: string[]
      via: string
    }
    expect(sudo.command).toEqual(['sudo', '-n', process.execPath, process.argv[1], KEEPER_ARG])
    expect(sudo.via).toBe('through sudo')
    const boxed = coordinationFor({ kind: 'container', image: 'reg/qemu:1' }, 'b') as unknown as {
      command: string[]
      via: string
    }
    expect(boxed.command).toEqual([
      'docker',
      'run',
      '--rm',
      '--interactive',
      '--network',
      'none',
      '--pull',
      'never',
      '--user',
      '0:0',
      '--volume',
      '/:/host',
      '--entrypoint',
      '/bin/sh',
      'reg/qemu:1',
      '-c',
      'exec chroot /host "$@"',
      'sh',
      process.execPath,
      process.argv[1],
      KEEPER_ARG
    ])
    expect(boxed.via).toBe('through a container of reg/qemu:1')
    expect(KEEPER_ARG).toBe('keep-binfmt-record')
  })

  test('Unshared: no lock, an empty record, nothing saved', async () => {
    const seen: SharedState[] = []
    const u = new Unshared('boot-3')
    expect(
      await u.transaction(
        'a',
        async s => (seen.push(s), { result: 1, state: { ...s, mounted: true } })
      )
    ).toBe(1)
    expect(await u.transaction('a', async s => (seen.push(s), { result: 2, state: s }))).toBe(2)
    expect(seen).toEqual([emptyState('boot-3'), emptyState('boot-3')])
  })

  test('a pid namespace of its own: any but the initial one, or none readable', () => {
    expect(ownPidNamespace(() => 'pid:[4026531836]')).toBe(false)
    expect(ownPidNamespace(() => 'pid:[4026532201]')).toBe(true)
    expect(
      ownPidNamespace(() => {
        throw new Error('EACCES')
      })
    ).toBe(true)
  })

  test('the job: its runner identity and its runner process', () => {
    const live = {
      boot: 'b',
      started: (pid: number) => (pid === process.ppid ? '77' : undefined),
      now: () => 0
    }
    expect(
      currentJob(live, {
        GITHUB_RUN_ID: '1',
        GITHUB_RUN_ATTEMPT: '2',
        GITHUB_JOB: 'j',
        RUNNER_NAME: 'r',
        GITHUB_ACTION: 's'
      })
    ).toEqual({
      key: '1/2/j/r/s',
      pid: process.ppid,
      started: '77'
    })
  })
})
