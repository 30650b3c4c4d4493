/*
 * The in-kernel side of ktest: KTAP goes to the console, and `test=SUITES`
 * on the command line runs the suites after boot and ends QEMU with the
 * result (isa-debug-exit: 33 = all passed, 35 = a failure). Also the monitor
 * command `test`.
 */
#include "kernel/ktest_kernel.h"
#include "drivers/qemu_exit.h"
#include "include/errno.h"
#include "kernel/cmdline.h"
#include "kernel/mm/kmalloc.h"
#include "kernel/mm/mm_boot.h"
#include "kernel/printk.h"
#include "lib/ktest.h"
#include "lib/string.h"

static char test_filter[128];

void ktest_write(const char *s, size_t len) { console_write(s, len); }

static int set_test(const char *value)
{
	if (!value || !*value || strlen(value) >= sizeof(test_filter))
		return -EINVAL;
	strlcpy(test_filter, value, sizeof(test_filter));
	return 0;
}
CMDLINE_PARAM(test, "test", set_test, "all|SUITE[,SUITE]: run KTAP suites, then exit");

/* Every name in the filter must be a suite (a typo must not pass as 0 tests). */
static bool filter_valid(const char *filter)
{
	const char *p = filter;

	if (strcmp(filter, "all") == 0)
		return true;
	while (*p) {
		const char *end = strchr(p, ',');
		size_t n = end ? (size_t)(end - p) : strlen(p);

		if (!ktest_suite_exists(p, n)) {
			pr_err("test: no suite named '%.*s'\n", (int)n, p);
			return false;
		}
		if (!end)
			break;
		p = end + 1;
	}
	return true;
}

bool ktest_requested(void) { return test_filter[0] != '\0'; }

/* After every suite: the kernel's page and object allocators are still
 * consistent. */
static void check_kernel_mm(struct ktest *test)
{
	unsigned int violations = mm_check(&kernel_mm);

	if (violations)
		ktest_fail(test, __FILE__, __LINE__, "mm_check(kernel_mm): %u violations", violations);
	violations = slab_check(kmalloc_set());
	if (violations)
		ktest_fail(test, __FILE__, __LINE__, "slab_check(kmalloc): %u violations", violations);
}

void ktest_run_requested(void)
{
	struct ktest_totals totals;
	unsigned int failed;

	if (!filter_valid(test_filter))
		machine_poweroff(QEMU_EXIT_FAILURE);
	ktest_set_global_exit(check_kernel_mm);
	failed = ktest_run(test_filter, &totals);
	machine_poweroff(failed ? QEMU_EXIT_FAILURE : QEMU_EXIT_SUCCESS);
}

int ktest_kernel_run(const char *filter)
{
	struct ktest_totals totals;

	if (!filter_valid(filter))
		return -ENOENT;
	ktest_set_global_exit(check_kernel_mm);
	ktest_run(filter, &totals);
	return 0;
}
