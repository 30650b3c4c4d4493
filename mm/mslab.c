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
 * once, or released when migration holds it (isolated, or claimed by a
 * compaction on another CPU that waits for the pool lock to isolate it).
 * An object page's private word is its pool (how a claim finds the lock).
 * Object i of a page is free iff its bit is set iff slot[i] == 0; otherwise
 * table slot slot[i] is used and names this page and i. A page's map count
 * is the sum of its slots'.
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

static __printf(2, 3) void pool_bug(struct mslab_pool *pool, const char *fmt, ...)
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
		struct mslab_class *class;

		if (size == last)
			continue;
		BUG_ON(pool->nr_classes == MSLAB_MAX_CLASSES);
		class = &pool->classes[pool->nr_classes++];
		class->size = size;
		class->nr_objects = (unsigned int)(PAGE_SIZE / size);
		list_init(&class->partial);
		list_init(&class->full);
		list_init(&class->isolated);
		last = size;
	}
}

static size_t desc_bytes(const struct mslab_class *class)
{
	return sizeof(struct mslab_page) + class->nr_objects * sizeof(u32);
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
	struct page *page;
	void *dir;

	mm_assert_held(&pool->lock);
	if (order > MAX_ORDER)
		return -ENOMEM;
	page = mm_alloc_pages(pool->mm, order, pass_gfp(gfp));
	if (!page)
		return -ENOMEM;
	dir = mm_page_address(pool->mm, page);
	if (pool->dir) {
		memcpy(dir, pool->dir, pool->nr_chunks * sizeof(pool->dir[0]));
		mm_free_pages(pool->mm, pool->dir_page, pool->dir_order);
	}
	pool->dir = dir;
	pool->dir_page = page;
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
	struct page *page;

	mm_assert_held(&pool->lock);
	if (first + MSLAB_SLOTS_PER_PAGE > 0xffffffffUL)
		return -ENOMEM;
	if (pool->nr_chunks == table_capacity(pool) && dir_grow_locked(pool, gfp))
		return -ENOMEM;
	page = mm_alloc_pages(pool->mm, 0, pass_gfp(gfp));
	if (!page)
		return -ENOMEM;
	chunk = mm_page_address(pool->mm, page);
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
	struct mslab_slot *slot;

	mm_assert_held(&pool->lock);
	index = pool->free_slot;
	slot = mslab_slot_at(pool, index);
	pool->free_slot = slot->next_free;
	slot->page = NULL;
	slot->used = 1;
	slot->mapped = 0;
	pool->nr_handles++;
	return index;
}

static void slot_put_locked(struct mslab_pool *pool, unsigned long index)
{
	struct mslab_slot *slot = mslab_slot_at(pool, index);

	mm_assert_held(&pool->lock);
	slot->used = 0;
	slot->mapped = 0;
	slot->size = 0;
	slot->gen++;
	slot->next_free = pool->free_slot;
	pool->free_slot = index;
	pool->nr_handles--;
}

/* The used slot @handle names, or NULL (reported, with @op's name). */
static struct mslab_slot *handle_slot_locked(struct mslab_pool *pool, unsigned long handle,
					     const char *op)
{
	unsigned long index = MSLAB_HANDLE_INDEX(handle);
	struct mslab_slot *slot;

	mm_assert_held(&pool->lock);
	if (!index || (handle >> 48) || index >= pool->nr_chunks * MSLAB_SLOTS_PER_PAGE) {
		pool_bug(pool, "%s of unknown handle %#lx", op, handle);
		return NULL;
	}
	slot = mslab_slot_at(pool, index);
	if (!slot->used || slot->gen != MSLAB_HANDLE_GEN(handle)) {
		pool_bug(pool, "%s of freed handle %#lx (double free or stale handle)", op, handle);
		return NULL;
	}
	return slot;
}

/* ---- pages and objects ---- */

void mslab_page_relist_locked(struct mslab_page *mpage)
{
	struct mslab_class *class = mslab_page_class(mpage);

	mm_assert_held(&mpage->pool->lock);
	if (mpage->inuse == class->nr_objects)
		list_move(&mpage->list, &class->full);
	else
		list_move_tail(&mpage->list, &class->partial);
}

