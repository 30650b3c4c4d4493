/*
 * GDT and TSS. The kernel runs only in ring 0; the TSS exists for its
 * interrupt stack table: double faults, NMIs and machine checks switch to
 * stacks of their own, so a kernel stack overflow still gets reported. Each
 * CPU has its own GDT and TSS (a TSS is busy while loaded: never shared).
 */
#ifndef ARCH_X86_64_GDT_H
#define ARCH_X86_64_GDT_H

#include "include/assert.h"
#include "include/compiler.h"
#include "include/types.h"

#define IST_DOUBLE_FAULT 1
#define IST_NMI 2
#define IST_MACHINE_CHECK 3
#define NR_IST 3
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

/* One CPU's descriptor tables. */
struct cpu_gdt {
	u64 gdt[5] __aligned(16);
	struct tss tss __aligned(16);
};

/* The boot CPU's tables, with static IST stacks. */
void gdt_init(void);

/* Fill @cg with IST stacks ending at @ist_top and load it on this CPU
 * (GDTR, segments, TR). */
void gdt_load(struct cpu_gdt *cg, const unsigned long ist_top[NR_IST]);

#endif
