/*
 * ELF fixture: text plus a data segment that is only .bss (filesz 0,
 * memsz 8 KiB, spanning three pages). Built by build.sh.
 */
	.section .text
	.globl _start
_start:
	la a0, heap
	li a1, 7
	sd a1, 0(a0)
1:	j 1b

	.section .bss
	.balign 16
heap:	.zero 8192
