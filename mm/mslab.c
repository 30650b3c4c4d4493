/*
 * The mslab pool: size classes, the handle table, allocation, mapping and
 * the MSLAB movable operations (see mslab.h for the design and the rules).
 *
 * Size classes: for every object count n = 256 .. 1 per page, the largest
 * 16-byte multiple of which n fit in a page (16, 32, 48, ..., 256, 272, 288,
 * 304, 336, ..., 1360, 2048, 4096): a class is the biggest size with its
 * object count, so neighbouring sizes that pack the same way share a class
 * (zsmalloc's merging) and the waste inside a class stays small.
 *
 * Invariants (mslab_check): a page is on its class's partial list
 * (0 < inuse < nr), full list (inuse == nr) or isolated list (given to
 * migration; any inuse > 0); a page whose last object is freed is freed at
 * once, or released if it is isolated. Object i of a page is free iff its
 * bit is set iff slot[i] == 0; otherwise table slot slot[i] is used and
 * names this page and i. A page's map count is the sum of its slots'.
 */
#include "include/errno.h"
#include "lib/bitmap.h"
#include "lib/printf.h"
#include "lib/string.h"
#include "mm/migrate.h"
#include "mm/mslab_internal.h"

static const struct movable_operations mslab_ops;

/* What the page allocator is asked for on behalf of @gfp. */
static gfp_t pass_gfp(gfp_t gfp) { return gfp & (GFP_ATOMIC | GFP_NOWARN); }

static __printf(2, 3) void report(struct mslab_pool *pool, const char *fmt, ...)
{
	char msg[160];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	pool->bugs++;
	mm_bug("mslab %s: %s\n", pool->name, msg);
}

/* ---- size classes ---- */

static unsigned int class_of(const struct mslab_pool *pool, size_t size)
{
	unsigned int i;

	for (i = 0; i < pool->nr_classes; i++)
		if (pool->classes[i].size >= size)
			return i;
	BUG_ON(1);
	return 0;
}

static void build_classes(struct mslab_pool *pool)
{
	unsigned int n, last = 0;

	for (n = MSLAB_MAX_OBJECTS; n >= 1; n--) {
		unsigned int size = (unsigned int)(PAGE_SIZE / n) & ~(MSLAB_ALIGN - 1U);
		struct mslab_class *c;

		if (size == last)
			continue;
		BUG_ON(pool->nr_classes == MSLAB_MAX_CLASSES);
		c = &pool->classes[pool->nr_classes++];
		c->size = size;
		c->nr_objects = (unsigned int)(PAGE_SIZE / size);
		list_init(&c->partial);
		list_init(&c->full);
		list_init(&c->isolated);
		last = size;
	}
}

static size_t desc_bytes(const struct mslab_class *c)
{
	return sizeof(struct mslab_page) + c->nr_objects * sizeof(u32);
}

/* ---- handle table ---- */

static unsigned long table_capacity(const struct mslab_pool *pool)
{
	return pool->dir ? (PAGE_SIZE << pool->dir_order) / sizeof(pool->dir[0]) : 0;
}

/* Double the directory (or create it). Return: 0 or -ENOMEM. */
static int dir_grow_locked(struct mslab_pool *pool, gfp_t gfp)
{
	unsigned int order = pool->dir ? pool->dir_order + 1 : 0;
	struct page *p;
	void *dir;

	mm_assert_held(&pool->lock);
	if (order > MAX_ORDER)
		return -ENOMEM;
	p = mm_alloc_pages(pool->mm, order, pass_gfp(gfp));
	if (!p)
		return -ENOMEM;
	dir = mm_page_address(pool->mm, p);
	if (pool->dir) {
		memcpy(dir, pool->dir, pool->nr_chunks * sizeof(pool->dir[0]));
		mm_free_pages(pool->mm, pool->dir_page, pool->dir_order);
	}
	pool->dir = dir;
	pool->dir_page = p;
	pool->dir_order = order;
	return 0;
}

/*
 * Add one page of free slots to the table (and grow the directory first
 * when it is full). Slot 0 is never put on the free list: handles are
 * never 0. Return: 0 or -ENOMEM (nothing changed).
 */
