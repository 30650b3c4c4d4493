/*
 * The application processors' first code. smp.c copies trampoline_start ..
 * trampoline_end to a page below 1 MiB (TRAMP, page aligned) and fills the
 * parameter block at its end; a STARTUP IPI with vector TRAMP >> 12 starts
 * the AP in real mode at CS = TRAMP >> 4, IP = 0. Nothing here knows TRAMP
 * at assembly time: real mode addresses it through CS, the 32- and 64-bit
 * parts through %ebx = TRAMP, and the two far jumps go through pointers
 * smp.c fills in.
 *
 * Path: real mode -> (lgdt: the block's own GDT, base TRAMP + offset) 32-bit
 * protected mode -> PAE, CR3 = the block's temporary PML4 (below 4 GiB: CR3
 * is 32 bits wide until long mode), EFER.LME|NXE, CR0.PG|WP -> 64-bit mode
 * at TRAMP's identity address -> the kernel half: %rsp = the CPU's stack,
 * call entry(arg). The temporary PML4 maps TRAMP's 2 MiB identity and the
 * kernel's upper half; the entry switches to the kernel's own tables, which
 * never map the lower half.
 */
#include "arch/x86_64/layout.h"
#include "arch/x86_64/long_mode.h"

#define OFF(sym) ((sym) - trampoline_start)
#define TR_CODE32 0x08
#define TR_DATA 0x10
#define TR_CODE64 0x18

	.section .rodata, "a"
	.balign 16
	.globl trampoline_start, trampoline_end
	.code16
trampoline_start:
	cli
	cld
	movw %cs, %ax
	movw %ax, %ds
	xorl %ebx, %ebx
	movw %ax, %bx
	shll $4, %ebx			/* %ebx = TRAMP, kept to the end */
	lgdtl OFF(tr_gdtr)
	movl %cr0, %eax
	orl $1, %eax			/* PE */
	movl %eax, %cr0
	ljmpl *OFF(tr_far32)

	.code32
tr_protected:
	movw $TR_DATA, %ax
	movw %ax, %ds
	movw %ax, %es
	movw %ax, %ss
	movl OFF(tr_cr3)(%ebx), %eax
	ENTER_LONG_MODE
	ljmpl *OFF(tr_far64)(%ebx)

	.code64
tr_long:
	movl %ebx, %ebx			/* zero-extend: the upper half is undefined */
	movq OFF(tr_stack)(%rbx), %rsp
	movq OFF(tr_arg)(%rbx), %rdi
	movq OFF(tr_entry)(%rbx), %rax
	xorl %ebp, %ebp			/* the end of every backtrace */
	pushq $0			/* no return address: entry never returns */
	jmp *%rax

	.balign 16
tr_gdt:
	.quad 0
	.quad 0x00cf9a000000ffff	/* TR_CODE32: 32-bit, 4 GiB, exec/read */
	.quad 0x00cf92000000ffff	/* TR_DATA */
	.quad 0x00af9a000000ffff	/* TR_CODE64: L=1 */
tr_gdt_end:

/* The parameter block: smp.c writes it into the copy, at these symbols' offsets. */
	.globl tr_gdtr, tr_far32, tr_far64, tr_cr3, tr_stack, tr_arg, tr_entry
	.balign 8
tr_gdtr:	.word tr_gdt_end - tr_gdt - 1
		.long 0			/* TRAMP + OFF(tr_gdt) */
		.word 0
tr_far32:	.long 0			/* TRAMP + OFF(tr_protected) */
		.word TR_CODE32
		.word 0
tr_far64:	.long 0			/* TRAMP + OFF(tr_long) */
		.word TR_CODE64
		.word 0
tr_cr3:		.quad 0			/* the temporary PML4 (physical, below 4 GiB) */
tr_stack:	.quad 0			/* the CPU's stack top (kernel virtual) */
tr_arg:		.quad 0			/* entry's argument: the CPU's struct cpu */
tr_entry:	.quad 0			/* kernel virtual address of the C entry */
	.globl tr_gdt, tr_protected, tr_long
trampoline_end:
