/*
 * Tests of the balloon core against the simulated device (balloon_sim.h),
 * on a private mm, hosted and in the kernel: inflate/deflate restore every
 * page, targets beyond RAM are clamped, flipping targets, an asynchronous
 * device, stats, xarray -ENOMEM, refused negotiation, hostile used rings,
 * and migration of balloon pages with failures injected at every step. The accounting identity checked throughout:
 *
 *   free pages + ballooned pages + xarray node pages == free after start
 *
 * and the host's bitmap always equals the driver's xarray (while the device
 * works); the simulated host reports no driver violation.
 */
#include "drivers/virtio/balloon.h"
#include "drivers/virtio/balloon_sim.h"
#include "include/errno.h"
#include "lib/bitmap.h"
#include "lib/ktest.h"
#include "lib/string.h"
#include "mm/hole.h"
#include "mm/migrate.h"
#include "mm/page.h"
#include "mm/poison.h"
#include "mm/testing.h"

#define SPAN 1024
#define KEEP 64

struct fixture {
	struct mm_test_env env;
	struct balloon_sim sim;
	struct balloon balloon;
	struct balloon_config cfg;
	unsigned long node_pages;   /* xarray nodes, one page each */
	unsigned long fail_node_at; /* fail the Nth node allocation (1-based); 0 never */
	bool fail_all_nodes;
	struct page *node_pool[16]; /* when set, nodes come from here first */
	unsigned int node_pool_n;
	unsigned long node_allocs;
	unsigned long free_before;  /* before balloon_start */
	unsigned long free_started; /* right after it */
};

static struct fixture fx;

static void *node_alloc(size_t size, void *priv)
{
	struct fixture *fix = priv;
	struct page *page;

	if (size > PAGE_SIZE || ++fix->node_allocs == fix->fail_node_at || fix->fail_all_nodes)
		return NULL;
	page = fix->node_pool_n ? fix->node_pool[--fix->node_pool_n]
			      : mm_alloc_pages(&fix->env.mm, 0, GFP_NOWARN);
	if (!page)
		return NULL;
	fix->node_pages++;
	return mm_page_address(&fix->env.mm, page);
}

static void node_free(void *p, size_t size, void *priv)
{
	struct fixture *fix = priv;

	mm_test_node_free(&fix->env.mm, p, &fix->node_pages);
}

static const struct xa_alloc_ops node_ops = { .alloc = node_alloc, .free = node_free,
					       .priv = &fx };

static void set_config_pending(void *arg) { ((struct balloon *)arg)->config_pending = true; }

/* A private mm and QEMU's balloon over it; not started. */
static int fixture_init(void)
{
	int err;

	memset(&fx, 0, sizeof(fx));
	err = mm_test_env_simple(&fx.env, SPAN);
	if (err)
		return err;
	err = balloon_sim_init(&fx.sim, &fx.env.mm);
	if (err)
		return err;
	fx.sim.config_changed = set_config_pending;
	fx.sim.arg = &fx.balloon;
	fx.cfg = (struct balloon_config){ .mm = &fx.env.mm, .vdev = &fx.sim.vdev,
					  .xa_ops = &node_ops, .batch = 32, .keep_pages = KEEP,
					  .timeout_us = 2000, .wait = balloon_sim_wait,
					  .priv = &fx.sim };
	return 0;
}

static int fixture_start(void)
{
	int err;

	fx.free_before = mm_nr_free_pages(&fx.env.mm);
	err = balloon_start(&fx.balloon, &fx.cfg);
	fx.free_started = mm_nr_free_pages(&fx.env.mm);
	return err;
}

/* Nothing lost: every page free, ballooned or holding an xarray node. */
static bool accounted(void)
{
	return mm_nr_free_pages(&fx.env.mm) + balloon_pages(&fx.balloon) + fx.node_pages ==
	       fx.free_started;
}

/* The host holds exactly the PFNs of the xarray, all of type BALLOON. */
static bool host_agrees(void)
{
	unsigned long index, n = 0;
	void *entry;

	xa_for_each(&fx.balloon.pfns, index, entry) {
		if (!balloon_sim_holds(&fx.sim, index) ||
		    page_type(mm_pfn_to_page(&fx.env.mm, index)) != MEMDESC_BALLOON)
			return false;
		n++;
	}
	return n == fx.sim.host_pages && n == fx.balloon.info.actual && fx.sim.actual == n;
}

/* Set the host's target and let the driver settle (bounded rounds). */
static bool settle(u32 num_pages)
{
	unsigned int round;

	fx.sim.num_pages = num_pages;
	fx.balloon.config_pending = true;
	for (round = 0; round < 1000; round++) {
		bool done;

		if (fx.balloon.config_pending)
			balloon_read_target(&fx.balloon);
		done = balloon_adjust(&fx.balloon);
		if (done && !fx.balloon.config_pending)
			return true;
		if (fx.balloon.info.broken)
			return false;
	}
	return false;
}

static void fixture_end(struct ktest *test)
{
	KTEST_EXPECT_EQ(test, balloon_stop(&fx.balloon), 0);
	KTEST_EXPECT_EQ(test, mm_nr_free_pages(&fx.env.mm), fx.free_before);
	KTEST_EXPECT_EQ(test, fx.sim.violations, 0);
	KTEST_EXPECT_EQ(test, mm_check(&fx.env.mm), 0);
	mm_test_env_destroy(&fx.env);
}

/* Inflate to 600 pages and back: the host holds exactly the xarray's PFNs,
 * actual follows, and every page returns to the buddy. */
