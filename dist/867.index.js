export const id = 867;
export const ids = [867];
export const modules = {

/***/ 5867:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {


// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  probeProgram: () => (/* binding */ probeProgram)
});

// UNUSED EXPORTS: PROBE_CPUS

;// CONCATENATED MODULE: ./src/verifier/probe/code.ts
/** Serialises 32-bit instruction words in the target's byte order. */
function words(endian, list) {
    const buf = Buffer.alloc(list.length * 4);
    list.forEach((word, i) => {
        if (endian === 'little')
            buf.writeUInt32LE(word, i * 4);
        else
            buf.writeUInt32BE(word, i * 4);
    });
    return Object.freeze([...buf]);
}
/** Concatenates instructions written as hex bytes in memory order ('48 89 e7'). */
function hex(list) {
    const bytes = list.flatMap(insn => insn.split(' ').map(token => {
        if (!/^[0-9a-f]{2}$/.test(token))
            throw new Error(`probe code: bad byte "${token}"`);
        return parseInt(token, 16);
    }));
    return Object.freeze(bytes);
}
// e_machine values (EM_*) from the ELF specification / <elf.h>.
const EM_386 = 3;
const EM_MIPS = 8;
const EM_PPC64 = 21;
const EM_S390 = 22;
const EM_ARM = 40;
const EM_X86_64 = 62;
const EM_AARCH64 = 183;
const EM_RISCV = 243;
/**
 * ARM: EF_ARM_EABI_VER5. QEMU 7.2 runs the probe without it too, but an EABI-only ARM kernel
 * (running the probe natively) refuses a binary that names no EABI version.
 */
const EF_ARM_EABI_VER5 = 0x05000000;
/**
 * ppc64: ELFv2 ABI. Required: with e_flags 0 or 1 (ELFv1) QEMU reads e_entry as the address of a
 * function descriptor and the probe dies with SIGSEGV.
 */
const EF_PPC64_ELFV2 = 2;
/**
 * MIPS: EF_MIPS_ARCH_64R2, as Debian's mips64el binaries; QEMU 7.2 then picks its 64-bit
 * MIPS64R2-generic CPU (with 0, the 64-bit 5KEf). Not EF_MIPS_ABI2 (0x20): that is n32, which
 * qemu-mips64{,el} rejects ("Invalid ELF image"); not EF_MIPS_ARCH_64R6: QEMU then wants
 * EF_MIPS_NAN2008 ("ELF binary's NaN mode not supported by CPU").
 */
