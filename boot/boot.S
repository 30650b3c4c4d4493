/*
 * The first code that runs. GRUB (multiboot2) enters _start in 32-bit
 * protected mode with paging off, EAX = the multiboot2 magic and EBX = the
 * physical address of the boot information. We check both the loader and the
 * CPU (long mode, NX), build the early page tables, enable PAE, NX and long
 * mode, and jump to kmain(mbi_phys) in the higher half.
 *
 * Early page tables (all in .bss, reached by physical address):
 *   PML4[0]   -> pdpt_low  : 0..4 GiB identity, 2 MiB pages (dropped by kmain)
 *   PML4[256] -> pdpt_low  : the same 4 GiB at PHYS_OFFSET (the direct map)
 *   PML4[511] -> pdpt_high : PDPT[510] -> pd[0] : 0..1 GiB at KERNEL_VMA
 * Everything is writable and executable here; paging_init() replaces these
 * tables with W^X ones and leaves them, with a spare page, unmapped as the
 * guard area under the boot stack (boot_stack_guard..boot_stack_bottom).
 */
#include "arch/x86_64/layout.h"
#include "arch/x86_64/long_mode.h"
#include "boot/multiboot2.h"

#define PHYS(sym) ((sym) - KERNEL_VMA)
#define COM1 0x3f8

#define PTE_PRESENT 0x1
#define PTE_WRITE 0x2
#define PTE_LARGE 0x80

	.section .multiboot, "a"
	.balign 8
mb2_header:
	.long MB2_HEADER_MAGIC
	.long MB2_ARCH_I386
	.long mb2_header_end - mb2_header
	.long -(MB2_HEADER_MAGIC + MB2_ARCH_I386 + (mb2_header_end - mb2_header))
	/* Ask for the tags we rely on; GRUB fails the boot if it cannot give them. */
	.balign 8
	.short MB2_HEADER_TAG_INFO_REQUEST
	.short 0
	.long 8 + 4 * 3
	.long MB2_TAG_CMDLINE
	.long MB2_TAG_MMAP
	.long MB2_TAG_BOOTLOADER
	.balign 8
	.short MB2_HEADER_TAG_END
	.short 0
	.long 8
mb2_header_end:

	.section .boot.text, "ax"
	.code32
	.globl _start
_start:
	cli
	cld
	movl $PHYS(boot_stack_top), %esp
	movl %eax, %edi			/* keep magic and mbi across the checks */
	movl %ebx, %esi

	cmpl $MB2_BOOTLOADER_MAGIC, %edi
	jne .Lnot_multiboot2

	/* CPUID leaf 0x80000001 must exist and report LM (bit 29) and NX (bit 20). */
	movl $0x80000000, %eax
	cpuid
	cmpl $0x80000001, %eax
	jb .Lno_long_mode
	movl $0x80000001, %eax
	cpuid
	btl $29, %edx
	jnc .Lno_long_mode
	btl $20, %edx
	jnc .Lno_nx

	call build_page_tables

	movl $PHYS(boot_pml4), %eax
	ENTER_LONG_MODE

	lgdt boot_gdt_ptr
	ljmp $GDT_KERNEL_CODE, $long_mode_low

/* Fill the early tables; clobbers eax, ecx, edx. */
build_page_tables:
	movl $PHYS(pdpt_low), %eax
	orl $(PTE_PRESENT | PTE_WRITE), %eax
	movl %eax, PHYS(boot_pml4)
	movl %eax, PHYS(boot_pml4) + 256 * 8
	movl $PHYS(pdpt_high), %eax
	orl $(PTE_PRESENT | PTE_WRITE), %eax
	movl %eax, PHYS(boot_pml4) + 511 * 8

	/* pdpt_low[0..3] -> boot_pd[0..3]; pdpt_high[510] -> boot_pd[0]. */
	xorl %ecx, %ecx
1:	movl %ecx, %eax
	shll $12, %eax
	addl $PHYS(boot_pd), %eax
	orl $(PTE_PRESENT | PTE_WRITE), %eax
	movl %eax, PHYS(pdpt_low)(, %ecx, 8)
	incl %ecx
	cmpl $4, %ecx
	jne 1b
	movl $PHYS(boot_pd), %eax
	orl $(PTE_PRESENT | PTE_WRITE), %eax
	movl %eax, PHYS(pdpt_high) + 510 * 8

	/* boot_pd: 2048 entries of 2 MiB = 4 GiB. The high dword holds
	 * bits 32+ of the physical address. */
	xorl %ecx, %ecx
