/*
 * The virtio-balloon driver, core (virtio 1.x section 5.5): the host sets
 * num_pages in the device config and raises a config-change interrupt; the
 * balloon thread moves `actual` toward it in batches of BALLOON_BATCH PFNs.
 * Inflate takes order-0 pages from kernel_mm (memdesc type BALLOON, no
 * descriptor), records their PFNs in an xarray, hands them to the host on
 * the inflate queue and, once the device has used the buffer, writes the
 * new `actual`. Deflate takes PFNs out of the xarray, tells the host on the
 * deflate queue, then frees the pages and writes `actual`.
 *
 * Features: VERSION_1 and STATS_VQ when offered (no deflate-on-OOM, no free
 * page reporting). Stats (5.5.6.3): one buffer of BALLOON_S_NR packed
 * {le16 tag, le64 val} entries is posted at init; the host polls by handing
 * it back (used, length 0); the interrupt only wakes the balloon thread,
 * which refills it (free, total, available bytes; 0 for tags without a
 * meaning here) and posts it again. The device is untrusted: num_pages is clamped to what the
 * guest can give without dropping below BALLOON_KEEP_MIB plus the high
 * watermark (logged once per new value); a broken queue or a device that
 * does not answer stops the driver (logged), and pages it may have been
 * given stay ballooned: never reused behind the host's back, never lost.
 *
 * Invariants: xa_count(pfns) == actual == pages of type BALLOON owned here;
 * every PFN handed to the host fits the 32-bit PFN field.
 *
 * Locking: the balloon thread owns the device, the queues and the xarray;
 * the interrupt handler only sets flags and wakes it. The monitor reads the
 * counters (cooperative scheduling: a read never sees a half-done batch).
 */
#ifndef DRIVERS_VIRTIO_BALLOON_H
#define DRIVERS_VIRTIO_BALLOON_H

#include "drivers/pci.h"
#include "include/compiler.h"
#include "include/types.h"

#define BALLOON_BATCH 256   /* PFNs per inflate/deflate buffer */
#define BALLOON_KEEP_MIB 32 /* never balloon below this (+ high watermark) */

/* balloon config (spec 5.5.6): le32 num_pages, le32 actual. */
#define BALLOON_CFG_NUM_PAGES 0
#define BALLOON_CFG_ACTUAL 4

#define VIRTIO_BALLOON_F_STATS_VQ (1ULL << 1)

/* Stats tags (spec 5.5.6.3). */
#define BALLOON_S_SWAP_IN 0
#define BALLOON_S_SWAP_OUT 1
#define BALLOON_S_MAJFLT 2
#define BALLOON_S_MINFLT 3
#define BALLOON_S_MEMFREE 4
#define BALLOON_S_MEMTOT 5
#define BALLOON_S_AVAIL 6
#define BALLOON_S_CACHES 7
#define BALLOON_S_HTLB_PGALLOC 8
#define BALLOON_S_HTLB_PGFAIL 9
#define BALLOON_S_NR 10

struct balloon_stat {
	u16 tag;
	u64 val;
} __packed;

struct balloon_info {
	bool active;                 /* a device was found and set up */
	bool broken;                 /* the driver stopped using the device */
	const struct pci_dev *pci;
	u64 features;
	u32 num_pages;               /* last value the host asked for */
	u32 target;                  /* after clamping */
	u32 actual;                  /* pages in the balloon, as told to the host */
	unsigned long inflated;      /* entries in the xarray (== actual) */
	unsigned long xa_nodes;
	unsigned long inflate_batches, deflate_batches;
	unsigned long pages_inflated, pages_deflated; /* since boot */
	unsigned long clamps;        /* targets clamped */
	unsigned long alloc_fail;    /* batches cut short: no free page */
	unsigned long xa_enomem;     /* xarray inserts that failed: page given back */
	unsigned long errors;        /* device errors (broken queue, timeout) */
	unsigned long config_irqs;
	unsigned long stats_requests; /* host stats polls answered */
};

/*
 * balloon_init - find the virtio-balloon, negotiate, set up the inflate and
 * deflate queues, request its interrupt and start the balloon thread.
 * Does nothing when booted with balloon=off or when no device is present.
 * Context: boot, thread context, after pci_init() and workqueue/sched init.
 */
void balloon_init(void);

/* Is @d the device the balloon driver drives? */
bool balloon_owns(const struct pci_dev *d);

void balloon_get_info(struct balloon_info *info);

#endif
