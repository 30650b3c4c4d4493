/*
 * Tests for mm/bootmem.c on made-up PFN ranges (nothing is touched: the
 * boot allocator only does arithmetic). Runs on the host and in the kernel.
 */
#include "include/errno.h"
#include "lib/ktest.h"
#include "mm/bootmem.h"

static struct bootmem bm;

/* Allocations come from the top of the highest range, adjacent to each
 * other, and are recorded as one merged range. */
static void bootmem_allocates_top_down(struct ktest *test)
{
	static const struct pfn_range usable[] = { { 0, 100 }, { 256, 1024 } };
	const struct pfn_range *range;
	unsigned long pfn;
	size_t n;

	KTEST_ASSERT_EQ(test, bootmem_init(&bm, usable, 2, NULL, 0), 0);
	KTEST_ASSERT_EQ(test, bootmem_alloc(&bm, 4, 1, &pfn), 0);
	KTEST_EXPECT_EQ(test, pfn, 1020);
	KTEST_ASSERT_EQ(test, bootmem_alloc(&bm, 1, 1, &pfn), 0);
	KTEST_EXPECT_EQ(test, pfn, 1019);
	KTEST_ASSERT_EQ(test, bootmem_alloc(&bm, 3, 1, &pfn), 0);
	KTEST_EXPECT_EQ(test, pfn, 1016);
	range = bootmem_allocated(&bm, &n);
	KTEST_ASSERT_EQ(test, n, 1);
	KTEST_EXPECT_EQ(test, range[0].start, 1016);
	KTEST_EXPECT_EQ(test, range[0].end, 1024);
	KTEST_EXPECT_EQ(test, bm.nr_pages_allocated, 8);
}

/* Reserved ranges (given unsorted and overlapping) are never handed out. */
static void bootmem_avoids_reserved(struct ktest *test)
{
	static const struct pfn_range usable[] = { { 0, 100 }, { 200, 300 } };
	static const struct pfn_range reserved[] = { { 290, 300 }, { 250, 280 }, { 275, 285 } };
	unsigned long pfn;

	KTEST_ASSERT_EQ(test, bootmem_init(&bm, usable, 2, reserved, 3), 0);
	KTEST_EXPECT_EQ(test, bm.nr_reserved, 2);
	KTEST_ASSERT_EQ(test, bootmem_alloc(&bm, 5, 1, &pfn), 0);
	KTEST_EXPECT_EQ(test, pfn, 285);     /* [285, 290) fits between two reserved */
	KTEST_ASSERT_EQ(test, bootmem_alloc(&bm, 10, 1, &pfn), 0);
	KTEST_EXPECT_EQ(test, pfn, 240);     /* [285,290) is full now */
	KTEST_ASSERT_EQ(test, bootmem_alloc(&bm, 50, 1, &pfn), 0);
	KTEST_EXPECT_EQ(test, pfn, 50);      /* only the low range still has 50 */
}

/* Alignment is honoured; the limit keeps allocations below it. */
static void bootmem_alignment_and_limit(struct ktest *test)
{
	static const struct pfn_range usable[] = { { 3, 3000 } };
	unsigned long pfn;

	KTEST_ASSERT_EQ(test, bootmem_init(&bm, usable, 1, NULL, 0), 0);
	KTEST_ASSERT_EQ(test, bootmem_alloc(&bm, 10, 512, &pfn), 0);
	KTEST_EXPECT_EQ(test, pfn, 2560);
	bootmem_set_limit(&bm, 1000);
	KTEST_ASSERT_EQ(test, bootmem_alloc(&bm, 1, 1, &pfn), 0);
	KTEST_EXPECT_EQ(test, pfn, 999);
	KTEST_ASSERT_EQ(test, bootmem_alloc(&bm, 600, 512, &pfn), -ENOMEM); /* 512 + 600 > 1000 */
	KTEST_EXPECT_EQ(test, bootmem_alloc(&bm, 2, 3, &pfn), -EINVAL);      /* not a power of two */
	KTEST_EXPECT_EQ(test, bootmem_alloc(&bm, 0, 1, &pfn), -EINVAL);
}

