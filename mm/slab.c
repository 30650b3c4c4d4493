/*
 * The slab allocator: fixed-size objects packed into slabs (blocks of
 * 2^order pages from the buddy), and kmalloc over a ladder of such caches.
 *
 * A slab's head page has memdesc type MEMDESC_SLAB and points to a struct
 * slab descriptor that lives elsewhere: the descriptor records the owning
 * cache, the first free object (each free object stores the address of the
 * next one in its first word) and a bitmap of free objects, which is what
 * catches double frees and validates the freelist.
 *
 * Bootstrap: descriptors come from the set's descriptor cache ("slab-desc"),
 * whose own slabs cannot take descriptors from themselves. Its slabs carry
 * their descriptor in their first bytes instead (SLAB_CACHE_EMBED_DESC:
 * objects start after it), so a new descriptor slab needs nothing but a page
 * and the recursion stops after one level: cache X -> slab-desc -> buddy.
 * The kmem_cache structures of created caches come from a second internal
 * cache ("kmem_cache"); both internal caches and the kmalloc classes
 * (mm/slab_kmalloc.c) are embedded in struct slab_set, so nothing needs
 * memory before it exists.
 *
 * Invariants (slab_check): each slab is on exactly one of its cache's lists,
 * partial (0 < inuse < nr), full (inuse == nr) or empty (inuse == 0), and the
 * counters match the lists; a cache keeps at most SLAB_KEEP_EMPTY empty
 * slabs; the freelist holds exactly the objects whose free bit is set;
 * every slab page of the mm is on a list, every large kmalloc block counted.
 *
 * Locking: a cache's lock covers its lists and its slabs' freelists and
 * bitmaps. It is dropped while a new slab is built or an empty one freed, so
 * the only nesting is set lock -> cache lock -> descriptor-cache lock
 * (slab_check, slab_shrink). Pages are unmovable: GFP_MOVABLE is ignored.
 */
#include "include/errno.h"
#include "lib/bitmap.h"
#include "lib/string.h"
#include "mm/fault_inject.h"
#include "mm/slab_internal.h"

/* What the buddy is asked for: slab pages are unmovable and zeroed per
 * object, never per page. */
static gfp_t page_gfp(gfp_t gfp) { return gfp & ~(GFP_ZERO | GFP_MOVABLE); }

struct page *slab_find_head(struct mm *mm, unsigned long pfn)
{
	unsigned int o;

	for (o = 0; o <= MAX_ORDER; o++) {
		unsigned long cand = pfn & ~((1UL << o) - 1);
		struct page *page;

		if (!mm_pfn_valid(mm, cand))
			return NULL;
		page = mm_pfn_to_page(mm, cand);
		if (page_flags(page) & (PG_head | PG_buddy))
			return cand + (1UL << page_order(page)) > pfn ? page : NULL;
		if (page_flags(page) & (PG_pcp | PG_reserved))
			return cand == pfn ? page : NULL;
	}
	return NULL;
}

/* ---- cache geometry ---- */

static bool cache_args_valid(size_t size, size_t align)
{
	return size && size <= SLAB_MAX_SIZE && align <= PAGE_SIZE && !(align & (align - 1));
}

/*
 * Choose the slab order: the smallest whose unused tail is at most 1/8 of
 * the slab, else the one wasting the smallest fraction.
 * Return: 0, or -EINVAL when an object fits in no slab.
 */
static int cache_geometry(struct kmem_cache *cache)
{
	unsigned long best_waste = 0, best_bytes = 1;
	unsigned int order, best = ~0u;

	cache->offset = (cache->flags & SLAB_CACHE_EMBED_DESC) ? ALIGN_UP(sizeof(struct slab), cache->align)
						      : 0;
	for (order = 0; order <= SLAB_MAX_ORDER; order++) {
		unsigned long bytes = PAGE_SIZE << order, room, nr, waste;

		if (cache->offset + cache->size > bytes)
			continue;
		room = bytes - cache->offset;
		nr = MIN(room / cache->size, SLAB_MAX_OBJECTS);
		waste = room - nr * cache->size;
		if (best == ~0u || waste * best_bytes < best_waste * bytes) {
			best = order;
			best_waste = waste;
			best_bytes = bytes;
		}
		if (waste * 8 <= bytes)
			break;
	}
	if (best == ~0u)
		return -EINVAL;
	cache->order = best;
	cache->nr_objects = (unsigned int)MIN(((PAGE_SIZE << best) - cache->offset) / cache->size,
					  SLAB_MAX_OBJECTS);
	return 0;
}

