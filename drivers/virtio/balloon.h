/*
 * The virtio-balloon driver core (virtio 1.x section 5.5), independent of
 * the transport and of threads: it builds hosted and drives either the PCI
 * device (drivers/virtio/balloon_pci.c: the thread, the interrupt, the
 * monitor) or a simulated one (drivers/virtio/balloon_sim.c: tests).
 *
 * The host sets num_pages in the device config; balloon_adjust() moves
 * `actual` toward it in batches of at most cfg.batch PFNs. Inflate takes
 * order-0 pages from the balloon's mm (memdesc type BALLOON, no
 * descriptor), records their PFNs in an xarray, hands them to the host on
 * the inflate queue and, once the device has used the buffer, writes the
 * new `actual`. Deflate takes PFNs out of the xarray, tells the host on the
 * deflate queue, then frees the pages and writes `actual`.
 *
 * Features: VERSION_1, and STATS_VQ, MUST_TELL_HOST, DEFLATE_ON_OOM,
 * REPORTING when offered; PAGE_POISON when offered and the mm poisons free
 * pages (mm/poison.h; the kernel's mm.poison=1). Deflate-on-OOM: an OOM
 * notifier (the owner's) sets oom_want and wakes the owner, whose
 * balloon_adjust() gives the pages back. Stats (5.5.6.3): one buffer of
 * BALLOON_S_NR packed {le16 tag, le64 val} entries is posted at start; the
 * host polls by handing it back (used, length 0); the owner
 * calls balloon_stats_service(), which refills it (free, total, available
 * bytes; 0 for tags without a meaning here) and posts it again.
 *
 * The device is untrusted: num_pages is clamped to what the guest can give
 * without dropping below keep_pages plus the high watermark (logged once
 * per new value); a broken queue or a device that does not answer within
 * cfg.timeout_us stops the driver (logged, FAILED set), and pages it may
 * have been given stay ballooned: never reused behind the host's back,
 * never lost.
 *
 * Migration (movable_operations for MEMDESC_BALLOON, registered on the
 * mm at start; the "A plan for supporting PageMovable in 2025" thread,
 * docs/references.md): isolate marks the PFN's xarray slot (deflate
 * passes over it; putback cannot fail); migrate inserts @dst (-ENOMEM:
 * permanent, nothing changed), tells the host to inflate @dst, then to
 * deflate @src; `actual` never changes. A page the host asks back while
 * migration holds it (isolated, or just claimed by a compaction on another
 * CPU) is handed to migration through movable_page_clear(), which frees it. With
 * MUST_TELL_HOST (negotiated when offered) every page is deflated on the
 * device before the guest reuses it.
 *
 * Invariants, while the device works: xa_count(pfns) == actual == pages of
 * type BALLOON owned here (isolated ones included); every PFN handed to the
 * host fits the 32-bit PFN field; nothing else is posted while it is claimed.
 *
 * Locking: one owner (a thread, or a test) makes every call; interrupt
 * handlers only set config_pending / stats_pending and wake the owner.
 */
#ifndef DRIVERS_VIRTIO_BALLOON_H
#define DRIVERS_VIRTIO_BALLOON_H

#include "drivers/virtio/virtio.h"
#include "include/compiler.h"
#include "include/types.h"
#include "lib/xarray.h"
#include "mm/mm.h"

#define BALLOON_BATCH 256         /* default PFNs per buffer (as Linux) */
#define BALLOON_BATCH_MAX 4096    /* one 16 KiB buffer */
#define BALLOON_KEEP_MIB 32       /* default floor (+ high watermark) */
#define BALLOON_TIMEOUT_US 5000000ULL /* a posted buffer must come back by then */
#define BALLOON_RANK_BLOCKS 64    /* pageblocks ranked per aware-deflate pass */

/*
 * Where inflate takes pages and which ones deflate gives back.
 * AWARE: inflate fills partly free pageblocks, fullest first (UNMOVABLE
 * ones before all), before breaking a free 2 MiB block, and then fills
 * that block before breaking another (mm/hole.h); deflate gives back pages of the
 * pageblocks closest to being entirely free first (free + ballooned pages,
 * most first), completing free 2 MiB blocks. NAIVE: inflate takes what the
 * buddy hands out (mm_alloc_pages); deflate last in first out.
 */
enum balloon_policy { BALLOON_POLICY_AWARE, BALLOON_POLICY_NAIVE };

/* Device config (spec 5.5.6): le32 num_pages, le32 actual. */
#define BALLOON_CFG_NUM_PAGES 0
#define BALLOON_CFG_ACTUAL 4
#define BALLOON_CFG_POISON_VAL 12 /* le32, with PAGE_POISON */

