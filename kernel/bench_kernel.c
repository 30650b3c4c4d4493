/*
 * In-kernel benchmarks for `make bench` (bench/qemu_kernel.py boots them):
 * `bench` on the command line runs them after boot, prints every figure as
 * one line
 *
 *   BENCH {"name": "kernel_memcpy_4k_ns", "value": 812.345, "unit": "ns", "runs": 15}
 *
 * and powers off (isa-debug-exit 33 when every benchmark ran and kernel_mm
 * is consistent afterwards, 35 otherwise). `bench=quick` does 3 rounds
 * instead of 15 (it proves the benchmarks work, nothing more); the monitor
 * command `bench [quick]` prints the same lines.
 *
 * Figures, each the median over the rounds (TCG timing is noisy), timed
 * with the TSC (kernel/time.h) with interrupts on:
 *   kernel_copy4k_{movsb,movsq,loop}_ns  the lib/pagecopy.h variants, 4 KiB
 *       between two warm pages, interleaved; baseline of the others: movsq
 *   kernel_memcpy_4k_ns  lib/string.c memcpy of 4 KiB between two warm pages,
 *       interleaved with ...
 *   migrate_mapped_page_ns  migrate_pages() of a region of KBENCH_PAGES
 *       mapped pages (mm/mapped.h) of kernel_mm, per page: isolate, target
 *       allocation, migration entry + TLB flush, copy, new PTE, wake-up,
 *       freeing the source. The PFN array is rebuilt before each round
 *       (the pages moved), outside the timing.
 *   migrate_mapped_page_ratio_vs_memcpy  the two, median of per-round ratios
 *   migrate_mapped_page_ns_writer  the same while a writer on CPU 1
 *       (kernel/mm/mapped_writer.h) writes into every page; baseline: the
 *       same region without it, rounds interleaved. Verified: the writer
 *       lost no write, every other word kept its pattern, every page moved.
 *   mapped_fault_waits_per_move_writer  the writer's faults-and-waits per
 *       page moved
 *   ipi_roundtrip_ns  smp_call() to CPU 1 with wait, per call (KBENCH_CALLS
 *       back to back per sample): queue, IPI, the call on CPU 1, the
 *       completion seen by CPU 0. Verified: CPU 1 ran every call.
 *   tlb_shootdown_all_ns  paging_flush_tlb_range() of one mapped vmap page,
 *       per flush: INVLPG here and a waiting cross-call that flushes it on
 *       every other CPU. Verified: each other CPU ran every flush.
 *   With one CPU online both are null ("skipped": why), not a number.
 *   kernel_order0_pair_ns_smp{1,2}  order-0 pairs on one CPU, then on two at
 *       once (kernel/bench_order0.c)
 *
 * No floating point (-mgeneral-regs-only): times are picoseconds per
 * operation and ratios thousandths, printed with three decimals.
 *
 * State: none between runs; a run allocates what it times and frees it
 * (the region's pages, its page tables and its virtual range).
 */
#include "kernel/bench_kernel.h"
#include "kernel/bench_kernel_internal.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/paging.h"
#include "arch/x86_64/smp.h"
#include "arch/x86_64/smp_call.h"
#include "drivers/qemu_exit.h"
#include "include/errno.h"
#include "kernel/cmdline.h"
#include "kernel/mm/mapped_writer.h"
#include "kernel/mm/mm_boot.h"
#include "kernel/printk.h"
#include "kernel/time.h"
#include "lib/pagecopy.h"
#include "lib/printf.h"
#include "lib/string.h"
#include "mm/mapped.h"
#include "mm/migrate.h"

#define KBENCH_QUICK_ROUNDS 3
#define KBENCH_COPIES 64   /* 4 KiB copies per timed sample */
#define KBENCH_PAGES 512   /* pages migrated per timed sample */
#define KBENCH_CALLS 64    /* cross-calls or shootdowns per timed sample */

enum kbench_mode { KBENCH_OFF, KBENCH_FULL, KBENCH_QUICK };

static enum kbench_mode requested;

static int set_bench(const char *value)
{
	if (!value)
		requested = KBENCH_FULL;
	else if (!strcmp(value, "quick"))
		requested = KBENCH_QUICK;
	else
		return -EINVAL;
	return 0;
}
CMDLINE_PARAM(bench, "bench", set_bench,
	      "[=quick]: run the kernel benchmarks, print BENCH lines, then exit");

