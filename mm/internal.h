/*
 * Declarations shared inside mm/ only: free-list primitives (and, through
 * mm/pageblock.h, the pageblock accessors) and the per-cpu cache hooks used by buddy.c, pcp.c, check.c and
 * stats.c. Nothing outside mm/ may include this.
 */
#ifndef MM_INTERNAL_H
#define MM_INTERNAL_H

#include "mm/mm.h"
#include "mm/poison.h"
#include "mm/pageblock.h"

#define PG_checked (1UL << 12) /* transient mark used by mm_check under the lock */

/* The head of the block (free or allocated) that contains @pfn, found by
 * probing the aligned candidates; NULL for a reserved page or an orphan. */
struct page *buddy_block_head(const struct mm *mm, unsigned long pfn, unsigned long *head_pfn);

/* Set the type of the pageblock at @block_pfn and move its free blocks to
 * that type's lists (zone lock held). Return: free pages moved. */
unsigned long buddy_set_block_type_locked(struct mm *mm, unsigned long block_pfn,
					  enum migratetype mt);

/* Take the free block headed by @page off its list (zone lock held);
 * returns its order. nr_free is adjusted. */
unsigned int buddy_take_block_locked(struct mm *mm, struct page *page);

static inline enum migratetype page_list_mt(const struct page *page)
{
	return (enum migratetype)((page_flags(page) & PG_MT_MASK) >> PG_MT_SHIFT);
}

/* buddy.c, zone lock held */
void buddy_free_locked(struct mm *mm, unsigned long pfn, unsigned int order,
		       enum migratetype mt);
/* Split the unlisted block at @page from order @high down to @low, listing
 * the upper halves under @mt; @page stays unlisted. */
void buddy_split_locked(struct mm *mm, struct page *page, unsigned int high, unsigned int low,
			enum migratetype mt);
/* Mark the free head @page PG_reported and move it to the tail of its list:
 * on every free list the unreported blocks come first (mm_check checks). */
void buddy_set_reported_locked(struct mm *mm, struct page *page);
struct page *buddy_take_locked(struct mm *mm, unsigned int order, enum migratetype mt);
bool buddy_watermark_ok(const struct mm *mm, unsigned int order, gfp_t gfp);
/* @page heads a block of 2^@order pages just taken from the free state:
 * make it an allocated head (type KERNEL, refcount 1) and, when the mm
 * poisons, check the block's poison (mm/poison.h). Under the lock that
 * took it, so no walker ever sees the block in neither state; inline, so
 * the per-cpu cache's hit path stays a leaf but for the poison check. */
static inline void buddy_prep_allocated(struct mm *mm, struct page *page, unsigned int order)
{
	if (unlikely(mm->poison))
		mm_poison_check(mm, mm_page_to_pfn(mm, page), order);
	page_flags_set(page, PG_head | order);
	page_memdesc_word_set(page, MEMDESC_KERNEL);
	page->private = 0;
	page->refcount = 1;
}

/* nr_free changes under the zone lock but is read without it
 * (mm_nr_free_pages: the balloon, kcompactd's score): a relaxed store. */
static inline void mm_nr_free_add_locked(struct mm *mm, long delta)
{
	mm_assert_held(&mm->lock);
	__atomic_store_n(&mm->nr_free, mm->nr_free + (unsigned long)delta, __ATOMIC_RELAXED);
}

/* Count one event in a (S) statistic: exact without a lock. */
#define mm_stat_inc(mm, field) __atomic_fetch_add(&(mm)->stats.field, 1, __ATOMIC_RELAXED)
/* Add @n to a (S) statistic or counter at @ptr: the same, any amount. */
#define mm_stat_add(ptr, n) __atomic_fetch_add((ptr), (n), __ATOMIC_RELAXED)

/* A per-cpu cache's count or counter, written under its lock, read by
 * anyone without it: relaxed atomic stores (a plain store on x86), so
 * the unlocked readers (mm_nr_free_pages, mm_nr_allocs) are no race. */
static inline void pcp_count_add(struct pcp_cache *pcp, int delta)
{
	__atomic_store_n(&pcp->count, pcp->count + delta, __ATOMIC_RELAXED);
}
static inline void pcp_stat_inc(u64 *counter)
{
	__atomic_store_n(counter, *counter + 1, __ATOMIC_RELAXED);
}

/* pcp.c. The hit paths are inline leaves (no calls, so nothing to spill):
 * they are the whole cost of most allocations. */

/* Take a cached page of @mt from @pcp, allocated (buddy_prep_allocated),
 * or NULL when that list is empty. (P) */
static inline struct page *pcp_take_locked(struct mm *mm, struct pcp_cache *pcp,
					   enum migratetype mt)
{
	struct list_head *list = &pcp->list[mt];
	struct page *page;

	mm_assert_held(&pcp->lock);
	if (unlikely(list_empty(list)))
		return NULL;
	page = list_first_entry(list, struct page, pcp_list);
	__list_unlink(&page->pcp_list);
	pcp_count_add(pcp, -1);
	pcp_stat_inc(&pcp->hits);
	buddy_prep_allocated(mm, page, 0);
	return page;
}

/* The same from this CPU's cache, taking its lock. */
static inline struct page *pcp_try_alloc(struct mm *mm, enum migratetype mt)
{
	struct pcp_cache *pcp = &mm->pcp[mm_cpu_id()];
	unsigned long flags = mm_lock_irqsave(&pcp->lock);
	struct page *page = pcp_take_locked(mm, pcp, mt);

	mm_unlock_irqrestore(&pcp->lock, flags);
	return page;
}

/* Cache a freed order-0 page of @mt (< MIGRATE_PCPTYPES) unless the cache
 * is full. Return: false when the caller must take the slow path. */
static inline bool pcp_try_free(struct mm *mm, struct page *page, enum migratetype mt)
{
	struct pcp_cache *pcp = &mm->pcp[mm_cpu_id()];
	unsigned long flags = mm_lock_irqsave(&pcp->lock);
	bool cached = pcp->count < pcp->high;

	if (likely(cached)) {
		page_flags_set(page, PG_pcp | ((unsigned long)mt << PG_MT_SHIFT));
		list_add(&page->pcp_list, &pcp->list[mt]);
		pcp_count_add(pcp, 1);
		pcp_stat_inc(&pcp->frees);
	}
	mm_unlock_irqrestore(&pcp->lock, flags);
	return cached;
}

void pcp_init(struct mm *mm);
struct page *pcp_alloc(struct mm *mm, enum migratetype mt, gfp_t gfp);
void pcp_free(struct mm *mm, struct page *page, enum migratetype mt);

/* oom.c: the slow path's walk of the OOM notifiers for a failing
 * allocation. Return: pages they released; 0 when none is registered or a
 * walk already runs (which is what stops recursion). Context: no mm lock. */
unsigned long oom_notify(struct mm *mm, unsigned int order, gfp_t gfp);

static inline enum migratetype gfp_migratetype(gfp_t gfp)
{
	return (gfp & GFP_MOVABLE) ? MIGRATE_MOVABLE : MIGRATE_UNMOVABLE;
}

#endif
