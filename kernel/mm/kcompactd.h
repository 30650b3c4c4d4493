/*
 * Proactive compaction: a kernel thread that looks at kernel_mm's order-9
 * fragmentation score every KCOMPACTD_PERIOD_MS and, when it is above the
 * high threshold, compacts (asynchronously) until it falls to the low one or
 * a run makes no progress. Enabled by `compact=proactive` or at run time.
 */
#ifndef KERNEL_KCOMPACTD_H
#define KERNEL_KCOMPACTD_H

#include "include/types.h"

#define KCOMPACTD_PERIOD_MS 100
#define KCOMPACTD_DEFAULT_HIGH 70 /* percent of free memory outside 2 MiB blocks */
#define KCOMPACTD_DEFAULT_LOW 30

struct kcompactd_stats {
	bool enabled;
	unsigned int high, low;   /* thresholds, percent */
	unsigned int last_score;  /* at the last wake-up */
	u64 wakeups;              /* periods looked at */
	u64 runs;                 /* compaction runs started */
	u64 episodes;             /* times the score crossed the high threshold */
};

/* Start the thread (always; it idles while disabled). */
void kcompactd_init(void);
/* Enable or disable; thresholds in percent, low < high. Return 0 or -EINVAL. */
int kcompactd_configure(bool enabled, unsigned int high, unsigned int low);
void kcompactd_get_stats(struct kcompactd_stats *st);

#endif
