/*
 * The memory manager instance and its allocation interface. All mm state
 * lives in a struct mm passed explicitly: the kernel has one (kernel_mm,
 * kernel/mm/mm_boot.c), host tests create as many as they like over simulated
 * memory maps.
 *
 * One zone covers [base_pfn, end_pfn); gaps inside it (PFNs without RAM) are reserved pages.
 * Free memory sits in a buddy allocator (orders 0..MAX_ORDER, free lists per
 * migratetype, pageblocks of order 9 typed in a separate table) fronted by a
 * per-cpu cache of order-0 pages.
 *
 * Lock tags: (C) constant after mm_init, (Z) zone lock (mm->lock, IRQ-safe),
 * (P) the per-CPU cache's own lock (pcp->lock, IRQ-safe; the zone lock
 * nests inside), (S) statistics: updated under (Z) or (P), read racily.
 */
#ifndef MM_MM_H
#define MM_MM_H

#include "mm/page.h"
#include "mm/platform.h"

typedef unsigned int gfp_t;

#define GFP_KERNEL 0x0
#define GFP_MOVABLE 0x1  /* the page may be migrated: served from MOVABLE pageblocks */
#define GFP_ATOMIC 0x2   /* caller cannot sleep: no compaction, may dip below min */
#define GFP_ZERO 0x4     /* zero the pages */
#define GFP_NOWARN 0x8   /* failure is expected: do not log it */
#define GFP_MAY_COMPACT 0x10 /* a high-order failure may compact and retry */
#define GFP_NORETRY 0x20 /* fail without asking the OOM notifiers (mm/oom.h):
			  * for opportunistic allocations such as balloon inflate */

enum watermark { WMARK_MIN, WMARK_LOW, WMARK_HIGH, NR_WMARK };

/* A half-open range of page frames. */
struct pfn_range {
	unsigned long start;
	unsigned long end;
};

struct free_area {
	struct list_head list[MIGRATE_TYPES]; /* (Z) heads of free blocks */
	unsigned long nr[MIGRATE_TYPES];      /* (Z) blocks on each list */
};

/* A cache line: what one CPU's hot data must not share with another's. */
#define MM_CACHELINE_BYTES 64

/* Aligned to a cache line: CPUs on their own caches at once do not take
 * each other's lines (bench/smp_order0_bench.c, order0_scaling_2t). */
struct pcp_cache {
	struct mm_lock lock;                     /* (P): any CPU may drain it */
	struct list_head list[MIGRATE_PCPTYPES]; /* (P) free order-0 pages */
	unsigned int count;                      /* (P) pages on both lists; read unlocked */
	unsigned int high;                       /* (C) drain above this */
	unsigned int batch;                      /* (C) pages moved per refill/drain */
	u64 hits;                                /* (P) order-0 allocations served here */
	u64 frees;                               /* (P) order-0 frees cached here */
} __aligned(MM_CACHELINE_BYTES);

struct movable_operations;
struct fault_inject;

/*
 * (S): statistics, written with mm_stat_inc() or mm_stat_add() (relaxed
 * atomic adds: no lock, exact) or, for a field every writer updates under
 * the zone lock, under it; read without one. The order-0 fast
 * path counts in its CPU's cache instead (pcp->hits, pcp->frees, under its
 * lock): mm_nr_allocs() and mm_nr_frees() add both.
 */
