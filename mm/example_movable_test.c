/*
 * Tests of the tutorial's movable owner (mm/example_movable.c, shown in
 * docs/movable-types.md) on private mm instances (host and kernel): its
 * pages keep every word through migrate_pages() and through compaction, the
 * counters add up and mm_check is clean.
 */
#include "include/errno.h"
#include "lib/ktest.h"
#include "mm/compaction.h"
#include "mm/example_movable.h"
#include "mm/testing.h"

#define SPAN 1024

static struct mm_test_env env;
static struct example_stack stack;
static struct page *fillers[SPAN];
static unsigned long free_at_start;

static u64 word(unsigned long tag, size_t i)
{
	return (tag + 1) * 0x9e3779b97f4a7c15ULL ^ i;
}

/* Write the data of @slot's page: a pattern derived from its tag. */
static void fill(const struct example_slot *slot)
{
	u64 *data = mm_page_address(&env.mm, slot->page);
	size_t w;

	for (w = 0; w < PAGE_SIZE / sizeof(u64); w++)
		data[w] = word(slot->tag, w);
}

/* A private mm, the ops registered, and @n pages pushed and filled. */
static int setup(unsigned int n)
{
	unsigned int i;
	int err = mm_test_env_simple(&env, SPAN);

	if (err)
		return err;
	free_at_start = mm_nr_free_pages(&env.mm);
	err = example_stack_init(&stack, &env.mm);
	for (i = 0; i < n && !err; i++) {
		struct example_slot *slot = example_stack_push(&stack, 1000 + i);

		if (!slot)
			return -ENOMEM;
		fill(slot);
	}
	return err;
}

/* Pages whose data differs from what setup() wrote. */
static unsigned int bad_pages(void)
{
	unsigned int i, bad = 0;
	size_t w;

	for (i = 0; i < stack.count; i++) {
		const u64 *data = mm_page_address(&env.mm, stack.slots[i].page);

		for (w = 0; w < PAGE_SIZE / sizeof(u64); w++)
			if (data[w] != word(stack.slots[i].tag, w)) {
				bad++;
				break;
			}
	}
	return bad;
}

/* The owner's invariants (see mm/example_movable.h), as a count of slots
 * that break them. */
static unsigned int broken_slots(void)
{
	unsigned int i, broken = 0;

	for (i = 0; i < stack.count; i++) {
		struct page *page = stack.slots[i].page;

		broken += !page_is_head(page) || page_type(page) != MEMDESC_EXAMPLE ||
			  !page_is_movable(page) || page_memdesc(page) != &stack.slots[i] ||
			  page_is_isolated(page) || stack.slots[i].isolated;
	}
	return broken;
}

/* Pop everything: all pages are back, nothing leaked. */
static void teardown(struct ktest *test)
{
	KTEST_EXPECT_EQ(test, bad_pages(), 0);
	KTEST_EXPECT_EQ(test, broken_slots(), 0);
	while (stack.count)
		example_stack_pop(&stack);
	mm_test_env_finish(test, &env, free_at_start);
}

/* The type's ops register once per mm: a second stack shares them (its
 * pages move too), and a second mm that has other ops for the type
 * refuses a stack. */
static void example_registers_once(struct ktest *test)
{
	static const struct movable_operations foreign = {
		.isolate = (void *)1, .migrate = (void *)1, .putback = (void *)1,
	};
	static struct example_stack other;
	struct mm_test_env env2;
	struct migrate_result result;
	unsigned long pfn;

	KTEST_ASSERT_EQ(test, setup(0), 0);
	KTEST_EXPECT_EQ(test, example_stack_init(&other, &env.mm), 0);
	KTEST_ASSERT_NOT_NULL(test, example_stack_push(&other, 7));
	pfn = mm_page_to_pfn(&env.mm, other.slots[0].page);
	KTEST_EXPECT_EQ(test, migrate_pages(&env.mm, &pfn, 1, NULL, NULL, NULL, MIGRATE_SYNC, &result), 0);
	KTEST_EXPECT_EQ(test, result.succeeded, 1);
	KTEST_EXPECT_NE(test, mm_page_to_pfn(&env.mm, other.slots[0].page), pfn);
	example_stack_pop(&other);
	teardown(test);

	KTEST_ASSERT_EQ(test, mm_test_env_simple(&env2, 1024), 0);
	KTEST_EXPECT_EQ(test, movable_ops_register(&env2.mm, MEMDESC_EXAMPLE, &foreign), 0);
	KTEST_EXPECT_EQ(test, example_stack_init(&other, &env2.mm), -EBUSY);
	mm_test_env_destroy(&env2);
}

