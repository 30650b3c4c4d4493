/*
 * Compaction (see compaction.h). Why: movable pages scattered over every
 * pageblock leave no free 2 MiB block even when most memory is free; moving
 * them out of blocks that can be emptied recovers the blocks. It relies on
 * the migration engine (migrate_block) and on the owners' movable ops.
 *
 * Basic algorithm:
 *
 *   pack: the mslab pools move objects into their fullest pages (frees
 *     whole pages cheaply), and the per-cpu caches are drained (pages
 *     there are invisible to both scanners)
 *   classify every pageblock: evacuable (no unmovable, reserved or isolated
 *     page) or not; the skip bit marks the ones that are not
 *   migrate scanner: pageblocks upward from the bottom (or the cached
 *     position); for an evacuable block with used pages, build its 512-bit
 *     bitmap of movable pages and migrate_block() them, ≤32 at a time
 *   targets come lazily from the free scanner, which takes free pages
 *     first from blocks that can never be emptied (skip bit set: their free
 *     pages are otherwise wasted), then downward from the top, passing over
 *     blocks that are entirely free already
 *   stop when a free block of the order exists, or when the migrate scanner
 *     reaches the free scanner
 *
 * Direct compaction skips the classification pass (its cost would grow
 * with memory on every high-order allocation): its migrate scanner sets
 * and clears skip bits as it goes, and a completed pass clears them all.
 *
 * A direct compaction that fails defers the next 2^defer_shift attempts at
 * that order or above (defer_shift grows to COMPACT_MAX_DEFER_SHIFT); a
 * success resets it. The migrate scanner's position is cached for direct
 * compaction and reset when the scanners meet.
 *
 * Locking: thread context, on any number of CPUs at once over one mm; the
 * zone lock is taken for each free-scanner step, for the deferral state
 * and by the allocator; the migrate scanner reads pages unlocked (flags
 * only: page_looks_movable) and sets skip bits atomically; migration runs
 * unlocked, each page under the core's claim. The cached position and the
 * counters are relaxed atomics.
 */
#include "include/errno.h"
#include "lib/bitmap.h"
#include "lib/string.h"
#include "mm/compaction.h"
#include "mm/internal.h"
#include "mm/movable.h"
#include "mm/trace.h"

#define COMPACT_TARGETS 1024
#define COMPACT_CLUSTER 32 /* targets taken when the list runs dry mid-block */
#define COMPACT_MAX_DEFER_SHIFT 6

struct compact_control {
	struct mm *mm;
	unsigned int order;
	enum migrate_mode mode;
	unsigned long first_block;   /* first pageblock PFN of the zone (aligned) */
	unsigned long migrate_block; /* block the migrate scanner works on */
	unsigned long free_block;    /* phase 2 free scanner: next block, downward */
	bool free_touched;           /* phase 2 took pages from free_block */
	unsigned long stuck_block;   /* phase 1 free scanner: next skip block, downward */
	bool stuck_done;             /* phase 1 exhausted */
	unsigned long targets[COMPACT_TARGETS]; /* isolated free order-0 pages (PFNs) */
	unsigned int nr_targets;
	struct compact_result *res;
};

bool compact_order_free(struct mm *mm, unsigned int order)
{
	unsigned long flags = mm_lock_irqsave(&mm->lock);
	unsigned int o;
	bool found = false;

	for (o = order; o < NR_ORDERS && !found; o++)
		found = mm->free_area[o].nr[MIGRATE_MOVABLE] || mm->free_area[o].nr[MIGRATE_UNMOVABLE];
	mm_unlock_irqrestore(&mm->lock, flags);
	return found;
}

/*
 * Look at the pages of @block: can it be emptied, and which of its pages
 * are movable heads (set in @bitmap when non-NULL)? Return: the number of
 * used (allocated) pages, or -1 when the block holds a page that cannot
 * move. Zone lock held or not: the answer is advisory either way.
 */
