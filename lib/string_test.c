/*
 * Tests for lib/string.c: memory functions at every small size and alignment
 * (against a byte-by-byte reference written here), string searches and
 * comparisons at their edges, and kstrtoul/kstrtol on bases, prefixes,
 * limits and junk. On the host this file is built through
 * tests/host/lib_shim.c, so the calls below reach lib/string.c, not libc.
 */
#include "lib/ktest.h"
#include "lib/string.h"
#include "include/errno.h"

static unsigned char st_src[256], st_dst[256];

static void st_fill_pattern(unsigned char *p, size_t n, unsigned char seed)
{
	size_t i;

	for (i = 0; i < n; i++)
		p[i] = (unsigned char)(seed + i * 7);
}

/* memcpy copies exactly n bytes for every size/offset and touches nothing else. */
static void memcpy_copies_exact_range(struct ktest *test)
{
	size_t off, n, i;

	st_fill_pattern(st_src, sizeof(st_src), 1);
	for (off = 0; off < 9; off++) {
		for (n = 0; n < 70; n++) {
			memset(st_dst, 0xee, sizeof(st_dst));
			KTEST_ASSERT_PTR_EQ(test, memcpy(st_dst + off, st_src + 3, n), st_dst + off);
			for (i = 0; i < sizeof(st_dst); i++) {
				unsigned char want = (i >= off && i < off + n) ? st_src[3 + i - off] : 0xee;

				KTEST_ASSERT_EQ(test, st_dst[i], want);
			}
		}
	}
}

/* memmove handles overlap in both directions like a copy through a temporary. */
static void memmove_handles_overlap_both_ways(struct ktest *test)
{
	static unsigned char ref[64];
	size_t d, s, n, i;

	for (d = 0; d < 16; d++) {
		for (s = 0; s < 16; s++) {
			for (n = 0; n <= 40; n += 3) {
				st_fill_pattern(st_dst, 64, 5);
				st_fill_pattern(ref, 64, 5);
				for (i = 0; i < n; i++) /* reference: via the untouched source */
					ref[d + i] = st_dst[s + i];
				KTEST_ASSERT_PTR_EQ(test, memmove(st_dst + d, st_dst + s, n), st_dst + d);
				KTEST_ASSERT_EQ(test, memcmp(st_dst, ref, 64), 0);
			}
		}
	}
}

/* memset fills with the low byte of c and stops at n. */
static void memset_fills_low_byte_only(struct ktest *test)
{
	size_t n, i;

	for (n = 0; n < 40; n++) {
		memset(st_dst, 0, 64);
		KTEST_ASSERT_PTR_EQ(test, memset(st_dst + 1, 0x1ab, n), st_dst + 1);
		KTEST_ASSERT_EQ(test, st_dst[0], 0);
		for (i = 1; i <= n; i++)
			KTEST_ASSERT_EQ(test, st_dst[i], 0xab);
		KTEST_ASSERT_EQ(test, st_dst[n + 1], 0);
	}
}

/* memcmp compares as unsigned bytes and honours n. */
static void memcmp_orders_unsigned_bytes(struct ktest *test)
{
	const unsigned char a[] = { 1, 2, 0x80 }, b[] = { 1, 2, 0x7f };

	KTEST_EXPECT_GT(test, memcmp(a, b, 3), 0);
	KTEST_EXPECT_LT(test, memcmp(b, a, 3), 0);
	KTEST_EXPECT_EQ(test, memcmp(a, b, 2), 0);
	KTEST_EXPECT_EQ(test, memcmp(a, b, 0), 0);
}

/* strlen/strnlen count bytes before the NUL; strnlen stops at maxlen. */
static void strlen_strnlen_count_to_nul_or_limit(struct ktest *test)
{
	const char s[] = { 'a', 'b', 'c' }; /* not terminated: strnlen must stop */

	KTEST_EXPECT_EQ(test, strlen(""), 0);
	KTEST_EXPECT_EQ(test, strlen("hello"), 5);
	KTEST_EXPECT_EQ(test, strnlen("hello", 3), 3);
	KTEST_EXPECT_EQ(test, strnlen("hi", 10), 2);
	KTEST_EXPECT_EQ(test, strnlen(s, sizeof(s)), 3);
	KTEST_EXPECT_EQ(test, strnlen("x", 0), 0);
}

