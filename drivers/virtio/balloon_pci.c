/*
 * The virtio-balloon on PCI (see balloon_pci.h): glue between the balloon
 * core and the kernel (thread, interrupt, kmalloc, monitor, command line).
 */
#include "drivers/virtio/balloon_pci.h"
#include "arch/x86_64/smp.h"
#include "drivers/virtio/balloon_internal.h"
#include "drivers/virtio/pci.h"
#include "include/errno.h"
#include "kernel/cmdline.h"
#include "kernel/mm/kmalloc.h"
#include "kernel/mm/mm_boot.h"
#include "kernel/printk.h"
#include "kernel/sched.h"
#include "kernel/time.h"
#include "lib/string.h"
#include "mm/fault_inject.h"
#include "mm/oom.h"

#define BALLOON_RETRY_US 1000000ULL /* retry after a batch made no progress */
#define BALLOON_OOM_PAGES 256         /* at least this much per deflate-on-OOM (as Linux) */
#define BALLOON_OOM_WAIT_US 2000000ULL /* an allocating thread waits at most this */
#define BALLOON_REPORT_US 2000000ULL  /* free page reporting period (as Linux's delay) */
#define BALLOON_REPORT_ROUNDS 64      /* report buffers per period (64 x 32 blocks) */
#define BALLOON_SAFETY_US 1000000ULL  /* with an interrupt, reread num_pages this often */

static bool balloon_disabled;
static unsigned long balloon_batch = BALLOON_BATCH;
static enum balloon_policy balloon_policy = BALLOON_POLICY_AWARE;

static struct {
	struct virtio_pci vp;
	struct balloon core;
	struct waitq wq;
	bool used_pending;           /* set by the interrupt handler (balloon_flag_*) */
	const struct pci_dev *pci;
	struct thread *thread;
	struct mm_oom_notifier oom;
	struct waitq oom_wq;         /* allocating threads waiting for an OOM round */
	unsigned long oom_rounds;    /* atomic: OOM rounds the thread finished */
	unsigned long oom_freed;     /* pages freed by the last one (before oom_rounds moves) */
	unsigned long config_missed; /* target changes the safety reread found first */
} bp;

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

static int set_batch(const char *value)
{
	unsigned long n;

	if (!value || kstrtoul(value, 0, &n) || n < 1 || n > BALLOON_BATCH_MAX)
		return -EINVAL;
	balloon_batch = n;
	return 0;
}
CMDLINE_PARAM(balloon_batch, "balloon.batch", set_batch,
	      "1-4096: PFNs per inflate/deflate buffer (default 256)");

static int set_policy(const char *value)
{
	if (value && !strcmp(value, "aware"))
		balloon_policy = BALLOON_POLICY_AWARE;
	else if (value && !strcmp(value, "naive"))
		balloon_policy = BALLOON_POLICY_NAIVE;
	else
		return -EINVAL;
	return 0;
}
CMDLINE_PARAM(balloon_policy, "balloon.policy", set_policy,
	      "aware|naive: where inflate takes pages, which deflate gives back");

/* NORETRY: a node for the balloon must not deflate the balloon. */
static void *xa_node_alloc(size_t size, void *priv)
{
	return kmalloc(size, GFP_NOWARN | GFP_NORETRY);
}

static void xa_node_free(void *p, size_t size, void *priv)
{
	kfree(p);
}

static const struct xa_alloc_ops balloon_xa_ops = { .alloc = xa_node_alloc,
						    .free = xa_node_free };
/* The same, failing as the `fail xa` site says (mm/fault_inject.h). */
static struct fault_xa_ops balloon_xa_faulty;

/* Interrupt context. */
static void balloon_config_changed(struct virtio_pci *vp, void *arg)
{
	balloon_flag_set(&bp.core.config_pending);
	wake_up(&bp.wq);
}

static void balloon_queue_ready(struct virtio_pci *vp, struct virtqueue *vq, void *arg)
{
	if (vq == bp.core.vq[BALLOON_VQ_STATS])
		balloon_flag_set(&bp.core.stats_pending); /* answered by the thread, never here */
	else
		balloon_flag_set(&bp.used_pending);
	wake_up(&bp.wq);
}

/* The core waits for a used buffer: sleep until the interrupt says so. */
static void balloon_wait(struct balloon *balloon, u64 us)
{
	wait_event_timeout(&bp.wq, balloon_flag_take(&bp.used_pending), us);
}

