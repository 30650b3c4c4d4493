/*
 * Tests of the balloon core against the simulated device (balloon_sim.h),
 * on a private mm, hosted and in the kernel: inflate/deflate restore every
 * page, targets beyond RAM are clamped, flipping targets, an asynchronous
 * device, stats, xarray -ENOMEM, refused negotiation, and hostile used
 * rings. The accounting identity checked throughout:
 *
 *   free pages + ballooned pages + xarray node pages == free after start
 *
 * and the host's bitmap always equals the driver's xarray (while the device
 * works); the simulated host reports no driver violation.
 */
#include "drivers/virtio/balloon.h"
#include "drivers/virtio/balloon_sim.h"
#include "include/errno.h"
#include "lib/ktest.h"
#include "lib/string.h"
#include "mm/page.h"
#include "mm/testing.h"

#define SPAN 1024
#define KEEP 64

struct fixture {
	struct mm_test_env env;
	struct balloon_sim sim;
	struct balloon b;
	struct balloon_config cfg;
	unsigned long node_pages;   /* xarray nodes, one page each */
	unsigned long fail_node_at; /* fail the Nth node allocation (1-based); 0 never */
	unsigned long node_allocs;
	unsigned long free_before;  /* before balloon_start */
	unsigned long free_started; /* right after it */
};

static struct fixture fx;

static void *node_alloc(size_t size, void *priv)
{
	struct fixture *f = priv;
	struct page *page;

	if (size > PAGE_SIZE || ++f->node_allocs == f->fail_node_at)
		return NULL;
	page = mm_alloc_pages(&f->env.mm, 0, GFP_NOWARN);
	if (!page)
		return NULL;
	f->node_pages++;
	return mm_page_address(&f->env.mm, page);
}

static void node_free(void *p, size_t size, void *priv)
{
	struct fixture *f = priv;

	(void)size;
	f->node_pages--;
	mm_free_pages(&f->env.mm, mm_pfn_to_page(&f->env.mm, mm_virt_to_pfn(p)), 0);
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
	fx.sim.arg = &fx.b;
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
	err = balloon_start(&fx.b, &fx.cfg);
	fx.free_started = mm_nr_free_pages(&fx.env.mm);
	return err;
}

/* Nothing lost: every page free, ballooned or holding an xarray node. */
static bool accounted(void)
{
	return mm_nr_free_pages(&fx.env.mm) + balloon_pages(&fx.b) + fx.node_pages ==
	       fx.free_started;
}

/* The host holds exactly the PFNs of the xarray, all of type BALLOON. */
static bool host_agrees(void)
{
	unsigned long index, n = 0;
	void *entry;

	xa_for_each(&fx.b.pfns, index, entry) {
		if (!balloon_sim_holds(&fx.sim, index) ||
		    page_type(mm_pfn_to_page(&fx.env.mm, index)) != MEMDESC_BALLOON)
			return false;
		n++;
	}
	return n == fx.sim.host_pages && n == fx.b.info.actual && fx.sim.actual == n;
}

/* Set the host's target and let the driver settle (bounded rounds). */
static bool settle(u32 num_pages)
{
	unsigned int round;

	fx.sim.num_pages = num_pages;
	fx.b.config_pending = true;
	for (round = 0; round < 1000; round++) {
		bool done;

		if (fx.b.config_pending)
			balloon_read_target(&fx.b);
		done = balloon_adjust(&fx.b);
		if (done && !fx.b.config_pending)
			return true;
		if (fx.b.info.broken)
			return false;
	}
	return false;
}

static void fixture_end(struct ktest *t)
{
	KTEST_EXPECT_EQ(t, balloon_stop(&fx.b), 0);
	KTEST_EXPECT_EQ(t, mm_nr_free_pages(&fx.env.mm), fx.free_before);
	KTEST_EXPECT_EQ(t, fx.sim.violations, 0);
	KTEST_EXPECT_EQ(t, mm_check(&fx.env.mm), 0);
	mm_test_env_destroy(&fx.env);
}

/* Inflate to 600 pages and back: the host holds exactly the xarray's PFNs,
 * actual follows, and every page returns to the buddy. */