const EF_MIPS_ARCH_64R2 = 0x80000000;
// Linux AArch64: x8 = syscall number, `svc #0`. uname 160, write 64, exit_group 94.
// prettier-ignore
const AARCH64 = words('little', [
    0xd10643ff, // 00    sub    sp, sp, #400  struct utsname (390 bytes); sp stays 16-aligned
    0x910003e0, // 04    mov    x0, sp        x0 = &utsname
    0xd2801408, // 08    mov    x8, #160      __NR_uname
    0xd4000001, // 0c    svc    #0
    0x910413e1, // 10    add    x1, sp, #260  x1 = utsname.machine (offset 4 x 65)
    0xd2800002, // 14    mov    x2, #0        x2 = length so far
    0x38626823, // 18 1: ldrb   w3, [x1, x2]  w3 = machine[length]
    0x34000063, // 1c    cbz    w3, 2f        NUL terminator: done
    0x91000442, // 20    add    x2, x2, #1    length++
    0x17fffffd, // 24    b      1b
    0x52800143, // 28 2: mov    w3, #10       '\n'
    0x38226823, // 2c    strb   w3, [x1, x2]  replace the NUL with '\n'
    0x91000442, // 30    add    x2, x2, #1    count the newline
    0xd2800020, // 34    mov    x0, #1        stdout; x1 = buffer, x2 = length
    0xd2800808, // 38    mov    x8, #64       __NR_write
    0xd4000001, // 3c    svc    #0
    0xd2800000, // 40    mov    x0, #0        status 0
    0xd2800bc8, // 44    mov    x8, #94       __NR_exit_group
    0xd4000001, // 48    svc    #0
]);
// Linux ARM EABI, A32 state: r7 = syscall number, `svc #0`. uname 122, write 4, exit_group 248.
// prettier-ignore
const ARM = words('little', [
    0xe24dde19, // 00    sub    sp, sp, #400  struct utsname (6 x 65 = 390 bytes)
    0xe1a0000d, // 04    mov    r0, sp        r0 = &utsname
    0xe3a0707a, // 08    mov    r7, #122      __NR_uname
    0xef000000, // 0c    svc    #0
    0xe28d1f41, // 10    add    r1, sp, #260  r1 = utsname.machine (offset 4 x 65)
    0xe3a02000, // 14    mov    r2, #0        r2 = length so far
    0xe7d13002, // 18 1: ldrb   r3, [r1, r2]  r3 = machine[length]
    0xe3530000, // 1c    cmp    r3, #0        NUL terminator?
    0x12822001, // 20    addne  r2, r2, #1    no: length++
    0x1afffffb, // 24    bne    1b            and loop
    0xe3a0300a, // 28    mov    r3, #10       '\n'
    0xe7c13002, // 2c    strb   r3, [r1, r2]  replace the NUL with '\n'
    0xe2822001, // 30    add    r2, r2, #1    count the newline
    0xe3a00001, // 34    mov    r0, #1        stdout; r1 = buffer, r2 = length
    0xe3a07004, // 38    mov    r7, #4        __NR_write
    0xef000000, // 3c    svc    #0
    0xe3a00000, // 40    mov    r0, #0        status 0
    0xe3a070f8, // 44    mov    r7, #248      __NR_exit_group
    0xef000000, // 48    svc    #0
]);
// Linux ppc64 (ELFv2): r0 = syscall number, `sc`. uname 122, write 4, exit_group 234.
// prettier-ignore
const PPC64LE = words('little', [
    0x3821fe70, // 00    addi   1, 1, -400  struct utsname (6 x 65 = 390 bytes)
    0x7c230b78, // 04    mr     3, 1        r3 = &utsname
    0x3800007a, // 08    li     0, 122      __NR_uname
    0x44000002, // 0c    sc
    0x38810104, // 10    addi   4, 1, 260   r4 = utsname.machine (offset 4 x 65)
    0x38a00000, // 14    li     5, 0        r5 = length so far
    0x7cc428ae, // 18 1: lbzx   6, 4, 5     r6 = machine[length]
    0x2c060000, // 1c    cmpwi  6, 0        NUL terminator?
    0x4182000c, // 20    beq    2f          yes: done
    0x38a50001, // 24    addi   5, 5, 1     length++
    0x4bfffff0, // 28    b      1b
    0x38c0000a, // 2c 2: li     6, 10       '\n'
    0x7cc429ae, // 30    stbx   6, 4, 5     replace the NUL with '\n'
    0x38a50001, // 34    addi   5, 5, 1     count the newline
    0x38600001, // 38    li     3, 1        stdout; r4 = buffer, r5 = length
    0x38000004, // 3c    li     0, 4        __NR_write
    0x44000002, // 40    sc
    0x38600000, // 44    li     3, 0        status 0
    0x380000ea, // 48    li     0, 234      __NR_exit_group
    0x44000002, // 4c    sc
]);
// Linux s390x: `svc N` carries the number (< 256), arguments in r2... uname 122, write 4,
// exit_group 248.
// prettier-ignore
const S390X = hex([
    'a7 fb fe 70', // 00    aghi   %r15, -400      struct utsname (6 x 65 = 390 bytes)
    'b9 04 00 2f', // 04    lgr    %r2, %r15       r2 = &utsname
    '0a 7a', // 08    svc    122             __NR_uname
    '41 30 f1 04', // 0a    la     %r3, 260(%r15)  r3 = utsname.machine (offset 4 x 65)
    'b9 04 00 43', // 0e    lgr    %r4, %r3        r4 = cursor
    '95 00 40 00', // 12 1: cli    0(%r4), 0       *cursor == NUL?
    'a7 84 00 06', // 16    je     2f              yes: done
    'a7 4b 00 01', // 1a    aghi   %r4, 1          cursor++
    'a7 f4 ff fa', // 1e    j      1b
    '92 0a 40 00', // 22 2: mvi    0(%r4), 10      replace the NUL with '\n'
    'a7 4b 00 01', // 26    aghi   %r4, 1          cursor past the newline
    'b9 09 00 43', // 2a    sgr    %r4, %r3        r4 = length = cursor - machine
    'a7 29 00 01', // 2e    lghi   %r2, 1          stdout; r3 = buffer, r4 = length
    '0a 04', // 32    svc    4               __NR_write
    'a7 29 00 00', // 34    lghi   %r2, 0          status 0
    '0a f8', // 38    svc    248             __NR_exit_group
]);
// Linux RISC-V: a7 = syscall number, `ecall`. uname 160, write 64, exit_group 94. e_flags 0:
// no compressed (RVC) instructions and no floating point, so no float ABI bits (QEMU 7.2 ignores
// them; 0x5, RVC + double, runs too).
// prettier-ignore
const RISCV64 = words('little', [
    0xe7010113, // 00    addi   sp, sp, -400  struct utsname (390 bytes); sp stays 16-aligned
    0x00010513, // 04    mv     a0, sp        a0 = &utsname
    0x0a000893, // 08    li     a7, 160       __NR_uname
    0x00000073, // 0c    ecall
    0x10410593, // 10    addi   a1, sp, 260   a1 = utsname.machine (offset 4 x 65)
    0x00058613, // 14    mv     a2, a1        a2 = cursor
    0x00064283, // 18 1: lbu    t0, 0(a2)     t0 = *cursor
    0x00028663, // 1c    beqz   t0, 2f        NUL terminator: done
    0x00160613, // 20    addi   a2, a2, 1     cursor++
    0xff5ff06f, // 24    j      1b
    0x00a00293, // 28 2: li     t0, 10        '\n'
    0x00560023, // 2c    sb     t0, 0(a2)     replace the NUL with '\n'
    0x00160613, // 30    addi   a2, a2, 1     cursor past the newline
    0x40b60633, // 34    sub    a2, a2, a1    a2 = length = cursor - machine
    0x00100513, // 38    li     a0, 1         stdout; a1 = buffer, a2 = length
    0x04000893, // 3c    li     a7, 64        __NR_write
    0x00000073, // 40    ecall
    0x00000513, // 44    li     a0, 0         status 0
    0x05e00893, // 48    li     a7, 94        __NR_exit_group
    0x00000073, // 4c    ecall
]);
// Linux i386: eax = syscall number, `int $0x80`. newuname 122, write 4, exit_group 252.
// prettier-ignore
const I386 = hex([
    '81 ec 90 01 00 00', // 00    sub    $400, %esp       struct utsname (6 x 65 = 390 bytes)
    '89 e3', // 06    mov    %esp, %ebx       ebx = &utsname
    'b8 7a 00 00 00', // 08    mov    $122, %eax       __NR_uname (newuname)
    'cd 80', // 0d    int    $0x80
    '8d 8c 24 04 01 00 00', // 0f    lea    260(%esp), %ecx  ecx = utsname.machine (offset 4 x 65)
    '89 ca', // 16    mov    %ecx, %edx       edx = cursor
    '80 3a 00', // 18 1: cmpb   $0, (%edx)       *cursor == NUL?
    '74 03', // 1b    je     2f               yes: done
    '42', // 1d    inc    %edx             cursor++
    'eb f8', // 1e    jmp    1b
    'c6 02 0a', // 20 2: movb   $10, (%edx)      replace the NUL with '\n'
    '42', // 23    inc    %edx             cursor past the newline
    '29 ca', // 24    sub    %ecx, %edx       edx = length = cursor - machine
    'bb 01 00 00 00', // 26    mov    $1, %ebx         stdout; ecx = buffer, edx = length
    'b8 04 00 00 00', // 2b    mov    $4, %eax         __NR_write
    'cd 80', // 30    int    $0x80
    '31 db', // 32    xor    %ebx, %ebx       status 0
    'b8 fc 00 00 00', // 34    mov    $252, %eax       __NR_exit_group
    'cd 80', // 39    int    $0x80
]);
// Linux x86_64: rax = syscall number, `syscall`. uname 63, write 1, exit_group 231.
// prettier-ignore
const X86_64 = hex([
    '48 81 ec 90 01 00 00', // 00    sub    $400, %rsp       struct utsname (6 x 65 = 390 bytes)
    '48 89 e7', // 07    mov    %rsp, %rdi       rdi = &utsname
    'b8 3f 00 00 00', // 0a    mov    $63, %eax        __NR_uname
    '0f 05', // 0f    syscall
    '48 8d b4 24 04 01 00 00', // 11    lea    260(%rsp), %rsi  rsi = utsname.machine (offset 4 x 65)
    '48 89 f2', // 19    mov    %rsi, %rdx       rdx = cursor
    '80 3a 00', // 1c 1: cmpb   $0, (%rdx)       *cursor == NUL?
    '74 05', // 1f    je     2f               yes: done
    '48 ff c2', // 21    inc    %rdx             cursor++
    'eb f6', // 24    jmp    1b
    'c6 02 0a', // 26 2: movb   $10, (%rdx)      replace the NUL with '\n'
    '48 ff c2', // 29    inc    %rdx             cursor past the newline
    '48 29 f2', // 2c    sub    %rsi, %rdx       rdx = length = cursor - machine
    'bf 01 00 00 00', // 2f    mov    $1, %edi         stdout; rsi = buffer, rdx = length
    'b8 01 00 00 00', // 34    mov    $1, %eax         __NR_write
    '0f 05', // 39    syscall
    '31 ff', // 3b    xor    %edi, %edi       status 0
    'b8 e7 00 00 00', // 3d    mov    $231, %eax       __NR_exit_group
    '0f 05', // 42    syscall
]);
// Linux MIPS n64 (numbers start at 5000): v0 = syscall number, `syscall`. uname 5061,
// write 5001, exit_group 5205. Branch delay slots are explicit. Serialised little-endian for
// mips64el and big-endian for mips64.
// prettier-ignore
const MIPS64 = [
    0x67bdfe70, // 00    daddiu $sp, $sp, -400  struct utsname (6 x 65 = 390 bytes)
    0x03a02025, // 04    move   $a0, $sp        a0 = &utsname
    0x240213c5, // 08    li     $v0, 5061       __NR_uname
    0x0000000c, // 0c    syscall
    0x67a50104, // 10    daddiu $a1, $sp, 260   a1 = utsname.machine (offset 4 x 65)
    0x00a03025, // 14    move   $a2, $a1        a2 = cursor
    0x90cc0000, // 18 1: lbu    $t0, 0($a2)     t0 = *cursor
    0x11800003, // 1c    beqz   $t0, 2f         NUL terminator: done
    0x00000000, // 20    nop                    (delay slot)
    0x1000fffc, // 24    b      1b
    0x64c60001, // 28    daddiu $a2, $a2, 1     (delay slot) cursor++
    0x240c000a, // 2c 2: li     $t0, 10         '\n'
    0xa0cc0000, // 30    sb     $t0, 0($a2)     replace the NUL with '\n'
    0x64c60001, // 34    daddiu $a2, $a2, 1     cursor past the newline
    0x00c5302f, // 38    dsubu  $a2, $a2, $a1   a2 = length = cursor - machine
    0x24040001, // 3c    li     $a0, 1          stdout; a1 = buffer, a2 = length
    0x24021389, // 40    li     $v0, 5001       __NR_write
    0x0000000c, // 44    syscall
    0x24040000, // 48    li     $a0, 0          status 0
    0x24021455, // 4c    li     $v0, 5205       __NR_exit_group
    0x0000000c, // 50    syscall
];
const MIPS64EL_CODE = words('little', MIPS64);
const MIPS64_CODE = words('big', MIPS64);
function spec(bits, endian, machine, flags, loadAddress, code) {
    return Object.freeze({ elf: Object.freeze({ bits, endian, machine, flags, loadAddress }), code });
}
/**
 * Probe programs by QEMU cpu name (the `qemu-<cpu>` emulator they are meant for). Load addresses
 * are GNU ld's default text addresses for each target, rounded down to 64 KiB (i386: 0x08048000).
 */
