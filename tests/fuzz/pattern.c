/* Patterns the fuzz targets write and verify (see pattern.h). */
#include "tests/fuzz/pattern.h"
#include "tests/host/mm_platform.h"

void fuzz_pattern_fill(uint8_t *va, size_t n, uint8_t seed)
{
	size_t i;

	for (i = 0; i < n; i++)
		va[i] = (uint8_t)(seed + i);
}

size_t fuzz_pattern_bad(const uint8_t *va, size_t n, uint8_t seed)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (va[i] != (uint8_t)(seed + i))
			return i;
	return n;
}

size_t fuzz_zero_bad(const uint8_t *va, size_t n, size_t stride)
{
	size_t i;

	for (i = 0; i < n; i += stride)
		if (va[i])
			return i;
	return n;
}

void fuzz_stamp_pages(unsigned long pfn, unsigned long n)
{
	unsigned long i;

	for (i = 0; i < n; i++)
		*(unsigned long *)mm_pfn_to_virt(pfn + i) = pfn + i;
}

unsigned long fuzz_stamp_bad(unsigned long pfn, unsigned long n)
{
	unsigned long i;

	for (i = 0; i < n; i++)
		if (*(unsigned long *)mm_pfn_to_virt(pfn + i) != pfn + i)
			return pfn + i;
	return pfn + n;
}
