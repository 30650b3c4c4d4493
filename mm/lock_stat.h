/*
 * Lock statistics of one mm_lock (the zone lock, each per-cpu cache's lock,
 * and every other lock mm/ takes through mm_lock_irqsave): acquisitions,
 * the contended ones (the lock was held when asked for), the time spent
 * waiting for it (contended acquisitions only) and holding it, and the
 * longest hold. Times are in mm_tsc() units (mm/platform.h; the kernel: TSC
 * cycles; the host: ns), converted by mm_tsc_to_ns() when read.
 *
 * Invariants: contended <= acquired; max_hold <= hold. Every field is
 * written by the lock's holder only, between its acquisition and its
 * release, so the counts are exact under SMP without atomic adds; the
 * writes are relaxed atomic stores and lock_stat_read() reads each with a
 * relaxed load (a snapshot taken unlocked may mix two holds, never tear a
 * field).
 *
 * The platform headers (kernel/mm/mm_platform.h, tests/host/mm_platform.h)
 * embed one in struct mm_lock and call the two hooks below from
 * mm_lock_irqsave/mm_unlock_irqrestore. MM_LOCK_STAT=0 compiles them out
 * (the host benchmarks and the simulation: two clock reads per hold cost
 * order0_pair_ns several times its value, docs/benchmarks.md); then every
 * read is zero and lock_stat_enabled() is false.
 */
#ifndef MM_LOCK_STAT_H
#define MM_LOCK_STAT_H

#include "include/compiler.h"
#include "include/types.h"

#ifndef MM_LOCK_STAT
#define MM_LOCK_STAT 1
#endif

struct lock_stat {
#if MM_LOCK_STAT
	u64 acquired;   /* acquisitions */
	u64 contended;  /* of them, the ones that had to wait */
	u64 wait;       /* lock clock spent waiting, contended ones only */
	u64 hold;       /* lock clock between acquisition and release, summed */
	u64 max_hold;   /* the longest hold */
	u64 held_since; /* the lock clock at the current holder's acquisition */
#endif
};

/* What lock_stat_read() returns, in ns. */
struct lock_stat_info {
	u64 acquired;
	u64 contended;
	u64 wait_ns;
	u64 hold_ns;
	u64 max_hold_ns;
};

static inline bool lock_stat_enabled(void) { return MM_LOCK_STAT; }

#if MM_LOCK_STAT
static inline void lock_stat_set(u64 *field, u64 v) { __atomic_store_n(field, v, __ATOMIC_RELAXED); }

/* The lock was just taken at clock @now; @contended: it was held when asked
 * for, and the wait lasted @waited. Holder only. */
static inline void lock_stat_acquired(struct lock_stat *s, u64 now, bool contended, u64 waited)
{
	lock_stat_set(&s->acquired, s->acquired + 1);
	if (unlikely(contended)) {
		lock_stat_set(&s->contended, s->contended + 1);
		lock_stat_set(&s->wait, s->wait + waited);
	}
	s->held_since = now;
}

/* The holder releases the lock at clock @now (before it is free). */
static inline void lock_stat_released(struct lock_stat *s, u64 now)
{
	u64 held = now - s->held_since;

	lock_stat_set(&s->hold, s->hold + held);
	if (held > s->max_hold)
		lock_stat_set(&s->max_hold, held);
}
#endif

/* A snapshot of @s in ns (any context, no lock). */
void lock_stat_read(const struct lock_stat *s, struct lock_stat_info *out);

#endif