void mslab_obj_take_locked(struct mslab_page *mpage, unsigned int obj, unsigned long index)
{
	mm_assert_held(&mpage->pool->lock);
	bitmap_clear_bit(mpage->free_map, obj);
	mpage->slot[obj] = (u32)index;
	mpage->inuse++;
}

void mslab_obj_put_locked(struct mslab_page *mpage, unsigned int obj)
{
	mm_assert_held(&mpage->pool->lock);
	bitmap_set_bit(mpage->free_map, obj);
	mpage->slot[obj] = 0;
	mpage->inuse--;
}

/* A new empty page of class @ci, at the head of its partial list.
 * Return: its descriptor, or NULL with nothing held. */
static struct mslab_page *page_new_locked(struct mslab_pool *pool, unsigned int ci, gfp_t gfp)
{
	struct mslab_class *class = &pool->classes[ci];
	struct mslab_page *mpage;
	struct page *page;

	mm_assert_held(&pool->lock);
	page = mm_alloc_pages(pool->mm, 0, GFP_MOVABLE | pass_gfp(gfp));
	if (!page)
		return NULL;
	mpage = slab_cache_alloc(class->desc_cache, pass_gfp(gfp));
	if (!mpage) {
		mm_free_pages(pool->mm, page, 0);
		return NULL;
	}
	memset(mpage, 0, desc_bytes(class));
	mpage->pool = pool;
	mpage->pfn = mm_page_to_pfn(pool->mm, page);
	mpage->class_idx = (u16)ci;
	bitmap_set(mpage->free_map, 0, class->nr_objects);
	page->private = (unsigned long)pool; /* how a claim finds the lock */
	movable_page_init(page, MEMDESC_MSLAB, mpage);
	list_add(&mpage->list, &class->partial);
	class->nr_pages++;
	return mpage;
}

/* Take @mpage off its class (list and count). Return: its page. */
static struct page *page_unlist_locked(struct mslab_page *mpage)
{
	mm_assert_held(&mpage->pool->lock);
	list_del(&mpage->list);
	mslab_page_class(mpage)->nr_pages--;
	return mm_pfn_to_page(mpage->pool->mm, mpage->pfn);
}

/*
 * The owner's free of an empty page, isolated or not. The descriptor goes
 * first (the memdesc word keeps type MSLAB without it: a claim on another
 * CPU finds the pool in private and, under the pool lock, sees the page
 * released); then movable_page_clear() decides who frees the page: this
 * path, or migration when it holds a claim (isolated, or claimed with
 * isolate() waiting for our lock), which frees it at its next step. Either
 * way the page has left the pool's lists and counts now.
 */