// prettier-ignore
const PROBES = Object.freeze({
    //             class endian    e_machine    e_flags            load address  code
    aarch64: spec(64, 'little', EM_AARCH64, 0, 0x400000, AARCH64),
    arm: spec(32, 'little', EM_ARM, EF_ARM_EABI_VER5, 0x10000, ARM),
    ppc64le: spec(64, 'little', EM_PPC64, EF_PPC64_ELFV2, 0x10000000, PPC64LE),
    s390x: spec(64, 'big', EM_S390, 0, 0x1000000, S390X),
    riscv64: spec(64, 'little', EM_RISCV, 0, 0x10000, RISCV64),
    i386: spec(32, 'little', EM_386, 0, 0x8040000, I386),
    x86_64: spec(64, 'little', EM_X86_64, 0, 0x400000, X86_64),
    mips64el: spec(64, 'little', EM_MIPS, EF_MIPS_ARCH_64R2, 0x120000000, MIPS64EL_CODE),
    mips64: spec(64, 'big', EM_MIPS, EF_MIPS_ARCH_64R2, 0x120000000, MIPS64_CODE)
});

;// CONCATENATED MODULE: ./src/verifier/probe/elf.ts
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
const EI_NIDENT = 16;
const ELFCLASS32 = 1;
const ELFCLASS64 = 2;
const ELFDATA2LSB = 1;
const ELFDATA2MSB = 2;
const EV_CURRENT = 1;
const ELFOSABI_SYSV = 0;
const ET_EXEC = 2;
const PT_LOAD = 1;
const PT_GNU_STACK = 0x6474e551;
const PF_X = 1;
const PF_W = 2;
const PF_R = 4;
/** Segment alignment: the largest common page size (64 KiB on some arm64 and ppc64le kernels). */
const SEGMENT_ALIGN = 0x10000;
/** Sizes of the ELF header and of one program header for a class. */
function headerSizes(bits) {
    return bits === 64 ? { ehsize: 64, phentsize: 56 } : { ehsize: 52, phentsize: 32 };
}
/** Program headers written by `buildElf`. */
const PROGRAM_HEADER_COUNT = 2;
/** The entry address `buildElf` gives a program for this target. */
function entryAddress(target) {
    const { ehsize, phentsize } = headerSizes(target.bits);
    return target.loadAddress + ehsize + PROGRAM_HEADER_COUNT * phentsize;
}
/** Builds a static ELF executable whose entry point is the first byte of `code`. */
function buildElf(target, code) {
    const { bits, endian, loadAddress } = target;
    if (code.length === 0)
        throw new Error('ELF probe: empty code');
    if (!Number.isSafeInteger(loadAddress) || loadAddress <= 0 || loadAddress % SEGMENT_ALIGN !== 0) {
        throw new Error(`ELF probe: load address ${loadAddress} is not a positive multiple of 64 KiB`);
    }
    const { ehsize, phentsize } = headerSizes(bits);
    const codeOffset = ehsize + PROGRAM_HEADER_COUNT * phentsize;
    const size = codeOffset + code.length;
    if (bits === 32 && loadAddress + size > 0xffffffff) {
        throw new Error('ELF probe: load address does not fit a 32-bit ELF');
    }
    const out = Buffer.alloc(size);
    const le = endian === 'little';
    let pos = 0;
    const u8 = (v) => {
        pos = out.writeUInt8(v, pos);
    };
    const u16 = (v) => {
        pos = le ? out.writeUInt16LE(v, pos) : out.writeUInt16BE(v, pos);
    };
    const u32 = (v) => {
        pos = le ? out.writeUInt32LE(v >>> 0, pos) : out.writeUInt32BE(v >>> 0, pos);
    };
    const u64 = (v) => {
        pos = le ? out.writeBigUInt64LE(BigInt(v), pos) : out.writeBigUInt64BE(BigInt(v), pos);
    };
    /** An address or offset: Elf32_Addr/Off or Elf64_Addr/Off. */
    const word = bits === 64 ? u64 : u32;
    // e_ident
    for (const b of [0x7f, 0x45, 0x4c, 0x46])
        u8(b); // "\x7fELF"
    u8(bits === 64 ? ELFCLASS64 : ELFCLASS32);
    u8(le ? ELFDATA2LSB : ELFDATA2MSB);
    u8(EV_CURRENT);
    u8(ELFOSABI_SYSV);
    pos = EI_NIDENT; // EI_ABIVERSION and padding stay zero
    u16(ET_EXEC); // e_type
    u16(target.machine); // e_machine
    u32(EV_CURRENT); // e_version
    word(loadAddress + codeOffset); // e_entry
    word(ehsize); // e_phoff: program headers follow the ELF header
    word(0); // e_shoff: no section headers
    u32(target.flags); // e_flags
    u16(ehsize); // e_ehsize
    u16(phentsize); // e_phentsize
    u16(PROGRAM_HEADER_COUNT); // e_phnum
    u16(0); // e_shentsize
    u16(0); // e_shnum
    u16(0); // e_shstrndx (SHN_UNDEF)
    const programHeader = (type, flags, filesz, align) => {
        const vaddr = filesz === 0 ? 0 : loadAddress;
        u32(type); // p_type
        if (bits === 64)
            u32(flags); // p_flags (64-bit position)
        word(0); // p_offset
        word(vaddr); // p_vaddr
        word(vaddr); // p_paddr
        word(filesz); // p_filesz
        word(filesz); // p_memsz
        if (bits === 32)
            u32(flags); // p_flags (32-bit position)
        word(align); // p_align
    };
    programHeader(PT_LOAD, PF_R | PF_X, size, SEGMENT_ALIGN);
    programHeader(PT_GNU_STACK, PF_R | PF_W, 0, 16);
    if (pos !== codeOffset)
        throw new Error(`ELF probe: header is ${pos} bytes, expected ${codeOffset}`);
    for (let i = 0; i < code.length; i++) {
        const b = code[i];
        if (!Number.isInteger(b) || b < 0 || b > 0xff)
            throw new Error(`ELF probe: code[${i}] is not a byte`);
        out[codeOffset + i] = b;
    }
    return out;
}

// EXTERNAL MODULE: ./src/verifier/probe/cpus.ts
var cpus = __webpack_require__(8644);
;// CONCATENATED MODULE: ./src/verifier/probe/index.ts
/**
 * Emulation probes: tiny static executables, one per QEMU cpu, that print what `uname -m` would
 * (utsname.machine and a newline) and exit 0. Written to a file and executed, directly or through
 * a binfmt_misc handler, they prove that the emulator runs a foreign binary end to end.
 *
 * Under emulation they print: aarch64 → aarch64, arm → armv7l, ppc64le → ppc64le,
 * s390x → s390x, riscv64 → riscv64, i386 → i686 (x86_64 when run natively on an x86_64 host),
 * x86_64 → x86_64, mips64el → mips64, mips64 → mips64.
 */




/** The probe executable for a qemu cpu name; a new Buffer, byte-identical on every call. */
function probeProgram(cpu) {
    if (!Object.hasOwn(PROBES, cpu)) {
        throw new Error(`No emulation probe for cpu "${cpu}" (probes exist for: ${cpus/* PROBE_CPUS */.L.join(', ')})`);
    }
    const { elf, code } = PROBES[cpu];
    return buildElf(elf, code);
}


/***/ })

};

//# sourceMappingURL=867.index.js.map