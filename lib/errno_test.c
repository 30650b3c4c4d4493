/*
 * Tests for lib/errno.c: names of negative and positive values, and the
 * fallback for values the table does not know.
 */
#include "lib/ktest.h"
#include "include/errno.h"

/* errno_name accepts -E and E alike and falls back to "E?". */
static void errno_name_maps_both_signs(struct ktest *test)
{
	KTEST_EXPECT_STREQ(test, errno_name(-EAGAIN), "EAGAIN");
	KTEST_EXPECT_STREQ(test, errno_name(ENOMEM), "ENOMEM");
	KTEST_EXPECT_STREQ(test, errno_name(-ETIMEDOUT), "ETIMEDOUT");
	KTEST_EXPECT_STREQ(test, errno_name(0), "E?");
	KTEST_EXPECT_STREQ(test, errno_name(-4000), "E?");
	KTEST_EXPECT_STREQ(test, errno_name(-__INT_MAX__ - 1), "E?");
}

static const struct ktest_case errno_cases[] = {
	KTEST_CASE(errno_name_maps_both_signs),
	KTEST_END,
};
KTEST_SUITE(errno, errno_cases);
