/*
 * mslab: a movable object allocator (after zsmalloc's ideas). Objects of
 * 16 B .. PAGE_SIZE are packed by size class into order-0 pages of memdesc
 * type MEMDESC_MSLAB, and users hold handles, never addresses: a handle
 * names a slot of the pool's handle table, the slot names the page
 * descriptor and the object's index, and the descriptor names the frame.
 * So the registry can migrate a page (copy it, re-point its descriptor)
 * and the pool can compact itself (move objects between pages of a class,
 * rewriting their slots) while users keep their handles.
 *
 * Access: mslab_map(handle) returns the object's current address, valid
 * until mslab_unmap(handle). A mapped object pins its page:
 *   - isolate refuses a page with a mapped object (-EAGAIN: try later);
 *   - mapping an object of a page that is isolated never waits: it returns
 *     the address in the source frame and pins it there, and the migrate
 *     callback, seeing the map under the pool lock, backs off with -EAGAIN
 *     (the core puts the page back). Copy and re-point happen under the
 *     pool lock, so a map sees the page entirely before or after its move;
 *   - pool compaction moves no object out of a page with a mapped object.
 * A page whose objects are all freed while it is isolated is released to
 * the core (movable_page_release), not copied.
 *
 * Storage (all of it from the pool's mm):
 *   - object pages: order-0, GFP_MOVABLE, memdesc MSLAB -> struct mslab_page;
 *   - descriptors (struct mslab_page + a reverse map object -> slot): one
 *     kmem cache per class in the pool's own slab set (unmovable SLAB
 *     pages, exact sizes, 16-byte aligned);
 *   - handle table: pages of MSLAB_SLOTS_PER_PAGE slots (unmovable KERNEL
 *     pages) under a directory of page pointers (a KERNEL block whose
 *     order doubles as the table grows). Slot 0 is never used.
 * A handle is (generation << 32) | slot index; the generation (16 bits)
 * changes on every free, so a stale handle is reported (until it wraps).
 *
 * In a no-data mm (struct mm_config.no_data) object contents are neither
 * zeroed nor copied by compaction, and page moves keep only the tag word.
 *
 * Misuse (unknown or stale handle, double free, free of a mapped handle,
 * unmap without map) is reported through mm_bug() and changes nothing.
 *
 * Lock tags: (C) constant after creation, (L) the pool lock (IRQ-saving;
 * taken by every entry point and by the movable callbacks). It is held
 * while object pages, descriptors and table pages are allocated and freed,
 * which never compacts (GFP_MAY_COMPACT is stripped) and so never comes
 * back into the pool: the order is pool lock -> slab locks -> zone lock.
 * (T) thread context, creation/destruction only.
 */
#ifndef MM_MSLAB_H
#define MM_MSLAB_H

#include "mm/slab.h"
#include "mm/movable.h"

#define MSLAB_MIN_SIZE 16
#define MSLAB_ALIGN 16               /* every object */
#define MSLAB_MAX_SIZE PAGE_SIZE
#define MSLAB_MAX_OBJECTS (PAGE_SIZE / MSLAB_MIN_SIZE) /* per page: 256 */
#define MSLAB_MAX_CLASSES 32
#define MSLAB_NAME_MAX 24

/* One slot of the handle table (16 bytes). */
struct mslab_slot {
	union {
		struct mslab_page *page; /* (L) used: descriptor of the object's page */
		unsigned long next_free; /* (L) free: next free slot index, 0 ends */
	};
	u16 gen;    /* (L) generation: part of the handle, bumped on free */
	u16 size;   /* (L) used: bytes asked for (bytes_used statistics) */
	u16 obj;    /* (L) used: object index in the page */
	u8 used;    /* (L) 1 while a handle names it */
	u8 mapped;  /* (L) outstanding mslab_map calls on it */
};
#define MSLAB_SLOTS_PER_PAGE (PAGE_SIZE / sizeof(struct mslab_slot))

/* The descriptor of one object page (the page's memdesc). */
struct mslab_page {
	struct list_head list;     /* (L) on its class's partial, full or isolated list */
	struct mslab_pool *pool;   /* (C) owner */
	unsigned long pfn;         /* (L) frame holding the objects (changes on migration) */
	u16 class_idx;             /* (C) */
	u16 inuse;                 /* (L) objects allocated */
	u16 mapped;                /* (L) mslab_map calls outstanding on its objects */
	u16 isolated;              /* (L) 1 while migration owns the page */
	unsigned long free_map[MSLAB_MAX_OBJECTS / 64]; /* (L) bit i set: object i free */
	u32 slot[];                /* (L) slot index of object i, 0 when free */
};

struct mslab_class {
	unsigned int size;          /* (C) object stride: multiple of 16 */
	unsigned int nr_objects;    /* (C) per page: PAGE_SIZE / size */
	struct kmem_cache *desc_cache; /* (C) descriptors of this class's pages */
	struct list_head partial;   /* (L) some objects free */
	struct list_head full;      /* (L) no object free */
	struct list_head isolated;  /* (L) given to migration */
	unsigned long nr_pages;     /* (L) on the three lists */
	unsigned long nr_objects_used; /* (L) objects allocated */
	unsigned long bytes_used;   /* (L) bytes asked for by those objects */
	u64 allocs, frees;          /* (L) */
	u64 migrated;               /* (L) pages moved by the registry */
	u64 compact_moved;          /* (L) objects moved by pool compaction */
};

