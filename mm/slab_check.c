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
#include "mm/check_report.h"
#include "mm/slab_internal.h"


struct slab_checker {
	struct slab_set *set;
	struct check_report rep;
	unsigned long slabs;  /* on lists, all caches */
	unsigned long pages;  /* in them */
};

static __printf(2, 3) void violation(struct slab_checker *k, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vcheck_report(&k->rep, fmt, ap);
	va_end(ap);
}

static void check_geometry(struct slab_checker *k, const struct kmem_cache *c)
{
	unsigned long bytes = PAGE_SIZE << c->order;

	if (c->align < SLAB_MIN_ALIGN || (c->align & (c->align - 1)) || c->size % c->align ||
	    c->size < c->object_size || c->offset % c->align || c->nr_objects == 0 ||
	    c->nr_objects > SLAB_MAX_OBJECTS ||
	    c->offset + (unsigned long)c->nr_objects * c->size > bytes)
		violation(k, "%s: bad geometry (size %u align %u offset %u order %u nr %u)",
			  c->name, c->size, c->align, c->offset, c->order, c->nr_objects);
}

/* Rule 3 for a descriptor that is not embedded. */
static void check_desc_live(struct slab_checker *k, const struct slab *s)
{
	struct slab_set *set = k->set;
	struct kmem_cache *dc = &set->desc_cache;
	unsigned long pfn = mm_virt_to_pfn(s), flags;
	struct page *head;
	struct slab *ds;
	long idx;
	bool live;

	head = mm_pfn_valid(set->mm, pfn) ? slab_find_head(set->mm, pfn) : NULL;
	if (!head || !page_is_head(head) || page_type(head) != MEMDESC_SLAB ||
	    ((struct slab *)page_memdesc(head))->cache != dc) {
		violation(k, "descriptor %p of the slab at pfn %#lx is not in a descriptor slab",
			  (const void *)s, s->pfn);
		return;
	}
	ds = page_memdesc(head);
	flags = mm_lock_irqsave(&dc->lock);
	idx = slab_obj_index(dc, ds, s);
	live = idx >= 0 && !bitmap_test_bit(ds->free_map, (unsigned long)idx);
	mm_unlock_irqrestore(&dc->lock, flags);
	if (!live)
		violation(k, "descriptor %p of the slab at pfn %#lx is %s", (const void *)s, s->pfn,
			  idx < 0 ? "not a descriptor-cache object" : "free in the descriptor cache");
}

/* Rule 3: the head page and the descriptor agree. */
static void check_page(struct slab_checker *k, const struct kmem_cache *c,
		       const struct slab *s)
{
	struct mm *mm = k->set->mm;
	struct page *p;

	if (!mm_pfn_valid(mm, s->pfn)) {
		violation(k, "%s: slab pfn %#lx outside the mm", c->name, s->pfn);
		return;
	}
	p = mm_pfn_to_page(mm, s->pfn);
	if (!page_is_head(p) || page_order(p) != c->order || page_type(p) != MEMDESC_SLAB ||
	    page_memdesc(p) != s) {
		violation(k, "%s: pfn %#lx (flags %#lx, memdesc %#lx) does not point back at %p",
			  c->name, s->pfn, p->flags, page_is_head(p) ? p->memdesc : 0,
			  (const void *)s);
		return;
	}
	if (c->flags & SLAB_CACHE_EMBED_DESC) {
		if ((const void *)s != mm_pfn_to_virt(s->pfn))
			violation(k, "%s: embedded descriptor %p not at its page", c->name,
				  (const void *)s);
	} else {
		check_desc_live(k, s);
	}
}

/* Rule 4. */
static void check_freelist(struct slab_checker *k, const struct kmem_cache *c,
			   const struct slab *s)
{
	DECLARE_BITMAP(seen, SLAB_MAX_OBJECTS);
	unsigned long n = 0, expect = c->nr_objects - s->inuse;
	void *obj;

	bitmap_zero(seen, SLAB_MAX_OBJECTS);
	for (obj = s->freelist; obj; obj = *(void **)obj, n++) {
		long idx = slab_obj_index(c, s, obj);

		if (idx < 0) {
			violation(k, "%s: slab pfn %#lx: freelist entry %p is not an object of it",
				  c->name, s->pfn, obj);
			return;
		}
		if (!bitmap_test_bit(s->free_map, (unsigned long)idx))
			violation(k, "%s: slab pfn %#lx: object %ld on the freelist is allocated",
				  c->name, s->pfn, idx);
		if (bitmap_test_and_set_bit(seen, (unsigned long)idx)) {
			violation(k, "%s: slab pfn %#lx: object %ld on the freelist twice", c->name,
				  s->pfn, idx);
			return;
		}
	}
	if (n != expect || bitmap_weight(s->free_map, c->nr_objects) != expect)
		violation(k, "%s: slab pfn %#lx: %lu on the freelist, %lu free bits, expected %lu",
			  c->name, s->pfn, n, bitmap_weight(s->free_map, c->nr_objects), expect);
	if (bitmap_find_next_bit(s->free_map, SLAB_MAX_OBJECTS, c->nr_objects) < SLAB_MAX_OBJECTS)
		violation(k, "%s: slab pfn %#lx: free bit beyond object %u", c->name, s->pfn,
			  c->nr_objects);
}

