/**
 * A minimal static ELF executable writer for the emulation probes.
 *
 * Layout of the file (no section headers, ET_EXEC, everything in one page):
 *
 *   offset 0                 ELF header (52 bytes for ELFCLASS32, 64 for ELFCLASS64)
 *   e_phoff = e_ehsize       PT_LOAD      file offset 0 .. end, mapped R+X at `loadAddress`
 *                            PT_GNU_STACK RW: asks for a non-executable stack
 *   e_entry - loadAddress    the machine code; it keeps its data on the stack
 *
 * The whole file is mapped, so the entry point is `loadAddress + headers size`.
 */

/** What the ELF header has to say for one architecture. */
export interface ElfTarget {
  /** ELFCLASS32 or ELFCLASS64. */
  readonly bits: 32 | 64
  /** ELFDATA2LSB ('little') or ELFDATA2MSB ('big'). */
  readonly endian: 'little' | 'big'
  /** e_machine (EM_*). */
  readonly machine: number
  /** e_flags: ABI bits some loaders (QEMU's among them) read. */
  readonly flags: number
  /** Virtual address of file offset 0; a multiple of 64 KiB so it suits any page size. */
  readonly loadAddress: number
}

const EI_NIDENT = 16
const ELFCLASS32 = 1
const ELFCLASS64 = 2
const ELFDATA2LSB = 1
const ELFDATA2MSB = 2
const EV_CURRENT = 1
const ELFOSABI_SYSV = 0
const ET_EXEC = 2
const PT_LOAD = 1
const PT_GNU_STACK = 0x6474e551
const PF_X = 1
const PF_W = 2
const PF_R = 4
/** Segment alignment: the largest common page size (64 KiB on some arm64 and ppc64le kernels). */
export const SEGMENT_ALIGN = 0x10000

/** Sizes of the ELF header and of one program header for a class. */
export function headerSizes(bits: 32 | 64): { ehsize: number; phentsize: number } {
  return bits === 64 ? { ehsize: 64, phentsize: 56 } : { ehsize: 52, phentsize: 32 }
}

/** Program headers written by `buildElf`. */
export const PROGRAM_HEADER_COUNT = 2

/** The entry address `buildElf` gives a program for this target. */
export function entryAddress(target: ElfTarget): number {
  const { ehsize, phentsize } = headerSizes(target.bits)
  return target.loadAddress + ehsize + PROGRAM_HEADER_COUNT * phentsize
}

/** Builds a static ELF executable whose entry point is the first byte of `code`. */
export function buildElf(target: ElfTarget, code: ArrayLike<number>): Buffer {
  const { bits, endian, loadAddress } = target
  if (code.length === 0) throw new Error('ELF probe: empty code')
  if (!Number.isSafeInteger(loadAddress) || loadAddress <= 0 || loadAddress % SEGMENT_ALIGN !== 0) {
    throw new Error(`ELF probe: load address ${loadAddress} is not a positive multiple of 64 KiB`)
  }
  const { ehsize, phentsize } = headerSizes(bits)
  const codeOffset = ehsize + PROGRAM_HEADER_COUNT * phentsize
  const size = codeOffset + code.length
  if (bits === 32 && loadAddress + size > 0xffffffff) {
    throw new Error('ELF probe: load address does not fit a 32-bit ELF')
  }

  const out = Buffer.alloc(size)
  const le = endian === 'little'
  let pos = 0
  const u8 = (v: number): void => {
    pos = out.writeUInt8(v, pos)
  }
  const u16 = (v: number): void => {
    pos = le ? out.writeUInt16LE(v, pos) : out.writeUInt16BE(v, pos)
  }
  const u32 = (v: number): void => {
    pos = le ? out.writeUInt32LE(v >>> 0, pos) : out.writeUInt32BE(v >>> 0, pos)
  }
  const u64 = (v: number): void => {
    pos = le ? out.writeBigUInt64LE(BigInt(v), pos) : out.writeBigUInt64BE(BigInt(v), pos)
  }
  /** An address or offset: Elf32_Addr/Off or Elf64_Addr/Off. */
  const word = bits === 64 ? u64 : u32

  // e_ident
  for (const b of [0x7f, 0x45, 0x4c, 0x46]) u8(b) // "\x7fELF"
  u8(bits === 64 ? ELFCLASS64 : ELFCLASS32)
  u8(le ? ELFDATA2LSB : ELFDATA2MSB)
  u8(EV_CURRENT)
  u8(ELFOSABI_SYSV)
  pos = EI_NIDENT // EI_ABIVERSION and padding stay zero
  u16(ET_EXEC) // e_type
  u16(target.machine) // e_machine
  u32(EV_CURRENT) // e_version
  word(loadAddress + codeOffset) // e_entry
  word(ehsize) // e_phoff: program headers follow the ELF header
  word(0) // e_shoff: no section headers
  u32(target.flags) // e_flags
  u16(ehsize) // e_ehsize
  u16(phentsize) // e_phentsize
  u16(PROGRAM_HEADER_COUNT) // e_phnum
  u16(0) // e_shentsize
  u16(0) // e_shnum
  u16(0) // e_shstrndx (SHN_UNDEF)

  const programHeader = (type: number, flags: number, filesz: number, align: number): void => {
    const vaddr = filesz === 0 ? 0 : loadAddress
    u32(type) // p_type
    if (bits === 64) u32(flags) // p_flags (64-bit position)
    word(0) // p_offset
    word(vaddr) // p_vaddr
    word(vaddr) // p_paddr
    word(filesz) // p_filesz
    word(filesz) // p_memsz
    if (bits === 32) u32(flags) // p_flags (32-bit position)
    word(align) // p_align
  }
  programHeader(PT_LOAD, PF_R | PF_X, size, SEGMENT_ALIGN)
  programHeader(PT_GNU_STACK, PF_R | PF_W, 0, 16)

  if (pos !== codeOffset)
    throw new Error(`ELF probe: header is ${pos} bytes, expected ${codeOffset}`)
  for (let i = 0; i < code.length; i++) {
    const b = code[i]
    if (!Number.isInteger(b) || b < 0 || b > 0xff)
      throw new Error(`ELF probe: code[${i}] is not a byte`)
    out[codeOffset + i] = b
  }
  return out
}
