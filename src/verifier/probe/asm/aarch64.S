// Probe for qemu-aarch64: print uname(2)'s machine field and a newline, then exit(0).
// Linux AArch64 syscall ABI: x8 = number, x0..x5 = arguments, `svc #0`.
// Syscalls: uname = 160, write = 64, exit_group = 94.
	.text
	.globl _start
_start:
	sub	sp, sp, #400		// struct utsname (390 bytes); sp stays 16-aligned
	mov	x0, sp			// x0 = &utsname
	mov	x8, #160		// __NR_uname
	svc	#0
	add	x1, sp, #260		// x1 = utsname.machine (offset 4 x 65)
	mov	x2, #0			// x2 = length so far
1:	ldrb	w3, [x1, x2]		// w3 = machine[length]
	cbz	w3, 2f			// NUL terminator: done
	add	x2, x2, #1		// length++
	b	1b
2:	mov	w3, #10			// '\n'
	strb	w3, [x1, x2]		// replace the NUL with '\n'
	add	x2, x2, #1		// count the newline
	mov	x0, #1			// stdout; x1 = buffer, x2 = length
	mov	x8, #64			// __NR_write
	svc	#0
	mov	x0, #0			// status 0
	mov	x8, #94			// __NR_exit_group
	svc	#0