static void balloon_inflate_deflate_restores_every_page(struct ktest *test)
{
	KTEST_ASSERT_EQ(test, fixture_init(), 0);
	KTEST_ASSERT_EQ(test, fixture_start(), 0);
	KTEST_EXPECT_TRUE(test, settle(600));
	KTEST_EXPECT_EQ(test, fx.balloon.info.actual, 600);
	KTEST_EXPECT_TRUE(test, host_agrees());
	KTEST_EXPECT_TRUE(test, accounted());
	KTEST_EXPECT_EQ(test, fx.balloon.info.inflate_batches, DIV_ROUND_UP(600, 32));
	KTEST_EXPECT_TRUE(test, settle(100));
	KTEST_EXPECT_TRUE(test, host_agrees());
	KTEST_EXPECT_TRUE(test, settle(0));
	KTEST_EXPECT_EQ(test, fx.sim.host_pages, 0);
	KTEST_EXPECT_EQ(test, fx.node_pages, 0);
	KTEST_EXPECT_EQ(test, mm_nr_free_pages(&fx.env.mm), fx.free_started);
	KTEST_EXPECT_EQ(test, fx.balloon.info.pages_inflated, 600);
	KTEST_EXPECT_EQ(test, fx.balloon.info.pages_deflated, 600);
	fixture_end(test);
}

/* num_pages far beyond RAM is clamped (once logged) and the guest keeps its
 * floor; the driver then deflates fully. */
static void balloon_target_beyond_ram_is_clamped(struct ktest *test)
{
	unsigned long managed;

	KTEST_ASSERT_EQ(test, fixture_init(), 0);
	KTEST_ASSERT_EQ(test, fixture_start(), 0);
	managed = fx.env.mm.nr_managed;
	KTEST_EXPECT_TRUE(test, settle(0xffffffffu));
	KTEST_EXPECT_EQ(test, fx.balloon.info.num_pages, 0xffffffffu);
	KTEST_EXPECT_LE(test, fx.balloon.info.actual, managed - KEEP);
	KTEST_EXPECT_GE(test, mm_nr_free_pages(&fx.env.mm), KEEP);
	KTEST_EXPECT_GE(test, fx.balloon.info.clamps, 1);
	KTEST_EXPECT_TRUE(test, host_agrees());
	KTEST_EXPECT_TRUE(test, accounted());
	KTEST_EXPECT_TRUE(test, settle(0));
	KTEST_EXPECT_EQ(test, fx.sim.host_pages, 0);
	fixture_end(test);
}

/* The host flips num_pages every third buffer (with a config interrupt):
 * the driver follows, never loses a page, and settles once it stops. */
static void balloon_flipping_targets(struct ktest *test)
{
	unsigned int round;

	KTEST_ASSERT_EQ(test, fixture_init(), 0);
	KTEST_ASSERT_EQ(test, fixture_start(), 0);
	fx.sim.flip_every = 3;
	fx.sim.flip_to[0] = 500;
	fx.sim.flip_to[1] = 40;
	fx.sim.num_pages = 500;
	fx.balloon.config_pending = true;
	for (round = 0; round < 60; round++) {
		if (fx.balloon.config_pending)
			balloon_read_target(&fx.balloon);
		balloon_adjust(&fx.balloon);
		KTEST_ASSERT_TRUE(test, host_agrees());
		KTEST_ASSERT_TRUE(test, accounted());
	}
	KTEST_EXPECT_GT(test, fx.balloon.info.pages_deflated, 0);
	fx.sim.flip_every = 0;
	KTEST_EXPECT_TRUE(test, settle(0));
	KTEST_EXPECT_FALSE(test, fx.balloon.info.broken);
	fixture_end(test);
}

/* A device that completes buffers only later (from the wait hook). */
static void balloon_async_device(struct ktest *test)
{
	KTEST_ASSERT_EQ(test, fixture_init(), 0);
	fx.sim.async = true;
	KTEST_ASSERT_EQ(test, fixture_start(), 0);
	KTEST_EXPECT_TRUE(test, settle(300));
	KTEST_EXPECT_TRUE(test, host_agrees());
	KTEST_EXPECT_TRUE(test, settle(0));
	KTEST_EXPECT_GT(test, fx.balloon.info.inflate_wait_ns, 0);
	fixture_end(test);
}

/* The stats buffer waits with the host; a poll returns it and the driver
 * answers with the figures of that moment. */
static void balloon_stats_answer_polls(struct ktest *test)
{
	KTEST_ASSERT_EQ(test, fixture_init(), 0);
	KTEST_EXPECT_FALSE(test, balloon_sim_request_stats(&fx.sim));
	KTEST_ASSERT_EQ(test, fixture_start(), 0);
	KTEST_EXPECT_EQ(test, fx.sim.stats_reads, 1);
	KTEST_EXPECT_TRUE(test, settle(200));
	KTEST_ASSERT_TRUE(test, balloon_sim_request_stats(&fx.sim));
	fx.balloon.stats_pending = true;
	balloon_stats_service(&fx.balloon);
	KTEST_EXPECT_EQ(test, fx.balloon.info.stats_requests, 1);
	KTEST_EXPECT_EQ(test, fx.sim.stats_reads, 2);
	KTEST_EXPECT_EQ(test, fx.sim.stats[BALLOON_S_MEMFREE].tag, BALLOON_S_MEMFREE);
	KTEST_EXPECT_EQ(test, fx.sim.stats[BALLOON_S_MEMFREE].val,
			(u64)mm_nr_free_pages(&fx.env.mm) * PAGE_SIZE);
	KTEST_EXPECT_EQ(test, fx.sim.stats[BALLOON_S_MEMTOT].val,
			(u64)fx.env.mm.nr_managed * PAGE_SIZE);
	KTEST_EXPECT_EQ(test, fx.sim.stats[BALLOON_S_SWAP_IN].val, 0);
	KTEST_EXPECT_TRUE(test, settle(0));
	fixture_end(test);
}

