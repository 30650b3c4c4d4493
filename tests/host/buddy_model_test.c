/*
 * Model-based random tests of the buddy allocator (host only: millions of
 * operations and machines far larger than a test guest).
 *
 * The model is the set of PFNs the test owns (a bitmap) plus the list of
 * blocks it holds. Each allocation must return an aligned block of usable,
 * non-reserved PFNs that the model does not own; each free returns a held
 * block. mm_check() runs every 1000 operations and the free counts must
 * agree with the model throughout.
 */
#include <stdlib.h>

#include "lib/bitmap.h"
#include "lib/ktest.h"
#include "lib/prng.h"
#include "mm/mm.h"
#include "mm/testing.h"

#define MODEL_SPAN 16384 /* 64 MiB */
#define MODEL_OPS 1000000

struct held {
	unsigned long pfn;
	unsigned int order;
};

static const struct pfn_range model_usable[] = { { 5, 3000 }, { 3072, 9000 }, { 9001, 16384 } };
static const struct pfn_range model_reserved[] = { { 100, 612 }, { 4000, 4001 }, { 15000, 15300 } };

static bool pfn_usable(unsigned long rel)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(model_reserved); i++)
		if (rel >= model_reserved[i].start && rel < model_reserved[i].end)
			return false;
	for (i = 0; i < ARRAY_SIZE(model_usable); i++)
		if (rel >= model_usable[i].start && rel < model_usable[i].end)
			return true;
	return false;
}

/* Orders skewed small, as real workloads are. */
static unsigned int random_order(struct prng *rng)
{
	u64 x = prng_below(rng, 100);

	if (x < 60)
		return 0;
	if (x < 85)
		return (unsigned int)prng_range(rng, 1, 3);
	return (unsigned int)prng_range(rng, 4, MAX_ORDER);
}

/* Check a fresh block against the model and take it into it. */
static bool model_take(struct ktest *test, unsigned long *owned, struct mm_test_env *env,
		       unsigned long pfn, unsigned int order)
{
	unsigned long rel = pfn - env->base_pfn, i;

	if (rel & ((1UL << order) - 1)) {
		ktest_fail(test, __FILE__, __LINE__, "pfn %#lx misaligned for order %u", pfn, order);
		return false;
	}
	for (i = 0; i < (1UL << order); i++) {
		if (rel + i >= MODEL_SPAN || !pfn_usable(rel + i) ||
		    bitmap_test_bit(owned, rel + i)) {
			ktest_fail(test, __FILE__, __LINE__, "pfn %#lx handed out twice or not usable",
				   pfn + i);
			return false;
		}
		bitmap_set_bit(owned, rel + i);
	}
	return true;
}

/* ≥1M random alloc/free operations at random orders and migratetypes. */
static void buddy_model_random_ops(struct ktest *test)
{
	static unsigned long owned[BITS_TO_LONGS(MODEL_SPAN)];
	static struct held held[MODEL_SPAN];
	struct mm_test_env env;
	struct prng rng;
	unsigned long n = 0, owned_pages = 0, op, start_free;

	KTEST_ASSERT_EQ(test, mm_test_env_init(&env, MODEL_SPAN, model_usable, 3, model_reserved, 3), 0);
	start_free = mm_nr_free_pages(&env.mm);
	prng_seed(&rng, 20261123);
	for (op = 1; op <= MODEL_OPS; op++) {
		bool do_alloc = n == 0 || (n < MODEL_SPAN && prng_below(&rng, 100) < 52);

		if (do_alloc) {
			unsigned int order = random_order(&rng);
			gfp_t gfp = (prng_below(&rng, 2) ? GFP_MOVABLE : 0) |
				    (prng_below(&rng, 8) == 0 ? GFP_ATOMIC : 0) | GFP_NOWARN;
			struct page *page = mm_alloc_pages(&env.mm, order, gfp);

			if (page) {
				unsigned long pfn = mm_page_to_pfn(&env.mm, page);

				if (!model_take(test, owned, &env, pfn, order))
					break;
				held[n++] = (struct held){ pfn, order };
				owned_pages += 1UL << order;
			}
		} else {
			unsigned long k = prng_below(&rng, n), i;
			struct held h = held[k];

			held[k] = held[--n];
			for (i = 0; i < (1UL << h.order); i++)
				bitmap_clear_bit(owned, h.pfn - env.base_pfn + i);
			owned_pages -= 1UL << h.order;
			mm_free_pages(&env.mm, mm_pfn_to_page(&env.mm, h.pfn), h.order);
		}
		if (mm_nr_free_pages(&env.mm) + owned_pages != start_free) {
			ktest_fail(test, __FILE__, __LINE__, "op %lu: free %lu + owned %lu != %lu", op,
				   mm_nr_free_pages(&env.mm), owned_pages, start_free);
			break;
		}
		if (op % 1000 == 0 && mm_check(&env.mm)) {
			ktest_fail(test, __FILE__, __LINE__, "mm_check failed after op %lu", op);
			break;
		}
	}
	while (n) {
		n--;
		mm_free_pages(&env.mm, mm_pfn_to_page(&env.mm, held[n].pfn), held[n].order);
	}
	mm_drain_pcp(&env.mm);
	ktest_diag(test, "%lu ops, fallbacks %lu, pageblocks stolen %lu, failed allocations %lu",
		   op - 1, (unsigned long)env.mm.stats.fallback,
		   (unsigned long)env.mm.stats.steal_block,
		   (unsigned long)env.mm.stats.alloc_fail[0]);
	KTEST_EXPECT_EQ(test, mm_nr_free_pages(&env.mm), start_free);
	KTEST_EXPECT_EQ(test, mm_check(&env.mm), 0);
	mm_test_env_destroy(&env);
}

/* A 16 GiB machine with no RAM under the PCI window below 4 GiB: brought up, used at every
 * order, drained and checked. */
static void buddy_model_16gib_machine(struct ktest *test)
{
	static const struct pfn_range ranges[] = { { 0x100, 0xc0000 }, { 0x100000, 0x440000 } };
	static struct held held[4096];
	struct pfn_range reserved = { 0x100, 0x900 }; /* "kernel image" */
	struct mm_test_env env;
	unsigned long n = 0, expect;
	unsigned int o;

	KTEST_ASSERT_EQ(test, mm_test_env_init(&env, 0x440000, ranges, 2, &reserved, 1), 0);
	expect = (0xc0000 - 0x900) + (0x440000 - 0x100000);
	KTEST_EXPECT_EQ(test, env.mm.nr_managed, expect);
	KTEST_EXPECT_EQ(test, env.mm.nr_free, expect);
	for (o = 0; o <= MAX_ORDER; o++) {
		unsigned int i;

		for (i = 0; i < 300; i++) {
			struct page *page = mm_alloc_pages(&env.mm, o, i % 2 ? GFP_MOVABLE : 0);

			KTEST_ASSERT_NOT_NULL(test, page);
			held[n++] = (struct held){ mm_page_to_pfn(&env.mm, page), o };
		}
	}
	KTEST_EXPECT_EQ(test, mm_check(&env.mm), 0);
	while (n) {
		n--;
		mm_free_pages(&env.mm, mm_pfn_to_page(&env.mm, held[n].pfn), held[n].order);
	}
	mm_test_env_finish(test, &env, expect);
}

static const struct ktest_case buddy_model_cases[] = {
	KTEST_CASE(buddy_model_random_ops),
	KTEST_CASE(buddy_model_16gib_machine),
	KTEST_END,
};
KTEST_SUITE(buddy_model, buddy_model_cases);
