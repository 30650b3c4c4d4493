/*
 * Per-cpu cache of free order-0 pages, one list per allocatable
 * migratetype. Order-0 allocation and free touch only this CPU's cache,
 * under its own lock; the zone lock is taken once per batch to refill from
 * or drain to the buddy. Pages here carry PG_pcp and the migratetype of
 * their list, and are not counted in nr_free (mm_nr_free_pages adds them).
 *
 * Invariants: count == pages on both lists; count <= high after every free.
 * Locking: (P) pcp->lock, IRQ-saving, the zone lock nests inside. A lock
 * per cache (as Linux since 5.19) lets any CPU drain every cache without a
 * cross-call: compaction, contig isolation and the checker see all free
 * pages. Uncontended on the fast path: only a drain takes another CPU's.
 * Each cache's lock is its own class ("pcp0", "pcp1", ...), taken in CPU
 * order when several are held (mm_check), so the lock checker sees one
 * order.
 */
#include "mm/internal.h"

/* The lock classes, one per CPU. */
static const char *const pcp_lock_names[] = {
	"pcp0", "pcp1", "pcp2",  "pcp3",  "pcp4",  "pcp5",  "pcp6",  "pcp7",
	"pcp8", "pcp9", "pcp10", "pcp11", "pcp12", "pcp13", "pcp14", "pcp15",
};
static_assert(MM_MAX_CPUS <= ARRAY_SIZE(pcp_lock_names), "a lock class per pcp");

void pcp_init(struct mm *mm)
{
	unsigned int cpu, mt;
	unsigned long batch = mm->nr_managed / 4096;

	/* Batches of 8..63 pages: big enough to amortise the lock, small
	 * enough that a drained cache gives compaction little to miss. */
	if (batch < 8)
		batch = 8;
	if (batch > 63)
		batch = 63;
	for (cpu = 0; cpu < MM_MAX_CPUS; cpu++) {
		struct pcp_cache *pcp = &mm->pcp[cpu];

		mm_lock_init(&pcp->lock, pcp_lock_names[cpu]);
		for (mt = 0; mt < MIGRATE_PCPTYPES; mt++)
			list_init(&pcp->list[mt]);
		pcp->count = 0;
		pcp->hits = 0;
		pcp->frees = 0;
		pcp->batch = (unsigned int)batch;
		pcp->high = (unsigned int)batch * 4;
	}
}

/* Move up to one batch of @mt pages from the buddy to @pcp. (P) */
static void pcp_refill(struct mm *mm, struct pcp_cache *pcp, enum migratetype mt, gfp_t gfp)
{
	unsigned long flags;
	unsigned int i;

	mm_assert_held(&pcp->lock);
	flags = mm_lock_irqsave(&mm->lock);

	for (i = 0; i < pcp->batch && buddy_watermark_ok(mm, 0, gfp); i++) {
		struct page *page = buddy_take_locked(mm, 0, mt);

		if (!page)
			break;
		page_flags_set(page, PG_pcp | ((unsigned long)mt << PG_MT_SHIFT));
		list_add_tail(&page->pcp_list, &pcp->list[mt]);
		pcp_count_add(pcp, 1);
	}
	if (i)
		mm->stats.pcp_refill++;
	mm_unlock_irqrestore(&mm->lock, flags);
}

/* Give @n of the coldest cached pages back to the buddy. (P) */
static void pcp_release(struct mm *mm, struct pcp_cache *pcp, unsigned int n)
{
	unsigned long flags;
	unsigned int mt = 0;

	mm_assert_held(&pcp->lock);
	flags = mm_lock_irqsave(&mm->lock);

	while (n && pcp->count) {
		struct list_head *list = &pcp->list[mt];

		if (list_empty(list)) {
			mt = (mt + 1) % MIGRATE_PCPTYPES;
			continue;
		}
		struct page *page = list_last_entry(list, struct page, pcp_list);
		unsigned long pfn = mm_page_to_pfn(mm, page);

		list_del(&page->pcp_list);
		page_flags_set(page, 0);
		pcp_count_add(pcp, -1);
		n--;
		/* The pageblock may have changed type since the page was
		 * cached: free it by the block's current type. */
		buddy_free_locked(mm, pfn, 0, pageblock_mt(mm, pfn));
		mm_nr_free_add_locked(mm, 1);
	}
	mm->stats.pcp_drain++;
	mm_unlock_irqrestore(&mm->lock, flags);
}

struct page *pcp_alloc(struct mm *mm, enum migratetype mt, gfp_t gfp)
{
	struct page *page = pcp_try_alloc(mm, mt);
	unsigned long flags;

	struct pcp_cache *pcp;

	if (page)
		return page;
	/* Refill and take under one hold of the lock: a drain from another
	 * CPU in between would leave nothing to take (a spurious failure). */
	pcp = &mm->pcp[mm_cpu_id()];
	flags = mm_lock_irqsave(&pcp->lock);
	pcp_refill(mm, pcp, mt, gfp);
	page = pcp_take_locked(mm, pcp, mt);
	mm_unlock_irqrestore(&pcp->lock, flags);
	return page;
}

void pcp_free(struct mm *mm, struct page *page, enum migratetype mt)
{
	unsigned long flags;
	struct pcp_cache *pcp;

	if (mt >= MIGRATE_PCPTYPES) {
		unsigned long pfn = mm_page_to_pfn(mm, page);

		flags = mm_lock_irqsave(&mm->lock);
		page_flags_set(page, 0);
		buddy_free_locked(mm, pfn, 0, pageblock_mt(mm, pfn));
		mm_nr_free_add_locked(mm, 1);
		mm_unlock_irqrestore(&mm->lock, flags);
		return;
	}
	pcp = &mm->pcp[mm_cpu_id()];
	flags = mm_lock_irqsave(&pcp->lock);
	page_flags_set(page, PG_pcp | ((unsigned long)mt << PG_MT_SHIFT));
	list_add(&page->pcp_list, &pcp->list[mt]);
	pcp_count_add(pcp, 1); /* counted in stats.free[0] by free_slow */
	if (pcp->count > pcp->high)
		pcp_release(mm, pcp, pcp->batch);
	mm_unlock_irqrestore(&pcp->lock, flags);
}

void mm_drain_pcp(struct mm *mm)
{
	unsigned int cpu;

	/* Every CPU's, from here: each cache has its own lock. */
	for (cpu = 0; cpu < MM_MAX_CPUS; cpu++) {
		struct pcp_cache *pcp = &mm->pcp[cpu];
		unsigned long flags = mm_lock_irqsave(&pcp->lock);

		if (pcp->count)
			pcp_release(mm, pcp, pcp->count);
		mm_unlock_irqrestore(&pcp->lock, flags);
	}
}
