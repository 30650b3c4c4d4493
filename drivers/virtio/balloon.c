/*
 * The virtio-balloon driver core (see balloon.h). One thread does all the
 * work; the interrupt handler sets config_pending / used_pending and wakes
 * it. Host-visible order: inflate = pages out of the buddy and into the
 * xarray, buffer used by the device, then `actual`; deflate = buffer used
 * by the device, then pages back to the buddy, then `actual`.
 */
#include "drivers/virtio/balloon.h"
#include "drivers/virtio/pci.h"
#include "include/errno.h"
#include "kernel/cmdline.h"
#include "kernel/kmalloc.h"
#include "kernel/mm_boot.h"
#include "kernel/monitor.h"
#include "kernel/printk.h"
#include "kernel/sched.h"
#include "kernel/time.h"
#include "lib/string.h"
#include "lib/xarray.h"
#include "mm/page.h"

#define BALLOON_VQ_INFLATE 0
#define BALLOON_VQ_DEFLATE 1
#define BALLOON_VQ_STATS 2
#define BALLOON_STATS_OFFSET 2048 /* the stats buffer shares bl.buf's page */
#define BALLOON_DEVICE_TIMEOUT_US 5000000ULL /* a used buffer must come back by then */
#define BALLOON_POLL_US 10000ULL             /* recheck period while waiting */
#define BALLOON_RETRY_US 1000000ULL          /* retry after a batch made no progress */

static bool balloon_disabled;

static struct balloon {
	struct virtio_pci vp;
	struct virtqueue *vq[3];          /* [BALLOON_VQ_STATS] only with STATS_VQ */
	struct waitq wq;
	volatile bool config_pending; /* set by the interrupt handler */
	volatile bool used_pending;   /* likewise */
	volatile bool stats_pending;  /* likewise: the stats queue returned a buffer */
	struct xarray pfns;           /* PFN -> xa_mk_value(PFN) */
	u32 *buf;                     /* BALLOON_BATCH PFNs, one page */
	u64 buf_pa;
	struct balloon_stat *stats;   /* BALLOON_S_NR entries, at BALLOON_STATS_OFFSET */
	u64 stats_pa;
	bool stats_posted;            /* the stats buffer is with the device */
	u32 last_clamped;             /* num_pages last logged as clamped */
	bool last_clamped_valid;
	bool floor_logged;            /* "stopped at the floor" logged for this num_pages */
	struct balloon_info info;
} bl;

static int set_balloon(const char *value)
{
	if (!value || !strcmp(value, "on"))
		balloon_disabled = false;
	else if (!strcmp(value, "off"))
		balloon_disabled = true;
	else
		return -EINVAL;
	return 0;
}
CMDLINE_PARAM(balloon, "balloon", set_balloon, "off|on: the virtio-balloon driver");

static void *xa_node_alloc(size_t size, void *priv)
{
	(void)priv;
	return kmalloc(size, GFP_NOWARN);
}

static void xa_node_free(void *p, size_t size, void *priv)
{
	(void)size;
	(void)priv;
	kfree(p);
}

static const struct xa_alloc_ops balloon_xa_ops = { .alloc = xa_node_alloc,
						    .free = xa_node_free };

/* Interrupt context. */
static void balloon_config_changed(struct virtio_pci *vp, void *arg)
{
	(void)vp;
	(void)arg;
	bl.config_pending = true;
	wake_up(&bl.wq);
}

static void balloon_queue_ready(struct virtio_pci *vp, struct virtqueue *vq, void *arg)
{
	(void)vp;
	(void)arg;
	if (vq == bl.vq[BALLOON_VQ_STATS])
		bl.stats_pending = true; /* filled by the thread, never here */
	else
		bl.used_pending = true;
	wake_up(&bl.wq);
}

/* The driver gives up on the device: logged once, counted. */
static void balloon_break(const char *why)
{
	bl.info.errors++;
	if (bl.info.broken)
		return;
	bl.info.broken = true;
	pr_err("balloon: %s; driver stopped with %u pages inflated\n", why, bl.info.actual);
	virtio_pci_fail(&bl.vp);
}

