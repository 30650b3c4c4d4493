/*
 * The mm event trace (mm/trace.h) with several writers at once: TRACE_WRITERS
 * threads, each its own CPU, record as fast as they can for TRACE_MS
 * milliseconds (their rings wrap many times) while the main thread (CPU 0)
 * reads them over and over, merged, and now and then clears. Every record
 * carries its writer's CPU and sequence in @a and a checksum of @a in @b, so
 * a torn record (fields of two records) shows. Each pass proves: no torn
 * record, each CPU's records in the order written, the merge in time order,
 * and every record of the pass's range either returned or counted lost.
 * At the end, stopped: each ring holds its newest records, the rest counted
 * dropped, exactly. Host only (real threads); `make tsan` runs it under
 * ThreadSanitizer, where the relaxed atomics of every field keep it quiet.
 */
#include <pthread.h>
#include <sched.h>

#include "lib/ktest.h"
#include "mm/trace.h"

#define TRACE_WRITERS 4 /* CPUs 1..4; the reader is CPU 0 */
#define TRACE_MS 200
#define TRACE_MIN_PASSES 8 /* reader passes at least, however slow the machine */
#define CPU_SHIFT 40

static_assert(TRACE_WRITERS < MM_MAX_CPUS, "a CPU per writer and one for the reader");

struct writer {
	pthread_t thread;
	unsigned int cpu;
	bool *stop;   /* atomic */
	u64 written;  /* records, read after join */
};

static s32 checksum(u64 a)
{
	a ^= a >> 29;
	a *= 0xbf58476d1ce4e5b9ULL;
	return (s32)(a >> 32);
}

static void *writer_fn(void *arg)
{
	struct writer *w = arg;
	u64 i = 0, a;

	mm_host_cpu_set(w->cpu);
	while (!__atomic_load_n(w->stop, __ATOMIC_RELAXED)) {
		a = ((u64)w->cpu << CPU_SHIFT) | i++;
		trace_event(TRACE_MIGRATE, a, checksum(a));
		if (!(i & 1023))
			sched_yield(); /* the reader gets the CPU on a loaded host too */
	}
	w->written = i;
	return NULL;
}

struct pass {
	u64 returned[MM_MAX_CPUS];
	u64 last[MM_MAX_CPUS]; /* the last sequence returned + 1 */
	unsigned long torn, disorder, unmerged;
};

/* One merged read of everything recorded so far. Return: false on the
 * first violation (ktest failures record which). */
static bool read_pass(struct ktest *test, struct trace_reader *reader, struct pass *p)
{
	u64 first[MM_MAX_CPUS], prev_tsc = 0, seq;
	struct trace_record r;
	unsigned int cpu;

	*p = (struct pass){ 0 };
	trace_reader_init(reader);
	for (cpu = 0; cpu < MM_MAX_CPUS; cpu++)
		first[cpu] = reader->next[cpu] - (reader->have[cpu] ? 1 : 0) - reader->lost[cpu];
	while (trace_reader_next(reader, &r)) {
		cpu = (unsigned int)(r.a >> CPU_SHIFT);
		seq = r.a & ((1ULL << CPU_SHIFT) - 1);
		if (r.kind != TRACE_MIGRATE || r.b != checksum(r.a) || r.cpu != cpu)
			p->torn++;
		else if (p->returned[cpu] && seq < p->last[cpu])
			p->disorder++;
		if (r.tsc < prev_tsc)
			p->unmerged++;
		prev_tsc = r.tsc;
		if (cpu < MM_MAX_CPUS) {
			p->returned[cpu]++;
			p->last[cpu] = seq + 1;
		}
	}
	KTEST_EXPECT_EQ(test, p->torn, 0);
	KTEST_EXPECT_EQ(test, p->disorder, 0);
	KTEST_EXPECT_EQ(test, p->unmerged, 0);
	for (cpu = 0; cpu < MM_MAX_CPUS; cpu++)
		KTEST_EXPECT_EQ(test, p->returned[cpu] + reader->lost[cpu],
				reader->end[cpu] - first[cpu]);
	return !p->torn && !p->disorder && !p->unmerged;
}

