/*
 * Fuzz the balloon core against a hostile simulated device
 * (drivers/virtio/balloon_sim.h, SIM_FAULT_SCRIPT): the input chooses the
 * offered features, a synchronous or asynchronous device, the host's
 * num_pages (beyond RAM too) and, per returned buffer, the used id, length,
 * duplicates, silence and used-index jumps; in between it runs deflate-on-
 * OOM, free page reporting, stats polls, compaction (which migrates balloon
 * pages) and kernel allocations. Invariants after every step: no page is
 * lost (free + kernel + ballooned + xarray node pages == free after start),
 * every PFN the host holds is still ballooned in the guest, the simulated
 * host sees no driver violation, a device that never lied never breaks the
 * driver; mm_check() is clean (sampled: at most every CHECK_EVERY steps,
 * fuzz_check_due, and after the last); stopping gives every page back
 * unless the device broke.
 */
#include <string.h>

#include "drivers/virtio/balloon.h"
#include "drivers/virtio/balloon_sim.h"
#include "include/errno.h"
#include "mm/compaction.h"
#include "mm/mm.h"
#include "mm/testing.h"
#include "tests/fuzz/balloon_held.h"
#include "tests/fuzz/fuzz_common.h"
#include "tests/host/mm_platform.h"

#define SPAN 1024UL
static const struct pfn_range whole = { 0, SPAN };
#define KSLOTS 32
#define MAX_OPS 64
#define CHECK_EVERY (MAX_OPS / 8)

static struct mm_test_env env;
static struct balloon_sim sim;
static struct balloon balloon;
static struct fuzz_in in;
static unsigned long node_pages, kernel_pages, free_started;
static struct page *kpages[KSLOTS];
static int lied;
static struct fuzz_sampler sampler;

static void *node_alloc(size_t size, void *priv)
{
	if (size > PAGE_SIZE || (fuzz_u8(&in) == 0xff))
		return NULL; /* the driver must survive -ENOMEM from the xarray */
	return mm_test_node_alloc(&env.mm, size, GFP_NOWARN | GFP_ATOMIC, &node_pages);
}

static void node_free(void *p, size_t size, void *priv)
{
	mm_test_node_free(&env.mm, p, &node_pages);
}

static const struct xa_alloc_ops node_ops = { .alloc = node_alloc, .free = node_free };

static void config_changed(void *arg) { ((struct balloon *)arg)->config_pending = true; }

/* The device's answer for one inflate/deflate buffer. */
static void script(struct balloon_sim *device, u16 head, struct balloon_sim_used *used)
{
	uint8_t a = fuzz_u8(&in);

	switch (a >> 5) {
	case 0: /* an id that may be anything */
		used->id = fuzz_u16(&in) % (device->q[0].vq.num + 4u);
		lied |= used->id != head;
		break;
	case 1: /* a length (the buffers are device-readable: only 0 is right) */
		used->len = (a & 16) ? fuzz_u32(&in) : fuzz_u8(&in);
		lied |= used->len != 0;
		break;
	case 2: /* silence, or the same id twice */
		used->copies = a & 1 ? 2 : 0;
		lied = 1;
		break;
	case 3: /* the used index jumps */
		used->jump = fuzz_u16(&in);
		lied |= used->jump != 0;
		break;
	case 4: /* the host changes its mind mid-batch */
		device->num_pages = fuzz_u16(&in) % (2 * SPAN);
		config_changed(device->arg);
		break;
	default: /* honest */
		break;
	}
}

/* The balloon's invariants; @full: mm_check() too. */
static void check(const char *when, int full)
{
	unsigned long pfn = 0;

	FUZZ_CHECK(mm_nr_free_pages(&env.mm) + kernel_pages + balloon_pages(&balloon) + node_pages ==
			   free_started,
		   "%s: pages lost: free %lu + kernel %lu + ballooned %lu + nodes %lu != %lu", when,
		   mm_nr_free_pages(&env.mm), kernel_pages, balloon_pages(&balloon), node_pages,
		   free_started);
	FUZZ_CHECK(fuzz_balloon_held_ok(&sim, &balloon, &pfn),
		   "%s: the host holds pfn %lu, which the guest uses", when, pfn);
	FUZZ_CHECK(sim.violations == 0, "%s: %lu driver violations", when, sim.violations);
	FUZZ_CHECK(lied || !balloon.info.broken, "%s: broken by an honest device", when);
	FUZZ_CHECK(!full || mm_check(&env.mm) == 0, "%s: mm_check", when);
}

static void settle(void)
{
	unsigned int round;

	for (round = 0; round < 64 && !balloon.info.broken; round++) {
		if (balloon.config_pending)
			balloon_read_target(&balloon);
		if (balloon_adjust(&balloon) && !balloon.config_pending)
			break;
	}
}

