/*
 * The race workload (see race_workload.h). State is per CPU: each worker
 * touches only its own stack, handles and region (the owners' locks and
 * the core's claim order what they share with migration on other CPUs);
 * CPU 0 sets everything up before the workers start and checks after they
 * are gone. Contents are read and written only where nothing can move them
 * under the reader: a stack page under its slot's lock (migrate copies
 * under it), an mslab object while mapped (a mapped object pins its page),
 * a mapped page's data only once the workers are gone (host mappings are
 * simulated: the kernel's mapped_smp writer torture covers writes through
 * them). Lives with neither mm/ nor the tests of one platform: the kernel
 * and both host runners build tests/workload/.
 */
#include "drivers/virtio/balloon.h"
#include "drivers/virtio/balloon_sim.h"
#include "include/errno.h"
#include "lib/printf.h"
#include "lib/prng.h"
#include "lib/string.h"
#include "mm/compaction.h"
#include "mm/contig.h"
#include "mm/example_movable.h"
#include "mm/mapped.h"
#include "mm/mslab.h"
#include "mm/test_pattern.h"
#include "mm/testing.h"
#include "tests/workload/race_workload.h"

#define SPAN 4096          /* pages: 8 pageblocks */
#define STACK_PAGES 64     /* per CPU, kept about this full */
#define OBJECTS 96         /* mslab objects per CPU */
#define REGION_PAGES 48    /* mapped pages per CPU */
#define STORM_HELD 24      /* blocks a storm CPU holds at most */
#define STORM_MAX_ORDER 4
#define BALLOON_MAX 256    /* pages the simulated host asks for at most */

struct race_cpu {
	struct prng rng;
	struct example_stack stack;
	unsigned long next_tag;             /* stack tags: cpu << 32 | n */
	unsigned long handles[OBJECTS];     /* 0: none */
	unsigned long ids[OBJECTS];
	size_t sizes[OBJECTS];
	struct mapped_region region;
	bool region_ok;
	struct page *held[STORM_HELD];
	unsigned int held_order[STORM_HELD];
	unsigned long rounds, compactions, migrated, owner_frees, storm_allocs, contig_taken;
	unsigned long bad_content;
};

struct race {
	const struct race_config *cfg;
	struct mm_test_env env;
	struct mslab_pool pool;
	struct balloon_sim sim;         /* the last CPU is the balloon's owner */
	struct balloon balloon;
	bool balloon_ok;
	unsigned long node_pages;       /* the balloon's xarray nodes (its owner's) */
	u64 deadline;
	unsigned long released_before;
	struct race_cpu cpus[MM_MAX_CPUS];
};

static struct race shared_race; /* large: one run at a time */

static unsigned long object_id(unsigned int cpu, unsigned int i, unsigned long n)
{
	return ((unsigned long)cpu << 40) | ((unsigned long)i << 24) | n;
}

static void *node_alloc(size_t size, void *priv)
{
	struct race *race = priv;

	return mm_test_node_alloc(&race->env.mm, size, GFP_NOWARN, &race->node_pages);
}

static void node_free(void *p, size_t size, void *priv)
{
	struct race *race = priv;

	mm_test_node_free(&race->env.mm, p, &race->node_pages);
}

static const struct xa_alloc_ops node_ops = { .alloc = node_alloc, .free = node_free,
					       .priv = &shared_race };

static void set_config_pending(void *arg) { ((struct balloon *)arg)->config_pending = true; }

/* ---- the owners' operations, each on this CPU's own state ---- */

/* The host asks for @num_pages: inflate or deflate until there (or stuck). */
static bool balloon_settle(struct race *race, u32 num_pages)
{
	unsigned int round;

	race->sim.num_pages = num_pages;
	race->balloon.config_pending = true;
	for (round = 0; round < 200 && !race->balloon.info.broken; round++) {
		if (race->balloon.config_pending)
			balloon_read_target(&race->balloon);
		if (balloon_adjust(&race->balloon) && !race->balloon.config_pending)
			return true;
	}
	return false;
}

