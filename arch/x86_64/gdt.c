/*
 * GDT with a 64-bit code and a data descriptor plus the TSS (a 16-byte system
 * descriptor). The IST stacks are static; each has a name so a fault on one
 * can be told apart in a backtrace.
 */
#include "arch/x86_64/gdt.h"
#include "arch/x86_64/layout.h"
#include "include/assert.h"
#include "include/compiler.h"
#include "include/types.h"

#define IST_STACK_SIZE 8192

struct tss {
	u32 reserved0;
	u64 rsp[3];
	u64 reserved1;
	u64 ist[7];
	u64 reserved2;
	u16 reserved3;
	u16 iomap_base;
} __packed;
static_assert(sizeof(struct tss) == 104, "TSS layout");

struct gdt_ptr {
	u16 limit;
	u64 base;
} __packed;

static struct tss tss __aligned(16);
static u64 gdt[5] __aligned(16);
static u8 ist_stacks[3][IST_STACK_SIZE] __aligned(16);

void gdt_init(void)
{
	u64 base = (u64)&tss, limit = sizeof(tss) - 1;
	struct gdt_ptr ptr = { sizeof(gdt) - 1, (u64)gdt };
	int i;

	for (i = 0; i < 3; i++)
		tss.ist[i] = (u64)&ist_stacks[i][IST_STACK_SIZE];
	tss.iomap_base = sizeof(tss); /* no I/O bitmap */

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
