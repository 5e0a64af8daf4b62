/*
 * ELF fixture: a two-segment static program. The text segment (ELF header,
 * program headers, .text, .rodata) is R+X at 0x10000; the data segment
 * (.data then .bss) is R+W with filesz < memsz. Built by build.sh.
 */
	.section .text
	.globl _start
_start:
	la a0, counter
	ld a1, 0(a0)
	addi a1, a1, 1
	sd a1, 0(a0)
1:	j 1b

	.section .rodata
msg:	.asciz "strata elf fixture"

	.section .data
	.balign 8
counter:
	.dword 41

	.section .bss
	.balign 8
buf:	.zero 256
