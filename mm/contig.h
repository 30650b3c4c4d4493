/*
 * Large physically contiguous allocations: isolate the pageblocks of a
 * range (ISOLATE: the allocator stops handing their free pages out), migrate
 * every movable page out of it, and claim the range. The path for buffers
 * bigger than MAX_ORDER or at a chosen place.
 */
#ifndef MM_CONTIG_H
#define MM_CONTIG_H

#include "mm/mm.h"

/*
 * alloc_contig_range - allocate exactly [@pfn, @pfn + @nr_pages).
 * The range comes back as allocated blocks (maximal aligned pieces, type
 * KERNEL); give it back with free_contig_range().
 * Return: 0; -EINVAL for a range outside the zone or empty; -EBUSY when a
 * page in it cannot move (unmovable, reserved, or migration failed) or a
 * pageblock of it is already isolated — everything is restored then.
 * Context: thread context.
 */
int alloc_contig_range(struct mm *mm, unsigned long pfn, unsigned long nr_pages);

/*
 * alloc_contig_pages - find and allocate @nr_pages contiguous pages,
 * starting on a pageblock boundary; *@pfn receives the first.
 * Return: 0; -ENOMEM when no range could be made free, -EINVAL for a bad
 * size (*@pfn untouched then).
 */
int alloc_contig_pages(struct mm *mm, unsigned long nr_pages, unsigned long *pfn);

/* Give back a range from alloc_contig_range/alloc_contig_pages. */
void free_contig_range(struct mm *mm, unsigned long pfn, unsigned long nr_pages);

#endif
