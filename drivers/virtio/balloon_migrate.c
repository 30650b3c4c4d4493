/*
 * Migration of balloon pages (the "A plan for supporting PageMovable in
 * 2025" thread, docs/references.md): the page has no data and no
 * descriptor; moving it means telling the host to take @dst and give back
 * @src, with `actual` unchanged. Nothing runs while a buffer is in flight
 * (the claim, balloon_claim()): isolate and migrate answer -EAGAIN then.
 */
#include "drivers/virtio/balloon_internal.h"
#include "include/errno.h"
#include "mm/movable.h"
#include "mm/page.h"

/* The balloon @page belongs to, when it is one of @mm's. */
static struct balloon *page_balloon(struct mm *mm, struct page *page)
{
	struct balloon *balloon = (struct balloon *)page->private;

	return balloon && balloon->cfg.mm == mm ? balloon : NULL;
}

/* Isolate: the PFN's xarray slot is marked, so deflate passes over it and
 * putback cannot fail (no node allocation). */
static int balloon_isolate(struct mm *mm, struct page *page, enum migrate_mode mode)
{
	struct balloon *balloon = page_balloon(mm, page);
	unsigned long pfn = mm_page_to_pfn(mm, page);
	void *entry;

	if (!balloon)
		return -EBUSY;
	if (!balloon_claim(balloon))
		return -EAGAIN;
	entry = xa_load(&balloon->pfns, pfn);
	/* No entry: the host took it back since the core's claim (released:
	 * the core frees it). */
	if (!entry || entry_isolated(entry) || balloon->info.broken) {
		balloon_unclaim(balloon);
		return -EBUSY;
	}
	xa_store(&balloon->pfns, pfn, isolated(entry)); /* replaces: never allocates */
	balloon->info.isolated++;
	balloon_unclaim(balloon);
	return 0;
}

static void balloon_putback(struct mm *mm, struct page *page)
{
	struct balloon *balloon = page_balloon(mm, page);
	unsigned long pfn = mm_page_to_pfn(mm, page);

	void *entry;

	balloon_claim_wait(balloon);
	entry = xa_load(&balloon->pfns, pfn);
	if (entry) { /* else released while we waited: the core frees it */
		xa_store(&balloon->pfns, pfn, not_isolated(entry));
		balloon->info.isolated--;
	}
	balloon_unclaim(balloon);
}

/* Tell the host about one PFN (inflate or deflate queue). */
static int tell_host(struct balloon *balloon, unsigned int vq, unsigned long pfn)
{
	u64 waited = 0;

	*balloon->mig_pfn = (u32)pfn;
	return balloon_post_pfns(balloon, balloon->vq[vq], balloon->mig_pfn, balloon->mig_pfn_pa, 1, &waited);
}

/*
 * Migrate: @dst into the xarray (-ENOMEM: permanent, nothing changed), the
 * host takes @dst, then gives back @src. A device that breaks while taking
 * @dst may hold it: @dst stays ballooned (MIGRATE_KEPT_DST) and @src is
 * put back. One that breaks after taking @dst releases @src: the guest
 * may reuse a page before the host acknowledges it unless MUST_TELL_HOST
 * was negotiated,
 * and with it the device is FAILED and must be reset before it acts again.
 */
static int balloon_migrate_claimed(struct balloon *balloon, struct mm *mm, struct page *dst,
				   struct page *src);

static int balloon_migrate(struct mm *mm, struct page *dst, struct page *src,
			   enum migrate_mode mode)
{
	struct balloon *balloon = page_balloon(mm, src);
	int r;

	if (!balloon_claim(balloon))
		return -EAGAIN;
	r = balloon_migrate_claimed(balloon, mm, dst, src);
	balloon_unclaim(balloon);
	return r;
}

static int balloon_migrate_claimed(struct balloon *balloon, struct mm *mm, struct page *dst,
				   struct page *src)
{
	unsigned long spfn = mm_page_to_pfn(mm, src), dpfn = mm_page_to_pfn(mm, dst);
	u64 start = now_ns();

	if (balloon->info.broken || dpfn > 0xffffffffUL) {
		balloon->info.migrate_fail++;
		return -EIO;
	}
	if (xa_insert(&balloon->pfns, dpfn, not_isolated(xa_load(&balloon->pfns, spfn)))) {
		balloon->info.migrate_fail++;
		balloon->info.xa_enomem++;
		return -ENOMEM;
	}
	balloon_page_init(balloon, dst);
	if (tell_host(balloon, BALLOON_VQ_INFLATE, dpfn)) {
		/* The device broke, perhaps after taking @dst: it stays
		 * ballooned (the host may hold it: freeing it would hand the
		 * host's page to the next allocation). */
		balloon->info.migrate_fail++;
		return MIGRATE_KEPT_DST;
	}
	tell_host(balloon, BALLOON_VQ_DEFLATE, spfn); /* on failure: see above */
	balloon_page_moved(balloon, spfn, dpfn);
	balloon_page_clear(src);
	balloon->info.isolated--;
	balloon->info.migrated++;
	balloon->info.migrate_ns += now_ns() - start;
	return 0;
}

const struct movable_operations balloon_movable_ops = {
	.isolate = balloon_isolate,
	.migrate = balloon_migrate,
	.putback = balloon_putback,
};
