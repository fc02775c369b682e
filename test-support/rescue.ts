// Handlers whose interpreter is gone, kept restorable (as root). An entry registered with F whose
// interpreter file was deleted since still works: the kernel holds the file open. But it can never
// be registered again from its text (F opens the path at registration: ENOENT), so a test run that
// removes it would cost the machine that handler. Before anything changes, the harness copies such
// an interpreter out of the kernel; to restore the entry it puts the copy at the entry's path for
// the one registration, then deletes it again (and any directory it had to create): the entry is
// back byte for byte, running the same file as before.
//
// How the copy is taken: a file that matches the entry (its magic at its offset, or its extension)
// is executed by a child that asked to be traced (PTRACE_TRACEME). The kernel then stops it right
// after the exec, before the interpreter runs a single instruction, and /proc/<pid>/exe of the
// stopped process is the interpreter file the kernel holds, readable even though it is deleted.
// The child is then killed. Perl (always there: Debian's perl-base is essential) does the fork,
// the ptrace call and the copy.
import { execFileSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import {
  chmodSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmdirSync,
  rmSync,
  unlinkSync,
  writeFileSync
} from 'node:fs'
import { arch } from 'node:os'
import { dirname, join } from 'node:path'
import type { BinfmtEntry as Entry } from './binfmt.js'

/** Where copies are kept, in a directory per boot (an F handler never outlives a reboot). */
export const RESCUE_DIR = '/var/tmp/setup-cross-arch-e2e/interpreters'

/** ptrace(2)'s syscall number, by Node's name of the host's architecture. */
const SYS_PTRACE: Record<string, number> = { x64: 101, arm64: 117, riscv64: 117, loong64: 117 }

const TRACE = `
use POSIX ();
my ($file, $out) = @ARGV;
my $pid = fork() // die "fork: $!\\n";
if ($pid == 0) {
  syscall(${SYS_PTRACE[arch()] ?? -1}, 0, 0, 0, 0) == 0 or POSIX::_exit(126);
  exec { $file } $file or POSIX::_exit(127);
}
waitpid($pid, 0);
open(my $stat, '<', "/proc/$pid/stat") or die "the traced program did not stop after exec\\n";
my ($state) = (<$stat> =~ /\\) (\\S)/);
if ($state ne 't') { kill 'KILL', $pid; die "the traced program did not stop after exec (state $state)\\n" }
my $link = readlink("/proc/$pid/exe") // '';
print "$link\\n";
open(my $in, '<:raw', "/proc/$pid/exe") or die "open /proc/$pid/exe: $!\\n";
open(my $o, '>:raw', $out) or die "open $out: $!\\n";
while (sysread($in, my $buf, 1 << 16)) { print $o $buf or die "write: $!\\n" }
close($o) or die "close: $!\\n";
kill 'KILL', $pid;
waitpid($pid, 0);
`

/** An F entry whose interpreter is not at its path: it cannot be registered again from its text. */
export const interpreterGone = (e: Entry): boolean =>
  e.flags.includes('F') && !existsSync(e.interpreter)

const bootId = (): string => readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim()

/** Where the copy of an entry's interpreter is kept (the entry's text names it exactly). */
export function copyPath(name: string, text: string): string {
  const key = createHash('sha256').update(`${name}\n${text}`).digest('hex')
  return join(RESCUE_DIR, bootId(), `${name.replace(/[^\w.-]/g, '_')}-${key.slice(0, 16)}`)
}

/** Drops the copies of other boots: their handlers are gone with the boot. */
function dropOtherBoots(): void {
  if (!existsSync(RESCUE_DIR)) return
  for (const dir of readdirSync(RESCUE_DIR))
    if (dir !== bootId()) rmSync(join(RESCUE_DIR, dir), { recursive: true, force: true })
}

/**
 * Copies the interpreter of an enabled F entry whose file is gone out of the kernel, once per
 * entry and boot. Returns the copy's path, or throws saying why it could not be taken.
 */
export function rescueInterpreter(name: string, text: string, e: Entry): string {
  const copy = copyPath(name, text)
  if (existsSync(copy)) return copy
  if (!e.enabled) throw new Error('it is disabled, so no file can be run through it')
  if (SYS_PTRACE[arch()] === undefined) throw new Error(`no ptrace syscall number for ${arch()}`)
  dropOtherBoots()
  mkdirSync(dirname(copy), { recursive: true, mode: 0o700 })
  const work = mkdtempSync(join(dirname(copy), '.take-'))
  try {
    const file = join(work, e.extension !== undefined ? `probe${e.extension}` : 'probe')
    writeFileSync(file, matching(e))
    chmodSync(file, 0o755)
    const part = join(work, 'copy')
    const link = execFileSync('perl', ['-e', TRACE, file, part], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe']
    }).trim()
    if (link !== `${e.interpreter} (deleted)`) {
      throw new Error(
        `the file ran under ${link || 'nothing'}, not ${e.interpreter}: another entry matched it first`
      )
    }
    renameSync(part, copy)
    return copy
  } finally {
    rmSync(work, { recursive: true, force: true })
  }
}

/** A file the entry matches: its magic at its offset (masked bytes as the magic has them). */
function matching(e: Entry): Buffer {
  if (e.extension !== undefined) return Buffer.from('#!/bin/true\n')
  const magic = Buffer.from(e.magic ?? '', 'hex')
  const out = Buffer.alloc(Math.max(512, (e.offset ?? 0) + magic.length))
  magic.copy(out, e.offset ?? 0)
  return out
}

/**
 * Runs `register` with the copy at the entry's interpreter path, then deletes the copy and every
 * directory created for it. Refuses when something else is at that path now.
 */
export function withInterpreterAt<T>(path: string, copy: string, register: () => T): T {
  if (existsSync(path)) throw new Error(`${path} exists again, and is not the file the entry ran`)
  const created: string[] = []
  for (let dir = dirname(path); !existsSync(dir); dir = dirname(dir)) created.unshift(dir)
  try {
    for (const dir of created) mkdirSync(dir, { mode: 0o755 })
    copyFileSync(copy, path, 1 /* COPYFILE_EXCL */)
    chmodSync(path, 0o755)
    return register()
  } finally {
    if (existsSync(path)) unlinkSync(path)
    for (const dir of created.reverse()) rmdirSync(dir)
  }
}
