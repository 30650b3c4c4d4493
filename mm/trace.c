/*
 * The mm event trace's rings (see trace.h): the recorder, clear, and the
 * merging reader.
 *
 * Invariants: ring[cpu].head counts the records ever written to that ring
 * and is written only by that CPU; record i lives in slot i % RECORDS and,
 * once complete, has seq == i + 1. The records since the last clear are
 * [start, head); those below head - RECORDS are gone (dropped). A reader
 * trusts a slot only when seq == i + 1 both before and after copying it.
 *
 * Storage: the slots (256 KiB per CPU) are taken with mm_alloc_forever()
 * at the first trace_set_enabled(true), for every CPU of mm_nr_cpus(), and
 * kept: a writer may still be inside a record when tracing stops, so they
 * are never freed. A CPU without slots (none yet) records nothing.
 *
 * The one mutable global of mm/ besides mapped.c's per-CPU flush ranges:
 * the sites (arch shootdowns, the balloon, the fault handler) have no mm to
 * hang it on, and one flag for every site is what keeps a site one branch.
 */
#include "include/errno.h"
#include "lib/string.h"
#include "mm/trace.h"

#define RING_MASK (TRACE_RING_RECORDS - 1)
static_assert((TRACE_RING_RECORDS & RING_MASK) == 0, "a power of two");

struct trace_ring {
	u64 head;  /* records ever written here (atomic; only the owner writes) */
	u64 start; /* head at the last clear (atomic; readers only) */
	struct trace_record *slot; /* TRACE_RING_RECORDS of them, or NULL (atomic, set once) */
} __aligned(64);

enum storage_state { STORAGE_NONE, STORAGE_ALLOCATING, STORAGE_READY };

bool trace_enabled_flag;
static struct trace_ring rings[MM_MAX_CPUS];
static unsigned int storage_state; /* enum storage_state (atomic) */

static const struct trace_kind_info kinds[TRACE_KINDS] = {
	[TRACE_ALLOC_SLOW] = { "alloc_slow", "order", "result" },
	[TRACE_COMPACT_BEGIN] = { "compact_begin", "order", "direct" },
	[TRACE_COMPACT_END] = { "compact_end", "migrated", "result" },
	[TRACE_ISOLATE] = { "isolate", "pfn", "result" },
	[TRACE_MIGRATE] = { "migrate", "pfn", "result" },
	[TRACE_PUTBACK] = { "putback", "pfn", "released" },
	[TRACE_FAULT_WAIT] = { "fault_wait", "pfn", "result" },
	[TRACE_FAULT_DONE] = { "fault_done", "pfn", "result" },
	[TRACE_SHOOTDOWN] = { "shootdown", "va", "pages" },
	[TRACE_BALLOON_INFLATE] = { "balloon_inflate", "want", "result" },
	[TRACE_BALLOON_DEFLATE] = { "balloon_deflate", "want", "result" },
};

const struct trace_kind_info *trace_kind_info(enum trace_kind kind)
{
	static const struct trace_kind_info unknown = { "unknown", "a", "b" };

	return (unsigned int)kind < TRACE_KINDS ? &kinds[kind] : &unknown;
}

#define LOAD(p) __atomic_load_n((p), __ATOMIC_RELAXED)
#define STORE(p, v) __atomic_store_n((p), (v), __ATOMIC_RELAXED)

/*
 * Basic algorithm (interrupts off, so nothing else on this CPU writes):
 *   i = head; mark slot i's seq 0; release fence; write the fields;
 *   seq = i + 1 (release); head = i + 1 (release)
 * A reader that copied any new field then sees seq != its old value.
 */
void trace_record(enum trace_kind kind, u64 a, s32 b)
{
	unsigned long flags = mm_irq_save();
	unsigned int cpu = mm_cpu_id();
	struct trace_ring *ring = &rings[cpu];
	struct trace_record *slot = __atomic_load_n(&ring->slot, __ATOMIC_ACQUIRE);
	u64 i = LOAD(&ring->head); /* our own */
	struct trace_record *r;

	if (unlikely(!slot)) {
		mm_irq_restore(flags);
		return;
	}
	r = &slot[i & RING_MASK];
	STORE(&r->seq, 0);
	__atomic_thread_fence(__ATOMIC_RELEASE);
	STORE(&r->tsc, mm_tsc());
	STORE(&r->a, a);
	STORE(&r->b, b);
	STORE(&r->kind, (u16)kind);
	STORE(&r->cpu, (u16)cpu);
	__atomic_store_n(&r->seq, i + 1, __ATOMIC_RELEASE);
	__atomic_store_n(&ring->head, i + 1, __ATOMIC_RELEASE);
	mm_irq_restore(flags);
}

/* Slots for every CPU that has none. Return: 0 or -ENOMEM (those taken
 * are kept; the next call tries the others again). */
static int alloc_slots(void)
{
	unsigned int cpu, n = MIN(mm_nr_cpus(), (unsigned int)MM_MAX_CPUS);
	struct trace_record *slot;

	for (cpu = 0; cpu < n; cpu++) {
		if (LOAD(&rings[cpu].slot))
			continue;
		slot = mm_alloc_forever(TRACE_RING_RECORDS * sizeof(*slot));
		if (!slot)
			return -ENOMEM;
		__atomic_store_n(&rings[cpu].slot, slot, __ATOMIC_RELEASE);
	}
	return 0;
}

