/*
 * What the balloon's files share (drivers/virtio/balloon*.c; the public
 * interface and the driver's invariants are in balloon.h):
 *
 *   balloon.c            the device protocol (posting and waiting), the
 *                        target, inflate/deflate batches, deflate-on-OOM,
 *                        setup and teardown
 *   balloon_pages.c      which pages are ballooned: the pfns and lifo
 *                        xarrays, a balloon page's state
 *   balloon_policy.c     where inflate takes pages and which ones deflate
 *                        gives back (AWARE, NAIVE)
 *   balloon_migrate.c    the movable_operations of MEMDESC_BALLOON
 *   balloon_reporting.c  free page reporting
 *   balloon_stats.c      the stats queue
 *
 * b->pfns entries: PFN -> value (seq << 1 | isolated). seq numbers the
 * inflations (a migrated page keeps its source's); an isolated page keeps
 * its slot, marked, so putback cannot fail. The naive policy also keeps
 * b->lifo: seq -> value (PFN), the same pages in inflation order, so that
 * deflate takes the newest without a search. lifo[seq] names the page
 * holding seq, except after a migration the device broke (MIGRATE_KEPT_DST:
 * @dst shares @src's seq and lifo still names @src; a broken balloon
 * deflates nothing more).
 */
#ifndef DRIVERS_VIRTIO_BALLOON_INTERNAL_H
#define DRIVERS_VIRTIO_BALLOON_INTERNAL_H

#include "drivers/virtio/balloon.h"
#include "mm/platform.h"

#define BALLOON_ISOLATED 1UL

static inline void *seq_entry(u64 seq) { return xa_mk_value((unsigned long)seq << 1); }
static inline u64 entry_seq(const void *entry) { return xa_to_value(entry) >> 1; }
static inline bool entry_isolated(const void *entry)
{
	return xa_to_value(entry) & BALLOON_ISOLATED;
}
static inline void *isolated(const void *entry)
{
	return xa_mk_value(xa_to_value(entry) | BALLOON_ISOLATED);
}
static inline void *not_isolated(const void *entry)
{
	return xa_mk_value(xa_to_value(entry) & ~BALLOON_ISOLATED);
}
/* Does @balloon keep b->lifo (the naive policy's inflation order)? */
static inline bool keeps_lifo(const struct balloon *balloon)
{
	return balloon->cfg.policy == BALLOON_POLICY_NAIVE;
}
static inline u64 now_ns(void) { return mm_time_ns(); }

/*
 * The claim: one party at a time (the thread's batch, a migration, an
 * isolation or putback, a report round) changes which pages are ballooned
 * or talks to the device; the device conversation may sleep, so it is a
 * flag taken with an atomic exchange, not a spinlock. A party that cannot
 * wait answers "later" (-EAGAIN, 0 pages); putback, which must not fail,
 * waits on the balloon's wait channel (balloon_claim_wait).
 */
static inline bool balloon_claim(struct balloon *balloon)
{
	return !__atomic_exchange_n(&balloon->claimed, 1, __ATOMIC_ACQUIRE);
}
static inline bool balloon_claimed(const struct balloon *balloon)
{
	return __atomic_load_n(&balloon->claimed, __ATOMIC_RELAXED);
}
void balloon_unclaim(struct balloon *balloon);
void balloon_claim_wait(struct balloon *balloon);

/* The pending flags the interrupt handler (or an OOM notifier) sets and the
 * thread consumes: set, and test-and-clear, each one atomic. */
static inline void balloon_flag_set(bool *flag) { __atomic_store_n(flag, true, __ATOMIC_RELEASE); }
static inline bool balloon_flag_take(bool *flag) { return __atomic_exchange_n(flag, false, __ATOMIC_ACQUIRE); }
static inline bool balloon_flag_test(const bool *flag) { return __atomic_load_n(flag, __ATOMIC_ACQUIRE); }

/* balloon.c */
/* The driver gives up on the device: logged once, counted, FAILED set. */
void balloon_break(struct balloon *balloon, const char *why);
/* Post the chain @sg on @vq and wait for the device (see there). */
int balloon_post_sg(struct balloon *balloon, struct virtqueue *vq, const struct vq_sg *sg,
		    unsigned int nr_out, unsigned int nr_in, void *token, u64 *wait_ns);
/* Post @n PFNs at @pfns (guest physical @pa) on @vq and wait. */
int balloon_post_pfns(struct balloon *balloon, struct virtqueue *vq, u32 *pfns, u64 pa,
		      unsigned int n, u64 *wait_ns);

/* balloon_pages.c */
void balloon_page_init(struct balloon *balloon, struct page *page);
void balloon_page_clear(struct page *page);
unsigned long balloon_take_page(struct balloon *balloon);
void balloon_release_page(struct balloon *balloon, unsigned long pfn);
/* @spfn's place passes to @dpfn (already in pfns, with @spfn's seq): @spfn
 * leaves pfns, and lifo names @dpfn. Never allocates. */
void balloon_page_moved(struct balloon *balloon, unsigned long spfn, unsigned long dpfn);

/* balloon_policy.c */
/* A free page for inflate, as the policy places it, or NULL. */
struct page *balloon_policy_take(struct balloon *balloon, gfp_t gfp);
/* Up to @want PFNs to deflate into b->buf. Return: how many. */
unsigned int balloon_pick_deflate(struct balloon *balloon, unsigned int want);
/* A new target: the policy's rankings start afresh. */
void balloon_policy_reset(struct balloon *balloon);

/* balloon_migrate.c */
extern const struct movable_operations balloon_movable_ops;

/* balloon_stats.c */
/* Fill the stats buffer and hand it to the device (breaks on failure). */
void balloon_stats_post(struct balloon *balloon);

#endif