2:	movl %ecx, %eax
	shll $21, %eax
	orl $(PTE_PRESENT | PTE_WRITE | PTE_LARGE), %eax
	movl %eax, PHYS(boot_pd)(, %ecx, 8)
	movl %ecx, %edx
	shrl $11, %edx
	movl %edx, PHYS(boot_pd) + 4(, %ecx, 8)
	incl %ecx
	cmpl $2048, %ecx
	jne 2b
	ret

.Lnot_multiboot2:
	movl $msg_not_mb2, %esi
	jmp .Lfatal
.Lno_long_mode:
	movl $msg_no_lm, %esi
	jmp .Lfatal
.Lno_nx:
	movl $msg_no_nx, %esi
	/* fall through */

/* Print the NUL-terminated string at %esi on COM1, then halt forever. */
.Lfatal:
	call serial_init32
3:	lodsb
	testb %al, %al
	jz 5f
	movb %al, %bl
	movw $(COM1 + 5), %dx
4:	inb %dx, %al			/* wait for THR empty */
	testb $0x20, %al
	jz 4b
	movw $COM1, %dx
	movb %bl, %al
	outb %al, %dx
	jmp 3b
5:	cli
	hlt
	jmp 5b

/* 115200 8N1, FIFO on: enough for the fatal message. */
serial_init32:
	movw $(COM1 + 1), %dx
	xorb %al, %al
	outb %al, %dx			/* no interrupts */
	movw $(COM1 + 3), %dx
	movb $0x80, %al
	outb %al, %dx			/* DLAB */
	movw $COM1, %dx
	movb $1, %al
	outb %al, %dx			/* divisor 1 = 115200 */
	movw $(COM1 + 1), %dx
	xorb %al, %al
	outb %al, %dx
	movw $(COM1 + 3), %dx
	movb $0x03, %al
	outb %al, %dx			/* 8N1 */
	movw $(COM1 + 2), %dx
	movb $0xc7, %al
	outb %al, %dx			/* FIFO */
	ret

	.code64
long_mode_low:
	movw $GDT_KERNEL_DATA, %ax
	movw %ax, %ds
	movw %ax, %es
	movw %ax, %ss
	xorw %ax, %ax
	movw %ax, %fs
	movw %ax, %gs
	movabsq $long_mode_high, %rax
	jmp *%rax

	.section .boot.data, "a"
msg_not_mb2:
	.asciz "boot: not loaded by a multiboot2 loader (bad magic in EAX); halting.\r\n"
msg_no_lm:
	.asciz "boot: this CPU has no long mode (x86-64); halting.\r\n"
msg_no_nx:
	.asciz "boot: this CPU has no NX (no-execute) support, which the kernel requires; halting.\r\n"

	.balign 8
boot_gdt:
	.quad 0
	.quad 0x00af9a000000ffff	/* 0x08: 64-bit code, DPL 0 */
	.quad 0x00cf92000000ffff	/* 0x10: data */
boot_gdt_end:
boot_gdt_ptr:
	.short boot_gdt_end - boot_gdt - 1
	.long boot_gdt

	.text
long_mode_high:
	movabsq $boot_stack_top, %rsp
	xorl %ebp, %ebp			/* backtraces stop here */
	movl %esi, %edi			/* kmain(mbi_phys) */
	call kmain
1:	cli
	hlt
	jmp 1b

	.bss
	.balign 4096
	/* [boot_stack_guard, boot_stack_bottom): the early tables, dead once
	 * paging_init() switched away from them, and one spare page. All of it
	 * is left unmapped then: the boot stack's guard area. */
	.globl boot_pml4, boot_stack_guard
boot_stack_guard:
boot_pml4:
	.skip 4096
pdpt_low:
	.skip 4096
pdpt_high:
	.skip 4096
boot_pd:
	.skip 4096 * 4
	.skip 4096			/* guard even if the tables move */
	.globl boot_stack_bottom, boot_stack_top
boot_stack_bottom:
	.skip BOOT_STACK_SIZE
boot_stack_top:
