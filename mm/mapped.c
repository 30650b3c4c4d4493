/*
 * Mapped data pages and their migration (see mapped.h). Locking: a region
 * is used by one owner; migration of its pages runs in thread context and
 * is serialised with accesses by the migration entry itself (an access
 * while it is present waits on the wait channel of the source PFN).
 */
#include "include/errno.h"
#include "lib/string.h"
#include "mm/mapped.h"
#include "mm/migrate.h"

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
};

static bool move_done(void *arg)
{
	unsigned long pfn;

	return !mm_migration_entry(((struct wait_arg *)arg)->va, &pfn);
}

bool mapped_fault(unsigned long va, bool from_interrupt)
{
	struct wait_arg arg = { va & ~(PAGE_SIZE - 1) };
	unsigned long pfn;

	if (!mm_migration_entry(arg.va, &pfn))
		return false;
	if (from_interrupt)
		panic("mapped_fault: access to migrating page %#lx (pfn %#lx) from interrupt context",
		      va, pfn);
	__atomic_fetch_add(&nr_fault_waits, 1, __ATOMIC_RELAXED);
	mm_wait(pfn, move_done, &arg);
	return true;
}

bool mapped_backed(const struct mapped_region *region, unsigned long index)
{
	ASSERT_MSG(index < region->nr_pages, "index %lu of %lu", index, region->nr_pages);
	return READ_ONCE(region->slots[index].region) != NULL;
}

void *mapped_access(struct mapped_region *region, unsigned long index)
{
	return mm_pfn_to_virt(mapped_pfn(region, index));
}

unsigned long mapped_pfn(struct mapped_region *region, unsigned long index)
{
	unsigned long pfn;

	ASSERT_MSG(index < region->nr_pages, "index %lu of %lu", index, region->nr_pages);
	mapped_fault(mapped_va(region, index), false);
	if (!mm_lookup_page(mapped_va(region, index), &pfn))
		panic("mapped_pfn: page %lu of region %#lx is not mapped", index, region->va);
	return pfn;
}

/* Give back @page, unmapped: to the allocator, or to the mover that has
 * it isolated. */
static void release_unmapped(struct mapped_region *region, struct page *page)
{
	if (movable_page_clear(region->mm, page)) /* else migration holds it: released */
		mm_free_pages(region->mm, page, 0);
}

/* Unmap and free page @i. Not while it moves: its migration entry keeps
 * the page table the mover's final mapping needs. */
static void free_slot_page(struct mapped_region *region, unsigned long i)
{
	struct page *page;

	mapped_fault(mapped_va(region, i), false);
	page = slot_page(region, i);
	mm_unmap_page(mapped_va(region, i));
	WRITE_ONCE(region->slots[i].region, NULL);
	if (page)
		release_unmapped(region, page);
}

#define DESTROY_BATCH 64 /* pages unmapped with one TLB shootdown */

/* Unmap and free pages [@first, @first + @n) (n <= DESTROY_BATCH) with one
 * shootdown. No page of them moves: a pass over them waited for none,
 * and nothing sleeps until they are unmapped. */
static void free_slot_batch(struct mapped_region *region, unsigned long first, unsigned long n)
{
	struct page *pages[DESTROY_BATCH];
	unsigned long i;
	bool waited;

	do {
		waited = false;
		for (i = 0; i < n; i++)
			waited |= mapped_fault(mapped_va(region, first + i), false);
	} while (waited);
	for (i = 0; i < n; i++)
		pages[i] = slot_page(region, first + i);
	mm_unmap_range(mapped_va(region, first), n);
	for (i = 0; i < n; i++) {
		WRITE_ONCE(region->slots[first + i].region, NULL);
		if (pages[i])
			release_unmapped(region, pages[i]);
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
		movable_page_init(page, MEMDESC_MAPPED, &region->slots[i]);
		if (mm_map_page(mapped_va(region, i), mm_page_to_pfn(mm, page), MM_PROT_WRITE)) {
			page_flags_clear(page, PG_movable);
			mm_free_pages(mm, page, 0);
			goto err;
		}
		region->nr_pages = i + 1;
	}
	return 0;
err:
	/* Undo: the pages mapped so far, the slots, the range stays reserved. */
	mapped_region_destroy(region);
	return -ENOMEM;
}

static int mapped_isolate(struct mm *mm, struct page *page, enum migrate_mode mode)
{
	return 0; /* accesses during the move wait on the migration entry */
}

static int mapped_migrate(struct mm *mm, struct page *dst, struct page *src,
			  enum migrate_mode mode)
{
	struct mapped_slot *slot = page_memdesc(src);
	struct mapped_region *region = slot->region;
	unsigned long va = mapped_va(region, slot->index);
	unsigned long src_pfn = mm_page_to_pfn(mm, src);
	int err;

	mm_set_migration_entry(va, src_pfn); /* flushes the TLB entry */
	if (region->migrate_hook)
		region->migrate_hook(region, slot->index);
	migrate_copy_page(mm, dst, src);
	err = mm_map_page(va, mm_page_to_pfn(mm, dst), MM_PROT_WRITE);
	if (err) {
		/* No page-table page: restore the old mapping (its table
		 * exists, so this cannot fail: if it did, the migration
		 * entry would stay and every access sleep for good) and let
		 * the core put back. */
		if (mm_map_page(va, src_pfn, MM_PROT_WRITE))
			mm_bug("mapped: cannot map pfn %#lx back at %#lx\n", src_pfn, va);
		mm_wake(src_pfn);
		return -EAGAIN;
	}
	movable_page_init(dst, MEMDESC_MAPPED, slot);
	region->migrations++;
	mm_wake(src_pfn);
	return 0;
}

static void mapped_putback(struct mm *mm, struct page *page)
{
	/* the mapping was never changed: nothing to undo */
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