void mslab_page_free_locked(struct mslab_page *mpage)
{
	struct mslab_pool *pool = mpage->pool;
	struct mslab_class *class = mslab_page_class(mpage);
	struct page *page = page_unlist_locked(mpage);

	page_set_memdesc(page, MEMDESC_MSLAB, NULL);
	slab_cache_free(class->desc_cache, mpage);
	if (!movable_page_clear(pool->mm, page)) {
		pool->released++;
		return; /* released: the core frees it, hands off */
	}
	page_set_memdesc(page, MEMDESC_KERNEL, NULL);
	mm_free_pages(pool->mm, page, 0);
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
		struct mslab_class *class = &pool->classes[i];

		snprintf(cname, sizeof(cname), "mslab-desc-%u", class->size);
		class->desc_cache = slab_cache_create(&pool->desc_set, cname, desc_bytes(class),
						  MSLAB_ALIGN);
		if (!class->desc_cache)
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

static void free_list_locked(struct mslab_pool *pool, struct list_head *list)
{
	mm_assert_held(&pool->lock);
	while (!list_empty(list)) {
		struct mslab_page *mpage = list_first_entry(list, struct mslab_page, list);

		mslab_page_free_locked(mpage);
	}
}

void mslab_pool_destroy(struct mslab_pool *pool)
{
	unsigned long flags = mm_lock_irqsave(&pool->lock);
	unsigned int i;

	for (i = 0; i < pool->nr_classes; i++) {
		struct mslab_class *class = &pool->classes[i];

		free_list_locked(pool, &class->partial);
		free_list_locked(pool, &class->full);
		free_list_locked(pool, &class->isolated);
		class->nr_objects_used = 0;
		class->bytes_used = 0;
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
	struct mslab_class *class;
	struct mslab_page *mpage;
	struct mslab_slot *slot;
	unsigned int ci, obj;
	int err = -EINVAL;

	if (!size || size > MSLAB_MAX_SIZE)
		goto out;
	err = -ENOMEM;
	if (!pool->free_slot && table_grow_locked(pool, gfp))
		goto out;
	ci = class_of(pool, size);
	class = &pool->classes[ci];
	mpage = list_empty(&class->partial) ? page_new_locked(pool, ci, gfp)
				    : list_first_entry(&class->partial, struct mslab_page, list);
	if (!mpage)
		goto out;
	obj = (unsigned int)bitmap_find_next_bit(mpage->free_map, class->nr_objects, 0);
	index = slot_take_locked(pool);
	slot = mslab_slot_at(pool, index);
	slot->page = mpage;
	slot->obj = (u16)obj;
	slot->size = (u16)size;
	mslab_obj_take_locked(mpage, obj, index);
	mslab_page_relist_locked(mpage);
	class->nr_objects_used++;
	class->bytes_used += size;
	class->allocs++;
	if ((gfp & GFP_ZERO) && !pool->mm->no_data)
		memset(mslab_object(mpage, obj), 0, class->size);
	handle = mslab_make_handle(index, slot->gen);
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
	struct mslab_class *class;
	struct mslab_page *mpage;
	struct mslab_slot *slot;

	if (!handle)
		return;
	flags = mm_lock_irqsave(&pool->lock);
	slot = handle_slot_locked(pool, handle, "free");
	if (slot && slot->mapped) {
		pool_bug(pool, "free of handle %#lx, which is mapped", handle);
		slot = NULL;
	}
	if (!slot)
		goto out;
	mpage = slot->page;
	class = mslab_page_class(mpage);
	class->nr_objects_used--;
	class->bytes_used -= slot->size;
	class->frees++;
	mslab_obj_put_locked(mpage, slot->obj);
	slot_put_locked(pool, MSLAB_HANDLE_INDEX(handle));
	if (mpage->inuse && !mpage->isolated)
		mslab_page_relist_locked(mpage);
	else if (!mpage->inuse)
		mslab_page_free_locked(mpage);
out:
	mm_unlock_irqrestore(&pool->lock, flags);
}

void *mslab_map(struct mslab_pool *pool, unsigned long handle)
{
	unsigned long flags = mm_lock_irqsave(&pool->lock);
	struct mslab_slot *slot = handle_slot_locked(pool, handle, "map");
	void *addr = NULL;

	if (slot && slot->mapped == 0xff) {
		pool_bug(pool, "map of handle %#lx nested too deep", handle);
		slot = NULL;
	}
	if (slot) {
		slot->mapped++;
		slot->page->mapped++;
		addr = mslab_object(slot->page, slot->obj);
	}
	mm_unlock_irqrestore(&pool->lock, flags);
	return addr;
}

void mslab_unmap(struct mslab_pool *pool, unsigned long handle)
{
	unsigned long flags = mm_lock_irqsave(&pool->lock);
	struct mslab_slot *slot = handle_slot_locked(pool, handle, "unmap");

	if (slot && !slot->mapped) {
		pool_bug(pool, "unmap of handle %#lx, which is not mapped", handle);
		slot = NULL;
	}
	if (slot) {
		slot->mapped--;
		slot->page->mapped--;
	}
	mm_unlock_irqrestore(&pool->lock, flags);
}

size_t mslab_size(struct mslab_pool *pool, unsigned long handle)
{
	unsigned long flags = mm_lock_irqsave(&pool->lock);
	struct mslab_slot *slot = handle_slot_locked(pool, handle, "size");
	size_t size = slot ? slot->size : 0;

	mm_unlock_irqrestore(&pool->lock, flags);
	return size;
}

unsigned long mslab_pfn(struct mslab_pool *pool, unsigned long handle)
{
	unsigned long flags = mm_lock_irqsave(&pool->lock);
	struct mslab_slot *slot = handle_slot_locked(pool, handle, "pfn");
	unsigned long pfn = slot ? slot->page->pfn : 0;

	mm_unlock_irqrestore(&pool->lock, flags);
	return pfn;
}

/* ---- movable operations ---- */

/* Refuse while an object is mapped; else take the page off the class
 * lists so that no new object lands on it. */
/*
 * The callbacks run with the page claimed (PG_isolated) but may race with
 * the owner emptying it: the pool comes from private (set before the page
 * became movable, never changed), the descriptor only under the pool lock,
 * where a page the owner gave up reads released, its descriptor gone.
 */
static struct mslab_pool *page_pool(struct page *page)
{
	return (struct mslab_pool *)page->private;
}

/* Under the pool lock: the page's descriptor, or NULL when it was released. */
static struct mslab_page *page_mpage_locked(struct mslab_pool *pool, struct page *page)
{
	mm_assert_held(&pool->lock);
	return page_is_released(page) ? NULL : page_memdesc(page);
}

static int mslab_isolate(struct mm *mm, struct page *page, enum migrate_mode mode)
{
	struct mslab_pool *pool = page_pool(page);
	unsigned long flags = mm_lock_irqsave(&pool->lock);
	struct mslab_page *mpage = page_mpage_locked(pool, page);
	int rc = -EAGAIN;

	if (!mpage) {
		rc = -EBUSY; /* emptied since the claim: the core frees it */
	} else if (!mpage->mapped) {
		mpage->isolated = 1;
		list_move(&mpage->list, &mslab_page_class(mpage)->isolated);
		rc = 0;
	}
	mm_unlock_irqrestore(&pool->lock, flags);
	return rc;
}

static int mslab_migrate(struct mm *mm, struct page *dst, struct page *src,
			 enum migrate_mode mode)
{
	struct mslab_pool *pool = page_pool(src);
	unsigned long flags = mm_lock_irqsave(&pool->lock);
	struct mslab_page *mpage = page_mpage_locked(pool, src);

	if (!mpage || mpage->mapped) { /* released: the core sees it and frees */
		mm_unlock_irqrestore(&pool->lock, flags);
		return -EAGAIN;
	}
	migrate_copy_page(mm, dst, src);
	mpage->pfn = mm_page_to_pfn(mm, dst);
	dst->private = (unsigned long)pool;
	movable_page_init(dst, MEMDESC_MSLAB, mpage);
	page_set_memdesc(src, MEMDESC_MSLAB, NULL); /* detached: the core frees it */
	mpage->isolated = 0;
	mslab_page_relist_locked(mpage);
	mslab_page_class(mpage)->migrated++;
	mm_unlock_irqrestore(&pool->lock, flags);
	return 0;
}

static void mslab_putback(struct mm *mm, struct page *page)
{
	struct mslab_pool *pool = page_pool(page);
	unsigned long flags = mm_lock_irqsave(&pool->lock);
	struct mslab_page *mpage = page_mpage_locked(pool, page);

	if (mpage) { /* else released meanwhile: the core's unclaim frees it */
		mpage->isolated = 0;
		mslab_page_relist_locked(mpage);
	}
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
	const struct mslab_class *class = &pool->classes[class_idx];
	unsigned long flags;

	BUG_ON(class_idx >= pool->nr_classes);
	flags = mm_lock_irqsave(&pool->lock);
	info->size = class->size;
	info->objects_per_page = class->nr_objects;
	info->pages = class->nr_pages;
	info->objects = class->nr_objects_used;
	info->bytes_used = class->bytes_used;
	info->bytes_held = class->nr_pages * PAGE_SIZE;
	info->allocs = class->allocs;
	info->frees = class->frees;
	info->migrated = class->migrated;
	info->compact_moved = class->compact_moved;
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
