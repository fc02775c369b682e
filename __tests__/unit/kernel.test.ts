import { jest } from '@jest/globals'
import * as fs from 'node:fs'
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import * as os from 'node:os'
import { join } from 'node:path'
import { runInThisContext } from 'node:vm'

// Every write(2) the root route makes, recorded on its way to the real file: binfmt_misc takes
// each line in a single write, so each op must be exactly one.
const writes: string[] = []
jest.unstable_mockModule('node:fs', () => ({
  ...fs,
  writeFileSync: (...args: Parameters<typeof fs.writeFileSync>) => {
    writes.push(`${String(args[0])} <- ${String(args[1])}`)
    return fs.writeFileSync(...args)
  }
}))

const { DirectWriter, KernelWriteError, describeOp, opWrite } =
  await import('../../src/host/kernel.js')
const { detectPrivilege, Privilege } = await import('../../src/host/privilege.js')
const { HostError } = await import('../../src/errors.js')
import type { KernelOp } from '../../src/host/kernel.js'

const LINE =
  ':qemu-aarch64:M::\\x7fELF\\x02:\\xff\\xff\\xff\\xff\\xff:/usr/bin/qemu-aarch64-static:F'

let dir: string
beforeEach(async () => {
  writes.length = 0
  dir = await mkdtemp(join(os.tmpdir(), 'binfmt-dir-'))
})
afterEach(async () => {
  await rm(dir, { recursive: true, force: true })
})

const read = (name: string) => readFile(join(dir, name), 'utf8')

async function failure(promise: Promise<unknown>): Promise<InstanceType<typeof KernelWriteError>> {
  try {
    await promise
  } catch (error) {
    if (error instanceof KernelWriteError) return error
    throw error
  }
  throw new Error('did not fail')
}

describe('opWrite', () => {
  test.each([
    [{ op: 'register', name: 'qemu-aarch64', line: LINE }, 'register', LINE],
    [{ op: 'remove', name: 'qemu-aarch64' }, 'qemu-aarch64', '-1'],
    [{ op: 'enable', name: 'qemu-arm' }, 'qemu-arm', '1'],
    [{ op: 'disable', name: 'qemu-arm' }, 'qemu-arm', '0']
  ] as [KernelOp, string, string][])('%j writes %s: %s', (op, file, text) => {
    expect(opWrite('/b', op)).toEqual({ path: `/b/${file}`, text })
  })

  test.each(['status', 'register', 'qemu-x/../status', '../status', ''])(
    'refuses to write anything but an entry: %j',
    name => {
      for (const op of ['remove', 'enable', 'disable'] as const)
        expect(() => opWrite('/b', { op, name })).toThrow(`refusing to write to "${name}"`)
    }
  )

  test('ops are described for the log', () => {
    expect(describeOp({ op: 'register', name: 'qemu-aarch64', line: LINE })).toBe(
      'registering qemu-aarch64 (interpreter /usr/bin/qemu-aarch64-static, flags "F")'
    )
    expect(describeOp({ op: 'remove', name: 'qemu-arm' })).toBe('removing qemu-arm')
    expect(describeOp({ op: 'enable', name: 'qemu-arm' })).toBe('enabling qemu-arm')
    expect(describeOp({ op: 'disable', name: 'qemu-arm' })).toBe('disabling qemu-arm')
  })
})

