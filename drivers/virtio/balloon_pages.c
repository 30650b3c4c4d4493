/*
 * Which pages are ballooned (see balloon_internal.h for the xarray
 * entries). A balloon page is an order-0 allocated head of type BALLOON,
 * PG_movable, no descriptor, private = its struct balloon; it is in
 * b->pfns (and, naive policy, b->lifo) from the moment it is taken until
 * the host has let it go.
 *
 * Invariants: xa_count(pfns) == pages of type BALLOON owned by @balloon; with
 * the naive policy every non-isolated entry of pfns has its seq in lifo
 * naming it (except after MIGRATE_KEPT_DST, see balloon_internal.h).
 */
#include "drivers/virtio/balloon_internal.h"
#include "mm/movable.h"
#include "mm/page.h"

/* @pfn (with @entry in b->pfns) leaves the balloon: forget its lifo slot. */
static void lifo_forget(struct balloon *balloon, unsigned long pfn, const void *entry)
{
	unsigned long seq = entry_seq(entry);

	if (keeps_lifo(balloon) && xa_to_value(xa_load(&balloon->lifo, seq)) == pfn)
		xa_erase(&balloon->lifo, seq);
}

/* @page becomes a balloon page: type BALLOON (no descriptor), movable,
 * private = its balloon (how the migration callbacks find it). */
void balloon_page_init(struct balloon *balloon, struct page *page)
{
	page->private = (unsigned long)balloon; /* before a claim can see it */
	movable_page_init(page, MEMDESC_BALLOON, NULL);
}

/* @page, isolated by the caller (a migration's source), leaves the
 * balloon: back to a plain allocated page, which the core frees. */
void balloon_page_clear(struct page *page)
{
	page_flags_clear(page, PG_movable);
	page->private = 0;
	page_set_memdesc(page, MEMDESC_KERNEL, NULL);
}

/*
 * Take one free page for the balloon and record it in the xarray.
 * Return: its PFN, or 0 when none can be taken now (counted).
 */
unsigned long balloon_take_page(struct balloon *balloon)
{
	struct mm *mm = balloon->cfg.mm;
	/* NORETRY: filling the balloon must never ask the OOM notifiers,
	 * whose first one would be our own deflate. */
	gfp_t gfp = GFP_MOVABLE | GFP_NOWARN | GFP_NORETRY;
	struct page *page = balloon_policy_take(balloon, gfp);
	unsigned long pfn;

	if (!page) {
		balloon->info.alloc_fail++;
		return 0;
	}
	pfn = mm_page_to_pfn(mm, page);
	if (pfn > 0xffffffffUL || !pfn) { /* not expressible to the device */
		mm_free_pages(mm, page, 0);
		balloon->info.alloc_fail++;
		return 0;
	}
	if (xa_insert(&balloon->pfns, pfn, seq_entry(balloon->next_seq)))
		goto no_node;
	if (keeps_lifo(balloon) && xa_insert(&balloon->lifo, balloon->next_seq, xa_mk_value(pfn))) {
		xa_erase(&balloon->pfns, pfn);
		goto no_node;
	}
	balloon->next_seq++;
	balloon_page_init(balloon, page);
	return pfn;
no_node:
	mm_free_pages(mm, page, 0);
	balloon->info.xa_enomem++;
	return 0;
}

void balloon_page_moved(struct balloon *balloon, unsigned long spfn, unsigned long dpfn)
{
	void *entry = xa_erase(&balloon->pfns, spfn);

	if (keeps_lifo(balloon)) /* replaces lifo's entry: never allocates */
		xa_store(&balloon->lifo, entry_seq(entry), xa_mk_value(dpfn));
}

/*
 * The host let go of @pfn: give the page back to the buddy, or, while
 * migration holds it, to migration, which frees it. movable_page_clear()
 * decides atomically: a compaction on another CPU may have claimed the page
 * an instant ago and wait for our claim (balloon_isolate answers -EAGAIN,
 * or -EBUSY once the entry is gone; the core then frees the page). Either
 * way the PFN has left b->pfns, so balloon_pages() counts it no more.
 */
void balloon_release_page(struct balloon *balloon, unsigned long pfn)
{
	struct mm *mm = balloon->cfg.mm;
	struct page *page = mm_pfn_to_page(mm, pfn);
	void *entry = xa_erase(&balloon->pfns, pfn);

	lifo_forget(balloon, pfn, entry);
	if (entry_isolated(entry))
		balloon->info.isolated--;
	if (!movable_page_clear(mm, page)) {
		balloon->info.released_isolated++;
		return; /* hands off: the core frees it */
	}
	page->private = 0;
	page_set_memdesc(page, MEMDESC_KERNEL, NULL);
	mm_free_pages(mm, page, 0);
}

unsigned long balloon_pages(const struct balloon *balloon) { return xa_count(&balloon->pfns); }

unsigned long balloon_xa_nodes(const struct balloon *balloon)
{
	return xa_node_count(&balloon->pfns) + xa_node_count(&balloon->lifo);
}
