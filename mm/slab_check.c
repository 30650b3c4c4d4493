/*
 * slab_check: prove the invariants of mm/slab.c for one slab set.
 *
 *  1. Geometry: align is a power of two >= 16, size a multiple of it, the
 *     objects fit in the slab after the offset, at most SLAB_MAX_OBJECTS.
 *  2. Lists: every slab on a cache's partial/full/empty list belongs to it
 *     and is in that state (0 < inuse < nr, inuse == nr, inuse == 0); the
 *     list lengths equal nr_partial/nr_full/nr_empty, nr_empty <=
 *     SLAB_KEEP_EMPTY, and the inuse counts add up to the cache's active.
 *  3. Descriptors: the slab's head page is an allocated head of the cache's
 *     order with type SLAB pointing back at the descriptor; an embedded
 *     descriptor sits at the start of its page, any other one is a live
 *     object of the descriptor cache.
 *  4. Freelists: every entry is the start of an object of the slab whose
 *     free bit is set, none twice, and there are exactly nr - inuse of them,
 *     as many as free bits (no bit set beyond nr).
 *  5. Pages: walking the mm, the slab pages of this set are exactly the
 *     slabs on the lists, and the KERNEL blocks tagged SLAB_LARGE_MAGIC
 *     match large_allocs/large_pages (assumes one slab set per mm).
 *
 * Locking: the set lock, then each cache's lock, then (for 3) the
 * descriptor cache's lock. Exact when nothing else allocates meanwhile.
 */
#include "lib/bitmap.h"
#include "mm/check_log.h"
#include "mm/slab_internal.h"


struct slab_checker {
	struct slab_set *set;
	struct check_log log;
	unsigned long slabs;  /* on lists, all caches */
	unsigned long pages;  /* in them */
};

static void check_geometry(struct slab_checker *checker, const struct kmem_cache *cache)
{
	unsigned long bytes = PAGE_SIZE << cache->order;

	if (cache->align < SLAB_MIN_ALIGN || (cache->align & (cache->align - 1)) || cache->size % cache->align ||
	    cache->size < cache->object_size || cache->offset % cache->align || cache->nr_objects == 0 ||
	    cache->nr_objects > SLAB_MAX_OBJECTS ||
	    cache->offset + (unsigned long)cache->nr_objects * cache->size > bytes)
		check_fail(&checker->log, "%s: bad geometry (size %u align %u offset %u order %u nr %u)",
			   cache->name, cache->size, cache->align, cache->offset, cache->order, cache->nr_objects);
}

/* Rule 3 for a descriptor that is not embedded. */
static void check_desc_live(struct slab_checker *checker, const struct slab *slab)
{
	struct slab_set *set = checker->set;
	struct kmem_cache *dc = &set->desc_cache;
	unsigned long pfn = mm_virt_to_pfn(slab), flags;
	struct page *head;
	struct slab *ds;
	long idx;
	bool live;

	head = mm_pfn_valid(set->mm, pfn) ? slab_find_head(set->mm, pfn) : NULL;
	if (!head || !page_is_head(head) || page_type(head) != MEMDESC_SLAB ||
	    ((struct slab *)page_memdesc(head))->cache != dc) {
		check_fail(&checker->log, "descriptor %p of the slab at pfn %#lx is not in a descriptor slab",
			   (const void *)slab, slab->pfn);
		return;
	}
	ds = page_memdesc(head);
	flags = mm_lock_irqsave(&dc->lock);
	idx = slab_obj_index(dc, ds, slab);
	live = idx >= 0 && !bitmap_test_bit(ds->free_map, (unsigned long)idx);
	mm_unlock_irqrestore(&dc->lock, flags);
	if (!live)
		check_fail(&checker->log, "descriptor %p of the slab at pfn %#lx is %s", (const void *)slab,
			   slab->pfn, idx < 0 ? "not a descriptor-cache object" : "free in the descriptor cache");
}

