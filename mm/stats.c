/*
 * Free-memory statistics and fragmentation measures (see stats.h). The
 * snapshot is taken under the zone lock; the measures are pure functions of
 * it so tests can feed crafted snapshots.
 */
#include "lib/string.h"
#include "mm/internal.h"
#include "mm/stats.h"

void mm_free_info(struct mm *mm, struct mm_free_info *fi)
{
	unsigned long flags;
	unsigned int o, mt, cpu;
	unsigned long b;

	memset(fi, 0, sizeof(*fi));
	flags = mm_lock_irqsave(&mm->lock);
	for (o = 0; o < NR_ORDERS; o++)
		for (mt = 0; mt < MIGRATE_TYPES; mt++)
			fi->blocks[o][mt] = mm->free_area[o].nr[mt];
	for (b = 0; b < mm->nr_pageblocks; b++)
		fi->pageblocks[__atomic_load_n(&mm->pageblock[b], __ATOMIC_RELAXED) & PB_MT_MASK]++;
	fi->free_pages = mm->nr_free;
	mm_unlock_irqrestore(&mm->lock, flags);
	for (cpu = 0; cpu < MM_MAX_CPUS; cpu++)
		fi->pcp_pages += __atomic_load_n(&mm->pcp[cpu].count, __ATOMIC_RELAXED);
	fi->free_pages += fi->pcp_pages;
}

/* Free blocks of any migratetype at @order. */
static unsigned long blocks_of_order(const struct mm_free_info *fi, unsigned int order)
{
	unsigned long n = 0;
	unsigned int mt;

	for (mt = 0; mt < MIGRATE_TYPES; mt++)
		n += fi->blocks[order][mt];
	return n;
}

int mm_fragmentation_index(const struct mm_free_info *fi, unsigned int order)
{
	unsigned long total_blocks = fi->pcp_pages, suitable = 0;
	unsigned int o;

	for (o = 0; o < NR_ORDERS; o++) {
		unsigned long n = blocks_of_order(fi, o);

		total_blocks += n;
		if (o >= order)
			suitable += n;
	}
	if (!total_blocks)
		return 0;
	if (suitable)
		return -1000;
	return 1000 - (int)((1000 + fi->free_pages * 1000 / (1UL << order)) / total_blocks);
}

unsigned int mm_fragmentation_score(const struct mm_free_info *fi, unsigned int order)
{
	unsigned long big = 0;
	unsigned int o;

	if (!fi->free_pages)
		return 0;
	for (o = order; o < NR_ORDERS; o++)
		big += blocks_of_order(fi, o) << o;
	return (unsigned int)((fi->free_pages - big) * 100 / fi->free_pages);
}