struct mm_stats {
	u64 alloc[NR_ORDERS];      /* (S) successful allocations per order, but
				    * order 0's through a pcp (pcp->hits) */
	u64 alloc_fail[NR_ORDERS]; /* (S) failed allocations per order */
	u64 free[NR_ORDERS];       /* (S) frees per order, but the pcp->frees */
	u64 pcp_refill;            /* (S) batches moved buddy -> pcp */
	u64 pcp_drain;             /* (S) batches moved pcp -> buddy */
	u64 fallback;              /* (S) allocations served from another migratetype */
	u64 steal_block;           /* (S) pageblocks whose type changed by stealing */
	u64 bugs;                  /* (S) misuse detected (double free, ...) */
	u64 compact_direct;        /* (S) allocations that compacted and retried */
	u64 migrate_success;       /* (S) pages migrated */
	u64 migrate_fail;          /* (S) pages given up on */
	u64 migrate_retry;         /* (S) -EAGAIN retries */
	u64 migrate_released;      /* (S) released by their owner while isolated */
	u64 migrate_bytes;         /* (S) bytes copied by migrate_copy_page */
	u64 migrate_by_type[MEMDESC_TYPES]; /* (S) successes per owner type */
	u64 oom_notify;            /* (S) walks of the OOM-notifier list (mm/oom.c) */
	u64 oom_released;          /* (S) pages the notifiers said they freed */
	u64 oom_success;           /* (S) allocations that succeeded after a walk */
	u64 oom_busy;              /* (S) failures that found a walk already running */
	u64 report_taken;          /* (S) blocks taken for free page reporting */
	u64 report_blocks;         /* (S) blocks returned as reported */
	u64 report_pages;          /* (S) pages in those blocks */
	u64 hole_alloc;            /* (S) mm_alloc_hole_page served from a hole */
	u64 hole_fallback;         /* (S) ... that found no hole below pageblock order */
	u64 poison_bad;            /* (S) allocations whose poison was overwritten */
};

/* OOM notifiers (mm/oom.h). */
struct mm_oom {
	struct list_head notifiers; /* (Z) registered; changed only while !notifying */
	bool notifying;             /* (Z) a walk runs (lock dropped): no second one */
	unsigned int waiters;       /* (Z) register/unregister waiting for the walk */
};

/* Compaction state and counters (mm/compaction.c). */
struct mm_compact {
	unsigned long migrate_pfn;  /* relaxed atomic: cached migrate scanner position (a hint) */
	unsigned int defer_shift;   /* (Z) skip 2^shift direct attempts after failures */
	unsigned int considered;    /* (Z) attempts skipped since the last failure */
	unsigned int defer_order;   /* (Z) lowest order that failed */
	u64 runs;                   /* (S) compaction runs */
	u64 deferred;               /* (S) direct attempts skipped by deferral */
	u64 migrate_scanned;        /* (S) pages examined by the migrate scanner */
	u64 free_scanned;           /* (S) pages examined by the free scanner */
	u64 isolated;               /* (S) free pages taken as targets */
	u64 migrated;               /* (S) pages moved */
	u64 failed;                 /* (S) pages that could not be moved */
	u64 time_ns;                /* (S) time spent compacting */
};

struct mm {
	const char *name;                       /* (C) */
	unsigned long base_pfn;                 /* (C) first PFN of the zone */
	unsigned long end_pfn;                  /* (C) one past the last */
	struct page *mem_map;                   /* (C) descriptors of [base_pfn, end_pfn) */
	u8 *pageblock;                          /* (Z) per block: migratetype | skip | saved type << 4
						 * (atomic bytes: the skip bit is set unlocked) */
	unsigned long nr_pageblocks;            /* (C) */
	struct mm_lock lock;
	struct free_area free_area[NR_ORDERS];  /* (Z) */
	unsigned long nr_free;                  /* (Z) pages in the buddy lists (stored
						 * relaxed: read unlocked) */
	unsigned long nr_managed;               /* (C) pages the buddy was given */
	unsigned long nr_reserved;              /* (C) pages never managed */
	unsigned long wmark[NR_WMARK];          /* (C) in pages, against nr_free */
	struct pcp_cache pcp[MM_MAX_CPUS];
	/* (C-ish) ops per memdesc type; written once under (Z) by registration */
	const struct movable_operations *movable_ops[MEMDESC_TYPES];
	bool in_migration_alloc[MM_MAX_CPUS]; /* that CPU's, interrupts off: target allocation running, no compaction */
	u64 copied_bytes[MM_MAX_CPUS];          /* that CPU's: bytes migrate_copy_page copied there */
	struct mm_compact compact;
	bool no_data;                           /* (C) see struct mm_config */
	bool poison;                            /* (C) poison on free (mm/poison.h) */
	struct fault_inject *fault;             /* injection attached, or NULL (mm/fault_inject.h) */
	struct list_head movable_owners;        /* (T) owner instances (mm/movable.h) */
	struct mm_stats stats;
	/* Off the allocator's hot lines: */
	struct mm_oom oom;                      /* OOM notifiers (mm/oom.h) */
	unsigned long nr_report_isolated;       /* (Z) pages taken by mm_report_take, not returned */
};