/* Our queue slots. The device numbers its queues compactly by what it
 * offers (QEMU): inflate 0, deflate 1, stats 2, free page hint 3 when
 * offered, then reporting (3 or 4). */
#define BALLOON_VQ_INFLATE 0
#define BALLOON_VQ_DEFLATE 1
#define BALLOON_VQ_STATS 2
#define BALLOON_VQ_REPORTING 3
#define BALLOON_NR_VQS 4
#define BALLOON_REPORT_MAX 32 /* free blocks per report buffer */

#define VIRTIO_BALLOON_F_MUST_TELL_HOST (1ULL << 0)
#define VIRTIO_BALLOON_F_STATS_VQ (1ULL << 1)
#define VIRTIO_BALLOON_F_DEFLATE_ON_OOM (1ULL << 2)
#define VIRTIO_BALLOON_F_FREE_PAGE_HINT (1ULL << 3)
#define VIRTIO_BALLOON_F_PAGE_POISON (1ULL << 4)
#define VIRTIO_BALLOON_F_REPORTING (1ULL << 5)

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

struct balloon;

/* What the owner supplies to balloon_start(). */
struct balloon_config {
	struct mm *mm;                /* pages come from and return to it */
	struct virtio_device *vdev;   /* reset, not yet negotiated */
	const struct xa_alloc_ops *xa_ops; /* xarray node memory */
	unsigned int batch;           /* PFNs per buffer; 0: BALLOON_BATCH */
	unsigned long keep_pages;     /* floor; 0: BALLOON_KEEP_MIB */
	u64 timeout_us;               /* 0: BALLOON_TIMEOUT_US */
	enum balloon_policy policy;
	/* Sleep until the device may have used a buffer (an interrupt), at
	 * most @us microseconds; return at once when it already has. */
	void (*wait)(struct balloon *b, u64 us);
	void *priv;                   /* the owner's */
};

struct balloon_info {
	bool active;                 /* set up and running */
	bool broken;                 /* the driver stopped using the device */
	u64 features;
	unsigned int batch;
	u32 num_pages;               /* last value the host asked for */
	u32 target;                  /* after clamping */
	u32 actual;                  /* pages in the balloon, as told to the host */
	unsigned long inflate_batches, deflate_batches;
	unsigned long pages_inflated, pages_deflated; /* since start */
	unsigned long clamps;        /* targets clamped */
	unsigned long alloc_fail;    /* batches cut short: no free page */
	unsigned long xa_enomem;     /* xarray inserts that failed: page given back */
	unsigned long errors;        /* device errors (broken queue, timeout) */
	unsigned long stats_requests; /* host stats polls answered */
	u64 inflate_ns, deflate_ns;  /* guest time, device waits excluded */
	u64 inflate_wait_ns, deflate_wait_ns; /* time waiting for the device */
	unsigned long isolated;      /* pages migration holds now */
	unsigned long migrated;      /* pages moved (host told: take dst, return src) */
	unsigned long migrate_fail;  /* migrations refused (-ENOMEM, device) */
	unsigned long released_isolated; /* taken back by the host while isolated */
	u64 migrate_ns;              /* guest time of the migrations, device waits included */
	unsigned long oom_deflations; /* deflate-on-OOM rounds */
	unsigned long oom_pages;     /* pages they gave back */
	unsigned long report_rounds; /* report buffers the device returned */
	unsigned long report_blocks, report_pages; /* free memory reported */
	unsigned long report_fail;   /* buffers the device did not complete */
};

/* A pageblock ranked for the aware deflate. */
struct balloon_rank {
	unsigned long block;         /* pfn >> PAGEBLOCK_ORDER */
	unsigned int score;          /* free + ballooned pages in it */
};

struct balloon {
	struct balloon_config cfg;
	struct balloon_info info;

	/* The device protocol (balloon.c) */
	struct virtio_device *vdev;
	struct virtqueue *vq[BALLOON_NR_VQS]; /* STATS, REPORTING: when negotiated */
	bool config_pending;          /* num_pages may have changed (balloon_flag_*) */
	unsigned int claimed;         /* atomic: see balloon_claim() */
	struct page *buf_page;        /* cfg.batch PFNs */
	unsigned int buf_order;
	u32 *buf;
	u64 buf_pa;
	u32 last_clamped;             /* num_pages last logged as clamped */
	bool last_clamped_valid;
	bool floor_logged;            /* "stopped at the floor" logged for this num_pages */

	/* Deflate-on-OOM (balloon.c) */
	unsigned long oom_want;       /* atomic: pages an OOM notifier asked for */
	bool oom_pinned;              /* target held at actual after an OOM deflation ... */
	u32 oom_num_pages;            /* ... until the host's num_pages changes from this */

