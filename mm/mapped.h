/*
 * Mapped data pages (memdesc type MAPPED): a kernel virtual range backed by
 * movable order-0 pages, the kind of memory compaction has to move while
 * somebody may be using it. Migrating one (new accesses blocked while it
 * moves, as in the "memory defragmentation to satisfy high order
 * allocations" thread, docs/references.md) replaces its PTE with a
 * migration entry at isolation, flushes the TLB on every CPU once per batch
 * before the first copy, copies the data, installs the new PTE and wakes
 * waiters; an access in between faults, sleeps on the PFN's wait channel
 * until the move is done or put back (mapped_fault), then retries.
 *
 * Invariants: page i of a region is mapped at va + i * PAGE_SIZE, or holds a
 * migration entry naming it while it moves; each page's memdesc points at
 * its slot {region, index}; a region's pages are freed only by
 * mapped_region_free_page and mapped_region_destroy (an isolated page is
 * released, not freed), which unmap it and clear its slot's region (the
 * slot of a freed page stays, with region NULL).
 */
#ifndef MM_MAPPED_H
#define MM_MAPPED_H

#include "mm/movable.h"

struct mapped_region;

struct mapped_slot {
	struct mapped_region *region;
	unsigned long index;
} __attribute__((aligned(16)));

struct mapped_region {
	struct mm_lock lock;         /* orders the owner's frees with moves' entries */
	struct mm *mm;
	unsigned long va;            /* first page's virtual address */
	unsigned long nr_pages;       /* pages backed (all of them once created) */
	unsigned long nr_reserved;    /* pages of address space reserved */
	struct mapped_slot *slots;   /* one per page: the pages' descriptors */
	struct page *slots_page;     /* where the slots live */
	unsigned int slots_order;
	/* Test hook: runs in migrate after the migration entry is installed
	 * and before the copy (a test yields here so another thread faults). */
	void (*migrate_hook)(struct mapped_region *r, unsigned long index);
	unsigned long migrations;    /* pages of this region moved (relaxed atomic) */
};

/* Register the MAPPED movable ops with @mm (-EBUSY if already done is fine). */
int mapped_init(struct mm *mm);

/*
 * mapped_region_create - back @nr_pages of fresh kernel virtual space with
 * movable pages (zeroed when @gfp has GFP_ZERO).
 * Return: 0, -ENOMEM (everything undone), -EINVAL for 0 pages.
 */
int mapped_region_create(struct mapped_region *region, struct mm *mm, unsigned long nr_pages,
			 gfp_t gfp);

/* Unmap and free page @index alone (a gap in the region from then on:
 * mapped_pfn/mapped_access on it are bugs). */
void mapped_region_free_page(struct mapped_region *region, unsigned long index);

/* Unmap and free every page (isolated ones are released to migration). */
void mapped_region_destroy(struct mapped_region *region);

static inline unsigned long mapped_va(const struct mapped_region *region, unsigned long index)
{
	return region->va + index * PAGE_SIZE;
}

/*
 * mapped_access - a pointer through which page @index's data can be used
 * now: waits while the page is migrating, then returns its current frame's
 * direct-map address (valid until the caller next sleeps or yields).
 * The kernel may also use mapped_va() directly and rely on mapped_fault.
 */
void *mapped_access(struct mapped_region *region, unsigned long index);

/* Is page @index of @region backed (not freed by mapped_region_free_page)?
 * A page that is migrating right now counts as backed. Any thread: one read
 * of its slot. */
bool mapped_backed(const struct mapped_region *region, unsigned long index);

/* Does page @index still carry its data tag (always kept in private; the
 * only "data" in no-data simulations)? */
bool mapped_tag_ok(struct mapped_region *region, unsigned long index);

/* The PFN currently behind page @index (waits while it migrates). With
 * compaction on other CPUs it may move right after: the mapping
 * (mapped_va) is what stays valid; the PFN and mapped_access() are for a
 * caller that knows nothing moves it (one CPU, a test's own mm). */
unsigned long mapped_pfn(struct mapped_region *region, unsigned long index);

/*
 * mapped_fault - called by the platform's page-fault path for a fault at
 * @va. If @va holds a migration entry, sleep until that move is done (or
 * a later move of the page began: then the retried access waits for that
 * one) and return true (the access is retried); otherwise return false.
 * Context: thread context with interrupts enabled before the fault; a
 * fault on a migrating page from interrupt context is a bug (panic).
 */
bool mapped_fault(unsigned long va, bool from_interrupt);

/*
 * mapped_fault_waits - accesses (any CPU, any mm) that found a mapped page
 * moving and slept until it had moved: the faults-and-waits, counted once
 * per wait (a retried access that finds the page moving again counts again).
 * Per migration: divide by the mm's stats.migrate_by_type[MEMDESC_MAPPED].
 */
unsigned long mapped_fault_waits(void);

#endif
