/*
 * Tests of the movable_operations registry and the migration engine with the
 * scriptable TEST owner (mm/test_owner.h), on private mm instances (host and
 * kernel). After each case: the owner saw no protocol error, every page it
 * still owns holds its data, free + owned pages add up, mm_check is clean.
 */
#include "include/errno.h"
#include "lib/bitmap.h"
#include "lib/ktest.h"
#include "mm/migrate.h"
#include "mm/test_owner.h"
#include "mm/testing.h"

static struct mm_test_env env;
static struct test_owner owner_a;
static unsigned long free_at_start;

static int setup(void)
{
	int err = mm_test_env_simple(&env, 1024);

	if (err)
		return err;
	free_at_start = mm_nr_free_pages(&env.mm);
	return test_owner_init(&owner_a, &env.mm);
}

/* Free everything the owner holds and check that nothing leaked. */
static void teardown(struct ktest *test)
{
	unsigned int i;

	KTEST_EXPECT_EQ(test, owner_a.protocol_errors, 0);
	KTEST_EXPECT_EQ(test, owner_a.bad_content, 0);
	for (i = 0; i < owner_a.nr; i++) {
		KTEST_EXPECT_TRUE(test, test_owner_content_ok(&owner_a, &owner_a.pages[i]));
		test_owner_free(&owner_a, &owner_a.pages[i]);
	}
	mm_test_env_finish(test, &env, free_at_start);
}

/* setup() and one page of @order for owner_a: how the single-page cases
 * start. NULL, with the failure recorded and nothing left set up, if either
 * step fails. */
static struct test_page *setup_one_page(struct ktest *test, unsigned int order)
{
	struct test_page *tp;
	int err = setup();

	KTEST_EXPECT_EQ(test, err, 0);
	if (err)
		return NULL;
	tp = test_owner_alloc(&owner_a, order, 0);
	KTEST_EXPECT_NOT_NULL(test, tp);
	if (!tp)
		teardown(test);
	return tp;
}

static int migrate_one(struct test_page *tp, enum migrate_mode mode, struct migrate_result *result)
{
	unsigned long pfn = test_owner_pfn(&owner_a, tp);

	return migrate_pages(&env.mm, &pfn, 1, NULL, NULL, NULL, mode, result);
}

static const struct movable_operations dummy_ops = {
	.isolate = (void *)1, .migrate = (void *)1, .putback = (void *)1,
};

static const struct movable_operations other_ops = {
	.isolate = (void *)2, .migrate = (void *)2, .putback = (void *)2,
};

/* A pack() that says it was called, with which owner. */
static void count_pack(struct mm *mm, void *priv, struct pack_result *res)
{
	res->objects_moved++;
	res->pages_freed += (unsigned long)priv & 0xff;
}

/* Bad types and NULL callbacks are refused; the same ops again are
 * accepted, other ops for a type that has some are busy; an owner of a
 * type without ops is refused, one with ops is listed and packs. */
static void movable_register_errors(struct ktest *test)
{
	struct movable_operations partial = dummy_ops;
	struct movable_owner a = { .type = MEMDESC_MAPPED, .priv = &a, .pack = count_pack };
	struct movable_owner b = { .type = MEMDESC_MAPPED, .priv = &b };
	struct movable_owner none = { .type = MEMDESC_EXAMPLE };
	struct pack_result res = { 0 };
	struct movable_owner *owner;
	unsigned int n = 0;

	KTEST_ASSERT_EQ(test, mm_test_env_simple(&env, 1024), 0);
	KTEST_EXPECT_EQ(test, movable_ops_register(&env.mm, MEMDESC_KERNEL, &dummy_ops), -EINVAL);
	KTEST_EXPECT_EQ(test, movable_ops_register(&env.mm, MEMDESC_TYPES, &dummy_ops), -EINVAL);
	KTEST_EXPECT_EQ(test, movable_ops_register(&env.mm, MEMDESC_MAPPED, NULL), -EINVAL);
	partial.putback = NULL;
	KTEST_EXPECT_EQ(test, movable_ops_register(&env.mm, MEMDESC_MAPPED, &partial), -EINVAL);
	KTEST_EXPECT_EQ(test, movable_ops_register(&env.mm, MEMDESC_MAPPED, &dummy_ops), 0);
	KTEST_EXPECT_EQ(test, movable_ops_register(&env.mm, MEMDESC_MAPPED, &dummy_ops), 0); /* again */
	KTEST_EXPECT_EQ(test, movable_ops_register(&env.mm, MEMDESC_MAPPED, &other_ops), -EBUSY);
	KTEST_EXPECT_EQ(test, movable_owner_register(&env.mm, &none), -EINVAL);
	KTEST_EXPECT_EQ(test, movable_owner_register(&env.mm, &a), 0);
	KTEST_EXPECT_EQ(test, movable_owner_register(&env.mm, &b), 0);
	movable_for_each_owner(&env.mm, owner)
		KTEST_EXPECT_PTR_EQ(test, owner->priv, n++ ? (void *)&b : (void *)&a);
	KTEST_EXPECT_EQ(test, n, 2);
	movable_pack(&env.mm, &res); /* a packs (its priv reaches it), b has no pack */
	KTEST_EXPECT_EQ(test, res.objects_moved, 1);
	KTEST_EXPECT_EQ(test, res.pages_freed, (unsigned long)&a & 0xff);
	movable_owner_unregister(&env.mm, &a);
	movable_owner_unregister(&env.mm, &b);
	KTEST_EXPECT_TRUE(test, list_empty(&env.mm.movable_owners));
	mm_test_env_destroy(&env);
}

