/*
 * The buddy allocator: free memory as naturally aligned blocks of 2^order
 * pages (order 0..MAX_ORDER) on free lists per order and migratetype.
 *
 * Invariants (checked by mm_check):
 *  - a free block's head has PG_buddy, its order, and the migratetype of the
 *    list it is on; its other pages have flags == 0 and are never written;
 *  - a block is aligned to its size in absolute PFNs and lies inside the zone;
 *  - two free buddies of the same order never both exist (they merge), except
 *    across the border of an ISOLATE pageblock, which free pages never cross;
 *  - nr_free == sum over lists of 2^order * blocks;
 *  - PG_reported (mm/reporting.c) marks only free heads and dies in
 *    free_list_del (flags = 0) when a block leaves its list - allocated,
 *    split or merged - so it costs the allocator nothing; on every list the
 *    unreported blocks precede the reported ones.
 *
 * A failing allocation compacts (when allowed), then asks the OOM notifiers
 * (mm/oom.c) and retries a bounded number of times.
 *
 * Fallback: when a migratetype's lists are empty, the largest free block of
 * the other type is taken and, where possible, a whole pageblock changes
 * type with it (one pageblock carved out of a larger block, else the block's
 * own pageblock when at least half of it is free), so unmovable pages
 * cluster instead of salting every pageblock.
 *
 * Locking: everything here runs under mm->lock (IRQ-saving) except the
 * entry points, which take it.
 */
#include "include/errno.h"
#include "lib/string.h"
#include "mm/compaction.h"
#include "mm/fault_inject.h"
#include "mm/internal.h"
#include "mm/poison.h"
#include "mm/trace.h"

static const enum migratetype fallbacks[MIGRATE_PCPTYPES] = {
	[MIGRATE_UNMOVABLE] = MIGRATE_MOVABLE,
	[MIGRATE_MOVABLE] = MIGRATE_UNMOVABLE,
};

static void free_list_add(struct mm *mm, struct page *page, unsigned int order,
			  enum migratetype mt)
{
	page_flags_set(page, PG_buddy | order | ((unsigned long)mt << PG_MT_SHIFT));
	list_add(&page->buddy_list, &mm->free_area[order].list[mt]);
	mm->free_area[order].nr[mt]++;
}

/* Take a free head off its list; it keeps no flag (becomes a tail or is
 * given new state by the caller). */
static void free_list_del(struct mm *mm, struct page *page, unsigned int order)
{
	enum migratetype mt = page_list_mt(page);

	list_del(&page->buddy_list);
	mm->free_area[order].nr[mt]--;
	page_flags_set(page, 0);
}

/* Move a free head to @mt's list of its order. A reported block stays
 * reported: it is the same memory, only its pageblock's type changed. */
static void free_list_move(struct mm *mm, struct page *page, unsigned int order,
			   enum migratetype mt)
{
	bool reported = page_is_reported(page);

	free_list_del(mm, page, order);
	free_list_add(mm, page, order, mt);
	if (reported)
		buddy_set_reported_locked(mm, page);
}

void buddy_set_reported_locked(struct mm *mm, struct page *page)
{
	mm_assert_held(&mm->lock);
	page_flags_or(page, PG_reported);
	list_move_tail(&page->buddy_list,
		       &mm->free_area[page_order(page)].list[page_list_mt(page)]);
}

/* May the blocks at @pfn and @buddy_pfn (order >= pageblock) merge? Not
 * when exactly one of them lies in an ISOLATE pageblock. */
static bool merge_allowed(const struct mm *mm, unsigned long pfn, unsigned long buddy_pfn,
			  unsigned int order)
{
	if (order < PAGEBLOCK_ORDER)
		return true;
	return (pageblock_mt(mm, pfn) == MIGRATE_ISOLATE) ==
	       (pageblock_mt(mm, buddy_pfn) == MIGRATE_ISOLATE);
}

/*
 * Free [pfn, pfn + 2^order) into the buddy, merging with free buddies.
 * Basic algorithm: while the buddy (pfn ^ 2^order) is a free head of the
 * same order, unlink it and continue with the combined block at the lower
 * address one order up; then list the result under @mt.
 */
