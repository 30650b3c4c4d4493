/*
 * The virtio-balloon driver core (see balloon.h). Host-visible order:
 * inflate = pages out of the buddy and into the xarray, buffer used by the
 * device, then `actual`; deflate = buffer used by the device, then pages
 * back to the buddy, then `actual`.
 */
#include "drivers/virtio/balloon.h"
#include "include/errno.h"
#include "lib/string.h"
#include "mm/hole.h"
#include "mm/movable.h"
#include "mm/page.h"
#include "mm/poison.h"
#include "mm/platform.h"
#include "mm/reporting.h"

#define BALLOON_POLL_US 10000ULL /* recheck period while waiting for the device */
#define BALLOON_MIGRATE_OFFSET 2048 /* the migration's one-PFN buffer, in the stats page */
/*
 * b->pfns entries: PFN -> value (seq << 1 | isolated). seq numbers the
 * inflations (a migrated page keeps its source's); an isolated page keeps
 * its slot, marked, so putback cannot fail. The naive policy also keeps
 * b->lifo: seq -> value (PFN), the same pages in inflation order, so that
 * deflate takes the newest without a search. lifo[seq] names the page
 * holding seq, except after a migration the device broke (MIGRATE_KEPT_DST:
 * @dst shares @src's seq and lifo still names @src; a broken balloon
 * deflates nothing more).
 */
#define BALLOON_ISOLATED 1UL

static void *seq_entry(u64 seq) { return xa_mk_value((unsigned long)seq << 1); }
static u64 entry_seq(const void *entry) { return xa_to_value(entry) >> 1; }
static bool entry_isolated(const void *entry) { return xa_to_value(entry) & BALLOON_ISOLATED; }
static void *isolated(const void *entry) { return xa_mk_value(xa_to_value(entry) | BALLOON_ISOLATED); }
static void *not_isolated(const void *entry) { return xa_mk_value(xa_to_value(entry) & ~BALLOON_ISOLATED); }

static u64 now_ns(void) { return mm_time_ns(); }

static bool keeps_lifo(const struct balloon *b) { return b->cfg.policy == BALLOON_POLICY_NAIVE; }

/* @pfn (with @entry in b->pfns) leaves the balloon: forget its lifo slot. */
static void lifo_forget(struct balloon *b, unsigned long pfn, const void *entry)
{
	unsigned long seq = entry_seq(entry);

	if (keeps_lifo(b) && xa_to_value(xa_load(&b->lifo, seq)) == pfn)
		xa_erase(&b->lifo, seq);
}

/* The driver gives up on the device: logged once, counted, FAILED set. */
static void balloon_break(struct balloon *b, const char *why)
{
	b->info.errors++;
	if (b->info.broken)
		return;
	b->info.broken = true;
	mm_err("balloon: %s; driver stopped with %u pages inflated\n", why, b->info.actual);
	b->vdev->ops->fail(b->vdev);
}

/* Pages that must stay in the guest: the floor plus the high watermark. */
static unsigned long keep_pages(const struct balloon *b)
{
	return b->cfg.keep_pages + b->cfg.mm->wmark[WMARK_HIGH];
}

void balloon_read_target(struct balloon *b)
{
	unsigned long keep = keep_pages(b), managed = b->cfg.mm->nr_managed, max;
	u32 num;

	b->config_pending = false;
	b->nr_rank = b->rank_pos = 0; /* rank afresh for this target */
	b->nr_fill = b->fill_pos = 0;
	b->fill_none = false;
	if (b->vdev->ops->config_read(b->vdev, BALLOON_CFG_NUM_PAGES, &num, sizeof(num))) {
		b->info.errors++;
		return;
	}
	max = managed > keep ? managed - keep : 0;
	if (num != b->info.num_pages)
		b->floor_logged = false;
	b->info.num_pages = num;
	if (b->oom_pinned && num != b->oom_num_pages)
		b->oom_pinned = false;
	if (b->oom_pinned && max > b->info.actual)
		max = b->info.actual; /* deflated on OOM: not back into the shortage */
	if (num <= max) {
		b->info.target = num;
		return;
	}
	if (b->oom_pinned) {
		b->info.target = (u32)max;
		return;
	}
	b->info.target = (u32)max;
	if (!b->last_clamped_valid || b->last_clamped != num) {
		b->last_clamped = num;
		b->last_clamped_valid = true;
		b->info.clamps++;
		mm_warn("balloon: host asks for %u pages (%lu MiB), clamped to %lu: "
			"%lu MiB must stay\n", num, (unsigned long)num >> 8, max, keep >> 8);
	}
}