/* A plain migration moves the page, keeps its data and frees the source. */
static void migrate_moves_and_keeps_data(struct ktest *test)
{
	struct migrate_result result;
	struct test_page *tp;
	unsigned long old;

	tp = setup_one_page(test, 0);
	if (!tp)
		return;
	old = test_owner_pfn(&owner_a, tp);
	KTEST_EXPECT_EQ(test, migrate_one(tp, MIGRATE_SYNC, &result), 0);
	KTEST_EXPECT_EQ(test, result.succeeded, 1);
	KTEST_EXPECT_EQ(test, result.bytes_copied, PAGE_SIZE);
	KTEST_EXPECT_NE(test, test_owner_pfn(&owner_a, tp), old);
	KTEST_EXPECT_TRUE(test, page_is_buddy(mm_pfn_to_page(&env.mm, old)) ||
			     page_is_pcp(mm_pfn_to_page(&env.mm, old)));
	KTEST_EXPECT_FALSE(test, page_is_isolated(tp->page));
	KTEST_EXPECT_EQ(test, env.mm.stats.migrate_by_type[MEMDESC_TEST], 1);
	teardown(test);
}

/*
 * One page of @order, a scripted owner, one migrate_one() call: what the
 * cases below vary and what each expects back. Counts left out are 0.
 */
struct one_page_script {
	unsigned int order;
	int isolate_rc;         /* first isolate() answer */
	bool isolate_always;    /* ... and every one after it */
	int migrate_rc;         /* first migrate() answer */
	enum migrate_mode mode;
	int ret;                /* migrate_pages()'s return */
	unsigned long succeeded, failed, retried;
	unsigned int isolates, putbacks;
	bool moves;             /* the page ends at another PFN */
};

static void run_one_page_script(struct ktest *test, const struct one_page_script *script)
{
	struct migrate_result result;
	unsigned long old, free_before;
	struct test_page *tp;
	unsigned int i;

	tp = setup_one_page(test, script->order);
	if (!tp)
		return;
	for (i = 0; i < (script->isolate_always ? TEST_SCRIPT_LEN : 1); i++)
		tp->isolate_rc[i] = script->isolate_rc;
	tp->migrate_rc[0] = script->migrate_rc;
	old = test_owner_pfn(&owner_a, tp);
	free_before = mm_nr_free_pages(&env.mm);
	KTEST_EXPECT_EQ(test, migrate_one(tp, script->mode, &result), script->ret);
	KTEST_EXPECT_EQ(test, result.succeeded, script->succeeded);
	KTEST_EXPECT_EQ(test, result.failed, script->failed);
	KTEST_EXPECT_EQ(test, result.retried, script->retried);
	KTEST_EXPECT_EQ(test, tp->isolates, script->isolates);
	KTEST_EXPECT_EQ(test, tp->putbacks, script->putbacks);
	KTEST_EXPECT_EQ(test, test_owner_pfn(&owner_a, tp) != old, script->moves);
	KTEST_EXPECT_FALSE(test, page_is_isolated(tp->page));
	/* A failure frees the target it took; a move frees the source. */
	KTEST_EXPECT_EQ(test, mm_nr_free_pages(&env.mm), free_before);
	teardown(test);
}

