/*
 * Free page reporting support (as Linux's page_reporting): a reporter - the
 * virtio-balloon - takes free blocks of order >= 9 that it has not reported
 * yet out of the buddy, tells the host (which discards their memory), and
 * gives them back marked PG_reported, so that the next pass skips them until
 * they are allocated, split or merged (which clears the mark).
 *
 * While a report is in flight its blocks are allocated blocks of type
 * MEMDESC_REPORTING: nobody can allocate them, they are not free
 * (nr_free and mm_nr_free_pages() leave them out), and mm_check counts them
 * against mm->nr_report_isolated. Pageblock types never change here.
 */
#ifndef MM_REPORTING_H
#define MM_REPORTING_H

#include "mm/mm.h"

/*
 * mm_report_take - take up to @max free, unreported blocks of order >=
 * @min_order out of the buddy: smallest order first, pageblocks of every
 * type except ISOLATE (contig allocation is claiming those). Stops early
 * rather than take free memory below the low watermark.
 * @pfns, @orders: filled with each block's head PFN and order.
 * Return: the number of blocks taken (0..@max); each is an allocated block
 * of type MEMDESC_REPORTING until mm_report_return().
 * Context: any (zone lock taken, IRQ-saving); does not sleep.
 */
unsigned int mm_report_take(struct mm *mm, unsigned int min_order, unsigned long *pfns,
			    unsigned int *orders, unsigned int max);

/*
 * mm_report_return - give @n blocks from mm_report_take() back to the buddy,
 * each onto the free list of its pageblock's (current) migratetype. With
 * @reported, a block that is still a free head of the same order after the
 * free gets PG_reported; one that merged with a free neighbour is not
 * reported (the bigger block will be, later).
 * A pair that is not a REPORTING block of that order is reported through
 * mm_bug() and skipped.
 * Context: any (zone lock taken, IRQ-saving); does not sleep.
 */
void mm_report_return(struct mm *mm, const unsigned long *pfns, const unsigned int *orders,
		      unsigned int n, bool reported);

#endif
