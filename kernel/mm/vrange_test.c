/*
 * KTAP tests of the vmap address-range allocator (kernel/mm/vrange.c) on small
 * private spaces: first fit, merging with both neighbours and back into
 * the bump pointer, and the bound that keeps the free array from ever
 * overflowing (so no address space is dropped). Kernel only.
 */
#include "kernel/mm/vrange.h"
#include "lib/ktest.h"
#include "lib/prng.h"

#define BASE 0x100000000UL
#define SPACE_PAGES 4096UL
#define MAX_LIVE 8

static struct vrange slots[MAX_LIVE];

static void space_init(struct vrange_space *space)
{
	vrange_space_init(space, BASE, BASE + SPACE_PAGES * PAGE_SIZE, slots, MAX_LIVE);
}

static unsigned long at(unsigned long page) { return BASE + page * PAGE_SIZE; }

/* Freed ranges are reused lowest address first; a bigger one is split. */
static void vrange_first_fit_and_split(struct ktest *test)
{
	struct vrange_space space;

	space_init(&space);
	KTEST_EXPECT_EQ(test, vrange_space_alloc(&space, 4), at(0));
	KTEST_EXPECT_EQ(test, vrange_space_alloc(&space, 8), at(4));
	KTEST_EXPECT_EQ(test, vrange_space_alloc(&space, 2), at(12));
	vrange_space_free(&space, at(4), 8);
	KTEST_EXPECT_EQ(test, space.nr_free, 1);
	KTEST_EXPECT_EQ(test, vrange_space_alloc(&space, 3), at(4)); /* split */
	KTEST_EXPECT_EQ(test, vrange_space_free_pages(&space), 5);
	KTEST_EXPECT_EQ(test, vrange_space_alloc(&space, 6), at(14)); /* too big: the bump */
	KTEST_EXPECT_EQ(test, vrange_space_alloc(&space, 5), at(7)); /* exact: the slot goes */
	KTEST_EXPECT_EQ(test, space.nr_free, 0);
	KTEST_EXPECT_EQ(test, vrange_space_check(&space), 0);
	KTEST_EXPECT_EQ(test, vrange_space_alloc(&space, 0), 0);
	KTEST_EXPECT_EQ(test, vrange_space_alloc(&space, SPACE_PAGES), 0); /* no room */
}

/* A freed range merges with the free ranges on both sides, and a free
 * range reaching the bump pointer goes back to it: all back = empty. */
static void vrange_merges_and_returns_to_bump(struct ktest *test)
{
	struct vrange_space space;
	unsigned long i;

	space_init(&space);
	for (i = 0; i < 5; i++)
		KTEST_ASSERT_EQ(test, vrange_space_alloc(&space, 10), at(i * 10));
	vrange_space_free(&space, at(10), 10);
	vrange_space_free(&space, at(30), 10);
	KTEST_EXPECT_EQ(test, space.nr_free, 2);
	vrange_space_free(&space, at(20), 10); /* joins both */
	KTEST_EXPECT_EQ(test, space.nr_free, 1);
	KTEST_EXPECT_EQ(test, vrange_space_free_pages(&space), 30);
	KTEST_EXPECT_EQ(test, vrange_space_check(&space), 0);
	vrange_space_free(&space, at(40), 10); /* the last: everything above 10 returns */
	KTEST_EXPECT_EQ(test, space.nr_free, 0);
	KTEST_EXPECT_EQ(test, space.next, at(10));
	vrange_space_free(&space, at(0), 10);
	KTEST_EXPECT_EQ(test, space.next, BASE);
	KTEST_EXPECT_EQ(test, space.nr_live, 0);
	KTEST_EXPECT_EQ(test, vrange_space_check(&space), 0);
}

/* At most MAX_LIVE live ranges: the allocator says no rather than let the
 * free array overflow; random frees with the array that small never drop
 * a range, and with every range back the space is whole again. */
static void vrange_never_drops_a_range(struct ktest *test)
{
	struct vrange_space space;
	unsigned long va[MAX_LIVE], pages[MAX_LIVE];
	struct prng rng;
	unsigned int i, round;

	space_init(&space);
	prng_seed(&rng, 0x7a4e5eedUL);
	for (i = 0; i < MAX_LIVE; i++) {
		pages[i] = 1 + prng_below(&rng, 16);
		va[i] = vrange_space_alloc(&space, pages[i]);
		KTEST_ASSERT_NE(test, va[i], 0);
	}
	KTEST_EXPECT_EQ(test, vrange_space_alloc(&space, 1), 0); /* MAX_LIVE live */
	for (round = 0; round < 2000; round++) {
		i = (unsigned int)prng_below(&rng, MAX_LIVE);
		if (va[i]) {
			vrange_space_free(&space, va[i], pages[i]);
			va[i] = 0;
		} else {
			pages[i] = 1 + prng_below(&rng, 16);
			va[i] = vrange_space_alloc(&space, pages[i]);
			KTEST_ASSERT_NE(test, va[i], 0);
		}
		KTEST_ASSERT_LE(test, space.nr_free, space.nr_live);
	}
	KTEST_EXPECT_EQ(test, vrange_space_check(&space), 0);
	for (i = 0; i < MAX_LIVE; i++)
		if (va[i])
			vrange_space_free(&space, va[i], pages[i]);
	KTEST_EXPECT_EQ(test, space.next, BASE);
	KTEST_EXPECT_EQ(test, space.nr_free, 0);
}

/* The kernel's own space is consistent. */
static void vrange_kernel_space_checks(struct ktest *test) { KTEST_EXPECT_EQ(test, vrange_check(), 0); }

static const struct ktest_case vrange_cases[] = {
	KTEST_CASE(vrange_first_fit_and_split),
	KTEST_CASE(vrange_merges_and_returns_to_bump),
	KTEST_CASE(vrange_never_drops_a_range),
	KTEST_CASE(vrange_kernel_space_checks),
	KTEST_END,
};
KTEST_SUITE(vrange, vrange_cases);
