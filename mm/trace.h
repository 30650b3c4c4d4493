/*
 * The mm event trace: one ring of fixed-size records per CPU, each stamped
 * with mm_tsc(), for the events a researcher debugging a race wants in
 * order across CPUs - allocation slow path, compaction begin/end, isolate /
 * migrate / putback per page, faults-and-waits on migrating pages, TLB
 * shootdowns, balloon batches (docs/trace.md).
 *
 * Cost: a site is trace_event(kind, a, b): one relaxed load of the global
 * enabled flag and one branch predicted not taken; the arguments are
 * evaluated, and the out-of-line recorder called, only when tracing is on
 * (a macro, not a static inline, for that). TRACE=0 (the Makefile's,
 * -DMM_TRACE=0) compiles every site out.
 *
 * Rings: only the owning CPU writes its ring (with interrupts off, so an
 * interrupt handler's event cannot tear the record it interrupted); when
 * full, the oldest record is overwritten and counted dropped. Readers may
 * read while writers run: each record carries a sequence number (its index
 * in its ring + 1, 0 while being written) that is written before and after
 * its fields, seqlock style, so a reader that finds it changed across its
 * copy knows the record was overwritten meanwhile and counts it lost
 * instead of returning a torn one. Every field is a relaxed atomic (plain
 * moves on x86) so ThreadSanitizer sees no race.
 *
 * State: one global trace (the sites have no struct mm: arch shootdowns,
 * drivers), defined in mm/trace.c. The enabled flag and clear may be
 * toggled by any CPU at any time; clear moves only the readers' start mark.
 * On the host a CPU is a thread that said so (mm_host_cpu_set): two
 * threads recording as one CPU would share its ring, as two CPUs never do.
 */
#ifndef MM_TRACE_H
#define MM_TRACE_H

#include "include/compiler.h"
#include "include/types.h"
#include "mm/platform.h"

#ifndef MM_TRACE
#define MM_TRACE 1
#endif

/* Records per CPU ring (a power of two): 256 KiB of 32-byte records, taken
 * at the first trace_set_enabled(true) and kept. */
#define TRACE_RING_RECORDS 8192

/* What a record's @a and @b mean is per kind (trace_kind_info()). */
enum trace_kind {
	TRACE_ALLOC_SLOW,      /* a: order, b: 0 or -ENOMEM */
	TRACE_COMPACT_BEGIN,   /* a: order (COMPACT_ALL: whole zone), b: 1 direct, 0 explicit */
	TRACE_COMPACT_END,     /* a: pages migrated, b: enum compact_status */
	TRACE_ISOLATE,         /* a: pfn, b: the owner's isolate() result */
	TRACE_MIGRATE,         /* a: pfn, b: the owner's migrate() result */
	TRACE_PUTBACK,         /* a: pfn, b: 1 when released (freed) instead */
	TRACE_FAULT_WAIT,      /* a: source pfn, b: 0; a fault on a migration entry sleeps */
	TRACE_FAULT_DONE,      /* a: source pfn, b: 0; ... and wakes to retry */
	TRACE_SHOOTDOWN,       /* a: first va, b: pages flushed on every CPU */
	TRACE_BALLOON_INFLATE, /* a: pages asked, b: pages inflated or -errno */
	TRACE_BALLOON_DEFLATE, /* a: pages asked, b: pages deflated or -errno */
	TRACE_KINDS
};

struct trace_record {
	u64 seq;  /* index in its ring + 1; 0 while being written */
	u64 tsc;  /* mm_tsc() when recorded */
	u64 a;    /* per kind: pfn, order, va, pages */
	s32 b;    /* per kind: result, pages */
	u16 kind; /* enum trace_kind */
	u16 cpu;  /* the CPU that recorded it (its ring) */
};
static_assert(sizeof(struct trace_record) == 32, "two records a cache line");

/* A kind's JSON name and the names of its two arguments. */
struct trace_kind_info {
	const char *name;
	const char *a_name;
	const char *b_name;
};

/**
 * trace_kind_info - the names @kind is printed with.
 * Return: its entry; for a value outside the enum, one named "unknown".
 * Context: any.
 */
const struct trace_kind_info *trace_kind_info(enum trace_kind kind);

extern bool trace_enabled_flag; /* relaxed atomic: trace_enabled() */

static inline bool trace_enabled(void)
{
	return MM_TRACE && __atomic_load_n(&trace_enabled_flag, __ATOMIC_RELAXED);
}

/**
 * trace_record - append a record of @kind, @a, @b to this CPU's ring: the
 * out-of-line half of trace_event(), which calls it only when tracing is on.
 * Overwrites the ring's oldest record when it is full.
 * Context: any (thread or interrupt); takes no lock; interrupts are off
 * for the few stores.
 */
void trace_record(enum trace_kind kind, u64 a, s32 b);

#if MM_TRACE
#define trace_event(kind, a, b)                                                  \
	do {                                                                     \
		if (unlikely(__atomic_load_n(&trace_enabled_flag, __ATOMIC_RELAXED))) \
			trace_record((kind), (u64)(a), (s32)(b));                \
	} while (0)
#else
#define trace_event(kind, a, b)                                                  \
	do {                                                                     \
		if (0)                                                           \
			trace_record((kind), (u64)(a), (s32)(b));                \
	} while (0)
#endif

/**
 * trace_set_enabled - start (@on) or stop recording at every site. The
 * first start takes the rings' memory (mm_alloc_forever: 256 KiB per CPU).
 * Return: 0, -ENOMEM when the rings could not be had, or -EOPNOTSUPP when
 * built with TRACE=0 (nothing could be recorded).
 * Context: thread context for @on (it may allocate; a second caller meanwhile
 * yields until the first is done); any for off. A site on another CPU sees
 * the change a moment later.
 */
int trace_set_enabled(bool on);

/**
 * trace_clear - forget every record so far: readers and counts start after
 * them. Writers are not disturbed.
 * Context: any CPU, any time.
 */
void trace_clear(void);

/**
 * trace_cpu_counts - @cpu's records since the last clear (@events), of
 * which @dropped were overwritten before anyone read them (those past the
 * ring's size). Both 0 for a @cpu out of range.
 * Context: any; racy against @cpu's writer by a record or so.
 */
void trace_cpu_counts(unsigned int cpu, u64 *events, u64 *dropped);

/*
 * A reader: every CPU's records since the last clear, up to the moment of
 * trace_reader_init(), merged by timestamp (each CPU's own in the order it
 * recorded them). Records overwritten while the reader walks are skipped
 * and counted in lost[cpu].
 */
struct trace_reader {
	u64 next[MM_MAX_CPUS]; /* the next index to read in each ring */
	u64 end[MM_MAX_CPUS];  /* each ring's head at init */
	u64 lost[MM_MAX_CPUS]; /* overwritten before this reader got them */
	struct trace_record peek[MM_MAX_CPUS]; /* each ring's next record, read ahead */
	bool have[MM_MAX_CPUS];                /* peek[cpu] is valid */
};

/**
 * trace_reader_init - start @reader at the last clear (or, on a ring that
 * wrapped, its oldest record) and end it at each ring's head now.
 * Context: thread context (it reads every ring); writers may run.
 */
void trace_reader_init(struct trace_reader *reader);

/**
 * trace_reader_next - the next record in time order into @out.
 * Return: false when none is left.
 * Context: as trace_reader_init(); one thread per reader.
 */
bool trace_reader_next(struct trace_reader *reader, struct trace_record *out);

#endif
