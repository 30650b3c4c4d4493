/*
 * Tests for lib/printf.c: each conversion with its length modifiers, flags,
 * width and precision (literal and '*'), the documented choices (%p, NULL
 * strings, unknown conversions) and C99 truncation semantics. On the host
 * this file is built through tests/host/lib_shim.c, so snprintf here is ours.
 */
#include "lib/ktest.h"
#include "lib/printf.h"
#include "lib/string.h"

/* snprintf into a roomy buffer; expect both the text and the return value. */
#define PT_EXPECT(t, want, ...)                                           \
	do {                                                              \
		char __buf[160];                                          \
		int __n = snprintf(__buf, sizeof(__buf), __VA_ARGS__);     \
		KTEST_EXPECT_STREQ(t, __buf, want);                       \
		KTEST_EXPECT_EQ(t, __n, (int)strlen(want));               \
	} while (0)

/* %d/%i with every length modifier, including the most negative values. */
static void printf_formats_signed_with_length_modifiers(struct ktest *test)
{
	PT_EXPECT(test, "0 -1 42", "%d %i %d", 0, -1, 42);
	PT_EXPECT(test, "-2147483648", "%d", -__INT_MAX__ - 1);
	PT_EXPECT(test, "-9223372036854775808", "%ld", -__LONG_MAX__ - 1);
	PT_EXPECT(test, "-9223372036854775808", "%lld", -__LONG_LONG_MAX__ - 1);
	PT_EXPECT(test, "-3 -4", "%hd %hhd", (short)-3, (signed char)-4);
	PT_EXPECT(test, "-5 -6 -7", "%zd %td %jd", (long)-5, (ptrdiff_t)-6, (intmax_t)-7);
}

/* %u %x %X %o with length modifiers, down to hh truncation. */
static void printf_formats_unsigned_bases(struct ktest *test)
{
	PT_EXPECT(test, "4294967295 ffffffff FFFFFFFF 37777777777", "%u %x %X %o",
		  ~0U, ~0U, ~0U, ~0U);
	PT_EXPECT(test, "ffffffffffffffff", "%lx", ~0UL);
	PT_EXPECT(test, "1777777777777777777777", "%llo", ~0ULL);
	PT_EXPECT(test, "255 ffff", "%hhu %hx", (unsigned char)255, (unsigned short)0xffff);
	PT_EXPECT(test, "18446744073709551615", "%zu", (size_t)-1);
	PT_EXPECT(test, "0 0 0", "%u %x %o", 0, 0, 0);
}

/* '-', '0', '+', ' ' and '#' flags, alone and in their overriding combinations. */
static void printf_applies_flags(struct ktest *test)
{
	PT_EXPECT(test, "[42   ]", "[%-5d]", 42);
	PT_EXPECT(test, "[00042]", "[%05d]", 42);
	PT_EXPECT(test, "[-0042]", "[%05d]", -42);
	PT_EXPECT(test, "+42 -42", "%+d %+d", 42, -42);
	PT_EXPECT(test, " 42 -42", "% d % d", 42, -42);
	PT_EXPECT(test, "0xff 0XFF 017", "%#x %#X %#o", 255, 255, 15);
	PT_EXPECT(test, "0 0", "%#x %#o", 0, 0);
	PT_EXPECT(test, "0x00ff", "%#06x", 255);
	PT_EXPECT(test, "[  0xff]", "[%#6x]", 255);
}

/* Width and precision, literal and '*', on numbers: precision = minimum digits. */
static void printf_applies_width_and_precision_to_numbers(struct ktest *test)
{
	PT_EXPECT(test, "[     042]", "[%8.3d]", 42);
	PT_EXPECT(test, "[    -042]", "[%8.3d]", -42);
	PT_EXPECT(test, "[]", "[%.0d]", 0);
	PT_EXPECT(test, "[     ]", "[%5.0u]", 0);
	PT_EXPECT(test, "[000ab]", "[%.5x]", 0xab);
	PT_EXPECT(test, "[0x000ab]", "[%#.5x]", 0xab);
	PT_EXPECT(test, "[012]", "[%#.3o]", 10);
	PT_EXPECT(test, "[0012]", "[%#.4o]", 10);
	PT_EXPECT(test, "[    7]", "[%*d]", 5, 7);
	PT_EXPECT(test, "[7    ]", "[%*d]", -5, 7); /* negative width = '-' */
	PT_EXPECT(test, "[007]", "[%.*d]", 3, 7);
	PT_EXPECT(test, "[7]", "[%.*d]", -3, 7); /* negative precision = none */
	PT_EXPECT(test, "[  007]", "[%*.*d]", 5, 3, 7);
}

/* %s precision reads at most that many bytes; width pads; %c and %% print one char. */
static void printf_formats_strings_and_chars(struct ktest *test)
{
	static const char unterminated[4] = { 'a', 'b', 'c', 'd' };

	PT_EXPECT(test, "[hello]", "[%s]", "hello");
	PT_EXPECT(test, "[hel]", "[%.3s]", "hello");
	PT_EXPECT(test, "[abcd]", "[%.4s]", unterminated);
	PT_EXPECT(test, "[ab]", "[%.*s]", 2, "abc");
	PT_EXPECT(test, "[   hi]", "[%5s]", "hi");
	PT_EXPECT(test, "[hi   ]", "[%-5s]", "hi");
	PT_EXPECT(test, "[]", "[%.0s]", "hi");
	PT_EXPECT(test, "[A] [  B] [C  ]", "[%c] [%3c] [%-3c]", 'A', 'B', 'C');
	PT_EXPECT(test, "100% %", "100%% %%");
}

