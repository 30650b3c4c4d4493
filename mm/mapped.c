/*
 * Mapped data pages and their migration (see mapped.h). Locking: a region
 * is used by one owner; migration of its pages runs in thread context, on
 * any CPU, and is serialised with accesses by the migration entry itself
 * (an access while it is present waits on the wait channel of the source
 * PFN). The owner's free and a move exclude each other through the page's
 * claim and the region's lock: the owner frees only a page it took back
 * (movable_page_try_take: not claimed), and a move installs its migration
 * entry and its new mapping under the lock the owner holds while it looks
 * up and takes the page. So a claimed page is never freed by its owner, a
 * page being freed is never moved, and the core never needs PG_released
 * for a mapped page: it never migrates a page of a region being torn down.
 */
#include "include/errno.h"
#include "lib/string.h"
#include "mm/mapped.h"
#include "mm/migrate.h"
#include "mm/trace.h"

/* The identity a page's data carries in no-data simulations. */
static unsigned long mapped_tag_of(const struct mapped_region *region, unsigned long index)
{
	return (region->va >> PAGE_SHIFT) * 0x9e3779b97f4a7c15UL + index;
}

bool mapped_tag_ok(struct mapped_region *region, unsigned long index)
{
	unsigned long pfn = mapped_pfn(region, index);

	return mm_pfn_to_page(region->mm, pfn)->private == mapped_tag_of(region, index);
}

static unsigned int slots_order_for(unsigned long nr_pages)
{
	return mm_order_for_bytes(nr_pages * sizeof(struct mapped_slot));
}

static struct page *slot_page(struct mapped_region *region, unsigned long i)
{
	unsigned long pfn;

	if (!mm_lookup_page(mapped_va(region, i), &pfn))
		return NULL;
	return mm_pfn_to_page(region->mm, pfn);
}

/* Faults-and-waits (mapped_fault_waits()): a relaxed atomic, any CPU. */
static unsigned long nr_fault_waits;

unsigned long mapped_fault_waits(void) { return __atomic_load_n(&nr_fault_waits, __ATOMIC_RELAXED); }

struct wait_arg {
	unsigned long va;
	unsigned long pfn; /* the move waited for: its source, the channel */
};

/* The move of @arg ended: no migration entry at its address, or one of a
 * later move (another source: the page moved on while this waiter had not
 * run yet). That one wakes another channel, so waiting on for it here
 * would be a lost wake-up: the fault is retried and waits on the new
 * source's channel. */
static bool move_done(void *arg)
{
	const struct wait_arg *wait = arg;
	unsigned long pfn;

	return !mm_migration_entry(wait->va, &pfn) || pfn != wait->pfn;
}

bool mapped_fault(unsigned long va, bool from_interrupt)
{
	struct wait_arg arg = { va & ~(PAGE_SIZE - 1), 0 };

	if (!mm_migration_entry(arg.va, &arg.pfn))
		return false;
	if (from_interrupt)
		panic("mapped_fault: access to migrating page %#lx (pfn %#lx) from interrupt context",
		      va, arg.pfn);
	__atomic_fetch_add(&nr_fault_waits, 1, __ATOMIC_RELAXED);
	trace_event(TRACE_FAULT_WAIT, arg.pfn, 0);
	mm_wait(arg.pfn, move_done, &arg);
	trace_event(TRACE_FAULT_DONE, arg.pfn, 0);
	return true;
}

bool mapped_backed(const struct mapped_region *region, unsigned long index)
{
	ASSERT_MSG(index < region->nr_pages, "index %lu of %lu", index, region->nr_pages);
	return __atomic_load_n(&region->slots[index].region, __ATOMIC_RELAXED) != NULL;
}

void *mapped_access(struct mapped_region *region, unsigned long index)
{
	return mm_pfn_to_virt(mapped_pfn(region, index));
}