static int table_grow_locked(struct mslab_pool *pool, gfp_t gfp)
{
	unsigned long first = pool->nr_chunks * MSLAB_SLOTS_PER_PAGE, i;
	struct mslab_slot *chunk;
	struct page *p;

	mm_assert_held(&pool->lock);
	if (first + MSLAB_SLOTS_PER_PAGE > 0xffffffffUL)
		return -ENOMEM;
	if (pool->nr_chunks == table_capacity(pool) && dir_grow_locked(pool, gfp))
		return -ENOMEM;
	p = mm_alloc_pages(pool->mm, 0, pass_gfp(gfp));
	if (!p)
		return -ENOMEM;
	chunk = mm_page_address(pool->mm, p);
	memset(chunk, 0, PAGE_SIZE);
	pool->dir[pool->nr_chunks++] = chunk;
	for (i = first + MSLAB_SLOTS_PER_PAGE; i-- > MAX(first, 1UL);) {
		chunk[i - first].next_free = pool->free_slot;
		pool->free_slot = i;
	}
	return 0;
}

static void table_free_locked(struct mslab_pool *pool)
{
	unsigned long i;

	mm_assert_held(&pool->lock);
	for (i = 0; i < pool->nr_chunks; i++)
		mm_free_pages(pool->mm, mm_pfn_to_page(pool->mm, mm_virt_to_pfn(pool->dir[i])), 0);
	if (pool->dir)
		mm_free_pages(pool->mm, pool->dir_page, pool->dir_order);
	pool->dir = NULL;
	pool->nr_chunks = 0;
	pool->free_slot = 0;
	pool->nr_handles = 0;
}

static unsigned long slot_take_locked(struct mslab_pool *pool)
{
	unsigned long index;
	struct mslab_slot *s;

	mm_assert_held(&pool->lock);
	index = pool->free_slot;
	s = mslab_slot_at(pool, index);
	pool->free_slot = s->next_free;
	s->page = NULL;
	s->used = 1;
	s->mapped = 0;
	pool->nr_handles++;
	return index;
}

static void slot_put_locked(struct mslab_pool *pool, unsigned long index)
{
	struct mslab_slot *s = mslab_slot_at(pool, index);

	mm_assert_held(&pool->lock);
	s->used = 0;
	s->mapped = 0;
	s->size = 0;
	s->gen++;
	s->next_free = pool->free_slot;
	pool->free_slot = index;
	pool->nr_handles--;
}

/* The used slot @handle names, or NULL (reported, with @op's name). */
static struct mslab_slot *handle_slot_locked(struct mslab_pool *pool, unsigned long handle,
					     const char *op)
{
	unsigned long index = MSLAB_HANDLE_INDEX(handle);
	struct mslab_slot *s;

	mm_assert_held(&pool->lock);
	if (!index || (handle >> 48) || index >= pool->nr_chunks * MSLAB_SLOTS_PER_PAGE) {
		report(pool, "%s of unknown handle %#lx", op, handle);
		return NULL;
	}
	s = mslab_slot_at(pool, index);
	if (!s->used || s->gen != MSLAB_HANDLE_GEN(handle)) {
		report(pool, "%s of freed handle %#lx (double free or stale handle)", op, handle);
		return NULL;
	}
	return s;
}

/* ---- pages and objects ---- */

void mslab_page_relist_locked(struct mslab_page *d)
{
	struct mslab_class *c = mslab_page_class(d);

	mm_assert_held(&d->pool->lock);
	if (d->inuse == c->nr_objects)
		list_move(&d->list, &c->full);
	else
		list_move_tail(&d->list, &c->partial);
}

void mslab_obj_take_locked(struct mslab_page *d, unsigned int obj, unsigned long index)
{
	mm_assert_held(&d->pool->lock);
	bitmap_clear_bit(d->free_map, obj);
	d->slot[obj] = (u32)index;
	d->inuse++;
}

void mslab_obj_put_locked(struct mslab_page *d, unsigned int obj)
{
	mm_assert_held(&d->pool->lock);
	bitmap_set_bit(d->free_map, obj);
	d->slot[obj] = 0;
	d->inuse--;
}

/* A new empty page of class @ci, at the head of its partial list.
 * Return: its descriptor, or NULL with nothing held. */
static struct mslab_page *page_new_locked(struct mslab_pool *pool, unsigned int ci, gfp_t gfp)
{
	struct mslab_class *c = &pool->classes[ci];
	struct mslab_page *d;
	struct page *page;