describe('DirectWriter as root', () => {
  const writer = () => new DirectWriter(new Privilege('root'), dir)

  test('each op writes its text to its file, in one write each', async () => {
    await writer().apply([
      { op: 'register', name: 'qemu-aarch64', line: LINE },
      { op: 'disable', name: 'qemu-arm' },
      { op: 'enable', name: 'qemu-s390x' },
      { op: 'remove', name: 'qemu-riscv64' }
    ])
    expect(await read('register')).toBe(LINE)
    expect(await read('qemu-arm')).toBe('0')
    expect(await read('qemu-s390x')).toBe('1')
    expect(await read('qemu-riscv64')).toBe('-1')
    expect(writes).toEqual([
      `${dir}/register <- ${LINE}`,
      `${dir}/qemu-arm <- 0`,
      `${dir}/qemu-s390x <- 1`,
      `${dir}/qemu-riscv64 <- -1`
    ])
  })

  test('describes itself, and is the direct route that writes any line', () => {
    expect(writer().description).toBe('as root')
    expect(writer().spec).toEqual({ kind: 'direct' })
    expect(writer().writesAnyLine).toBe(true)
  })

  test('a write the kernel refuses stops there: KernelWriteError with the ops done before it', async () => {
    await mkdir(join(dir, 'qemu-busy')) // writing to a directory fails with EISDIR
    const ops: KernelOp[] = [
      { op: 'register', name: 'qemu-aarch64', line: LINE },
      { op: 'disable', name: 'qemu-arm' },
      { op: 'remove', name: 'qemu-busy' },
      { op: 'enable', name: 'qemu-s390x' }
    ]
    const error = await failure(writer().apply(ops))
    expect(error.done).toBe(2)
    expect(error.op).toEqual(ops[2])
    expect(error.code).toBe('EISDIR')
    expect(error.message).toMatch(
      /^removing qemu-busy failed: EISDIR: illegal operation on a directory/
    )
    expect(await read('qemu-arm')).toBe('0')
    expect(fs.existsSync(join(dir, 'qemu-s390x'))).toBe(false)
  })

  test('refuses to write to status, register or a path, leaving them alone', async () => {
    await writeFile(join(dir, 'status'), 'enabled\n')
    for (const name of ['status', 'register', '../escape', 'qemu-x/../status']) {
      await expect(writer().apply([{ op: 'remove', name }])).rejects.toThrow(
        `refusing to write to "${name}"`
      )
    }
    expect(await read('status')).toBe('enabled\n')
    expect(fs.existsSync(join(dir, 'register'))).toBe(false)
    expect(fs.existsSync(join(dir, '..', 'escape'))).toBe(false)
    expect(writes).toEqual([])
  })

  test('mount where binfmt_misc does not exist: this kernel has no binfmt_misc support', async () => {
    const missing = join(dir, 'binfmt_misc')
    const error = await new DirectWriter(new Privilege('root'), missing).mount().catch(e => e)
    expect(error).toBeInstanceOf(HostError)
    expect(error.message).toBe(
      `${missing} does not exist: this kernel has no binfmt_misc support. Load it with "modprobe binfmt_misc" on the host, or use a runner whose kernel has it.`
    )
  })

  test('mount without root: names what needs root and the ways to get it', async () => {
    const error = await new DirectWriter(new Privilege('none'), dir).mount().catch(e => e)
    expect(error).toBeInstanceOf(HostError)
    expect(error.message).toMatch(
      new RegExp(
        `^Mounting binfmt_misc at ${dir} needs root, and this job runs as uid \\d+ without passwordless sudo\\. Run the job as root, grant the runner user passwordless sudo, or, on a self-hosted runner, register the handlers once as root and use registrar: none with install: none\\.$`
      )
    )
  })
})

/**
 * A stand-in for `sudo -n`, first on PATH: logs its arguments to sudo.log next to it and acts as
 * root would. `tee` writes stdin to the file (and a register line creates its entry file, failing
 * with "File exists" when the entry exists or "Invalid argument" for an empty name); mount and
 * umount only succeed, unless `<cmd>-error` holds their error; other programs run as they are.
 * A file `deny` next to it makes it ask for a password.
 */
const FAKE_SUDO = `#!/bin/sh
here=$(dirname "$0")
echo "$*" >> "$here/sudo.log"
if [ "$1" != -n ] || [ -e "$here/deny" ]; then echo 'sudo: a password is required' >&2; exit 1; fi
shift
case "$1" in --preserve-env=*) shift ;; esac
case "$1" in
  true) exit 0 ;;
  tee)
    file=$2
    cat > "$here/stdin"
    case "$file" in */register)
      sep=$(head -c1 "$here/stdin")
      name=$(cut -d"$sep" -f2 "$here/stdin")
      if [ -z "$name" ]; then echo "tee: $file: Invalid argument" >&2; exit 1; fi
      if [ -e "$(dirname "$file")/$name" ]; then echo "tee: $file: File exists" >&2; exit 1; fi
      echo enabled > "$(dirname "$file")/$name" ;;
    esac
    cat "$here/stdin" > "$file" || exit 1
    cat "$here/stdin" ;;
  mount|umount)
    if [ -e "$here/$1-error" ]; then cat "$here/$1-error" >&2; exit 32; fi ;;
  *) exec "$@" ;;
esac
`