unsigned long mapped_pfn(struct mapped_region *region, unsigned long index)
{
	unsigned long pfn;

	ASSERT_MSG(index < region->nr_pages, "index %lu of %lu", index, region->nr_pages);
	/* A move may begin between a look and the next (another CPU): wait
	 * for it and look again, until the page is mapped. */
	while (!mm_lookup_page(mapped_va(region, index), &pfn))
		if (!mapped_fault(mapped_va(region, index), false))
			panic("mapped_pfn: page %lu of region %#lx is not mapped", index, region->va);
	return pfn;
}

/*
 * Take page @i of @region from migration for freeing, under the region's
 * lock. Return: MAPPED_TAKEN with *@page set (PG_movable cleared: no
 * compaction can claim it now; NULL when the slot was never backed), or
 * MAPPED_BUSY when the page moves (a migration entry) or a compaction has
 * it claimed (it is about to move or go back): look again later. Holding
 * the lock keeps the page a mover has claimed from being freed under us:
 * a move installs its migration entry and its new mapping under it.
 */
enum take_result { MAPPED_TAKEN, MAPPED_BUSY };

static enum take_result take_slot_page_locked(struct mapped_region *region, unsigned long i,
					      struct page **page)
{
	unsigned long pfn;

	mm_assert_held(&region->lock);
	*page = NULL;
	if (mm_migration_entry(mapped_va(region, i), &pfn))
		return MAPPED_BUSY;
	*page = slot_page(region, i);
	if (*page && !movable_page_try_take(*page)) {
		*page = NULL;
		return MAPPED_BUSY;
	}
	return MAPPED_TAKEN;
}

/* Wait for page @i of @region to stop moving or being claimed. */
static void wait_slot_page(struct mapped_region *region, unsigned long i)
{
	if (!mapped_fault(mapped_va(region, i), false))
		mm_yield(); /* claimed, no entry yet (or put back soon): nobody signals that */
}

static void free_taken(struct mapped_region *region, struct page *page)
{
	if (page)
		mm_free_pages(region->mm, page, 0);
}

/* Unmap and free page @i, once no migration holds it. */
static void free_slot_page(struct mapped_region *region, unsigned long i)
{
	struct page *page;
	unsigned long flags;
	enum take_result r;

	for (;;) {
		flags = mm_lock_irqsave(&region->lock);
		r = take_slot_page_locked(region, i, &page);
		if (r == MAPPED_TAKEN)
			__atomic_store_n(&region->slots[i].region, NULL, __ATOMIC_RELAXED);
		mm_unlock_irqrestore(&region->lock, flags);
		if (r == MAPPED_TAKEN)
			break;
		wait_slot_page(region, i);
	}
	mm_unmap_page(mapped_va(region, i));
	free_taken(region, page);
}

#define DESTROY_BATCH 64 /* pages unmapped with one TLB shootdown */

/* Unmap and free pages [@first, @first + @n) (n <= DESTROY_BATCH): with
 * one shootdown when no migration holds any of them, else those one by
 * one after the rest. */
static void free_slot_batch(struct mapped_region *region, unsigned long first, unsigned long n)
{
	struct page *pages[DESTROY_BATCH];
	bool busy[DESTROY_BATCH], any_busy = false;
	unsigned long i, flags = mm_lock_irqsave(&region->lock);

	for (i = 0; i < n; i++) {
		busy[i] = take_slot_page_locked(region, first + i, &pages[i]) == MAPPED_BUSY;
		if (!busy[i])
			__atomic_store_n(&region->slots[first + i].region, NULL, __ATOMIC_RELAXED);
		any_busy |= busy[i];
	}
	mm_unlock_irqrestore(&region->lock, flags);
	if (!any_busy) {
		mm_unmap_range(mapped_va(region, first), n);
	} else {
		for (i = 0; i < n; i++)
			if (!busy[i])
				mm_unmap_page(mapped_va(region, first + i));
	}
	for (i = 0; i < n; i++) {
		if (busy[i])
			free_slot_page(region, first + i);
		else
			free_taken(region, pages[i]);
	}
}