/*
 * Post the chain @sg (@nr_out device-readable entries, then @nr_in
 * device-writable ones) on @vq and wait until the device hands it back;
 * the time waited is added to *@wait_ns. b->busy is held meanwhile:
 * nobody else posts or touches the balloon. Return: 0 or -EIO (driver
 * stopped).
 */
static int post_sg_and_wait(struct balloon *b, struct virtqueue *vq, const struct vq_sg *sg,
			    unsigned int nr_out, unsigned int nr_in, void *token, u64 *wait_ns)
{
	u64 start = now_ns(), deadline = start + b->cfg.timeout_us * 1000;
	void *tok = NULL;
	bool expired = false;
	int err = 0;
	u32 len = 0;

	b->busy = true;
	if (vq_add(vq, sg, nr_out, nr_in, token)) {
		balloon_break(b, vq_broken(vq) ? "queue broken" : "cannot post a buffer");
		b->busy = false;
		return -EIO;
	}
	vq_kick(vq);
	/* The deadline counts only once the device had a wait after it: a
	 * thread preempted past the deadline before its first wait (found by
	 * tests/fuzz/fuzz_balloon.c) must not break a device that answers. */
	for (;;) {
		tok = vq_get_used(vq, &len);
		if (tok || vq_broken(vq) || expired)
			break;
		expired = now_ns() > deadline;
		b->cfg.wait(b, BALLOON_POLL_US);
	}
	*wait_ns += now_ns() - start;
	if (tok != token) {
		balloon_break(b, vq_broken(vq) ? "device broke the queue"
					   : tok ? "device returned a buffer we did not post"
						 : "device did not return a buffer");
		err = -EIO;
	}
	b->busy = false;
	return err;
}

static int post_and_wait(struct balloon *b, struct virtqueue *vq, u32 *pfns, u64 pa,
			 unsigned int n, u64 *wait_ns)
{
	struct vq_sg sg = { .addr = pa, .len = n * (u32)sizeof(u32) };

	return post_sg_and_wait(b, vq, &sg, 1, 0, pfns, wait_ns);
}

static int post_batch(struct balloon *b, unsigned int vq, unsigned int n, u64 *wait_ns)
{
	return post_and_wait(b, b->vq[vq], b->buf, b->buf_pa, n, wait_ns);
}

static void write_actual(struct balloon *b)
{
	if (b->vdev->ops->config_write32(b->vdev, BALLOON_CFG_ACTUAL, b->info.actual))
		b->info.errors++;
}

/* @page becomes a balloon page: type BALLOON (no descriptor), movable,
 * private = its balloon (how the migration callbacks find it). */
static void balloon_page_init(struct balloon *b, struct page *page)
{
	movable_page_init(page, MEMDESC_BALLOON, NULL);
	page->private = (unsigned long)b;
}

/* @page leaves the balloon, back to a plain allocated page. */
static void balloon_page_clear(struct page *page)
{
	page->flags &= ~PG_movable;
	page->private = 0;
	page_set_memdesc(page, MEMDESC_KERNEL, NULL);
}

/*
 * Aware inflate: fill partly free pageblocks one at a time, fullest first
 * (mm_partial_pageblocks, ranked again when the list runs out, at most
 * once per page); once none is left until the next target, a hole
 * anywhere or a new block (mm_alloc_hole_page), whose pageblock is then
 * filled before another is broken.
 */
static struct page *take_aware(struct balloon *b, gfp_t gfp)
{
	struct mm *mm = b->cfg.mm;
	bool ranked = false;
	struct page *page;

	while (!b->fill_none) {
		if (b->filling) {
			page = mm_alloc_pageblock_page(mm, &b->fill_cursor, gfp);
			if (page)
				return page;
			b->filling = false;
		}
		if (b->fill_pos == b->nr_fill) {
			if (ranked)
				break;
			b->nr_fill = mm_partial_pageblocks(mm, b->fill, BALLOON_RANK_BLOCKS);
			b->fill_pos = 0;
			b->fill_none = !b->nr_fill;
			ranked = true;
			continue;
		}
		b->fill_cursor = b->fill[b->fill_pos++];
		b->filling = true;
	}
	page = mm_alloc_hole_page(mm, gfp);
	if (page && !b->filling) {
		b->fill_cursor = mm_page_to_pfn(mm, page) & ~(PAGEBLOCK_PAGES - 1);
		b->filling = true;
	}
	return page;
}