static unsigned long oom_rounds(void) { return __atomic_load_n(&bp.oom_rounds, __ATOMIC_ACQUIRE); }

/* The thread finished an OOM round (freeing @freed pages): tell the waiters. */
static void oom_round_end(unsigned long freed)
{
	WRITE_ONCE(bp.oom_freed, freed);
	__atomic_fetch_add(&bp.oom_rounds, 1, __ATOMIC_RELEASE);
	wake_up(&bp.oom_wq);
}

/*
 * Deflate-on-OOM (mm/oom.h): ask the balloon thread for pages. In atomic
 * context, or from the balloon thread itself, only ask (this allocation
 * fails; the pages arrive for the next ones); otherwise wait for the round.
 */
static unsigned long balloon_oom_release(struct mm *mm, unsigned int order, gfp_t gfp,
					 void *arg)
{
	struct balloon *balloon = &bp.core;
	unsigned long round = oom_rounds();

	if (balloon->info.broken || !balloon->info.actual)
		return 0;
	__atomic_fetch_add(&balloon->oom_want, MAX(1UL << order, (unsigned long)BALLOON_OOM_PAGES),
			   __ATOMIC_RELEASE);
	wake_up(&bp.wq);
	if (!mm_oom_may_sleep(gfp) || thread_current() == bp.thread)
		return 0;
	wait_event_timeout(&bp.oom_wq, oom_rounds() != round, BALLOON_OOM_WAIT_US);
	return oom_rounds() != round ? READ_ONCE(bp.oom_freed) : 0;
}

/* After balloon_adjust: finish an OOM round the notifier waits for. */
static void oom_round_done(unsigned long pages_before)
{
	unsigned long after = bp.core.info.oom_pages;

	if (after == pages_before && !__atomic_load_n(&bp.core.oom_want, __ATOMIC_ACQUIRE))
		return;
	oom_round_end(after - pages_before);
}

/* Is there work for the thread now? */
static bool balloon_work(const struct balloon *balloon)
{
	return balloon_flag_test(&balloon->config_pending) || balloon_flag_test(&balloon->stats_pending) ||
	       __atomic_load_n(&balloon->oom_want, __ATOMIC_ACQUIRE);
}

/* Sleep until there is work or @deadline (time_us; 0: none) passes. */
static void balloon_sleep(struct balloon *balloon, u64 deadline)
{
	u64 now = time_us();

	if (balloon_work(balloon))
		return;
	if (!deadline)
		wait_event(&bp.wq, balloon_work(balloon));
	else if (now < deadline)
		wait_event_timeout(&bp.wq, balloon_work(balloon), deadline - now);
}

static u64 earliest(u64 a, u64 b) { return !a ? b : !b ? a : MIN(a, b); }

/*
 * The safety reread: with an interrupt the thread still looks at num_pages
 * every BALLOON_SAFETY_US, so a config change whose interrupt never came
 * (a device or routing bug: seen once, a deflate under make test at SMP=2
 * that never started) delays the target by a second instead of forever.
 * Such a change is counted (config_missed, in `balloon`) and logged once.
 */
static void safety_reread(struct balloon *balloon)
{
	u32 num;

	if (balloon_flag_test(&balloon->config_pending) ||
	    balloon->vdev->ops->config_read(balloon->vdev, BALLOON_CFG_NUM_PAGES, &num, sizeof(num)) ||
	    num == balloon->info.num_pages)
		return;
	if (!bp.config_missed++)
		pr_warn("balloon: num_pages changed to %u without a config interrupt\n", num);
	balloon_flag_set(&balloon->config_pending);
}