	mm_assert_held(&pool->lock);
	page = mm_alloc_pages(pool->mm, 0, GFP_MOVABLE | pass_gfp(gfp));
	if (!page)
		return NULL;
	d = slab_cache_alloc(c->desc_cache, pass_gfp(gfp));
	if (!d) {
		mm_free_pages(pool->mm, page, 0);
		return NULL;
	}
	memset(d, 0, desc_bytes(c));
	d->pool = pool;
	d->pfn = mm_page_to_pfn(pool->mm, page);
	d->class_idx = (u16)ci;
	bitmap_set(d->free_map, 0, c->nr_objects);
	page->private = 0;
	movable_page_init(page, MEMDESC_MSLAB, d);
	list_add(&d->list, &c->partial);
	c->nr_pages++;
	return d;
}

/* Take @d off its class (list and count). Return: its page. */
static struct page *page_unlist_locked(struct mslab_page *d)
{
	mm_assert_held(&d->pool->lock);
	list_del(&d->list);
	mslab_page_class(d)->nr_pages--;
	return mm_pfn_to_page(d->pool->mm, d->pfn);
}

void mslab_page_free_locked(struct mslab_page *d)
{
	struct mslab_pool *pool = d->pool;
	struct mslab_class *c = mslab_page_class(d);
	struct page *page = page_unlist_locked(d);

	page->flags &= ~PG_movable;
	page_set_memdesc(page, MEMDESC_KERNEL, NULL);
	mm_free_pages(pool->mm, page, 0);
	slab_cache_free(c->desc_cache, d);
}

/* The last object of the isolated page @d is gone: hand the page to the
 * core to free, and drop the descriptor (the page keeps type MSLAB with no
 * descriptor until the core frees it). */
static void page_release_locked(struct mslab_page *d)
{
	struct mslab_pool *pool = d->pool;
	struct mslab_class *c = mslab_page_class(d);
	struct page *page = page_unlist_locked(d);

	page_set_memdesc(page, MEMDESC_MSLAB, NULL);
	movable_page_release(pool->mm, page);
	slab_cache_free(c->desc_cache, d);
}

/* ---- the pool ---- */

/* The pool's pack(): compaction's first phase packs it like mslab_compact. */
static void pack_pool(struct mm *mm, void *priv, struct pack_result *res)
{
	mslab_compact(priv, res);
}

int mslab_pool_create(struct mslab_pool *pool, struct mm *mm, const char *name)
{
	char cname[SLAB_NAME_MAX];
	unsigned int i;
	int err;

	memset(pool, 0, sizeof(*pool));
	strlcpy(pool->name, name ? name : "mslab", sizeof(pool->name));
	pool->mm = mm;
	mm_lock_init(&pool->lock, pool->name);
	build_classes(pool);
	slab_set_init(&pool->desc_set, mm, pool->name);
	for (i = 0; i < pool->nr_classes; i++) {
		struct mslab_class *c = &pool->classes[i];

		snprintf(cname, sizeof(cname), "mslab-desc-%u", c->size);
		c->desc_cache = slab_cache_create(&pool->desc_set, cname, desc_bytes(c),
						  MSLAB_ALIGN);
		if (!c->desc_cache)
			goto err_caches;
	}
	err = movable_ops_register(mm, MEMDESC_MSLAB, &mslab_ops);
	if (!err) {
		pool->owner = (struct movable_owner){ .type = MEMDESC_MSLAB, .priv = pool,
						      .pack = pack_pool };
		err = movable_owner_register(mm, &pool->owner);
	}
	if (err) {
		slab_set_destroy(&pool->desc_set);
		return err;
	}
	return 0;
err_caches:
	/* Undo: the caches created so far (and their pages). */
	slab_set_destroy(&pool->desc_set);
	return -ENOMEM;
}

static void free_list_locked(struct mslab_pool *pool, struct list_head *list, bool isolated)
{
	mm_assert_held(&pool->lock);
	while (!list_empty(list)) {
		struct mslab_page *d = list_first_entry(list, struct mslab_page, list);

		if (isolated)
			page_release_locked(d);
		else
			mslab_page_free_locked(d);
	}
}

void mslab_pool_destroy(struct mslab_pool *pool)
{
	unsigned long flags = mm_lock_irqsave(&pool->lock);
	unsigned int i;

	for (i = 0; i < pool->nr_classes; i++) {
		struct mslab_class *c = &pool->classes[i];

		free_list_locked(pool, &c->partial, false);
		free_list_locked(pool, &c->full, false);
		free_list_locked(pool, &c->isolated, true);
		c->nr_objects_used = 0;
		c->bytes_used = 0;
	}
	table_free_locked(pool);
	mm_unlock_irqrestore(&pool->lock, flags);
	movable_owner_unregister(pool->mm, &pool->owner);
	slab_set_destroy(&pool->desc_set);
}

