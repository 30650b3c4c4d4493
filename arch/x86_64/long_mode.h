/*
 * The switch to long mode shared by boot.S (the boot CPU) and trampoline.S
 * (the APs): from 32-bit protected mode with paging off, %eax holding the
 * PML4's physical address (below 4 GiB: CR3 is 32 bits wide here). Sets
 * CR3, CR4.PAE, EFER.LME|NXE and CR0.PG|WP|PE; clobbers %eax, %ecx, %edx.
 * The caller's far jump to a 64-bit code segment follows. Assembly only.
 */
#ifndef ARCH_X86_64_LONG_MODE_H
#define ARCH_X86_64_LONG_MODE_H

.macro ENTER_LONG_MODE
	movl %eax, %cr3
	movl %cr4, %eax
	orl $(1 << 5), %eax			/* PAE */
	movl %eax, %cr4
	movl $0xc0000080, %ecx			/* EFER */
	rdmsr
	orl $((1 << 8) | (1 << 11)), %eax	/* LME | NXE */
	wrmsr
	movl %cr0, %eax
	orl $((1 << 31) | (1 << 16) | 1), %eax	/* PG | WP | PE */
	movl %eax, %cr0
.endm

#endif