void mapped_region_free_page(struct mapped_region *region, unsigned long index)
{
	ASSERT_MSG(index < region->nr_pages, "index %lu of %lu", index, region->nr_pages);
	free_slot_page(region, index);
}

void mapped_region_destroy(struct mapped_region *region)
{
	unsigned long i;

	for (i = 0; i < region->nr_pages; i += DESTROY_BATCH)
		free_slot_batch(region, i, MIN(DESTROY_BATCH, region->nr_pages - i));
	if (region->va)
		mm_vrange_free(region->va, region->nr_reserved);
	if (region->slots_page)
		mm_free_pages(region->mm, region->slots_page, region->slots_order);
	memset(region, 0, sizeof(*region));
}

int mapped_region_create(struct mapped_region *region, struct mm *mm, unsigned long nr_pages,
			 gfp_t gfp)
{
	unsigned long i;

	memset(region, 0, sizeof(*region));
	if (!nr_pages)
		return -EINVAL;
	mm_lock_init(&region->lock, "mapped-region");
	region->mm = mm;
	region->slots_order = slots_order_for(nr_pages);
	if (region->slots_order > MAX_ORDER)
		return -EINVAL;
	region->va = mm_vrange_alloc(nr_pages);
	region->nr_reserved = region->va ? nr_pages : 0;
	region->slots_page = mm_alloc_pages(mm, region->slots_order, GFP_NOWARN);
	if (!region->va || !region->slots_page)
		goto err;
	region->slots = mm_page_address(mm, region->slots_page);
	for (i = 0; i < nr_pages; i++) {
		gfp_t zero = mm->no_data ? 0 : (gfp & GFP_ZERO);
		struct page *page = mm_alloc_pages(mm, 0, zero | GFP_MOVABLE | GFP_NOWARN);

		if (!page)
			goto err;
		page->private = mapped_tag_of(region, i);
		region->slots[i] = (struct mapped_slot){ region, i };
		if (mm_map_page(mapped_va(region, i), mm_page_to_pfn(mm, page), MM_PROT_WRITE)) {
			mm_free_pages(mm, page, 0);
			goto err;
		}
		/* Movable only once mapped: a compaction on another CPU may
		 * claim it from this instant on. */
		movable_page_init(page, MEMDESC_MAPPED, &region->slots[i]);
		region->nr_pages = i + 1;
	}
	return 0;
err:
	/* Undo: the pages mapped so far, the slots, the range stays reserved. */
	mapped_region_destroy(region);
	return -ENOMEM;
}

/*
 * Shootdowns are batched (as Linux's migration flushes a batch's unmaps
 * once): isolate() installs a page's migration entry and flushes only this
 * CPU, adding its address to this CPU's pending range; the first migrate()
 * after that shoots the whole range down on every CPU at once, before its
 * copy. The core isolates a batch, then allocates targets, then migrates,
 * so a batch of 32 pages costs one cross-call instead of 32. Each CPU
 * touches only its own range: threads never change CPU, and no interrupt
 * handler migrates. A range spanning other pages costs nothing wrong: a
 * flush of a translation that did not change only drops it.
 */
struct pending_flush {
	unsigned long start, end; /* empty when equal */
};

static struct pending_flush pending[MM_MAX_CPUS];

static void pending_add(unsigned long va)
{
	struct pending_flush *p = &pending[mm_cpu_id()];

	if (p->start == p->end) {
		p->start = va;
		p->end = va + PAGE_SIZE;
	} else {
		p->start = MIN(p->start, va);
		p->end = MAX(p->end, va + PAGE_SIZE);
	}
}

/* Shoot down every entry this CPU installed and did not flush yet: after
 * this no CPU writes the source pages of those moves. */
static void pending_flush_all(void)
{
	struct pending_flush *p = &pending[mm_cpu_id()];
	unsigned long start = p->start, end = p->end;

	if (start == end)
		return;
	p->start = p->end = 0;
	mm_flush_tlb_range(start, (end - start) >> PAGE_SHIFT);
}