/* ---- objects ---- */

unsigned long mslab_alloc(struct mslab_pool *pool, size_t size, gfp_t gfp)
{
	unsigned long flags = mm_lock_irqsave(&pool->lock), index, handle = 0;
	struct mslab_class *c;
	struct mslab_page *d;
	struct mslab_slot *s;
	unsigned int ci, obj;
	int err = -EINVAL;

	if (!size || size > MSLAB_MAX_SIZE)
		goto out;
	err = -ENOMEM;
	if (!pool->free_slot && table_grow_locked(pool, gfp))
		goto out;
	ci = class_of(pool, size);
	c = &pool->classes[ci];
	d = list_empty(&c->partial) ? page_new_locked(pool, ci, gfp)
				    : list_first_entry(&c->partial, struct mslab_page, list);
	if (!d)
		goto out;
	obj = (unsigned int)bitmap_find_next_bit(d->free_map, c->nr_objects, 0);
	index = slot_take_locked(pool);
	s = mslab_slot_at(pool, index);
	s->page = d;
	s->obj = (u16)obj;
	s->size = (u16)size;
	mslab_obj_take_locked(d, obj, index);
	mslab_page_relist_locked(d);
	c->nr_objects_used++;
	c->bytes_used += size;
	c->allocs++;
	if ((gfp & GFP_ZERO) && !pool->mm->no_data)
		memset(mslab_object(d, obj), 0, c->size);
	handle = mslab_make_handle(index, s->gen);
	err = 0;
out:
	pool->last_error = err;
	mm_unlock_irqrestore(&pool->lock, flags);
	return handle;
}

int mslab_last_error(struct mslab_pool *pool) { return pool->last_error; }

void mslab_free(struct mslab_pool *pool, unsigned long handle)
{
	unsigned long flags;
	struct mslab_class *c;
	struct mslab_page *d;
	struct mslab_slot *s;

	if (!handle)
		return;
	flags = mm_lock_irqsave(&pool->lock);
	s = handle_slot_locked(pool, handle, "free");
	if (s && s->mapped) {
		report(pool, "free of handle %#lx, which is mapped", handle);
		s = NULL;
	}
	if (!s)
		goto out;
	d = s->page;
	c = mslab_page_class(d);
	c->nr_objects_used--;
	c->bytes_used -= s->size;
	c->frees++;
	mslab_obj_put_locked(d, s->obj);
	slot_put_locked(pool, MSLAB_HANDLE_INDEX(handle));
	if (d->inuse && !d->isolated)
		mslab_page_relist_locked(d);
	else if (!d->inuse && d->isolated)
		page_release_locked(d);
	else if (!d->inuse)
		mslab_page_free_locked(d);
out:
	mm_unlock_irqrestore(&pool->lock, flags);
}

void *mslab_map(struct mslab_pool *pool, unsigned long handle)
{
	unsigned long flags = mm_lock_irqsave(&pool->lock);
	struct mslab_slot *s = handle_slot_locked(pool, handle, "map");
	void *addr = NULL;

	if (s && s->mapped == 0xff) {
		report(pool, "map of handle %#lx nested too deep", handle);
		s = NULL;
	}
	if (s) {
		s->mapped++;
		s->page->mapped++;
		addr = mslab_object(s->page, s->obj);
	}
	mm_unlock_irqrestore(&pool->lock, flags);
	return addr;
}

void mslab_unmap(struct mslab_pool *pool, unsigned long handle)
{
	unsigned long flags = mm_lock_irqsave(&pool->lock);
	struct mslab_slot *s = handle_slot_locked(pool, handle, "unmap");

	if (s && !s->mapped) {
		report(pool, "unmap of handle %#lx, which is not mapped", handle);
		s = NULL;
	}
	if (s) {
		s->mapped--;
		s->page->mapped--;
	}
	mm_unlock_irqrestore(&pool->lock, flags);
}

size_t mslab_size(struct mslab_pool *pool, unsigned long handle)
{
	unsigned long flags = mm_lock_irqsave(&pool->lock);
	struct mslab_slot *s = handle_slot_locked(pool, handle, "size");
	size_t size = s ? s->size : 0;

	mm_unlock_irqrestore(&pool->lock, flags);
	return size;
}

