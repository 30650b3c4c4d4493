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
#include "mm/check_log.h"
#include "mm/mslab_internal.h"


struct mslab_checker {
	struct mslab_pool *pool;
	struct check_log log;
	unsigned long pages;      /* on the class lists */
	unsigned long objects;    /* used objects found on pages */
};

/* Rule 3. */
static void check_frame(struct mslab_checker *checker, const struct mslab_page *mpage)
{
	struct mm *mm = checker->pool->mm;
	const struct page *page;

	if (!mm_pfn_valid(mm, mpage->pfn)) {
		check_fail(&checker->log, "page at pfn %#lx outside the mm", mpage->pfn);
		return;
	}
	page = mm_pfn_to_page(mm, mpage->pfn);
	if (!page_is_head(page) || page_order(page) || page_type(page) != MEMDESC_MSLAB ||
	    page_memdesc(page) != mpage || !page_is_movable(page) ||
	    page_is_isolated(page) != (mpage->isolated != 0))
		check_fail(&checker->log, "pfn %#lx: flags %#lx memdesc %#lx do not match its descriptor %p",
			   mpage->pfn, page_flags(page), page_is_head(page) ? page->memdesc : 0UL, (const void *)mpage);
}

/* Rule 2; returns the page's bytes asked for. */
static unsigned long check_objects(struct mslab_checker *checker, const struct mslab_page *mpage,
				   const struct mslab_class *class)
{
	struct mslab_pool *pool = checker->pool;
	unsigned long bytes = 0, mapped = 0, limit = pool->nr_chunks * MSLAB_SLOTS_PER_PAGE;
	unsigned int i;

	if (bitmap_weight(mpage->free_map, class->nr_objects) != (unsigned long)(class->nr_objects - mpage->inuse) ||
	    bitmap_weight(mpage->free_map, MSLAB_MAX_OBJECTS) != bitmap_weight(mpage->free_map, class->nr_objects))
		check_fail(&checker->log, "pfn %#lx: free bitmap disagrees with inuse %u", mpage->pfn, mpage->inuse);
	for (i = 0; i < class->nr_objects; i++) {
		const struct mslab_slot *slot;

		if (bitmap_test_bit(mpage->free_map, i) != (mpage->slot[i] == 0)) {
			check_fail(&checker->log, "pfn %#lx object %u: free bit and slot %u disagree", mpage->pfn, i,
				   mpage->slot[i]);
			continue;
		}
		if (!mpage->slot[i])
			continue;
		if (mpage->slot[i] >= limit) {
			check_fail(&checker->log, "pfn %#lx object %u: slot %u beyond the table", mpage->pfn, i,
				   mpage->slot[i]);
			continue;
		}
		slot = mslab_slot_at(pool, mpage->slot[i]);
		if (!slot->used || slot->page != mpage || slot->obj != i || slot->size > class->size || !slot->size)
			check_fail(&checker->log, "pfn %#lx object %u: slot %u does not name it back", mpage->pfn,
				   i, mpage->slot[i]);
		bytes += slot->size;
		mapped += slot->mapped;
		checker->objects++;
	}
	if (mapped != mpage->mapped)
		check_fail(&checker->log, "pfn %#lx: map count %u, its slots say %lu", mpage->pfn,
			   mpage->mapped, mapped);
	return bytes;
}

enum list_kind { LIST_PARTIAL, LIST_FULL, LIST_ISOLATED };

