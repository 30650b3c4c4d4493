/*
 * The content pattern (mm/test_pattern.h) on buffers of any size: what
 * fill writes, ok accepts, and one changed byte anywhere, the last of an
 * odd-sized buffer included, or another identity is refused.
 */
#include "lib/ktest.h"
#include "mm/test_pattern.h"

#define BUF_BYTES 64

/* Every size 0..BUF_BYTES round-trips, and nothing past the end is written. */
static void test_pattern_any_size_round_trips(struct ktest *test)
{
	u64 buf[BUF_BYTES / 8 + 1];
	const u8 *b = (const u8 *)buf;
	size_t n, i;

	for (n = 0; n <= BUF_BYTES; n++) {
		for (i = 0; i < sizeof(buf); i++)
			((u8 *)buf)[i] = 0xee;
		test_pattern_fill(buf, n, 7);
		KTEST_EXPECT_TRUE(test, test_pattern_ok(buf, n, 7));
		for (i = n; i < sizeof(buf); i++)
			KTEST_EXPECT_EQ(test, b[i], 0xee);
	}
}

/* A flipped bit in any byte, or the pattern of another id, is refused. */
static void test_pattern_catches_any_changed_byte(struct ktest *test)
{
	u64 buf[5];
	u8 *b = (u8 *)buf;
	size_t n = 37, i; /* four words and a 5-byte tail */

	test_pattern_fill(buf, n, 3);
	KTEST_EXPECT_FALSE(test, test_pattern_ok(buf, n, 4));
	for (i = 0; i < n; i++) {
		b[i] ^= 0x10;
		KTEST_EXPECT_FALSE(test, test_pattern_ok(buf, n, 3));
		b[i] ^= 0x10;
	}
	KTEST_EXPECT_TRUE(test, test_pattern_ok(buf, n, 3));
}

static const struct ktest_case test_pattern_cases[] = {
	KTEST_CASE(test_pattern_any_size_round_trips),
	KTEST_CASE(test_pattern_catches_any_changed_byte),
	KTEST_END,
};
KTEST_SUITE(test_pattern, test_pattern_cases);
