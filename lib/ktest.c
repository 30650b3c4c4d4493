/*
 * ktest runner: walks the suites registered in the "ktest_suites" section and
 * prints KTAP v1 the way KUnit does (a top-level plan of suites, each suite a
 * subtest indented by four spaces with its own plan of cases). Shared by the
 * kernel and the host runner; output goes through the environment's
 * ktest_write(). Case counts (not suite counts) are what ktest_run() returns.
 */
#include "lib/ktest.h"
#include "lib/printf.h"
#include "lib/string.h"

extern const struct ktest_suite __start_ktest_suites[];
extern const struct ktest_suite __stop_ktest_suites[];

static void (*global_exit)(struct ktest *t);

void ktest_set_global_exit(void (*fn)(struct ktest *test)) { global_exit = fn; }

static __printf(1, 2) void out(const char *fmt, ...)
{
	char buf[512];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n >= sizeof(buf))
		n = sizeof(buf) - 1;
	ktest_write(buf, (size_t)n);
}

bool ktest_streq(const char *a, const char *b)
{
	if (!a || !b)
		return a == b;
	return strcmp(a, b) == 0;
}

void ktest_diag(struct ktest *test, const char *fmt, ...)
{
	char buf[400];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	out("    # %s\n", buf);
}

void ktest_fail(struct ktest *test, const char *file, int line, const char *fmt, ...)
{
	char buf[400];
	const char *base = strrchr(file, '/');
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	out("    # %s: %s:%d: %s\n", test->name, base ? base + 1 : file, line, buf);
	test->failures++;
}

/* Does @name appear in the comma-separated @filter? "all"/NULL match all. */
static bool filter_matches(const char *filter, const char *name)
{
	size_t len = strlen(name);
	const char *p = filter;

	if (!filter || !*filter || strcmp(filter, "all") == 0)
		return true;
	while (*p) {
		const char *end = strchr(p, ',');
		size_t n = end ? (size_t)(end - p) : strlen(p);

		if (n == len && strncmp(p, name, n) == 0)
			return true;
		if (!end)
			break;
		p = end + 1;
	}
	return false;
}

unsigned int ktest_suite_count(void)
{
	return (unsigned int)(__stop_ktest_suites - __start_ktest_suites);
}

bool ktest_suite_exists(const char *name, size_t len)
{
	const struct ktest_suite *suite;

	for (suite = __start_ktest_suites; suite < __stop_ktest_suites; suite++)
		if (strlen(suite->name) == len && strncmp(suite->name, name, len) == 0)
			return true;
	return false;
}

static unsigned int count_cases(const struct ktest_suite *suite)
{
	unsigned int n = 0;

	while (suite->cases[n].run)
		n++;
	return n;
}

/* Print one case's result line; returns 1 when it failed. */
static int report_case(const struct ktest *test, unsigned int nr, struct ktest_totals *tot)
{
	if (test->failures) {
		out("    not ok %u %s\n", nr, test->name);
		tot->failed++;
		return 1;
	}
	if (test->skip_reason) {
		out("    ok %u %s # SKIP %s\n", nr, test->name, test->skip_reason);
		tot->skipped++;
		return 0;
	}
	out("    ok %u %s\n", nr, test->name);
	tot->passed++;
	return 0;
}

/* Run one suite; returns its number of failed cases. */
static unsigned int run_suite(const struct ktest_suite *suite, unsigned int nr,
			      struct ktest_totals *tot)
{
	unsigned int n = count_cases(suite), i, failed = 0;
	int init_err = suite->init ? suite->init() : 0;

	bool exit_case = suite->exit || global_exit;

	out("    KTAP version 1\n    # Subtest: %s\n    1..%u\n", suite->name, n + (exit_case ? 1 : 0));
	for (i = 0; i < n; i++) {
		struct ktest test = { .name = suite->cases[i].name };

		if (init_err)
			ktest_fail(&test, __FILE__, __LINE__, "suite init failed: %d", init_err);
		else
			suite->cases[i].run(&test);
		failed += report_case(&test, i + 1, tot);
	}
	if (exit_case) {
		/* The exit hooks are reported as a case of their own, so a
		 * broken invariant after the suite is a visible failure. */
		struct ktest test = { .name = "suite_exit_checks" };

		if (suite->exit)
			suite->exit(&test);
		if (global_exit)
			global_exit(&test);
		failed += report_case(&test, n + 1, tot);
	}
	out("%s %u %s\n", failed ? "not ok" : "ok", nr, suite->name);
	return failed;
}

unsigned int ktest_run(const char *filter, struct ktest_totals *totals)
{
	const struct ktest_suite *suite;
	unsigned int selected = 0, nr = 0, failed = 0;

	memset(totals, 0, sizeof(*totals));
	for (suite = __start_ktest_suites; suite < __stop_ktest_suites; suite++)
		selected += filter_matches(filter, suite->name);
	out("KTAP version 1\n1..%u\n", selected);
	for (suite = __start_ktest_suites; suite < __stop_ktest_suites; suite++) {
		if (!filter_matches(filter, suite->name))
			continue;
		failed += run_suite(suite, ++nr, totals);
	}
	totals->suites = selected;
	out("# ktest: %u passed, %u failed, %u skipped\n", totals->passed,
	    totals->failed, totals->skipped);
	return failed;
}