/* Rule 3: the head page and the descriptor agree. */
static void check_page(struct slab_checker *checker, const struct kmem_cache *cache,
		       const struct slab *slab)
{
	struct mm *mm = checker->set->mm;
	struct page *page;

	if (!mm_pfn_valid(mm, slab->pfn)) {
		check_fail(&checker->log, "%s: slab pfn %#lx outside the mm", cache->name, slab->pfn);
		return;
	}
	page = mm_pfn_to_page(mm, slab->pfn);
	if (!page_is_head(page) || page_order(page) != cache->order || page_type(page) != MEMDESC_SLAB ||
	    page_memdesc(page) != slab) {
		check_fail(&checker->log, "%s: pfn %#lx (flags %#lx, memdesc %#lx) does not point back at %p",
			   cache->name, slab->pfn, page_flags(page), page_is_head(page) ? page->memdesc : 0,
			   (const void *)slab);
		return;
	}
	if (cache->flags & SLAB_CACHE_EMBED_DESC) {
		if ((const void *)slab != mm_pfn_to_virt(slab->pfn))
			check_fail(&checker->log, "%s: embedded descriptor %p not at its page", cache->name,
				   (const void *)slab);
	} else {
		check_desc_live(checker, slab);
	}
}

/* Rule 4. */
static void check_freelist(struct slab_checker *checker, const struct kmem_cache *cache,
			   const struct slab *slab)
{
	DECLARE_BITMAP(seen, SLAB_MAX_OBJECTS);
	unsigned long n = 0, expect = cache->nr_objects - slab->inuse;
	void *obj;

	bitmap_zero(seen, SLAB_MAX_OBJECTS);
	for (obj = slab->freelist; obj; obj = *(void **)obj, n++) {
		long idx = slab_obj_index(cache, slab, obj);

		if (idx < 0) {
			check_fail(&checker->log, "%s: slab pfn %#lx: freelist entry %p is not an object of it",
				   cache->name, slab->pfn, obj);
			return;
		}
		if (!bitmap_test_bit(slab->free_map, (unsigned long)idx))
			check_fail(&checker->log, "%s: slab pfn %#lx: object %ld on the freelist is allocated",
				   cache->name, slab->pfn, idx);
		if (bitmap_test_and_set_bit(seen, (unsigned long)idx)) {
			check_fail(&checker->log, "%s: slab pfn %#lx: object %ld on the freelist twice", cache->name,
				   slab->pfn, idx);
			return;
		}
	}
	if (n != expect || bitmap_weight(slab->free_map, cache->nr_objects) != expect)
		check_fail(&checker->log, "%s: slab pfn %#lx: %lu on the freelist, %lu free bits, expected %lu",
			   cache->name, slab->pfn, n, bitmap_weight(slab->free_map, cache->nr_objects), expect);
	if (bitmap_find_next_bit(slab->free_map, SLAB_MAX_OBJECTS, cache->nr_objects) < SLAB_MAX_OBJECTS)
		check_fail(&checker->log, "%s: slab pfn %#lx: free bit beyond object %u", cache->name, slab->pfn,
			   cache->nr_objects);
}

enum slab_state { SLAB_PARTIAL, SLAB_FULL, SLAB_EMPTY };

static bool state_ok(const struct kmem_cache *cache, const struct slab *slab, enum slab_state st)
{
	switch (st) {
	case SLAB_PARTIAL:
		return slab->inuse > 0 && slab->inuse < cache->nr_objects;
	case SLAB_FULL:
		return slab->inuse == cache->nr_objects;
	default:
		return slab->inuse == 0;
	}
}

/* Rule 2 for one list. Return: the objects in use on it. */
static unsigned long check_list(struct slab_checker *checker, const struct kmem_cache *cache,
				const struct list_head *list, unsigned long count,
				enum slab_state st)
{
	static const char *const names[] = { "partial", "full", "empty" };
	unsigned long n = 0, inuse = 0, limit = checker->set->mm->end_pfn - checker->set->mm->base_pfn + 1;
	const struct list_head *pos;

