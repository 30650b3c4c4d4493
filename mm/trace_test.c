/*
 * The mm event trace's rings (mm/trace.h) on this CPU: a disabled trace
 * records nothing, records come back in order with their arguments, a full
 * ring overwrites its oldest and counts them dropped, clear forgets. The
 * trace is global: each case clears it first and leaves it off and clear;
 * only this CPU's records are looked at (another CPU of the kernel may
 * record while a case has it on). Concurrent writers and a reader:
 * tests/host/smp_trace_test.c.
 */
#include "include/errno.h"
#include "lib/ktest.h"
#include "lib/string.h"
#include "mm/trace.h"

static bool trace_start(struct ktest *test)
{
	if (trace_set_enabled(true) == -EOPNOTSUPP)
		return false;
	trace_clear();
	return true;
}

static void trace_stop(void)
{
	trace_set_enabled(false);
	trace_clear();
}

/* Record @n events of this CPU: a = @first + i, b = -(a % 100). */
static void record_n(u64 first, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		trace_event(TRACE_MIGRATE, first + i, -(int)((first + i) % 100));
}

/* What a reader returns of this CPU's records, checked one by one. */
struct mine {
	unsigned int n;   /* records */
	u64 first, last;  /* their first and last @a */
	unsigned int bad; /* not recorded by record_n(), or out of order */
	u64 first_tsc;
	u64 lost;         /* the reader's count for this CPU */
};

static void read_mine(struct mine *m)
{
	static struct trace_reader reader; /* 1 KiB: off the test's stack */
	struct trace_record r;
	unsigned int cpu = mm_cpu_id();
	u64 prev_tsc = 0;

	*m = (struct mine){ 0 };
	trace_reader_init(&reader);
	while (trace_reader_next(&reader, &r)) {
		if (r.cpu != cpu)
			continue;
		if (r.kind != TRACE_MIGRATE || r.b != -(int)(r.a % 100) || r.tsc < prev_tsc ||
		    (m->n && r.a != m->last + 1))
			m->bad++;
		if (!m->n++) {
			m->first = r.a;
			m->first_tsc = r.tsc;
		}
		m->last = r.a;
		prev_tsc = r.tsc;
	}
	m->lost = reader.lost[cpu];
}

/* Off: a site records nothing, and its arguments are not evaluated. */
static void trace_disabled_records_nothing(struct ktest *test)
{
	u64 events, dropped;
	unsigned int evaluated = 0;
	struct mine m;

	if (!trace_start(test))
		KTEST_SKIP(test, "built with TRACE=0");
	trace_set_enabled(false);
	record_n(0, 10);
	trace_event(TRACE_ISOLATE, evaluated++, 0);
	trace_cpu_counts(mm_cpu_id(), &events, &dropped);
	KTEST_EXPECT_EQ(test, events, 0);
	KTEST_EXPECT_EQ(test, evaluated, 0);
	read_mine(&m);
	KTEST_EXPECT_EQ(test, m.n, 0);
	KTEST_EXPECT_FALSE(test, trace_enabled());
	trace_stop();
}

/* On: each record holds its kind, arguments, CPU and a timestamp, in
 * the order they were recorded. */
static void trace_records_in_order(struct ktest *test)
{
	u64 events, dropped;
	struct mine m;

	if (!trace_start(test))
		KTEST_SKIP(test, "built with TRACE=0");
	KTEST_EXPECT_TRUE(test, trace_enabled());
	record_n(1000, 300);
	trace_set_enabled(false);
	trace_cpu_counts(mm_cpu_id(), &events, &dropped);
	KTEST_EXPECT_EQ(test, events, 300);
	KTEST_EXPECT_EQ(test, dropped, 0);
	read_mine(&m);
	KTEST_EXPECT_EQ(test, m.n, 300);
	KTEST_EXPECT_EQ(test, m.bad, 0);
	KTEST_EXPECT_EQ(test, m.first, 1000);
	KTEST_EXPECT_EQ(test, m.last, 1299);
	KTEST_EXPECT_EQ(test, m.lost, 0);
	KTEST_EXPECT_GT(test, m.first_tsc, 0);
	trace_stop();
}

/* A full ring keeps the newest RECORDS, in order; the older ones are
 * counted dropped (not lost: nobody was reading). */
static void trace_wrap_counts_dropped(struct ktest *test)
{
	u64 events, dropped;
	struct mine m;

	if (!trace_start(test))
		KTEST_SKIP(test, "built with TRACE=0");
	record_n(0, TRACE_RING_RECORDS + 123);
	trace_set_enabled(false);
	trace_cpu_counts(mm_cpu_id(), &events, &dropped);
	KTEST_EXPECT_EQ(test, events, TRACE_RING_RECORDS + 123);
	KTEST_EXPECT_EQ(test, dropped, 123);
	read_mine(&m);
	KTEST_EXPECT_EQ(test, m.n, TRACE_RING_RECORDS);
	KTEST_EXPECT_EQ(test, m.bad, 0);
	KTEST_EXPECT_EQ(test, m.first, 123);
	KTEST_EXPECT_EQ(test, m.last, TRACE_RING_RECORDS + 122);
	KTEST_EXPECT_EQ(test, m.lost, 0);
	trace_stop();
}

/* Clear forgets what was recorded; what comes after is kept. */
static void trace_clear_forgets(struct ktest *test)
{
	u64 events, dropped;
	struct mine m;

	if (!trace_start(test))
		KTEST_SKIP(test, "built with TRACE=0");
	record_n(0, TRACE_RING_RECORDS * 2);
	trace_clear();
	record_n(5000, 7);
	trace_set_enabled(false);
	trace_cpu_counts(mm_cpu_id(), &events, &dropped);
	KTEST_EXPECT_EQ(test, events, 7);
	KTEST_EXPECT_EQ(test, dropped, 0);
	read_mine(&m);
	KTEST_EXPECT_EQ(test, m.n, 7);
	KTEST_EXPECT_EQ(test, m.bad, 0);
	KTEST_EXPECT_EQ(test, m.first, 5000);
	KTEST_EXPECT_EQ(test, m.last, 5006);
	trace_stop();
}

/* Every kind has its own JSON name and argument names. */
static void trace_kinds_named(struct ktest *test)
{
	unsigned int k, j;

	for (k = 0; k < TRACE_KINDS; k++) {
		const struct trace_kind_info *info = trace_kind_info((enum trace_kind)k);

		KTEST_EXPECT_TRUE(test, info->name && info->a_name && info->b_name);
		KTEST_EXPECT_FALSE(test, ktest_streq(info->name, "unknown"));
		for (j = 0; j < k; j++)
			KTEST_EXPECT_FALSE(test, ktest_streq(info->name,
							     trace_kind_info((enum trace_kind)j)->name));
	}
	KTEST_EXPECT_STREQ(test, trace_kind_info(TRACE_KINDS)->name, "unknown");
}

static const struct ktest_case trace_cases[] = {
	KTEST_CASE(trace_disabled_records_nothing),
	KTEST_CASE(trace_records_in_order),
	KTEST_CASE(trace_wrap_counts_dropped),
	KTEST_CASE(trace_clear_forgets),
	KTEST_CASE(trace_kinds_named),
	KTEST_END,
};
KTEST_SUITE(trace, trace_cases);