struct mslab_pool {
	char name[MSLAB_NAME_MAX];    /* (C) */
	struct mm *mm;                /* (C) */
	struct mm_lock lock;
	struct movable_owner owner;   /* (T) registered: packs, is listed */
	unsigned int nr_classes;      /* (C) */
	struct mslab_class classes[MSLAB_MAX_CLASSES];
	struct slab_set desc_set;     /* descriptors (its own locks) */
	struct mslab_slot **dir;      /* (L) handle table: pages of slots */
	struct page *dir_page;        /* (L) where dir lives */
	unsigned int dir_order;       /* (L) */
	unsigned long nr_chunks;      /* (L) slot pages in dir */
	unsigned long free_slot;      /* (L) first free slot index, 0: none */
	unsigned long nr_handles;     /* (L) slots in use */
	int last_error;               /* (L) why the last mslab_alloc failed, else 0 */
	unsigned long bugs;           /* (L) misuse reported through mm_bug */
	u64 released;                 /* (L) emptied pages migration held: it freed them */
	u64 compactions;              /* (L) mslab_compact runs */
	u64 compact_pages_freed;      /* (L) */
};

/* A snapshot of one class (mslab_class_info). */
struct mslab_class_info {
	unsigned int size, objects_per_page;
	unsigned long pages, objects;
	unsigned long bytes_used;  /* asked for by live objects */
	unsigned long bytes_held;  /* pages * PAGE_SIZE */
	u64 allocs, frees, migrated, compact_moved;
};

/* The pool as a whole (mslab_pool_info). */
struct mslab_pool_info {
	unsigned long pages, objects, bytes_used, bytes_held;
	unsigned long handles, table_pages; /* slots in use, pages of the table */
	unsigned long bugs;
	u64 compactions, compact_pages_freed;
};

/*
 * mslab_pool_create - an empty pool over @mm named @name; registers the
 * MSLAB movable ops with @mm the first time. No object page is taken yet.
 * Return: 0, or -ENOMEM (descriptor caches; nothing is left behind).
 * Context: thread context.
 */
int mslab_pool_create(struct mslab_pool *pool, struct mm *mm, const char *name);

/*
 * mslab_pool_destroy - free every object, page, descriptor and the handle
 * table (pages migration holds are released to it). Handles of the
 * pool are dead afterwards. Context: thread context; nothing mapped, and
 * no migration of the pool's mm running (a claimed page reaches the pool
 * through its private word until the core lets it go).
 */
void mslab_pool_destroy(struct mslab_pool *pool);

/*
 * mslab_alloc - an object of @size bytes (16-byte aligned; zeroed with
 * GFP_ZERO; GFP_ATOMIC/GFP_NOWARN are passed to the page allocator).
 * Return: its handle, or 0 on failure with mslab_last_error() saying why:
 * -EINVAL for size 0 or above MSLAB_MAX_SIZE, -ENOMEM when no page,
 * descriptor or handle slot could be had.
 */
unsigned long mslab_alloc(struct mslab_pool *pool, size_t size, gfp_t gfp);

/* The error of the last failed mslab_alloc (0 after a success). */
int mslab_last_error(struct mslab_pool *pool);

/* mslab_free - free @handle's object (0 is ignored). A handle that is
 * unknown, already freed or mapped is reported and nothing changes. */
void mslab_free(struct mslab_pool *pool, unsigned long handle);

/*
 * mslab_map - the object's address, valid until mslab_unmap(@handle); maps
 * nest (up to 255). The page is pinned meanwhile (see the top).
 * Return: the address, or NULL (reported) for an invalid handle.
 */
void *mslab_map(struct mslab_pool *pool, unsigned long handle);

/* mslab_unmap - end one mslab_map of @handle; misuse is reported. */
void mslab_unmap(struct mslab_pool *pool, unsigned long handle);

/* Bytes asked for when @handle was allocated (0, reported, if invalid). */
size_t mslab_size(struct mslab_pool *pool, unsigned long handle);

/* The PFN holding @handle's object now (0, reported, if invalid). For tests
 * and migration drivers. */
unsigned long mslab_pfn(struct mslab_pool *pool, unsigned long handle);

/*
 * mslab_compact - per class, move objects from the emptiest pages into the
 * fullest ones and free the pages emptied; pages with a mapped object keep
 * their objects, isolated pages are not touched.
 * @acc: when not NULL, the objects moved, bytes copied and pages freed are
 * added to it.
 * Return: pages freed. Context: thread context.
 */
unsigned long mslab_compact(struct mslab_pool *pool, struct pack_result *acc);

/* The pool registered as @owner (a movable_owner of type MSLAB). */
static inline struct mslab_pool *mslab_owner_pool(struct movable_owner *owner)
{
	return owner->priv;
}

void mslab_class_info(struct mslab_pool *pool, unsigned int class_idx,
		      struct mslab_class_info *info);
void mslab_pool_info(struct mslab_pool *pool, struct mslab_pool_info *info);

/*
 * mslab_check - verify every invariant of @pool (see mm/mslab_check.c):
 * class lists and counters, each page's bitmap, reverse map and slots,
 * the pages behind the descriptors, the handle table's free list, and every
 * MSLAB page of the mm that names the pool accounted for.
 * Return: the number of violations; each is logged.
 */
unsigned int mslab_check(struct mslab_pool *pool);

/*
 * mslab_scenario_fill - allocate objects of log-uniform sizes 16..2048 B
 * until @bytes of object pages are held, then free 75% of them at random
 * (PRNG seeded with @seed). For the `mixed` fragmentation scenario; the
 * survivors stay in @pool (mslab_pool_destroy frees them).
 * @pool must hold no object yet (its objects are the candidates freed).
 * Return: 0, -EBUSY when @pool is not empty, or -ENOMEM when not even one
 * object could be allocated.
 */
int mslab_scenario_fill(struct mslab_pool *pool, unsigned long bytes, u64 seed);

#endif
