# Probe for x86_64 (native or qemu-x86_64): print uname(2)'s machine field and a newline, exit(0).
# Linux x86_64 syscall ABI: rax = number, rdi, rsi, rdx = arguments, `syscall`.
# Syscalls: uname = 63, write = 1, exit_group = 231.
	.code64
	.text
	.globl _start
_start:
	sub	$400, %rsp		# struct utsname (6 x 65 = 390 bytes)
	mov	%rsp, %rdi		# rdi = &utsname
	mov	$63, %eax		# __NR_uname
	syscall
	lea	260(%rsp), %rsi		# rsi = utsname.machine (offset 4 x 65)
	mov	%rsi, %rdx		# rdx = cursor
1:	cmpb	$0, (%rdx)		# *cursor == NUL?
	je	2f			# yes: done
	inc	%rdx			# cursor++
	jmp	1b
2:	movb	$10, (%rdx)		# replace the NUL with '\n'
	inc	%rdx			# cursor past the newline
	sub	%rsi, %rdx		# rdx = length = cursor - machine
	mov	$1, %edi		# stdout; rsi = buffer, rdx = length
	mov	$1, %eax		# __NR_write
	syscall
	xor	%edi, %edi		# status 0
	mov	$231, %eax		# __NR_exit_group
	syscall
