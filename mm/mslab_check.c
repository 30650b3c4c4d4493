/*
 * mslab_check: prove the invariants of an mslab pool (see mslab.c):
 *
 *  1. Each class's partial pages have 0 < inuse < nr, full pages inuse ==
 *     nr, isolated pages inuse > 0 and their isolated mark; every page
 *     names the pool and its class; the class counts its pages.
 *  2. Per page: the free bitmap has nr - inuse bits set (none beyond nr);
 *     object i is free iff slot[i] == 0; a used object's slot is in use and
 *     names this page and i; the page's map count is the sum of its slots'.
 *  3. The frame behind each descriptor is an allocated MSLAB head whose
 *     memdesc is the descriptor, movable, isolated iff the page is.
 *  4. Class object and byte counts equal the slots that name its pages;
 *     every used slot names a page of the pool (counted through 2); the
 *     free list holds exactly the unused slots, without a cycle.
 *  5. Every MSLAB page of the mm whose descriptor names the pool is on one
 *     of its lists.
 */
#include "lib/bitmap.h"
#include "mm/check_report.h"
#include "mm/mslab_internal.h"


struct mslab_checker {
	struct mslab_pool *pool;
	struct check_report rep;
	unsigned long pages;      /* on the class lists */
	unsigned long objects;    /* used objects found on pages */
};

static __printf(2, 3) void violation(struct mslab_checker *k, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vcheck_report(&k->rep, fmt, ap);
	va_end(ap);
}

/* Rule 3. */
static void check_frame(struct mslab_checker *k, const struct mslab_page *d)
{
	struct mm *mm = k->pool->mm;
	const struct page *p;

	if (!mm_pfn_valid(mm, d->pfn)) {
		violation(k, "page at pfn %#lx outside the mm", d->pfn);
		return;
	}
	p = mm_pfn_to_page(mm, d->pfn);
	if (!page_is_head(p) || page_order(p) || page_type(p) != MEMDESC_MSLAB ||
	    page_memdesc(p) != d || !page_is_movable(p) ||
	    page_is_isolated(p) != (d->isolated != 0))
		violation(k, "pfn %#lx: flags %#lx memdesc %#lx do not match its descriptor %p",
			  d->pfn, p->flags, page_is_head(p) ? p->memdesc : 0UL, (const void *)d);
}

/* Rule 2; returns the page's bytes asked for. */
static unsigned long check_objects(struct mslab_checker *k, const struct mslab_page *d,
				   const struct mslab_class *c)
{
	struct mslab_pool *pool = k->pool;
	unsigned long bytes = 0, mapped = 0, limit = pool->nr_chunks * MSLAB_SLOTS_PER_PAGE;
	unsigned int i;

	if (bitmap_weight(d->free_map, c->nr_objects) != (unsigned long)(c->nr_objects - d->inuse) ||
	    bitmap_weight(d->free_map, MSLAB_MAX_OBJECTS) != bitmap_weight(d->free_map, c->nr_objects))
		violation(k, "pfn %#lx: free bitmap disagrees with inuse %u", d->pfn, d->inuse);
	for (i = 0; i < c->nr_objects; i++) {
		const struct mslab_slot *s;

		if (bitmap_test_bit(d->free_map, i) != (d->slot[i] == 0)) {
			violation(k, "pfn %#lx object %u: free bit and slot %u disagree", d->pfn, i,
				  d->slot[i]);
			continue;
		}
		if (!d->slot[i])
			continue;
		if (d->slot[i] >= limit) {
			violation(k, "pfn %#lx object %u: slot %u beyond the table", d->pfn, i,
				  d->slot[i]);
			continue;
		}
		s = mslab_slot_at(pool, d->slot[i]);
		if (!s->used || s->page != d || s->obj != i || s->size > c->size || !s->size)
			violation(k, "pfn %#lx object %u: slot %u does not name it back", d->pfn,
				  i, d->slot[i]);
		bytes += s->size;
		mapped += s->mapped;
		k->objects++;
	}
	if (mapped != d->mapped)
		violation(k, "pfn %#lx: map count %u, its slots say %lu", d->pfn, d->mapped, mapped);
	return bytes;
}

enum list_kind { LIST_PARTIAL, LIST_FULL, LIST_ISOLATED };