void buddy_free_locked(struct mm *mm, unsigned long pfn, unsigned int order,
		       enum migratetype mt)
{
	mm_assert_held(&mm->lock);
	while (order < MAX_ORDER) {
		unsigned long buddy_pfn = pfn ^ (1UL << order);
		struct page *buddy;

		if (!mm_pfn_valid(mm, buddy_pfn))
			break;
		buddy = mm_pfn_to_page(mm, buddy_pfn);
		if (!page_is_buddy(buddy) || page_order(buddy) != order ||
		    !merge_allowed(mm, pfn, buddy_pfn, order))
			break;
		free_list_del(mm, buddy, order);
		pfn &= ~(1UL << order);
		order++;
	}
	free_list_add(mm, mm_pfn_to_page(mm, pfn), order, mt);
}

struct page *buddy_block_head(const struct mm *mm, unsigned long pfn, unsigned long *head_pfn)
{
	unsigned int order;

	for (order = 0; order <= MAX_ORDER; order++) {
		unsigned long h = pfn & ~((1UL << order) - 1);
		struct page *page;

		if (!mm_pfn_valid(mm, h))
			break;
		page = mm_pfn_to_page(mm, h);
		if (page_is_reserved(page) && h == pfn)
			return NULL;
		if ((page_is_buddy(page) || page_is_head(page) || page_is_pcp(page)) &&
		    page_order(page) >= order) {
			*head_pfn = h;
			return page;
		}
	}
	return NULL;
}

unsigned int buddy_take_block_locked(struct mm *mm, struct page *page)
{
	unsigned int order = page_order(page);

	mm_assert_held(&mm->lock);
	free_list_del(mm, page, order);
	mm_nr_free_add_locked(mm, -(1L << order));
	return order;
}

/* Split the free block at @page from order @high down to @low, listing the
 * upper halves under @mt; @page stays unlisted. */
static void expand(struct mm *mm, struct page *page, unsigned int high, unsigned int low,
		   enum migratetype mt)
{
	while (high > low) {
		high--;
		free_list_add(mm, page + (1UL << high), high, mt);
	}
}

void buddy_split_locked(struct mm *mm, struct page *page, unsigned int high, unsigned int low,
			enum migratetype mt)
{
	mm_assert_held(&mm->lock);
	expand(mm, page, high, low, mt);
}

static struct page *take_smallest(struct mm *mm, unsigned int order, enum migratetype mt)
{
	unsigned int o;

	for (o = order; o <= MAX_ORDER; o++) {
		struct list_head *list = &mm->free_area[o].list[mt];
		struct page *page;

		if (list_empty(list))
			continue;
		page = list_first_entry(list, struct page, buddy_list);
		free_list_del(mm, page, o);
		expand(mm, page, o, order, mt);
		return page;
	}
	return NULL;
}

/* Change a pageblock's type and move its free blocks to @mt's lists.
 * Return: free pages found in it. */
unsigned long buddy_set_block_type_locked(struct mm *mm, unsigned long block_pfn,
					  enum migratetype mt)
{
	unsigned long pfn, end, moved = 0;
	struct page *page;

	mm_assert_held(&mm->lock);
	pageblock_span(mm, block_pfn, &pfn, &end);
	for (; (page = pageblock_next_free(mm, &pfn, end)); pfn += 1UL << page_order(page)) {
		free_list_move(mm, page, page_order(page), mt);
		moved += 1UL << page_order(page);
	}
	pageblock_set_mt(mm, block_pfn, mt);
	return moved;
}

static void claim_pageblock(struct mm *mm, unsigned long block_pfn, enum migratetype mt)
{
	buddy_set_block_type_locked(mm, block_pfn, mt);
	mm->stats.steal_block++;
}

/*
 * Serve @order for @mt from the fallback type: take its largest free block
 * (stealing big blocks fragments least) and let its pageblock change type
 * when the block spans it or the pageblock is mostly free.
 */
static struct page *take_fallback(struct mm *mm, unsigned int order, enum migratetype mt)
{
	enum migratetype other = fallbacks[mt];
	int o;