/*
 * Take one free page for the balloon and record it in the xarray.
 * Return: its PFN, or 0 when none can be taken now (counted).
 */
static unsigned long take_page(struct balloon *b)
{
	struct mm *mm = b->cfg.mm;
	/* NORETRY: filling the balloon must never ask the OOM notifiers,
	 * whose first one would be our own deflate. */
	gfp_t gfp = GFP_MOVABLE | GFP_NOWARN | GFP_NORETRY;
	struct page *page = b->cfg.policy == BALLOON_POLICY_AWARE ? take_aware(b, gfp)
								  : mm_alloc_pages(mm, 0, gfp);
	unsigned long pfn;

	if (!page) {
		b->info.alloc_fail++;
		return 0;
	}
	pfn = mm_page_to_pfn(mm, page);
	if (pfn > 0xffffffffUL || !pfn) { /* not expressible to the device */
		mm_free_pages(mm, page, 0);
		b->info.alloc_fail++;
		return 0;
	}
	if (xa_insert(&b->pfns, pfn, seq_entry(b->next_seq))) {
		mm_free_pages(mm, page, 0);
		b->info.xa_enomem++;
		return 0;
	}
	if (keeps_lifo(b) && xa_insert(&b->lifo, b->next_seq, xa_mk_value(pfn))) {
		xa_erase(&b->pfns, pfn);
		mm_free_pages(mm, page, 0);
		b->info.xa_enomem++;
		return 0;
	}
	b->next_seq++;
	balloon_page_init(b, page);
	return pfn;
}

/*
 * One inflate batch of at most @want pages. Return: pages inflated (> 0),
 * 0 when nothing could be taken now (retry later), -ENOSPC when free memory
 * is down to keep_pages(), or -EIO.
 */
static int inflate_batch(struct balloon *b, unsigned int want)
{
	unsigned long free = mm_nr_free_pages(b->cfg.mm), keep = keep_pages(b), pfn;
	u64 start = now_ns(), waited = 0;
	unsigned int n = 0;

	if (free <= keep)
		return -ENOSPC;
	if (want > free - keep)
		want = (unsigned int)(free - keep);
	while (n < want && (pfn = take_page(b)) != 0)
		b->buf[n++] = (u32)pfn;
	if (!n)
		return 0;
	if (post_batch(b, BALLOON_VQ_INFLATE, n, &waited))
		return -EIO; /* the pages stay ballooned: the host may have them */
	b->info.actual += n;
	b->info.pages_inflated += n;
	b->info.inflate_batches++;
	write_actual(b);
	b->info.inflate_wait_ns += waited;
	b->info.inflate_ns += now_ns() - start - waited;
	return (int)n;
}

/* Insert @block with @score into the ranking (best first, bounded). */
static void rank_insert(struct balloon *b, unsigned long block, unsigned int score)
{
	unsigned int i = b->nr_rank < BALLOON_RANK_BLOCKS ? b->nr_rank++ : BALLOON_RANK_BLOCKS;

	if (i == BALLOON_RANK_BLOCKS) {
		if (score <= b->rank[i - 1].score)
			return; /* not among the best */
		i--;
	}
	for (; i > 0 && b->rank[i - 1].score < score; i--)
		b->rank[i] = b->rank[i - 1];
	b->rank[i] = (struct balloon_rank){ .block = block, .score = score };
}

/*
 * Rank the pageblocks holding balloon pages by how free they would be with
 * those pages given back: free pages + ballooned (not isolated) pages.
 * One pass over the xarray (sorted by PFN: a block's pages are adjacent).
 */
static void rank_blocks(struct balloon *b)
{
	unsigned long index, block = ~0UL;
	unsigned int count = 0;
	void *entry;

	b->nr_rank = b->rank_pos = 0;
	xa_for_each(&b->pfns, index, entry) {
		if (entry_isolated(entry))
			continue;
		if (index >> PAGEBLOCK_ORDER != block) {
			if (count)
				rank_insert(b, block, count + mm_pageblock_free_pages(
							b->cfg.mm, block << PAGEBLOCK_ORDER));
			block = index >> PAGEBLOCK_ORDER;
			count = 0;
		}
		count++;
	}
	if (count)
		rank_insert(b, block, count + mm_pageblock_free_pages(b->cfg.mm,
								      block << PAGEBLOCK_ORDER));
}