/* %p is 0x plus 16 hex digits, NULL included; width and '-' apply. */
static void printf_formats_pointers_fixed_width(struct ktest *test)
{
	PT_EXPECT(test, "0x0000000000001234", "%p", (void *)0x1234);
	PT_EXPECT(test, "0x0000000000000000", "%p", NULL);
	PT_EXPECT(test, "0xffffffff80000000", "%p", (void *)0xffffffff80000000UL);
	PT_EXPECT(test, "[  0x0000000000000001]", "[%20p]", (void *)1);
	PT_EXPECT(test, "[0x0000000000000001  ]", "[%-20p]", (void *)1);
}

/* Truncated output stays terminated and the return value is the full length. */
static void printf_truncates_and_returns_full_length(struct ktest *test)
{
	char buf[8];

	memset(buf, 'x', sizeof(buf));
	KTEST_EXPECT_EQ(test, snprintf(buf, 5, "hello %s", "world"), 11);
	KTEST_EXPECT_STREQ(test, buf, "hell");
	KTEST_EXPECT_EQ(test, buf[5], 'x'); /* nothing written past size */
	KTEST_EXPECT_EQ(test, snprintf(NULL, 0, "%d", 12345), 5);
	KTEST_EXPECT_EQ(test, snprintf(buf, 1, "abc"), 3);
	KTEST_EXPECT_EQ(test, buf[0], '\0');
	KTEST_EXPECT_EQ(test, snprintf(buf, sizeof(buf), "%100d", 1), 100);
	KTEST_EXPECT_EQ(test, strlen(buf), sizeof(buf) - 1);
	KTEST_EXPECT_EQ(test, snprintf(buf, sizeof(buf), "%s", ""), 0);
	KTEST_EXPECT_STREQ(test, buf, "");
}

/* scnprintf returns what was stored, not what would have been. */
static void scnprintf_returns_stored_length(struct ktest *test)
{
	char buf[8];

	KTEST_EXPECT_EQ(test, scnprintf(buf, sizeof(buf), "%s", "abcdefghij"), 7);
	KTEST_EXPECT_STREQ(test, buf, "abcdefg");
	KTEST_EXPECT_EQ(test, scnprintf(buf, sizeof(buf), "%d", 12), 2);
	KTEST_EXPECT_EQ(test, scnprintf(buf, 0, "%d", 12), 0);
}

/* The cases below break printf's rules on purpose: silence the format checker. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat"
#pragma GCC diagnostic ignored "-Wformat-extra-args"
#ifdef __clang__
#pragma GCC diagnostic ignored "-Wformat-invalid-specifier"
#else
#pragma GCC diagnostic ignored "-Wformat-overflow"
#endif
/* h and hh convert the promoted int argument back to (unsigned) short/char. */
static void printf_truncates_h_and_hh_arguments(struct ktest *test)
{
	PT_EXPECT(test, "4464 -56", "%hd %hhd", 70000, 200);
	PT_EXPECT(test, "5 ffff", "%hhu %hx", 261, 0x1ffff);
}

/* A NULL %s argument prints "(null)", cut by the precision like a string. */
static void printf_prints_null_string_as_null(struct ktest *test)
{
	PT_EXPECT(test, "(null)", "%s", (char *)NULL);
	PT_EXPECT(test, "[(nu]", "[%.3s]", (char *)NULL);
	PT_EXPECT(test, "[  (null)]", "[%8s]", (char *)NULL);
}

/* Conflicting flags resolve as C says: '+' beats ' ', '-' and precision beat '0'. */
static void printf_resolves_conflicting_flags(struct ktest *test)
{
	PT_EXPECT(test, "+42", "%+ d", 42);
	PT_EXPECT(test, "[42   ]", "[%-05d]", 42);
	PT_EXPECT(test, "[     042]", "[%08.3d]", 42);
	PT_EXPECT(test, "7", "%+u", 7); /* sign flags do not apply to unsigned */
}

/* An unknown conversion, or a format ending mid-specification, prints literally. */
static void printf_prints_unknown_conversion_literally(struct ktest *test)
{
	PT_EXPECT(test, "[%y]", "[%y]");
	PT_EXPECT(test, "a%-5kb 7", "a%-5kb %d", 7);
	PT_EXPECT(test, "abc%", "abc%");
	PT_EXPECT(test, "x%-08.3l", "x%-08.3l");
}
#pragma GCC diagnostic pop

static const struct ktest_case printf_cases[] = {
	KTEST_CASE(printf_formats_signed_with_length_modifiers),
	KTEST_CASE(printf_formats_unsigned_bases),
	KTEST_CASE(printf_applies_flags),
	KTEST_CASE(printf_applies_width_and_precision_to_numbers),
	KTEST_CASE(printf_formats_strings_and_chars),
	KTEST_CASE(printf_formats_pointers_fixed_width),
	KTEST_CASE(printf_truncates_and_returns_full_length),
	KTEST_CASE(scnprintf_returns_stored_length),
	KTEST_CASE(printf_truncates_h_and_hh_arguments),
	KTEST_CASE(printf_prints_null_string_as_null),
	KTEST_CASE(printf_resolves_conflicting_flags),
	KTEST_CASE(printf_prints_unknown_conversion_literally),
	KTEST_END,
};
KTEST_SUITE(printf, printf_cases);
