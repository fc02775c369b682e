# Probe for qemu-i386: print uname(2)'s machine field and a newline, then exit(0).
# Linux i386 syscall ABI: eax = number, ebx, ecx, edx = arguments, `int $0x80`.
# Syscalls: newuname = 122, write = 4, exit_group = 252.
	.code32
	.text
	.globl _start
_start:
	sub	$400, %esp		# struct utsname (6 x 65 = 390 bytes)
	mov	%esp, %ebx		# ebx = &utsname
	mov	$122, %eax		# __NR_uname (newuname)
	int	$0x80
	lea	260(%esp), %ecx		# ecx = utsname.machine (offset 4 x 65)
	mov	%ecx, %edx		# edx = cursor
1:	cmpb	$0, (%edx)		# *cursor == NUL?
	je	2f			# yes: done
	inc	%edx			# cursor++
	jmp	1b
2:	movb	$10, (%edx)		# replace the NUL with '\n'
	inc	%edx			# cursor past the newline
	sub	%ecx, %edx		# edx = length = cursor - machine
	mov	$1, %ebx		# stdout; ecx = buffer, edx = length
	mov	$4, %eax		# __NR_write
	int	$0x80
	xor	%ebx, %ebx		# status 0
	mov	$252, %eax		# __NR_exit_group
	int	$0x80
