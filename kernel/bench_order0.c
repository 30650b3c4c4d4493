/*
 * Order-0 allocation on one CPU and on two at once, in the kernel (part of
 * `bench` on the command line, run by kernel/bench_kernel.c):
 *
 *   kernel_order0_pair_ns_smp1  alloc_pages(0) + free_pages on kernel_mm,
 *       tight (each page freed before the next is taken: it stays in the
 *       per-cpu cache), ORDER0_PAIRS per round on this CPU, the others idle
 *   kernel_order0_pair_ns_smp2  the same loop on this CPU and another one at
 *       once (a helper thread pinned there with thread_create_on), each
 *       through its own cache: TSC from both leaving a start barrier to both
 *       done, per pair of one CPU. Baseline: smp1, rounds interleaved, ratio
 *       the median of per-round ratios (1: the other CPU costs nothing)
 *
 * Verified: no allocation failed, and after the rounds, every cache drained,
 * kernel_mm has exactly the free pages it had before (the helper's stack is
 * taken before and given back after); otherwise -EIO, which fails every
 * figure of the boot. The note of smp2 says what the locks saw meanwhile
 * (mm/lock_stat.h): the two caches' locks, never contended when the CPUs
 * share nothing, and the zone lock.
 *
 * Waiting for the other CPU spins with interrupts on (a cross-call from it
 * must get through), bounded by ORDER0_WAIT_NS against a hang; the helper
 * sleeps on a wait queue between rounds, so the smp1 rounds run alone. The
 * scheduler is cooperative: nothing else runs on either CPU meanwhile.
 */
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/smp.h"
#include "include/errno.h"
#include "kernel/bench_kernel_internal.h"
#include "kernel/mm/mm_boot.h"
#include "kernel/printk.h"
#include "kernel/sched.h"
#include "kernel/time.h"
#include "lib/printf.h"

#define ORDER0_PAIRS 2048                 /* per CPU per round */
#define ORDER0_WAIT_NS 10000000000ULL     /* 10 s: against a hang only */
#define ORDER0_WAIT_US (ORDER0_WAIT_NS / 1000)

/* The helper's orders; every field but wq atomic. */
static struct {
	struct waitq wq;        /* the helper sleeps here between rounds */
	unsigned int gen;       /* bumped for each round, and for the end */
	bool stop;              /* the end: the helper returns */
	unsigned int ready;     /* 1: the helper runs (its CPU reaped what it had) */
	unsigned int arrived;   /* CPUs at this round's start barrier */
	unsigned int finished;  /* rounds the helper finished */
	unsigned long failures; /* allocations that failed */
} ctl = { .wq = WAITQ_INIT(ctl.wq) };

static void order0_pairs(unsigned long n)
{
	while (n--) {
		struct page *page = alloc_pages(0, GFP_KERNEL | GFP_NOWARN);

		if (unlikely(!page)) {
			__atomic_fetch_add(&ctl.failures, 1, __ATOMIC_RELAXED);
			continue;
		}
		free_pages(page, 0);
	}
}

/* Spin (interrupts on) until *@count >= @want. Return: false after
 * ORDER0_WAIT_NS. */
static bool wait_count(const unsigned int *count, unsigned int want)
{
	u64 deadline = time_ns() + ORDER0_WAIT_NS;

	while (__atomic_load_n(count, __ATOMIC_ACQUIRE) < want) {
		if (time_ns() > deadline)
			return false;
		cpu_relax();
	}
	return true;
}

static bool order0_posted(unsigned int seen)
{
	return __atomic_load_n(&ctl.gen, __ATOMIC_ACQUIRE) != seen;
}

