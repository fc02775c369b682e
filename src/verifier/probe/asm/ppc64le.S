# Probe for qemu-ppc64le: print uname(2)'s machine field and a newline, then exit(0).
# Linux PowerPC syscall ABI: r0 = number, r3..r8 = arguments, `sc`.
# Syscalls: uname = 122, write = 4, exit_group = 234.
# The ELF header must say ELFv2 (e_flags = 2): with ELFv1 the entry point is a function descriptor.
	.text
	.globl _start
_start:
	addi	1, 1, -400		# struct utsname (6 x 65 = 390 bytes)
	mr	3, 1			# r3 = &utsname
	li	0, 122			# __NR_uname
	sc
	addi	4, 1, 260		# r4 = utsname.machine (offset 4 x 65)
	li	5, 0			# r5 = length so far
1:	lbzx	6, 4, 5			# r6 = machine[length]
	cmpwi	6, 0			# NUL terminator?
	beq	2f			# yes: done
	addi	5, 5, 1			# length++
	b	1b
2:	li	6, 10			# '\n'
	stbx	6, 4, 5			# replace the NUL with '\n'
	addi	5, 5, 1			# count the newline
	li	3, 1			# stdout; r4 = buffer, r5 = length
	li	0, 4			# __NR_write
	sc
	li	3, 0			# status 0
	li	0, 234			# __NR_exit_group
	sc
