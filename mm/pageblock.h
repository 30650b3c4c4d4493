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
 * Locking: the migratetype and saved type under the zone lock (Z); the
 * skip bit by any CPU with no lock (compaction's hint); the byte is read
 * and written atomically for that. The walks with the zone lock held, or
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
/* The block's byte, as a relaxed atomic: the migratetype changes under the
 * zone lock while compaction's migrate scanner, on any CPU and unlocked,
 * sets and clears the skip bit of the same byte (a plain read-modify-write
 * there could undo a type change). */
static inline u8 pageblock_byte(const struct mm *mm, unsigned long pfn)
{
	return __atomic_load_n(&mm->pageblock[pageblock_index(mm, pfn)], __ATOMIC_RELAXED);
}
/* Replace the bits of @mask in the block's byte by @bits, atomically. */
static inline void pageblock_update(struct mm *mm, unsigned long pfn, u8 mask, u8 bits)
{
	u8 *b = &mm->pageblock[pageblock_index(mm, pfn)];
	u8 old = __atomic_load_n(b, __ATOMIC_RELAXED);

	while (!__atomic_compare_exchange_n(b, &old, (u8)((old & ~mask) | bits), false,
					    __ATOMIC_RELAXED, __ATOMIC_RELAXED))
		;
}

static inline enum migratetype pageblock_mt(const struct mm *mm, unsigned long pfn)
{
	return (enum migratetype)(pageblock_byte(mm, pfn) & PB_MT_MASK);
}
static inline void pageblock_set_mt(struct mm *mm, unsigned long pfn, enum migratetype mt)
{
	pageblock_update(mm, pfn, PB_MT_MASK, (u8)mt);
}
/* The type saved by pageblock_save_mt() (contig's ISOLATE blocks). */
static inline enum migratetype pageblock_saved_mt(const struct mm *mm, unsigned long pfn)
{
	return (enum migratetype)((pageblock_byte(mm, pfn) >> PB_SAVED_SHIFT) & PB_MT_MASK);
}
static inline void pageblock_save_mt(struct mm *mm, unsigned long pfn)
{
	pageblock_update(mm, pfn, PB_MT_MASK << PB_SAVED_SHIFT,
			 (u8)((pageblock_byte(mm, pfn) & PB_MT_MASK) << PB_SAVED_SHIFT));
}
static inline bool pageblock_skip(const struct mm *mm, unsigned long pfn)
{
	return pageblock_byte(mm, pfn) & PB_SKIP;
}
/* Any CPU, no lock: an advisory bit of compaction's. */
static inline void pageblock_set_skip(struct mm *mm, unsigned long pfn, bool skip)
{
	u8 *b = &mm->pageblock[pageblock_index(mm, pfn)];

	if (skip)
		__atomic_fetch_or(b, PB_SKIP, __ATOMIC_RELAXED);
	else
		__atomic_fetch_and(b, (u8)~PB_SKIP, __ATOMIC_RELAXED);
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
