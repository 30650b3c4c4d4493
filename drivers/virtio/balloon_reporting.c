/*
 * Free page reporting (virtio 1.x 5.5.6.7): free blocks of order >= 9 are
 * taken from the buddy (mm_report_take), handed to the host on the
 * reporting queue (device-writable: the host may discard them) and given
 * back (mm_report_return) once the device has used the buffer; a failed
 * round gives them back unreported.
 */
#include "drivers/virtio/balloon_internal.h"
#include "include/errno.h"
#include "mm/reporting.h"

/* One report buffer. Return: pages reported, 0 when nothing is left, -EIO. */
static long report_round(struct balloon *balloon)
{
	struct mm *mm = balloon->cfg.mm;
	struct vq_sg sg[BALLOON_REPORT_MAX];
	unsigned long pages = 0;
	unsigned int n, i;
	u64 waited = 0;
	int err;

	n = mm_report_take(mm, PAGEBLOCK_ORDER, balloon->report_pfn, balloon->report_order,
			   BALLOON_REPORT_MAX);
	for (i = 0; i < n; i++) {
		sg[i].addr = (u64)balloon->report_pfn[i] << PAGE_SHIFT;
		sg[i].len = (u32)(PAGE_SIZE << balloon->report_order[i]);
		pages += 1UL << balloon->report_order[i];
	}
	if (!n)
		return 0;
	err = balloon_post_sg(balloon, balloon->vq[BALLOON_VQ_REPORTING], sg, 0, n, balloon->report_pfn, &waited);
	mm_report_return(mm, balloon->report_pfn, balloon->report_order, n, !err);
	if (err) {
		balloon->info.report_fail++;
		return -EIO;
	}
	balloon->info.report_rounds++;
	balloon->info.report_blocks += n;
	balloon->info.report_pages += pages;
	return (long)pages;
}

unsigned long balloon_report(struct balloon *balloon, unsigned int max_rounds)
{
	unsigned long total = 0;
	unsigned int i;

	if (!balloon->vq[BALLOON_VQ_REPORTING] || !balloon_claim(balloon))
		return 0;
	for (i = 0; i < max_rounds && !balloon->info.broken; i++) {
		long r = report_round(balloon);

		if (r <= 0)
			break;
		total += (unsigned long)r;
	}
	balloon_unclaim(balloon);
	return total;
}