/* The other CPU's thread: one round per new gen until stop. */
static void order0_helper(void *arg)
{
	unsigned int seen = (unsigned int)(unsigned long)arg;

	__atomic_store_n(&ctl.ready, 1, __ATOMIC_RELEASE);
	for (;;) {
		wait_event(&ctl.wq, order0_posted(seen));
		seen = __atomic_load_n(&ctl.gen, __ATOMIC_ACQUIRE);
		if (__atomic_load_n(&ctl.stop, __ATOMIC_ACQUIRE))
			return;
		__atomic_fetch_add(&ctl.arrived, 1, __ATOMIC_ACQ_REL);
		wait_count(&ctl.arrived, 2); /* a timeout is the main side's to report */
		order0_pairs(ORDER0_PAIRS);
		__atomic_fetch_add(&ctl.finished, 1, __ATOMIC_RELEASE);
	}
}

/* Let the helper go: a new round, or the end (@stop). */
static void order0_post(bool stop)
{
	__atomic_store_n(&ctl.arrived, 0, __ATOMIC_RELAXED); /* the helper is asleep */
	__atomic_store_n(&ctl.stop, stop, __ATOMIC_RELAXED);
	__atomic_fetch_add(&ctl.gen, 1, __ATOMIC_RELEASE);
	wake_up(&ctl.wq);
}

/* One round on @nr_cpus (1 or 2) CPUs. Return: picoseconds per pair of one
 * CPU, 0 when the helper did not come or finish in time. */
static u64 order0_round(unsigned int nr_cpus)
{
	unsigned int want = __atomic_load_n(&ctl.finished, __ATOMIC_ACQUIRE) + 1;
	u64 t0;

	if (nr_cpus > 1) {
		order0_post(false);
		__atomic_fetch_add(&ctl.arrived, 1, __ATOMIC_ACQ_REL);
		if (!wait_count(&ctl.arrived, 2))
			return 0;
	}
	t0 = rdtsc();
	order0_pairs(ORDER0_PAIRS);
	if (nr_cpus > 1 && !wait_count(&ctl.finished, want))
		return 0;
	return kbench_ps_per_op(rdtsc() - t0, ORDER0_PAIRS);
}

/* The locks' counts now, for the note: both caches' and the zone's. */
struct order0_locks {
	struct lock_stat_info pcp[2], zone;
};

static void order0_locks_read(struct order0_locks *l, unsigned int self, unsigned int other)
{
	mm_lock_stat_read(&kernel_mm.pcp[self].lock, &l->pcp[0]);
	mm_lock_stat_read(&kernel_mm.pcp[other].lock, &l->pcp[1]);
	mm_lock_stat_read(&kernel_mm.lock, &l->zone);
}

static const char *order0_note(const struct order0_locks *a, const struct order0_locks *b)
{
	static char note[200];

	if (!lock_stat_enabled())
		return "2 CPUs each on its own per-cpu cache, wall ns per pair of one (kernel built "
		       "without lock statistics)";
	scnprintf(note, sizeof(note),
		  "2 CPUs each on its own per-cpu cache, wall ns per pair of one; over the run "
		  "the 2 cache locks were contended %lu of %lu times, the zone lock taken %lu",
		  (unsigned long)(b->pcp[0].contended - a->pcp[0].contended +
				  b->pcp[1].contended - a->pcp[1].contended),
		  (unsigned long)(b->pcp[0].acquired - a->pcp[0].acquired +
				  b->pcp[1].acquired - a->pcp[1].acquired),
		  (unsigned long)(b->zone.acquired - a->zone.acquired));
	return note;
}

static const char smp1_note[] = "alloc_pages(0)+free_pages on kernel_mm, tight, one CPU (the "
				"others idle), per pair";

/* Drained, kernel_mm must have @free_before free pages; no allocation may
 * have failed. Return: 0 or -EIO. */
static int order0_verify(unsigned long free_before)
{
	unsigned long free, failures = __atomic_load_n(&ctl.failures, __ATOMIC_RELAXED);

	mm_drain_pcp(&kernel_mm);
	free = mm_nr_free_pages(&kernel_mm);
	if (free == free_before && !failures)
		return 0;
	pr_err("bench: order0: %lu free pages after, %lu before; %lu allocations failed\n", free,
	       free_before, failures);
	return -EIO;
}