/* The ballooned (not isolated) PFNs of the ranked blocks from rank_pos on,
 * up to @want; a block is passed once it gave all it has. Return: how many. */
static unsigned int pick_ranked(struct balloon *b, unsigned int want)
{
	unsigned int n = 0;

	while (n < want && b->rank_pos < b->nr_rank) {
		unsigned long first = b->rank[b->rank_pos].block << PAGEBLOCK_ORDER, index;
		void *entry;

		xa_for_each_range(&b->pfns, index, entry, first, first + PAGEBLOCK_PAGES - 1) {
			if (n == want)
				break;
			if (!entry_isolated(entry))
				b->buf[n++] = (u32)index;
		}
		if (n < want)
			b->rank_pos++; /* this block is done */
	}
	return n;
}

/*
 * Aware deflate: ballooned (not isolated) PFNs of the best-ranked blocks.
 * The ranking is made again when what is left of it gives nothing (used
 * up, or stale: its blocks' pages migrated or deflated since), only at the
 * start of a batch (picked PFNs stay in the xarray until the host
 * acknowledges, so ranking mid-batch would count them again); it is dropped
 * whenever the host sets a new target. Return: how many picked (fewer than
 * @want when the ranked blocks run out: the next batch ranks again).
 */
static unsigned int pick_aware(struct balloon *b, unsigned int want)
{
	unsigned int n = pick_ranked(b, want);

	if (!n) {
		rank_blocks(b);
		n = pick_ranked(b, want);
	}
	return n;
}

/*
 * Naive deflate, last in first out: the @want ballooned (not isolated)
 * PFNs inflated last, newest first, from b->lifo. Return: how many.
 */
static unsigned int pick_lifo(struct balloon *b, unsigned int want)
{
	unsigned int n = 0;
	unsigned long seq;
	void *entry;

	xa_for_each_reverse(&b->lifo, seq, entry) {
		unsigned long pfn = xa_to_value(entry);

		if (n == want)
			break;
		if (!entry_isolated(xa_load(&b->pfns, pfn)))
			b->buf[n++] = (u32)pfn;
	}
	return n;
}

/*
 * Choose up to @want PFNs to deflate into b->buf: pages in the balloon's
 * hands first (aware: by pageblock rank; naive: last in first out);
 * isolated ones (migration holds them) only when there are no others.
 * Return: how many.
 */
static unsigned int pick_deflate(struct balloon *b, unsigned int want)
{
	unsigned int n = b->cfg.policy == BALLOON_POLICY_AWARE ? pick_aware(b, want)
							       : pick_lifo(b, want);
	unsigned long index;
	void *entry;

	if (n)
		return n;
	xa_for_each(&b->pfns, index, entry) {
		if (n == want)
			break;
		if (entry_isolated(entry))
			b->buf[n++] = (u32)index;
	}
	return n;
}

/* The host let go of @pfn: give the page back to the buddy, or, while
 * migration holds it, to migration, which frees it (movable_page_release). */
static void release_page(struct balloon *b, unsigned long pfn)
{
	struct mm *mm = b->cfg.mm;
	struct page *page = mm_pfn_to_page(mm, pfn);
	void *entry = xa_erase(&b->pfns, pfn);

	lifo_forget(b, pfn, entry);
	if (entry_isolated(entry)) {
		b->info.isolated--;
		b->info.released_isolated++;
		movable_page_release(mm, page);
		return;
	}
	balloon_page_clear(page);
	mm_free_pages(mm, page, 0);
}

/* One deflate batch of at most @want pages. Return: pages deflated or -EIO. */
static int deflate_batch(struct balloon *b, unsigned int want)
{
	u64 start = now_ns(), waited = 0;
	unsigned int n = pick_deflate(b, want), i;

	if (!n)
		return 0;
	if (post_batch(b, BALLOON_VQ_DEFLATE, n, &waited))
		return -EIO; /* the host may not know: keep the pages */
	for (i = 0; i < n; i++)
		release_page(b, b->buf[i]);
	b->info.actual -= n;
	b->info.pages_deflated += n;
	b->info.deflate_batches++;
	write_actual(b);
	b->info.deflate_wait_ns += waited;
	b->info.deflate_ns += now_ns() - start - waited;
	return (int)n;
}