static void balloon_thread(void *arg)
{
	struct balloon *balloon = &bp.core;
	u64 recheck = 0; /* time_us() at which to reread the config; 0: only when told */
	u64 report_at = balloon->vq[BALLOON_VQ_REPORTING] ? time_us() + BALLOON_REPORT_US : 0;
	u64 safety_at = bp.vp.vector >= 0 ? time_us() + BALLOON_SAFETY_US : 0;
	bool done;

	for (;;) {
		/* With an interrupt, sleep until the host changes the target,
		 * polls for stats or an allocation needs pages (or retry after a
		 * while when the last attempt fell short); polling rereads the
		 * config periodically; free page reporting runs periodically. */
		balloon_sleep(balloon, earliest(earliest(recheck, report_at), safety_at));
		if (balloon->info.broken) {
			oom_round_end(0); /* nobody waits for a dead driver */
			thread_exit();
		}
		balloon_stats_service(balloon);
		if (__atomic_load_n(&balloon->oom_want, __ATOMIC_ACQUIRE)) {
			unsigned long before = balloon->info.oom_pages;

			balloon_adjust(balloon); /* the OOM round comes first in it */
			oom_round_done(before);
			continue;
		}
		if (report_at && time_us() >= report_at) {
			balloon_report(balloon, BALLOON_REPORT_ROUNDS);
			report_at = time_us() + BALLOON_REPORT_US;
		}
		if (safety_at && time_us() >= safety_at) {
			safety_reread(balloon);
			safety_at = time_us() + BALLOON_SAFETY_US;
		}
		if (!balloon_flag_test(&balloon->config_pending) && (!recheck || time_us() < recheck))
			continue; /* only stats or reporting */
		balloon_read_target(balloon);
		done = balloon_adjust(balloon);
		if (done && bp.vp.vector >= 0)
			recheck = 0;
		else
			recheck = time_us() + BALLOON_RETRY_US / (done ? 2 : 1);
	}
}

static struct pci_dev *find_device(void)
{
	unsigned int i;

	for (i = 0; i < pci_count(); i++)
		if (virtio_pci_device_type(pci_get(i)) == VIRTIO_ID_BALLOON)
			return pci_get(i);
	return NULL;
}

void balloon_init(void)
{
	struct balloon_config cfg = { .mm = &kernel_mm, .xa_ops = &balloon_xa_faulty.ops,
				      .batch = (unsigned int)balloon_batch, .wait = balloon_wait,
				      .policy = balloon_policy };
	struct pci_dev *dev;
	int err;

	fault_xa_ops_init(&balloon_xa_faulty, &kernel_mm, &balloon_xa_ops);
	if (balloon_disabled) {
		pr_info("balloon: off (balloon=off)\n");
		return;
	}
	dev = find_device();
	if (!dev)
		return;
	waitq_init(&bp.wq);
	waitq_init(&bp.oom_wq);
	err = virtio_pci_probe(&bp.vp, dev);
	if (!err) {
		/* Callbacks before the interrupt is routed: it may fire at once. */
		bp.vp.config_changed = balloon_config_changed;
		bp.vp.queue_ready = balloon_queue_ready;
		cfg.vdev = &bp.vp.vdev;
		err = balloon_start(&bp.core, &cfg);
	}
	if (err) {
		pr_err("balloon: %02x:%02x.%u: setup failed (%d)\n", dev->bus, dev->slot, dev->fn, err);
		return;
	}
	if (virtio_pci_request_irq(&bp.vp))
		pr_warn("balloon: no interrupt, polling the config\n");
	bp.pci = dev;
	/* On CPU 1 when there is one: its inflates and deflates then really
	 * race compaction (kcompactd on the last CPU, the monitor's on 0). */
	bp.thread = thread_create_on("balloon", balloon_thread, NULL,
				     smp_nr_online() > 1 ? 1 : THREAD_CPU_ANY);
	if (!bp.thread) {
		pr_err("balloon: cannot start its thread\n");
		virtio_pci_fail(&bp.vp);
		bp.core.info.active = false;
		return;
	}
	if (bp.core.info.features & VIRTIO_BALLOON_F_DEFLATE_ON_OOM) {
		bp.oom.release = balloon_oom_release;
		mm_oom_notifier_register(&kernel_mm, &bp.oom);
	}
	pr_info("balloon: %02x:%02x.%u %04x:%04x, features %#lx, %s, %u PFNs per buffer, "
		"%s policy\n", dev->bus, dev->slot, dev->fn, dev->vendor, dev->device,
		(unsigned long)bp.core.info.features, bp.vp.vector >= 0 ? "INTx" : "polling",
		bp.core.info.batch, balloon_policy == BALLOON_POLICY_AWARE ? "aware" : "naive");
}

bool balloon_owns(const struct pci_dev *dev)
{
	return bp.core.info.active && bp.pci == dev;
}

void balloon_pci_status(struct balloon_pci_status *st)
{
	*st = (struct balloon_pci_status){
		.info = &bp.core.info, .dev = bp.pci, .disabled = balloon_disabled,
		.policy = balloon_policy, .config_irqs = bp.vp.config_irqs,
		.config_missed = bp.config_missed,
		.pages = balloon_pages(&bp.core), .xa_nodes = balloon_xa_nodes(&bp.core),
	};
}
