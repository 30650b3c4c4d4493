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
#include "mm/trace.h"

#define BALLOON_POLL_US 10000ULL /* recheck period while waiting for the device */
#define BALLOON_MIGRATE_OFFSET 2048 /* the migration's one-PFN buffer, in the stats page */

void balloon_break(struct balloon *balloon, const char *why)
{
	balloon->info.errors++;
	if (balloon->info.broken)
		return;
	balloon->info.broken = true;
	mm_err("balloon: %s; driver stopped with %u pages inflated\n", why, balloon->info.actual);
	balloon->vdev->ops->fail(balloon->vdev);
}

/* Pages that must stay in the guest: the floor plus the high watermark. */
static unsigned long keep_pages(const struct balloon *balloon)
{
	return balloon->cfg.keep_pages + balloon->cfg.mm->wmark[WMARK_HIGH];
}

void balloon_read_target(struct balloon *balloon)
{
	unsigned long keep = keep_pages(balloon), managed = balloon->cfg.mm->nr_managed, max;
	u32 num;

	balloon_flag_take(&balloon->config_pending);
	balloon_policy_reset(balloon); /* rank afresh for this target */
	if (balloon->vdev->ops->config_read(balloon->vdev, BALLOON_CFG_NUM_PAGES, &num, sizeof(num))) {
		balloon->info.errors++;
		return;
	}
	max = managed > keep ? managed - keep : 0;
	if (num != balloon->info.num_pages)
		balloon->floor_logged = false;
	balloon->info.num_pages = num;
	if (balloon->oom_pinned && num != balloon->oom_num_pages)
		balloon->oom_pinned = false;
	if (balloon->oom_pinned && max > balloon->info.actual)
		max = balloon->info.actual; /* deflated on OOM: not back into the shortage */
	if (num <= max) {
		balloon->info.target = num;
		return;
	}
	if (balloon->oom_pinned) {
		balloon->info.target = (u32)max;
		return;
	}
	balloon->info.target = (u32)max;
	if (!balloon->last_clamped_valid || balloon->last_clamped != num) {
		balloon->last_clamped = num;
		balloon->last_clamped_valid = true;
		balloon->info.clamps++;
		mm_warn("balloon: host asks for %u pages (%lu MiB), clamped to %lu: "
			"%lu MiB must stay\n", num, (unsigned long)num >> 8, max, keep >> 8);
	}
}

/*
 * Post the chain @sg (@nr_out device-readable entries, then @nr_in
 * device-writable ones) on @vq and wait until the device hands it back;
 * the time waited is added to *@wait_ns. The caller holds the claim:
 * nobody else posts or touches the balloon meanwhile. Return: 0 or -EIO
 * (driver stopped).
 */
int balloon_post_sg(struct balloon *balloon, struct virtqueue *vq, const struct vq_sg *sg,
			    unsigned int nr_out, unsigned int nr_in, void *token, u64 *wait_ns)
{
	u64 start = now_ns(), deadline = start + balloon->cfg.timeout_us * 1000;
	void *tok = NULL;
	bool expired = false;
	int err = 0;
	u32 len = 0;

	ASSERT_MSG(balloon_claimed(balloon), "balloon: posting without the claim");
	if (vq_add(vq, sg, nr_out, nr_in, token)) {
		balloon_break(balloon, vq_broken(vq) ? "queue broken" : "cannot post a buffer");
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
		balloon->cfg.wait(balloon, BALLOON_POLL_US);
	}
	*wait_ns += now_ns() - start;
	if (tok != token) {
		balloon_break(balloon, vq_broken(vq) ? "device broke the queue"
					   : tok ? "device returned a buffer we did not post"
						 : "device did not return a buffer");
		err = -EIO;
	}
	return err;
}

/* The claim's channel for putback's wait. */
static unsigned long claim_channel(const struct balloon *balloon) { return (unsigned long)&balloon->claimed; }

void balloon_unclaim(struct balloon *balloon)
{
	__atomic_store_n(&balloon->claimed, 0, __ATOMIC_RELEASE);
	mm_wake(claim_channel(balloon));
}

static bool try_claim(void *arg) { return balloon_claim(arg); }

void balloon_claim_wait(struct balloon *balloon) { mm_wait(claim_channel(balloon), try_claim, balloon); }

