/*
 * The proactive compaction thread (see kcompactd.h), on the last CPU so
 * that its compaction races the allocations and the balloon of the others.
 * State: the settings below, written by kcompactd_configure (and the
 * cmdline) on any CPU and read by the thread; the counters, written by the
 * thread only and read by kcompactd_get_stats on any CPU. Each field is a
 * relaxed atomic (a setting takes effect at the thread's next look; a
 * snapshot of the counters need not be consistent across them).
 */
#include "kernel/mm/kcompactd.h"
#include "arch/x86_64/smp.h"
#include "include/errno.h"
#include "kernel/cmdline.h"
#include "kernel/mm/mm_boot.h"
#include "kernel/printk.h"
#include "kernel/sched.h"
#include "lib/string.h"
#include "mm/compaction.h"
#include "mm/stats.h"

static struct kcompactd_stats state = {
	.high = KCOMPACTD_DEFAULT_HIGH,
	.low = KCOMPACTD_DEFAULT_LOW,
};

#define get(field) __atomic_load_n(&state.field, __ATOMIC_RELAXED)
#define put(field, v) __atomic_store_n(&state.field, (v), __ATOMIC_RELAXED)
#define bump(field) put(field, state.field + 1) /* the thread's own counters */

static unsigned int score_now(void)
{
	struct mm_free_info fi;

	mm_free_info(&kernel_mm, &fi);
	return mm_fragmentation_score(&fi, PAGEBLOCK_ORDER);
}

/* Compact until the score is at the low threshold or a run gains nothing. */
static void compact_episode(void)
{
	unsigned int score = score_now();

	bump(episodes);
	while (get(enabled) && score > get(low)) {
		struct compact_result res;

		compact_zone(&kernel_mm, COMPACT_ALL, MIGRATE_ASYNC, false, &res);
		bump(runs);
		score = score_now();
		pr_debug("kcompactd: run %lu moved %lu pages, score %u%%\n",
			 (unsigned long)get(runs), res.migrated, score);
		if (!res.migrated)
			break;
		thread_yield();
	}
	put(last_score, score);
}

static void kcompactd(void *arg)
{
	for (;;) {
		thread_sleep_us(KCOMPACTD_PERIOD_MS * 1000);
		if (!get(enabled))
			continue;
		bump(wakeups);
		put(last_score, score_now());
		if (get(last_score) > get(high))
			compact_episode();
	}
}

void kcompactd_init(void)
{
	if (!thread_create_on("kcompactd", kcompactd, NULL, (int)smp_nr_online() - 1))
		panic("kcompactd_init: cannot start the thread");
}

int kcompactd_configure(bool enabled, unsigned int high, unsigned int low)
{
	if (low >= high || high > 100)
		return -EINVAL;
	put(high, high);
	put(low, low);
	put(enabled, enabled);
	return 0;
}

void kcompactd_get_stats(struct kcompactd_stats *st)
{
	*st = (struct kcompactd_stats){
		.enabled = get(enabled), .high = get(high), .low = get(low),
		.last_score = get(last_score), .wakeups = get(wakeups), .runs = get(runs),
		.episodes = get(episodes),
	};
}

static int set_compact(const char *value)
{
	if (value && !strcmp(value, "proactive"))
		put(enabled, true);
	else if (value && !strcmp(value, "off"))
		put(enabled, false);
	else
		return -EINVAL;
	return 0;
}
CMDLINE_PARAM(compact, "compact", set_compact, "proactive|off: proactive compaction thread");