/* Pages that must stay in the guest: BALLOON_KEEP_MIB plus the high watermark. */
static unsigned long keep_pages(void)
{
	return (BALLOON_KEEP_MIB << 20) / PAGE_SIZE + kernel_mm.wmark[WMARK_HIGH];
}

/* Read num_pages, validate and clamp it into bl.info.target. */
static void read_target(void)
{
	unsigned long keep = keep_pages(), max;
	u32 num;

	if (virtio_pci_config_read(&bl.vp, BALLOON_CFG_NUM_PAGES, &num, sizeof(num))) {
		bl.info.errors++;
		return;
	}
	max = kernel_mm.nr_managed > keep ? kernel_mm.nr_managed - keep : 0;
	if (num != bl.info.num_pages)
		bl.floor_logged = false;
	bl.info.num_pages = num;
	if (num <= max) {
		bl.info.target = num;
		return;
	}
	bl.info.target = (u32)max;
	if (!bl.last_clamped_valid || bl.last_clamped != num) {
		bl.last_clamped = num;
		bl.last_clamped_valid = true;
		bl.info.clamps++;
		pr_warn("balloon: host asks for %u pages (%lu MiB), clamped to %lu: "
			"%lu MiB must stay\n", num, (unsigned long)num >> 8, max, keep >> 8);
	}
}

/* Post bl.buf[0..n) on @vq and wait until the device hands it back. */
static int post_and_wait(struct virtqueue *vq, unsigned int n)
{
	struct vq_sg sg = { .addr = bl.buf_pa, .len = n * (u32)sizeof(u32) };
	u64 deadline = time_us() + BALLOON_DEVICE_TIMEOUT_US;
	void *tok = NULL;
	u32 len = 0;
	int err;

	err = vq_add(vq, &sg, 1, 0, bl.buf);
	if (err) {
		balloon_break(vq_broken(vq) ? "queue broken" : "cannot post a buffer");
		return -EIO;
	}
	bl.used_pending = false;
	vq_kick(vq);
	for (;;) {
		wait_event_timeout(&bl.wq,
				   (tok = vq_get_used(vq, &len)) != NULL || vq_broken(vq),
				   BALLOON_POLL_US);
		if (tok || vq_broken(vq) || time_us() > deadline)
			break;
	}
	if (tok != bl.buf) {
		balloon_break(vq_broken(vq) ? "device broke the queue"
					    : "device did not return a buffer");
		return -EIO;
	}
	return 0;
}

static void write_actual(void)
{
	if (virtio_pci_config_write32(&bl.vp, BALLOON_CFG_ACTUAL, bl.info.actual))
		bl.info.errors++;
}

/*
 * One inflate batch of at most @want pages. Return: pages inflated (> 0),
 * 0 when nothing could be taken now (retry later), -ENOSPC when free memory
 * is down to keep_pages(), or -EIO.
 */
static int inflate_batch(unsigned int want)
{
	unsigned long free = mm_nr_free_pages(&kernel_mm), keep = keep_pages();
	unsigned int n = 0;

	if (free <= keep)
		return -ENOSPC;
	if (want > free - keep)
		want = (unsigned int)(free - keep);
	while (n < want) {
		struct page *page = alloc_pages(0, GFP_NOWARN);
		unsigned long pfn;

		if (!page) {
			bl.info.alloc_fail++;
			break;
		}
		pfn = page_to_pfn(page);
		if (pfn > 0xffffffffUL) { /* not expressible to the device */
			free_pages(page, 0);
			bl.info.alloc_fail++;
			break;
		}
		if (xa_insert(&bl.pfns, pfn, xa_mk_value(pfn))) {
			free_pages(page, 0);
			bl.info.xa_enomem++;
			break;
		}
		page_set_memdesc(page, MEMDESC_BALLOON, NULL);
		bl.buf[n++] = (u32)pfn;
	}
	if (!n)
		return 0;
	if (post_and_wait(bl.vq[BALLOON_VQ_INFLATE], n))
		return -EIO; /* the pages stay ballooned: the host may have them */
	bl.info.actual += n;
	bl.info.pages_inflated += n;
	bl.info.inflate_batches++;
	write_actual();
	return (int)n;
}

