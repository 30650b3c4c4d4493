/*
 * Helpers shared by mm/slab.c, mm/slab_kmalloc.c and mm/slab_check.c only:
 * object geometry of a slab, finding the owner of a pointer, misuse
 * reporting.
 */
#ifndef MM_SLAB_INTERNAL_H
#define MM_SLAB_INTERNAL_H

#include "mm/slab.h"

/* Report misuse of @set: counted, then mm_bug() (the kernel panics). */
#define slab_bug(set, fmt, ...)                                              \
	do {                                                                 \
		(set)->bugs++;                                               \
		mm_bug("slab %s: " fmt, (set)->name, ##__VA_ARGS__);         \
	} while (0)

/* Address of object 0 of @slab. */
static inline char *slab_base(const struct kmem_cache *cache, const struct slab *slab)
{
	return (char *)mm_pfn_to_virt(slab->pfn) + cache->offset;
}

static inline void *slab_object(const struct kmem_cache *cache, const struct slab *slab,
				unsigned long idx)
{
	return slab_base(cache, slab) + idx * cache->size;
}

/* Index of @obj in @slab, or -1 when it is not the start of one of its objects. */
static inline long slab_obj_index(const struct kmem_cache *cache, const struct slab *slab,
				  const void *obj)
{
	unsigned long off = (unsigned long)obj - (unsigned long)slab_base(cache, slab);

	/* Below the base the subtraction wraps to a huge offset. */
	if (off % cache->size || off / cache->size >= cache->nr_objects)
		return -1;
	return (long)(off / cache->size);
}

/*
 * slab_find_head - the page heading the block that contains @pfn (which
 * must be valid in @mm): an allocated or free head, or the pcp/reserved page
 * itself. Tails are never written, so the ≤ MAX_ORDER + 1 aligned candidates
 * below @pfn are probed for the first page with a state.
 * Return: that page, or NULL when @pfn lies in no block (corrupt mem_map).
 */
struct page *slab_find_head(struct mm *mm, unsigned long pfn);

/* The allocated head page of the block holding @ptr; misuse (not @set's
 * memory, a free or reserved page) is reported and NULL returned. */
struct page *slab_owner_page(struct slab_set *set, const void *ptr, const char *op);

/* The descriptor of @head if it is a slab page of @set; else reported, NULL. */
struct slab *slab_page_slab(struct slab_set *set, struct page *head, const void *ptr,
			    const char *op);

/* Put @obj back into @slab of @cache; not an object start or already free:
 * reported, nothing changes. Context: @cache's lock not held. */
void slab_free_object(struct kmem_cache *cache, struct slab *slab, const void *obj, const char *op);

/* Set up a cache embedded in @set and list it (cannot fail: sizes are ours). */
void slab_add_builtin(struct slab_set *set, struct kmem_cache *cache, const char *name,
		      size_t size, unsigned int flags);

/* slab_kmalloc.c: add the kmalloc classes to a new set. */
void slab_kmalloc_init(struct slab_set *set);

#endif