/* migrate_pages moves every page to a new frame with its data. */
static void example_pages_survive_migrate_pages(struct ktest *test)
{
	static unsigned long pfns[64];
	struct migrate_result result;
	unsigned int i;

	KTEST_ASSERT_EQ(test, setup(64), 0);
	for (i = 0; i < 64; i++)
		pfns[i] = mm_page_to_pfn(&env.mm, stack.slots[i].page);
	KTEST_EXPECT_EQ(test, migrate_pages(&env.mm, pfns, 64, NULL, NULL, NULL, MIGRATE_SYNC, &result), 0);
	KTEST_EXPECT_EQ(test, result.succeeded, 64);
	KTEST_EXPECT_EQ(test, result.failed, 0);
	KTEST_EXPECT_EQ(test, env.mm.stats.migrate_by_type[MEMDESC_EXAMPLE], 64);
	for (i = 0; i < 64; i++)
		KTEST_EXPECT_NE(test, mm_page_to_pfn(&env.mm, stack.slots[i].page), pfns[i]);
	KTEST_EXPECT_EQ(test, mm_check(&env.mm), 0);
	teardown(test);
}

/*
 * Stack pages interleaved with plain pages, which are then freed: no free
 * 2 MiB block is left; compaction moves the stack's pages out of a block
 * and the data comes along.
 */
static void example_pages_survive_compaction(struct ktest *test)
{
	struct compact_result res;
	unsigned int i, n = 0;

	KTEST_ASSERT_EQ(test, setup(0), 0);
	for (i = 0; i < 300; i++) {
		KTEST_ASSERT_NOT_NULL(test, example_stack_push(&stack, 2000 + i));
		fillers[n] = mm_alloc_pages(&env.mm, 0, GFP_MOVABLE);
		KTEST_ASSERT_NOT_NULL(test, fillers[n]);
		n++;
	}
	for (i = 0; i < stack.count; i++)
		fill(&stack.slots[i]);
	while (n)
		mm_free_pages(&env.mm, fillers[--n], 0);
	mm_drain_pcp(&env.mm);
	KTEST_ASSERT_FALSE(test, compact_order_free(&env.mm, PAGEBLOCK_ORDER));
	compact_zone(&env.mm, PAGEBLOCK_ORDER, MIGRATE_SYNC, false, &res);
	KTEST_EXPECT_EQ(test, res.status, COMPACT_SUCCESS);
	KTEST_EXPECT_GT(test, res.migrated_by_type[MEMDESC_EXAMPLE], 0);
	KTEST_EXPECT_EQ(test, res.failed, 0);
	KTEST_EXPECT_EQ(test, stack.count, 300);
	KTEST_EXPECT_EQ(test, mm_check(&env.mm), 0);
	teardown(test);
}

/* A migrate callback that pops the page it is moving, as a user of the
 * stack running between isolate and migrate would, then backs off. */
static int pop_in_migrate(struct mm *mm, struct page *dst, struct page *src, enum migrate_mode mode)
{
	example_stack_pop(&stack);
	return -EAGAIN;
}

/* A page popped while migration holds it is released, not freed twice: the
 * core frees it (and the unused target) at its next step. */
static void example_pop_while_isolated_releases(struct ktest *test)
{
	struct movable_operations popping;
	const struct movable_operations *real;
	struct migrate_result result;
	unsigned long pfn;

	KTEST_ASSERT_EQ(test, setup(1), 0);
	pfn = mm_page_to_pfn(&env.mm, stack.slots[0].page);
	real = env.mm.movable_ops[MEMDESC_EXAMPLE]; /* a private mm: swap the ops for one call */
	popping = *real;
	popping.migrate = pop_in_migrate;
	env.mm.movable_ops[MEMDESC_EXAMPLE] = &popping;
	migrate_pages(&env.mm, &pfn, 1, NULL, NULL, NULL, MIGRATE_SYNC, &result);
	env.mm.movable_ops[MEMDESC_EXAMPLE] = real;
	KTEST_EXPECT_EQ(test, result.released, 1);
	KTEST_EXPECT_EQ(test, result.succeeded, 0);
	KTEST_EXPECT_EQ(test, stack.count, 0);
	teardown(test);
}

static const struct ktest_case example_movable_cases[] = {
	KTEST_CASE(example_registers_once),
	KTEST_CASE(example_pages_survive_migrate_pages),
	KTEST_CASE(example_pages_survive_compaction),
	KTEST_CASE(example_pop_while_isolated_releases),
	KTEST_END,
};
KTEST_SUITE(example_movable, example_movable_cases);