int balloon_post_pfns(struct balloon *balloon, struct virtqueue *vq, u32 *pfns, u64 pa,
			 unsigned int n, u64 *wait_ns)
{
	struct vq_sg sg = { .addr = pa, .len = n * (u32)sizeof(u32) };

	return balloon_post_sg(balloon, vq, &sg, 1, 0, pfns, wait_ns);
}

static int post_batch(struct balloon *balloon, unsigned int vq, unsigned int n, u64 *wait_ns)
{
	return balloon_post_pfns(balloon, balloon->vq[vq], balloon->buf, balloon->buf_pa, n, wait_ns);
}

static void write_actual(struct balloon *balloon)
{
	if (balloon->vdev->ops->config_write32(balloon->vdev, BALLOON_CFG_ACTUAL, balloon->info.actual))
		balloon->info.errors++;
}

/*
 * One inflate batch of at most @want pages. Return: pages inflated (> 0),
 * 0 when nothing could be taken now (retry later), -ENOSPC when free memory
 * is down to keep_pages(), or -EIO.
 */
static int inflate_batch_claimed(struct balloon *balloon, unsigned int want)
{
	unsigned long free = mm_nr_free_pages(balloon->cfg.mm), keep = keep_pages(balloon), pfn;
	u64 start = now_ns(), waited = 0;
	unsigned int n = 0;

	if (free <= keep)
		return -ENOSPC;
	if (want > free - keep)
		want = (unsigned int)(free - keep);
	while (n < want && (pfn = balloon_take_page(balloon)) != 0)
		balloon->buf[n++] = (u32)pfn;
	if (!n)
		return 0;
	if (post_batch(balloon, BALLOON_VQ_INFLATE, n, &waited))
		return -EIO; /* the pages stay ballooned: the host may have them */
	balloon->info.actual += n;
	balloon->info.pages_inflated += n;
	balloon->info.inflate_batches++;
	write_actual(balloon);
	balloon->info.inflate_wait_ns += waited;
	balloon->info.inflate_ns += now_ns() - start - waited;
	return (int)n;
}

static int inflate_batch(struct balloon *balloon, unsigned int want)
{
	int r;

	if (!balloon_claim(balloon))
		return 0; /* a migration or a report talks to the device */
	r = inflate_batch_claimed(balloon, want);
	trace_event(TRACE_BALLOON_INFLATE, want, r);
	balloon_unclaim(balloon);
	return r;
}

/* One deflate batch of at most @want pages. Return: pages deflated (0:
 * none now) or -EIO. */
static int deflate_batch_claimed(struct balloon *balloon, unsigned int want)
{
	u64 start = now_ns(), waited = 0;
	unsigned int n = balloon_pick_deflate(balloon, want), i;

	if (!n)
		return 0;
	if (post_batch(balloon, BALLOON_VQ_DEFLATE, n, &waited))
		return -EIO; /* the host may not know: keep the pages */
	for (i = 0; i < n; i++)
		balloon_release_page(balloon, balloon->buf[i]);
	balloon->info.actual -= n;
	balloon->info.pages_deflated += n;
	balloon->info.deflate_batches++;
	write_actual(balloon);
	balloon->info.deflate_wait_ns += waited;
	balloon->info.deflate_ns += now_ns() - start - waited;
	return (int)n;
}

static int deflate_batch(struct balloon *balloon, unsigned int want)
{
	int r;

	if (!balloon_claim(balloon))
		return 0;
	r = deflate_batch_claimed(balloon, want);
	trace_event(TRACE_BALLOON_DEFLATE, want, r);
	balloon_unclaim(balloon);
	return r;
}

/* Deflate up to @nr pages, batch by batch, while the device works.
 * Return: pages deflated. */
static unsigned long deflate_pages(struct balloon *balloon, unsigned long nr)
{
	unsigned long done = 0;

	while (done < nr && !balloon->info.broken && balloon->info.actual) {
		int r = deflate_batch(balloon, (unsigned int)MIN(nr - done, balloon->cfg.batch));

		if (r <= 0)
			break;
		done += (unsigned long)r;
	}
	return done;
}

