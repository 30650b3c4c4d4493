/*
 * Tests of the TLB shootdown (arch/x86_64/paging.c) across CPUs. CPU 1
 * touches a vmap page inside a cross-call, so its TLB holds the
 * translation; CPU 0 unmaps it (and frees the page), makes it read-only,
 * or puts a migration entry there; CPU 1's next access, in a second
 * cross-call, must fault. The accesses are probes (a load or a store at a
 * known instruction) that the suite's page-fault hook steps over, so a
 * fault is counted instead of reported. The last case turns the remote
 * half off (the test-only switch) and shows that TCG's software TLB really
 * keeps the stale translation, which is what the shootdown is for.
 *
 * The victim page shares its page table with a second mapped page, so no
 * table is freed under a CPU the test keeps stale on purpose. All cases
 * need two CPUs (they skip at SMP=1). Nothing prints on CPU 1.
 */
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/paging.h"
#include "arch/x86_64/smp.h"
#include "arch/x86_64/smp_call.h"
#include "arch/x86_64/trap.h"
#include "kernel/mm/mm_boot.h"
#include "lib/ktest.h"

#define OLD_VALUE 0x5eed0001UL
#define NEW_VALUE 0x5eed0002UL
#define REMOTE 1 /* the CPU that keeps the translation */

u64 shootdown_probe_load(const volatile u64 *p);
void shootdown_probe_store(volatile u64 *p, u64 value);
extern const char shootdown_probe_load_insn[], shootdown_probe_load_end[];
extern const char shootdown_probe_store_insn[], shootdown_probe_store_end[];

/* One load and one store at labelled instructions (a fault resumes after
 * them with RAX = 0). */
__asm__(".pushsection .text\n"
	".type shootdown_probe_load, @function\n"
	"shootdown_probe_load:\n"
	"shootdown_probe_load_insn:\n"
	"\tmovq (%rdi), %rax\n"
	"shootdown_probe_load_end:\n"
	"\tret\n"
	".size shootdown_probe_load, . - shootdown_probe_load\n"
	".type shootdown_probe_store, @function\n"
	"shootdown_probe_store:\n"
	"shootdown_probe_store_insn:\n"
	"\tmovq %rsi, (%rdi)\n"
	"shootdown_probe_store_end:\n"
	"\tret\n"
	".size shootdown_probe_store, . - shootdown_probe_store\n"
	".popsection\n");

static trap_handler_t old_page_fault;
static unsigned int probe_faults[SMP_MAX_CPUS];
static unsigned long probe_cr2[SMP_MAX_CPUS];

/* The suite's #PF hook: a probe's fault is counted and stepped over;
 * every other fault goes where it went before. */
static bool probe_fault(struct trap_frame *frame)
{
	unsigned int cpu = this_cpu()->index;

	if (frame->rip == (u64)shootdown_probe_load_insn)
		frame->rip = (u64)shootdown_probe_load_end;
	else if (frame->rip == (u64)shootdown_probe_store_insn)
		frame->rip = (u64)shootdown_probe_store_end;
	else
		return old_page_fault && old_page_fault(frame);
	frame->rax = 0;
	probe_cr2[cpu] = read_cr2();
	probe_faults[cpu]++;
	return true;
}

static int shootdown_suite_init(void)
{
	old_page_fault = trap_set_handler(VEC_PAGE_FAULT, probe_fault);
	return 0;
}

static void shootdown_suite_exit(struct ktest *test)
{
	trap_set_handler(VEC_PAGE_FAULT, old_page_fault);
}

/* One access of @va on some CPU, and what happened. */
struct probe {
	unsigned long va;
	bool store;
	u64 value;    /* stored, or loaded */
	bool faulted;
	unsigned long cr2;
};

static void probe_here(void *arg)
{
	struct probe *probe = arg;
	unsigned int cpu = this_cpu()->index, before = probe_faults[cpu];

	if (probe->store)
		shootdown_probe_store((volatile u64 *)probe->va, probe->value);
	else
		probe->value = shootdown_probe_load((const volatile u64 *)probe->va);
	probe->faulted = probe_faults[cpu] != before;
	probe->cr2 = probe->faulted ? probe_cr2[cpu] : 0;
}