enum slab_state { SLAB_PARTIAL, SLAB_FULL, SLAB_EMPTY };

static bool state_ok(const struct kmem_cache *c, const struct slab *s, enum slab_state st)
{
	switch (st) {
	case SLAB_PARTIAL:
		return s->inuse > 0 && s->inuse < c->nr_objects;
	case SLAB_FULL:
		return s->inuse == c->nr_objects;
	default:
		return s->inuse == 0;
	}
}

/* Rule 2 for one list. Return: the objects in use on it. */
static unsigned long check_list(struct slab_checker *k, const struct kmem_cache *c,
				const struct list_head *list, unsigned long count,
				enum slab_state st)
{
	static const char *const names[] = { "partial", "full", "empty" };
	unsigned long n = 0, inuse = 0, limit = k->set->mm->end_pfn - k->set->mm->base_pfn + 1;
	const struct list_head *pos;

	for (pos = list->next; pos != list && n < limit; pos = pos->next, n++) {
		const struct slab *s = list_entry(pos, struct slab, list);

		if (s->cache != c) {
			violation(k, "%s: %s list holds a slab of %p", c->name, names[st],
				  (const void *)s->cache);
			continue;
		}
		if (!state_ok(c, s, st))
			violation(k, "%s: slab pfn %#lx on the %s list has %u of %u in use",
				  c->name, s->pfn, names[st], s->inuse, c->nr_objects);
		check_page(k, c, s);
		check_freelist(k, c, s);
		inuse += s->inuse;
	}
	if (n != count)
		violation(k, "%s: %lu slabs on the %s list, counter says %lu", c->name, n,
			  names[st], count);
	k->slabs += n;
	k->pages += n << c->order;
	return inuse;
}

static void check_cache(struct slab_checker *k, struct kmem_cache *c)
{
	unsigned long flags = mm_lock_irqsave(&c->lock), inuse;

	check_geometry(k, c);
	inuse = check_list(k, c, &c->partial, c->nr_partial, SLAB_PARTIAL);
	inuse += check_list(k, c, &c->full, c->nr_full, SLAB_FULL);
	inuse += check_list(k, c, &c->empty, c->nr_empty, SLAB_EMPTY);
	if (inuse != c->active)
		violation(k, "%s: %lu objects in use in the slabs, active says %lu", c->name, inuse,
			  c->active);
	if (c->nr_empty > SLAB_KEEP_EMPTY)
		violation(k, "%s: keeps %lu empty slabs", c->name, c->nr_empty);
	if (c->set != k->set)
		violation(k, "%s: belongs to another set", c->name);
	mm_unlock_irqrestore(&c->lock, flags);
}

/* Rule 5. */
static void check_pages(struct slab_checker *k)
{
	struct slab_set *set = k->set;
	struct mm *mm = set->mm;
	unsigned long pfn = mm->base_pfn, slabs = 0, pages = 0, large = 0, large_pages = 0;

	while (pfn < mm->end_pfn) {
		const struct page *p = mm_pfn_to_page(mm, pfn);
		unsigned long n = 1;

		if (page_is_head(p) || page_is_buddy(p))
			n = 1UL << page_order(p);
		if (page_is_head(p) && page_type(p) == MEMDESC_SLAB &&
		    ((const struct slab *)page_memdesc(p))->cache->set == set) {
			slabs++;
			pages += n;
		} else if (page_is_head(p) && page_type(p) == MEMDESC_KERNEL &&
			   (p->private & ~0xffUL) == SLAB_LARGE_MAGIC) {
			if (p->private != (SLAB_LARGE_MAGIC | page_order(p)))
				violation(k, "large block at pfn %#lx: private %#lx, order %u", pfn,
					  p->private, page_order(p));
			large++;
			large_pages += n;
		}
		pfn += n;
	}
	if (slabs != k->slabs || pages != k->pages)
		violation(k, "%lu slabs (%lu pages) in the mm, %lu (%lu) on the lists", slabs,
			  pages, k->slabs, k->pages);
	if (large != set->large_allocs || large_pages != set->large_pages)
		violation(k, "%lu large blocks (%lu pages) in the mm, counters say %lu (%lu)",
			  large, large_pages, set->large_allocs, set->large_pages);
}

unsigned int slab_check(struct slab_set *set)
{
	struct slab_checker k = { .set = set, .rep = { "slab_check", set->name, 0 } };
	unsigned long flags = mm_lock_irqsave(&set->lock);
	struct kmem_cache *c;

	list_for_each_entry(c, &set->caches, node)
		check_cache(&k, c);
	check_pages(&k);
	mm_unlock_irqrestore(&set->lock, flags);
	return check_report_finish(&k.rep);
}
