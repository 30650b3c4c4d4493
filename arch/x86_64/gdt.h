/*
 * GDT and TSS. The kernel runs only in ring 0; the TSS exists for its
 * interrupt stack table: double faults, NMIs and machine checks switch to
 * stacks of their own, so a kernel stack overflow still gets reported.
 */
#ifndef ARCH_X86_64_GDT_H
#define ARCH_X86_64_GDT_H

#define IST_DOUBLE_FAULT 1
#define IST_NMI 2
#define IST_MACHINE_CHECK 3

void gdt_init(void);

#endif
