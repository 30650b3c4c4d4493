/*
 * Compaction: move movable pages out of pageblocks that can be emptied, into
 * free pages elsewhere, so that free 2 MiB (order-9) blocks appear (the
 * "memory defragmentation to satisfy high order allocations" thread,
 * docs/references.md). Triggers: explicit (compact_zone / monitor
 * `compact`), direct (a failed high-order allocation with GFP_MAY_COMPACT),
 * proactive (a thread watching the order-9 fragmentation score, kernel
 * side).
 */
#ifndef MM_COMPACTION_H
#define MM_COMPACTION_H

#include "mm/migrate.h"

/* Compact the whole zone rather than stop at the first free block. */
#define COMPACT_ALL NR_ORDERS

enum compact_status {
	COMPACT_SUCCESS,  /* a free block of the requested order exists */
	COMPACT_COMPLETE, /* the scanners met */
	COMPACT_DEFERRED, /* skipped: recent attempts at this order failed */
};

struct compact_result {
	enum compact_status status;
	unsigned long migrate_scanned; /* pages the migrate scanner examined */
	unsigned long free_scanned;    /* pages the free scanner examined */
	unsigned long isolated;        /* free pages taken as targets */
	unsigned long migrated;        /* pages moved */
	unsigned long failed;          /* pages left in place */
	unsigned long blocks_evacuated; /* pageblocks the migrate scanner emptied */
	unsigned long migrated_by_type[MEMDESC_TYPES];
	struct pack_result pack;       /* the owners' packing, before the scanners */
	u64 time_ns;
};

/*
 * compact_pack - compaction's first phase alone: the owners that pack their
 * objects (mslab pools: a registered movable_owner's pack()) do so, and the per-cpu caches are drained. A
 * caller that measures the page-migration phase by itself (frag_compact)
 * runs this first; compact_zone()'s own packing then finds nothing to do.
 * @acc: the objects moved, bytes copied and pages freed are added to it.
 * Context: thread context.
 */
void compact_pack(struct mm *mm, struct pack_result *acc);

/*
 * compact_zone - compact @mm until a free block of @order exists (or, with
 * COMPACT_ALL, until the scanners meet).
 * @mode: MIGRATE_ASYNC never waits; MIGRATE_SYNC retries more.
 * @direct: resume from the cached scanner position and honour deferral (the
 * allocation path); explicit compaction starts from scratch.
 * Return: the status, also stored in @res.
 * Context: thread context; the per-cpu caches are drained first.
 */
enum compact_status compact_zone(struct mm *mm, unsigned int order, enum migrate_mode mode,
				 bool direct, struct compact_result *res);

/* Is a free block of at least @order available (any allocatable type)? */
bool compact_order_free(struct mm *mm, unsigned int order);

#endif