/* The page's address and PFN from its slot. */
static unsigned long page_va(struct page *page)
{
	const struct mapped_slot *slot = page_memdesc(page);

	return mapped_va(slot->region, slot->index);
}

/* Block new accesses: the migration entry goes in under the region's lock
 * (the owner's free never sees half), flushed here; other CPUs' stale
 * translations go at the first migrate (pending_flush_all). */
static int mapped_isolate(struct mm *mm, struct page *page, enum migrate_mode mode)
{
	struct mapped_region *region = ((struct mapped_slot *)page_memdesc(page))->region;
	unsigned long va = page_va(page), flags = mm_lock_irqsave(&region->lock);

	mm_set_migration_entry(va, mm_page_to_pfn(mm, page));
	mm_unlock_irqrestore(&region->lock, flags);
	pending_add(va);
	return 0;
}

/* End a move of @slot's page into @dst: map @dst in place of the migration
 * entry and hand it to the slot, both under the region's lock (the owner
 * taking the page sees neither or both; another compaction can claim @dst
 * only once it is mapped). Return: 0 or -ENOMEM (no page-table page). */
static int finish_move(struct mapped_region *region, struct mapped_slot *slot, struct mm *mm,
		       struct page *dst)
{
	unsigned long flags = mm_lock_irqsave(&region->lock);
	int err = mm_map_page(mapped_va(region, slot->index), mm_page_to_pfn(mm, dst),
			      MM_PROT_WRITE);

	if (!err)
		movable_page_init(dst, MEMDESC_MAPPED, slot);
	mm_unlock_irqrestore(&region->lock, flags);
	return err;
}

/* Put @src_pfn back at @va in place of its migration entry and wake who
 * waits. The page table exists, so this cannot fail: if it did, the entry
 * would stay and every access sleep for good. */
static void undo_move(struct mapped_region *region, unsigned long va, unsigned long src_pfn)
{
	unsigned long flags = mm_lock_irqsave(&region->lock);

	if (mm_map_page(va, src_pfn, MM_PROT_WRITE))
		mm_bug("mapped: cannot map pfn %#lx back at %#lx\n", src_pfn, va);
	mm_unlock_irqrestore(&region->lock, flags);
	mm_wake(src_pfn);
}

static int mapped_migrate(struct mm *mm, struct page *dst, struct page *src,
			  enum migrate_mode mode)
{
	struct mapped_slot *slot = page_memdesc(src);
	struct mapped_region *region = slot->region;
	unsigned long va = mapped_va(region, slot->index);
	unsigned long src_pfn = mm_page_to_pfn(mm, src);

	pending_flush_all(); /* no CPU writes @src after this */
	if (region->migrate_hook)
		region->migrate_hook(region, slot->index);
	migrate_copy_page(mm, dst, src);
	if (finish_move(region, slot, mm, dst)) {
		undo_move(region, va, src_pfn);
		return -EAGAIN; /* the core puts back: putback finds the page mapped */
	}
	__atomic_fetch_add(&region->migrations, 1, __ATOMIC_RELAXED);
	mm_wake(src_pfn);
	return 0;
}

/* Back unmoved (no target, a failed move, an injected fault): the old
 * mapping in place of the migration entry, unless a failed move put it
 * back already. */
static void mapped_putback(struct mm *mm, struct page *page)
{
	struct mapped_region *region = ((struct mapped_slot *)page_memdesc(page))->region;
	unsigned long pfn, va = page_va(page);

	if (mm_migration_entry(va, &pfn))
		undo_move(region, va, mm_page_to_pfn(mm, page));
}

static const struct movable_operations mapped_ops = {
	.isolate = mapped_isolate,
	.migrate = mapped_migrate,
	.putback = mapped_putback,
};

int mapped_init(struct mm *mm)
{
	return movable_ops_register(mm, MEMDESC_MAPPED, &mapped_ops);
}
