/*
 * Bitmap range updates and searches, a word at a time (ctz, popcount).
 * Every search reads only the words that hold bits below @size and masks off
 * the don't-care bits past @size in the last one, so a caller never needs to
 * keep those bits clear. Not atomic; the caller serialises.
 */
#include "lib/bitmap.h"
#include "lib/string.h"

/* Mask of @cnt bits (1..64) starting at bit @bit of a word. */
static unsigned long range_mask(unsigned long bit, unsigned long cnt)
{
	unsigned long m = cnt >= BITS_PER_LONG ? ~0UL : (1UL << cnt) - 1;

	return m << bit;
}

/*
 * Set bits in @w. Written out (SWAR) instead of __builtin_popcountl: without
 * -mpopcnt gcc turns the builtin into a call to libgcc's __popcountdi2, and
 * the kernel does not link libgcc.
 */
static unsigned long hweight_long(unsigned long w)
{
	w = w - ((w >> 1) & 0x5555555555555555UL);
	w = (w & 0x3333333333333333UL) + ((w >> 2) & 0x3333333333333333UL);
	w = (w + (w >> 4)) & 0x0f0f0f0f0f0f0f0fUL;
	return (w * 0x0101010101010101UL) >> 56;
}

/**
 * bitmap_zero - clear bits [0, @size) of @map (whole words, tail included).
 */
void bitmap_zero(unsigned long *map, unsigned long size)
{
	memset(map, 0, BITS_TO_LONGS(size) * sizeof(unsigned long));
}

/* Set (@set true) or clear the bits [start, start + n). */
static void update_range(unsigned long *map, unsigned long start, unsigned long n,
			 bool set)
{
	unsigned long end = start + n;

	while (start < end) {
		unsigned long bit = start % BITS_PER_LONG;
		unsigned long cnt = MIN(BITS_PER_LONG - bit, end - start);
		unsigned long mask = range_mask(bit, cnt);

		if (set)
			map[BIT_WORD(start)] |= mask;
		else
			map[BIT_WORD(start)] &= ~mask;
		start += cnt;
	}
}

/**
 * bitmap_set - set the bits [@start, @start + @n) of @map.
 */
void bitmap_set(unsigned long *map, unsigned long start, unsigned long n)
{
	update_range(map, start, n, true);
}

/**
 * bitmap_clear - clear the bits [@start, @start + @n) of @map.
 */
void bitmap_clear(unsigned long *map, unsigned long start, unsigned long n)
{
	update_range(map, start, n, false);
}

/* First bit >= @start below @size whose value XOR @invert bit is 1. */
static unsigned long find_next(const unsigned long *map, unsigned long size,
			       unsigned long start, unsigned long invert)
{
	unsigned long i, word, bit;

	if (start >= size)
		return size;
	i = BIT_WORD(start);
	word = (map[i] ^ invert) & (~0UL << (start % BITS_PER_LONG));
	while (!word) {
		if (++i >= BITS_TO_LONGS(size))
			return size;
		word = map[i] ^ invert;
	}
	bit = i * BITS_PER_LONG + (unsigned long)__builtin_ctzl(word);
	return MIN(bit, size);
}

/**
 * bitmap_find_next_bit - find the first set bit at or after @start.
 * @map: the bitmap.
 * @size: number of valid bits in @map.
 * @start: first bit to look at.
 *
 * Return: the bit's index, or @size when no bit in [@start, @size) is set.
 */
unsigned long bitmap_find_next_bit(const unsigned long *map, unsigned long size,
				   unsigned long start)
{
	return find_next(map, size, start, 0);
}

/**
 * bitmap_find_next_zero_bit - find the first clear bit at or after @start.
 * @map: the bitmap.
 * @size: number of valid bits in @map.
 * @start: first bit to look at.
 *
 * Return: the bit's index, or @size when every bit in [@start, @size) is set.
 */
unsigned long bitmap_find_next_zero_bit(const unsigned long *map, unsigned long size,
					unsigned long start)
{
	return find_next(map, size, start, ~0UL);
}

/**
 * bitmap_weight - count the set bits of @map below @size.
 *
 * Return: the number of set bits in [0, @size).
 */
unsigned long bitmap_weight(const unsigned long *map, unsigned long size)
{
	unsigned long i, w = 0, full = size / BITS_PER_LONG;

	for (i = 0; i < full; i++)
		w += hweight_long(map[i]);
	if (size % BITS_PER_LONG)
		w += hweight_long(map[full] & range_mask(0, size % BITS_PER_LONG));
	return w;
}

/**
 * bitmap_empty - Return: true when no bit of @map below @size is set.
 */
bool bitmap_empty(const unsigned long *map, unsigned long size)
{
	return bitmap_find_next_bit(map, size, 0) == size;
}

/**
 * bitmap_full - Return: true when every bit of @map below @size is set.
 */
bool bitmap_full(const unsigned long *map, unsigned long size)
{
	return bitmap_find_next_zero_bit(map, size, 0) == size;
}