static void balloon_inflate_deflate_restores_every_page(struct ktest *t)
{
	KTEST_ASSERT_EQ(t, fixture_init(), 0);
	KTEST_ASSERT_EQ(t, fixture_start(), 0);
	KTEST_EXPECT_TRUE(t, settle(600));
	KTEST_EXPECT_EQ(t, fx.b.info.actual, 600);
	KTEST_EXPECT_TRUE(t, host_agrees());
	KTEST_EXPECT_TRUE(t, accounted());
	KTEST_EXPECT_EQ(t, fx.b.info.inflate_batches, DIV_ROUND_UP(600, 32));
	KTEST_EXPECT_TRUE(t, settle(100));
	KTEST_EXPECT_TRUE(t, host_agrees());
	KTEST_EXPECT_TRUE(t, settle(0));
	KTEST_EXPECT_EQ(t, fx.sim.host_pages, 0);
	KTEST_EXPECT_EQ(t, fx.node_pages, 0);
	KTEST_EXPECT_EQ(t, mm_nr_free_pages(&fx.env.mm), fx.free_started);
	KTEST_EXPECT_EQ(t, fx.b.info.pages_inflated, 600);
	KTEST_EXPECT_EQ(t, fx.b.info.pages_deflated, 600);
	fixture_end(t);
}

/* num_pages far beyond RAM is clamped (once logged) and the guest keeps its
 * floor; the driver then deflates fully. */
static void balloon_target_beyond_ram_is_clamped(struct ktest *t)
{
	unsigned long managed;

	KTEST_ASSERT_EQ(t, fixture_init(), 0);
	KTEST_ASSERT_EQ(t, fixture_start(), 0);
	managed = fx.env.mm.nr_managed;
	KTEST_EXPECT_TRUE(t, settle(0xffffffffu));
	KTEST_EXPECT_EQ(t, fx.b.info.num_pages, 0xffffffffu);
	KTEST_EXPECT_LE(t, fx.b.info.actual, managed - KEEP);
	KTEST_EXPECT_GE(t, mm_nr_free_pages(&fx.env.mm), KEEP);
	KTEST_EXPECT_GE(t, fx.b.info.clamps, 1);
	KTEST_EXPECT_TRUE(t, host_agrees());
	KTEST_EXPECT_TRUE(t, accounted());
	KTEST_EXPECT_TRUE(t, settle(0));
	KTEST_EXPECT_EQ(t, fx.sim.host_pages, 0);
	fixture_end(t);
}

/* The host flips num_pages every third buffer (with a config interrupt):
 * the driver follows, never loses a page, and settles once it stops. */
static void balloon_flipping_targets(struct ktest *t)
{
	unsigned int round;

	KTEST_ASSERT_EQ(t, fixture_init(), 0);
	KTEST_ASSERT_EQ(t, fixture_start(), 0);
	fx.sim.flip_every = 3;
	fx.sim.flip_to[0] = 500;
	fx.sim.flip_to[1] = 40;
	fx.sim.num_pages = 500;
	fx.b.config_pending = true;
	for (round = 0; round < 60; round++) {
		if (fx.b.config_pending)
			balloon_read_target(&fx.b);
		balloon_adjust(&fx.b);
		KTEST_ASSERT_TRUE(t, host_agrees());
		KTEST_ASSERT_TRUE(t, accounted());
	}
	KTEST_EXPECT_GT(t, fx.b.info.pages_deflated, 0);
	fx.sim.flip_every = 0;
	KTEST_EXPECT_TRUE(t, settle(0));
	KTEST_EXPECT_FALSE(t, fx.b.info.broken);
	fixture_end(t);
}

/* A device that completes buffers only later (from the wait hook). */
static void balloon_async_device(struct ktest *t)
{
	KTEST_ASSERT_EQ(t, fixture_init(), 0);
	fx.sim.async = true;
	KTEST_ASSERT_EQ(t, fixture_start(), 0);
	KTEST_EXPECT_TRUE(t, settle(300));
	KTEST_EXPECT_TRUE(t, host_agrees());
	KTEST_EXPECT_TRUE(t, settle(0));
	KTEST_EXPECT_GT(t, fx.b.info.inflate_wait_ns, 0);
	fixture_end(t);
}

/* The stats buffer waits with the host; a poll returns it and the driver
 * answers with the figures of that moment. */
static void balloon_stats_answer_polls(struct ktest *t)
{
	KTEST_ASSERT_EQ(t, fixture_init(), 0);
	KTEST_EXPECT_FALSE(t, balloon_sim_request_stats(&fx.sim));
	KTEST_ASSERT_EQ(t, fixture_start(), 0);
	KTEST_EXPECT_EQ(t, fx.sim.stats_reads, 1);
	KTEST_EXPECT_TRUE(t, settle(200));
	KTEST_ASSERT_TRUE(t, balloon_sim_request_stats(&fx.sim));
	fx.b.stats_pending = true;
	balloon_stats_service(&fx.b);
	KTEST_EXPECT_EQ(t, fx.b.info.stats_requests, 1);
	KTEST_EXPECT_EQ(t, fx.sim.stats_reads, 2);
	KTEST_EXPECT_EQ(t, fx.sim.stats[BALLOON_S_MEMFREE].tag, BALLOON_S_MEMFREE);
	KTEST_EXPECT_EQ(t, fx.sim.stats[BALLOON_S_MEMFREE].val,
			(u64)mm_nr_free_pages(&fx.env.mm) * PAGE_SIZE);
	KTEST_EXPECT_EQ(t, fx.sim.stats[BALLOON_S_MEMTOT].val,
			(u64)fx.env.mm.nr_managed * PAGE_SIZE);
	KTEST_EXPECT_EQ(t, fx.sim.stats[BALLOON_S_SWAP_IN].val, 0);
	KTEST_EXPECT_TRUE(t, settle(0));
	fixture_end(t);
}