static int balloon_setup(struct race *race)
{
	struct balloon_config cfg = { .mm = &race->env.mm, .vdev = &race->sim.vdev,
				      .xa_ops = &node_ops, .batch = 32, .keep_pages = 16,
				      .timeout_us = 2000000, .wait = balloon_sim_wait,
				      .priv = &race->sim };
	int err = balloon_sim_init(&race->sim, &race->env.mm);

	if (err)
		return err;
	race->sim.config_changed = set_config_pending;
	race->sim.arg = &race->balloon;
	if ((err = balloon_start(&race->balloon, &cfg)))
		return err;
	race->balloon_ok = true;
	return balloon_settle(race, BALLOON_MAX / 2) ? 0 : -EIO;
}


/* Push a stack page and write its pattern under its slot's lock (a
 * migration copies under that lock, so it copies all or nothing of it). */
static void stack_push(struct race *race, struct race_cpu *rc, unsigned int cpu)
{
	struct example_slot *slot = example_stack_push(&rc->stack,
						       ((unsigned long)cpu << 32) | rc->next_tag++);
	unsigned long flags;

	if (!slot)
		return;
	flags = mm_lock_irqsave(&slot->lock);
	test_pattern_fill(mm_page_address(&race->env.mm, slot->page), PAGE_SIZE, slot->tag);
	mm_unlock_irqrestore(&slot->lock, flags);
}

/* Check the top page's pattern, then pop it (freed, or released to a
 * migration holding it). */
static void stack_pop(struct race *race, struct race_cpu *rc)
{
	struct example_slot *slot = &rc->stack.slots[rc->stack.count - 1];
	unsigned long flags = mm_lock_irqsave(&slot->lock);

	rc->bad_content += !test_pattern_ok(mm_page_address(&race->env.mm, slot->page), PAGE_SIZE,
					    slot->tag);
	mm_unlock_irqrestore(&slot->lock, flags);
	example_stack_pop(&rc->stack);
	rc->owner_frees++;
}

static void object_alloc(struct race *race, struct race_cpu *rc, unsigned int cpu, unsigned int i)
{
	size_t size = 16 + (size_t)prng_below(&rc->rng, 1000);
	unsigned long h = mslab_alloc(&race->pool, size, GFP_KERNEL);
	void *p;

	if (!h)
		return;
	rc->ids[i] = object_id(cpu, i, rc->rounds);
	rc->sizes[i] = size;
	p = mslab_map(&race->pool, h);
	test_pattern_fill(p, size, rc->ids[i]);
	mslab_unmap(&race->pool, h);
	rc->handles[i] = h;
}

/* Check an object while mapped (its page cannot move then). */
static bool object_ok(struct race *race, struct race_cpu *rc, unsigned int i)
{
	void *p = mslab_map(&race->pool, rc->handles[i]);
	bool ok = p && test_pattern_ok(p, rc->sizes[i], rc->ids[i]);

	if (p)
		mslab_unmap(&race->pool, rc->handles[i]);
	return ok;
}

static void object_free(struct race *race, struct race_cpu *rc, unsigned int i)
{
	if (!rc->handles[i])
		return;
	rc->bad_content += !object_ok(race, rc, i);
	mslab_free(&race->pool, rc->handles[i]);
	rc->handles[i] = 0;
	rc->owner_frees++;
}

static void region_free_random(struct race_cpu *rc)
{
	unsigned long index = prng_below(&rc->rng, REGION_PAGES);

	if (rc->region_ok && mapped_backed(&rc->region, index)) {
		mapped_region_free_page(&rc->region, index);
		rc->owner_frees++;
	}
}

/* One compaction of a random kind. */
static void compact_random(struct race *race, struct race_cpu *rc)
{
	static const unsigned int orders[] = { COMPACT_ALL, PAGEBLOCK_ORDER, 3, MAX_ORDER };
	struct compact_result res;
	unsigned int order = orders[prng_below(&rc->rng, ARRAY_SIZE(orders))];

	compact_zone(&race->env.mm, order, prng_chance(&rc->rng, 1, 2) ? MIGRATE_SYNC : MIGRATE_ASYNC,
		     prng_chance(&rc->rng, 1, 2), &res);
	rc->compactions++;
	rc->migrated += res.migrated;
}

/* ---- the two runs' workers ---- */