/* strcmp/strncmp compare as unsigned chars and stop at NUL or n. */
static void strcmp_strncmp_order_and_limits(struct ktest *test)
{
	KTEST_EXPECT_EQ(test, strcmp("abc", "abc"), 0);
	KTEST_EXPECT_LT(test, strcmp("abc", "abd"), 0);
	KTEST_EXPECT_GT(test, strcmp("abc", "ab"), 0);
	KTEST_EXPECT_LT(test, strcmp("", "a"), 0);
	KTEST_EXPECT_GT(test, strcmp("\xff", "a"), 0);
	KTEST_EXPECT_EQ(test, strncmp("abcx", "abcy", 3), 0);
	KTEST_EXPECT_LT(test, strncmp("abcx", "abcy", 4), 0);
	KTEST_EXPECT_EQ(test, strncmp("a", "b", 0), 0);
	KTEST_EXPECT_EQ(test, strncmp("ab", "ab", 100), 0);
}

/* strchr/strrchr find first/last byte, NUL finds the terminator, miss is NULL. */
static void strchr_strrchr_find_first_and_last(struct ktest *test)
{
	const char *s = "a/b/c";

	KTEST_EXPECT_PTR_EQ(test, strchr(s, '/'), s + 1);
	KTEST_EXPECT_PTR_EQ(test, strrchr(s, '/'), s + 3);
	KTEST_EXPECT_PTR_EQ(test, strchr(s, '\0'), s + 5);
	KTEST_EXPECT_PTR_EQ(test, strrchr(s, '\0'), s + 5);
	KTEST_EXPECT_NULL(test, strchr(s, 'z'));
	KTEST_EXPECT_NULL(test, strrchr(s, 'z'));
	KTEST_EXPECT_PTR_EQ(test, strchr(s, 'a' + 256), s); /* c is converted to char */
}

/* strstr finds the first match, handles empty needle and near-misses. */
static void strstr_finds_first_occurrence(struct ktest *test)
{
	const char *h = "aaab aab ab";

	KTEST_EXPECT_PTR_EQ(test, strstr(h, "ab"), h + 2);
	KTEST_EXPECT_PTR_EQ(test, strstr(h, ""), h);
	KTEST_EXPECT_NOT_NULL(test, strstr("", ""));
	KTEST_EXPECT_NULL(test, strstr(h, "abc"));
	KTEST_EXPECT_NULL(test, strstr("", "a"));
	KTEST_EXPECT_PTR_EQ(test, strstr(h, " ab"), h + 8);
}

/* strlcpy truncates, always terminates, and returns strlen(src). */
static void strlcpy_truncates_and_terminates(struct ktest *test)
{
	char buf[6];

	memset(buf, 'x', sizeof(buf));
	KTEST_EXPECT_EQ(test, strlcpy(buf, "hello world", sizeof(buf)), 11);
	KTEST_EXPECT_STREQ(test, buf, "hello");
	KTEST_EXPECT_EQ(test, strlcpy(buf, "hi", sizeof(buf)), 2);
	KTEST_EXPECT_STREQ(test, buf, "hi");
	buf[0] = 'q';
	KTEST_EXPECT_EQ(test, strlcpy(buf, "abc", 0), 3);
	KTEST_EXPECT_EQ(test, buf[0], 'q');
	KTEST_EXPECT_EQ(test, strlcpy(buf, "abc", 1), 3);
	KTEST_EXPECT_EQ(test, buf[0], '\0');
}

/*
 * One kstrtoul/kstrtol input: the string, the base, the expected return and,
 * when that is 0, the expected value. The tables below keep each case one
 * line; a failure names the input, which the shared expectation cannot.
 */
struct kstrtoul_case {
	const char *s;
	unsigned int base;
	int err;
	unsigned long value;
};

struct kstrtol_case {
	const char *s;
	unsigned int base;
	int err;
	long value;
};

/* Run kstrtoul over @cases; @unset is what the output holds before each call
 * and must still hold after every error. */
static void expect_kstrtoul_cases(struct ktest *test, const struct kstrtoul_case *cases,
				  size_t nr_cases, unsigned long unset)
{
	size_t i;

	for (i = 0; i < nr_cases; i++) {
		const struct kstrtoul_case *want = &cases[i];
		unsigned int before = test->failures;
		unsigned long v = unset;

		KTEST_EXPECT_EQ(test, kstrtoul(want->s, want->base, &v), want->err);
		KTEST_EXPECT_EQ(test, v, want->err ? unset : want->value);
		if (test->failures != before)
			ktest_diag(test, "kstrtoul(\"%s\", %u)", want->s, want->base);
	}
}