/* Writers record while the reader reads and clears; nothing torn, nothing
 * out of order, every record returned or counted; at rest, exact counts. */
static void smp_trace_writers_and_reader(struct ktest *test)
{
	static struct trace_reader reader;
	struct writer writers[TRACE_WRITERS];
	bool stop = false;
	struct pass pass;
	unsigned long passes = 0, clears = 0;
	u64 lost = 0, returned = 0, deadline, events, dropped;
	unsigned int i;

	trace_clear();
	KTEST_ASSERT_EQ(test, trace_set_enabled(true), 0);
	for (i = 0; i < TRACE_WRITERS; i++) {
		writers[i] = (struct writer){ .cpu = i + 1, .stop = &stop };
		KTEST_ASSERT_EQ(test, pthread_create(&writers[i].thread, NULL, writer_fn,
						     &writers[i]), 0);
	}
	deadline = mm_time_ns() + TRACE_MS * 1000000ULL;
	while (mm_time_ns() < deadline || passes < TRACE_MIN_PASSES) {
		if (!read_pass(test, &reader, &pass))
			break;
		for (i = 1; i <= TRACE_WRITERS; i++) {
			lost += reader.lost[i];
			returned += pass.returned[i];
		}
		if (++passes % 64 == 0) {
			trace_clear();
			clears++;
		}
	}
	__atomic_store_n(&stop, true, __ATOMIC_RELAXED);
	for (i = 0; i < TRACE_WRITERS; i++)
		pthread_join(writers[i].thread, NULL);
	KTEST_EXPECT_EQ(test, trace_set_enabled(false), 0);
	ktest_diag(test, "%u writers, %lu reader passes (%lu clears), %lu records read, %lu lost",
		   TRACE_WRITERS, passes, clears, (unsigned long)returned, (unsigned long)lost);
	KTEST_EXPECT_GT(test, returned, 0);

	/* At rest since the last clear: the newest records of each ring. */
	trace_clear();
	KTEST_ASSERT_EQ(test, trace_set_enabled(true), 0);
	__atomic_store_n(&stop, false, __ATOMIC_RELAXED);
	for (i = 0; i < TRACE_WRITERS; i++) {
		writers[i].written = 0;
		KTEST_ASSERT_EQ(test, pthread_create(&writers[i].thread, NULL, writer_fn,
						     &writers[i]), 0);
	}
	deadline = mm_time_ns() + 20 * 1000000ULL;
	while (mm_time_ns() < deadline)
		sched_yield();
	__atomic_store_n(&stop, true, __ATOMIC_RELAXED);
	for (i = 0; i < TRACE_WRITERS; i++)
		pthread_join(writers[i].thread, NULL);
	trace_set_enabled(false);
	KTEST_ASSERT_TRUE(test, read_pass(test, &reader, &pass));
	for (i = 0; i < TRACE_WRITERS; i++) {
		u64 w = writers[i].written;

		trace_cpu_counts(i + 1, &events, &dropped);
		KTEST_EXPECT_EQ(test, events, w);
		KTEST_EXPECT_EQ(test, dropped, w > TRACE_RING_RECORDS ? w - TRACE_RING_RECORDS : 0);
		KTEST_EXPECT_EQ(test, pass.returned[i + 1], MIN(w, (u64)TRACE_RING_RECORDS));
		KTEST_EXPECT_EQ(test, reader.lost[i + 1], 0);
		if (w)
			KTEST_EXPECT_EQ(test, pass.last[i + 1], w);
	}
	trace_clear();
}

static const struct ktest_case smp_trace_cases[] = {
	KTEST_CASE(smp_trace_writers_and_reader),
	KTEST_END,
};
KTEST_SUITE(smp_trace, smp_trace_cases);