/* An xarray node that cannot be allocated: the page goes back to the buddy,
 * the batch is cut short, a later attempt finishes the job. */
static void balloon_xarray_enomem_gives_page_back(struct ktest *t)
{
	KTEST_ASSERT_EQ(t, fixture_init(), 0);
	KTEST_ASSERT_EQ(t, fixture_start(), 0);
	fx.fail_node_at = fx.node_allocs + 1;
	fx.sim.num_pages = 100;
	balloon_read_target(&fx.b);
	KTEST_EXPECT_FALSE(t, balloon_adjust(&fx.b));
	KTEST_EXPECT_EQ(t, fx.b.info.xa_enomem, 1);
	KTEST_EXPECT_EQ(t, fx.b.info.actual, 0);
	KTEST_EXPECT_TRUE(t, accounted());
	KTEST_EXPECT_TRUE(t, settle(100));
	KTEST_EXPECT_TRUE(t, host_agrees());
	KTEST_EXPECT_TRUE(t, settle(0));
	fixture_end(t);
}

/* Refused FEATURES_OK, no VERSION_1, a missing queue, refused DRIVER_OK:
 * start fails with FAILED set and nothing allocated. */
static void balloon_refused_negotiation_leaks_nothing(struct ktest *t)
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
		KTEST_ASSERT_EQ(t, fixture_init(), 0);
		fx.sim.refuse_features_ok = cases[i].refuse_features;
		if (cases[i].no_v1)
			fx.sim.offered &= ~VIRTIO_F_VERSION_1;
		fx.sim.refuse_driver_ok = cases[i].refuse_driver_ok;
		fx.sim.nr_queues = cases[i].queues;
		KTEST_EXPECT_EQ(t, fixture_start(), cases[i].err);
		KTEST_EXPECT_GE(t, fx.sim.failed, 1);
		KTEST_EXPECT_FALSE(t, fx.sim.q[0].live);
		KTEST_EXPECT_FALSE(t, fx.b.info.active);
		KTEST_EXPECT_EQ(t, mm_nr_free_pages(&fx.env.mm), fx.free_before);
		KTEST_EXPECT_EQ(t, mm_check(&fx.env.mm), 0);
		mm_test_env_destroy(&fx.env);
	}
}

/* Hostile used rings from the third buffer on: the driver stops (or, for
 * duplicated ids that look valid, carries on), never loses a page, never
 * frees one the host may hold, and stop() keeps them when it cannot tell. */
static void balloon_hostile_device_loses_nothing(struct ktest *t)
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

		KTEST_ASSERT_EQ(t, fixture_init(), 0);
		fx.sim.fault = faults[i];
		fx.sim.fault_after = 2;
		KTEST_ASSERT_EQ(t, fixture_start(), 0);
		settle(400);
		settle(0);
		broken = fx.b.info.broken;
		KTEST_EXPECT_TRUE(t, broken || faults[i] == SIM_FAULT_ID_DUP);
		KTEST_EXPECT_TRUE(t, accounted());
		KTEST_EXPECT_EQ(t, fx.sim.violations, 0);
		/* Every page the host holds is still ballooned in the guest. */
		for (index = fx.env.mm.base_pfn; index < fx.env.mm.end_pfn; index++)
			if (balloon_sim_holds(&fx.sim, index))
				KTEST_EXPECT_NOT_NULL(t, xa_load(&fx.b.pfns, index));
		xa_for_each(&fx.b.pfns, index, entry)
			KTEST_EXPECT_EQ(t, page_type(mm_pfn_to_page(&fx.env.mm, index)),
					MEMDESC_BALLOON);
		if (broken) {
			KTEST_EXPECT_EQ(t, fx.sim.failed, 1);
			KTEST_EXPECT_EQ(t, balloon_stop(&fx.b), -EIO);
			KTEST_EXPECT_EQ(t, mm_check(&fx.env.mm), 0);
			mm_test_env_destroy(&fx.env); /* the pages go with the mm */
		} else {
			fixture_end(t);
		}
	}
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
	KTEST_END,
};
KTEST_SUITE(balloon, balloon_cases);