/* One deflate batch of at most @want pages. Return: pages deflated or -EIO. */
static int deflate_batch(unsigned int want)
{
	unsigned long index;
	unsigned int n = 0, i;
	void *entry;

	xa_for_each(&bl.pfns, index, entry) {
		if (n == want)
			break;
		bl.buf[n++] = (u32)index;
	}
	if (!n)
		return 0;
	if (post_and_wait(bl.vq[BALLOON_VQ_DEFLATE], n))
		return -EIO; /* the host may not know: keep the pages */
	for (i = 0; i < n; i++) {
		struct page *page = pfn_to_page(bl.buf[i]);

		xa_erase(&bl.pfns, bl.buf[i]);
		page_set_memdesc(page, MEMDESC_KERNEL, NULL);
		free_pages(page, 0);
	}
	bl.info.actual -= n;
	bl.info.pages_deflated += n;
	bl.info.deflate_batches++;
	write_actual();
	return (int)n;
}

/*
 * Fill the stats buffer with the guest's figures now (bytes). Available is
 * free minus the low watermark: what can be allocated before the allocator
 * dips into its reserve (this kernel has no page cache or swap to add back).
 * Tags without a meaning here (swap, faults, caches, hugetlb) report 0.
 */
static void stats_fill(void)
{
	unsigned long free = mm_nr_free_pages(&kernel_mm), low = kernel_mm.wmark[WMARK_LOW];
	u16 tag;

	for (tag = 0; tag < BALLOON_S_NR; tag++) {
		u64 val = 0;

		if (tag == BALLOON_S_MEMFREE)
			val = (u64)free * PAGE_SIZE;
		else if (tag == BALLOON_S_MEMTOT)
			val = (u64)kernel_mm.nr_managed * PAGE_SIZE;
		else if (tag == BALLOON_S_AVAIL)
			val = (u64)(free > low ? free - low : 0) * PAGE_SIZE;
		bl.stats[tag].tag = tag; /* x86 is little endian, as virtio 1.x */
		bl.stats[tag].val = val;
	}
}

/* Fill and hand the stats buffer to the device (device-readable). */
static void stats_post(void)
{
	struct vq_sg sg = { .addr = bl.stats_pa, .len = sizeof(struct balloon_stat) * BALLOON_S_NR };
	struct virtqueue *vq = bl.vq[BALLOON_VQ_STATS];

	stats_fill();
	if (vq_add(vq, &sg, 1, 0, bl.stats)) {
		balloon_break(vq_broken(vq) ? "stats queue broken" : "cannot post the stats buffer");
		return;
	}
	bl.stats_posted = true;
	vq_kick(vq);
}

/*
 * The host polls by returning the stats buffer: answer with fresh figures.
 * Thread context only (the interrupt handler just sets stats_pending).
 */
static void stats_service(void)
{
	struct virtqueue *vq = bl.vq[BALLOON_VQ_STATS];
	void *tok;
	u32 len;

	bl.stats_pending = false;
	if (!vq || bl.info.broken)
		return;
	while ((tok = vq_get_used(vq, &len)) != NULL) {
		if (tok != bl.stats || !bl.stats_posted) {
			balloon_break("stats queue returned a buffer we did not post");
			return;
		}
		bl.stats_posted = false;
		bl.info.stats_requests++;
		stats_post();
		if (bl.info.broken)
			return;
	}
	if (vq_broken(vq))
		balloon_break("device broke the stats queue");
}