/* An xarray node that cannot be allocated: the page goes back to the buddy,
 * the batch is cut short, a later attempt finishes the job. Both policies;
 * naive's second insert (its lifo) failing too, which undoes the first. */
static void balloon_xarray_enomem_gives_page_back(struct ktest *test)
{
	static const struct {
		enum balloon_policy policy;
		unsigned long fail_at; /* which node allocation of the batch fails */
	} cases[] = {
		{ BALLOON_POLICY_AWARE, 1 },
		{ BALLOON_POLICY_NAIVE, 1 }, /* pfns */
		{ BALLOON_POLICY_NAIVE, 2 }, /* lifo */
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		KTEST_ASSERT_EQ(test, fixture_init(), 0);
		fx.cfg.policy = cases[i].policy;
		KTEST_ASSERT_EQ(test, fixture_start(), 0);
		fx.fail_node_at = fx.node_allocs + cases[i].fail_at;
		fx.sim.num_pages = 100;
		balloon_read_target(&fx.balloon);
		KTEST_EXPECT_FALSE(test, balloon_adjust(&fx.balloon));
		KTEST_EXPECT_EQ(test, fx.balloon.info.xa_enomem, 1);
		KTEST_EXPECT_EQ(test, fx.balloon.info.actual, 0);
		KTEST_EXPECT_EQ(test, balloon_pages(&fx.balloon), 0);
		KTEST_EXPECT_EQ(test, fx.node_pages, balloon_xa_nodes(&fx.balloon));
		KTEST_EXPECT_TRUE(test, accounted());
		KTEST_EXPECT_TRUE(test, settle(100));
		KTEST_EXPECT_TRUE(test, host_agrees());
		KTEST_EXPECT_TRUE(test, settle(0));
		fixture_end(test);
	}
}

/* Refused FEATURES_OK, no VERSION_1, a missing queue, refused DRIVER_OK:
 * start fails with FAILED set and nothing allocated. */
static void balloon_refused_negotiation_leaks_nothing(struct ktest *test)
{
	static const struct {
		bool refuse_features, no_v1, refuse_driver_ok;
		unsigned int queues;
		int err;
	} cases[] = {
		{ true, false, false, 3, -ENODEV },
		{ false, true, false, 3, -ENODEV },
		{ false, false, false, 2, -ENODEV },
		{ false, false, true, 3, -EIO },
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		KTEST_ASSERT_EQ(test, fixture_init(), 0);
		fx.sim.refuse_features_ok = cases[i].refuse_features;
		if (cases[i].no_v1)
			fx.sim.offered &= ~VIRTIO_F_VERSION_1;
		fx.sim.refuse_driver_ok = cases[i].refuse_driver_ok;
		fx.sim.nr_queues = cases[i].queues;
		KTEST_EXPECT_EQ(test, fixture_start(), cases[i].err);
		KTEST_EXPECT_GE(test, fx.sim.failed, 1);
		KTEST_EXPECT_FALSE(test, fx.sim.q[0].live);
		KTEST_EXPECT_FALSE(test, fx.balloon.info.active);
		KTEST_EXPECT_EQ(test, mm_nr_free_pages(&fx.env.mm), fx.free_before);
		KTEST_EXPECT_EQ(test, mm_check(&fx.env.mm), 0);
		mm_test_env_destroy(&fx.env);
	}
}

/* Hostile used rings from the third buffer on: the driver stops (or, for
 * duplicated ids that look valid, carries on), never loses a page, never
 * frees one the host may hold, and stop() keeps them when it cannot tell. */
static void balloon_hostile_device_loses_nothing(struct ktest *test)
{
	static const enum balloon_sim_fault faults[] = {
		SIM_FAULT_SILENT, SIM_FAULT_ID_RANGE, SIM_FAULT_HUGE_LEN,
		SIM_FAULT_IDX_JUMP, SIM_FAULT_ID_DUP,
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(faults); i++) {
		unsigned long index;
		void *entry;
		bool broken;

		KTEST_ASSERT_EQ(test, fixture_init(), 0);
		fx.sim.fault = faults[i];
		fx.sim.fault_after = 2;
		KTEST_ASSERT_EQ(test, fixture_start(), 0);
		settle(400);
		settle(0);
		broken = fx.balloon.info.broken;
		KTEST_EXPECT_TRUE(test, broken || faults[i] == SIM_FAULT_ID_DUP);
		KTEST_EXPECT_TRUE(test, accounted());
		KTEST_EXPECT_EQ(test, fx.sim.violations, 0);
		/* Every page the host holds is still ballooned in the guest. */
		for (index = fx.env.mm.base_pfn; index < fx.env.mm.end_pfn; index++)
			if (balloon_sim_holds(&fx.sim, index))
				KTEST_EXPECT_NOT_NULL(test, xa_load(&fx.balloon.pfns, index));
		xa_for_each(&fx.balloon.pfns, index, entry)
			KTEST_EXPECT_EQ(test, page_type(mm_pfn_to_page(&fx.env.mm, index)),
					MEMDESC_BALLOON);
		if (broken) {
			KTEST_EXPECT_EQ(test, fx.sim.failed, 1);
			KTEST_EXPECT_EQ(test, balloon_stop(&fx.balloon), -EIO);
			KTEST_EXPECT_EQ(test, mm_check(&fx.env.mm), 0);
			mm_test_env_destroy(&fx.env); /* the pages go with the mm */
		} else {
			fixture_end(test);
		}
	}
}

/* Migration targets: any free page; the free callback gives it back. */
static struct page *target_alloc(struct mm *mm, struct page *src, void *priv)
{
	return mm_alloc_pages(mm, 0, GFP_MOVABLE | GFP_NOWARN);
}

