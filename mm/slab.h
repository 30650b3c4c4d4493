/*
 * Slab allocator: caches of fixed-size objects (kmem_cache) carved out of
 * pages from a struct mm's buddy allocator, and kmalloc on top of them.
 *
 * A slab set (struct slab_set) is one instance: it belongs to one struct mm
 * and holds the descriptor cache, the cache of kmem_cache structures, the
 * kmalloc size classes and the list of every cache. There is no global state;
 * the kernel's singleton set lives in kernel/mm/kmalloc.c, tests make their own.
 *
 * kmalloc size classes (bytes): 16 32 48 64 96 128 192 256 512 1024 2048
 * 4096. The 48/96/192 classes cut the waste of sizes just above a power of
 * two; power-of-two classes are naturally aligned (their slabs are single
 * pages packed from offset 0). Requests above PAGE_SIZE go straight to the
 * buddy as a block of the smallest order that fits (up to MAX_ORDER).
 *
 * Every object is at least 16-byte aligned. Slabs are unmovable pages of
 * memdesc type MEMDESC_SLAB whose descriptor is a separately allocated
 * struct slab (see mm/slab.c for the bootstrap of the descriptors' own
 * pages). Large kmalloc blocks are MEMDESC_KERNEL pages with
 * SLAB_LARGE_MAGIC | order in the head's private word.
 *
 * Misuse (freeing a pointer that is not a live object of this set, double
 * free, freeing into the wrong cache) is reported through mm_bug() and
 * changes nothing: the kernel panics, the host records it.
 *
 * Lock tags: (C) constant after creation, (L) the cache's lock,
 * (S) the set's lock (cache list, large-allocation counters).
 */
#ifndef MM_SLAB_H
#define MM_SLAB_H

#include "mm/mm.h"

#define SLAB_MIN_ALIGN 16       /* every object: the memdesc low bits need it too */
#define SLAB_MAX_OBJECTS 256    /* per slab: the size of the free bitmap */
#define SLAB_MAX_ORDER 3        /* kmem_cache slabs are at most 32 KiB */
#define SLAB_MAX_SIZE (PAGE_SIZE << SLAB_MAX_ORDER) /* largest kmem_cache object */
#define SLAB_KEEP_EMPTY 1       /* empty slabs a cache keeps before returning pages */
#define SLAB_NAME_MAX 24
#define KMALLOC_NR_CLASSES 12
#define KMALLOC_MAX_CACHE_SIZE PAGE_SIZE            /* above: straight from the buddy */
#define KMALLOC_MAX_SIZE (PAGE_SIZE << MAX_ORDER)   /* largest kmalloc */
#define SLAB_LARGE_MAGIC 0x4b4d414c4c00UL           /* "KMALL" | order in private */

/* struct kmem_cache flags */
#define SLAB_CACHE_EMBED_DESC 0x1 /* descriptor in the slab's first bytes */
#define SLAB_CACHE_STATIC 0x2     /* embedded in the slab_set, not created */
#define SLAB_CACHE_INTERNAL 0x4   /* the allocator's own: kfree may not touch it */
#define SLAB_CACHE_KMALLOC 0x8    /* a kmalloc size class */

/*
 * The descriptor of one slab (memdesc of its head page). Separately
 * allocated from the set's descriptor cache, 16-byte aligned.
 */
struct slab {
	struct list_head list;      /* (L) on the cache's partial/full/empty list */
	struct kmem_cache *cache;   /* (C) owner */
	unsigned long pfn;          /* (C) head page */
	void *freelist;             /* (L) first free object; each holds the next */
	unsigned int inuse;         /* (L) objects handed out */
	unsigned int reserved;
	unsigned long free_map[SLAB_MAX_OBJECTS / 64]; /* (L) bit i set: object i is free */
};
static_assert(sizeof(struct slab) % SLAB_MIN_ALIGN == 0, "slab descriptors stay 16-aligned");

struct kmem_cache {
	char name[SLAB_NAME_MAX];    /* (C) */
	struct slab_set *set;        /* (C) */
	unsigned int object_size;    /* (C) bytes asked for */
	unsigned int size;           /* (C) stride: object_size rounded up to align */
	unsigned int align;          /* (C) power of two >= SLAB_MIN_ALIGN */
	unsigned int order;          /* (C) of every slab */
	unsigned int nr_objects;     /* (C) per slab */
	unsigned int offset;         /* (C) of the first object in the slab */
	unsigned int flags;          /* (C) SLAB_CACHE_* */
	struct mm_lock lock;
	struct list_head partial;    /* (L) some objects free */
	struct list_head full;       /* (L) no object free */
	struct list_head empty;      /* (L) every object free (at most SLAB_KEEP_EMPTY) */
	unsigned long nr_partial;    /* (L) */
	unsigned long nr_full;       /* (L) */
	unsigned long nr_empty;      /* (L) */
	unsigned long active;        /* (L) objects handed out */
	u64 allocs, frees, fails;    /* (L) */
	struct list_head node;       /* (S) on set->caches */
};