static int cache_init(struct kmem_cache *cache, struct slab_set *set, const char *name,
		      size_t size, size_t align, unsigned int flags)
{
	if (!cache_args_valid(size, align))
		return -EINVAL;
	memset(cache, 0, sizeof(*cache));
	strlcpy(cache->name, name ? name : "(unnamed)", sizeof(cache->name));
	cache->set = set;
	cache->flags = flags;
	cache->object_size = (unsigned int)size;
	cache->align = (unsigned int)MAX(align, SLAB_MIN_ALIGN);
	cache->size = (unsigned int)ALIGN_UP(size, cache->align);
	if (cache_geometry(cache))
		return -EINVAL;
	mm_lock_init(&cache->lock, cache->name);
	list_init(&cache->partial);
	list_init(&cache->full);
	list_init(&cache->empty);
	list_init(&cache->node);
	return 0;
}

/* ---- slabs ---- */

/* Thread the free objects of @slab (free bits) into its freelist, lowest
 * address first. */
static void slab_build_freelist(struct kmem_cache *cache, struct slab *slab)
{
	unsigned long i = cache->nr_objects;
	void *head = NULL;

	while (i--) {
		if (!bitmap_test_bit(slab->free_map, i))
			continue;
		*(void **)slab_object(cache, slab, i) = head;
		head = slab_object(cache, slab, i);
	}
	slab->freelist = head;
}

/*
 * Take 2^order pages and a descriptor (the descriptor cache's slabs hold
 * their own) and make them an empty slab of @cache, not yet on a list.
 * Return: the slab, or NULL with nothing held when memory ran out.
 * Context: @cache's lock not held.
 */
static struct slab *new_slab(struct kmem_cache *cache, gfp_t gfp)
{
	struct slab_set *set = cache->set;
	struct page *page = mm_alloc_pages(set->mm, cache->order, page_gfp(gfp));
	struct slab *slab;

	if (!page)
		return NULL;
	if (cache->flags & SLAB_CACHE_EMBED_DESC) {
		slab = mm_page_address(set->mm, page);
	} else {
		slab = slab_cache_alloc(&set->desc_cache, page_gfp(gfp));
		if (!slab) {
			mm_free_pages(set->mm, page, cache->order);
			return NULL;
		}
	}
	list_init(&slab->list);
	slab->cache = cache;
	slab->pfn = mm_page_to_pfn(set->mm, page);
	slab->inuse = 0;
	slab->reserved = 0;
	bitmap_zero(slab->free_map, SLAB_MAX_OBJECTS);
	bitmap_set(slab->free_map, 0, cache->nr_objects);
	slab_build_freelist(cache, slab);
	page_set_memdesc(page, MEMDESC_SLAB, slab);
	return slab;
}

/* Give an empty slab, already off its list, back: descriptor, then pages.
 * Context: @cache's lock not held. */
static void free_slab(struct kmem_cache *cache, struct slab *slab)
{
	struct mm *mm = cache->set->mm;
	struct page *page = mm_pfn_to_page(mm, slab->pfn);

	page_set_memdesc(page, MEMDESC_KERNEL, NULL);
	if (!(cache->flags & SLAB_CACHE_EMBED_DESC))
		slab_cache_free(&cache->set->desc_cache, slab);
	mm_free_pages(mm, page, cache->order);
}

/* ---- allocation ---- */

/* Pop the first free object of @slab. A freelist head that is not a free
 * object of @slab (a write after free) is reported and the freelist rebuilt
 * from the bitmap, which the freelist cannot corrupt. */
static void *slab_pop(struct kmem_cache *cache, struct slab *slab)
{
	void *obj = slab->freelist;
	long idx = slab_obj_index(cache, slab, obj);

	if (idx < 0 || !bitmap_test_bit(slab->free_map, (unsigned long)idx)) {
		slab_bug(cache->set, "%s: freelist of the slab at pfn %#lx points to %p; rebuilt\n",
			 cache->name, slab->pfn, obj);
		slab_build_freelist(cache, slab);
		obj = slab->freelist;
		idx = slab_obj_index(cache, slab, obj);
		ASSERT_MSG(idx >= 0, "%s: slab at pfn %#lx has inuse %u but no free bit", cache->name,
			   slab->pfn, slab->inuse);
	}
	slab->freelist = *(void **)obj;
	bitmap_clear_bit(slab->free_map, (unsigned long)idx);
	slab->inuse++;
	return obj;
}