static void target_free(struct mm *mm, struct page *dst, void *priv)
{
	mm_free_pages(mm, dst, 0);
}

/*
 * The highest free page (never a source just freed: sources sit low); with
 * @new_leaf, only one in an xarray leaf (64 PFNs) holding no ballooned PFN,
 * so that recording it needs a new node.
 */
static struct page *highest_free_page(struct mm *mm, bool new_leaf)
{
	unsigned long pfn;

	for (pfn = mm->end_pfn - 1; pfn > mm->base_pfn; pfn--) {
		unsigned long index = pfn & ~63UL;
		struct page *page;

		if (new_leaf && xa_find(&fx.balloon.pfns, &index, pfn | 63))
			continue;
		page = mm_alloc_pfn(mm, pfn);
		if (page)
			return page;
	}
	return NULL;
}

static struct page *target_from_top(struct mm *mm, struct page *src, void *priv)
{
	return highest_free_page(mm, false);
}

/* The first @n ballooned PFNs. */
static unsigned int balloon_pfns(unsigned long *pfns, unsigned int n)
{
	unsigned long index;
	unsigned int i = 0;
	void *entry;

	xa_for_each(&fx.balloon.pfns, index, entry) {
		if (i == n)
			break;
		pfns[i++] = index;
	}
	return i;
}

/* Balloon pages move through the registry: the host ends up holding the
 * targets, the sources return to the buddy, actual never changes, and
 * (MUST_TELL_HOST offered) no page is reused before the host is told. */
static void balloon_pages_migrate(struct ktest *test)
{
	static unsigned long pfns[64];
	struct migrate_result res = { 0 };
	unsigned int n, i;

	KTEST_ASSERT_EQ(test, fixture_init(), 0);
	fx.sim.offered |= VIRTIO_BALLOON_F_MUST_TELL_HOST;
	KTEST_ASSERT_EQ(test, fixture_start(), 0);
	KTEST_EXPECT_TRUE(test, fx.balloon.info.features & VIRTIO_BALLOON_F_MUST_TELL_HOST);
	KTEST_ASSERT_TRUE(test, settle(300));
	n = balloon_pfns(pfns, ARRAY_SIZE(pfns));
	KTEST_ASSERT_EQ(test, n, ARRAY_SIZE(pfns));
	KTEST_EXPECT_EQ(test, migrate_pages(&fx.env.mm, pfns, n, target_from_top, target_free, NULL,
					 MIGRATE_SYNC, &res), 0);
	KTEST_EXPECT_EQ(test, res.succeeded, n);
	KTEST_EXPECT_EQ(test, fx.balloon.info.migrated, n);
	KTEST_EXPECT_EQ(test, fx.balloon.info.actual, 300);
	KTEST_EXPECT_EQ(test, fx.balloon.info.isolated, 0);
	KTEST_EXPECT_EQ(test, fx.sim.actual, 300);
	for (i = 0; i < n; i++) {
		KTEST_EXPECT_FALSE(test, balloon_sim_holds(&fx.sim, pfns[i]));
		KTEST_EXPECT_NULL(test, xa_load(&fx.balloon.pfns, pfns[i]));
	}
	KTEST_EXPECT_TRUE(test, host_agrees());
	KTEST_EXPECT_TRUE(test, accounted());
	KTEST_EXPECT_EQ(test, mm_check(&fx.env.mm), 0);
	KTEST_EXPECT_TRUE(test, settle(0));
	fixture_end(test);
}

static struct page *target_new_leaf(struct mm *mm, struct page *src, void *priv)
{
	return highest_free_page(mm, true);
}

/* Injected failures: the xarray cannot take the target (-ENOMEM), then the
 * device stops answering while taking a target: each migration fails
 * permanently and the source stays ballooned; the target goes back, except
 * the one the silent device took, which stays ballooned (every PFN the
 * host holds is a balloon page of the guest). */
static void balloon_migration_failures_restore_everything(struct ktest *test)
{
	static unsigned long pfns[8];
	struct migrate_result res = { 0 };
	unsigned int n, i;

	KTEST_ASSERT_EQ(test, fixture_init(), 0);
	KTEST_ASSERT_EQ(test, fixture_start(), 0);
	KTEST_ASSERT_TRUE(test, settle(200));
	n = balloon_pfns(pfns, ARRAY_SIZE(pfns));
	fx.fail_all_nodes = true;
	KTEST_EXPECT_EQ(test, migrate_pages(&fx.env.mm, pfns, n, target_new_leaf, target_free, NULL,
					 MIGRATE_SYNC, &res), -EBUSY);
	fx.fail_all_nodes = false;
	KTEST_EXPECT_EQ(test, res.succeeded, 0);
	KTEST_EXPECT_EQ(test, res.failed, n);
	KTEST_EXPECT_EQ(test, fx.balloon.info.migrate_fail, n);
	KTEST_EXPECT_EQ(test, fx.balloon.info.xa_enomem, n);
	KTEST_EXPECT_TRUE(test, host_agrees());
	KTEST_EXPECT_TRUE(test, accounted());
	/* The device goes silent: the next migration cannot hand over dst. */
	fx.sim.fault = SIM_FAULT_SILENT;
	fx.sim.fault_after = fx.sim.buffers;
	memset(&res, 0, sizeof(res));
	KTEST_EXPECT_EQ(test, migrate_pages(&fx.env.mm, pfns, n, target_alloc, target_free, NULL,
					 MIGRATE_SYNC, &res), -EBUSY);
	KTEST_EXPECT_EQ(test, res.succeeded, 0);
	KTEST_EXPECT_EQ(test, res.failed, n);
	KTEST_EXPECT_TRUE(test, fx.balloon.info.broken);
	KTEST_EXPECT_EQ(test, fx.balloon.info.isolated, 0);
	KTEST_EXPECT_EQ(test, balloon_pages(&fx.balloon), 201UL);
	for (i = fx.env.mm.base_pfn; i < fx.env.mm.end_pfn; i++)
		if (balloon_sim_holds(&fx.sim, i))
			KTEST_EXPECT_EQ(test, page_type(mm_pfn_to_page(&fx.env.mm, i)),
					MEMDESC_BALLOON);
	for (i = 0; i < n; i++) {
		struct page *page = mm_pfn_to_page(&fx.env.mm, pfns[i]);

		KTEST_EXPECT_EQ(test, page_type(page), MEMDESC_BALLOON);
		KTEST_EXPECT_FALSE(test, page_is_isolated(page));
	}
	KTEST_EXPECT_TRUE(test, accounted());
	KTEST_EXPECT_EQ(test, fx.sim.violations, 0);
	KTEST_EXPECT_EQ(test, mm_check(&fx.env.mm), 0);
	mm_test_env_destroy(&fx.env);
}

