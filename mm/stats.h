/*
 * Statistics over a struct mm: free blocks per order and migratetype (what
 * buddyinfo/pagetypeinfo show), pageblock types, and the two fragmentation
 * measures compaction decides by. All fixed-point (no floating point in the
 * kernel).
 */
#ifndef MM_STATS_H
#define MM_STATS_H

#include "mm/mm.h"

struct mm_free_info {
	unsigned long blocks[NR_ORDERS][MIGRATE_TYPES]; /* free blocks */
	unsigned long pcp_pages;                        /* order-0 pages in pcp caches */
	unsigned long free_pages;                       /* buddy + pcp */
	unsigned long pageblocks[MIGRATE_TYPES];        /* pageblocks of each type */
};

/* Snapshot the free lists and pageblock types (under the zone lock). */
void mm_free_info(struct mm *mm, struct mm_free_info *fi);

/*
 * mm_fragmentation_index - Linux's extfrag index for an allocation of
 * @order, in thousandths: near 0 a failure would be for lack of memory,
 * near 1000 for fragmentation; -1000 when a block of @order is free now.
 */
int mm_fragmentation_index(const struct mm_free_info *fi, unsigned int order);

/*
 * mm_fragmentation_score - percentage of free memory that sits in blocks
 * smaller than @order (pcp pages count as order 0). 0 when nothing is free.
 * Order 9 is the score proactive compaction watches.
 */
unsigned int mm_fragmentation_score(const struct mm_free_info *fi, unsigned int order);

#endif
