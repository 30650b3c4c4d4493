/*
 * The virtio-balloon driver core (see balloon.h). Host-visible order:
 * inflate = pages out of the buddy and into the xarray, buffer used by the
 * device, then `actual`; deflate = buffer used by the device, then pages
 * back to the buddy, then `actual`.
 */
#include "drivers/virtio/balloon.h"
#include "include/errno.h"
#include "lib/string.h"
#include "mm/page.h"
#include "mm/platform.h"

#define BALLOON_POLL_US 10000ULL /* recheck period while waiting for the device */

static u64 now_ns(void) { return mm_time_ns(); }

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
	if (b->vdev->ops->config_read(b->vdev, BALLOON_CFG_NUM_PAGES, &num, sizeof(num))) {
		b->info.errors++;
		return;
	}
	max = managed > keep ? managed - keep : 0;
	if (num != b->info.num_pages)
		b->floor_logged = false;
	b->info.num_pages = num;
	if (num <= max) {
		b->info.target = num;
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
 * Post bl.buf[0..n) on @vq and wait until the device hands it back; the
 * time waited is added to *@wait_ns. Return: 0 or -EIO (driver stopped).
 */
static int post_and_wait(struct balloon *b, struct virtqueue *vq, unsigned int n, u64 *wait_ns)
{
	struct vq_sg sg = { .addr = b->buf_pa, .len = n * (u32)sizeof(u32) };
	u64 start = now_ns(), deadline = start + b->cfg.timeout_us * 1000;
	void *tok = NULL;
	u32 len = 0;

	if (vq_add(vq, &sg, 1, 0, b->buf)) {
		balloon_break(b, vq_broken(vq) ? "queue broken" : "cannot post a buffer");
		return -EIO;
	}
	vq_kick(vq);
	for (;;) {
		tok = vq_get_used(vq, &len);
		if (tok || vq_broken(vq) || now_ns() > deadline)
			break;
		b->cfg.wait(b, BALLOON_POLL_US);
	}
	*wait_ns += now_ns() - start;
	if (tok != b->buf) {
		balloon_break(b, vq_broken(vq) ? "device broke the queue"
					   : tok ? "device returned a buffer we did not post"
						 : "device did not return a buffer");
		return -EIO;
	}
	return 0;
}

static void write_actual(struct balloon *b)
{
	if (b->vdev->ops->config_write32(b->vdev, BALLOON_CFG_ACTUAL, b->info.actual))
		b->info.errors++;
}

/*
 * Take one free page for the balloon and record it in the xarray.
 * Return: its PFN, or 0 when none can be taken now (counted).
 */
static unsigned long take_page(struct balloon *b)
{
	struct mm *mm = b->cfg.mm;
	struct page *page = mm_alloc_pages(mm, 0, GFP_NOWARN);
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
	if (xa_insert(&b->pfns, pfn, xa_mk_value(pfn))) {
		mm_free_pages(mm, page, 0);
		b->info.xa_enomem++;
		return 0;
	}
	page_set_memdesc(page, MEMDESC_BALLOON, NULL);
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
	if (post_and_wait(b, b->vq[BALLOON_VQ_INFLATE], n, &waited))
		return -EIO; /* the pages stay ballooned: the host may have them */
	b->info.actual += n;
	b->info.pages_inflated += n;
	b->info.inflate_batches++;
	write_actual(b);
	b->info.inflate_wait_ns += waited;
	b->info.inflate_ns += now_ns() - start - waited;
	return (int)n;
}

/* One deflate batch of at most @want pages. Return: pages deflated or -EIO. */
static int deflate_batch(struct balloon *b, unsigned int want)
{
	struct mm *mm = b->cfg.mm;
	u64 start = now_ns(), waited = 0;
	unsigned long index;
	unsigned int n = 0, i;
	void *entry;

	xa_for_each(&b->pfns, index, entry) {
		if (n == want)
			break;
		b->buf[n++] = (u32)index;
	}
	if (!n)
		return 0;
	if (post_and_wait(b, b->vq[BALLOON_VQ_DEFLATE], n, &waited))
		return -EIO; /* the host may not know: keep the pages */
	for (i = 0; i < n; i++) {
		struct page *page = mm_pfn_to_page(mm, b->buf[i]);

		xa_erase(&b->pfns, b->buf[i]);
		page_set_memdesc(page, MEMDESC_KERNEL, NULL);
		mm_free_pages(mm, page, 0);
	}
	b->info.actual -= n;
	b->info.pages_deflated += n;
	b->info.deflate_batches++;
	write_actual(b);
	b->info.deflate_wait_ns += waited;
	b->info.deflate_ns += now_ns() - start - waited;
	return (int)n;
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

bool balloon_adjust(struct balloon *b)
{
	unsigned int batch = b->cfg.batch;

	while (!b->info.broken && !b->config_pending && b->info.actual != b->info.target) {
		int r;

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

static unsigned int order_for_bytes(size_t bytes)
{
	unsigned int order = 0;

	while ((PAGE_SIZE << order) < bytes)
		order++;
	return order;
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

	b->buf_order = order_for_bytes(b->cfg.batch * sizeof(u32));
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
	return 0;
}

static int setup_queues(struct balloon *b)
{
	static const char *const names[BALLOON_NR_VQS] = { "balloon-inflate", "balloon-deflate",
							    "balloon-stats" };
	unsigned int nr = (b->vdev->features & VIRTIO_BALLOON_F_STATS_VQ) ? 3 : 2, i;

	for (i = 0; i < nr; i++) {
		b->vq[i] = b->vdev->ops->setup_queue(b->vdev, i, names[i]);
		if (!b->vq[i]) {
			mm_err("balloon: cannot set up queue %u (%s)\n", i, names[i]);
			return -ENODEV;
		}
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
	err = b->vdev->ops->negotiate(b->vdev, VIRTIO_F_VERSION_1 | VIRTIO_BALLOON_F_STATS_VQ);
	if (err)
		return err; /* the transport logged it and set FAILED */
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
	while (!b->info.broken && b->info.actual && deflate_batch(b, b->cfg.batch) > 0)
		;
	b->info.active = false;
	if (b->info.broken || b->info.actual || b->vdev->ops->reset(b->vdev))
		return -EIO; /* the host may hold pages: keep them and the buffers */
	free_buffers(b);
	xa_destroy(&b->pfns);
	return 0;
}

unsigned long balloon_pages(const struct balloon *b) { return xa_count(&b->pfns); }