/* Target allocation is where the balloon thread may run while pages are
 * isolated: here the host takes everything back at that moment. */
static struct page *target_after_deflate(struct mm *mm, struct page *src, void *priv)
{
	if (fx.sim.num_pages)
		settle(0);
	return target_alloc(mm, src, priv);
}

/* The host asks for pages while migration holds them: the balloon hands
 * them over with movable_page_release() and the core frees them; nothing
 * is migrated, actual reaches 0, every page is back. */
static void balloon_release_while_isolated(struct ktest *test)
{
	static unsigned long pfns[16];
	struct migrate_result res = { 0 };
	unsigned int n;

	KTEST_ASSERT_EQ(test, fixture_init(), 0);
	KTEST_ASSERT_EQ(test, fixture_start(), 0);
	KTEST_ASSERT_TRUE(test, settle(100));
	n = balloon_pfns(pfns, ARRAY_SIZE(pfns));
	KTEST_EXPECT_EQ(test, migrate_pages(&fx.env.mm, pfns, n, target_after_deflate, target_free,
					 NULL, MIGRATE_SYNC, &res), 0);
	KTEST_EXPECT_EQ(test, fx.balloon.info.actual, 0);
	KTEST_EXPECT_EQ(test, fx.balloon.info.isolated, 0);
	KTEST_EXPECT_EQ(test, res.released + res.succeeded, n);
	KTEST_EXPECT_GE(test, fx.balloon.info.released_isolated, 1);
	KTEST_EXPECT_EQ(test, fx.balloon.info.released_isolated, res.released);
	KTEST_EXPECT_EQ(test, fx.sim.host_pages, 0);
	fixture_end(test);
}

static const struct movable_operations *real_balloon_ops;

/* The host takes everything back between the core's claim on a page and
 * its isolate() call, as a deflate on another CPU can. */
static int deflate_in_isolate(struct mm *mm, struct page *page, enum migrate_mode mode)
{
	if (fx.sim.num_pages)
		settle(0);
	return real_balloon_ops->isolate(mm, page, mode);
}

/* A page deflated while the core holds only its claim (isolate() not yet
 * called) is not freed by the balloon but handed to the core
 * (movable_page_clear): isolate() finds no entry (-EBUSY) and the core
 * frees it; the pages not yet claimed are freed by the deflate and then
 * skipped. actual reaches 0, the counts add up, every page is back. With
 * the old deflate the balloon freed a claimed page (a bad free). */
static void balloon_deflate_between_claim_and_isolate(struct ktest *test)
{
	static unsigned long pfns[16];
	struct movable_operations racing;
	struct migrate_result res = { 0 };
	unsigned int n;

	KTEST_ASSERT_EQ(test, fixture_init(), 0);
	KTEST_ASSERT_EQ(test, fixture_start(), 0);
	KTEST_ASSERT_TRUE(test, settle(100));
	n = balloon_pfns(pfns, ARRAY_SIZE(pfns));
	real_balloon_ops = fx.env.mm.movable_ops[MEMDESC_BALLOON]; /* a private mm */
	racing = *real_balloon_ops;
	racing.isolate = deflate_in_isolate;
	fx.env.mm.movable_ops[MEMDESC_BALLOON] = &racing;
	migrate_pages(&fx.env.mm, pfns, n, target_alloc, target_free, NULL, MIGRATE_SYNC, &res);
	fx.env.mm.movable_ops[MEMDESC_BALLOON] = real_balloon_ops;
	KTEST_EXPECT_EQ(test, res.released, 1);
	KTEST_EXPECT_EQ(test, res.skipped, n - 1);
	KTEST_EXPECT_EQ(test, res.succeeded, 0);
	KTEST_EXPECT_EQ(test, fx.balloon.info.released_isolated, 1);
	KTEST_EXPECT_EQ(test, fx.balloon.info.isolated, 0);
	KTEST_EXPECT_EQ(test, fx.balloon.info.actual, 0);
	KTEST_EXPECT_EQ(test, balloon_pages(&fx.balloon), 0);
	KTEST_EXPECT_EQ(test, fx.env.mm.stats.bugs, 0);
	KTEST_EXPECT_EQ(test, fx.sim.host_pages, 0);
	fixture_end(test);
}

/* A free page outside @src's pageblock, from the top. */
static struct page *target_other_block(struct mm *mm, struct page *src, void *priv)
{
	unsigned long block = mm_page_to_pfn(mm, src) >> PAGEBLOCK_ORDER, pfn;
	struct page *page;

