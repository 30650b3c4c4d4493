/*
 * Tests of command-line parsing with a private parameter table (so they run
 * on the host too): known keys applied, unknown keys and bad values reported
 * with the valid keys, quoting, over-long and over-full lines.
 */
#include "kernel/cmdline.h"
#include "include/errno.h"
#include "lib/argv.h"
#include "lib/ktest.h"
#include "lib/string.h"

static char got_name[32];
static int got_flag;
static int reports;
static char last_warning[256];

static int set_name(const char *v)
{
	if (!v || strlen(v) >= sizeof(got_name))
		return -EINVAL;
	strlcpy(got_name, v, sizeof(got_name));
	return 0;
}

static int set_flag(const char *v)
{
	if (v)
		return -EINVAL; /* a bare key only */
	got_flag++;
	return 0;
}

static const struct cmdline_param params[] = {
	{ "name", "WORD", set_name },
	{ "flag", "(no value)", set_flag },
};

static void collect(const char *msg, void *ctx)
{
	reports++;
	strlcpy(last_warning, msg, sizeof(last_warning));
}

static int apply(const char *line)
{
	got_name[0] = 0;
	got_flag = 0;
	reports = 0;
	last_warning[0] = 0;
	return cmdline_apply(line, params, 2, collect, NULL);
}

/* Known keys with and without values are applied; no reports. */
static void cmdline_applies_known_keys(struct ktest *test)
{
	KTEST_EXPECT_EQ(test, apply("  name=abc   flag "), 0);
	KTEST_EXPECT_STREQ(test, got_name, "abc");
	KTEST_EXPECT_EQ(test, got_flag, 1);
	KTEST_EXPECT_EQ(test, reports, 0);
	KTEST_EXPECT_EQ(test, apply(""), 0);
}

/* An unknown key is reported with every valid key, and the rest still applies. */
static void cmdline_unknown_key_lists_valid_keys(struct ktest *test)
{
	KTEST_EXPECT_EQ(test, apply("bogus=1 name=x"), 1);
	KTEST_EXPECT_STREQ(test, last_warning, "unknown key 'bogus'; valid keys: name flag");
	KTEST_EXPECT_STREQ(test, got_name, "x");
}

/* A setter's -EINVAL becomes a report naming the expected form. */
static void cmdline_bad_value_reported(struct ktest *test)
{
	KTEST_EXPECT_EQ(test, apply("flag=3"), 1);
	KTEST_EXPECT_STREQ(test, last_warning, "bad value in 'flag=3' (expected flag=(no value))");
	KTEST_EXPECT_EQ(test, apply("name"), 1);
}

/* Quoted values keep their spaces; an unterminated quote rejects the line. */
static void cmdline_quotes(struct ktest *test)
{
	KTEST_EXPECT_EQ(test, apply("\"name=a b\""), 0);
	KTEST_EXPECT_STREQ(test, got_name, "a b");
	KTEST_EXPECT_EQ(test, apply("name=\"c  d\"e flag"), 0);
	KTEST_EXPECT_STREQ(test, got_name, "c  de");
	KTEST_EXPECT_EQ(test, got_flag, 1);
	KTEST_EXPECT_EQ(test, apply("name=\"oops"), 1);
	KTEST_EXPECT_STREQ(test, got_name, "");
}

/* Lines too long or with too many words are reported, never overflowed. */
static void cmdline_limits(struct ktest *test)
{
	static char line[CMDLINE_MAX + 16];
	size_t i;

	memset(line, 'a', sizeof(line) - 1);
	line[sizeof(line) - 1] = 0;
	KTEST_EXPECT_EQ(test, apply(line), 1);
	KTEST_EXPECT_STREQ(test, last_warning, "command line too long; ignored");
	for (i = 0; i < 70; i++)
		memcpy(line + i * 5, "flag ", 5);
	line[70 * 5] = 0;
	KTEST_EXPECT_EQ(test, apply(line), 1);
	KTEST_EXPECT_EQ(test, got_flag, 64);
}

/* argv_split: separators, quotes, and the word limit. */
static void cmdline_argv_split(struct ktest *test)
{
	char buf[64];
	char *argv[3];

	strlcpy(buf, " a\tbb  \"c d\" ", sizeof(buf));
	KTEST_ASSERT_EQ(test, argv_split(buf, argv, 3), 3);
	KTEST_EXPECT_STREQ(test, argv[0], "a");
	KTEST_EXPECT_STREQ(test, argv[1], "bb");
	KTEST_EXPECT_STREQ(test, argv[2], "c d");
	strlcpy(buf, "1 2 3 4", sizeof(buf));
	KTEST_EXPECT_EQ(test, argv_split(buf, argv, 3), -E2BIG);
	strlcpy(buf, "   ", sizeof(buf));
	KTEST_EXPECT_EQ(test, argv_split(buf, argv, 3), 0);
	strlcpy(buf, "x \"y", sizeof(buf));
	KTEST_EXPECT_EQ(test, argv_split(buf, argv, 3), -EINVAL);
}

/* Sizes: plain numbers, hex, K/M/G/T in either case; junk and overflow fail. */
static void cmdline_parse_sizes(struct ktest *test)
{
	u64 v = 0;

	KTEST_EXPECT_EQ(test, cmdline_parse_size("4096", &v), 0);
	KTEST_EXPECT_EQ(test, v, 4096);
	KTEST_EXPECT_EQ(test, cmdline_parse_size("256M", &v), 0);
	KTEST_EXPECT_EQ(test, v, 256UL << 20);
	KTEST_EXPECT_EQ(test, cmdline_parse_size("2g", &v), 0);
	KTEST_EXPECT_EQ(test, v, 2UL << 30);
	KTEST_EXPECT_EQ(test, cmdline_parse_size("640k", &v), 0);
	KTEST_EXPECT_EQ(test, v, 640UL << 10);
	KTEST_EXPECT_EQ(test, cmdline_parse_size("1T", &v), 0);
	KTEST_EXPECT_EQ(test, v, 1UL << 40);
	KTEST_EXPECT_EQ(test, cmdline_parse_size("0x1000", &v), 0);
	KTEST_EXPECT_EQ(test, v, 0x1000);
	v = 7;
	KTEST_EXPECT_EQ(test, cmdline_parse_size("", &v), -EINVAL);
	KTEST_EXPECT_EQ(test, cmdline_parse_size("M", &v), -EINVAL);
	KTEST_EXPECT_EQ(test, cmdline_parse_size("12Q", &v), -EINVAL);
	KTEST_EXPECT_EQ(test, cmdline_parse_size("1.5G", &v), -EINVAL);
	KTEST_EXPECT_EQ(test, cmdline_parse_size("-1M", &v), -EINVAL);
	KTEST_EXPECT_EQ(test, cmdline_parse_size("99999999999T", &v), -ERANGE);
	KTEST_EXPECT_EQ(test, cmdline_parse_size("123456789012345678901234567890123", &v), -EINVAL);
	KTEST_EXPECT_EQ(test, v, 7); /* untouched on failure */
}

static const struct ktest_case cmdline_cases[] = {
	KTEST_CASE(cmdline_applies_known_keys),
	KTEST_CASE(cmdline_unknown_key_lists_valid_keys),
	KTEST_CASE(cmdline_bad_value_reported),
	KTEST_CASE(cmdline_quotes),
	KTEST_CASE(cmdline_limits),
	KTEST_CASE(cmdline_argv_split),
	KTEST_CASE(cmdline_parse_sizes),
	KTEST_END,
};
KTEST_SUITE(cmdline, cmdline_cases);
