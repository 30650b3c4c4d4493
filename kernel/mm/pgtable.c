/*
 * Page-table pages from the buddy (see pgtable.h). Each is an order-0
 * MEMDESC_PGTABLE page, zeroed; its struct page holds the table's live
 * entry count (pgtable_live_entries(), mm/page.h), which arch/x86_64/paging.c
 * maintains and which must be zero when the page goes back.
 *
 * Context: every op is called under the page-table lock with interrupts
 * off, so allocation is atomic; the in-use count is only written there.
 */
#include "kernel/mm/pgtable.h"
#include "include/assert.h"
#include "kernel/mm/mm_boot.h"

static unsigned long nr_pgtable_pages;

unsigned long pgtable_pages(void) { return READ_ONCE(nr_pgtable_pages); }

static struct page *table_page(phys_addr_t pa)
{
	struct page *page = pfn_to_page(pa >> PAGE_SHIFT);

	ASSERT_MSG(page && page_is_head(page) && page_type(page) == MEMDESC_PGTABLE,
		   "%#lx is no page-table page from the buddy", pa);
	return page;
}

static phys_addr_t pgtable_alloc(void)
{
	struct page *page = alloc_pages(0, GFP_ATOMIC | GFP_ZERO);

	if (!page)
		return 0;
	page_set_memdesc(page, MEMDESC_PGTABLE, NULL);
	pgtable_set_live_entries(page, 0);
	WRITE_ONCE(nr_pgtable_pages, nr_pgtable_pages + 1);
	return (phys_addr_t)page_to_pfn(page) << PAGE_SHIFT;
}

static void pgtable_free(phys_addr_t pa)
{
	struct page *page = table_page(pa);

	ASSERT_MSG(!pgtable_live_entries(page), "table %#lx freed with %lu live entries", pa,
		   pgtable_live_entries(page));
	WRITE_ONCE(nr_pgtable_pages, nr_pgtable_pages - 1);
	free_pages(page, 0);
}

static unsigned long pgtable_live(phys_addr_t pa) { return pgtable_live_entries(table_page(pa)); }

static void pgtable_set_live(phys_addr_t pa, unsigned long n)
{
	ASSERT_MSG(n <= 512, "table %#lx: %lu live entries", pa, n);
	pgtable_set_live_entries(table_page(pa), n);
}

const struct paging_table_ops pgtable_buddy_ops = {
	.alloc = pgtable_alloc,
	.free = pgtable_free,
	.live = pgtable_live,
	.set_live = pgtable_set_live,
};