bool bench_kernel_requested(void) { return requested != KBENCH_OFF; }


static size_t put_milli(char *buf, size_t size, u64 v)
{
	return (size_t)scnprintf(buf, size, "%lu.%03lu", (unsigned long)(v / 1000),
				 (unsigned long)(v % 1000));
}

/* One BENCH line, written with one console call so nothing lands inside it. */
static void emit(const struct kbench_figure *figure)
{
	char line[512];
	size_t n = 0;

	n += scnprintf(line + n, sizeof(line) - n, "BENCH {\"name\": \"%s\", \"value\": ", figure->name);
	if (figure->skipped)
		n += scnprintf(line + n, sizeof(line) - n, "null, \"skipped\": \"%s\"", figure->skipped);
	else
		n += put_milli(line + n, sizeof(line) - n, figure->milli);
	n += scnprintf(line + n, sizeof(line) - n, ", \"unit\": \"%s\"", figure->unit);
	if (figure->has_baseline && !figure->skipped) {
		n += scnprintf(line + n, sizeof(line) - n, ", \"baseline\": ");
		n += put_milli(line + n, sizeof(line) - n, figure->baseline_milli);
		if (figure->baseline_unit)
			n += scnprintf(line + n, sizeof(line) - n, ", \"baseline_unit\": \"%s\"",
				       figure->baseline_unit);
		n += scnprintf(line + n, sizeof(line) - n, ", \"ratio\": ");
		n += put_milli(line + n, sizeof(line) - n, figure->ratio_milli);
	}
	if (!figure->skipped)
		n += scnprintf(line + n, sizeof(line) - n, ", \"runs\": %u", figure->runs);
	if (figure->note)
		n += scnprintf(line + n, sizeof(line) - n, ", \"note\": \"%s\"", figure->note);
	scnprintf(line + n, sizeof(line) - n, "}\n");
	kprintf("%s", line);
}