static void compaction_round(struct race *race, struct race_cpu *rc, unsigned int cpu)
{
	unsigned int i;

	switch (prng_below(&rc->rng, 8)) {
	case 0: case 1: case 2: case 3:
		compact_random(race, rc);
		break;
	case 4: case 5:
		if (rc->stack.count > STACK_PAGES / 2)
			stack_pop(race, rc);
		if (rc->stack.count < STACK_PAGES)
			stack_push(race, rc, cpu);
		break;
	case 6:
		i = (unsigned int)prng_below(&rc->rng, OBJECTS);
		object_free(race, rc, i);
		object_alloc(race, rc, cpu, i);
		break;
	default:
		if (race->balloon_ok && cpu == race->cfg->nr_cpus - 1 && prng_chance(&rc->rng, 1, 2))
			balloon_settle(race, (u32)prng_below(&rc->rng, BALLOON_MAX + 1));
		else
			region_free_random(rc);
	}
}

static void storm_free(struct race *race, struct race_cpu *rc, unsigned int k)
{
	mm_free_pages(&race->env.mm, rc->held[k], rc->held_order[k]);
	rc->held[k] = NULL;
}

static void storm_round(struct race *race, struct race_cpu *rc, unsigned int cpu)
{
	unsigned int k = (unsigned int)prng_below(&rc->rng, STORM_HELD);
	unsigned int order = (unsigned int)prng_below(&rc->rng, STORM_MAX_ORDER + 1);

	if (prng_chance(&rc->rng, 1, 4)) { /* movable pages for the compactor */
		if (rc->stack.count > STACK_PAGES / 2 && prng_chance(&rc->rng, 1, 2))
			stack_pop(race, rc);
		else if (rc->stack.count < STACK_PAGES)
			stack_push(race, rc, cpu);
		return;
	}
	if (rc->held[k]) {
		storm_free(race, rc, k);
		return;
	}
	rc->held[k] = mm_alloc_pages(&race->env.mm, order,
				     (prng_chance(&rc->rng, 1, 2) ? GFP_MOVABLE : 0) | GFP_NOWARN);
	rc->held_order[k] = order;
	rc->storm_allocs += rc->held[k] != NULL;
}

/* CPU 0 of the storm: compaction and contiguous ranges, given back at once. */
static void storm_compactor_round(struct race *race, struct race_cpu *rc)
{
	unsigned long pfn;

	if (prng_chance(&rc->rng, 1, 2)) {
		compact_random(race, rc);
		return;
	}
	if (!alloc_contig_pages(&race->env.mm, PAGEBLOCK_PAGES, &pfn)) {
		free_contig_range(&race->env.mm, pfn, PAGEBLOCK_PAGES);
		rc->contig_taken++;
	}
}

static void worker(void *arg, unsigned int cpu)
{
	struct race *race = arg;
	struct race_cpu *rc = &race->cpus[cpu];

	do {
		if (race->cfg->kind == RACE_COMPACTION)
			compaction_round(race, rc, cpu);
		else if (cpu == 0)
			storm_compactor_round(race, rc);
		else
			storm_round(race, rc, cpu);
		rc->rounds++;
	} while (mm_time_ns() < race->deadline);
}

/* ---- set up, check, tear down (CPU 0, no worker running) ---- */

static int owners_setup(struct race *race)
{
	struct mm *mm = &race->env.mm;
	unsigned int cpu, i;
	int err = mslab_pool_create(&race->pool, mm, "race");

	if (err || (err = mapped_init(mm)))
		return err;
	if (race->cfg->kind == RACE_COMPACTION && (err = balloon_setup(race)))
		return err;
	for (cpu = 0; cpu < race->cfg->nr_cpus; cpu++) {
		struct race_cpu *rc = &race->cpus[cpu];

		prng_seed(&rc->rng, race->cfg->seed * 131 + cpu);
		if ((err = example_stack_init(&rc->stack, mm)))
			return err;
		for (i = 0; i < STACK_PAGES; i++)
			stack_push(race, rc, cpu);
		for (i = 0; i < OBJECTS && race->cfg->kind == RACE_COMPACTION; i++)
			object_alloc(race, rc, cpu, i);
		if (race->cfg->kind == RACE_COMPACTION &&
		    !mapped_region_create(&rc->region, mm, REGION_PAGES, 0)) {
			rc->region_ok = true;
			mm_test_region_fill(&rc->region);
		}
	}
	return 0;
}

