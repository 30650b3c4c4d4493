/* The content pattern of TEST pages and checked objects (see test_pattern.h). */
#include "mm/test_pattern.h"

static u64 pattern_word(unsigned long id, size_t i)
{
	u64 x = (id + 1) * 0x9e3779b97f4a7c15ULL + i;

	x ^= x >> 31;
	return x * 0xbf58476d1ce4e5b9ULL;
}

void test_pattern_fill(void *va, size_t bytes, unsigned long id)
{
	size_t i, words = bytes / sizeof(u64);
	u64 *w = va, last;
	u8 *tail = (u8 *)(w + words);

	for (i = 0; i < words; i++)
		w[i] = pattern_word(id, i);
	last = pattern_word(id, words);
	for (i = 0; i < bytes % sizeof(u64); i++)
		tail[i] = (u8)(last >> (8 * i));
}

bool test_pattern_ok(const void *va, size_t bytes, unsigned long id)
{
	size_t i, words = bytes / sizeof(u64);
	const u64 *w = va;
	const u8 *tail = (const u8 *)(w + words);
	u64 last;

	for (i = 0; i < words; i++)
		if (w[i] != pattern_word(id, i))
			return false;
	last = pattern_word(id, words);
	for (i = 0; i < bytes % sizeof(u64); i++)
		if (tail[i] != (u8)(last >> (8 * i)))
			return false;
	return true;
}