static long scan_block(struct mm *mm, unsigned long block, unsigned long *bitmap,
		       unsigned long *scanned)
{
	unsigned long pfn, end;
	long used = 0;

	if (pageblock_mt(mm, block) == MIGRATE_ISOLATE)
		return -1;
	pageblock_span(mm, block, &pfn, &end);
	while (pfn < end) {
		unsigned long head_pfn;
		struct page *page = buddy_block_head(mm, pfn, &head_pfn);
		unsigned long size;

		(*scanned)++;
		if (!page)
			return -1; /* reserved */
		size = (1UL << page_order(page)) - (pfn - head_pfn);
		if (page_is_head(page)) {
			if (!page_looks_movable(page))
				return -1;
			if (bitmap && head_pfn >= block)
				bitmap_set_bit(bitmap, head_pfn - block);
			used += (long)MIN(size, end - pfn);
		}
		pfn += size;
	}
	return used;
}

/* Mark every block that cannot be emptied with the skip bit. */
static void classify_blocks(struct compact_control *cc)
{
	struct mm *mm = cc->mm;
	unsigned long block, scanned = 0;

	for (block = cc->first_block; block < mm->end_pfn; block += PAGEBLOCK_PAGES)
		pageblock_set_skip(mm, block, scan_block(mm, block, NULL, &scanned) < 0);
	cc->res->migrate_scanned += scanned;
}

/* Take free pages of @block as order-0 targets until there are @want; a
 * free block larger than what is missing is split, its upper halves left
 * free. Return: true when the block has no free page left. Zone lock held. */
static bool isolate_block_free(struct compact_control *cc, unsigned long block,
			       unsigned int want)
{
	struct mm *mm = cc->mm;
	unsigned long pfn, end, from;
	struct page *page;

	pageblock_span(mm, block, &pfn, &end);
	for (;;) {
		unsigned int order, keep;
		enum migratetype mt;
		unsigned long i, n;

		if (cc->nr_targets >= want)
			return false;
		from = pfn;
		page = pageblock_next_free(mm, &pfn, end);
		cc->res->free_scanned += pfn - from + !!page;
		if (!page)
			return true;
		mt = page_list_mt(page);
		order = keep = page_order(page);
		while (keep && (1U << (keep - 1)) >= want - cc->nr_targets)
			keep--;
		n = 1UL << keep;
		if (cc->nr_targets + n > COMPACT_TARGETS)
			return false;
		buddy_take_block_locked(mm, page);
		buddy_split_locked(mm, page, order, keep, mt);
		mm_nr_free_add_locked(mm, (long)((1UL << order) - n));
		for (i = 0; i < n; i++) {
			buddy_prep_allocated(mm, page + i, 0);
			cc->targets[cc->nr_targets++] = pfn + i;
		}
		cc->res->isolated += n;
		pfn += n;
	}
}

/* Is the whole block one free block already (nothing to gain from it as
 * targets: taking its pages would destroy a 2 MiB block)? */
static bool block_is_free(struct mm *mm, unsigned long block)
{
	unsigned long head;
	struct page *page = block >= mm->base_pfn ? buddy_block_head(mm, block, &head) : NULL;

	return page && page_is_buddy(page) && page_order(page) >= PAGEBLOCK_ORDER;
}

/* Refill the target list to @want (<= COMPACT_TARGETS / 2; a free block
 * is taken whole, so a little more): phase 1 takes free pages from blocks
 * that can never be emptied (anywhere), phase 2 from the top down to just
 * above the migrate scanner. Taking only what the block in hand needs
 * keeps the rest free: targets left over go back one by one.
 * Return: how many targets were added. */
static unsigned int isolate_free_pages(struct compact_control *cc, unsigned int want)
{
	struct mm *mm = cc->mm;
	unsigned long flags = mm_lock_irqsave(&mm->lock);
	unsigned int before = cc->nr_targets;

	while (!cc->stuck_done && cc->nr_targets < want) {
		if (!pageblock_skip(mm, cc->stuck_block) || isolate_block_free(cc, cc->stuck_block, want)) {
			if (cc->stuck_block == cc->first_block)
				cc->stuck_done = true;
			else
				cc->stuck_block -= PAGEBLOCK_PAGES;
		} else {
			break; /* no room for its next free block */
		}
	}
	while (cc->nr_targets < want && cc->free_block > cc->migrate_block) {
		if (pageblock_skip(mm, cc->free_block) || block_is_free(mm, cc->free_block)) {
			cc->free_block -= PAGEBLOCK_PAGES;
			continue;
		}
		cc->free_touched = true;
		if (!isolate_block_free(cc, cc->free_block, want))
			break;
		cc->free_block -= PAGEBLOCK_PAGES;
		cc->free_touched = false;
	}
	mm_unlock_irqrestore(&mm->lock, flags);
	return cc->nr_targets - before;
}