	for (pfn = mm->end_pfn - 1; pfn > mm->base_pfn; pfn--)
		if (pfn >> PAGEBLOCK_ORDER != block && (page = mm_alloc_pfn(mm, pfn)))
			return page;
	return NULL;
}

/*
 * Aware deflate whose ranking went stale (the ranked block's pages all
 * migrated elsewhere since it was made) ranks again instead of giving back
 * nothing: a deflate-on-OOM frees what was asked, and stop gives back
 * every page.
 */
static void balloon_aware_deflate_ranks_stale_blocks_again(struct ktest *test)
{
	struct migrate_result res = { 0 };
	unsigned long pfns[128];
	unsigned int n;

	KTEST_ASSERT_EQ(test, fixture_init(), 0);
	fx.sim.offered |= VIRTIO_BALLOON_F_DEFLATE_ON_OOM;
	KTEST_ASSERT_EQ(test, fixture_start(), 0);
	KTEST_ASSERT_TRUE(test, settle(100));
	KTEST_ASSERT_TRUE(test, settle(99)); /* ranks, takes one page of the block */
	KTEST_ASSERT_LT(test, fx.balloon.rank_pos, fx.balloon.nr_rank);
	n = balloon_pfns(pfns, ARRAY_SIZE(pfns));
	KTEST_ASSERT_EQ(test, n, 99);
	KTEST_ASSERT_EQ(test, pfns[0] >> PAGEBLOCK_ORDER, pfns[n - 1] >> PAGEBLOCK_ORDER);
	KTEST_EXPECT_EQ(test, migrate_pages(&fx.env.mm, pfns, n, target_other_block, target_free,
					 NULL, MIGRATE_SYNC, &res), 0);
	KTEST_ASSERT_EQ(test, res.succeeded, n);
	KTEST_EXPECT_EQ(test, balloon_oom_deflate(&fx.balloon, 10), 10);
	KTEST_EXPECT_EQ(test, fx.balloon.info.actual, 89);
	KTEST_EXPECT_TRUE(test, host_agrees());
	KTEST_EXPECT_TRUE(test, accounted());
	KTEST_EXPECT_EQ(test, balloon_stop(&fx.balloon), 0);
	KTEST_EXPECT_EQ(test, fx.sim.host_pages, 0);
	fixture_end(test);
}

/* Deflate-on-OOM gives pages back at once (host told first), then holds
 * the target until the host changes num_pages; without the feature it
 * does nothing. */
static void balloon_oom_deflate_pins_target(struct ktest *test)
{
	KTEST_ASSERT_EQ(test, fixture_init(), 0);
	KTEST_ASSERT_EQ(test, fixture_start(), 0);
	KTEST_ASSERT_TRUE(test, settle(400));
	KTEST_EXPECT_EQ(test, balloon_oom_deflate(&fx.balloon, 100), 0); /* not negotiated */
	KTEST_EXPECT_TRUE(test, settle(0));
	fixture_end(test);

	KTEST_ASSERT_EQ(test, fixture_init(), 0);
	fx.sim.offered |= VIRTIO_BALLOON_F_DEFLATE_ON_OOM;
	KTEST_ASSERT_EQ(test, fixture_start(), 0);
	KTEST_ASSERT_TRUE(test, settle(400));
	KTEST_EXPECT_EQ(test, balloon_oom_deflate(&fx.balloon, 100), 100);
	KTEST_EXPECT_EQ(test, fx.balloon.info.actual, 300);
	KTEST_EXPECT_EQ(test, fx.balloon.info.oom_deflations, 1);
	KTEST_EXPECT_TRUE(test, host_agrees());
	KTEST_EXPECT_TRUE(test, accounted());
	KTEST_EXPECT_TRUE(test, settle(400)); /* same num_pages: stays */
	KTEST_EXPECT_EQ(test, fx.balloon.info.actual, 300);
	KTEST_EXPECT_TRUE(test, settle(350)); /* a new target: followed */
	KTEST_EXPECT_EQ(test, fx.balloon.info.actual, 350);
	fx.balloon.oom_want = 50; /* as the notifier asks: served by the next adjust */
	balloon_adjust(&fx.balloon);
	KTEST_EXPECT_EQ(test, fx.balloon.info.actual, 300);
	KTEST_EXPECT_EQ(test, fx.balloon.oom_want, 0);
	KTEST_EXPECT_TRUE(test, settle(0));
	fixture_end(test);
}

/* Aware policy: with holes in the first pageblock and the second one free,
 * inflating fills holes and leaves the free 2 MiB block whole. */