/*
 * Migration of balloon pages (the "A plan for supporting PageMovable in
 * 2025" thread, docs/references.md): the page has no data and no
 * descriptor; moving it means telling the host to take @dst and give back
 * @src, with `actual` unchanged. Nothing runs while a buffer is in flight
 * (b->busy): isolate and migrate answer -EAGAIN then.
 */
static struct balloon *page_balloon(struct mm *mm, struct page *page)
{
	struct balloon *b = (struct balloon *)page->private;

	return b && b->cfg.mm == mm ? b : NULL;
}

/* Isolate: the PFN's xarray slot is marked, so deflate passes over it and
 * putback cannot fail (no node allocation). */
static int balloon_isolate(struct mm *mm, struct page *page, enum migrate_mode mode)
{
	struct balloon *b = page_balloon(mm, page);
	unsigned long pfn = mm_page_to_pfn(mm, page);
	void *entry;

	(void)mode;
	if (!b || b->info.broken)
		return -EBUSY;
	entry = xa_load(&b->pfns, pfn);
	if (!entry || entry_isolated(entry))
		return -EBUSY;
	if (b->busy)
		return -EAGAIN;
	xa_store(&b->pfns, pfn, isolated(entry)); /* replaces: never allocates */
	b->info.isolated++;
	return 0;
}

static void balloon_putback(struct mm *mm, struct page *page)
{
	struct balloon *b = page_balloon(mm, page);
	unsigned long pfn = mm_page_to_pfn(mm, page);

	xa_store(&b->pfns, pfn, not_isolated(xa_load(&b->pfns, pfn)));
	b->info.isolated--;
}