/* One CPU online: smp1 only. */
static int order0_one_cpu(unsigned int rounds)
{
	u64 one[KBENCH_ROUNDS];
	unsigned long free_before;
	unsigned int i;

	mm_drain_pcp(&kernel_mm);
	free_before = mm_nr_free_pages(&kernel_mm);
	order0_round(1); /* warm-up */
	for (i = 0; i < rounds; i++)
		one[i] = order0_round(1);
	kbench_emit(&(struct kbench_figure){ .name = "kernel_order0_pair_ns_smp1",
		.milli = kbench_median(one, rounds), .unit = "ns", .runs = rounds,
		.note = smp1_note });
	kbench_emit(&(struct kbench_figure){ .name = "kernel_order0_pair_ns_smp2", .unit = "ns",
		.skipped = "needs 2 CPUs, 1 online (bench/qemu_kernel.py boots -smp 2)" });
	return order0_verify(free_before);
}

/* Interleaved rounds with the helper running on @other; Return: 0 or -EIO. */
static int order0_two_cpus(unsigned int rounds, unsigned int self, unsigned int other)
{
	u64 one[KBENCH_ROUNDS], two[KBENCH_ROUNDS], ratios[KBENCH_ROUNDS], one_ps;
	struct order0_locks before, after;
	unsigned long free_before;
	unsigned int i;

	mm_drain_pcp(&kernel_mm);
	free_before = mm_nr_free_pages(&kernel_mm);
	order0_locks_read(&before, self, other);
	if (!order0_round(1) || !order0_round(2)) /* warm-up */
		return -EIO;
	for (i = 0; i < rounds; i++) {
		one[i] = order0_round(1);
		two[i] = order0_round(2);
		if (!one[i] || !two[i]) {
			pr_err("bench: order0: cpu %u did not keep up (round %u)\n", other, i);
			return -EIO;
		}
		ratios[i] = kbench_milli_ratio(two[i], one[i]);
	}
	order0_locks_read(&after, self, other);
	one_ps = kbench_median(one, rounds);
	kbench_emit(&(struct kbench_figure){ .name = "kernel_order0_pair_ns_smp1", .milli = one_ps,
		.unit = "ns", .runs = rounds, .note = smp1_note });
	kbench_emit(&(struct kbench_figure){ .name = "kernel_order0_pair_ns_smp2",
		.milli = kbench_median(two, rounds), .unit = "ns", .has_baseline = true,
		.baseline_milli = one_ps, .ratio_milli = kbench_median(ratios, rounds),
		.runs = rounds, .note = order0_note(&before, &after) });
	return order0_verify(free_before);
}

int bench_order0(unsigned int rounds)
{
	unsigned int self = this_cpu()->index, other = self ? 0 : 1, threads;
	int err;

	__atomic_store_n(&ctl.failures, 0, __ATOMIC_RELAXED);
	if (smp_nr_online() < 2)
		return order0_one_cpu(rounds);
	__atomic_store_n(&ctl.ready, 0, __ATOMIC_RELAXED);
	__atomic_store_n(&ctl.finished, 0, __ATOMIC_RELAXED);
	threads = sched_nr_threads();
	if (!thread_create_on("bench-order0", order0_helper,
			      (void *)(unsigned long)__atomic_load_n(&ctl.gen, __ATOMIC_ACQUIRE),
			      (int)other))
		return -ENOMEM;
	if (wait_count(&ctl.ready, 1)) {
		err = order0_two_cpus(rounds, self, other);
	} else {
		pr_err("bench: order0: the helper on cpu %u never ran\n", other);
		err = -EIO;
	}
	order0_post(true);
	if (!sched_wait_nr_threads(threads, ORDER0_WAIT_US)) { /* its stack back */
		pr_err("bench: order0: the helper on cpu %u did not end\n", other);
		err = err ?: -EIO;
	}
	return err;
}