/* Stack invariants (mm/example_movable.h) and contents, with nothing moving. */
static void check_stack(struct race *race, struct race_cpu *rc, struct race_figures *fig)
{
	unsigned int i;

	for (i = 0; i < rc->stack.count; i++) {
		struct example_slot *slot = &rc->stack.slots[i];
		struct page *page = slot->page;

		fig->bad_owner += !page_is_head(page) || page_type(page) != MEMDESC_EXAMPLE ||
				  !page_is_movable(page) || page_memdesc(page) != slot ||
				  page_is_isolated(page) || slot->isolated;
		fig->bad_content += !test_pattern_ok(mm_page_address(&race->env.mm, page), PAGE_SIZE,
						     slot->tag);
	}
}

static unsigned long check_owners(struct race *race, struct race_figures *fig,
				  unsigned long *mapped_pages)
{
	unsigned long stack_pages = 0, index;
	unsigned int cpu, i;

	*mapped_pages = 0;
	for (cpu = 0; cpu < race->cfg->nr_cpus; cpu++) {
		struct race_cpu *rc = &race->cpus[cpu];

		check_stack(race, rc, fig);
		stack_pages += rc->stack.count;
		for (i = 0; i < OBJECTS; i++)
			fig->bad_content += rc->handles[i] && !object_ok(race, rc, i);
		for (index = 0; rc->region_ok && index < REGION_PAGES; index++) {
			if (!mapped_backed(&rc->region, index))
				continue;
			(*mapped_pages)++;
			fig->bad_content += !test_pattern_ok(mapped_access(&rc->region, index),
							     PAGE_SIZE, index);
		}
	}
	fig->bad_owner += mslab_check(&race->pool);
	return stack_pages;
}

/* Walk the mem_map: pages by owner type, heads left isolated or released;
 * free + allocated + reserved must be the span. */
static void check_pages(struct race *race, struct race_figures *fig, unsigned long *by_type)
{
	struct mm *mm = &race->env.mm;
	unsigned long pfn = mm->base_pfn, allocated = 0, reserved = 0;

	while (pfn < mm->end_pfn) {
		struct page *page = mm_pfn_to_page(mm, pfn);
		unsigned long n = 1;

		if (page_is_reserved(page)) {
			reserved++;
		} else if (page_is_head(page)) {
			n = 1UL << page_order(page);
			fig->isolated_left += (page_flags(page) & (PG_isolated | PG_released)) != 0;
			by_type[page_type(page)] += n;
			allocated += n;
		} else if (page_is_buddy(page)) {
			n = 1UL << page_order(page);
		}
		pfn += n;
	}
	fig->count_mismatch += mm_nr_free_pages(mm) + allocated + reserved != mm->end_pfn - mm->base_pfn;
}

static void check_run(struct race *race, struct race_figures *fig)
{
	unsigned long by_type[MEMDESC_TYPES] = { 0 }, mapped_pages, stack_pages;
	struct mslab_pool_info info;

	mm_drain_pcp(&race->env.mm);
	stack_pages = check_owners(race, fig, &mapped_pages);
	check_pages(race, fig, by_type);
	mslab_pool_info(&race->pool, &info);
	fig->count_mismatch += by_type[MEMDESC_EXAMPLE] != stack_pages;
	fig->count_mismatch += by_type[MEMDESC_MSLAB] != info.pages;
	fig->count_mismatch += by_type[MEMDESC_MAPPED] != mapped_pages;
	fig->count_mismatch += by_type[MEMDESC_BALLOON] !=
			       (race->balloon_ok ? balloon_pages(&race->balloon) : 0);
	fig->check = mm_check(&race->env.mm);
}

static void owners_teardown(struct race *race)
{
	unsigned int cpu, i;

	for (cpu = 0; cpu < race->cfg->nr_cpus; cpu++) {
		struct race_cpu *rc = &race->cpus[cpu];

		while (rc->stack.count)
			example_stack_pop(&rc->stack);
		for (i = 0; i < OBJECTS; i++)
			if (rc->handles[i])
				mslab_free(&race->pool, rc->handles[i]);
		for (i = 0; i < STORM_HELD; i++)
			if (rc->held[i])
				storm_free(race, rc, i);
		if (rc->region_ok)
			mapped_region_destroy(&rc->region);
	}
	mslab_pool_destroy(&race->pool);
}