	for (o = MAX_ORDER; o >= (int)order; o--) {
		struct list_head *list = &mm->free_area[o].list[other];
		struct page *page;
		unsigned long pfn;

		if (list_empty(list))
			continue;
		page = list_first_entry(list, struct page, buddy_list);
		pfn = mm_page_to_pfn(mm, page);
		mm->stats.fallback++;
		if ((unsigned int)o >= PAGEBLOCK_ORDER) {
			/* Claim only the pageblocks the allocation needs: the
			 * rest of a bigger block stays with the other type. */
			unsigned int claim = MAX(order, PAGEBLOCK_ORDER);
			unsigned long b;

			free_list_del(mm, page, (unsigned int)o);
			expand(mm, page, (unsigned int)o, claim, other);
			for (b = 0; b < (1UL << claim); b += PAGEBLOCK_PAGES) {
				pageblock_set_mt(mm, pfn + b, mt);
				mm->stats.steal_block++;
			}
			expand(mm, page, claim, order, mt);
			return page;
		}
		if (pageblock_free_pages_locked(mm, pfn, false) >= PAGEBLOCK_PAGES / 2)
			claim_pageblock(mm, pageblock_start(pfn), mt);
		/* The block is on @mt's list now if its pageblock was claimed. */
		free_list_del(mm, page, (unsigned int)o);
		expand(mm, page, (unsigned int)o, order,
		       pageblock_mt(mm, pfn) == mt ? mt : other);
		return page;
	}
	return NULL;
}

struct page *buddy_take_locked(struct mm *mm, unsigned int order, enum migratetype mt)
{
	struct page *page;

	mm_assert_held(&mm->lock);
	page = take_smallest(mm, order, mt);
	if (!page && mt < MIGRATE_PCPTYPES)
		page = take_fallback(mm, order, mt);
	if (page)
		mm_nr_free_add_locked(mm, -(1L << order));
	return page;
}

/* Would taking 2^order pages keep nr_free at or above the watermark @gfp
 * may use? ATOMIC allocations may go halfway below min. */
bool buddy_watermark_ok(const struct mm *mm, unsigned int order, gfp_t gfp)
{
	unsigned long min = mm->wmark[WMARK_MIN];

	if (gfp & GFP_ATOMIC)
		min /= 2;
	return mm->nr_free >= (1UL << order) + min;
}

static void zero_pages(struct mm *mm, struct page *page, unsigned int order)
{
	unsigned long pfn = mm_page_to_pfn(mm, page), i;

	for (i = 0; i < (1UL << order); i++)
		memset(mm_pfn_to_virt(pfn + i), 0, PAGE_SIZE);
}

static struct page *take_pages(struct mm *mm, unsigned int order, gfp_t gfp)
{
	enum migratetype mt = gfp_migratetype(gfp);
	struct page *page = NULL;
	unsigned long flags;

	if (order == 0)
		return pcp_alloc(mm, mt, gfp);
	flags = mm_lock_irqsave(&mm->lock);
	if (buddy_watermark_ok(mm, order, gfp))
		page = buddy_take_locked(mm, order, mt);
	if (page) /* allocated before the lock drops: a checker never sees it stateless */
		buddy_prep_allocated(mm, page, order);
	mm_unlock_irqrestore(&mm->lock, flags);
	return page;
}

/* May a failed allocation compact and retry? Only when asked, in a context
 * that may sleep, and never from inside migration (target allocation). */
static bool may_compact(struct mm *mm, unsigned int order, gfp_t gfp)
{
	return order && (gfp & GFP_MAY_COMPACT) && !(gfp & GFP_ATOMIC) && !mm_in_interrupt() &&
	       !mm->in_migration_alloc[mm_cpu_id()];
}

static struct page *compact_and_take(struct mm *mm, unsigned int order, gfp_t gfp)
{
	struct compact_result res;

	mm_stat_inc(mm, compact_direct);
	if (compact_zone(mm, order, MIGRATE_SYNC, true, &res) == COMPACT_SUCCESS)
		return take_pages(mm, order, gfp);
	return NULL;
}

/* May a failed allocation ask the OOM notifiers? Not when told not to, and
 * not for migration targets (compaction just stops instead of re-entering
 * an owner from the middle of a migration). */
static bool may_oom_notify(struct mm *mm, gfp_t gfp)
{
	return !(gfp & GFP_NORETRY) && !mm->in_migration_alloc[mm_cpu_id()] &&
	       !list_empty(&mm->oom.notifiers);
}

/* Rounds of notify-and-retry: another round only when the last one released
 * something and the allocation still failed (the pages went to someone else,
 * or order-0 releases did not yet form a block of @order); bounded so that a
 * notifier that always frees a little can never keep the allocator looping. */
