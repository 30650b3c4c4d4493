/*
 * Tests for lib/bitmap.c: single bits at word edges, range updates and
 * searches against a one-byte-per-bit reference under random operations
 * (fixed seed), and that bits past @size never leak into query results.
 */
#include "lib/ktest.h"
#include "lib/bitmap.h"
#include "lib/prng.h"

#define BT_BITS 300 /* not a multiple of 64: the last word has a tail */

static DECLARE_BITMAP(bt_map, BT_BITS);
static unsigned char bt_ref[BT_BITS];

/* Every query of bt_map agrees with bt_ref; returns false at the first mismatch. */
static bool bt_matches_ref(struct ktest *test)
{
	unsigned long i, next_set = BT_BITS, next_zero = BT_BITS, weight = 0;
	unsigned int before = test->failures;

	for (i = BT_BITS; i-- > 0 && test->failures == before;) {
		if (bt_ref[i]) {
			next_set = i;
			weight++;
		} else {
			next_zero = i;
		}
		KTEST_EXPECT_EQ(test, bitmap_test_bit(bt_map, i), bt_ref[i]);
		KTEST_EXPECT_EQ(test, bitmap_find_next_bit(bt_map, BT_BITS, i), next_set);
		KTEST_EXPECT_EQ(test, bitmap_find_next_zero_bit(bt_map, BT_BITS, i), next_zero);
	}
	KTEST_EXPECT_EQ(test, bitmap_weight(bt_map, BT_BITS), weight);
	KTEST_EXPECT_EQ(test, bitmap_empty(bt_map, BT_BITS), weight == 0);
	KTEST_EXPECT_EQ(test, bitmap_full(bt_map, BT_BITS), weight == BT_BITS);
	return test->failures == before;
}

/* Single-bit set/clear/test at word boundaries, and the test_and_ variants. */
static void bitmap_single_bits_at_word_edges(struct ktest *test)
{
	static const unsigned long bits[] = { 0, 1, 63, 64, 127, 128, 255, 299 };
	unsigned int i;

	bitmap_zero(bt_map, BT_BITS);
	for (i = 0; i < ARRAY_SIZE(bits); i++) {
		KTEST_EXPECT_FALSE(test, bitmap_test_and_set_bit(bt_map, bits[i]));
		KTEST_EXPECT_TRUE(test, bitmap_test_bit(bt_map, bits[i]));
	}
	KTEST_EXPECT_EQ(test, bitmap_weight(bt_map, BT_BITS), ARRAY_SIZE(bits));
	KTEST_EXPECT_EQ(test, bt_map[0], 0x8000000000000003UL);
	KTEST_EXPECT_TRUE(test, bitmap_test_and_clear_bit(bt_map, 64));
	KTEST_EXPECT_FALSE(test, bitmap_test_and_clear_bit(bt_map, 64));
	bitmap_clear_bit(bt_map, 0);
	KTEST_EXPECT_EQ(test, bitmap_find_next_bit(bt_map, BT_BITS, 0), 1);
	KTEST_EXPECT_EQ(test, bitmap_find_next_bit(bt_map, BT_BITS, 64), 127);
}

/* Searches return @size when nothing matches, also for start >= size. */
static void bitmap_find_returns_size_when_none(struct ktest *test)
{
	bitmap_zero(bt_map, BT_BITS);
	KTEST_EXPECT_EQ(test, bitmap_find_next_bit(bt_map, BT_BITS, 0), BT_BITS);
	KTEST_EXPECT_EQ(test, bitmap_find_next_zero_bit(bt_map, BT_BITS, BT_BITS), BT_BITS);
	KTEST_EXPECT_EQ(test, bitmap_find_next_bit(bt_map, BT_BITS, 1000), BT_BITS);
	bitmap_set(bt_map, 0, BT_BITS);
	KTEST_EXPECT_EQ(test, bitmap_find_next_zero_bit(bt_map, BT_BITS, 0), BT_BITS);
	KTEST_EXPECT_TRUE(test, bitmap_full(bt_map, BT_BITS));
	KTEST_EXPECT_EQ(test, bitmap_find_next_bit(bt_map, 0, 0), 0);
}