static struct page *compaction_alloc(struct mm *mm, struct page *src, void *priv)
{
	struct compact_control *cc = priv;

	if (page_order(src) != 0)
		return NULL; /* targets are order-0 pages */
	if (!cc->nr_targets && !isolate_free_pages(cc, COMPACT_CLUSTER))
		return NULL;
	return mm_pfn_to_page(mm, cc->targets[--cc->nr_targets]);
}

static void compaction_free(struct mm *mm, struct page *dst, void *priv)
{
	struct compact_control *cc = priv;

	if (cc->nr_targets < COMPACT_TARGETS) {
		buddy_prep_allocated(mm, dst, 0);
		cc->targets[cc->nr_targets++] = mm_page_to_pfn(mm, dst);
	} else {
		mm_free_pages(mm, dst, 0);
	}
}

static void release_targets(struct compact_control *cc)
{
	while (cc->nr_targets)
		mm_free_pages(cc->mm, mm_pfn_to_page(cc->mm, cc->targets[--cc->nr_targets]), 0);
	mm_drain_pcp(cc->mm);
}

/* Evacuate one block. Return: false when free targets ran out (stop). */
static bool compact_block(struct compact_control *cc, unsigned long block)
{
	unsigned long bitmap[BITS_TO_LONGS(PAGEBLOCK_PAGES)] = { 0 };
	struct migrate_result result;
	long used = scan_block(cc->mm, block, bitmap, &cc->res->migrate_scanned);
	unsigned int t;

	pageblock_set_skip(cc->mm, block, used < 0); /* direct runs classify lazily */
	if (used <= 0)
		return true;
	/* Only start on a block that can be emptied completely: moving part
	 * of one is wasted work. */
	while (cc->nr_targets < (unsigned long)used)
		if (!isolate_free_pages(cc, (unsigned int)used))
			return false;
	migrate_block(cc->mm, block, bitmap, compaction_alloc, compaction_free, cc, cc->mode, &result);
	cc->res->migrated += result.succeeded;
	for (t = 0; t < MEMDESC_TYPES; t++)
		cc->res->migrated_by_type[t] += result.by_type[t];
	cc->res->failed += result.failed;
	if (!result.failed)
		cc->res->blocks_evacuated++;
	mm_drain_pcp(cc->mm); /* freed sources merge only in the buddy */
	return result.no_target == 0;
}

void compact_pack(struct mm *mm, struct pack_result *acc)
{
	movable_pack(mm, acc);
	mm_drain_pcp(mm);
}

/* Deferral applies to orders at or above the lowest that failed. The
 * deferral state is shared by every CPU's direct compaction: zone lock. */
static bool deferred_locked(struct mm *mm, unsigned int order)
{
	struct mm_compact *compact = &mm->compact;

	mm_assert_held(&mm->lock);
	if (!compact->defer_shift || order < compact->defer_order)
		return false;
	if (++compact->considered >= (1U << compact->defer_shift)) {
		compact->considered = 0;
		return false;
	}
	return true;
}

static bool deferred(struct mm *mm, unsigned int order)
{
	unsigned long flags = mm_lock_irqsave(&mm->lock);
	bool defer = deferred_locked(mm, order);

	mm_unlock_irqrestore(&mm->lock, flags);
	return defer;
}

static void record_outcome_locked(struct mm *mm, unsigned int order, bool success)
{
	struct mm_compact *compact = &mm->compact;

	mm_assert_held(&mm->lock);
	if (success) {
		if (order >= compact->defer_order) {
			compact->defer_shift = 0;
			compact->considered = 0;
		}
		return;
	}
	compact->defer_order = compact->defer_shift ? MIN(compact->defer_order, order) : order;
	compact->considered = 0;
	if (compact->defer_shift < COMPACT_MAX_DEFER_SHIFT)
		compact->defer_shift++;
}

static void record_outcome(struct mm *mm, unsigned int order, bool success)
{
	unsigned long flags = mm_lock_irqsave(&mm->lock);

	record_outcome_locked(mm, order, success);
	mm_unlock_irqrestore(&mm->lock, flags);
}