/* What mm_init needs: usable RAM (sorted, disjoint, page-granular), ranges
 * inside it that must not be managed (kernel image, boot data), and zeroed
 * storage of mm_storage_bytes() bytes for the descriptors. */
struct mm_config {
	const char *name;
	const struct pfn_range *usable;
	size_t nr_usable;
	const struct pfn_range *reserved;
	size_t nr_reserved;
	void *storage;
	/* Simulation without data: page contents are never touched; a page's
	 * private word is its data tag, which migrate_copy_page moves (for
	 * owners that keep nothing else in private: MAPPED pages). */
	bool no_data;
	/* Poison free pages and check the poison on allocation (mm/poison.h);
	 * ignored with no_data. */
	bool poison;
};

/* Bytes of zeroed storage mm_init needs for a zone spanning [base, end). */
size_t mm_storage_bytes(unsigned long base_pfn, unsigned long end_pfn);

/*
 * mm_init - bring up the allocator over @cfg's memory.
 * Return: 0, or -EINVAL when the ranges are unsorted, overlapping or empty.
 * Context: before any other use of @mm; single-threaded.
 */
int mm_init(struct mm *mm, const struct mm_config *cfg);

/* The smallest order whose block holds @bytes (0 for up to one page). */
static inline unsigned int mm_order_for_bytes(size_t bytes)
{
	unsigned int order = 0;

	while ((PAGE_SIZE << order) < bytes)
		order++;
	return order;
}

/*
 * mm_alloc_pages - allocate 2^@order contiguous pages.
 * Return: the head page (PG_head, memdesc type KERNEL, refcount 1), or NULL
 * when no block is free within the watermark @gfp allows.
 * Context: any; GFP_ATOMIC required in interrupt context.
 */
struct page *mm_alloc_pages(struct mm *mm, unsigned int order, gfp_t gfp);

/*
 * mm_free_pages - give back a block from mm_alloc_pages().
 * A page that is not an allocated head of exactly @order (double free,
 * wrong order, a tail, reserved) is reported through mm_bug() with its PFN
 * and nothing changes.
 */
void mm_free_pages(struct mm *mm, struct page *page, unsigned int order);

/*
 * mm_alloc_pfn - allocate exactly the free page @pfn (order 0), splitting
 * the free block around it. For scenarios and tests that place pages.
 * Return: the page, or NULL when @pfn is not free in the buddy.
 */
struct page *mm_alloc_pfn(struct mm *mm, unsigned long pfn);

/* Move every page in the per-cpu caches back to the buddy lists. */
void mm_drain_pcp(struct mm *mm);

static inline bool mm_pfn_valid(const struct mm *mm, unsigned long pfn)
{
	return pfn >= mm->base_pfn && pfn < mm->end_pfn;
}
static inline struct page *mm_pfn_to_page(const struct mm *mm, unsigned long pfn)
{
	return &mm->mem_map[pfn - mm->base_pfn];
}
static inline unsigned long mm_page_to_pfn(const struct mm *mm, const struct page *page)
{
	return (unsigned long)(page - mm->mem_map) + mm->base_pfn;
}
static inline void *mm_page_address(const struct mm *mm, const struct page *page)
{
	return mm_pfn_to_virt(mm_page_to_pfn(mm, page));
}

/* Free pages including the per-cpu caches. */
unsigned long mm_nr_free_pages(const struct mm *mm);

/**
 * mm_nr_allocs - successful allocations of @order so far.
 * @mm: the allocator
 * @order: 0 .. MAX_ORDER
 *
 * Context: any; without a lock (each CPU's count is read once, relaxed).
 * Return: stats.alloc[@order], plus every per-cpu cache's hits for order 0.
 */
u64 mm_nr_allocs(const struct mm *mm, unsigned int order);
/* mm_nr_frees - the same for frees (stats.free plus pcp->frees). */
u64 mm_nr_frees(const struct mm *mm, unsigned int order);

/*
 * mm_check - verify every invariant of @mm (see mm/check.c): each PFN in
 * exactly one state, counters equal to the lists, blocks aligned and not
 * listed twice, reserved ranges intact.
 * Return: the number of violations found; each is logged with its PFN.
 */
unsigned int mm_check(struct mm *mm);

#endif
