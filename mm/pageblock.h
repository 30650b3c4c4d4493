/*
 * Pageblocks: the 2 MiB (PAGEBLOCK_ORDER) units compaction empties and
 * the allocator types. One byte per block in mm->pageblock: bits 0-1 the
 * migratetype, bit 2 the compaction skip bit, bits 4-5 the type saved while
 * the block is ISOLATE (mm/contig.c). Here: that byte's accessors, the part
 * of a pageblock that lies in the zone, and the walk over its free blocks.
 *
 * A pageblock may lie inside a free block of order above PAGEBLOCK_ORDER
 * that starts before it (MAX_ORDER is 10): the walks below start at the
 * pageblock, so that block's head is not among the heads they find, and
 * pageblock_free_pages_locked() counts it separately.
 *
 * Locking: the byte under the zone lock (Z); the walks with it held, or
 * as advisory reads where the caller says so.
 */
#ifndef MM_PAGEBLOCK_H
#define MM_PAGEBLOCK_H

#include "mm/mm.h"

#define PB_MT_MASK 0x3
#define PB_SKIP 0x4
#define PB_SAVED_SHIFT 4

/* The first PFN of the pageblock holding @pfn (may lie below the zone). */
static inline unsigned long pageblock_start(unsigned long pfn)
{
	return pfn & ~(PAGEBLOCK_PAGES - 1);
}

static inline unsigned long pageblock_index(const struct mm *mm, unsigned long pfn)
{
	return (pfn >> PAGEBLOCK_ORDER) - (mm->base_pfn >> PAGEBLOCK_ORDER);
}
static inline enum migratetype pageblock_mt(const struct mm *mm, unsigned long pfn)
{
	return (enum migratetype)(mm->pageblock[pageblock_index(mm, pfn)] & PB_MT_MASK);
}
static inline void pageblock_set_mt(struct mm *mm, unsigned long pfn, enum migratetype mt)
{
	u8 *b = &mm->pageblock[pageblock_index(mm, pfn)];

	*b = (u8)((*b & ~PB_MT_MASK) | mt);
}
/* The type saved by pageblock_save_mt() (contig's ISOLATE blocks). */
static inline enum migratetype pageblock_saved_mt(const struct mm *mm, unsigned long pfn)
{
	return (enum migratetype)((mm->pageblock[pageblock_index(mm, pfn)] >> PB_SAVED_SHIFT) &
				  PB_MT_MASK);
}
static inline void pageblock_save_mt(struct mm *mm, unsigned long pfn)
{
	u8 *b = &mm->pageblock[pageblock_index(mm, pfn)];

	*b = (u8)((*b & ~(PB_MT_MASK << PB_SAVED_SHIFT)) | ((*b & PB_MT_MASK) << PB_SAVED_SHIFT));
}
static inline bool pageblock_skip(const struct mm *mm, unsigned long pfn)
{
	return mm->pageblock[pageblock_index(mm, pfn)] & PB_SKIP;
}
static inline void pageblock_set_skip(struct mm *mm, unsigned long pfn, bool skip)
{
	u8 *b = &mm->pageblock[pageblock_index(mm, pfn)];

	*b = (u8)(skip ? *b | PB_SKIP : *b & ~PB_SKIP);
}

/* Clear every pageblock's skip bit. */
void pageblock_clear_skips(struct mm *mm);

/* The zone's part of the pageblock holding @pfn: [*start, *end). */
void pageblock_span(const struct mm *mm, unsigned long pfn, unsigned long *start,
		    unsigned long *end);

/*
 * pageblock_next_free - the next free block whose head lies in
 * [*@pfn, @end): *@pfn is set to its PFN. Every other page is passed one
 * by one, as the loops this replaced did: stepping over allocated blocks by
 * their head's order made compaction's free scanner take other targets and
 * doubled the tail of contig_2m_alloc_us (p90 21 -> 36 us, p99 57 -> 150 us;
 * docs/benchmarks.md, Host benchmarks, old against new). The caller steps
 * past what it found (*@pfn += its size). Zone lock held (or an advisory
 * read).
 * Return: the head, or NULL when there is none (*@pfn >= @end then).
 */
struct page *pageblock_next_free(const struct mm *mm, unsigned long *pfn, unsigned long end);

/*
 * pageblock_free_pages_locked - free pages of the pageblock holding @pfn:
 * buddy blocks (one that starts before the pageblock counts for the
 * pageblock's span), and per-cpu cached pages when @with_pcp. Zone lock
 * held.
 */
unsigned int pageblock_free_pages_locked(const struct mm *mm, unsigned long pfn, bool with_pcp);

#endif