	for (pos = list->next; pos != list && n < limit; pos = pos->next, n++) {
		const struct slab *slab = list_entry(pos, struct slab, list);

		if (slab->cache != cache) {
			check_fail(&checker->log, "%s: %s list holds a slab of %p", cache->name, names[st],
				   (const void *)slab->cache);
			continue;
		}
		if (!state_ok(cache, slab, st))
			check_fail(&checker->log, "%s: slab pfn %#lx on the %s list has %u of %u in use",
				   cache->name, slab->pfn, names[st], slab->inuse, cache->nr_objects);
		check_page(checker, cache, slab);
		check_freelist(checker, cache, slab);
		inuse += slab->inuse;
	}
	if (n != count)
		check_fail(&checker->log, "%s: %lu slabs on the %s list, counter says %lu", cache->name, n,
			   names[st], count);
	checker->slabs += n;
	checker->pages += n << cache->order;
	return inuse;
}

static void check_cache(struct slab_checker *checker, struct kmem_cache *cache)
{
	unsigned long flags = mm_lock_irqsave(&cache->lock), inuse;

	check_geometry(checker, cache);
	inuse = check_list(checker, cache, &cache->partial, cache->nr_partial, SLAB_PARTIAL);
	inuse += check_list(checker, cache, &cache->full, cache->nr_full, SLAB_FULL);
	inuse += check_list(checker, cache, &cache->empty, cache->nr_empty, SLAB_EMPTY);
	if (inuse != cache->active)
		check_fail(&checker->log, "%s: %lu objects in use in the slabs, active says %lu", cache->name, inuse,
			   cache->active);
	if (cache->nr_empty > SLAB_KEEP_EMPTY)
		check_fail(&checker->log, "%s: keeps %lu empty slabs", cache->name, cache->nr_empty);
	if (cache->set != checker->set)
		check_fail(&checker->log, "%s: belongs to another set", cache->name);
	mm_unlock_irqrestore(&cache->lock, flags);
}

/* Rule 5. */
static void check_pages(struct slab_checker *checker)
{
	struct slab_set *set = checker->set;
	struct mm *mm = set->mm;
	unsigned long pfn = mm->base_pfn, slabs = 0, pages = 0, large = 0, large_pages = 0;

	while (pfn < mm->end_pfn) {
		const struct page *page = mm_pfn_to_page(mm, pfn);
		unsigned long n = 1;

		if (page_is_head(page) || page_is_buddy(page))
			n = 1UL << page_order(page);
		if (page_is_head(page) && page_type(page) == MEMDESC_SLAB &&
		    ((const struct slab *)page_memdesc(page))->cache->set == set) {
			slabs++;
			pages += n;
		} else if (page_is_head(page) && page_type(page) == MEMDESC_KERNEL &&
			   (page->private & ~0xffUL) == SLAB_LARGE_MAGIC) {
			if (page->private != (SLAB_LARGE_MAGIC | page_order(page)))
				check_fail(&checker->log, "large block at pfn %#lx: private %#lx, order %u", pfn,
					   page->private, page_order(page));
			large++;
			large_pages += n;
		}
		pfn += n;
	}
	if (slabs != checker->slabs || pages != checker->pages)
		check_fail(&checker->log, "%lu slabs (%lu pages) in the mm, %lu (%lu) on the lists", slabs,
			   pages, checker->slabs, checker->pages);
	if (large != set->large_allocs || large_pages != set->large_pages)
		check_fail(&checker->log, "%lu large blocks (%lu pages) in the mm, counters say %lu (%lu)",
			   large, large_pages, set->large_allocs, set->large_pages);
}

unsigned int slab_check(struct slab_set *set)
{
	struct slab_checker checker = { .set = set, .log = { "slab_check", set->name, 0 } };
	unsigned long flags = mm_lock_irqsave(&set->lock);
	struct kmem_cache *cache;

	list_for_each_entry(cache, &set->caches, node)
		check_cache(&checker, cache);
	check_pages(&checker);
	mm_unlock_irqrestore(&set->lock, flags);
	return check_log_finish(&checker.log);
}