static void balloon_aware_policy_keeps_free_blocks(struct ktest *test)
{
	static unsigned long mine[SPAN / BITS_PER_LONG]; /* pages taken here, by PFN - base */
	struct mm *mm;
	unsigned long pfn, first;
	struct page *page;

	KTEST_ASSERT_EQ(test, fixture_init(), 0);
	KTEST_ASSERT_EQ(test, fixture_start(), 0);
	mm = &fx.env.mm;
	first = ALIGN_UP(mm->base_pfn, PAGEBLOCK_PAGES);
	/* Take every free page, then free every other page of one pageblock
	 * and all of the next one. */
	memset(mine, 0, sizeof(mine));
	/* xarray nodes from a pool taken now: in a zone this small, their
	 * unmovable allocations would otherwise steal the free pageblock. */
	while (fx.node_pool_n < ARRAY_SIZE(fx.node_pool))
		fx.node_pool[fx.node_pool_n++] = mm_alloc_pages(mm, 0, GFP_NOWARN);
	while ((page = mm_alloc_pages(mm, 0, GFP_MOVABLE | GFP_NOWARN | GFP_NORETRY)) != NULL)
		bitmap_set_bit(mine, mm_page_to_pfn(mm, page) - mm->base_pfn);
	for (pfn = first; pfn < first + 2 * PAGEBLOCK_PAGES && pfn < mm->end_pfn; pfn++) {
		if (!bitmap_test_bit(mine, pfn - mm->base_pfn))
			continue;
		if (pfn >= first + PAGEBLOCK_PAGES || (pfn & 1)) {
			mm_free_pages(mm, mm_pfn_to_page(mm, pfn), 0);
			bitmap_clear_bit(mine, pfn - mm->base_pfn);
		}
	}
	mm_drain_pcp(mm);
	KTEST_EXPECT_EQ(test, mm_pageblock_free_pages(mm, first + PAGEBLOCK_PAGES), PAGEBLOCK_PAGES);
	fx.cfg.keep_pages = 1; /* let it take most of what is free */
	fx.balloon.cfg.keep_pages = 1;
	KTEST_EXPECT_TRUE(test, settle(200));
	KTEST_EXPECT_EQ(test, mm_pageblock_free_pages(mm, first + PAGEBLOCK_PAGES), PAGEBLOCK_PAGES);
	KTEST_EXPECT_TRUE(test, settle(0));
	for (pfn = mm->base_pfn; pfn < mm->end_pfn; pfn++)
		if (bitmap_test_bit(mine, pfn - mm->base_pfn))
			mm_free_pages(mm, mm_pfn_to_page(mm, pfn), 0);
	while (fx.node_pool_n)
		mm_free_pages(mm, fx.node_pool[--fx.node_pool_n], 0);
	KTEST_EXPECT_TRUE(test, accounted());
	KTEST_EXPECT_EQ(test, balloon_stop(&fx.balloon), 0);
	KTEST_EXPECT_EQ(test, fx.sim.violations, 0);
	KTEST_EXPECT_EQ(test, mm_check(mm), 0);
	mm_test_env_destroy(&fx.env);
}

/*
 * Naive policy: deflate gives back the pages inflated last, and a migrated
 * page keeps its source's place in that order. 100 pages (set A), 70 more
 * (set B), four of each moved, back to 100: A is left, its four moved
 * pages at their new PFNs, and nothing of B.
 */
static void balloon_naive_deflate_is_lifo(struct ktest *test)
{
	static unsigned long old[SPAN / BITS_PER_LONG], fresh[SPAN / BITS_PER_LONG]; /* A, B */
	unsigned long pfns[8], index, base;
	struct migrate_result res = { 0 };
	unsigned int n_old = 0, n_new = 0, i, kept = 0, from_b = 0;
	void *entry;

	KTEST_ASSERT_EQ(test, fixture_init(), 0);
	fx.cfg.policy = BALLOON_POLICY_NAIVE;
	KTEST_ASSERT_EQ(test, fixture_start(), 0);
	base = fx.env.mm.base_pfn;
	KTEST_ASSERT_TRUE(test, settle(100));
	memset(old, 0, sizeof(old));
	memset(fresh, 0, sizeof(fresh));
	xa_for_each(&fx.balloon.pfns, index, entry)
		bitmap_set_bit(old, index - base);
	KTEST_ASSERT_TRUE(test, settle(170));
	xa_for_each(&fx.balloon.pfns, index, entry) {
		bool is_old = bitmap_test_bit(old, index - base);

		if (!is_old)
			bitmap_set_bit(fresh, index - base);
		if (is_old && n_old < 4)
			pfns[n_old++] = index;
		else if (!is_old && n_new < 4)
			pfns[4 + n_new++] = index;
	}
	KTEST_ASSERT_EQ(test, n_old + n_new, 8);
	KTEST_EXPECT_EQ(test, migrate_pages(&fx.env.mm, pfns, 8, target_from_top, target_free, NULL,
					 MIGRATE_SYNC, &res), 0);
	KTEST_EXPECT_EQ(test, res.succeeded, 8);
	KTEST_ASSERT_TRUE(test, settle(100));
	for (i = 0; i < 4; i++) /* the moved old pages are elsewhere now */
		bitmap_clear_bit(old, pfns[i] - base);
	xa_for_each(&fx.balloon.pfns, index, entry) {
		kept += bitmap_test_bit(old, index - base);
		from_b += bitmap_test_bit(fresh, index - base);
	}
	KTEST_EXPECT_EQ(test, kept, 96);
	KTEST_EXPECT_EQ(test, from_b, 0);
	KTEST_EXPECT_EQ(test, fx.balloon.info.actual, 100);
	KTEST_EXPECT_TRUE(test, host_agrees());
	KTEST_EXPECT_TRUE(test, accounted());
	KTEST_EXPECT_TRUE(test, settle(0));
	fixture_end(test);
}

/* Free page reporting: free order->=9 blocks go to the host once (queue 3,
 * or 4 when the free page hint is offered too), come back marked, and are
 * reported again only after being used; a device that stops answering
 * gets nothing lost. */
