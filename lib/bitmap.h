/*
 * Bitmaps as arrays of unsigned long: bit n lives in word n / BITS_PER_LONG
 * at position n % BITS_PER_LONG. Sizes and positions are counted in bits and
 * ranges are half-open [start, start + n). Bits past @size in the last word
 * are "don't care": queries ignore them and only the range setters, which stay
 * inside the range they are given, ever write near them.
 *
 * Nothing here is atomic: the owner of the bitmap serialises access.
 */
#ifndef LIB_BITMAP_H
#define LIB_BITMAP_H

#include "include/compiler.h"

#define BITS_PER_LONG 64
#define BITS_TO_LONGS(nbits) DIV_ROUND_UP(nbits, BITS_PER_LONG)
#define DECLARE_BITMAP(name, nbits) unsigned long name[BITS_TO_LONGS(nbits)]

_Static_assert(sizeof(unsigned long) * 8 == BITS_PER_LONG, "LP64 only");

#define BIT_WORD(nr) ((nr) / BITS_PER_LONG)
#define BIT_MASK(nr) (1UL << ((nr) % BITS_PER_LONG))

/* bitmap_set_bit - set bit @nr of @map. */
static inline void bitmap_set_bit(unsigned long *map, unsigned long nr)
{
	map[BIT_WORD(nr)] |= BIT_MASK(nr);
}

/* bitmap_clear_bit - clear bit @nr of @map. */
static inline void bitmap_clear_bit(unsigned long *map, unsigned long nr)
{
	map[BIT_WORD(nr)] &= ~BIT_MASK(nr);
}

/* bitmap_test_bit - Return: true when bit @nr of @map is set. */
static inline bool bitmap_test_bit(const unsigned long *map, unsigned long nr)
{
	return (map[BIT_WORD(nr)] & BIT_MASK(nr)) != 0;
}

/* bitmap_test_and_set_bit - set bit @nr; Return: its previous value. */
static inline bool bitmap_test_and_set_bit(unsigned long *map, unsigned long nr)
{
	bool old = bitmap_test_bit(map, nr);

	bitmap_set_bit(map, nr);
	return old;
}

/* bitmap_test_and_clear_bit - clear bit @nr; Return: its previous value. */
static inline bool bitmap_test_and_clear_bit(unsigned long *map, unsigned long nr)
{
	bool old = bitmap_test_bit(map, nr);

	bitmap_clear_bit(map, nr);
	return old;
}

void bitmap_zero(unsigned long *map, unsigned long size);
void bitmap_set(unsigned long *map, unsigned long start, unsigned long n);
void bitmap_clear(unsigned long *map, unsigned long start, unsigned long n);
unsigned long bitmap_find_next_bit(const unsigned long *map, unsigned long size,
				   unsigned long start);
unsigned long bitmap_find_next_zero_bit(const unsigned long *map, unsigned long size,
					unsigned long start);
unsigned long bitmap_weight(const unsigned long *map, unsigned long size);
bool bitmap_empty(const unsigned long *map, unsigned long size);
bool bitmap_full(const unsigned long *map, unsigned long size);

/* Iterate @bit over the set bits of @map below @size, in increasing order. */
#define bitmap_for_each_set_bit(bit, map, size)                       \
	for ((bit) = bitmap_find_next_bit(map, size, 0); (bit) < (size); \
	     (bit) = bitmap_find_next_bit(map, size, (bit) + 1))

#endif