struct slab_set {
	const char *name;            /* (C) */
	struct mm *mm;               /* (C) where pages come from */
	struct mm_lock lock;
	struct list_head caches;     /* (S) every cache, creation order */
	struct kmem_cache desc_cache;   /* struct slab descriptors */
	struct kmem_cache cache_cache;  /* struct kmem_cache of created caches */
	struct kmem_cache kmalloc[KMALLOC_NR_CLASSES];
	unsigned long large_allocs;  /* (S) live kmalloc blocks from the buddy */
	unsigned long large_pages;   /* (S) pages in them */
	u64 large_total, large_fails; /* (S) */
	unsigned long bugs;          /* misuse reported through mm_bug (racy) */
};

/* What slabinfo prints about one cache (a snapshot). */
struct slab_cache_info {
	const char *name;
	unsigned int object_size, size, order, objects_per_slab;
	unsigned long active_objects, total_objects;
	unsigned long slabs, pages;
	unsigned long bytes_used;    /* active_objects * object_size */
	unsigned long bytes_held;    /* pages * PAGE_SIZE */
	u64 allocs, frees, fails;
};

/*
 * slab_set_init - make @set an empty slab set over @mm.
 * No page is taken until the first allocation.
 * Return: 0.
 */
int slab_set_init(struct slab_set *set, struct mm *mm, const char *name);

/*
 * slab_set_destroy - destroy every created cache and give all pages back.
 * Return: 0, or -EBUSY when objects or large blocks are still allocated
 * (logged; the set stays usable, only the empty parts were released).
 */
int slab_set_destroy(struct slab_set *set);

/*
 * slab_cache_create - a cache of objects of @size bytes aligned to @align
 * (0: SLAB_MIN_ALIGN; smaller values are raised to it).
 * Return: the cache, or NULL when @size is 0 or above SLAB_MAX_SIZE, @align
 * is not a power of two up to PAGE_SIZE (both logged), or memory ran out.
 * Context: may allocate pages with GFP_KERNEL.
 */
struct kmem_cache *slab_cache_create(struct slab_set *set, const char *name, size_t size,
				     size_t align);

/*
 * slab_cache_destroy - free @cache and its empty slabs.
 * Return: 0, or -EBUSY when objects are still allocated (logged; nothing
 * changes).
 */
int slab_cache_destroy(struct kmem_cache *cache);

/*
 * slab_cache_alloc - one object (zeroed with GFP_ZERO).
 * Return: the object, or NULL when no page could be had.
 * Context: any; GFP_ATOMIC in interrupt context.
 */
void *slab_cache_alloc(struct kmem_cache *cache, gfp_t gfp);

/* slab_cache_free - give back @obj (NULL is ignored). Misuse: mm_bug(). */
void slab_cache_free(struct kmem_cache *cache, void *obj);

/* Release the empty slabs @cache keeps. Return: pages freed. */
unsigned long slab_cache_shrink(struct kmem_cache *cache);
/* The same for every cache of @set (descriptor cache last). */
unsigned long slab_shrink(struct slab_set *set);

/*
 * slab_kmalloc - @size bytes from the smallest class that fits, or from the
 * buddy above KMALLOC_MAX_CACHE_SIZE. Size 0 gets a 16-byte object (a
 * unique pointer that kfree accepts).
 * Return: the memory, or NULL (size above KMALLOC_MAX_SIZE, out of memory).
 */
void *slab_kmalloc(struct slab_set *set, size_t size, gfp_t gfp);

/* slab_kfree - free memory from slab_kmalloc (or any created cache's
 * object). NULL is ignored; anything else that is not a live allocation of
 * @set is reported through mm_bug() and left alone. */
void slab_kfree(struct slab_set *set, const void *ptr);

/* slab_ksize - usable bytes at @ptr (class size or block size).
 * Return: that, or 0 for NULL or (reported) a pointer @set did not hand out. */
size_t slab_ksize(struct slab_set *set, const void *ptr);

/* The kmalloc class serving @size, or NULL above KMALLOC_MAX_CACHE_SIZE. */
struct kmem_cache *slab_kmalloc_cache(struct slab_set *set, size_t size);

void slab_cache_info(struct kmem_cache *cache, struct slab_cache_info *info);

/* Call @fn with a snapshot of every cache, in creation order. @fn runs with
 * the set's lock held and must not allocate from @set. */
void slab_for_each_cache(struct slab_set *set,
			 void (*fn)(const struct slab_cache_info *info, void *arg), void *arg);

/*
 * slab_check - verify every invariant of @set (see mm/slab_check.c): list
 * counts, slab states, freelists against the free bitmaps, descriptors
 * against their pages, and every slab or large page of the mm accounted for.
 * Return: the number of violations; each is logged.
 * Context: exact when nothing allocates concurrently (takes the set lock).
 */
unsigned int slab_check(struct slab_set *set);

/* Pages @set holds from the buddy: every cache's slabs plus the large
 * blocks (what a workload that frees all it took may leave as slab growth).
 * Context: takes the set lock. */
unsigned long slab_set_pages(struct slab_set *set);

#endif
