# Probe for qemu-mips64el (and, assembled big-endian, qemu-mips64): print uname(2)'s machine
# field and a newline, then exit(0).
# Linux MIPS n64 syscall ABI: v0 ($2) = number, a0..a2 ($4..$6) = arguments, `syscall`.
# Syscalls (n64 numbers start at 5000): uname = 5061, write = 5001, exit_group = 5205.
# Branch delay slots are filled by hand (.set noreorder).
	.set	noreorder
	.text
	.globl _start
_start:
	daddiu	$sp, $sp, -400		# struct utsname (6 x 65 = 390 bytes)
	move	$a0, $sp		# a0 = &utsname
	li	$v0, 5061		# __NR_uname
	syscall
	daddiu	$a1, $sp, 260		# a1 = utsname.machine (offset 4 x 65)
	move	$a2, $a1		# a2 = cursor
1:	lbu	$t0, 0($a2)		# t0 = *cursor
	beqz	$t0, 2f			# NUL terminator: done
	nop				# (delay slot)
	b	1b
	daddiu	$a2, $a2, 1		# (delay slot) cursor++
2:	li	$t0, 10			# '\n'
	sb	$t0, 0($a2)		# replace the NUL with '\n'
	daddiu	$a2, $a2, 1		# cursor past the newline
	dsubu	$a2, $a2, $a1		# a2 = length = cursor - machine
	li	$a0, 1			# stdout; a1 = buffer, a2 = length
	li	$v0, 5001		# __NR_write
	syscall
	li	$a0, 0			# status 0
	li	$v0, 5205		# __NR_exit_group
	syscall
