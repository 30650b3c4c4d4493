/*
 * Reading an mm_lock's statistics (mm/lock_stat.h): a relaxed load of each
 * field, converted from mm_tsc() units to ns (mm_tsc_to_ns).
 */
#include "lib/string.h"
#include "mm/lock_stat.h"
#include "mm/platform.h"

#if MM_LOCK_STAT
static u64 lock_stat_load(const u64 *field) { return __atomic_load_n(field, __ATOMIC_RELAXED); }
#endif

void lock_stat_read(const struct lock_stat *s, struct lock_stat_info *out)
{
	memset(out, 0, sizeof(*out));
#if MM_LOCK_STAT
	out->acquired = lock_stat_load(&s->acquired);
	out->contended = lock_stat_load(&s->contended);
	out->wait_ns = mm_tsc_to_ns(lock_stat_load(&s->wait));
	out->hold_ns = mm_tsc_to_ns(lock_stat_load(&s->hold));
	out->max_hold_ns = mm_tsc_to_ns(lock_stat_load(&s->max_hold));
#endif
}
