/*
 * The race workload: memory that moves while every CPU uses it, on a
 * private mm (mm/testing.h), run by the hosted suite smp_compaction (pthread
 * CPUs, also under ThreadSanitizer) and the kernel suite compaction_smp.
 *
 * Two runs. Compaction: every CPU at once compacts the same memory (direct
 * and explicit, sync and async, all orders) while owning pages of three
 * movable owners and giving them up at random: its own tutorial stack
 * (mm/example_movable.h: pop and push), objects of one shared mslab pool
 * (free and allocate) and a mapped region (free); the last CPU also owns a
 * balloon on the simulated device and inflates and deflates it to random
 * targets (drivers/virtio/balloon_sim.h). Storm: every CPU but 0
 * allocates and frees random orders (plain blocks and stack pages) while
 * CPU 0 compacts and takes alloc_contig ranges (mm/contig.h).
 *
 * After each run, with the workers gone, it checks what the figures below
 * report: every owned page and object keeps its pattern (mm/test_pattern.h),
 * no page is left isolated or released, each owner's page count is what
 * the mem_map holds of its type, free + allocated + reserved == span, no
 * mm_bug (a page freed while isolated, a double isolation), mm_check()
 * clean; then it tears down and every page is free again, exactly.
 */
#ifndef TESTS_WORKLOAD_RACE_WORKLOAD_H
#define TESTS_WORKLOAD_RACE_WORKLOAD_H

#include "lib/ktest.h"

enum race_kind {
	RACE_COMPACTION, /* compaction on every CPU, owners freeing at random */
	RACE_STORM,      /* allocation storm on CPUs 1.., compaction + contig on 0 */
};

struct race_config {
	enum race_kind kind;
	unsigned int nr_cpus; /* 2 .. mm_test_nr_cpus() */
	u64 budget_ns;        /* how long the workers run (at least one round each) */
	u64 seed;
};

/* What a run did and found (the test asserts the second half). */
struct race_figures {
	unsigned long rounds;         /* worker loop iterations, all CPUs */
	unsigned long compactions;    /* compact_zone calls */
	unsigned long migrated;       /* pages they moved */
	unsigned long owner_frees;    /* pages and objects given up by owners */
	unsigned long released;       /* ... of those, pages migration held then */
	unsigned long storm_allocs;   /* storm blocks allocated */
	unsigned long contig_taken;   /* alloc_contig ranges taken (and given back) */
	/* Must be 0: */
	unsigned long bad_content;    /* pages or objects that lost their pattern */
	unsigned long bad_owner;      /* slots or pages breaking their owner's invariants */
	unsigned long isolated_left;  /* heads still PG_isolated or PG_released */
	unsigned long count_mismatch; /* owner counts against the mem_map, and the span */
	unsigned long bugs;           /* mm_bug reports and stats.bugs */
	unsigned int check;           /* mm_check() violations after the run */
};

/*
 * race_workload_run - one run as @cfg says; KTAP diagnostics on @test.
 * Return: 0 (the figures tell the result), or an error setting up
 * (-ENOMEM, -E2BIG: no private mm of the size here, -EINVAL).
 * Context: thread context on CPU 0.
 */
int race_workload_run(struct ktest *test, const struct race_config *cfg, struct race_figures *fig);

/* Expect every must-be-zero figure of @fig to be 0, and some work done. */
void race_workload_expect_clean(struct ktest *test, const struct race_figures *fig);

#endif