/* Move actual toward target. Return: true when it got there. */
static bool balloon_adjust(void)
{
	while (!bl.info.broken && !bl.config_pending && bl.info.actual != bl.info.target) {
		int r;

		if (bl.stats_pending)
			stats_service();
		if (bl.info.actual < bl.info.target) {
			u32 d = bl.info.target - bl.info.actual;

			r = inflate_batch(d < BALLOON_BATCH ? d : BALLOON_BATCH);
		} else {
			u32 d = bl.info.actual - bl.info.target;

			r = deflate_batch(d < BALLOON_BATCH ? d : BALLOON_BATCH);
		}
		if (r == -ENOSPC) {
			/* What the kernel uses itself leaves less than the config
			 * clamp assumed: stop here until the host changes its mind. */
			bl.info.target = bl.info.actual;
			bl.info.clamps++;
			if (!bl.floor_logged)
				pr_warn("balloon: stopped at %u pages: free memory down to %lu MiB\n",
					bl.info.actual, keep_pages() >> 8);
			bl.floor_logged = true;
			return true;
		}
		if (r <= 0)
			return false;
		thread_yield();
	}
	return bl.info.actual == bl.info.target;
}

static void balloon_thread(void *arg)
{
	bool done = true;
	u64 recheck = 0; /* time_us() at which to reread the config; 0: only when told */

	(void)arg;
	bl.config_pending = true; /* the host may have set a target already */
	for (;;) {
		/* With an interrupt, sleep until the host changes the target or
		 * polls for stats (or retry after a while when the last attempt
		 * fell short); polling rereads the config and the stats queue
		 * periodically. */
		if (!bl.config_pending && !bl.stats_pending) {
			u64 now = time_us();

			if (!recheck)
				wait_event(&bl.wq, bl.config_pending || bl.stats_pending);
			else if (now < recheck)
				wait_event_timeout(&bl.wq, bl.config_pending || bl.stats_pending,
						   recheck - now);
		}
		if (bl.info.broken)
			thread_exit();
		stats_service();
		if (!bl.config_pending && (!recheck || time_us() < recheck))
			continue; /* only a stats request */
		bl.config_pending = false;
		read_target();
		done = balloon_adjust();
		if (done && bl.vp.vector >= 0)
			recheck = 0;
		else
			recheck = time_us() + BALLOON_RETRY_US / (done ? 2 : 1);
	}
}

void balloon_init(void)
{
	struct pci_dev *d = NULL;
	struct page *page;
	unsigned int i;
	int err;

	if (balloon_disabled) {
		pr_info("balloon: off (balloon=off)\n");
		return;
	}
	for (i = 0; i < pci_count(); i++)
		if (virtio_pci_device_type(pci_get(i)) == VIRTIO_ID_BALLOON) {
			d = pci_get(i);
			break;
		}
	if (!d)
		return;
	waitq_init(&bl.wq);
	xa_init(&bl.pfns, &balloon_xa_ops);
	err = virtio_pci_probe(&bl.vp, d);
	if (!err)
		err = virtio_pci_negotiate(&bl.vp, VIRTIO_F_VERSION_1 | VIRTIO_BALLOON_F_STATS_VQ);
	if (err) {
		pr_err("balloon: %02x:%02x.%u: setup failed (%d)\n", d->bus, d->slot, d->fn, err);
		return;
	}
	page = alloc_pages(0, GFP_KERNEL);
	bl.vq[0] = virtio_pci_setup_queue(&bl.vp, BALLOON_VQ_INFLATE, VQ_MAX_SIZE, "balloon-inflate");
	bl.vq[1] = bl.vq[0] ? virtio_pci_setup_queue(&bl.vp, BALLOON_VQ_DEFLATE, VQ_MAX_SIZE,
						     "balloon-deflate") : NULL;
	if (bl.vq[1] && (bl.vp.features & VIRTIO_BALLOON_F_STATS_VQ))
		bl.vq[2] = virtio_pci_setup_queue(&bl.vp, BALLOON_VQ_STATS, VQ_MAX_SIZE,
						  "balloon-stats");
	if (!page || !bl.vq[0] || !bl.vq[1] ||
	    (!bl.vq[2] && (bl.vp.features & VIRTIO_BALLOON_F_STATS_VQ))) {
		pr_err("balloon: cannot set up the queues\n");
		goto fail;
	}
	bl.buf = page_address(page);
	bl.buf_pa = (u64)page_to_pfn(page) << PAGE_SHIFT;
	static_assert(BALLOON_BATCH * sizeof(u32) <= BALLOON_STATS_OFFSET &&
		      BALLOON_STATS_OFFSET + BALLOON_S_NR * sizeof(struct balloon_stat) <= PAGE_SIZE,
		      "PFN buffer and stats buffer share one page");
	bl.stats = (struct balloon_stat *)((u8 *)bl.buf + BALLOON_STATS_OFFSET);
	bl.stats_pa = bl.buf_pa + BALLOON_STATS_OFFSET;
	bl.vp.config_changed = balloon_config_changed;
	bl.vp.queue_ready = balloon_queue_ready;
	bl.vp.cb_arg = &bl;
	bl.vp.vector = -1;
	if (virtio_pci_request_irq(&bl.vp))
		pr_warn("balloon: no interrupt, polling the config\n");
	if (virtio_pci_driver_ok(&bl.vp)) {
		pr_err("balloon: device refused DRIVER_OK\n");
		goto fail;
	}
	if (bl.vq[BALLOON_VQ_STATS]) {
		/* After DRIVER_OK (no notification before it): the device keeps
		 * this buffer until the host wants fresh stats. */
		stats_post();
		if (bl.info.broken)
			goto fail;
	}
	bl.info.active = true;
	bl.info.pci = d;
	bl.info.features = bl.vp.features;
	if (!thread_create("balloon", balloon_thread, NULL)) {
		pr_err("balloon: cannot start its thread\n");
		bl.info.active = false;
		goto fail;
	}
	pr_info("balloon: %02x:%02x.%u %04x:%04x, features %#lx, %s\n", d->bus, d->slot, d->fn,
		d->vendor, d->device, (unsigned long)bl.vp.features,
		bl.vp.vector >= 0 ? "INTx" : "polling");
	return;
fail:
	virtio_pci_fail(&bl.vp);
	if (virtio_pci_reset(&bl.vp) == 0 && page)
		free_pages(page, 0);
	bl.buf = NULL;
}

