/*
 * KTAP tests of page-table page freeing in the vmap area (kernel only):
 * mapping and unmapping vmap ranges over and over gives back every page
 * table and every page, to the page; a table holding only a migration
 * entry is not freed (a page mid-move keeps its table); a walk that runs
 * out of pages halfway gives back the tables it made. Each case also runs
 * paging_vmap_check() (live counts equal nonzero entries, no empty table).
 */
#include "arch/x86_64/paging.h"
#include "kernel/mm/mm_boot.h"
#include "kernel/mm/pgtable.h"
#include "kernel/mm/vrange.h"
#include "lib/ktest.h"
#include "mm/fault_inject.h"
#include "mm/mapped.h"
#include "mm/migrate.h"

#define PT_SPAN (512 * PAGE_SIZE)     /* what one level-1 table maps */
#define PD_SPAN (512 * PT_SPAN)       /* what one level-2 table maps */

/* What must come back exactly after a workload. */
struct snapshot {
	unsigned long free_pages, pgtables, vmap_tables;
	struct vrange_info vr;
};

static void snap(struct snapshot *snap)
{
	mm_drain_pcp(&kernel_mm);
	snap->free_pages = mm_nr_free_pages(&kernel_mm);
	snap->pgtables = pgtable_pages();
	snap->vmap_tables = paging_vmap_tables();
	vrange_get_info(&snap->vr);
}

static void expect_same(struct ktest *test, const struct snapshot *before)
{
	struct snapshot now;

	snap(&now);
	KTEST_EXPECT_EQ(test, now.free_pages, before->free_pages);
	KTEST_EXPECT_EQ(test, now.pgtables, before->pgtables);
	KTEST_EXPECT_EQ(test, now.vmap_tables, before->vmap_tables);
	KTEST_EXPECT_EQ(test, now.vr.live, before->vr.live);
	KTEST_EXPECT_EQ(test, now.vr.used_pages - now.vr.free_pages, before->vr.used_pages - before->vr.free_pages);
	KTEST_EXPECT_EQ(test, paging_vmap_check(), 0);
	KTEST_EXPECT_EQ(test, vrange_check(), 0);
}

/* Map @n pages of vmap space, all to @pfn, and unmap them again. Return:
 * the vmap tables in use while mapped, or 0 on failure. */
static unsigned long map_unmap(struct ktest *test, unsigned long n, unsigned long pfn)
{
	unsigned long va = mm_vrange_alloc(n), i, tables;

	KTEST_EXPECT_NE(test, va, 0);
	if (!va)
		return 0;
	for (i = 0; i < n; i++)
		if (mm_map_page(va + i * PAGE_SIZE, pfn, MM_PROT_WRITE))
			break;
	KTEST_EXPECT_EQ(test, i, n);
	tables = paging_vmap_tables();
	KTEST_EXPECT_EQ(test, paging_vmap_check(), 0);
	while (i--)
		mm_unmap_page(va + i * PAGE_SIZE);
	mm_vrange_free(va, n);
	return tables;
}

/* Ranges of many sizes (one page to several tables' worth, crossing table
 * boundaries), mapped and unmapped raw and as mapped regions, 40 rounds:
 * free pages, page-table pages, vmap tables and address space come back
 * exactly. */
static void pgtable_map_unmap_returns_exactly(struct ktest *test)
{
	static const unsigned long sizes[] = { 1, 2, 511, 512, 513, 1500, 3000 };
	struct page *page = alloc_pages(0, GFP_KERNEL | GFP_ZERO);
	struct mapped_region region;
	struct snapshot before;
	unsigned int round;

	KTEST_ASSERT_NOT_NULL(test, page);
	snap(&before);
	for (round = 0; round < 40; round++) {
		unsigned long n = sizes[round % ARRAY_SIZE(sizes)];
		unsigned long tables = map_unmap(test, n, page_to_pfn(page));

		/* At least one level-1 table per 512 pages was made. */
		KTEST_EXPECT_GE(test, tables, before.vmap_tables + DIV_ROUND_UP(n, 512));
		KTEST_ASSERT_EQ(test, mapped_region_create(&region, &kernel_mm, n, GFP_ZERO), 0);
		KTEST_EXPECT_GT(test, paging_vmap_tables(), before.vmap_tables);
		mapped_region_destroy(&region);
	}
	ktest_diag(test, "%lu vmap tables, %lu page-table pages, %lu free pages before and after",
		   before.vmap_tables, before.pgtables, before.free_pages);
	expect_same(test, &before);
	free_pages(page, 0);
}

/* A level-1 table that only the two pages at @va (2 MiB aligned, inside
 * a range of ours) use: one becomes a migration entry, the other is
 * unmapped; the table stays with the migration entry alone (and mapping
 * the page back needs no allocation); unmapping the last entry frees it
 * and the tables above that only it kept. */