/* isolate -EBUSY: given up at once, page untouched and still owned. */
static void migrate_isolate_busy_gives_up(struct ktest *test)
{
	static const struct one_page_script script = {
		.order = 1, .isolate_rc = -EBUSY, .mode = MIGRATE_SYNC,
		.ret = -EBUSY, .failed = 1, .isolates = 1,
	};

	run_one_page_script(test, &script);
}

/* -EAGAIN from isolate and from migrate are retried; then success. */
static void migrate_eagain_then_success(struct ktest *test)
{
	static const struct one_page_script script = {
		.isolate_rc = -EAGAIN, .migrate_rc = -EAGAIN, .mode = MIGRATE_SYNC,
		.succeeded = 1, .retried = 2, .isolates = 3, .putbacks = 1, .moves = true,
	};

	run_one_page_script(test, &script);
}

/* Endless -EAGAIN stops after the pass limit, fewer passes when async. */
static void migrate_eagain_is_bounded(struct ktest *test)
{
	static const struct one_page_script script = {
		.isolate_rc = -EAGAIN, .isolate_always = true, .mode = MIGRATE_ASYNC,
		.ret = -EBUSY, .failed = 1, .retried = MIGRATE_ASYNC_PASSES - 1,
		.isolates = MIGRATE_ASYNC_PASSES,
	};

	run_one_page_script(test, &script);
}

/* A permanent migrate failure: putback, the page stays with its owner where
 * it was, and the target is freed. */
static void migrate_permanent_failure_puts_back(struct ktest *test)
{
	static const struct one_page_script script = {
		.order = 2, .migrate_rc = -ENOMEM, .mode = MIGRATE_SYNC,
		.ret = -EBUSY, .failed = 1, .isolates = 1, .putbacks = 1,
	};

	run_one_page_script(test, &script);
}

/* Released right after isolation, or during migrate: the core frees the
 * page instead of moving or putting it back, and frees the target. */
static void migrate_release_while_isolated(struct ktest *test)
{
	struct migrate_result result;
	struct test_page *tpage, *b;
	unsigned long pfns[2], free_before;

	KTEST_ASSERT_EQ(test, setup(), 0);
	tpage = test_owner_alloc(&owner_a, 0, 0);
	b = test_owner_alloc(&owner_a, 0, 0);
	KTEST_ASSERT_NOT_NULL(test, tpage);
	KTEST_ASSERT_NOT_NULL(test, b);
	tpage->release = TEST_RELEASE_AFTER_ISOLATE;
	b->release = TEST_RELEASE_IN_MIGRATE;
	pfns[0] = test_owner_pfn(&owner_a, tpage);
	pfns[1] = test_owner_pfn(&owner_a, b);
	free_before = mm_nr_free_pages(&env.mm);
	KTEST_EXPECT_EQ(test, migrate_pages(&env.mm, pfns, 2, NULL, NULL, NULL, MIGRATE_SYNC, &result), 0);
	KTEST_EXPECT_EQ(test, result.released, 2);
	KTEST_EXPECT_EQ(test, result.succeeded, 0);
	KTEST_EXPECT_NULL(test, tpage->page);
	KTEST_EXPECT_NULL(test, b->page);
	KTEST_EXPECT_EQ(test, mm_nr_free_pages(&env.mm), free_before + 2);
	teardown(test);
}

struct failing_alloc {
	unsigned int left; /* targets to hand out before failing */
	unsigned int calls;
};

static struct page *alloc_then_fail(struct mm *mm, struct page *src, void *priv)
{
	struct failing_alloc *fa = priv;

	fa->calls++;
	if (!fa->left)
		return NULL;
	fa->left--;
	return mm_alloc_pages(mm, page_order(src), GFP_MOVABLE | GFP_NOWARN);
}

/* Targets running out mid-batch: the moved pages moved, the rest were put
 * back untouched, nothing leaked; targets were asked only for isolated pages. */