unsigned long mslab_pfn(struct mslab_pool *pool, unsigned long handle)
{
	unsigned long flags = mm_lock_irqsave(&pool->lock);
	struct mslab_slot *s = handle_slot_locked(pool, handle, "pfn");
	unsigned long pfn = s ? s->page->pfn : 0;

	mm_unlock_irqrestore(&pool->lock, flags);
	return pfn;
}

/* ---- movable operations ---- */

/* Refuse while an object is mapped; else take the page off the class
 * lists so that no new object lands on it. */
static int mslab_isolate(struct mm *mm, struct page *page, enum migrate_mode mode)
{
	struct mslab_page *d = page_memdesc(page);
	struct mslab_pool *pool = d->pool;
	unsigned long flags = mm_lock_irqsave(&pool->lock);
	int rc = -EAGAIN;

	if (!d->mapped) {
		d->isolated = 1;
		list_move(&d->list, &mslab_page_class(d)->isolated);
		rc = 0;
	}
	mm_unlock_irqrestore(&pool->lock, flags);
	return rc;
}

/* Copy the page and re-point its descriptor (the slots of its objects name
 * the descriptor, so none of them changes); back off if an object was
 * mapped since the isolate. */
static int mslab_migrate(struct mm *mm, struct page *dst, struct page *src,
			 enum migrate_mode mode)
{
	struct mslab_page *d = page_memdesc(src);
	struct mslab_pool *pool = d->pool;
	unsigned long flags = mm_lock_irqsave(&pool->lock);

	if (d->mapped) {
		mm_unlock_irqrestore(&pool->lock, flags);
		return -EAGAIN;
	}
	migrate_copy_page(mm, dst, src);
	d->pfn = mm_page_to_pfn(mm, dst);
	movable_page_init(dst, MEMDESC_MSLAB, d);
	page_set_memdesc(src, MEMDESC_MSLAB, NULL); /* detached: the core frees it */
	d->isolated = 0;
	mslab_page_relist_locked(d);
	mslab_page_class(d)->migrated++;
	mm_unlock_irqrestore(&pool->lock, flags);
	return 0;
}

static void mslab_putback(struct mm *mm, struct page *page)
{
	struct mslab_page *d = page_memdesc(page);
	struct mslab_pool *pool = d->pool;
	unsigned long flags = mm_lock_irqsave(&pool->lock);

	d->isolated = 0;
	mslab_page_relist_locked(d);
	mm_unlock_irqrestore(&pool->lock, flags);
}

static const struct movable_operations mslab_ops = {
	.isolate = mslab_isolate,
	.migrate = mslab_migrate,
	.putback = mslab_putback,
};

/* ---- statistics ---- */

void mslab_class_info(struct mslab_pool *pool, unsigned int class_idx,
		      struct mslab_class_info *info)
{
	const struct mslab_class *c = &pool->classes[class_idx];
	unsigned long flags;

	BUG_ON(class_idx >= pool->nr_classes);
	flags = mm_lock_irqsave(&pool->lock);
	info->size = c->size;
	info->objects_per_page = c->nr_objects;
	info->pages = c->nr_pages;
	info->objects = c->nr_objects_used;
	info->bytes_used = c->bytes_used;
	info->bytes_held = c->nr_pages * PAGE_SIZE;
	info->allocs = c->allocs;
	info->frees = c->frees;
	info->migrated = c->migrated;
	info->compact_moved = c->compact_moved;
	mm_unlock_irqrestore(&pool->lock, flags);
}

void mslab_pool_info(struct mslab_pool *pool, struct mslab_pool_info *info)
{
	struct mslab_class_info ci;
	unsigned long flags;
	unsigned int i;

	memset(info, 0, sizeof(*info));
	for (i = 0; i < pool->nr_classes; i++) {
		mslab_class_info(pool, i, &ci);
		info->pages += ci.pages;
		info->objects += ci.objects;
		info->bytes_used += ci.bytes_used;
		info->bytes_held += ci.bytes_held;
	}
	flags = mm_lock_irqsave(&pool->lock);
	info->handles = pool->nr_handles;
	info->table_pages = pool->nr_chunks + (pool->dir ? 1UL << pool->dir_order : 0);
	info->bugs = pool->bugs;
	info->compactions = pool->compactions;
	info->compact_pages_freed = pool->compact_pages_freed;
	mm_unlock_irqrestore(&pool->lock, flags);
}