bool balloon_owns(const struct pci_dev *d)
{
	return bl.info.active && bl.info.pci == d;
}

void balloon_get_info(struct balloon_info *info)
{
	*info = bl.info;
	info->inflated = xa_count(&bl.pfns);
	info->xa_nodes = xa_node_count(&bl.pfns);
	info->config_irqs = bl.vp.config_irqs;
}

static int cmd_balloon(int argc, char **argv)
{
	struct balloon_info in;

	(void)argv;
	if (argc != 1)
		return -EINVAL;
	balloon_get_info(&in);
	if (!in.active) {
		kprintf("balloon: %s\n", balloon_disabled ? "off (balloon=off)" : "no device");
		return 0;
	}
	kprintf("device:     %02x:%02x.%u %04x:%04x features %#lx%s\n", in.pci->bus, in.pci->slot,
		in.pci->fn, in.pci->vendor, in.pci->device, (unsigned long)in.features,
		in.broken ? " BROKEN" : "");
	kprintf("num_pages:  %u (host)\n", in.num_pages);
	kprintf("target:     %u pages (%u MiB)\n", in.target, in.target >> 8);
	kprintf("actual:     %u pages (%u MiB)\n", in.actual, in.actual >> 8);
	kprintf("inflated:   %lu pages, %lu xarray nodes\n", in.inflated, in.xa_nodes);
	kprintf("batches:    %lu inflate, %lu deflate (%lu/%lu pages since boot)\n",
		in.inflate_batches, in.deflate_batches, in.pages_inflated, in.pages_deflated);
	kprintf("errors:     %lu device, %lu clamps, %lu alloc short, %lu xa -ENOMEM\n",
		in.errors, in.clamps, in.alloc_fail, in.xa_enomem);
	kprintf("config irqs: %lu\n", in.config_irqs);
	if (in.features & VIRTIO_BALLOON_F_STATS_VQ)
		kprintf("stats:      %lu requests answered\n", in.stats_requests);
	else
		kprintf("stats:      not negotiated\n");
	return 0;
}
MONITOR_CMD("balloon", "", "virtio-balloon target, actual, inflated pages, batches, errors",
	    cmd_balloon);