/* An object from a partial slab, else from an empty one; NULL when neither
 * exists. Context: @cache's lock held. */
static void *alloc_locked(struct kmem_cache *cache)
{
	struct slab *slab;
	void *obj;

	ASSERT_MSG(mm_lock_held(&cache->lock), "%s", cache->name);
	if (!list_empty(&cache->partial)) {
		slab = list_first_entry(&cache->partial, struct slab, list);
	} else if (!list_empty(&cache->empty)) {
		slab = list_first_entry(&cache->empty, struct slab, list);
		list_move(&slab->list, &cache->partial);
		cache->nr_empty--;
		cache->nr_partial++;
	} else {
		return NULL;
	}
	obj = slab_pop(cache, slab);
	if (slab->inuse == cache->nr_objects) {
		list_move(&slab->list, &cache->full);
		cache->nr_partial--;
		cache->nr_full++;
	}
	cache->active++;
	cache->allocs++;
	return obj;
}

void *slab_cache_alloc(struct kmem_cache *cache, gfp_t gfp)
{
	unsigned long flags;
	void *obj;
	struct slab *slab;

	if (fault_should_fail(cache->set->mm, FAULT_SLAB)) {
		flags = mm_lock_irqsave(&cache->lock);
		cache->fails++;
		mm_unlock_irqrestore(&cache->lock, flags);
		return NULL;
	}
	flags = mm_lock_irqsave(&cache->lock);
	obj = alloc_locked(cache);
	mm_unlock_irqrestore(&cache->lock, flags);
	if (!obj) {
		slab = new_slab(cache, gfp);
		flags = mm_lock_irqsave(&cache->lock);
		if (slab) {
			list_add(&slab->list, &cache->empty);
			cache->nr_empty++;
			obj = alloc_locked(cache);
		} else {
			cache->fails++;
		}
		mm_unlock_irqrestore(&cache->lock, flags);
		if (!obj)
			return NULL;
	}
	if (gfp & GFP_ZERO)
		memset(obj, 0, cache->size);
	return obj;
}

/* ---- free ---- */

/* An emptied slab beyond SLAB_KEEP_EMPTY goes back to the buddy (the
 * oldest empty one). */
void slab_free_object(struct kmem_cache *cache, struct slab *slab, const void *obj, const char *op)
{
	unsigned long flags = mm_lock_irqsave(&cache->lock);
	long idx = slab_obj_index(cache, slab, obj);
	struct slab *release = NULL;
	bool was_full;

	if (idx < 0 || bitmap_test_bit(slab->free_map, (unsigned long)idx)) {
		mm_unlock_irqrestore(&cache->lock, flags);
		slab_bug(cache->set, "%s(%p): %s in cache %s (slab at pfn %#lx)\n", op, obj,
			 idx < 0 ? "not the start of an object" : "double free", cache->name, slab->pfn);
		return;
	}
	*(void **)obj = slab->freelist;
	slab->freelist = (void *)obj;
	bitmap_set_bit(slab->free_map, (unsigned long)idx);
	was_full = slab->inuse == cache->nr_objects;
	slab->inuse--;
	cache->active--;
	cache->frees++;
	if (slab->inuse == 0) {
		list_move(&slab->list, &cache->empty);
		if (was_full) /* a one-object slab goes straight from full to empty */
			cache->nr_full--;
		else
			cache->nr_partial--;
		if (++cache->nr_empty > SLAB_KEEP_EMPTY) {
			release = list_last_entry(&cache->empty, struct slab, list);
			list_del(&release->list);
			cache->nr_empty--;
		}
	} else if (was_full) {
		list_move(&slab->list, &cache->partial);
		cache->nr_full--;
		cache->nr_partial++;
	}
	mm_unlock_irqrestore(&cache->lock, flags);
	if (release)
		free_slab(cache, release);
}