/* Rules 1-3 for one list; returns its pages; adds objects and bytes. */
static unsigned long check_list(struct mslab_checker *k, unsigned int ci,
				const struct list_head *list, enum list_kind kind,
				unsigned long *objects, unsigned long *bytes)
{
	const struct mslab_class *c = &k->pool->classes[ci];
	const struct mslab_page *d;
	unsigned long n = 0;

	list_for_each_entry(d, list, list) {
		bool ok = kind == LIST_FULL ? d->inuse == c->nr_objects
			: kind == LIST_PARTIAL ? d->inuse && d->inuse < c->nr_objects
			: d->inuse && d->inuse <= c->nr_objects;

		if (!ok || (kind == LIST_ISOLATED) != (d->isolated != 0))
			violation(k, "class %u pfn %#lx: inuse %u isolated %u on list %d", c->size,
				  d->pfn, d->inuse, d->isolated, kind);
		if (d->pool != k->pool || d->class_idx != ci) {
			violation(k, "class %u: descriptor %p names another pool or class",
				  c->size, (const void *)d);
			continue;
		}
		check_frame(k, d);
		*objects += d->inuse;
		*bytes += check_objects(k, d, c);
		n++;
	}
	return n;
}

static void check_class(struct mslab_checker *k, unsigned int ci)
{
	const struct mslab_class *c = &k->pool->classes[ci];
	unsigned long objects = 0, bytes = 0, pages;

	pages = check_list(k, ci, &c->partial, LIST_PARTIAL, &objects, &bytes);
	pages += check_list(k, ci, &c->full, LIST_FULL, &objects, &bytes);
	pages += check_list(k, ci, &c->isolated, LIST_ISOLATED, &objects, &bytes);
	if (pages != c->nr_pages)
		violation(k, "class %u: %lu pages on the lists, counter %lu", c->size, pages,
			  c->nr_pages);
	if (objects != c->nr_objects_used || bytes != c->bytes_used)
		violation(k, "class %u: %lu objects / %lu bytes on pages, counters %lu / %lu",
			  c->size, objects, bytes, c->nr_objects_used, c->bytes_used);
	k->pages += pages;
}

/* Rule 4: used slots and the free list. */
static void check_table(struct mslab_checker *k)
{
	struct mslab_pool *pool = k->pool;
	unsigned long end = pool->nr_chunks * MSLAB_SLOTS_PER_PAGE, used = 0, free = 0, i;

	for (i = 1; i < end; i++)
		used += mslab_slot_at(pool, i)->used;
	if (used != pool->nr_handles || used != k->objects)
		violation(k, "%lu used slots, %lu handles counted, %lu objects on pages", used,
			  pool->nr_handles, k->objects);
	for (i = pool->free_slot; i && free < end; i = mslab_slot_at(pool, i)->next_free) {
		if (i >= end || mslab_slot_at(pool, i)->used) {
			violation(k, "free list holds slot %lu (used or beyond the table)", i);
			return;
		}
		free++;
	}
	if (end && free != end - 1 - used)
		violation(k, "free list has %lu slots, expected %lu (or a cycle)", free,
			  end - 1 - used);
}

/* Rule 5. */
static void check_mm_pages(struct mslab_checker *k)
{
	struct mm *mm = k->pool->mm;
	unsigned long pfn = mm->base_pfn, found = 0;

	while (pfn < mm->end_pfn) {
		const struct page *p = mm_pfn_to_page(mm, pfn);
		unsigned long n = 1;

		if (page_is_head(p) || page_is_buddy(p))
			n = 1UL << page_order(p);
		if (page_is_head(p) && page_type(p) == MEMDESC_MSLAB && page_memdesc(p) &&
		    ((const struct mslab_page *)page_memdesc(p))->pool == k->pool)
			found++;
		pfn += n;
	}
	if (found != k->pages)
		violation(k, "%lu MSLAB pages of the pool in the mm, %lu on its lists", found,
			  k->pages);
}

unsigned int mslab_check(struct mslab_pool *pool)
{
	struct mslab_checker k = { .pool = pool, .rep = { "mslab_check", pool->name, 0 } };
	unsigned long flags = mm_lock_irqsave(&pool->lock);
	unsigned int i;

	for (i = 0; i < pool->nr_classes; i++)
		check_class(&k, i);
	check_table(&k);
	check_mm_pages(&k);
	mm_unlock_irqrestore(&pool->lock, flags);
	return check_report_finish(&k.rep);
}
