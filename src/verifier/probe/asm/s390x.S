# Probe for qemu-s390x: print uname(2)'s machine field and a newline, then exit(0).
# Linux s390x syscall ABI: `svc N` with the number N (< 256) in the instruction, arguments in r2..r7.
# Syscalls: uname = 122, write = 4, exit_group = 248. Big-endian.
	.text
	.globl _start
_start:
	aghi	%r15, -400		# struct utsname (6 x 65 = 390 bytes)
	lgr	%r2, %r15		# r2 = &utsname
	svc	122			# __NR_uname
	la	%r3, 260(%r15)		# r3 = utsname.machine (offset 4 x 65)
	lgr	%r4, %r3		# r4 = cursor
1:	cli	0(%r4), 0		# *cursor == NUL?
	je	2f			# yes: done
	aghi	%r4, 1			# cursor++
	j	1b
2:	mvi	0(%r4), 10		# replace the NUL with '\n'
	aghi	%r4, 1			# cursor past the newline
	sgr	%r4, %r3		# r4 = length = cursor - machine
	lghi	%r2, 1			# stdout; r3 = buffer, r4 = length
	svc	4			# __NR_write
	lghi	%r2, 0			# status 0
	svc	248			# __NR_exit_group