/* (S) counters: runs on several CPUs end at once. */
static void account(struct mm *mm, const struct compact_result *res)
{
	struct mm_compact *compact = &mm->compact;

	mm_stat_add(&compact->runs, 1);
	mm_stat_add(&compact->migrate_scanned, res->migrate_scanned);
	mm_stat_add(&compact->free_scanned, res->free_scanned);
	mm_stat_add(&compact->isolated, res->isolated);
	mm_stat_add(&compact->migrated, res->migrated);
	mm_stat_add(&compact->failed, res->failed);
	mm_stat_add(&compact->time_ns, res->time_ns);
}

/* The migrate scanner's cached position: a hint any CPU's direct run
 * starts from and stores when it ends (relaxed atomics: a stale one only
 * costs a rescan). */
static unsigned long cached_migrate_pfn(const struct mm *mm)
{
	return __atomic_load_n(&mm->compact.migrate_pfn, __ATOMIC_RELAXED);
}

static void cache_migrate_pfn(struct mm *mm, unsigned long pfn)
{
	__atomic_store_n(&mm->compact.migrate_pfn, pfn, __ATOMIC_RELAXED);
}

static void control_init(struct compact_control *cc, struct mm *mm, unsigned int order,
			 enum migrate_mode mode, bool direct, struct compact_result *res)
{
	unsigned long last = ALIGN_DOWN(mm->end_pfn - 1, PAGEBLOCK_PAGES);
	unsigned long cached = cached_migrate_pfn(mm);

	memset(res, 0, sizeof(*res));
	cc->mm = mm;
	cc->order = order;
	cc->mode = mode;
	cc->res = res;
	cc->nr_targets = 0;
	cc->first_block = pageblock_start(mm->base_pfn);
	cc->migrate_block = cc->first_block;
	if (direct && cached > cc->first_block && cached < last)
		cc->migrate_block = cached;
	cc->free_block = last;
	cc->stuck_block = last;
	cc->stuck_done = false;
	cc->free_touched = false;
}

/* Have the scanners met? The migrate scanner may still take the free
 * scanner's next block as long as no target came from it. */
static bool scanners_met(const struct compact_control *cc)
{
	return cc->migrate_block > cc->free_block ||
	       (cc->migrate_block == cc->free_block && cc->free_touched);
}

enum compact_status compact_zone(struct mm *mm, unsigned int order, enum migrate_mode mode,
				 bool direct, struct compact_result *res)
{
	struct compact_control cc;
	u64 start = mm_time_ns();

	control_init(&cc, mm, order, mode, direct, res);
	if (direct && deferred(mm, order)) {
		mm_stat_add(&mm->compact.deferred, 1);
		return res->status = COMPACT_DEFERRED;
	}
	trace_event(TRACE_COMPACT_BEGIN, order, direct);
	/* Packing mslab objects first frees whole pages for nothing but copies
	 * of small objects: fewer pages for the scanners to move. */
	compact_pack(mm, &res->pack);
	/* Explicit compaction classifies every block up front (the free
	 * scanner then knows all the blocks that can never be emptied); direct
	 * compaction, on an allocation's latency path, relies on the skip bits
	 * its scanner leaves behind and resets them when a pass completes. */
	if (!direct)
		classify_blocks(&cc);
	res->status = COMPACT_COMPLETE;
	while (!scanners_met(&cc) && cc.migrate_block < cc.mm->end_pfn) {
		if (order < COMPACT_ALL && compact_order_free(mm, order)) {
			res->status = COMPACT_SUCCESS;
			break;
		}
		if (!compact_block(&cc, cc.migrate_block))
			break;
		cc.migrate_block += PAGEBLOCK_PAGES;
	}
	release_targets(&cc);
	if (order < COMPACT_ALL && compact_order_free(mm, order))
		res->status = COMPACT_SUCCESS;
	cache_migrate_pfn(mm, res->status == COMPACT_SUCCESS ? cc.migrate_block : 0);
	if (direct && res->status == COMPACT_COMPLETE)
		pageblock_clear_skips(mm);
	if (direct)
		record_outcome(mm, order, res->status == COMPACT_SUCCESS);
	res->time_ns = mm_time_ns() - start;
	trace_event(TRACE_COMPACT_END, res->migrated, res->status);
	account(mm, res);
	return res->status;
}