/* Probe @va on @cpu in a waiting cross-call. Return: it faulted. */
static bool probe_on(struct ktest *test, unsigned int cpu, unsigned long va, bool store,
		     u64 *value)
{
	struct probe probe = { va, store, value ? *value : 0, false, 0 };

	KTEST_EXPECT_EQ(test, smp_call((int)cpu, probe_here, &probe, true), 0);
	if (value && !store)
		*value = probe.value;
	if (probe.faulted)
		KTEST_EXPECT_EQ(test, probe.cr2, va);
	return probe.faulted;
}

/* A vmap page (@va, mapped RW to @page) and a neighbour in its table. */
struct victim {
	unsigned long range, va, neighbour;
	struct page *page, *neighbour_page;
	volatile u64 *data; /* @page through the direct map */
};

static bool victim_map(struct ktest *test, struct victim *victim)
{
	victim->range = mm_vrange_alloc(3);
	victim->page = alloc_pages(0, GFP_KERNEL | GFP_ZERO);
	victim->neighbour_page = alloc_pages(0, GFP_KERNEL | GFP_ZERO);
	KTEST_EXPECT_NE(test, victim->range, 0);
	KTEST_EXPECT_NOT_NULL(test, victim->page);
	KTEST_EXPECT_NOT_NULL(test, victim->neighbour_page);
	if (!victim->range || !victim->page || !victim->neighbour_page)
		return false;
	/* Two pages under one level-1 table (the range may cross one). */
	victim->va = victim->range;
	if ((victim->va >> 21) != ((victim->va + PAGE_SIZE) >> 21))
		victim->va += PAGE_SIZE;
	victim->neighbour = victim->va + PAGE_SIZE;
	victim->data = page_address(victim->page);
	*victim->data = OLD_VALUE;
	KTEST_EXPECT_EQ(test, mm_map_page(victim->va, page_to_pfn(victim->page), MM_PROT_WRITE), 0);
	KTEST_EXPECT_EQ(test, mm_map_page(victim->neighbour, page_to_pfn(victim->neighbour_page),
					  MM_PROT_WRITE), 0);
	return true;
}

/* Unmap and free whatever victim_map() made (the page unless @page_freed). */
static void victim_unmap(struct victim *victim, bool page_freed)
{
	if (victim->range) {
		paging_unmap_range(victim->range, 3);
		mm_vrange_free(victim->range, 3);
	}
	if (victim->page && !page_freed)
		free_pages(victim->page, 0);
	if (victim->neighbour_page)
		free_pages(victim->neighbour_page, 0);
}

/* CPU 1 reads the page (its TLB holds it now): the old value, no fault. */
static void warm_remote(struct ktest *test, struct victim *victim)
{
	u64 value = 0;

	KTEST_EXPECT_FALSE(test, probe_on(test, REMOTE, victim->va, false, &value));
	KTEST_EXPECT_EQ(test, value, OLD_VALUE);
}

/* Unmapped and freed on CPU 0: CPU 1's next read faults. */
static void shootdown_unmap_faults_on_other_cpu(struct ktest *test)
{
	struct victim victim = { 0 };
	u64 received = paging_shootdowns_received(REMOTE);

	if (smp_nr_online() < 2)
		KTEST_SKIP(test, "needs 2 CPUs, 1 online");
	if (victim_map(test, &victim)) {
		warm_remote(test, &victim);
		mm_unmap_page(victim.va);
		free_pages(victim.page, 0);
		KTEST_EXPECT_TRUE(test, probe_on(test, REMOTE, victim.va, false, NULL));
		KTEST_EXPECT_TRUE(test, probe_on(test, 0, victim.va, false, NULL));
		KTEST_EXPECT_GT(test, paging_shootdowns_received(REMOTE), received);
	}
	victim_unmap(&victim, true);
}