struct page *slab_owner_page(struct slab_set *set, const void *ptr, const char *op)
{
	struct mm *mm = set->mm;
	unsigned long pfn = mm_virt_to_pfn(ptr);
	struct page *head;

	if (!mm_pfn_valid(mm, pfn)) {
		slab_bug(set, "%s(%p): not memory of %s\n", op, ptr, mm->name);
		return NULL;
	}
	head = slab_find_head(mm, pfn);
	if (!head || !page_is_head(head)) {
		slab_bug(set, "%s(%p): pfn %#lx is %s\n", op, ptr, pfn,
			 !head ? "in no block" : page_is_reserved(head) ? "reserved" : "free");
		return NULL;
	}
	return head;
}

struct slab *slab_page_slab(struct slab_set *set, struct page *head, const void *ptr,
			      const char *op)
{
	struct slab *slab;

	if (page_type(head) != MEMDESC_SLAB) {
		slab_bug(set, "%s(%p): the page belongs to %s, not to a slab\n", op, ptr,
			 memdesc_type_name(page_type(head)));
		return NULL;
	}
	slab = page_memdesc(head);
	if (slab->cache->set != set) {
		slab_bug(set, "%s(%p): object of another slab set (%s)\n", op, ptr,
			 slab->cache->set->name);
		return NULL;
	}
	return slab;
}

void slab_cache_free(struct kmem_cache *cache, void *obj)
{
	struct page *head;
	struct slab *slab;

	if (!obj)
		return;
	head = slab_owner_page(cache->set, obj, "slab_cache_free");
	slab = head ? slab_page_slab(cache->set, head, obj, "slab_cache_free") : NULL;
	if (!slab)
		return;
	if (slab->cache != cache) {
		slab_bug(cache->set, "slab_cache_free(%s, %p): the object belongs to cache %s\n",
			 cache->name, obj, slab->cache->name);
		return;
	}
	slab_free_object(cache, slab, obj, "slab_cache_free");
}

/* ---- caches and sets ---- */

void slab_add_builtin(struct slab_set *set, struct kmem_cache *cache, const char *name,
		      size_t size, unsigned int flags)
{
	int err = cache_init(cache, set, name, size, SLAB_MIN_ALIGN, flags | SLAB_CACHE_STATIC);

	ASSERT_MSG(!err, "%s: %d", name, err);
	list_add_tail(&cache->node, &set->caches);
}

int slab_set_init(struct slab_set *set, struct mm *mm, const char *name)
{
	memset(set, 0, sizeof(*set));
	set->name = name;
	set->mm = mm;
	mm_lock_init(&set->lock, "slab_set");
	list_init(&set->caches);
	slab_add_builtin(set, &set->desc_cache, "slab-desc", sizeof(struct slab),
			 SLAB_CACHE_EMBED_DESC | SLAB_CACHE_INTERNAL);
	slab_add_builtin(set, &set->cache_cache, "kmem_cache", sizeof(struct kmem_cache),
			 SLAB_CACHE_INTERNAL);
	slab_kmalloc_init(set);
	return 0;
}

struct kmem_cache *slab_cache_create(struct slab_set *set, const char *name, size_t size,
				     size_t align)
{
	struct kmem_cache *cache;
	unsigned long flags;
	int err;

	if (!cache_args_valid(size, align)) {
		mm_warn("slab_cache_create(%s): bad size %zu or align %zu\n", name ? name : "?",
			size, align);
		return NULL;
	}
	cache = slab_cache_alloc(&set->cache_cache, GFP_KERNEL);
	if (!cache)
		return NULL;
	err = cache_init(cache, set, name, size, align, 0);
	ASSERT_MSG(!err, "%s: %d", cache->name, err); /* arguments were checked */
	flags = mm_lock_irqsave(&set->lock);
	list_add_tail(&cache->node, &set->caches);
	mm_unlock_irqrestore(&set->lock, flags);
	return cache;
}

unsigned long slab_cache_shrink(struct kmem_cache *cache)
{
	LIST_HEAD(victims);
	struct slab *slab, *n;
	unsigned long flags = mm_lock_irqsave(&cache->lock), pages = 0;

	list_splice_init(&cache->empty, &victims);
	cache->nr_empty = 0;
	mm_unlock_irqrestore(&cache->lock, flags);
	list_for_each_entry_safe(slab, n, &victims, list) {
		list_del(&slab->list);
		free_slab(cache, slab);
		pages += 1UL << cache->order;
	}
	return pages;
}