#define OOM_ROUNDS 3

static __noinline struct page *alloc_after_oom_notify(struct mm *mm, unsigned int order,
						      gfp_t gfp)
{
	unsigned int round;

	for (round = 0; round < OOM_ROUNDS; round++) {
		struct page *page;

		if (!oom_notify(mm, order, gfp))
			return NULL;
		/* Released pages that sit in a per-cpu cache are invisible to
		 * the watermark, to other migratetypes and to merging. */
		mm_drain_pcp(mm);
		page = take_pages(mm, order, gfp);
		if (!page && may_compact(mm, order, gfp))
			page = compact_and_take(mm, order, gfp);
		if (page) {
			mm_stat_inc(mm, oom_success);
			return page;
		}
	}
	return NULL;
}

static __noinline struct page *alloc_slow(struct mm *mm, unsigned int order, gfp_t gfp)
{
	struct page *page;

	if (order > MAX_ORDER) {
		if (!(gfp & GFP_NOWARN))
			mm_warn("mm_alloc_pages: order %u exceeds MAX_ORDER %u\n", order, MAX_ORDER);
		return NULL;
	}
	page = take_pages(mm, order, gfp);
	if (!page && may_compact(mm, order, gfp))
		page = compact_and_take(mm, order, gfp);
	if (!page && may_oom_notify(mm, gfp))
		page = alloc_after_oom_notify(mm, order, gfp);
	trace_event(TRACE_ALLOC_SLOW, order, page ? 0 : -ENOMEM);
	if (!page) {
		mm_stat_inc(mm, alloc_fail[order]);
		if (!(gfp & GFP_NOWARN))
			mm_warn("%s: order-%u allocation failed (gfp %#x, %lu pages free)\n",
				mm->name, order, gfp, mm_nr_free_pages(mm));
		return NULL;
	}
	if (order) /* order 0's came through a pcp: counted in its hits */
		mm_stat_inc(mm, alloc[order]);
	if (gfp & GFP_ZERO)
		zero_pages(mm, page, order);
	return page;
}

/* Is @page something mm_free_pages(@order) may take? Reports if not. */
static bool free_is_valid(struct mm *mm, struct page *page, unsigned int order)
{
	unsigned long pfn;

	if (page < mm->mem_map || page >= mm->mem_map + (mm->end_pfn - mm->base_pfn) ||
	    ((unsigned long)page - (unsigned long)mm->mem_map) % sizeof(*page)) {
		mm_stat_inc(mm, bugs);
		mm_bug("%s: free of %p, which is not a page descriptor of this mm\n", mm->name,
		       (void *)page);
		return false;
	}
	pfn = mm_page_to_pfn(mm, page);
	if (order > MAX_ORDER || !page_is_head(page) || page_order(page) != order ||
	    page_is_isolated(page)) {
		mm_stat_inc(mm, bugs);
		mm_bug("%s: bad free of pfn %#lx order %u: flags %#lx (%s)\n", mm->name, pfn, order,
		       page_flags(page),
		       page_is_buddy(page) || page_is_pcp(page) ? "already free" :
		       page_is_reserved(page) ? "reserved" :
		       page_is_isolated(page) ? "isolated by migration" :
		       page_is_head(page) ? "allocated with another order" :
					     "not an allocated head");
		return false;
	}
	return true;
}

static __noinline void free_slow(struct mm *mm, struct page *page, unsigned int order)
{
	unsigned long pfn, flags;

	if (!free_is_valid(mm, page, order))
		return;
	pfn = mm_page_to_pfn(mm, page);
	if (mm->poison)
		mm_poison_fill(mm, pfn, order);
	mm_stat_inc(mm, free[order]);
	/* The head keeps its allocated state until the lock that frees it is
	 * held (pcp_free's or the zone's): no walker sees it stateless. */
	if (order == 0) {
		/* Unlocked read of the type: pcp_free sends pages of an
		 * ISOLATE block (or one that became so) to the buddy. */
		pcp_free(mm, page, pageblock_mt(mm, pfn));
		return;
	}
	flags = mm_lock_irqsave(&mm->lock);
	page_flags_set(page, 0);
	buddy_free_locked(mm, pfn, order, pageblock_mt(mm, pfn));
	mm_nr_free_add_locked(mm, 1L << order);
	mm_unlock_irqrestore(&mm->lock, flags);
}