static void migrate_target_alloc_fails_mid_batch(struct ktest *test)
{
	struct failing_alloc fa = { .left = 5 };
	struct migrate_result result;
	unsigned long pfns[12];
	unsigned int i;

	KTEST_ASSERT_EQ(test, setup(), 0);
	for (i = 0; i < 12; i++) {
		struct test_page *tp = test_owner_alloc(&owner_a, 0, 0);

		KTEST_ASSERT_NOT_NULL(test, tp);
		if (i == 3)
			tp->isolate_rc[0] = -EBUSY;
		pfns[i] = test_owner_pfn(&owner_a, tp);
	}
	KTEST_EXPECT_EQ(test, migrate_pages(&env.mm, pfns, 12, alloc_then_fail, NULL, &fa,
					 MIGRATE_SYNC, &result), -EBUSY);
	KTEST_EXPECT_EQ(test, result.succeeded, 5);
	KTEST_EXPECT_EQ(test, result.no_target, 6);
	KTEST_EXPECT_EQ(test, result.failed, 7);
	KTEST_EXPECT_EQ(test, fa.calls, 11); /* not for the page that refused isolation */
	teardown(test);
}

/* migrate_block moves exactly the pages whose bits are set; free pages and
 * unmovable pages in the bitmap are skipped. */
static void migrate_block_follows_bitmap(struct ktest *test)
{
	unsigned long bitmap[BITS_TO_LONGS(MIGRATE_BLOCK_BITS)] = { 0 };
	struct test_page *tps[8];
	struct migrate_result result;
	unsigned long base = 0, moved_old[8];
	struct page *kern;
	unsigned int i;

	KTEST_ASSERT_EQ(test, setup(), 0);
	for (i = 0; i < 8; i++) {
		tps[i] = test_owner_alloc(&owner_a, 0, 0);
		KTEST_ASSERT_NOT_NULL(test, tps[i]);
		moved_old[i] = test_owner_pfn(&owner_a, tps[i]);
	}
	base = moved_old[0] & ~(PAGEBLOCK_PAGES - 1);
	for (i = 0; i < 8; i += 2) { /* every other page */
		KTEST_ASSERT_EQ(test, moved_old[i] & ~(PAGEBLOCK_PAGES - 1), base);
		bitmap_set_bit(bitmap, moved_old[i] - base);
	}
	kern = mm_alloc_pages(&env.mm, 0, GFP_KERNEL);
	KTEST_ASSERT_NOT_NULL(test, kern);
	if ((mm_page_to_pfn(&env.mm, kern) & ~(PAGEBLOCK_PAGES - 1)) == base)
		bitmap_set_bit(bitmap, mm_page_to_pfn(&env.mm, kern) - base);
	KTEST_EXPECT_EQ(test, migrate_block(&env.mm, base, bitmap, NULL, NULL, NULL, MIGRATE_ASYNC,
					 &result), 0);
	KTEST_EXPECT_EQ(test, result.succeeded, 4);
	for (i = 0; i < 8; i++)
		KTEST_EXPECT_EQ(test, test_owner_pfn(&owner_a, tps[i]) == moved_old[i], i % 2 == 1);
	mm_free_pages(&env.mm, kern, 0);
	if (mm_test_bugs_survivable()) { /* a misaligned base is reported */
		mm_test_take_bugs();
		KTEST_EXPECT_EQ(test, migrate_block(&env.mm, base + 1, bitmap, NULL, NULL, NULL,
						 MIGRATE_ASYNC, &result), -EINVAL);
		KTEST_EXPECT_EQ(test, mm_test_take_bugs(), 1);
	}
	teardown(test);
}

/* Releasing a page that is not isolated is reported and changes nothing. */
static void migrate_release_misuse(struct ktest *test)
{
	struct test_page *tp;

	if (!mm_test_bugs_survivable())
		KTEST_SKIP(test, "mm_bug() panics here");
	tp = setup_one_page(test, 0);
	if (!tp)
		return;
	mm_test_take_bugs();
	movable_page_release(&env.mm, tp->page);
	KTEST_EXPECT_EQ(test, mm_test_take_bugs(), 1);
	KTEST_EXPECT_FALSE(test, page_flags(tp->page) & PG_released);
	teardown(test);
}

static const struct ktest_case migrate_cases[] = {
	KTEST_CASE(movable_register_errors),
	KTEST_CASE(migrate_moves_and_keeps_data),
	KTEST_CASE(migrate_isolate_busy_gives_up),
	KTEST_CASE(migrate_eagain_then_success),
	KTEST_CASE(migrate_eagain_is_bounded),
	KTEST_CASE(migrate_permanent_failure_puts_back),
	KTEST_CASE(migrate_release_while_isolated),
	KTEST_CASE(migrate_target_alloc_fails_mid_batch),
	KTEST_CASE(migrate_block_follows_bitmap),
	KTEST_CASE(migrate_release_misuse),
	KTEST_END,
};
KTEST_SUITE(migrate, migrate_cases);
