/*
 * The boot allocator (see bootmem.h).
 *
 * Basic algorithm of bootmem_alloc(), top-down:
 *   for each usable range, highest first:
 *     end := min(range end, limit)
 *     loop: start := align_down(end - nr_pages, align)
 *           stop if start falls below the range
 *           if [start, start + nr_pages) meets a reserved or allocated
 *             range, end := the lowest start among those, and retry
 *           else record it and return start
 * end strictly decreases, so the loop ends. Lists are a few dozen entries.
 *
 * Invariants: reserved[] and allocated[] are sorted, merged and disjoint
 * from each other; every allocated PFN lies in a usable range below the
 * limit that was in force when it was allocated.
 */
#include "mm/bootmem.h"
#include "include/errno.h"
#include "lib/string.h"
#include "mm/physmem.h"

int bootmem_init(struct bootmem *bm, const struct pfn_range *usable, size_t nr_usable,
		 const struct pfn_range *reserved, size_t nr_reserved)
{
	struct pfn_range tmp[BOOTMEM_MAX_RESERVED * 2];
	size_t n;

	memset(bm, 0, sizeof(*bm));
	bm->usable = usable;
	bm->nr_usable = nr_usable;
	bm->limit_pfn = nr_usable ? usable[nr_usable - 1].end : 0;
	if (nr_reserved > ARRAY_SIZE(tmp))
		return -ENOSPC;
	if (nr_reserved)
		memcpy(tmp, reserved, nr_reserved * sizeof(*tmp));
	n = physmem_normalize(tmp, nr_reserved);
	if (n > BOOTMEM_MAX_RESERVED)
		return -ENOSPC;
	memcpy(bm->reserved, tmp, n * sizeof(*tmp));
	bm->nr_reserved = n;
	return 0;
}

void bootmem_set_limit(struct bootmem *bm, unsigned long limit_pfn) { bm->limit_pfn = limit_pfn; }

/* The lowest start of a range in @range that meets [s, e), or @e when none does. */
static unsigned long lowest_conflict(const struct pfn_range *range, size_t n, unsigned long s,
				     unsigned long e)
{
	unsigned long lowest = e;
	size_t i;

	for (i = 0; i < n; i++)
		if (range[i].start < e && range[i].end > s && range[i].start < lowest)
			lowest = range[i].start;
	return lowest;
}

/* Record [s, e) in the allocated list, merging with a neighbour when it
 * touches one. Return: 0, or -ENOSPC when it needs a new slot and none is
 * left. */
static int record(struct bootmem *bm, unsigned long s, unsigned long e)
{
	struct pfn_range *range = bm->allocated;
	size_t n = bm->nr_allocated, i;

	for (i = 0; i < n; i++) {
		if (range[i].end == s) {
			range[i].end = e;
			goto merged;
		}
		if (range[i].start == e) {
			range[i].start = s;
			goto merged;
		}
	}
	if (n == BOOTMEM_MAX_ALLOCS)
		return -ENOSPC;
	range[n].start = s;
	range[n].end = e;
	n++;
merged:
	bm->nr_allocated = physmem_normalize(range, n); /* keeps it sorted; joins a filled gap */
	return 0;
}

int bootmem_alloc(struct bootmem *bm, unsigned long nr_pages, unsigned long align,
		  unsigned long *pfn)
{
	size_t i;

	if (bm->retired || !nr_pages || !align || (align & (align - 1)))
		return -EINVAL;
	for (i = bm->nr_usable; i-- > 0;) {
		const struct pfn_range *range = &bm->usable[i];
		unsigned long end = MIN(range->end, bm->limit_pfn);

		while (end > range->start && end - range->start >= nr_pages) {
			unsigned long start = ALIGN_DOWN(end - nr_pages, align);
			unsigned long stop = start + nr_pages, c1, c2;

			if (start < range->start)
				break;
			c1 = lowest_conflict(bm->reserved, bm->nr_reserved, start, stop);
			c2 = lowest_conflict(bm->allocated, bm->nr_allocated, start, stop);
			if (c1 == stop && c2 == stop) {
				int err = record(bm, start, stop);

				if (err)
					return err;
				bm->nr_pages_allocated += nr_pages;
				*pfn = start;
				return 0;
			}
			end = MIN(c1, c2);
		}
	}
	return -ENOMEM;
}

const struct pfn_range *bootmem_allocated(const struct bootmem *bm, size_t *n)
{
	*n = bm->nr_allocated;
	return bm->allocated;
}

void bootmem_retire(struct bootmem *bm) { bm->retired = true; }
