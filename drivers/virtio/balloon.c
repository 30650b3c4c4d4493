/*
 * The virtio-balloon driver core (see balloon.h; its files in
 * balloon_internal.h): the device protocol, the target, inflate and
 * deflate batches, deflate-on-OOM, setup and teardown. Host-visible order:
 * inflate = pages out of the buddy and into the xarray, buffer used by the
 * device, then `actual`; deflate = buffer used by the device, then pages
 * back to the buddy, then `actual`.
 */
#include "drivers/virtio/balloon_internal.h"
#include "include/errno.h"
#include "lib/string.h"
#include "mm/movable.h"
#include "mm/poison.h"

#define BALLOON_POLL_US 10000ULL /* recheck period while waiting for the device */
#define BALLOON_MIGRATE_OFFSET 2048 /* the migration's one-PFN buffer, in the stats page */

void balloon_break(struct balloon *b, const char *why)
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
	balloon_policy_reset(b); /* rank afresh for this target */
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
int balloon_post_sg(struct balloon *b, struct virtqueue *vq, const struct vq_sg *sg,
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
	 * thread preempted past the deadline before its first wait must not
	 * break a device that answers. */
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

int balloon_post_pfns(struct balloon *b, struct virtqueue *vq, u32 *pfns, u64 pa,
			 unsigned int n, u64 *wait_ns)
{
	struct vq_sg sg = { .addr = pa, .len = n * (u32)sizeof(u32) };

	return balloon_post_sg(b, vq, &sg, 1, 0, pfns, wait_ns);
}

static int post_batch(struct balloon *b, unsigned int vq, unsigned int n, u64 *wait_ns)
{
	return balloon_post_pfns(b, b->vq[vq], b->buf, b->buf_pa, n, wait_ns);
}

static void write_actual(struct balloon *b)
{
	if (b->vdev->ops->config_write32(b->vdev, BALLOON_CFG_ACTUAL, b->info.actual))
		b->info.errors++;
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
	while (n < want && (pfn = balloon_take_page(b)) != 0)
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

/* One deflate batch of at most @want pages. Return: pages deflated or -EIO. */
static int deflate_batch(struct balloon *b, unsigned int want)
{
	u64 start = now_ns(), waited = 0;
	unsigned int n = balloon_pick_deflate(b, want), i;

	if (!n)
		return 0;
	if (post_batch(b, BALLOON_VQ_DEFLATE, n, &waited))
		return -EIO; /* the host may not know: keep the pages */
	for (i = 0; i < n; i++)
		balloon_release_page(b, b->buf[i]);
	b->info.actual -= n;
	b->info.pages_deflated += n;
	b->info.deflate_batches++;
	write_actual(b);
	b->info.deflate_wait_ns += waited;
	b->info.deflate_ns += now_ns() - start - waited;
	return (int)n;
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
	if (err)
		goto fail;
	err = alloc_buffers(b);
	if (err)
		goto fail;
	err = setup_queues(b);
	if (err)
		goto fail;
	if (b->vdev->ops->driver_ok(b->vdev)) {
		mm_err("balloon: device refused DRIVER_OK\n");
		err = -EIO;
		goto fail;
	}
	/* After DRIVER_OK (no notification before it): the device keeps the
	 * stats buffer until the host wants fresh figures. */
	if (b->vq[BALLOON_VQ_STATS]) {
		balloon_stats_post(b);
		if (b->info.broken) {
			err = -EIO;
			goto fail;
		}
	}
	b->info.active = true;
	b->info.features = b->vdev->features;
	b->info.batch = b->cfg.batch;
	b->config_pending = true; /* the host may have set a target already */
	return 0;
fail:
	b->vdev->ops->fail(b->vdev);
	if (b->vdev->ops->reset(b->vdev) == 0)
		free_buffers(b); /* else the device may still read them */
	return err;
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