unsigned long balloon_oom_deflate(struct balloon *balloon, unsigned long nr)
{
	unsigned long done;

	if (!(balloon->info.features & VIRTIO_BALLOON_F_DEFLATE_ON_OOM))
		return 0;
	done = deflate_pages(balloon, nr);
	if (done) {
		balloon->info.oom_deflations++;
		balloon->info.oom_pages += done;
		balloon->oom_pinned = true;
		balloon->oom_num_pages = balloon->info.num_pages;
		balloon->info.target = balloon->info.actual;
		mm_warn("balloon: deflated %lu pages for an allocation (deflate-on-OOM)\n", done);
	}
	return done;
}

bool balloon_adjust(struct balloon *balloon)
{
	unsigned int batch = balloon->cfg.batch;

	unsigned long want = __atomic_exchange_n(&balloon->oom_want, 0, __ATOMIC_ACQUIRE);

	if (want && !balloon_oom_deflate(balloon, want) && balloon_claimed(balloon))
		__atomic_fetch_add(&balloon->oom_want, want, __ATOMIC_RELEASE); /* next round */
	while (!balloon->info.broken && !balloon_flag_test(&balloon->config_pending) &&
	       balloon->info.actual != balloon->info.target) {
		int r;

		if (balloon_claimed(balloon))
			return false; /* a migration is talking to the device */
		if (balloon_flag_test(&balloon->stats_pending))
			balloon_stats_service(balloon);
		if (balloon->info.actual < balloon->info.target)
			r = inflate_batch(balloon, MIN(balloon->info.target - balloon->info.actual, batch));
		else
			r = deflate_batch(balloon, MIN(balloon->info.actual - balloon->info.target, batch));
		if (r == -ENOSPC) {
			/* What the guest uses itself leaves less than the clamp
			 * assumed: stop here until the host changes its mind. */
			balloon->info.target = balloon->info.actual;
			balloon->info.clamps++;
			if (!balloon->floor_logged)
				mm_warn("balloon: stopped at %u pages: free memory down to %lu MiB\n",
					balloon->info.actual, keep_pages(balloon) >> 8);
			balloon->floor_logged = true;
			return true;
		}
		if (r <= 0)
			return false;
	}
	return balloon->info.actual == balloon->info.target;
}

static void free_buffers(struct balloon *balloon)
{
	if (balloon->buf_page)
		mm_free_pages(balloon->cfg.mm, balloon->buf_page, balloon->buf_order);
	if (balloon->stats_page)
		mm_free_pages(balloon->cfg.mm, balloon->stats_page, 0);
	balloon->buf_page = balloon->stats_page = NULL;
	balloon->buf = NULL;
	balloon->stats = NULL;
}

static int alloc_buffers(struct balloon *balloon)
{
	struct mm *mm = balloon->cfg.mm;

	balloon->buf_order = mm_order_for_bytes(balloon->cfg.batch * sizeof(u32));
	balloon->buf_page = mm_alloc_pages(mm, balloon->buf_order, GFP_KERNEL);
	balloon->stats_page = mm_alloc_pages(mm, 0, GFP_KERNEL | GFP_ZERO);
	if (!balloon->buf_page || !balloon->stats_page) {
		free_buffers(balloon);
		return -ENOMEM;
	}
	balloon->buf = mm_page_address(mm, balloon->buf_page);
	balloon->buf_pa = (u64)mm_page_to_pfn(mm, balloon->buf_page) << PAGE_SHIFT;
	balloon->stats = mm_page_address(mm, balloon->stats_page);
	balloon->stats_pa = (u64)mm_page_to_pfn(mm, balloon->stats_page) << PAGE_SHIFT;
	static_assert(BALLOON_S_NR * sizeof(struct balloon_stat) <= BALLOON_MIGRATE_OFFSET,
		      "stats and the migration PFN share a page");
	balloon->mig_pfn = (u32 *)((u8 *)balloon->stats + BALLOON_MIGRATE_OFFSET);
	balloon->mig_pfn_pa = balloon->stats_pa + BALLOON_MIGRATE_OFFSET;
	return 0;
}

/* The device's number for our queue @slot (see BALLOON_VQ_*). */
static unsigned int queue_index(const struct balloon *balloon, unsigned int slot)
{
	if (slot == BALLOON_VQ_REPORTING)
		return 3 + !!(balloon->vdev->offered & VIRTIO_BALLOON_F_FREE_PAGE_HINT);
	return slot;
}