struct page *mm_alloc_pfn(struct mm *mm, unsigned long pfn)
{
	unsigned long flags, head;
	struct page *p, *page = NULL;
	unsigned int order;

	if (!mm_pfn_valid(mm, pfn))
		return NULL;
	flags = mm_lock_irqsave(&mm->lock);
	p = buddy_block_head(mm, pfn, &head);
	if (p && page_is_buddy(p) && page_list_mt(p) != MIGRATE_ISOLATE) {
		enum migratetype mt = page_list_mt(p);

		order = buddy_take_block_locked(mm, p);
		while (order--) { /* list the half without @pfn, keep halving */
			unsigned long half = head + (1UL << order);

			if (pfn >= half) {
				free_list_add(mm, mm_pfn_to_page(mm, head), order, mt);
				head = half;
			} else {
				free_list_add(mm, mm_pfn_to_page(mm, half), order, mt);
			}
			mm_nr_free_add_locked(mm, 1L << order);
		}
		page = mm_pfn_to_page(mm, pfn);
		buddy_prep_allocated(mm, page, 0);
		mm_stat_inc(mm, alloc[0]);
	}
	mm_unlock_irqrestore(&mm->lock, flags);
	return page;
}

/*
 * The entry points: a per-cpu cache hit is handled by inline leaf code
 * (about half the instructions of going through the general path); all else
 * goes to the slow paths above.
 */
struct page *mm_alloc_pages(struct mm *mm, unsigned int order, gfp_t gfp)
{
	if (fault_should_fail(mm, FAULT_PAGE_ALLOC)) {
		mm_stat_inc(mm, alloc_fail[MIN(order, (unsigned int)MAX_ORDER)]);
		return NULL;
	}
	if (likely(order == 0 && !(gfp & GFP_ZERO))) {
		struct page *page = pcp_try_alloc(mm, gfp_migratetype(gfp));

		if (likely(page)) /* counted in the pcp's hits */
			return page;
	}
	return alloc_slow(mm, order, gfp);
}

void mm_free_pages(struct mm *mm, struct page *page, unsigned int order)
{
	unsigned long idx = (unsigned long)(page - mm->mem_map);

	/* One range check, one alignment check and one compare of the state
	 * bits make an order-0 free valid; anything odd takes the slow path,
	 * which reports it (and poisons, when the mm does). */
	if (likely(order == 0 && !mm->poison && idx < mm->end_pfn - mm->base_pfn &&
		   !((unsigned long)page & (sizeof(*page) - 1)) &&
		   (page_flags(page) & (PG_head | PG_ORDER_MASK | PG_isolated)) == PG_head)) {
		enum migratetype mt = pageblock_mt(mm, idx + mm->base_pfn);

		if (likely(mt < MIGRATE_PCPTYPES && pcp_try_free(mm, page, mt)))
			return; /* counted in the pcp's frees */
	}
	free_slow(mm, page, order);
}

unsigned long mm_nr_free_pages(const struct mm *mm)
{
	unsigned long n = __atomic_load_n(&mm->nr_free, __ATOMIC_RELAXED);
	unsigned int cpu;

	for (cpu = 0; cpu < MM_MAX_CPUS; cpu++)
		n += __atomic_load_n(&mm->pcp[cpu].count, __ATOMIC_RELAXED);
	return n;
}

u64 mm_nr_allocs(const struct mm *mm, unsigned int order)
{
	u64 n = __atomic_load_n(&mm->stats.alloc[order], __ATOMIC_RELAXED);
	unsigned int cpu;

	for (cpu = 0; order == 0 && cpu < MM_MAX_CPUS; cpu++)
		n += __atomic_load_n(&mm->pcp[cpu].hits, __ATOMIC_RELAXED);
	return n;
}

u64 mm_nr_frees(const struct mm *mm, unsigned int order)
{
	u64 n = __atomic_load_n(&mm->stats.free[order], __ATOMIC_RELAXED);
	unsigned int cpu;

	for (cpu = 0; order == 0 && cpu < MM_MAX_CPUS; cpu++)
		n += __atomic_load_n(&mm->pcp[cpu].frees, __ATOMIC_RELAXED);
	return n;
}
