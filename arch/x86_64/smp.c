/*
 * AP bring-up (see smp.h). The trampoline and its temporary page tables sit
 * in TRAMP_PAGES pages below 1 MiB of the sanitized usable RAM
 * (mm_boot_usable); the low 1 MiB is never given to the page allocator
 * (kernel/mm/mm_boot.c), so they stay ours. Layout from TRAMP:
 *   +0       the trampoline's code and parameter block (trampoline.S)
 *   +0x1000  PML4: [0] -> the PDPT below, [256..511] = the kernel's
 *   +0x2000  PDPT: [0] -> the PD below
 *   +0x3000  PD:   [0] = 2 MiB identity of [0, 2 MiB) (the trampoline)
 * An AP leaves these tables on its first C instruction (ap_entry), so after
 * bring-up nothing maps the lower half on any CPU.
 *
 * One AP starts at a time: the parameter block holds one CPU's stack and
 * argument. A started AP starts its timer and hands itself to the scheduler
 * (sched_run_ap): its idle thread, on a guarded stack, takes over; the
 * bring-up stack stays the CPU's.
 */
#include "arch/x86_64/smp.h"
#include "arch/x86_64/acpi.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/lapic.h"
#include "arch/x86_64/paging.h"
#include "arch/x86_64/smp_call.h"
#include "arch/x86_64/trap.h"
#include "include/errno.h"
#include "kernel/mm/mm_boot.h"
#include "kernel/printk.h"
#include "kernel/sched.h"
#include "kernel/time.h"
#include "lib/string.h"

#define TRAMP_PAGES 4
#define TRAMP_LOW 0x1000UL  /* not page 0: the real-mode IVT and BIOS data */
#define TRAMP_HIGH 0x9f000UL /* below the EBDA */
#define AP_STACK_ORDER 2     /* 16 KiB */
#define AP_IST_ORDER 1       /* 8 KiB, IST_STACK_SIZE */

extern const u8 trampoline_start[], trampoline_end[];
extern const u8 tr_gdt[], tr_gdtr[], tr_far32[], tr_far64[], tr_protected[], tr_long[];
extern const u8 tr_cr3[], tr_stack[], tr_arg[], tr_entry[];

struct cpu cpus[SMP_MAX_CPUS];
static unsigned int nr_online = 1;
static phys_addr_t tramp; /* 0: none found */

static_assert(IST_STACK_SIZE == PAGE_SIZE << AP_IST_ORDER, "AP IST stacks");

void smp_init_boot_cpu(void)
{
	cpus[0].self = &cpus[0];
	cpus[0].online = 1;
	wrmsr(MSR_GS_BASE, (u64)&cpus[0]);
}

unsigned int smp_nr_online(void) { return nr_online; }

/* Is [start, end) inside one range of the sanitized usable RAM (the
 * firmware map after physmem_sanitize: reserved wins over usable)? */
static bool usable(phys_addr_t start, phys_addr_t end)
{
	size_t i, n;
	const struct pfn_range *range = mm_boot_usable(&n);

	for (i = 0; i < n; i++)
		if (range[i].start <= start >> PAGE_SHIFT && end >> PAGE_SHIFT <= range[i].end)
			return true;
	return false;
}

/* The highest TRAMP_PAGES usable pages in [TRAMP_LOW, TRAMP_HIGH); 0: none. */
static phys_addr_t find_trampoline_pages(void)
{
	phys_addr_t start;

	for (start = TRAMP_HIGH - TRAMP_PAGES * PAGE_SIZE; start >= TRAMP_LOW; start -= PAGE_SIZE)
		if (usable(start, start + TRAMP_PAGES * PAGE_SIZE))
			return start;
	return 0;
}

/* The copy of trampoline.S's symbol @sym in the trampoline page. */
static void *tramp_field(const u8 *sym) { return phys_to_virt(tramp + (sym - trampoline_start)); }

static void put32(const u8 *sym, size_t off, u32 value) { memcpy((u8 *)tramp_field(sym) + off, &value, 4); }

static void put64(const u8 *sym, u64 value) { memcpy(tramp_field(sym), &value, 8); }

/* Copy the trampoline, point its jumps and GDT at the copy, and build the
 * temporary tables. */
static void tramp_prepare(void)
{
	u64 *pml4 = phys_to_virt(tramp + PAGE_SIZE), *pdpt = phys_to_virt(tramp + 2 * PAGE_SIZE);
	u64 *pd = phys_to_virt(tramp + 3 * PAGE_SIZE);
	const u64 *kernel_pml4 = phys_to_virt(paging_kernel_root());

	BUG_ON(trampoline_end - trampoline_start > (long)PAGE_SIZE);
	memcpy(phys_to_virt(tramp), trampoline_start, (size_t)(trampoline_end - trampoline_start));
	put32(tr_gdtr, 2, (u32)(tramp + (tr_gdt - trampoline_start)));
	put32(tr_far32, 0, (u32)(tramp + (tr_protected - trampoline_start)));
	put32(tr_far64, 0, (u32)(tramp + (tr_long - trampoline_start)));
	put64(tr_cr3, tramp + PAGE_SIZE);
	memset(pml4, 0, PAGE_SIZE);
	memset(pdpt, 0, PAGE_SIZE);
	memset(pd, 0, PAGE_SIZE);
	memcpy(pml4 + 256, kernel_pml4 + 256, 256 * sizeof(u64));
	pml4[0] = (tramp + 2 * PAGE_SIZE) | PTE_P | PTE_W;
	pdpt[0] = (tramp + 3 * PAGE_SIZE) | PTE_P | PTE_W;
	pd[0] = PTE_P | PTE_W | PTE_PS;
}

