/*
 * GDT with a 64-bit code and a data descriptor plus the TSS (a 16-byte system
 * descriptor), one set per CPU (struct cpu_gdt). The boot CPU's IST stacks
 * are static; an AP's come from its caller (arch/x86_64/smp.c).
 */
#include "arch/x86_64/gdt.h"
#include "arch/x86_64/layout.h"
#include "include/assert.h"
#include "include/compiler.h"
#include "include/types.h"

struct gdt_ptr {
	u16 limit;
	u64 base;
} __packed;

static struct cpu_gdt boot_gdt;
static u8 boot_ist_stacks[NR_IST][IST_STACK_SIZE] __aligned(16);

void gdt_load(struct cpu_gdt *cg, const unsigned long ist_top[NR_IST])
{
	u64 base = (u64)&cg->tss, limit = sizeof(cg->tss) - 1;
	struct gdt_ptr ptr = { sizeof(cg->gdt) - 1, (u64)cg->gdt };
	u64 *gdt = cg->gdt;
	int i;

	for (i = 0; i < NR_IST; i++)
		cg->tss.ist[i] = ist_top[i];
	cg->tss.iomap_base = sizeof(cg->tss); /* no I/O bitmap */

	gdt[0] = 0;
	gdt[1] = 0x00af9a000000ffffULL; /* GDT_KERNEL_CODE: L=1, P, DPL0, exec/read */
	gdt[2] = 0x00cf92000000ffffULL; /* GDT_KERNEL_DATA */
	/* GDT_TSS: available 64-bit TSS (type 9), present. */
	gdt[3] = (limit & 0xffff) | ((base & 0xffffff) << 16) | (0x89ULL << 40) |
		 (((limit >> 16) & 0xf) << 48) | (((base >> 24) & 0xff) << 56);
	gdt[4] = base >> 32;

	__asm__ volatile("lgdt %0\n\t"
			 "pushq %1\n\t"
			 "leaq 1f(%%rip), %%rax\n\t"
			 "pushq %%rax\n\t"
			 "lretq\n"
			 "1:\n\t"
			 "movw %w2, %%ds\n\t"
			 "movw %w2, %%es\n\t"
			 "movw %w2, %%ss\n\t"
			 "ltr %w3"
			 :
			 : "m"(ptr), "i"(GDT_KERNEL_CODE), "r"(GDT_KERNEL_DATA), "r"(GDT_TSS)
			 : "rax", "memory");
}

void gdt_init(void)
{
	unsigned long ist_top[NR_IST];
	int i;

	for (i = 0; i < NR_IST; i++)
		ist_top[i] = (unsigned long)&boot_ist_stacks[i][IST_STACK_SIZE];
	gdt_load(&boot_gdt, ist_top);
}
