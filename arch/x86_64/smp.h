/*
 * The CPUs: bring-up of the application processors (APs) from the MADT and
 * the per-CPU area each CPU reaches through its GS base.
 *
 * smp_init() starts every MADT CPU that is enabled and xAPIC-addressable
 * (madt_cpu_startable) with INIT-SIPI-SIPI through the real-mode trampoline
 * (trampoline.S), one at a time; a CPU that does not answer within
 * SMP_AP_TIMEOUT_MS is sent INIT again (so it cannot run the trampoline
 * later, with another CPU's parameters), reported and left out. Online-
 * capable CPUs are listed, never started.
 *
 * Invariants: cpus[0] is the boot CPU; cpus[i] for i < smp_nr_online() are
 * online, in bring-up order; a CPU's struct cpu is written by the boot CPU
 * before the CPU starts and by the CPU itself after (online last, release).
 * GS base = &cpus[this CPU] on every online CPU.
 */
#ifndef ARCH_X86_64_SMP_H
#define ARCH_X86_64_SMP_H

#include "arch/x86_64/gdt.h"
#include "include/types.h"
#include "kernel/lockdep.h"

#define SMP_MAX_CPUS 16
#define SMP_AP_TIMEOUT_MS 1000

struct cpu {
	struct cpu *self;      /* %gs:0 */
	unsigned int index;    /* 0: the boot CPU */
	u32 apic_id;
	int online;            /* set by the CPU itself, last (release) */
	struct lockdep_cpu lockdep; /* the spinlocks it holds (lockdep.c) */
	struct cpu_gdt gdt;
	/* An AP's stacks, from the buddy: bring-up and IST (the boot CPU's
	 * are static). */
	struct page *stack_page;
	unsigned long stack_top;
	struct page *ist_page[NR_IST];
	unsigned long ist_top[NR_IST];
};

extern struct cpu cpus[SMP_MAX_CPUS];

/* The boot CPU's per-CPU area (GS base); before anything reads this_cpu(). */
void smp_init_boot_cpu(void);

/* Start the APs (after paging, ACPI, the LAPIC and the page allocator). */
void smp_init(void);

/*
 * smp_bring_up - start the CPU with xAPIC id @apic_id as the next cpus[]
 * entry (smp_init does this for the MADT's CPUs; tests for an absent one).
 * Return: 0; -ETIMEDOUT when it did not answer (sent INIT again, its stacks
 * freed); -ENOMEM; -ENODEV without a trampoline or a free cpus[] slot.
 */
int smp_bring_up(u32 apic_id);

/* CPUs online (the boot CPU included). */
unsigned int smp_nr_online(void);

static inline struct cpu *this_cpu(void)
{
	struct cpu *cpu;

	__asm__ volatile("movq %%gs:0, %0" : "=r"(cpu));
	return cpu;
}

#endif
