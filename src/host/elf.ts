import { closeSync, openSync, readSync } from 'node:fs'

export interface ElfInfo {
  /** ELF e_machine. */
  readonly machine: number
  /** Has a PT_INTERP program header: needs a dynamic loader, so it cannot serve as an F-flag interpreter inside containers. */
  readonly dynamic: boolean
}

const PT_INTERP = 3

/** Reads just enough of an ELF file to tell its machine and whether it is dynamically linked. */
export async function readElf(path: string): Promise<ElfInfo | undefined> {
  const fd = openSync(path, 'r')
  try {
    const head = Buffer.alloc(64)
    readSync(fd, head, 0, 64, 0)
    if (head.readUInt32BE(0) !== 0x7f454c46) return undefined
    const is64 = head[4] === 2
    const le = head[5] === 1
    const u16 = (b: Buffer, o: number) => (le ? b.readUInt16LE(o) : b.readUInt16BE(o))
    const u32 = (b: Buffer, o: number) => (le ? b.readUInt32LE(o) : b.readUInt32BE(o))
    const machine = u16(head, 18)
    const phoff = is64
      ? Number(le ? head.readBigUInt64LE(32) : head.readBigUInt64BE(32))
      : u32(head, 28)
    const phentsize = u16(head, is64 ? 54 : 42)
    const phnum = u16(head, is64 ? 56 : 44)
    const table = Buffer.alloc(phentsize * phnum)
    readSync(fd, table, 0, table.length, phoff)
    let dynamic = false
    for (let i = 0; i < phnum; i++) {
      if (u32(table, i * phentsize) === PT_INTERP) dynamic = true
    }
    return { machine, dynamic }
  } finally {
    closeSync(fd)
  }
}
