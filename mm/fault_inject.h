/*
 * Fault injection: make chosen allocation and migration sites fail, at a
 * per-mille rate drawn from a seeded PRNG or exactly at the Nth call, so
 * tests (and the `fail` monitor command) can prove that every failure path
 * gives back what it took.
 *
 * A struct fault_inject belongs to whoever arms it (a test, or the kernel's
 * singleton in monitor/fault.c) and is attached to an mm through
 * mm->fault; a NULL mm->fault is the "off" state, so an injection-free hot
 * path pays one predictable branch. Calls and injected faults are counted
 * per site while attached. Allocations that may never fail (none carry such
 * a flag today) would be exempted in fault_inject_should_fail's callers.
 *
 * Locking: none; counters are (S)-style statistics. The PRNG is shared by
 * the sites, so a given seed reproduces a run only when the order of calls
 * is the same (single-threaded tests).
 */
#ifndef MM_FAULT_INJECT_H
#define MM_FAULT_INJECT_H

#include "lib/prng.h"
#include "lib/xarray.h"
#include "mm/mm.h"

enum fault_site {
	FAULT_PAGE_ALLOC, /* mm_alloc_pages (every order, every path) */
	FAULT_SLAB,       /* slab_kmalloc / slab_cache_alloc (kmalloc) */
	FAULT_XA_NODE,    /* xarray node allocation through fault_xa_ops */
	FAULT_MIGRATE,    /* migrate callbacks: -EAGAIN, -EBUSY or no target */
	NR_FAULT_SITES,
};

#define FAULT_RATE_MAX 1000 /* per mille */

struct fault_site_state {
	unsigned int rate;     /* per mille; 0 = never at random */
	unsigned long nth;     /* fail exactly the Nth call (1-based); 0 = none */
	unsigned long calls;   /* calls counted since armed */
	unsigned long injected; /* faults injected since armed */
};

struct fault_inject {
	struct prng prng;
	struct fault_site_state site[NR_FAULT_SITES];
};

/* fault_inject_init - all sites off, counters zero, PRNG seeded with @seed. */
void fault_inject_init(struct fault_inject *fi, u64 seed);

/*
 * fault_inject_set - fail @site at @rate per mille (0..1000) and/or exactly
 * at call @nth (0 = none), counting from the site's current call count.
 * Return: 0, or -EINVAL for a bad site or rate.
 */
int fault_inject_set(struct fault_inject *fi, enum fault_site site, unsigned int rate,
		     unsigned long nth);

/* fault_inject_armed - Return: true when some site may still fail. */
bool fault_inject_armed(const struct fault_inject *fi);

/*
 * fault_inject_should_fail - count a call of @site and decide whether it
 * fails. Callers reach it only through the inline fault_should_fail().
 * Return: true when the caller must fail this call.
 */
bool fault_inject_should_fail(struct fault_inject *fi, enum fault_site site);

/* fault_inject_pick - Return: a uniform value in [0, @n) from @fi's PRNG
 * (which kind of failure to inject, for sites that have several). */
unsigned int fault_inject_pick(struct fault_inject *fi, unsigned int n);

/* fault_inject_total - Return: faults injected at all sites. */
unsigned long fault_inject_total(const struct fault_inject *fi);

/* fault_site_name / fault_site_parse - "page", "slab", "xa", "migrate". */
const char *fault_site_name(enum fault_site site);
int fault_site_parse(const char *name, size_t len);

/*
 * fault_inject_parse_spec - apply one "SITE:RATE" or "SITE:@N" or "SITE:off"
 * (the syntax of fail= and of the monitor command) to @fi; SITE may be "all".
 * Return: 0, or -EINVAL when malformed.
 */
int fault_inject_parse_spec(struct fault_inject *fi, const char *spec, size_t len);

/* fault_should_fail - the hook every site calls: one branch when @mm has no
 * injection attached. */
static inline bool fault_should_fail(struct mm *mm, enum fault_site site)
{
	if (likely(!mm->fault))
		return false;
	return fault_inject_should_fail(mm->fault, site);
}

/*
 * An xa_alloc_ops that fails node allocations as FAULT_XA_NODE of @mm says
 * and otherwise calls @inner. Fill it with fault_xa_ops_init() and pass
 * &w->ops to xa_init (or a balloon config); it must outlive the xarray.
 */
struct fault_xa_ops {
	struct xa_alloc_ops ops;
	const struct xa_alloc_ops *inner;
	struct mm *mm;
};

void fault_xa_ops_init(struct fault_xa_ops *ops, struct mm *mm, const struct xa_alloc_ops *inner);

#endif