/* Deflate and stop the balloon: the host agrees, no node left. Return:
 * what is wrong (0 when nothing). */
static unsigned long balloon_teardown(struct race *race)
{
	unsigned long bad;

	if (!race->balloon_ok)
		return 0;
	bad = !balloon_settle(race, 0);
	bad += balloon_stop(&race->balloon) != 0;
	bad += race->sim.violations + race->sim.host_pages + race->node_pages;
	return bad;
}

static void sum_figures(struct race *race, struct race_figures *fig)
{
	unsigned int cpu;

	for (cpu = 0; cpu < race->cfg->nr_cpus; cpu++) {
		const struct race_cpu *rc = &race->cpus[cpu];

		fig->rounds += rc->rounds;
		fig->compactions += rc->compactions;
		fig->migrated += rc->migrated;
		fig->owner_frees += rc->owner_frees;
		fig->storm_allocs += rc->storm_allocs;
		fig->contig_taken += rc->contig_taken;
		fig->bad_content += rc->bad_content;
	}
	fig->released = race->env.mm.stats.migrate_released - race->released_before;
}

/* Every CPU must have made progress: one line of rounds per CPU. */
static void diag_rounds(struct ktest *test, const struct race *race)
{
	char line[16 * MM_MAX_CPUS];
	size_t len = 0;
	unsigned int cpu;

	line[0] = 0;
	for (cpu = 0; cpu < race->cfg->nr_cpus && len < sizeof(line); cpu++)
		len += (size_t)snprintf(line + len, sizeof(line) - len, " %lu", race->cpus[cpu].rounds);
	ktest_diag(test, "rounds per cpu:%s", line);
}

int race_workload_run(struct ktest *test, const struct race_config *cfg, struct race_figures *fig)
{
	struct race *race = &shared_race;
	unsigned long free_start;
	int err;

	memset(fig, 0, sizeof(*fig));
	if (cfg->nr_cpus < 2 || cfg->nr_cpus > mm_test_nr_cpus())
		return -EINVAL;
	memset(race, 0, sizeof(*race));
	race->cfg = cfg;
	if ((err = mm_test_env_simple(&race->env, SPAN)))
		return err;
	free_start = mm_nr_free_pages(&race->env.mm);
	mm_test_take_bugs(); /* from here on */
	err = owners_setup(race);
	if (!err) {
		race->released_before = race->env.mm.stats.migrate_released;
		race->deadline = mm_time_ns() + cfg->budget_ns;
		err = mm_test_run_on_cpus(cfg->nr_cpus, worker, race);
		BUG_ON(err); /* workers still running on our state */
		sum_figures(race, fig);
		check_run(race, fig);
	}
	owners_teardown(race);
	fig->bad_owner += balloon_teardown(race);
	fig->bugs = mm_test_take_bugs() + race->env.mm.stats.bugs;
	ktest_diag(test, "%u cpus: %lu rounds, %lu compactions moved %lu pages, %lu owner frees "
		   "(%lu released mid-move), %lu storm blocks, %lu contig ranges", cfg->nr_cpus,
		   fig->rounds, fig->compactions, fig->migrated, fig->owner_frees, fig->released,
		   fig->storm_allocs, fig->contig_taken);
	diag_rounds(test, race);
	if (race->balloon_ok)
		ktest_diag(test, "balloon on cpu %u: %lu pages inflated, %lu migrated, %lu released "
			   "mid-move", cfg->nr_cpus - 1, race->balloon.info.pages_inflated,
			   race->balloon.info.migrated, race->balloon.info.released_isolated);
	mm_test_env_finish(test, &race->env, free_start);
	return err;
}

void race_workload_expect_clean(struct ktest *test, const struct race_figures *fig)
{
	KTEST_EXPECT_EQ(test, fig->bad_content, 0);
	KTEST_EXPECT_EQ(test, fig->bad_owner, 0);
	KTEST_EXPECT_EQ(test, fig->isolated_left, 0);
	KTEST_EXPECT_EQ(test, fig->count_mismatch, 0);
	KTEST_EXPECT_EQ(test, fig->bugs, 0);
	KTEST_EXPECT_EQ(test, fig->check, 0);
	KTEST_EXPECT_GT(test, fig->compactions, 0);
	KTEST_EXPECT_GT(test, fig->rounds, fig->compactions);
}