/* Median of @v[0..n) (sorts @v; n is small). */
static u64 median(u64 *v, unsigned int n)
{
	unsigned int i, j;

	for (i = 1; i < n; i++) {
		u64 x = v[i];

		for (j = i; j > 0 && v[j - 1] > x; j--)
			v[j] = v[j - 1];
		v[j] = x;
	}
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static u64 ps_per_op(u64 cycles, unsigned long ops) { return tsc_to_ns(cycles * 1000) / ops; }

static u64 milli_ratio(u64 a, u64 b) { return b ? a * 1000 / b : 0; }

/* For the benchmarks in their own files (kernel/bench_kernel_internal.h). */
void kbench_emit(const struct kbench_figure *figure) { emit(figure); }
u64 kbench_median(u64 *v, unsigned int n) { return median(v, n); }
u64 kbench_ps_per_op(u64 cycles, unsigned long ops) { return ps_per_op(cycles, ops); }
u64 kbench_milli_ratio(u64 a, u64 b) { return milli_ratio(a, b); }

typedef void (*copy_fn)(void *dst, const void *src, size_t bytes);

static void copy_memcpy(void *dst, const void *src, size_t bytes) { memcpy(dst, src, bytes); }

/* Return: picoseconds per copy of @n copies of a page from @src to @dst. */
static u64 time_copies(copy_fn copy, void *dst, const void *src, unsigned int n)
{
	u64 t0 = rdtsc();
	unsigned int i;

	for (i = 0; i < n; i++) {
		copy(dst, src, PAGE_SIZE);
		barrier(); /* every copy happens */
	}
	return ps_per_op(rdtsc() - t0, n);
}

/* Two warm pages of kernel_mm to copy between. */
struct copy_pages {
	struct page *src, *dst;
	void *s, *d;
};

static int copy_pages_get(struct copy_pages *cp)
{
	cp->src = alloc_pages(0, GFP_KERNEL);
	cp->dst = alloc_pages(0, GFP_KERNEL);
	if (!cp->src || !cp->dst) {
		if (cp->src)
			free_pages(cp->src, 0);
		if (cp->dst)
			free_pages(cp->dst, 0);
		return -ENOMEM;
	}
	cp->s = page_address(cp->src);
	cp->d = page_address(cp->dst);
	memset(cp->s, 0xa5, PAGE_SIZE);
	return 0;
}

/* Free the pages; Return: 0, or -EIO when the last copy differs. */
static int copy_pages_put(struct copy_pages *cp)
{
	int err = memcmp(cp->s, cp->d, PAGE_SIZE) ? -EIO : 0;

	free_pages(cp->src, 0);
	free_pages(cp->dst, 0);
	return err;
}

static const struct {
	const char *name;
	copy_fn copy;
	const char *note;
} copy_variants[] = {
	{ "kernel_copy4k_movsb_ns", pagecopy_movsb,
	  "rep movsb (lib/pagecopy.c), 4 KiB between two warm pages; baseline: rep movsq" },
	{ "kernel_copy4k_movsq_ns", pagecopy_movsq,
	  "rep movsq (lib/pagecopy.c), 4 KiB between two warm pages" },
	{ "kernel_copy4k_loop_ns", pagecopy_loop,
	  "unrolled loop, 8 u64 in general-purpose registers per 64 bytes (lib/pagecopy.c); "
	  "baseline: rep movsq" },
};
#define NR_VARIANTS ARRAY_SIZE(copy_variants)
#define MOVSQ 1 /* the baseline's index in copy_variants */

static int bench_copy4k(unsigned int rounds)
{
	u64 ps[NR_VARIANTS][KBENCH_ROUNDS], ratios[NR_VARIANTS][KBENCH_ROUNDS];
	u64 med[NR_VARIANTS];
	struct copy_pages cp;
	unsigned int r, v;
	int err = copy_pages_get(&cp);

	if (err)
		return err;
	for (v = 0; v < NR_VARIANTS; v++) /* warm-up */
		time_copies(copy_variants[v].copy, cp.d, cp.s, KBENCH_COPIES);
	for (r = 0; r < rounds; r++)
		for (v = 0; v < NR_VARIANTS; v++)
			ps[v][r] = time_copies(copy_variants[v].copy, cp.d, cp.s, KBENCH_COPIES);
	for (v = 0; v < NR_VARIANTS; v++)
		for (r = 0; r < rounds; r++)
			ratios[v][r] = milli_ratio(ps[v][r], ps[MOVSQ][r]);
	for (v = 0; v < NR_VARIANTS; v++)
		med[v] = median(ps[v], rounds);
	for (v = 0; v < NR_VARIANTS; v++)
		emit(&(struct kbench_figure){
			.name = copy_variants[v].name, .milli = med[v], .unit = "ns",
			.has_baseline = v != MOVSQ, .baseline_milli = med[MOVSQ],
			.ratio_milli = median(ratios[v], rounds), .runs = rounds,
			.note = copy_variants[v].note });
	return copy_pages_put(&cp);
}

#define NO_WORD (PAGE_SIZE / sizeof(u64))

/* Write a pattern into every page of @region through its mapping, or check
 * it, but for word @skip of each page (a writer's; NO_WORD: none). */
static bool region_pattern(struct mapped_region *region, bool check, unsigned long skip)
{
	unsigned long i, j;

	for (i = 0; i < region->nr_pages; i++) {
		u64 *w = (u64 *)mapped_va(region, i);

		for (j = 0; j < PAGE_SIZE / sizeof(u64); j++) {
			u64 want = (i << 32) ^ (j * 0x9e3779b97f4a7c15ULL);

			if (j == skip)
				continue;
			if (!check)
				w[j] = want;
			else if (w[j] != want)
				return false;
		}
	}
	return true;
}

/* One timed migration of every page of @region. Return: picoseconds per page,
 * or 0 when a page did not move. */
static u64 time_migration(struct mapped_region *region, unsigned long *pfns)
{
	struct migrate_result res;
	unsigned long i;
	u64 t0, t1;
	int err;

	for (i = 0; i < region->nr_pages; i++)
		pfns[i] = mapped_pfn(region, i);
	t0 = rdtsc();
	err = migrate_pages(&kernel_mm, pfns, region->nr_pages, NULL, NULL, NULL, MIGRATE_SYNC, &res);
	t1 = rdtsc();
	if (err || res.succeeded != region->nr_pages) {
		pr_err("bench: migrate_pages: %s, %lu of %lu moved\n", errno_name(err),
		       res.succeeded, region->nr_pages);
		return 0;
	}
	return ps_per_op(t1 - t0, region->nr_pages);
}

static int migrate_rounds(struct mapped_region *region, struct copy_pages *cp, unsigned int rounds)
{
	static unsigned long pfns[KBENCH_PAGES];
	u64 mig[KBENCH_ROUNDS], mc[KBENCH_ROUNDS], ratios[KBENCH_ROUNDS], mig_ps, mc_ps;
	unsigned int i;

	if (!time_migration(region, pfns)) /* warm-up */
		return -EIO;
	time_copies(copy_memcpy, cp->d, cp->s, KBENCH_COPIES);
	for (i = 0; i < rounds; i++) {
		mig[i] = time_migration(region, pfns);
		if (!mig[i])
			return -EIO;
		mc[i] = time_copies(copy_memcpy, cp->d, cp->s, KBENCH_COPIES);
		ratios[i] = milli_ratio(mig[i], mc[i]);
	}
	mig_ps = median(mig, rounds);
	mc_ps = median(mc, rounds);
	emit(&(struct kbench_figure){
		.name = "kernel_memcpy_4k_ns", .milli = mc_ps, .unit = "ns", .runs = rounds,
		.note = "lib/string.c memcpy of 4 KiB between two warm pages, interleaved with "
			"migrate_mapped_page_ns" });
	emit(&(struct kbench_figure){
		.name = "migrate_mapped_page_ns", .milli = mig_ps, .unit = "ns", .runs = rounds,
		.note = "migrate_pages of a 512-page mapped region of kernel_mm, per page: isolate, "
			"target alloc, migration entry + TLB flush, copy, new PTE, free of source" });
	emit(&(struct kbench_figure){
		.name = "migrate_mapped_page_ratio_vs_memcpy", .milli = median(ratios, rounds),
		.unit = "x", .has_baseline = true, .baseline_milli = mc_ps, .baseline_unit = "ns",
		.ratio_milli = median(ratios, rounds), .runs = rounds,
		.note = "migrate_mapped_page_ns / kernel_memcpy_4k_ns, median of per-round ratios" });
	return 0;
}

static int bench_migrate_mapped(unsigned int rounds)
{
	struct mapped_region region;
	struct copy_pages cp;
	int err = copy_pages_get(&cp);

	if (err)
		return err;
	err = mapped_region_create(&region, &kernel_mm, KBENCH_PAGES, 0);
	if (err) {
		copy_pages_put(&cp);
		return err;
	}
	region_pattern(&region, false, NO_WORD);
	err = migrate_rounds(&region, &cp, rounds);
	if (!err && (!region_pattern(&region, true, NO_WORD) || region.migrations != (rounds + 1UL) * KBENCH_PAGES)) {
		pr_err("bench: the mapped region lost data or moves (%lu migrations)\n",
		       region.migrations);
		err = -EIO;
	}
	mapped_region_destroy(&region);
	return copy_pages_put(&cp) ?: err;
}

#define WRITER_WORD 3 /* the word of each page the writer owns */

static const char writer_note[] =
	"migrate_mapped_page_ns while a writer on cpu 1 writes into every page of the region "
	"(faults-and-waits and shootdowns of a busy CPU included); baseline: the same region "
	"without the writer, rounds interleaved";

static void emit_writer_skipped(const char *why)
{
	emit(&(struct kbench_figure){ .name = "migrate_mapped_page_ns_writer", .unit = "ns",
				      .skipped = why, .note = writer_note });
	emit(&(struct kbench_figure){ .name = "mapped_fault_waits_per_move_writer", .unit = "waits",
				      .skipped = why });
}

/* One round with the writer on CPU 1. Return: picoseconds per page, 0 when
 * a page did not move or the writer lost a write; *@waits += its waits. */
static u64 time_migration_under_writer(struct mapped_region *region, unsigned long *pfns,
				       unsigned long *waits)
{
	struct mapped_writer writer;
	u64 ps;

	if (mapped_writer_start(&writer, region, 1, WRITER_WORD, 1))
		return 0;
	while (!__atomic_load_n(&writer.passes, __ATOMIC_RELAXED)) /* it is writing */
		cpu_relax();
	ps = time_migration(region, pfns);
	if (mapped_writer_stop(&writer))
		return 0;
	*waits += writer.fault_waits;
	return ps;
}

static int writer_rounds(struct mapped_region *region, unsigned int rounds)
{
	static unsigned long pfns[KBENCH_PAGES];
	u64 alone[KBENCH_ROUNDS], busy[KBENCH_ROUNDS], ratios[KBENCH_ROUNDS], alone_ps;
	unsigned long waits = 0;
	unsigned int i;

	if (!time_migration(region, pfns)) /* warm-up */
		return -EIO;
	for (i = 0; i < rounds; i++) {
		alone[i] = time_migration(region, pfns);
		busy[i] = time_migration_under_writer(region, pfns, &waits);
		if (!alone[i] || !busy[i])
			return -EIO;
		ratios[i] = milli_ratio(busy[i], alone[i]);
	}
	alone_ps = median(alone, rounds);
	emit(&(struct kbench_figure){
		.name = "migrate_mapped_page_ns_writer", .milli = median(busy, rounds), .unit = "ns",
		.has_baseline = true, .baseline_milli = alone_ps, .ratio_milli = median(ratios, rounds),
		.runs = rounds, .note = writer_note });
	emit(&(struct kbench_figure){
		.name = "mapped_fault_waits_per_move_writer",
		.milli = waits * 1000 / ((unsigned long)rounds * KBENCH_PAGES), .unit = "waits",
		.runs = rounds,
		.note = "accesses by the writer that slept on a page in flight, per page moved" });
	return 0;
}

static int bench_migrate_mapped_writer(unsigned int rounds)
{
	struct mapped_region region;
	int err;

	if (smp_nr_online() < 2) {
		emit_writer_skipped("needs 2 CPUs, 1 online (bench/qemu_kernel.py boots -smp 2)");
		return 0;
	}
	err = mapped_region_create(&region, &kernel_mm, KBENCH_PAGES, 0);
	if (err)
		return err;
	region_pattern(&region, false, WRITER_WORD);
	err = writer_rounds(&region, rounds);
	if (!err && (!region_pattern(&region, true, WRITER_WORD) ||
		     region.migrations != (2UL * rounds + 1) * KBENCH_PAGES)) {
		pr_err("bench: the mapped region lost data or moves under the writer (%lu migrations)\n",
		       region.migrations);
		err = -EIO;
	}
	mapped_region_destroy(&region);
	return err;
}

static unsigned int calls_run;

static void count_call(void *arg) { __atomic_fetch_add(&calls_run, 1, __ATOMIC_RELAXED); }

/* Return: picoseconds per waiting smp_call() to CPU 1 over KBENCH_CALLS,
 * or 0 when a call failed. */
static u64 time_calls(void)
{
	unsigned int i;
	u64 t0 = rdtsc();

	for (i = 0; i < KBENCH_CALLS; i++)
		if (smp_call(1, count_call, NULL, true))
			return 0;
	return ps_per_op(rdtsc() - t0, KBENCH_CALLS);
}

/* Return: picoseconds per shootdown of @va on every CPU. */
static u64 time_shootdowns(unsigned long va)
{
	unsigned int i;
	u64 t0 = rdtsc();

	for (i = 0; i < KBENCH_CALLS; i++)
		paging_flush_tlb_range(va, 1);
	return ps_per_op(rdtsc() - t0, KBENCH_CALLS);
}

static const char ipi_note[] =
	"smp_call to cpu 1 with wait, per call: queue, IPI, the call there, completion seen here";
static const char shootdown_note[] =
	"paging_flush_tlb_range of one mapped vmap page: INVLPG here and a waiting cross-call "
	"flushing it on every other CPU";

static void emit_smp_skipped(void)
{
	static const char why[] = "needs 2 CPUs, 1 online (bench/qemu_kernel.py boots -smp 2)";

	emit(&(struct kbench_figure){ .name = "ipi_roundtrip_ns", .unit = "ns", .skipped = why,
				      .note = ipi_note });
	emit(&(struct kbench_figure){ .name = "tlb_shootdown_all_ns", .unit = "ns", .skipped = why,
				      .note = shootdown_note });
}

/* Did every other CPU run @want more shootdowns than @before[] says? */
static bool shootdowns_all_ran(const u64 *before, u64 want)
{
	unsigned int i;

	for (i = 1; i < smp_nr_online(); i++)
		if (paging_shootdowns_received(i) - before[i] != want) {
			pr_err("bench: cpu %u ran %lu of %lu shootdowns\n", i,
			       (unsigned long)(paging_shootdowns_received(i) - before[i]),
			       (unsigned long)want);
			return false;
		}
	return true;
}

static int shootdown_rounds(unsigned long va, unsigned int rounds)
{
	u64 ps[KBENCH_ROUNDS], before[SMP_MAX_CPUS];
	unsigned int i;

	for (i = 0; i < smp_nr_online(); i++)
		before[i] = paging_shootdowns_received(i);
	time_shootdowns(va); /* warm-up */
	for (i = 0; i < rounds; i++)
		ps[i] = time_shootdowns(va);
	if (!shootdowns_all_ran(before, (rounds + 1UL) * KBENCH_CALLS))
		return -EIO;
	emit(&(struct kbench_figure){ .name = "tlb_shootdown_all_ns", .milli = median(ps, rounds),
				      .unit = "ns", .runs = rounds, .note = shootdown_note });
	return 0;
}

static int bench_shootdown(unsigned int rounds)
{
	unsigned long va = mm_vrange_alloc(1);
	struct page *page = alloc_pages(0, GFP_KERNEL);
	int err = -ENOMEM;

	if (va && page && !mm_map_page(va, page_to_pfn(page), MM_PROT_WRITE)) {
		*(volatile u64 *)va = 1; /* in this CPU's TLB */
		err = shootdown_rounds(va, rounds);
		mm_unmap_page(va);
	}
	if (page)
		free_pages(page, 0);
	if (va)
		mm_vrange_free(va, 1);
	return err;
}

static int bench_ipi(unsigned int rounds)
{
	u64 ps[KBENCH_ROUNDS];
	unsigned int i;

	if (smp_nr_online() < 2) {
		emit_smp_skipped();
		return 0;
	}
	calls_run = 0;
	if (!time_calls()) /* warm-up */
		return -EIO;
	for (i = 0; i < rounds; i++) {
		ps[i] = time_calls();
		if (!ps[i])
			return -EIO;
	}
	if (__atomic_load_n(&calls_run, __ATOMIC_RELAXED) != (rounds + 1) * KBENCH_CALLS) {
		pr_err("bench: cpu 1 ran %u of %u calls\n", calls_run, (rounds + 1) * KBENCH_CALLS);
		return -EIO;
	}
	emit(&(struct kbench_figure){ .name = "ipi_roundtrip_ns", .milli = median(ps, rounds),
				      .unit = "ns", .runs = rounds, .note = ipi_note });
	return bench_shootdown(rounds);
}

/* Run everything; Return: 0, or the first error (the rest still run). */
static int run(enum kbench_mode mode)
{
	unsigned int rounds = mode == KBENCH_QUICK ? KBENCH_QUICK_ROUNDS : KBENCH_ROUNDS;
	int err, first = 0;
	unsigned int bad;

	err = bench_copy4k(rounds);
	if (err)
		pr_err("bench: copy4k: %s\n", errno_name(err));
	first = err;
	err = bench_migrate_mapped(rounds);
	if (err)
		pr_err("bench: migrate_mapped: %s\n", errno_name(err));
	first = first ?: err;
	err = bench_migrate_mapped_writer(rounds);
	if (err)
		pr_err("bench: migrate_mapped_writer: %s\n", errno_name(err));
	first = first ?: err;
	err = bench_ipi(rounds);
	if (err)
		pr_err("bench: ipi: %s\n", errno_name(err));
	first = first ?: err;
	err = bench_order0(rounds);
	if (err)
		pr_err("bench: order0: %s\n", errno_name(err));
	first = first ?: err;
	bad = mm_check(&kernel_mm);
	if (bad) {
		pr_err("bench: mm_check(kernel_mm): %u violations\n", bad);
		first = first ?: -EIO;
	}
	return first;
}

void bench_kernel_run_requested(void)
{
	int err = run(requested);

	kprintf("bench: %s\n", err ? "FAILED" : "done");
	machine_poweroff(err ? QEMU_EXIT_FAILURE : QEMU_EXIT_SUCCESS);
}

int bench_kernel_run(bool quick) { return run(quick ? KBENCH_QUICK : KBENCH_FULL); }
