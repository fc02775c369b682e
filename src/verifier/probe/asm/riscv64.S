# Probe for qemu-riscv64: print uname(2)'s machine field and a newline, then exit(0).
# Linux RISC-V syscall ABI: a7 = number, a0..a5 = arguments, `ecall`.
# Syscalls: uname = 160, write = 64, exit_group = 94. No compressed instructions.
	.option norvc
	.text
	.globl _start
_start:
	addi	sp, sp, -400		# struct utsname (390 bytes); sp stays 16-aligned
	mv	a0, sp			# a0 = &utsname
	li	a7, 160			# __NR_uname
	ecall
	addi	a1, sp, 260		# a1 = utsname.machine (offset 4 x 65)
	mv	a2, a1			# a2 = cursor
1:	lbu	t0, 0(a2)		# t0 = *cursor
	beqz	t0, 2f			# NUL terminator: done
	addi	a2, a2, 1		# cursor++
	j	1b
2:	li	t0, 10			# '\n'
	sb	t0, 0(a2)		# replace the NUL with '\n'
	addi	a2, a2, 1		# cursor past the newline
	sub	a2, a2, a1		# a2 = length = cursor - machine
	li	a0, 1			# stdout; a1 = buffer, a2 = length
	li	a7, 64			# __NR_write
	ecall
	li	a0, 0			# status 0
	li	a7, 94			# __NR_exit_group
	ecall
