/* The content pattern of TEST pages (see test_pattern.h). */
#include "mm/test_pattern.h"

static u64 pattern_word(unsigned long id, size_t i)
{
	u64 x = (id + 1) * 0x9e3779b97f4a7c15ULL + i;

	x ^= x >> 31;
	return x * 0xbf58476d1ce4e5b9ULL;
}

void test_pattern_fill(void *va, size_t bytes, unsigned long id)
{
	u64 *w = va;
	size_t i;

	for (i = 0; i < bytes / sizeof(u64); i++)
		w[i] = pattern_word(id, i);
}

bool test_pattern_ok(const void *va, size_t bytes, unsigned long id)
{
	const u64 *w = va;
	size_t i;

	for (i = 0; i < bytes / sizeof(u64); i++)
		if (w[i] != pattern_word(id, i))
			return false;
	return true;
}