static int setup_queues(struct balloon *balloon)
{
	static const char *const names[BALLOON_NR_VQS] = { "balloon-inflate", "balloon-deflate",
							    "balloon-stats", "balloon-reporting" };
	const u64 needs[BALLOON_NR_VQS] = { 0, 0, VIRTIO_BALLOON_F_STATS_VQ,
					    VIRTIO_BALLOON_F_REPORTING };
	unsigned int slot;

	for (slot = 0; slot < BALLOON_NR_VQS; slot++) {
		unsigned int index = queue_index(balloon, slot);

		if (needs[slot] && !(balloon->vdev->features & needs[slot]))
			continue;
		balloon->vq[slot] = balloon->vdev->ops->setup_queue(balloon->vdev, index, names[slot]);
		if (!balloon->vq[slot]) {
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
static int set_poison(struct balloon *balloon)
{
	struct virtio_device *vd = balloon->vdev;

	if (!balloon->cfg.mm->poison)
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

int balloon_start(struct balloon *balloon, const struct balloon_config *cfg)
{
	int err = check_config(cfg);

	if (err)
		return err;
	memset(balloon, 0, sizeof(*balloon));
	balloon->cfg = *cfg;
	if (!balloon->cfg.batch)
		balloon->cfg.batch = BALLOON_BATCH;
	if (!balloon->cfg.keep_pages)
		balloon->cfg.keep_pages = (BALLOON_KEEP_MIB << 20) / PAGE_SIZE;
	if (!balloon->cfg.timeout_us)
		balloon->cfg.timeout_us = BALLOON_TIMEOUT_US;
	balloon->vdev = cfg->vdev;
	xa_init(&balloon->pfns, cfg->xa_ops);
	xa_init(&balloon->lifo, cfg->xa_ops);
	err = movable_ops_register(balloon->cfg.mm, MEMDESC_BALLOON, &balloon_movable_ops);
	if (err)
		return err; /* -EBUSY: another owner of BALLOON pages in this mm */
	err = balloon->vdev->ops->negotiate(balloon->vdev, VIRTIO_F_VERSION_1 | VIRTIO_BALLOON_F_STATS_VQ |
					       VIRTIO_BALLOON_F_MUST_TELL_HOST |
					       VIRTIO_BALLOON_F_DEFLATE_ON_OOM |
					       VIRTIO_BALLOON_F_REPORTING |
					       (balloon->cfg.mm->poison ? VIRTIO_BALLOON_F_PAGE_POISON : 0));
	if (err)
		return err; /* the transport logged it and set FAILED */
	err = set_poison(balloon);
	if (err)
		goto fail;
	err = alloc_buffers(balloon);
	if (err)
		goto fail;
	err = setup_queues(balloon);
	if (err)
		goto fail;
	if (balloon->vdev->ops->driver_ok(balloon->vdev)) {
		mm_err("balloon: device refused DRIVER_OK\n");
		err = -EIO;
		goto fail;
	}
	/* After DRIVER_OK (no notification before it): the device keeps the
	 * stats buffer until the host wants fresh figures. */
	if (balloon->vq[BALLOON_VQ_STATS]) {
		balloon_stats_post(balloon);
		if (balloon->info.broken) {
			err = -EIO;
			goto fail;
		}
	}
	balloon->info.active = true;
	balloon->info.features = balloon->vdev->features;
	balloon->info.batch = balloon->cfg.batch;
	balloon_flag_set(&balloon->config_pending); /* the host may have set a target already */
	return 0;
fail:
	balloon->vdev->ops->fail(balloon->vdev);
	if (balloon->vdev->ops->reset(balloon->vdev) == 0)
		free_buffers(balloon); /* else the device may still read them */
	return err;
}

int balloon_stop(struct balloon *balloon)
{
	if (!balloon->info.active)
		return 0;
	balloon->info.target = 0;
	deflate_pages(balloon, balloon->info.actual);
	balloon->info.active = false;
	if (balloon->info.broken || balloon->info.actual || balloon->vdev->ops->reset(balloon->vdev))
		return -EIO; /* the host may hold pages: keep them and the buffers */
	free_buffers(balloon);
	xa_destroy(&balloon->pfns);
	xa_destroy(&balloon->lifo);
	return 0;
}