static void balloon_free_page_reporting(struct ktest *test)
{
	unsigned int hint;

	for (hint = 0; hint < 2; hint++) {
		unsigned long first, again;
		struct page *page;

		KTEST_ASSERT_EQ(test, fixture_init(), 0);
		fx.sim.offered |= VIRTIO_BALLOON_F_REPORTING |
				  (hint ? VIRTIO_BALLOON_F_FREE_PAGE_HINT : 0);
		fx.sim.nr_queues = 4 + hint;
		KTEST_ASSERT_EQ(test, fixture_start(), 0);
		KTEST_ASSERT_NOT_NULL(test, fx.balloon.vq[BALLOON_VQ_REPORTING]);
		KTEST_EXPECT_EQ(test, fx.balloon.vq[BALLOON_VQ_REPORTING]->index, 3 + hint);
		first = balloon_report(&fx.balloon, 8);
		KTEST_EXPECT_GE(test, first, PAGEBLOCK_PAGES);
		KTEST_EXPECT_EQ(test, fx.sim.reported_pages, first);
		KTEST_EXPECT_EQ(test, fx.balloon.info.report_pages, first);
		KTEST_EXPECT_EQ(test, fx.env.mm.nr_report_isolated, 0);
		KTEST_EXPECT_EQ(test, mm_nr_free_pages(&fx.env.mm), fx.free_started);
		KTEST_EXPECT_EQ(test, balloon_report(&fx.balloon, 8), 0); /* nothing new */
		page = mm_alloc_pages(&fx.env.mm, PAGEBLOCK_ORDER, GFP_NOWARN);
		KTEST_ASSERT_NOT_NULL(test, page);
		mm_free_pages(&fx.env.mm, page, PAGEBLOCK_ORDER);
		again = balloon_report(&fx.balloon, 8);
		KTEST_EXPECT_GE(test, again, PAGEBLOCK_PAGES); /* used, so reported again */
		KTEST_EXPECT_EQ(test, mm_check(&fx.env.mm), 0);
		fixture_end(test);
	}
	/* A silent device: the blocks come back unreported, the driver stops. */
	KTEST_ASSERT_EQ(test, fixture_init(), 0);
	fx.sim.offered |= VIRTIO_BALLOON_F_REPORTING;
	fx.sim.nr_queues = 4;
	KTEST_ASSERT_EQ(test, fixture_start(), 0);
	fx.sim.q[3].live = false; /* takes buffers, never serves them */
	KTEST_EXPECT_EQ(test, balloon_report(&fx.balloon, 8), 0);
	KTEST_EXPECT_TRUE(test, fx.balloon.info.broken);
	KTEST_EXPECT_EQ(test, fx.balloon.info.report_fail, 1);
	KTEST_EXPECT_EQ(test, fx.env.mm.nr_report_isolated, 0);
	KTEST_EXPECT_EQ(test, mm_nr_free_pages(&fx.env.mm), fx.free_started);
	KTEST_EXPECT_EQ(test, mm_check(&fx.env.mm), 0);
	mm_test_env_destroy(&fx.env);
}

/*
 * A poisoning mm: PAGE_POISON is negotiated with the poison value written
 * to the device, and inflate/deflate/reporting keep every free page's
 * poison; a device without PAGE_POISON gets no reports (it could discard
 * the poison).
 */
static void balloon_poisoning_guest(struct ktest *test)
{
	KTEST_ASSERT_EQ(test, fixture_init(), 0);
	mm_test_poison_free(&fx.env.mm);
	fx.sim.offered |= VIRTIO_BALLOON_F_REPORTING | VIRTIO_BALLOON_F_PAGE_POISON;
	fx.sim.nr_queues = 4;
	KTEST_ASSERT_EQ(test, fixture_start(), 0);
	KTEST_EXPECT_TRUE(test, fx.balloon.info.features & VIRTIO_BALLOON_F_PAGE_POISON);
	KTEST_EXPECT_EQ(test, fx.sim.poison_val, MM_POISON_U32);
	KTEST_EXPECT_TRUE(test, settle(300));
	KTEST_EXPECT_TRUE(test, settle(100));
	KTEST_EXPECT_GE(test, balloon_report(&fx.balloon, 8), PAGEBLOCK_PAGES);
	KTEST_EXPECT_TRUE(test, settle(0));
	KTEST_EXPECT_EQ(test, fx.env.mm.stats.poison_bad, 0);
	fixture_end(test);

	KTEST_ASSERT_EQ(test, fixture_init(), 0);
	mm_test_poison_free(&fx.env.mm);
	fx.sim.offered |= VIRTIO_BALLOON_F_REPORTING;
	fx.sim.nr_queues = 4;
	KTEST_ASSERT_EQ(test, fixture_start(), 0);
	KTEST_EXPECT_FALSE(test, fx.balloon.info.features & VIRTIO_BALLOON_F_REPORTING);
	KTEST_EXPECT_NULL(test, fx.balloon.vq[BALLOON_VQ_REPORTING]);
	KTEST_EXPECT_EQ(test, balloon_report(&fx.balloon, 8), 0);
	KTEST_EXPECT_EQ(test, fx.sim.poison_val, 0);
	KTEST_EXPECT_EQ(test, fx.env.mm.stats.poison_bad, 0);
	fixture_end(test);
}

static const struct ktest_case balloon_cases[] = {
	KTEST_CASE(balloon_inflate_deflate_restores_every_page),
	KTEST_CASE(balloon_target_beyond_ram_is_clamped),
	KTEST_CASE(balloon_flipping_targets),
	KTEST_CASE(balloon_async_device),
	KTEST_CASE(balloon_stats_answer_polls),
	KTEST_CASE(balloon_xarray_enomem_gives_page_back),
	KTEST_CASE(balloon_refused_negotiation_leaks_nothing),
	KTEST_CASE(balloon_hostile_device_loses_nothing),
	KTEST_CASE(balloon_pages_migrate),
	KTEST_CASE(balloon_migration_failures_restore_everything),
	KTEST_CASE(balloon_release_while_isolated),
	KTEST_CASE(balloon_deflate_between_claim_and_isolate),
	KTEST_CASE(balloon_oom_deflate_pins_target),
	KTEST_CASE(balloon_aware_policy_keeps_free_blocks),
	KTEST_CASE(balloon_naive_deflate_is_lifo),
	KTEST_CASE(balloon_aware_deflate_ranks_stale_blocks_again),
	KTEST_CASE(balloon_free_page_reporting),
	KTEST_CASE(balloon_poisoning_guest),
	KTEST_END,
};
KTEST_SUITE(balloon, balloon_cases);