	/* Which pages are ballooned (balloon_pages.c) */
	struct xarray pfns;           /* PFN -> value (seq << 1 | isolated) */
	struct xarray lifo;           /* naive policy: seq -> value (PFN) */
	u64 next_seq;                 /* inflations so far: the next page's seq */

	/* Placement policy (balloon_policy.c) */
	struct balloon_rank rank[BALLOON_RANK_BLOCKS]; /* aware deflate: best first */
	unsigned int nr_rank, rank_pos;
	unsigned long fill[BALLOON_RANK_BLOCKS]; /* aware inflate: pageblocks to fill, best first */
	unsigned int nr_fill, fill_pos;
	bool fill_none;               /* none was partly free: not ranked again this target */
	bool filling;                 /* fill_cursor walks a pageblock */
	unsigned long fill_cursor;

	/* Migration (balloon_migrate.c) */
	u32 *mig_pfn;                 /* its one-PFN buffer (in the stats page) */
	u64 mig_pfn_pa;

	/* The stats queue (balloon_stats.c) */
	bool stats_pending;           /* the stats queue may have returned the buffer (balloon_flag_*) */
	struct page *stats_page;      /* BALLOON_S_NR entries */
	struct balloon_stat *stats;
	u64 stats_pa;
	bool stats_posted;            /* the stats buffer is with the device */

	/* Free page reporting (balloon_reporting.c) */
	unsigned long report_pfn[BALLOON_REPORT_MAX]; /* blocks of the report in flight */
	unsigned int report_order[BALLOON_REPORT_MAX];
};

/*
 * balloon_start - negotiate VERSION_1 (+ STATS_VQ when offered), set up the
 * queues and buffers, DRIVER_OK, post the stats buffer.
 * Return: 0; -EINVAL (bad cfg); -ENODEV (feature negotiation refused or a
 * queue missing: FAILED set, device reset); -ENOMEM; -EIO. On failure
 * nothing is allocated and no page is ballooned.
 */
int balloon_start(struct balloon *balloon, const struct balloon_config *cfg);

/*
 * balloon_stop - deflate everything (telling the host), reset the device
 * and free the buffers. A broken device cannot be told: its pages stay
 * ballooned (not freed) and -EIO is returned. Return: 0 or -EIO.
 */
int balloon_stop(struct balloon *balloon);

/* Read num_pages and clamp it into info.target; clears config_pending. */
void balloon_read_target(struct balloon *balloon);

/*
 * balloon_adjust - move actual toward target, batch by batch, until it is
 * there, config_pending is set (the caller rereads the target), the floor
 * is reached, or a batch could not progress.
 * Return: true when actual == target (or stopped at the floor).
 */
bool balloon_adjust(struct balloon *balloon);

/*
 * balloon_oom_deflate - deflate-on-OOM (only when DEFLATE_ON_OOM was
 * negotiated): give back up to @nr pages now, telling the host first, and
 * hold the target at the new actual until the host changes num_pages (no
 * re-inflating into the shortage). Owner context.
 * Return: pages given back to the mm.
 */
unsigned long balloon_oom_deflate(struct balloon *balloon, unsigned long nr);

/*
 * balloon_report - free page reporting (when REPORTING was negotiated):
 * take free blocks of order >= PAGEBLOCK_ORDER that were not reported yet
 * out of the buddy (mm/reporting.h: nobody can allocate them meanwhile),
 * hand them to the device as device-writable buffers (it discards their
 * memory), and give them back marked reported, up to @max_rounds buffers.
 * A failed buffer gives its blocks back unreported. A poisoning mm
 * (mm/poison.h) needs reported pages back with their poison: the driver
 * then negotiates PAGE_POISON and writes poison_val (QEMU does not discard
 * pages when it is nonzero), or, when the device lacks PAGE_POISON, never
 * reports; otherwise the device may discard them. Owner context.
 * Return: pages reported.
 */
unsigned long balloon_report(struct balloon *balloon, unsigned int max_rounds);

/* Answer the host's stats polls (buffers returned on the stats queue). */
void balloon_stats_service(struct balloon *balloon);

/* Fill @stats[0..BALLOON_S_NR) with the guest's figures now (bytes). */
void balloon_stats_fill(const struct balloon *balloon, struct balloon_stat *stats);

/* Counters, with actual and broken; pages counted from the xarray. */
unsigned long balloon_pages(const struct balloon *balloon);
/* balloon_xa_nodes - Return: the nodes of the balloon's xarrays (pfns, lifo). */
unsigned long balloon_xa_nodes(const struct balloon *balloon);

#endif