/* The first caller allocates; one that comes meanwhile waits for it. */
static int ensure_storage(void)
{
	unsigned int state = STORAGE_NONE;
	int err;

	while (!__atomic_compare_exchange_n(&storage_state, &state, STORAGE_ALLOCATING, false,
					    __ATOMIC_ACQUIRE, __ATOMIC_ACQUIRE)) {
		if (state == STORAGE_READY)
			return 0;
		mm_yield();
		state = STORAGE_NONE;
	}
	err = alloc_slots();
	__atomic_store_n(&storage_state, err ? STORAGE_NONE : STORAGE_READY, __ATOMIC_RELEASE);
	return err;
}

int trace_set_enabled(bool on)
{
	int err;

	if (!MM_TRACE)
		return -EOPNOTSUPP;
	if (on && (err = ensure_storage()))
		return err;
	__atomic_store_n(&trace_enabled_flag, on, __ATOMIC_RELAXED);
	return 0;
}

void trace_clear(void)
{
	unsigned int cpu;

	for (cpu = 0; cpu < MM_MAX_CPUS; cpu++)
		STORE(&rings[cpu].start, __atomic_load_n(&rings[cpu].head, __ATOMIC_ACQUIRE));
}

void trace_cpu_counts(unsigned int cpu, u64 *events, u64 *dropped)
{
	u64 head, start;

	*events = *dropped = 0;
	if (cpu >= MM_MAX_CPUS)
		return;
	head = __atomic_load_n(&rings[cpu].head, __ATOMIC_ACQUIRE);
	start = LOAD(&rings[cpu].start);
	*events = head - start;
	if (*events > TRACE_RING_RECORDS)
		*dropped = *events - TRACE_RING_RECORDS;
}

/* Copy record @i of @cpu's ring into @out. Return: false when it was
 * overwritten (or is being written) before or during the copy. */
static bool read_slot(unsigned int cpu, u64 i, struct trace_record *out)
{
	const struct trace_record *slot = __atomic_load_n(&rings[cpu].slot, __ATOMIC_ACQUIRE);
	const struct trace_record *r;
	u64 seq;

	if (!slot)
		return false;
	r = &slot[i & RING_MASK];
	seq = __atomic_load_n(&r->seq, __ATOMIC_ACQUIRE);
	if (seq != i + 1)
		return false;
	out->tsc = LOAD(&r->tsc);
	out->a = LOAD(&r->a);
	out->b = LOAD(&r->b);
	out->kind = LOAD(&r->kind);
	out->cpu = LOAD(&r->cpu);
	__atomic_thread_fence(__ATOMIC_ACQUIRE);
	out->seq = seq;
	return LOAD(&r->seq) == seq;
}

/* Read ahead @cpu's next record that is still there, skipping (and
 * counting) what writers overwrote since. */
static void refill(struct trace_reader *reader, unsigned int cpu)
{
	u64 oldest;

	reader->have[cpu] = false;
	while (reader->next[cpu] < reader->end[cpu]) {
		oldest = __atomic_load_n(&rings[cpu].head, __ATOMIC_ACQUIRE);
		oldest = oldest > TRACE_RING_RECORDS ? oldest - TRACE_RING_RECORDS : 0;
		oldest = MIN(oldest, reader->end[cpu]); /* only what was there at init */
		if (reader->next[cpu] < oldest) { /* lapped while we read */
			reader->lost[cpu] += oldest - reader->next[cpu];
			reader->next[cpu] = oldest;
			continue;
		}
		if (read_slot(cpu, reader->next[cpu]++, &reader->peek[cpu])) {
			reader->have[cpu] = true;
			return;
		}
		reader->lost[cpu]++;
	}
}

void trace_reader_init(struct trace_reader *reader)
{
	unsigned int cpu;

	memset(reader, 0, sizeof(*reader));
	for (cpu = 0; cpu < MM_MAX_CPUS; cpu++) {
		u64 head = __atomic_load_n(&rings[cpu].head, __ATOMIC_ACQUIRE);
		u64 start = LOAD(&rings[cpu].start);

		/* What was dropped before now is trace_cpu_counts()'s, not lost. */
		if (head - start > TRACE_RING_RECORDS)
			start = head - TRACE_RING_RECORDS;
		reader->next[cpu] = start;
		reader->end[cpu] = head;
		refill(reader, cpu);
	}
}

bool trace_reader_next(struct trace_reader *reader, struct trace_record *out)
{
	unsigned int cpu, best = MM_MAX_CPUS;

	for (cpu = 0; cpu < MM_MAX_CPUS; cpu++)
		if (reader->have[cpu] && (best == MM_MAX_CPUS ||
					  reader->peek[cpu].tsc < reader->peek[best].tsc))
			best = cpu;
	if (best == MM_MAX_CPUS)
		return false;
	*out = reader->peek[best];
	refill(reader, best);
	return true;
}
