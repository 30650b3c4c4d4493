/*
 * kmalloc over a slab set: a ladder of size classes (kmalloc_sizes below,
 * each a built-in kmem_cache of the set) up to a page, and blocks straight
 * from the buddy above that. kfree and ksize find the owner from the
 * pointer alone: pfn -> head page (probing the aligned candidates, since
 * tails are never written) -> memdesc type: SLAB leads to the descriptor
 * and its cache, KERNEL must be a block tagged SLAB_LARGE_MAGIC | order in
 * its private word and start exactly at the pointer. Anything else is
 * reported through mm_bug() and left alone.
 *
 * Locking: the set lock covers the large-block tag and counters (so
 * slab_check sees them agree); objects go through their cache's lock.
 */
#include "lib/bitmap.h"
#include "lib/printf.h"
#include "mm/fault_inject.h"
#include "mm/slab_internal.h"

static const unsigned int kmalloc_sizes[KMALLOC_NR_CLASSES] = {
	16, 32, 48, 64, 96, 128, 192, 256, 512, 1024, 2048, 4096,
};
#define KMALLOC_SMALL_MAX 192
/* Class of sizes up to 192 bytes, indexed by (size + 15) / 16. */
static const u8 small_class[KMALLOC_SMALL_MAX / 16 + 1] = {
	0, 0, 1, 2, 3, 4, 4, 5, 5, 6, 6, 6, 6,
};

void slab_kmalloc_init(struct slab_set *set)
{
	unsigned int i;

	for (i = 0; i < KMALLOC_NR_CLASSES; i++) {
		char cname[SLAB_NAME_MAX];

		snprintf(cname, sizeof(cname), "kmalloc-%u", kmalloc_sizes[i]);
		slab_add_builtin(set, &set->kmalloc[i], cname, kmalloc_sizes[i], SLAB_CACHE_KMALLOC);
	}
}

struct kmem_cache *slab_kmalloc_cache(struct slab_set *set, size_t size)
{
	if (size <= KMALLOC_SMALL_MAX)
		return &set->kmalloc[small_class[(size + 15) / 16]];
	if (size <= KMALLOC_MAX_CACHE_SIZE)
		/* 193..256 -> class 7 (256), then one class per power of two */
		return &set->kmalloc[7 + (64 - __builtin_clzl(size - 1)) - 8];
	return NULL;
}

/* A block of the smallest order holding @size, tagged in its private word. */
static void *alloc_large(struct slab_set *set, size_t size, gfp_t gfp)
{
	unsigned int order = 0;
	struct page *page = NULL;
	unsigned long flags;

	if (fault_should_fail(set->mm, FAULT_SLAB)) {
		/* counted as failed below, like a buddy failure */
	} else if (size <= KMALLOC_MAX_SIZE) {
		order = mm_order_for_bytes(size);
		page = mm_alloc_pages(set->mm, order, gfp & ~GFP_MOVABLE);
	} else if (!(gfp & GFP_NOWARN)) {
		mm_warn("kmalloc: %zu bytes exceed KMALLOC_MAX_SIZE\n", size);
	}
	flags = mm_lock_irqsave(&set->lock);
	if (page) {
		page->private = SLAB_LARGE_MAGIC | order;
		set->large_allocs++;
		set->large_pages += 1UL << order;
		set->large_total++;
	} else {
		set->large_fails++;
	}
	mm_unlock_irqrestore(&set->lock, flags);
	return page ? mm_page_address(set->mm, page) : NULL;
}

void *slab_kmalloc(struct slab_set *set, size_t size, gfp_t gfp)
{
	struct kmem_cache *cache = slab_kmalloc_cache(set, size);

	return cache ? slab_cache_alloc(cache, gfp) : alloc_large(set, size, gfp);
}

/* Why @head (type KERNEL) is not a live kmalloc block starting at @ptr, or
 * NULL when it is. */
static const char *large_invalid(struct slab_set *set, const struct page *head,
				 const void *ptr)
{
	if (head->private != (SLAB_LARGE_MAGIC | page_order(head)))
		return "a page not from kmalloc";
	if (ptr != mm_page_address(set->mm, head))
		return "inside a kmalloc block, not its start";
	return NULL;
}

static void large_bug(struct slab_set *set, const struct page *head, const void *ptr,
			 const char *op, const char *why)
{
	slab_bug(set, "%s(%p): %s (block at pfn %#lx, order %u, private %#lx)\n", op, ptr, why,
		 mm_page_to_pfn(set->mm, head), page_order(head), head->private);
}

static void free_large(struct slab_set *set, struct page *head, const void *ptr)
{
	unsigned int order = page_order(head);
	unsigned long flags = mm_lock_irqsave(&set->lock);
	const char *why = large_invalid(set, head, ptr);

	if (why) {
		mm_unlock_irqrestore(&set->lock, flags);
		large_bug(set, head, ptr, "kfree", why);
		return;
	}
	head->private = 0;
	set->large_allocs--;
	set->large_pages -= 1UL << order;
	mm_unlock_irqrestore(&set->lock, flags);
	mm_free_pages(set->mm, head, order);
}

void slab_kfree(struct slab_set *set, const void *ptr)
{
	struct page *head;
	struct slab *slab;

	if (!ptr)
		return;
	head = slab_owner_page(set, ptr, "kfree");
	if (!head)
		return;
	if (page_type(head) == MEMDESC_KERNEL) {
		free_large(set, head, ptr);
		return;
	}
	slab = slab_page_slab(set, head, ptr, "kfree");
	if (!slab)
		return;
	if (slab->cache->flags & SLAB_CACHE_INTERNAL) {
		slab_bug(set, "kfree(%p): object of the allocator's own cache %s\n", ptr,
			 slab->cache->name);
		return;
	}
	slab_free_object(slab->cache, slab, ptr, "kfree");
}

size_t slab_ksize(struct slab_set *set, const void *ptr)
{
	struct page *head;
	struct kmem_cache *cache;
	struct slab *slab;
	unsigned long flags;
	long idx;
	bool live;

	if (!ptr)
		return 0;
	head = slab_owner_page(set, ptr, "ksize");
	if (!head)
		return 0;
	if (page_type(head) == MEMDESC_KERNEL) {
		const char *why = large_invalid(set, head, ptr);

		if (!why)
			return PAGE_SIZE << page_order(head);
		large_bug(set, head, ptr, "ksize", why);
		return 0;
	}
	slab = slab_page_slab(set, head, ptr, "ksize");
	if (!slab)
		return 0;
	cache = slab->cache;
	flags = mm_lock_irqsave(&cache->lock);
	idx = slab_obj_index(cache, slab, ptr);
	live = idx >= 0 && !bitmap_test_bit(slab->free_map, (unsigned long)idx);
	mm_unlock_irqrestore(&cache->lock, flags);
	if (!live) {
		slab_bug(set, "ksize(%p): %s in cache %s\n", ptr,
			 idx < 0 ? "not the start of an object" : "a free object", cache->name);
		return 0;
	}
	return cache->size;
}