/* An AP's first C code, on its bring-up stack, on the temporary tables. */
static __attribute__((noreturn)) void ap_entry(struct cpu *cpu)
{
	paging_enable_this_cpu();
	gdt_load(&cpu->gdt, cpu->ist_top);
	idt_load();
	wrmsr(MSR_GS_BASE, (u64)cpu);
	lapic_enable_this_cpu();
	smp_call_init_this_cpu();
	lapic_timer_start_this_cpu();
	__atomic_store_n(&cpu->online, 1, __ATOMIC_RELEASE);
	sched_run_ap();
}

static bool wait_online(struct cpu *cpu, u64 us)
{
	u64 start = time_us();

	while (!__atomic_load_n(&cpu->online, __ATOMIC_ACQUIRE)) {
		if (time_us() - start >= us)
			return false;
		cpu_relax();
	}
	return true;
}

/* Pages for @cpu's stacks; false (nothing kept) when memory is short. */
static bool stacks_alloc(struct cpu *cpu)
{
	struct page *page = alloc_pages(AP_STACK_ORDER, GFP_KERNEL);
	unsigned int i;

	if (!page)
		return false;
	cpu->stack_page = page;
	cpu->stack_top = (unsigned long)page_address(page) + (PAGE_SIZE << AP_STACK_ORDER);
	for (i = 0; i < NR_IST; i++) {
		page = alloc_pages(AP_IST_ORDER, GFP_KERNEL);
		if (!page) {
			while (i--)
				free_pages(cpu->ist_page[i], AP_IST_ORDER);
			free_pages(cpu->stack_page, AP_STACK_ORDER);
			return false;
		}
		cpu->ist_page[i] = page;
		cpu->ist_top[i] = (unsigned long)page_address(page) + IST_STACK_SIZE;
	}
	return true;
}

static void stacks_free(struct cpu *cpu)
{
	unsigned int i;

	for (i = 0; i < NR_IST; i++)
		free_pages(cpu->ist_page[i], AP_IST_ORDER);
	free_pages(cpu->stack_page, AP_STACK_ORDER);
}

/* INIT, then up to two STARTUPs (Intel SDM vol. 3, 9.4.4.1). */
static bool start_ap(struct cpu *cpu)
{
	u8 vector = (u8)(tramp >> PAGE_SHIFT);

	put64(tr_stack, cpu->stack_top);
	put64(tr_arg, (u64)cpu);
	put64(tr_entry, (u64)ap_entry);
	if (lapic_send_init(cpu->apic_id))
		return false;
	udelay(10000);
	if (lapic_send_startup(cpu->apic_id, vector))
		return false;
	if (wait_online(cpu, 1000))
		return true;
	if (lapic_send_startup(cpu->apic_id, vector))
		return false;
	return wait_online(cpu, SMP_AP_TIMEOUT_MS * 1000);
}

int smp_bring_up(u32 apic_id)
{
	struct cpu *cpu = &cpus[nr_online];

	if (!tramp || nr_online == SMP_MAX_CPUS)
		return -ENODEV;
	memset(cpu, 0, sizeof(*cpu));
	cpu->self = cpu;
	cpu->index = nr_online;
	cpu->apic_id = apic_id;
	if (!stacks_alloc(cpu)) {
		pr_err("smp: no memory for CPU %u's stacks; left out\n", apic_id);
		return -ENOMEM;
	}
	if (!start_ap(cpu)) {
		lapic_send_init(cpu->apic_id); /* back to wait-for-SIPI: it must not run late */
		pr_err("smp: CPU with APIC id %u did not answer within %u ms; left out\n",
		       apic_id, SMP_AP_TIMEOUT_MS);
		stacks_free(cpu);
		return -ETIMEDOUT;
	}
	nr_online++;
	return 0;
}

void smp_init(void)
{
	const struct madt *madt = &acpi_info.madt;
	unsigned int i, hotplug = 0, unusable = 0;

	cpus[0].apic_id = lapic_id();
	tramp = find_trampoline_pages();
	if (!tramp && madt->nr_cpus > 1)
		pr_err("smp: no %d usable pages below 1 MiB for the trampoline; one CPU\n",
		       TRAMP_PAGES);
	if (tramp)
		tramp_prepare();
	for (i = 0; i < madt->nr_cpus; i++) {
		const struct madt_cpu *mc = &madt->cpus[i];

		if (mc->apic_id == cpus[0].apic_id)
			continue;
		if (!madt_cpu_startable(mc)) {
			if (mc->online_capable)
				hotplug++;
			else
				unusable++;
			if (mc->enabled)
				pr_warn("smp: CPU with x2APIC id %u is beyond the xAPIC; not started\n",
					mc->apic_id);
			continue;
		}
		if (nr_online == SMP_MAX_CPUS) {
			pr_warn("smp: more than %d CPUs; APIC id %u not started\n", SMP_MAX_CPUS,
				mc->apic_id);
			continue;
		}
		smp_bring_up(mc->apic_id);
	}
	pr_info("smp: %u CPUs online (boot CPU APIC id %u); %u online-capable and %u disabled "
		"listed, not started\n", nr_online, cpus[0].apic_id, hotplug, unusable);
}
