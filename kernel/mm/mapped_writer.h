/*
 * A writer thread on another CPU for mapped regions (mm/mapped.h): it keeps
 * writing into one word of every backed page of its regions while something
 * else (compaction, migrate_pages) moves those pages, and checks that no
 * write was lost. Pass k writes mapped_writer_value(k, page) into the word
 * after checking that it still holds pass k-1's value; after the stop a last
 * pass only checks. A write that went to a page's old frame after the copy
 * began shows up as a mismatch (`lost`). It allocates nothing: a benchmark's
 * free-block bound stays true while it runs.
 *
 * Fields are (W) written by the writer thread, read by others only after
 * mapped_writer_stop() returned; (C) constant while it runs.
 */
#ifndef KERNEL_MM_MAPPED_WRITER_H
#define KERNEL_MM_MAPPED_WRITER_H

#include "kernel/sched.h"
#include "mm/mapped.h"

struct mapped_writer {
	struct mapped_region *regions; /* (C) */
	unsigned int nr_regions;       /* (C) */
	unsigned int word;             /* (C) index of the u64 written in each page */
	unsigned int cpu;              /* (C) where the thread runs */
	bool stop;                     /* atomic: set by mapped_writer_stop() */
	bool running;                  /* (C) between start and stop */
	struct completion done;
	u64 passes;                    /* (W) complete write passes */
	u64 writes;                    /* (W) words written */
	u64 lost;                      /* (W) words that did not hold the last value written */
	unsigned long fault_waits;     /* at stop: mapped_fault_waits() since the start */
	unsigned long waits_at_start;
	u64 start_ns, ns;              /* ns: how long it ran */
};

/* What pass @pass writes into page @index of region @r (pass 0: nothing). */
static inline u64 mapped_writer_value(u64 pass, unsigned int r, unsigned long index)
{
	return pass << 40 | (u64)r << 32 | (index & 0xffffffffUL);
}

/*
 * mapped_writer_start - start @w's thread on @cpu writing word @word of
 * every backed page of @regions[0..@nr). Return: 0, -EINVAL (@cpu not
 * online, @word not in a page, no region), -ENOMEM (no thread).
 */
int mapped_writer_start(struct mapped_writer *w, struct mapped_region *regions,
			unsigned int nr_regions, unsigned int word, unsigned int cpu);

/*
 * mapped_writer_stop - stop @w's thread and wait for its last check pass.
 * Return: 0, or -EIO when a write was lost (w->lost), -ETIMEDOUT when the
 * thread did not finish in 30 s.
 */
int mapped_writer_stop(struct mapped_writer *w);

#endif