/* RW made RO on CPU 0: CPU 1, which wrote it before, cannot write now. */
static void shootdown_rw_to_ro_faults_on_other_cpu(struct ktest *test)
{
	struct victim victim = { 0 };
	u64 value = NEW_VALUE;

	if (smp_nr_online() < 2)
		KTEST_SKIP(test, "needs 2 CPUs, 1 online");
	if (victim_map(test, &victim)) {
		KTEST_EXPECT_FALSE(test, probe_on(test, REMOTE, victim.va, true, &value));
		KTEST_EXPECT_EQ(test, *victim.data, NEW_VALUE);
		KTEST_EXPECT_EQ(test, paging_map_page(victim.va, (phys_addr_t)page_to_pfn(victim.page)
						      << PAGE_SHIFT, PTE_NX), 0);
		value = OLD_VALUE;
		KTEST_EXPECT_TRUE(test, probe_on(test, REMOTE, victim.va, true, &value));
		KTEST_EXPECT_EQ(test, *victim.data, NEW_VALUE);
		value = 0;
		KTEST_EXPECT_FALSE(test, probe_on(test, REMOTE, victim.va, false, &value));
		KTEST_EXPECT_EQ(test, value, NEW_VALUE); /* still readable */
	}
	victim_unmap(&victim, false);
}

/* A migration entry replaces the mapping; once it is flushed everywhere
 * (mm_set_migration_entry flushes only here), CPU 1's next read faults. */
static void shootdown_migration_entry_faults_on_other_cpu(struct ktest *test)
{
	struct victim victim = { 0 };

	if (smp_nr_online() < 2)
		KTEST_SKIP(test, "needs 2 CPUs, 1 online");
	if (victim_map(test, &victim)) {
		warm_remote(test, &victim);
		mm_set_migration_entry(victim.va, page_to_pfn(victim.page));
		mm_flush_tlb_page(victim.va);
		KTEST_EXPECT_TRUE(test, probe_on(test, REMOTE, victim.va, false, NULL));
	}
	victim_unmap(&victim, false);
}

/*
 * With the remote half off (test-only), CPU 1 keeps reading the old page
 * through its stale TLB entry after CPU 0 unmapped it; a flush of every
 * CPU ends that. Under TCG this is deterministic as far as we have seen;
 * should TCG drop the entry by itself, the case says so and skips.
 */
static void shootdown_disabled_leaves_stale_translation(struct ktest *test)
{
	struct victim victim = { 0 };
	u64 value = 0;
	bool faulted;

	if (smp_nr_online() < 2)
		KTEST_SKIP(test, "needs 2 CPUs, 1 online");
	if (!victim_map(test, &victim)) {
		victim_unmap(&victim, false);
		return;
	}
	warm_remote(test, &victim);
	paging_test_remote_shootdown(false);
	mm_unmap_page(victim.va);
	paging_test_remote_shootdown(true);
	KTEST_EXPECT_TRUE(test, probe_on(test, 0, victim.va, false, NULL)); /* flushed here */
	faulted = probe_on(test, REMOTE, victim.va, false, &value);
	paging_flush_tlb_range(victim.va, 1);
	KTEST_EXPECT_TRUE(test, probe_on(test, REMOTE, victim.va, false, NULL));
	victim_unmap(&victim, false);
	if (faulted)
		KTEST_SKIP(test, "TCG dropped the stale translation by itself this run");
	KTEST_EXPECT_EQ(test, value, OLD_VALUE);
	ktest_diag(test, "without the remote flush cpu %d read %#lx through its stale TLB entry",
		   REMOTE, (unsigned long)value);
}

static const struct ktest_case shootdown_cases[] = {
	KTEST_CASE(shootdown_unmap_faults_on_other_cpu),
	KTEST_CASE(shootdown_rw_to_ro_faults_on_other_cpu),
	KTEST_CASE(shootdown_migration_entry_faults_on_other_cpu),
	KTEST_CASE(shootdown_disabled_leaves_stale_translation),
	KTEST_END,
};
KTEST_SUITE_FULL(shootdown, shootdown_cases, shootdown_suite_init, shootdown_suite_exit);