/* Rules 1-3 for one list; returns its pages; adds objects and bytes. */
static unsigned long check_list(struct mslab_checker *checker, unsigned int ci,
				const struct list_head *list, enum list_kind kind,
				unsigned long *objects, unsigned long *bytes)
{
	const struct mslab_class *class = &checker->pool->classes[ci];
	const struct mslab_page *mpage;
	unsigned long n = 0;

	list_for_each_entry(mpage, list, list) {
		bool ok = kind == LIST_FULL ? mpage->inuse == class->nr_objects
			: kind == LIST_PARTIAL ? mpage->inuse && mpage->inuse < class->nr_objects
			: mpage->inuse && mpage->inuse <= class->nr_objects;

		if (!ok || (kind == LIST_ISOLATED) != (mpage->isolated != 0))
			check_fail(&checker->log, "class %u pfn %#lx: inuse %u isolated %u on list %d", class->size,
				   mpage->pfn, mpage->inuse, mpage->isolated, kind);
		if (mpage->pool != checker->pool || mpage->class_idx != ci) {
			check_fail(&checker->log, "class %u: descriptor %p names another pool or class",
				   class->size, (const void *)mpage);
			continue;
		}
		check_frame(checker, mpage);
		*objects += mpage->inuse;
		*bytes += check_objects(checker, mpage, class);
		n++;
	}
	return n;
}

static void check_class(struct mslab_checker *checker, unsigned int ci)
{
	const struct mslab_class *class = &checker->pool->classes[ci];
	unsigned long objects = 0, bytes = 0, pages;

	pages = check_list(checker, ci, &class->partial, LIST_PARTIAL, &objects, &bytes);
	pages += check_list(checker, ci, &class->full, LIST_FULL, &objects, &bytes);
	pages += check_list(checker, ci, &class->isolated, LIST_ISOLATED, &objects, &bytes);
	if (pages != class->nr_pages)
		check_fail(&checker->log, "class %u: %lu pages on the lists, counter %lu", class->size, pages,
			   class->nr_pages);
	if (objects != class->nr_objects_used || bytes != class->bytes_used)
		check_fail(&checker->log, "class %u: %lu objects / %lu bytes on pages, counters %lu / %lu",
			   class->size, objects, bytes, class->nr_objects_used, class->bytes_used);
	checker->pages += pages;
}

/* Rule 4: used slots and the free list. */
static void check_table(struct mslab_checker *checker)
{
	struct mslab_pool *pool = checker->pool;
	unsigned long end = pool->nr_chunks * MSLAB_SLOTS_PER_PAGE, used = 0, free = 0, i;

	for (i = 1; i < end; i++)
		used += mslab_slot_at(pool, i)->used;
	if (used != pool->nr_handles || used != checker->objects)
		check_fail(&checker->log, "%lu used slots, %lu handles counted, %lu objects on pages", used,
			   pool->nr_handles, checker->objects);
	for (i = pool->free_slot; i && free < end; i = mslab_slot_at(pool, i)->next_free) {
		if (i >= end || mslab_slot_at(pool, i)->used) {
			check_fail(&checker->log, "free list holds slot %lu (used or beyond the table)", i);
			return;
		}
		free++;
	}
	if (end && free != end - 1 - used)
		check_fail(&checker->log, "free list has %lu slots, expected %lu (or a cycle)", free,
			   end - 1 - used);
}

/* Rule 5. */
static void check_mm_pages(struct mslab_checker *checker)
{
	struct mm *mm = checker->pool->mm;
	unsigned long pfn = mm->base_pfn, found = 0;

	while (pfn < mm->end_pfn) {
		const struct page *page = mm_pfn_to_page(mm, pfn);
		unsigned long n = 1;

		if (page_is_head(page) || page_is_buddy(page))
			n = 1UL << page_order(page);
		if (page_is_head(page) && page_type(page) == MEMDESC_MSLAB && page_memdesc(page) &&
		    ((const struct mslab_page *)page_memdesc(page))->pool == checker->pool)
			found++;
		pfn += n;
	}
	if (found != checker->pages)
		check_fail(&checker->log, "%lu MSLAB pages of the pool in the mm, %lu on its lists", found,
			   checker->pages);
}

unsigned int mslab_check(struct mslab_pool *pool)
{
	struct mslab_checker checker = { .pool = pool, .log = { "mslab_check", pool->name, 0 } };
	unsigned long flags = mm_lock_irqsave(&pool->lock);
	unsigned int i;

	for (i = 0; i < pool->nr_classes; i++)
		check_class(&checker, i);
	check_table(&checker);
	check_mm_pages(&checker);
	mm_unlock_irqrestore(&pool->lock, flags);
	return check_log_finish(&checker.log);
}