/* Exhaustion is -ENOMEM; a retired allocator refuses everything. */
static void bootmem_exhaustion_and_retire(struct ktest *test)
{
	static const struct pfn_range usable[] = { { 10, 20 } };
	static const struct pfn_range reserved[] = { { 15, 16 } };
	unsigned long pfn;

	KTEST_ASSERT_EQ(test, bootmem_init(&bm, usable, 1, reserved, 1), 0);
	KTEST_EXPECT_EQ(test, bootmem_alloc(&bm, 6, 1, &pfn), -ENOMEM);
	KTEST_ASSERT_EQ(test, bootmem_alloc(&bm, 5, 1, &pfn), 0);
	KTEST_EXPECT_EQ(test, pfn, 10);
	KTEST_ASSERT_EQ(test, bootmem_alloc(&bm, 4, 1, &pfn), 0);
	KTEST_EXPECT_EQ(test, pfn, 16);
	KTEST_EXPECT_EQ(test, bootmem_alloc(&bm, 1, 1, &pfn), -ENOMEM); /* all 9 free pages taken */
	bootmem_retire(&bm);
	KTEST_EXPECT_EQ(test, bootmem_alloc(&bm, 1, 1, &pfn), -EINVAL);
}

/* The allocation table fills up only with non-adjacent allocations; an
 * allocation that touches an earlier one still fits. */
static void bootmem_table_full(struct ktest *test)
{
	static struct pfn_range usable[BOOTMEM_MAX_ALLOCS + 1];
	static struct pfn_range reserved[BOOTMEM_MAX_ALLOCS + 1];
	unsigned long pfn;
	size_t i, n;

	/* Each usable range ends in a reserved page, so allocations never touch. */
	for (i = 0; i < BOOTMEM_MAX_ALLOCS + 1; i++) {
		usable[i] = (struct pfn_range){ i * 100, i * 100 + 10 };
		reserved[i] = (struct pfn_range){ i * 100 + 9, i * 100 + 10 };
	}
	KTEST_ASSERT_EQ(test, bootmem_init(&bm, usable, BOOTMEM_MAX_ALLOCS + 1, reserved, 20), 0);
	for (i = 20; i < BOOTMEM_MAX_ALLOCS + 1; i++) /* ranges without a reserved page */
		usable[i].end = i * 100 + 9;
	for (i = 0; i < BOOTMEM_MAX_ALLOCS; i++)
		KTEST_ASSERT_EQ(test, bootmem_alloc(&bm, 9, 1, &pfn), 0);
	bootmem_allocated(&bm, &n);
	KTEST_EXPECT_EQ(test, n, BOOTMEM_MAX_ALLOCS);
	KTEST_EXPECT_EQ(test, bootmem_alloc(&bm, 1, 1, &pfn), -ENOSPC);
}

/* More reserved ranges than the table holds is refused at init. */
static void bootmem_too_many_reserved(struct ktest *test)
{
	static struct pfn_range usable[] = { { 0, 10000 } };
	static struct pfn_range reserved[BOOTMEM_MAX_RESERVED + 1];
	size_t i;

	for (i = 0; i < ARRAY_SIZE(reserved); i++)
		reserved[i] = (struct pfn_range){ i * 10, i * 10 + 1 };
	KTEST_EXPECT_EQ(test, bootmem_init(&bm, usable, 1, reserved, ARRAY_SIZE(reserved)), -ENOSPC);
	reserved[1] = reserved[0]; /* a duplicate merges away: now it fits */
	KTEST_EXPECT_EQ(test, bootmem_init(&bm, usable, 1, reserved, ARRAY_SIZE(reserved)), 0);
}

static const struct ktest_case bootmem_cases[] = {
	KTEST_CASE(bootmem_allocates_top_down),
	KTEST_CASE(bootmem_avoids_reserved),
	KTEST_CASE(bootmem_alignment_and_limit),
	KTEST_CASE(bootmem_exhaustion_and_retire),
	KTEST_CASE(bootmem_table_full),
	KTEST_CASE(bootmem_too_many_reserved),
	KTEST_END,
};
KTEST_SUITE(bootmem, bootmem_cases);
