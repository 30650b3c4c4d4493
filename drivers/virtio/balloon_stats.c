/*
 * The stats queue (virtio 1.x 5.5.6.3): one buffer of BALLOON_S_NR
 * {le16 tag, le64 val} entries, posted at start; the host polls by handing
 * it back; balloon_stats_service() refills it and posts it again. A buffer
 * the driver did not post, or a broken queue, stops the driver.
 */
#include "drivers/virtio/balloon_internal.h"

/*
 * Available is free minus the low watermark: what can be allocated before
 * the allocator dips into its reserve (no page cache or swap to add back).
 * Tags without a meaning here (swap, faults, caches, hugetlb) report 0.
 */
void balloon_stats_fill(const struct balloon *balloon, struct balloon_stat *stats)
{
	const struct mm *mm = balloon->cfg.mm;
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
void balloon_stats_post(struct balloon *balloon)
{
	struct vq_sg sg = { .addr = balloon->stats_pa,
			    .len = sizeof(struct balloon_stat) * BALLOON_S_NR };
	struct virtqueue *vq = balloon->vq[BALLOON_VQ_STATS];

	balloon_stats_fill(balloon, balloon->stats);
	if (vq_add(vq, &sg, 1, 0, balloon->stats)) {
		balloon_break(balloon, vq_broken(vq) ? "stats queue broken"
					      : "cannot post the stats buffer");
		return;
	}
	balloon->stats_posted = true;
	vq_kick(vq);
}

void balloon_stats_service(struct balloon *balloon)
{
	struct virtqueue *vq = balloon->vq[BALLOON_VQ_STATS];
	void *tok;
	u32 len;

	balloon_flag_take(&balloon->stats_pending);
	if (!vq || balloon->info.broken)
		return;
	while ((tok = vq_get_used(vq, &len)) != NULL) {
		if (tok != balloon->stats || !balloon->stats_posted) {
			balloon_break(balloon, "stats queue returned a buffer we did not post");
			return;
		}
		balloon->stats_posted = false;
		balloon->info.stats_requests++;
		balloon_stats_post(balloon);
		if (balloon->info.broken)
			return;
	}
	if (vq_broken(vq))
		balloon_break(balloon, "device broke the stats queue");
}
