@ Probe for qemu-arm: print uname(2)'s machine field and a newline, then exit(0).
@ Linux ARM EABI syscall ABI: r7 = number, r0..r6 = arguments, `svc #0`. ARM (A32) state.
@ Syscalls: uname = 122, write = 4, exit_group = 248.
	.syntax unified
	.arm
	.text
	.globl _start
_start:
	sub	sp, sp, #400		@ struct utsname (6 x 65 = 390 bytes)
	mov	r0, sp			@ r0 = &utsname
	mov	r7, #122		@ __NR_uname
	svc	#0
	add	r1, sp, #260		@ r1 = utsname.machine (offset 4 x 65)
	mov	r2, #0			@ r2 = length so far
1:	ldrb	r3, [r1, r2]		@ r3 = machine[length]
	cmp	r3, #0			@ NUL terminator?
	addne	r2, r2, #1		@ no: length++
	bne	1b			@ and loop
	mov	r3, #10			@ '\n'
	strb	r3, [r1, r2]		@ replace the NUL with '\n'
	add	r2, r2, #1		@ count the newline
	mov	r0, #1			@ stdout; r1 = buffer, r2 = length
	mov	r7, #4			@ __NR_write
	svc	#0
	mov	r0, #0			@ status 0
	mov	r7, #248		@ __NR_exit_group
	svc	#0
