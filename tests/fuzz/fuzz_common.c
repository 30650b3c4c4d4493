/*
 * What every fuzz target links besides its own file: the ktest output hook
 * the linked-in unit tests reference (tests/host/main.c, which has the
 * runner's main, is left out: libFuzzer has its own), the quiet logs, the
 * reused mm of each input and the checks that end it.
 */
#include <stdlib.h>
#include <unistd.h>

#include "lib/string.h"
#include "mm/testing.h"
#include "tests/fuzz/fuzz_common.h"
#include "tests/host/mm_platform.h"

void ktest_write(const char *s, size_t len);
int LLVMFuzzerInitialize(int *argc, char ***argv);

void ktest_write(const char *s, size_t len)
{
	ssize_t r = write(1, s, len);

	(void)r;
}

/* Expected errors (a hostile device, bad boot info) would flood stderr:
 * MM_HOST_LOG=off unless the user asked for logs. */
void fuzz_quiet(void)
{
	setenv("MM_HOST_LOG", "off", 0);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	fuzz_quiet();
	return 0;
}

int fuzz_env(struct mm_test_env *env, unsigned long span, const struct pfn_range *usable,
	     size_t nr_usable, const struct pfn_range *reserved, size_t nr_reserved)
{
	if (!env->storage || env->span != span) {
		if (env->storage)
			mm_test_env_destroy(env);
		return mm_test_env_init(env, span, usable, nr_usable, reserved, nr_reserved);
	}
	memset(env->storage, 0, env->storage_bytes);
	return mm_test_env_setup(env, usable, nr_usable, reserved, nr_reserved);
}

void fuzz_expect_all_freed(struct mm *mm, unsigned long start_free, const char *when)
{
	mm_drain_pcp(mm);
	FUZZ_CHECK(mm_check(mm) == 0, "mm_check after %s", when);
	FUZZ_CHECK(mm_nr_free_pages(mm) == start_free, "free %lu, started with %lu",
		   mm_nr_free_pages(mm), start_free);
	FUZZ_CHECK(mm_host_take_bugs() == 0, "mm_bug() reported");
}