/* kstrtoul parses every base, auto-detects 0x/0 with base 0. */
static void kstrtoul_parses_bases_and_prefixes(struct ktest *test)
{
	static const struct kstrtoul_case cases[] = {
		{ "0", 0, 0, 0 },
		{ "1234", 10, 0, 1234 },
		{ "0x1F", 0, 0, 31 },
		{ "0X1f", 16, 0, 31 },
		{ "ff", 16, 0, 255 },
		{ "017", 0, 0, 15 },
		{ "017", 10, 0, 17 },
		{ "101", 2, 0, 5 },
		{ "zz", 36, 0, 36 * 35 + 35 },
		{ "+7", 10, 0, 7 },
		{ "18446744073709551615", 10, 0, ~0UL },
		{ "0xffffffffffffffff", 0, 0, ~0UL },
	};

	expect_kstrtoul_cases(test, cases, ARRAY_SIZE(cases), 0);
}

/* kstrtoul rejects junk/empty/bad base with -EINVAL, overflow with -ERANGE;
 * the output is untouched on every error. */
static void kstrtoul_rejects_junk_and_overflow(struct ktest *test)
{
	static const struct kstrtoul_case cases[] = {
		{ "", 10, -EINVAL, 0 },
		{ "12a", 10, -EINVAL, 0 },
		{ " 12", 10, -EINVAL, 0 },
		{ "12\n", 10, -EINVAL, 0 },
		{ "-1", 10, -EINVAL, 0 },
		{ "0x", 0, -EINVAL, 0 },
		{ "08", 0, -EINVAL, 0 },
		{ "2", 2, -EINVAL, 0 },
		{ "+", 10, -EINVAL, 0 },
		{ "1", 1, -EINVAL, 0 },
		{ "1", 37, -EINVAL, 0 },
		{ "18446744073709551616", 10, -ERANGE, 0 },
		{ "0x10000000000000000", 0, -ERANGE, 0 },
		{ "99999999999999999999x", 10, -EINVAL, 0 },
	};

	expect_kstrtoul_cases(test, cases, ARRAY_SIZE(cases), 42);
}

/* kstrtol accepts signs and the exact limits, rejects one past them. */
static void kstrtol_handles_sign_and_limits(struct ktest *test)
{
	static const struct kstrtol_case cases[] = {
		{ "-42", 10, 0, -42 },
		{ "+42", 10, 0, 42 },
		{ "-0x10", 0, 0, -16 },
		{ "-0", 10, 0, 0 },
		{ "9223372036854775807", 10, 0, __LONG_MAX__ },
		{ "-9223372036854775808", 10, 0, -__LONG_MAX__ - 1 },
		{ "9223372036854775808", 10, -ERANGE, 0 },
		{ "-9223372036854775809", 10, -ERANGE, 0 },
		{ "--1", 10, -EINVAL, 0 },
		{ "-", 10, -EINVAL, 0 },
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		const struct kstrtol_case *want = &cases[i];
		unsigned int before = test->failures;
		long v = 0;

		KTEST_EXPECT_EQ(test, kstrtol(want->s, want->base, &v), want->err);
		if (!want->err)
			KTEST_EXPECT_EQ(test, v, want->value);
		if (test->failures != before)
			ktest_diag(test, "kstrtol(\"%s\", %u)", want->s, want->base);
	}
}

static const struct ktest_case string_cases[] = {
	KTEST_CASE(memcpy_copies_exact_range),
	KTEST_CASE(memmove_handles_overlap_both_ways),
	KTEST_CASE(memset_fills_low_byte_only),
	KTEST_CASE(memcmp_orders_unsigned_bytes),
	KTEST_CASE(strlen_strnlen_count_to_nul_or_limit),
	KTEST_CASE(strcmp_strncmp_order_and_limits),
	KTEST_CASE(strchr_strrchr_find_first_and_last),
	KTEST_CASE(strstr_finds_first_occurrence),
	KTEST_CASE(strlcpy_truncates_and_terminates),
	KTEST_CASE(kstrtoul_parses_bases_and_prefixes),
	KTEST_CASE(kstrtoul_rejects_junk_and_overflow),
	KTEST_CASE(kstrtol_handles_sign_and_limits),
	KTEST_END,
};
KTEST_SUITE(string, string_cases);