/* Bits past @size in the last word are ignored by every query. */
static void bitmap_queries_ignore_tail_bits(struct ktest *test)
{
	unsigned long *last = &bt_map[BITS_TO_LONGS(BT_BITS) - 1];
	unsigned long tail = ~0UL << (BT_BITS % BITS_PER_LONG);

	bitmap_zero(bt_map, BT_BITS);
	*last = tail;
	KTEST_EXPECT_TRUE(test, bitmap_empty(bt_map, BT_BITS));
	KTEST_EXPECT_EQ(test, bitmap_weight(bt_map, BT_BITS), 0);
	KTEST_EXPECT_EQ(test, bitmap_find_next_bit(bt_map, BT_BITS, 290), BT_BITS);
	bitmap_set(bt_map, 0, BT_BITS);
	*last &= ~tail;
	KTEST_EXPECT_TRUE(test, bitmap_full(bt_map, BT_BITS));
	KTEST_EXPECT_EQ(test, bitmap_find_next_zero_bit(bt_map, BT_BITS, 290), BT_BITS);
	KTEST_EXPECT_EQ(test, bitmap_weight(bt_map, 70), 70);
}

/* bitmap_for_each_set_bit visits exactly the set bits, in order. */
static void bitmap_for_each_set_bit_visits_set_bits(struct ktest *test)
{
	unsigned long bit, sum = 0, nr = 0, prev = 0;

	bitmap_zero(bt_map, BT_BITS);
	bitmap_set(bt_map, 5, 3);
	bitmap_set(bt_map, 200, 1);
	bitmap_set_bit(bt_map, BT_BITS - 1);
	bitmap_for_each_set_bit(bit, bt_map, BT_BITS) {
		KTEST_EXPECT_TRUE(test, nr == 0 || bit > prev);
		prev = bit;
		sum += bit;
		nr++;
	}
	KTEST_EXPECT_EQ(test, nr, 5);
	KTEST_EXPECT_EQ(test, sum, 5 + 6 + 7 + 200 + BT_BITS - 1);
}

/* Random range sets/clears and single-bit ops agree with a per-bit reference. */
static void bitmap_random_ops_match_reference(struct ktest *test)
{
	struct prng rng;
	unsigned long i, op, start, n;

	prng_seed(&rng, 0xb17b17);
	bitmap_zero(bt_map, BT_BITS);
	for (i = 0; i < BT_BITS; i++)
		bt_ref[i] = 0;
	for (op = 0; op < 2000; op++) {
		start = prng_below(&rng, BT_BITS);
		n = prng_below(&rng, BT_BITS - start + 1);
		switch (prng_below(&rng, 4)) {
		case 0:
			bitmap_set(bt_map, start, n);
			for (i = start; i < start + n; i++)
				bt_ref[i] = 1;
			break;
		case 1:
			bitmap_clear(bt_map, start, n);
			for (i = start; i < start + n; i++)
				bt_ref[i] = 0;
			break;
		case 2:
			bitmap_set_bit(bt_map, start);
			bt_ref[start] = 1;
			break;
		default:
			bitmap_clear_bit(bt_map, start);
			bt_ref[start] = 0;
			break;
		}
		if (op % 50 == 0 && !bt_matches_ref(test))
			return;
	}
	bt_matches_ref(test);
}

static const struct ktest_case bitmap_cases[] = {
	KTEST_CASE(bitmap_single_bits_at_word_edges),
	KTEST_CASE(bitmap_find_returns_size_when_none),
	KTEST_CASE(bitmap_queries_ignore_tail_bits),
	KTEST_CASE(bitmap_for_each_set_bit_visits_set_bits),
	KTEST_CASE(bitmap_random_ops_match_reference),
	KTEST_END,
};
KTEST_SUITE(bitmap, bitmap_cases);
