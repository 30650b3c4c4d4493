/*
 * The proactive compaction thread (see kcompactd.h). State: the settings
 * and counters below, written by the thread and by kcompactd_configure in
 * thread context (cooperative scheduling: no lock needed on one CPU).
 */
#include "kernel/mm/kcompactd.h"
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

	state.episodes++;
	while (state.enabled && score > state.low) {
		struct compact_result res;

		compact_zone(&kernel_mm, COMPACT_ALL, MIGRATE_ASYNC, false, &res);
		state.runs++;
		score = score_now();
		pr_debug("kcompactd: run %lu moved %lu pages, score %u%%\n",
			 (unsigned long)state.runs, res.migrated, score);
		if (!res.migrated)
			break;
		thread_yield();
	}
	state.last_score = score;
}

static void kcompactd(void *arg)
{
	for (;;) {
		thread_sleep_us(KCOMPACTD_PERIOD_MS * 1000);
		if (!state.enabled)
			continue;
		state.wakeups++;
		state.last_score = score_now();
		if (state.last_score > state.high)
			compact_episode();
	}
}

void kcompactd_init(void)
{
	if (!thread_create("kcompactd", kcompactd, NULL))
		panic("kcompactd_init: cannot start the thread");
}

int kcompactd_configure(bool enabled, unsigned int high, unsigned int low)
{
	if (low >= high || high > 100)
		return -EINVAL;
	state.high = high;
	state.low = low;
	state.enabled = enabled;
	return 0;
}

void kcompactd_get_stats(struct kcompactd_stats *st) { *st = state; }

static int set_compact(const char *value)
{
	if (value && !strcmp(value, "proactive"))
		state.enabled = true;
	else if (value && !strcmp(value, "off"))
		state.enabled = false;
	else
		return -EINVAL;
	return 0;
}
CMDLINE_PARAM(compact, "compact", set_compact, "proactive|off: proactive compaction thread");