/* Tell the host about one PFN (inflate or deflate queue). */
static int tell_host(struct balloon *b, unsigned int vq, unsigned long pfn)
{
	u64 waited = 0;

	*b->mig_pfn = (u32)pfn;
	return post_and_wait(b, b->vq[vq], b->mig_pfn, b->mig_pfn_pa, 1, &waited);
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
static int balloon_migrate(struct mm *mm, struct page *dst, struct page *src,
			   enum migrate_mode mode)
{
	struct balloon *b = page_balloon(mm, src);
	unsigned long spfn = mm_page_to_pfn(mm, src), dpfn = mm_page_to_pfn(mm, dst);
	u64 start = now_ns();

	(void)mode;
	if (b->busy)
		return -EAGAIN;
	if (b->info.broken || dpfn > 0xffffffffUL) {
		b->info.migrate_fail++;
		return -EIO;
	}
	if (xa_insert(&b->pfns, dpfn, not_isolated(xa_load(&b->pfns, spfn)))) {
		b->info.migrate_fail++;
		b->info.xa_enomem++;
		return -ENOMEM;
	}
	balloon_page_init(b, dst);
	if (tell_host(b, BALLOON_VQ_INFLATE, dpfn)) {
		/* The device broke, perhaps after taking @dst: it stays
		 * ballooned (found by tests/fuzz/fuzz_balloon.c: it used to go
		 * back to the buddy while the host held it). */
		b->info.migrate_fail++;
		return MIGRATE_KEPT_DST;
	}
	tell_host(b, BALLOON_VQ_DEFLATE, spfn); /* on failure: see above */
	if (keeps_lifo(b)) /* @dst takes @src's place: replaces, never allocates */
		xa_store(&b->lifo, entry_seq(xa_load(&b->pfns, spfn)), xa_mk_value(dpfn));
	xa_erase(&b->pfns, spfn);
	balloon_page_clear(src);
	b->info.isolated--;
	b->info.migrated++;
	b->info.migrate_ns += now_ns() - start;
	return 0;
}

static const struct movable_operations balloon_movable_ops = {
	.isolate = balloon_isolate,
	.migrate = balloon_migrate,
	.putback = balloon_putback,
};

/* One report buffer. Return: pages reported, 0 when nothing is left, -EIO. */
static long report_round(struct balloon *b)
{
	struct mm *mm = b->cfg.mm;
	struct vq_sg sg[BALLOON_REPORT_MAX];
	unsigned long pages = 0;
	unsigned int n, i;
	u64 waited = 0;
	int err;

	n = mm_report_take(mm, PAGEBLOCK_ORDER, b->report_pfn, b->report_order,
			   BALLOON_REPORT_MAX);
	for (i = 0; i < n; i++) {
		sg[i].addr = (u64)b->report_pfn[i] << PAGE_SHIFT;
		sg[i].len = (u32)(PAGE_SIZE << b->report_order[i]);
		pages += 1UL << b->report_order[i];
	}
	if (!n)
		return 0;
	err = post_sg_and_wait(b, b->vq[BALLOON_VQ_REPORTING], sg, 0, n, b->report_pfn, &waited);
	mm_report_return(mm, b->report_pfn, b->report_order, n, !err);
	if (err) {
		b->info.report_fail++;
		return -EIO;
	}
	b->info.report_rounds++;
	b->info.report_blocks += n;
	b->info.report_pages += pages;
	return (long)pages;
}

unsigned long balloon_report(struct balloon *b, unsigned int max_rounds)
{
	unsigned long total = 0;
	unsigned int i;

	if (!b->vq[BALLOON_VQ_REPORTING] || b->busy)
		return 0;
	for (i = 0; i < max_rounds && !b->info.broken; i++) {
		long r = report_round(b);

		if (r <= 0)
			break;
		total += (unsigned long)r;
	}
	return total;
}

/*
 * Available is free minus the low watermark: what can be allocated before
 * the allocator dips into its reserve (no page cache or swap to add back).
 * Tags without a meaning here (swap, faults, caches, hugetlb) report 0.
 */
void balloon_stats_fill(const struct balloon *b, struct balloon_stat *stats)
{
	const struct mm *mm = b->cfg.mm;
	unsigned long free = mm_nr_free_pages(mm), low = mm->wmark[WMARK_LOW];
	u16 tag;

	for (tag = 0; tag < BALLOON_S_NR; tag++) {
		u64 val = 0;

		if (tag == BALLOON_S_MEMFREE)
			val = (u64)free * PAGE_SIZE;
		else if (tag == BALLOON_S_MEMTOT)
			val = (u64)mm->nr_managed * PAGE_SIZE;
		else if (tag == BALLOON_S_AVAIL)
			val = (u64)(free > low ? free - low : 0) * PAGE_SIZE;
		stats[tag].tag = tag; /* x86 is little endian, as virtio 1.x */
		stats[tag].val = val;
	}
}

/* Fill and hand the stats buffer to the device (device-readable). */
static void stats_post(struct balloon *b)
{
	struct vq_sg sg = { .addr = b->stats_pa,
			    .len = sizeof(struct balloon_stat) * BALLOON_S_NR };
	struct virtqueue *vq = b->vq[BALLOON_VQ_STATS];

	balloon_stats_fill(b, b->stats);
	if (vq_add(vq, &sg, 1, 0, b->stats)) {
		balloon_break(b, vq_broken(vq) ? "stats queue broken"
					      : "cannot post the stats buffer");
		return;
	}
	b->stats_posted = true;
	vq_kick(vq);
}

void balloon_stats_service(struct balloon *b)
{
	struct virtqueue *vq = b->vq[BALLOON_VQ_STATS];
	void *tok;
	u32 len;

	b->stats_pending = false;
	if (!vq || b->info.broken)
		return;
	while ((tok = vq_get_used(vq, &len)) != NULL) {
		if (tok != b->stats || !b->stats_posted) {
			balloon_break(b, "stats queue returned a buffer we did not post");
			return;
		}
		b->stats_posted = false;
		b->info.stats_requests++;
		stats_post(b);
		if (b->info.broken)
			return;
	}
	if (vq_broken(vq))
		balloon_break(b, "device broke the stats queue");
}

/* Deflate up to @nr pages, batch by batch, while the device works.
 * Return: pages deflated. */
static unsigned long deflate_pages(struct balloon *b, unsigned long nr)
{
	unsigned long done = 0;

	while (done < nr && !b->info.broken && !b->busy && b->info.actual) {
		int r = deflate_batch(b, (unsigned int)MIN(nr - done, b->cfg.batch));

		if (r <= 0)
			break;
		done += (unsigned long)r;
	}
	return done;
}

unsigned long balloon_oom_deflate(struct balloon *b, unsigned long nr)
{
	unsigned long done;

	if (!(b->info.features & VIRTIO_BALLOON_F_DEFLATE_ON_OOM))
		return 0;
	done = deflate_pages(b, nr);
	if (done) {
		b->info.oom_deflations++;
		b->info.oom_pages += done;
		b->oom_pinned = true;
		b->oom_num_pages = b->info.num_pages;
		b->info.target = b->info.actual;
		mm_warn("balloon: deflated %lu pages for an allocation (deflate-on-OOM)\n", done);
	}
	return done;
}

bool balloon_adjust(struct balloon *b)
{
	unsigned int batch = b->cfg.batch;

	if (b->oom_want && !b->busy) {
		unsigned long want = b->oom_want;

		b->oom_want = 0;
		balloon_oom_deflate(b, want);
	}
	while (!b->info.broken && !b->config_pending && b->info.actual != b->info.target) {
		int r;

		if (b->busy)
			return false; /* a migration is talking to the device */
		if (b->stats_pending)
			balloon_stats_service(b);
		if (b->info.actual < b->info.target)
			r = inflate_batch(b, MIN(b->info.target - b->info.actual, batch));
		else
			r = deflate_batch(b, MIN(b->info.actual - b->info.target, batch));
		if (r == -ENOSPC) {
			/* What the guest uses itself leaves less than the clamp
			 * assumed: stop here until the host changes its mind. */
			b->info.target = b->info.actual;
			b->info.clamps++;
			if (!b->floor_logged)
				mm_warn("balloon: stopped at %u pages: free memory down to %lu MiB\n",
					b->info.actual, keep_pages(b) >> 8);
			b->floor_logged = true;
			return true;
		}
		if (r <= 0)
			return false;
	}
	return b->info.actual == b->info.target;
}

static void free_buffers(struct balloon *b)
{
	if (b->buf_page)
		mm_free_pages(b->cfg.mm, b->buf_page, b->buf_order);
	if (b->stats_page)
		mm_free_pages(b->cfg.mm, b->stats_page, 0);
	b->buf_page = b->stats_page = NULL;
	b->buf = NULL;
	b->stats = NULL;
}

static int alloc_buffers(struct balloon *b)
{
	struct mm *mm = b->cfg.mm;

	b->buf_order = mm_order_for_bytes(b->cfg.batch * sizeof(u32));
	b->buf_page = mm_alloc_pages(mm, b->buf_order, GFP_KERNEL);
	b->stats_page = mm_alloc_pages(mm, 0, GFP_KERNEL | GFP_ZERO);
	if (!b->buf_page || !b->stats_page) {
		free_buffers(b);
		return -ENOMEM;
	}
	b->buf = mm_page_address(mm, b->buf_page);
	b->buf_pa = (u64)mm_page_to_pfn(mm, b->buf_page) << PAGE_SHIFT;
	b->stats = mm_page_address(mm, b->stats_page);
	b->stats_pa = (u64)mm_page_to_pfn(mm, b->stats_page) << PAGE_SHIFT;
	static_assert(BALLOON_S_NR * sizeof(struct balloon_stat) <= BALLOON_MIGRATE_OFFSET,
		      "stats and the migration PFN share a page");
	b->mig_pfn = (u32 *)((u8 *)b->stats + BALLOON_MIGRATE_OFFSET);
	b->mig_pfn_pa = b->stats_pa + BALLOON_MIGRATE_OFFSET;
	return 0;
}

/* The device's number for our queue @slot (see BALLOON_VQ_*). */
static unsigned int queue_index(const struct balloon *b, unsigned int slot)
{
	if (slot == BALLOON_VQ_REPORTING)
		return 3 + !!(b->vdev->offered & VIRTIO_BALLOON_F_FREE_PAGE_HINT);
	return slot;
}

static int setup_queues(struct balloon *b)
{
	static const char *const names[BALLOON_NR_VQS] = { "balloon-inflate", "balloon-deflate",
							    "balloon-stats", "balloon-reporting" };
	const u64 needs[BALLOON_NR_VQS] = { 0, 0, VIRTIO_BALLOON_F_STATS_VQ,
					    VIRTIO_BALLOON_F_REPORTING };
	unsigned int slot;

	for (slot = 0; slot < BALLOON_NR_VQS; slot++) {
		unsigned int index = queue_index(b, slot);

		if (needs[slot] && !(b->vdev->features & needs[slot]))
			continue;
		b->vq[slot] = b->vdev->ops->setup_queue(b->vdev, index, names[slot]);
		if (!b->vq[slot]) {
			mm_err("balloon: cannot set up queue %u (%s)\n", index, names[slot]);
			return -ENODEV;
		}
	}
	return 0;
}

/*
 * A poisoning mm (mm/poison.h) checks that free pages keep their poison, so
 * reported pages must come back intact: tell the host the poison value
 * (PAGE_POISON: QEMU then skips discarding them), or leave reporting unused.
 * Return: 0 or -EIO.
 */
static int set_poison(struct balloon *b)
{
	struct virtio_device *vd = b->vdev;

	if (!b->cfg.mm->poison)
		return 0;
	if (!(vd->features & VIRTIO_BALLOON_F_PAGE_POISON)) {
		vd->features &= ~VIRTIO_BALLOON_F_REPORTING; /* accepted, never used */
		return 0;
	}
	if (vd->ops->config_write32(vd, BALLOON_CFG_POISON_VAL, MM_POISON_U32)) {
		mm_err("balloon: cannot write poison_val\n");
		return -EIO;
	}
	return 0;
}

static int check_config(const struct balloon_config *cfg)
{
	if (!cfg->mm || !cfg->vdev || !cfg->xa_ops || !cfg->wait ||
	    cfg->batch > BALLOON_BATCH_MAX)
		return -EINVAL;
	return 0;
}

int balloon_start(struct balloon *b, const struct balloon_config *cfg)
{
	int err = check_config(cfg);

	if (err)
		return err;
	memset(b, 0, sizeof(*b));
	b->cfg = *cfg;
	if (!b->cfg.batch)
		b->cfg.batch = BALLOON_BATCH;
	if (!b->cfg.keep_pages)
		b->cfg.keep_pages = (BALLOON_KEEP_MIB << 20) / PAGE_SIZE;
	if (!b->cfg.timeout_us)
		b->cfg.timeout_us = BALLOON_TIMEOUT_US;
	b->vdev = cfg->vdev;
	xa_init(&b->pfns, cfg->xa_ops);
	xa_init(&b->lifo, cfg->xa_ops);
	err = movable_ops_register(b->cfg.mm, MEMDESC_BALLOON, &balloon_movable_ops);
	if (err)
		return err; /* -EBUSY: another owner of BALLOON pages in this mm */
	err = b->vdev->ops->negotiate(b->vdev, VIRTIO_F_VERSION_1 | VIRTIO_BALLOON_F_STATS_VQ |
					       VIRTIO_BALLOON_F_MUST_TELL_HOST |
					       VIRTIO_BALLOON_F_DEFLATE_ON_OOM |
					       VIRTIO_BALLOON_F_REPORTING |
					       (b->cfg.mm->poison ? VIRTIO_BALLOON_F_PAGE_POISON : 0));
	if (err)
		return err; /* the transport logged it and set FAILED */
	err = set_poison(b);
	if (!err)
		err = alloc_buffers(b);
	if (!err)
		err = setup_queues(b);
	if (!err && b->vdev->ops->driver_ok(b->vdev)) {
		mm_err("balloon: device refused DRIVER_OK\n");
		err = -EIO;
	}
	/* After DRIVER_OK (no notification before it): the device keeps the
	 * stats buffer until the host wants fresh figures. */
	if (!err && b->vq[BALLOON_VQ_STATS]) {
		stats_post(b);
		if (b->info.broken)
			err = -EIO;
	}
	if (err) {
		b->vdev->ops->fail(b->vdev);
		if (b->vdev->ops->reset(b->vdev) == 0)
			free_buffers(b); /* else the device may still read them */
		return err;
	}
	b->info.active = true;
	b->info.features = b->vdev->features;
	b->info.batch = b->cfg.batch;
	b->config_pending = true; /* the host may have set a target already */
	return 0;
}

int balloon_stop(struct balloon *b)
{
	if (!b->info.active)
		return 0;
	b->info.target = 0;
	deflate_pages(b, b->info.actual);
	b->info.active = false;
	if (b->info.broken || b->info.actual || b->vdev->ops->reset(b->vdev))
		return -EIO; /* the host may hold pages: keep them and the buffers */
	free_buffers(b);
	xa_destroy(&b->pfns);
	xa_destroy(&b->lifo);
	return 0;
}

unsigned long balloon_pages(const struct balloon *b) { return xa_count(&b->pfns); }

unsigned long balloon_xa_nodes(const struct balloon *b)
{
	return xa_node_count(&b->pfns) + xa_node_count(&b->lifo);
}