static void pgtable_migration_entry_keeps_table(struct ktest *test)
{
	unsigned long range, va, tables, pfn = 0;
	struct fault_inject fi;
	struct snapshot before;
	struct page *page;
	u64 pte;

	snap(&before);
	range = mm_vrange_alloc(2 * PT_SPAN / PAGE_SIZE);
	page = alloc_pages(0, GFP_KERNEL | GFP_ZERO);
	KTEST_ASSERT_NE(test, range, 0);
	KTEST_ASSERT_NOT_NULL(test, page);
	va = ALIGN_UP(range, PT_SPAN);
	KTEST_ASSERT_EQ(test, mm_map_page(va, page_to_pfn(page), MM_PROT_WRITE), 0);
	KTEST_ASSERT_EQ(test, mm_map_page(va + PAGE_SIZE, page_to_pfn(page), MM_PROT_WRITE), 0);
	tables = paging_vmap_tables();
	KTEST_EXPECT_GT(test, tables, before.vmap_tables);

	mm_set_migration_entry(va, page_to_pfn(page));
	mm_flush_tlb_page(va);
	mm_unmap_page(va + PAGE_SIZE);
	KTEST_EXPECT_EQ(test, paging_vmap_tables(), tables); /* the table stays */
	KTEST_EXPECT_TRUE(test, mm_migration_entry(va, &pfn));
	KTEST_EXPECT_EQ(test, pfn, page_to_pfn(page));
	KTEST_EXPECT_TRUE(test, paging_read_pte(va, &pte));
	KTEST_EXPECT_EQ(test, paging_vmap_check(), 0);

	/* The move ends: its new mapping finds the table in place, so even
	 * with every page allocation failing it succeeds. */
	fault_inject_init(&fi, 1);
	fault_inject_set(&fi, FAULT_PAGE_ALLOC, FAULT_RATE_MAX, 0);
	kernel_mm.fault = &fi;
	KTEST_EXPECT_EQ(test, mm_map_page(va, page_to_pfn(page), MM_PROT_WRITE), 0);
	kernel_mm.fault = NULL;
	KTEST_EXPECT_EQ(test, fi.site[FAULT_PAGE_ALLOC].injected, 0);
	KTEST_EXPECT_TRUE(test, mm_lookup_page(va, &pfn));
	KTEST_EXPECT_EQ(test, paging_vmap_tables(), tables);

	mm_unmap_page(va);
	KTEST_EXPECT_FALSE(test, paging_read_pte(va, &pte)); /* its table went */
	mm_vrange_free(range, 2 * PT_SPAN / PAGE_SIZE);
	free_pages(page, 0);
	expect_same(test, &before);
}

/* A mapped page mid-move whose region neighbours are freed meanwhile (the
 * region's migrate hook frees them while the migration entry is in place):
 * the move completes onto a new frame with the data, and nothing is lost. */
static struct mapped_region hook_region;

static void free_neighbours(struct mapped_region *region, unsigned long index)
{
	unsigned long i;

	for (i = 0; i < region->nr_pages; i++)
		if (i != index)
			mapped_region_free_page(region, i);
}

static void pgtable_mid_move_keeps_table(struct ktest *test)
{
	struct migrate_result res;
	struct snapshot before;
	unsigned long old_pfn, pfn;
	u64 *w;

	snap(&before);
	KTEST_ASSERT_EQ(test, mapped_region_create(&hook_region, &kernel_mm, 4, GFP_ZERO), 0);
	w = (u64 *)mapped_va(&hook_region, 0);
	w[3] = 0x7ab1e5eed;
	old_pfn = mapped_pfn(&hook_region, 0);
	hook_region.migrate_hook = free_neighbours;
	KTEST_EXPECT_EQ(test, migrate_pages(&kernel_mm, &old_pfn, 1, NULL, NULL, NULL, MIGRATE_SYNC,
					 &res), 0);
	hook_region.migrate_hook = NULL;
	KTEST_EXPECT_EQ(test, res.succeeded, 1);
	KTEST_EXPECT_TRUE(test, mm_lookup_page(mapped_va(&hook_region, 0), &pfn));
	KTEST_EXPECT_NE(test, pfn, old_pfn);
	KTEST_EXPECT_EQ(test, w[3], 0x7ab1e5eed);
	KTEST_EXPECT_EQ(test, paging_vmap_check(), 0);
	mapped_region_destroy(&hook_region);
	expect_same(test, &before);
}

/* A walk that must make two tables (a level-2 and a level-1 one, at a
 * 1 GiB aligned address of ours) and gets only the first gives it back:
 * -ENOMEM, and no table or page is kept. */
static void pgtable_failed_walk_prunes(struct ktest *test)
{
	unsigned long pages = 2 * PD_SPAN / PAGE_SIZE;
	unsigned long range, va;
	struct fault_inject fi;
	struct snapshot before;
	u64 pte;

	snap(&before);
	range = mm_vrange_alloc(pages);
	KTEST_ASSERT_NE(test, range, 0);
	va = ALIGN_UP(range, PD_SPAN);
	fault_inject_init(&fi, 1);
	fault_inject_set(&fi, FAULT_PAGE_ALLOC, 0, 2); /* the second table */
	kernel_mm.fault = &fi;
	KTEST_EXPECT_EQ(test, mm_map_page(va, 0x1000, MM_PROT_WRITE), -ENOMEM);
	kernel_mm.fault = NULL;
	KTEST_EXPECT_EQ(test, fi.site[FAULT_PAGE_ALLOC].injected, 1);
	KTEST_EXPECT_FALSE(test, paging_read_pte(va, &pte));
	mm_vrange_free(range, pages);
	expect_same(test, &before);
}

static const struct ktest_case pgtable_cases[] = {
	KTEST_CASE(pgtable_map_unmap_returns_exactly),
	KTEST_CASE(pgtable_migration_entry_keeps_table),
	KTEST_CASE(pgtable_mid_move_keeps_table),
	KTEST_CASE(pgtable_failed_walk_prunes),
	KTEST_END,
};
KTEST_SUITE(pgtable, pgtable_cases);