static void op_kernel(void)
{
	struct page **slot = &kpages[fuzz_u8(&in) % KSLOTS];

	if (*slot) {
		mm_free_pages(&env.mm, *slot, 0);
		*slot = NULL;
		kernel_pages--;
	} else if ((*slot = mm_alloc_pages(&env.mm, 0, GFP_NOWARN | GFP_NORETRY))) {
		kernel_pages++;
	}
}

static void run(struct balloon_config *cfg)
{
	struct compact_result cres;
	unsigned int ops = 0;

	while (fuzz_more(&in) && ops++ < MAX_OPS) {
		uint8_t op = fuzz_u8(&in);

		switch (op % 8) {
		case 0: case 1: case 2:
			sim.num_pages = (op & 0x80) ? fuzz_u32(&in) : fuzz_u16(&in) % (2 * SPAN);
			balloon.config_pending = true;
			settle();
			break;
		case 3:
			balloon_oom_deflate(&balloon, fuzz_u8(&in));
			break;
		case 4:
			balloon_report(&balloon, fuzz_u8(&in) % 4);
			break;
		case 5:
			balloon_sim_request_stats(&sim);
			if (sim.async)
				balloon_sim_run(&sim);
			balloon_stats_service(&balloon);
			break;
		case 6:
			compact_zone(&env.mm, COMPACT_ALL, MIGRATE_SYNC, false, &cres);
			break;
		case 7:
			op_kernel();
			break;
		}
		check("after an operation", fuzz_check_due(&sampler, ops));
	}
	check("after the last operation", 1);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const u64 features[] = { VIRTIO_BALLOON_F_STATS_VQ, VIRTIO_BALLOON_F_DEFLATE_ON_OOM,
					VIRTIO_BALLOON_F_MUST_TELL_HOST, VIRTIO_BALLOON_F_REPORTING };
	struct balloon_config cfg;
	unsigned long free_before;
	unsigned int i;
	uint8_t a;
	int err;

	in = (struct fuzz_in){ data, size };
	node_pages = kernel_pages = 0;
	lied = 0;
	sampler = (struct fuzz_sampler){ CHECK_EVERY, 0 };
	memset(kpages, 0, sizeof(kpages));
	memset(&balloon, 0, sizeof(balloon));
	FUZZ_CHECK(fuzz_env(&env, SPAN, &whole, 1, NULL, 0) == 0, "env init");
	FUZZ_CHECK(balloon_sim_init(&sim, &env.mm) == 0, "sim init");
	a = fuzz_u8(&in);
	sim.offered = VIRTIO_F_VERSION_1;
	for (i = 0; i < 4; i++)
		if (a & (1u << i))
			sim.offered |= features[i];
	sim.async = a & 0x10;
	sim.fault = SIM_FAULT_SCRIPT;
	sim.script = script;
	sim.fault_after = fuzz_u8(&in);
	sim.config_changed = config_changed;
	sim.arg = &balloon;
	cfg = (struct balloon_config){ .mm = &env.mm, .vdev = &sim.vdev, .xa_ops = &node_ops,
				       .batch = 1 + fuzz_u8(&in) % 64, .keep_pages = 64,
				       .timeout_us = 100, .wait = balloon_sim_wait,
				       .priv = &sim,
				       .policy = (a & 0x20) ? BALLOON_POLICY_NAIVE : BALLOON_POLICY_AWARE };
	free_before = mm_nr_free_pages(&env.mm);
	err = balloon_start(&balloon, &cfg);
	if (err) {
		FUZZ_CHECK(mm_nr_free_pages(&env.mm) == free_before, "failed start kept pages");
		goto out;
	}
	free_started = mm_nr_free_pages(&env.mm);
	run(&cfg);
	for (i = 0; i < KSLOTS; i++)
		if (kpages[i])
			mm_free_pages(&env.mm, kpages[i], 0);
	kernel_pages = 0;
	err = balloon_stop(&balloon);
	FUZZ_CHECK(err == 0 || (err == -EIO && lied), "stop: %d, lied %d", err, lied);
	if (!err) {
		FUZZ_CHECK(mm_nr_free_pages(&env.mm) == free_before, "stop: free %lu, before %lu",
			   mm_nr_free_pages(&env.mm), free_before);
		FUZZ_CHECK(sim.host_pages == 0, "the host still holds %lu pages", sim.host_pages);
	}
	FUZZ_CHECK(sim.violations == 0, "%lu driver violations", sim.violations);
	FUZZ_CHECK(mm_check(&env.mm) == 0, "mm_check after stop");
out:
	FUZZ_CHECK(mm_host_take_bugs() == 0, "mm_bug() reported");
	return 0;
}