describe('through sudo', () => {
  // Jest hands tests a copy of process.env; child processes inherit the real one.
  const realEnv = runInThisContext('process.env') as NodeJS.ProcessEnv
  const savedPath = realEnv.PATH
  const savedGetuid = process.getuid
  let bin: string
  const log = async () =>
    (await readFile(join(bin, 'sudo.log'), 'utf8').catch(() => '')).split('\n').filter(Boolean)

  beforeEach(async () => {
    bin = await mkdtemp(join(os.tmpdir(), 'fake-sudo-'))
    await writeFile(join(bin, 'sudo'), FAKE_SUDO)
    await chmod(join(bin, 'sudo'), 0o755)
    realEnv.PATH = `${bin}:${savedPath}`
    process.getuid = () => 1000
  })
  afterEach(async () => {
    realEnv.PATH = savedPath
    process.getuid = savedGetuid
    await rm(bin, { recursive: true, force: true })
  })

  test('root and sudo can act as root; none cannot, and says so when required', () => {
    expect(new Privilege('root').canActAsRoot).toBe(true)
    expect(new Privilege('sudo').canActAsRoot).toBe(true)
    expect(new Privilege('none').canActAsRoot).toBe(false)
    expect(() => new Privilege('sudo').require('x')).not.toThrow()
    expect(() => new Privilege('none').require('Registering handlers')).toThrow(
      /^Registering handlers needs root, and this job runs as uid 1000 without passwordless sudo\./
    )
  })

  test('detectPrivilege: root is root, without asking sudo', async () => {
    process.getuid = () => 0
    expect(await detectPrivilege()).toBe('root')
    expect(await log()).toEqual([])
  })

  test('detectPrivilege: passwordless sudo (sudo -n true succeeds) is sudo', async () => {
    expect(await detectPrivilege()).toBe('sudo')
    expect(await log()).toEqual(['-n true'])
  })

  test('detectPrivilege: sudo asking for a password, or no sudo at all, is none', async () => {
    await writeFile(join(bin, 'deny'), '')
    expect(await detectPrivilege()).toBe('none')
    realEnv.PATH = join(bin, 'empty')
    expect(await detectPrivilege()).toBe('none')
  })

  test('write: sudo -n tee <file>, the text on stdin', async () => {
    await new Privilege('sudo').write(join(dir, 'qemu-arm'), '0')
    expect(await read('qemu-arm')).toBe('0')
    expect(await log()).toEqual([`-n tee ${dir}/qemu-arm`])
  })

  test('run: sudo -n, keeping DEBIAN_FRONTEND', async () => {
    const result = await new Privilege('sudo').run('echo', ['ran', 'as root'])
    expect(result).toMatchObject({ code: 0, stdout: 'ran as root\n' })
    expect(await log()).toEqual(['-n --preserve-env=DEBIAN_FRONTEND echo ran as root'])
  })

  test('a failing tee: "File exists" is EEXIST, "Invalid argument" EINVAL, the rest EIO', async () => {
    const privilege = new Privilege('sudo')
    const code = (path: string, text: string) =>
      privilege.write(path, text).then(
        () => 'written',
        (e: NodeJS.ErrnoException) => `${e.code}: ${e.message}`
      )
    expect(await code(join(dir, 'register'), ':qemu-arm:M::x::/q:')).toBe('written')
    expect(await code(join(dir, 'register'), ':qemu-arm:M::x::/q:')).toBe(
      `EEXIST: tee: ${dir}/register: File exists`
    )
    expect(await code(join(dir, 'register'), '::M::x::/q:')).toBe(
      `EINVAL: tee: ${dir}/register: Invalid argument`
    )
    expect(await code(join(dir, 'nowhere', 'qemu-arm'), '1')).toMatch(/^EIO: .*nowhere\/qemu-arm/)
  })

  test('DirectWriter through sudo: one tee per op; a refusal is a KernelWriteError', async () => {
    const writer = new DirectWriter(new Privilege('sudo'), dir)
    expect(writer.description).toBe('through sudo')
    const error = await failure(
      writer.apply([
        { op: 'register', name: 'qemu-aarch64', line: LINE },
        { op: 'disable', name: 'qemu-aarch64' },
        { op: 'register', name: 'qemu-aarch64', line: LINE }
      ])
    )
    expect(error.done).toBe(2)
    expect(error.code).toBe('EEXIST')
    expect(error.reason).toBe(`tee: ${dir}/register: File exists`)
    expect(await read('register')).toBe(LINE)
    expect(await read('qemu-aarch64')).toBe('0')
    expect(await log()).toEqual([
      `-n tee ${dir}/register`,
      `-n tee ${dir}/qemu-aarch64`,
      `-n tee ${dir}/register`
    ])
  })

  test('mount and unmount through sudo; their failures say what to do', async () => {
    const writer = new DirectWriter(new Privilege('sudo'), dir)
    await writer.mount()
    await writer.unmount()
    expect(await log()).toEqual([
      `-n --preserve-env=DEBIAN_FRONTEND mount -t binfmt_misc binfmt_misc ${dir}`,
      `-n --preserve-env=DEBIAN_FRONTEND umount ${dir}`
    ])
    await writeFile(join(bin, 'mount-error'), `mount: ${dir}: permission denied.\n`)
    await writeFile(join(bin, 'umount-error'), `umount: ${dir}: target is busy.\n`)
    await expect(writer.mount()).rejects.toThrow(
      `Could not mount binfmt_misc at ${dir}: mount: ${dir}: permission denied.. Inside a job container, run it with --privileged (or mount binfmt_misc on the host first); rootless containers cannot register handlers for the host.`
    )
    await expect(writer.unmount()).rejects.toThrow(
      `Could not unmount ${dir}: umount: ${dir}: target is busy..`
    )
  })
})
