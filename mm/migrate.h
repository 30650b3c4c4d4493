/*
 * Page migration: move movable pages (mm/movable.h) to new frames. The
 * input is an array of PFNs (migrate_pages) or, for compaction, a pageblock
 * base and a 512-bit bitmap of the PFNs to move (migrate_block) — never a
 * list threaded through the pages (the "Non-lru page migration in a memdesc
 * world" and "A plan for supporting PageMovable in 2025" threads,
 * docs/references.md).
 *
 * Pages are handled in batches of MIGRATE_BATCH: isolate the batch first,
 * then allocate targets only for pages actually isolated (as in the
 * "mm/migrate: Defer allocating new page until needed" thread), then
 * migrate. A page whose owner says -EAGAIN is retried in a later pass
 * (MIGRATE_SYNC_PASSES or MIGRATE_ASYNC_PASSES in all); any other failure is
 * final. Target allocation runs with the per-cpu "in migration" guard set,
 * so it never recurses into compaction.
 */
#ifndef MM_MIGRATE_H
#define MM_MIGRATE_H

#include "mm/movable.h"

#define MIGRATE_BATCH 32
#define MIGRATE_SYNC_PASSES 10
#define MIGRATE_ASYNC_PASSES 3
#define MIGRATE_BLOCK_BITS PAGEBLOCK_PAGES

struct migrate_result {
	unsigned long succeeded;   /* pages moved */
	unsigned long failed;      /* pages left where they were (put back) */
	unsigned long retried;     /* -EAGAIN outcomes that led to another pass */
	unsigned long released;    /* freed because their owner released them */
	unsigned long skipped;     /* not a movable page when reached (freed meanwhile) */
	unsigned long no_target;   /* failures because no target page was available */
	unsigned long bytes_copied;
	unsigned long by_type[MEMDESC_TYPES]; /* pages moved, per owner type */
};

/* Allocate a target for @src (same order); NULL when none. Must not sleep
 * in MIGRATE_ASYNC and must not compact. */
typedef struct page *(*migrate_alloc_t)(struct mm *mm, struct page *src, void *priv);
/* Give back a target that was not used. */
typedef void (*migrate_free_t)(struct mm *mm, struct page *dst, void *priv);

/*
 * migrate_pages - move the pages at @pfns[0..@n).
 * @alloc/@free: target allocator and its undo; NULL for the default
 * (mm_alloc_pages(GFP_MOVABLE) / mm_free_pages).
 * @res: zeroed, then filled in.
 * Return: 0 when every page moved, was released or was skipped; -EBUSY when
 * some were left in place (see @res).
 * Context: thread context, no spinlock held.
 */
int migrate_pages(struct mm *mm, const unsigned long *pfns, size_t n, migrate_alloc_t alloc,
		  migrate_free_t free, void *priv, enum migrate_mode mode,
		  struct migrate_result *res);

/*
 * migrate_block - the compaction form: move every PFN base_pfn + i for each
 * set bit i of @bitmap (MIGRATE_BLOCK_BITS bits). @base_pfn must be
 * pageblock-aligned. Return and @res as migrate_pages().
 */
int migrate_block(struct mm *mm, unsigned long base_pfn, const unsigned long *bitmap,
		  migrate_alloc_t alloc, migrate_free_t free, void *priv, enum migrate_mode mode,
		  struct migrate_result *res);

/* Copy @src's data to @dst (same order) with the fastest copy available,
 * counting the bytes. For migrate callbacks. */
void migrate_copy_page(struct mm *mm, struct page *dst, struct page *src);

/* Add @b into @a. */
void migrate_result_add(struct migrate_result *a, const struct migrate_result *b);

#endif