int slab_cache_destroy(struct kmem_cache *cache)
{
	struct slab_set *set = cache->set;
	unsigned long flags, cflags, busy;

	if (cache->flags & SLAB_CACHE_STATIC) {
		slab_bug(set, "slab_cache_destroy(%s): a built-in cache\n", cache->name);
		return -EINVAL;
	}
	flags = mm_lock_irqsave(&set->lock);
	cflags = mm_lock_irqsave(&cache->lock);
	busy = cache->active;
	if (!busy)
		list_del_init(&cache->node);
	mm_unlock_irqrestore(&cache->lock, cflags);
	mm_unlock_irqrestore(&set->lock, flags);
	if (busy) {
		mm_warn("slab_cache_destroy(%s): %lu objects still allocated\n", cache->name, busy);
		return -EBUSY;
	}
	slab_cache_shrink(cache);
	slab_cache_free(&set->cache_cache, cache);
	return 0;
}

/* Descriptors freed by the other caches' shrinking may empty descriptor
 * slabs, so that cache goes last. */
unsigned long slab_shrink(struct slab_set *set)
{
	unsigned long flags = mm_lock_irqsave(&set->lock), pages = 0;
	struct kmem_cache *cache;

	list_for_each_entry(cache, &set->caches, node)
		if (cache != &set->desc_cache)
			pages += slab_cache_shrink(cache);
	pages += slab_cache_shrink(&set->desc_cache);
	mm_unlock_irqrestore(&set->lock, flags);
	return pages;
}

int slab_set_destroy(struct slab_set *set)
{
	struct kmem_cache *cache, *n;
	unsigned long in_use = 0;
	int ret = 0;

	/* Nothing else uses @set now, so the walk may drop the set lock. */
	list_for_each_entry_safe(cache, n, &set->caches, node)
		if (!(cache->flags & SLAB_CACHE_STATIC) && slab_cache_destroy(cache))
			ret = -EBUSY;
	slab_shrink(set);
	list_for_each_entry(cache, &set->caches, node)
		in_use += cache->active;
	if (in_use || set->large_allocs || ret) {
		mm_err("slab set %s: %lu objects and %lu large blocks still allocated\n", set->name,
		       in_use, set->large_allocs);
		return -EBUSY;
	}
	return 0;
}

/* ---- statistics ---- */

void slab_cache_info(struct kmem_cache *cache, struct slab_cache_info *info)
{
	unsigned long flags = mm_lock_irqsave(&cache->lock);
	unsigned long slabs = cache->nr_partial + cache->nr_full + cache->nr_empty;

	info->name = cache->name;
	info->object_size = cache->object_size;
	info->size = cache->size;
	info->order = cache->order;
	info->objects_per_slab = cache->nr_objects;
	info->active_objects = cache->active;
	info->total_objects = slabs * cache->nr_objects;
	info->slabs = slabs;
	info->pages = slabs << cache->order;
	info->bytes_used = cache->active * cache->object_size;
	info->bytes_held = info->pages * PAGE_SIZE;
	info->allocs = cache->allocs;
	info->frees = cache->frees;
	info->fails = cache->fails;
	mm_unlock_irqrestore(&cache->lock, flags);
}

static void add_pages(const struct slab_cache_info *info, void *arg)
{
	*(unsigned long *)arg += info->pages;
}

unsigned long slab_set_pages(struct slab_set *set)
{
	unsigned long pages = 0, flags;

	slab_for_each_cache(set, add_pages, &pages);
	flags = mm_lock_irqsave(&set->lock);
	pages += set->large_pages;
	mm_unlock_irqrestore(&set->lock, flags);
	return pages;
}

void slab_for_each_cache(struct slab_set *set,
			 void (*fn)(const struct slab_cache_info *info, void *arg), void *arg)
{
	unsigned long flags = mm_lock_irqsave(&set->lock);
	struct slab_cache_info info;
	struct kmem_cache *cache;

	list_for_each_entry(cache, &set->caches, node) {
		slab_cache_info(cache, &info);
		fn(&info, arg);
	}
	mm_unlock_irqrestore(&set->lock, flags);
}
