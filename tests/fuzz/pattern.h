/*
 * What the fuzz targets write into memory they own and verify later: a
 * byte pattern derived from a seed (an object's contents), zeroes (GFP_ZERO)
 * and PFN stamps (each page of a block holds its own PFN in its first word,
 * so overlapping allocations show). tests/fuzz/pattern.c is built without
 * coverage: these loops are checks, not code under test.
 */
#ifndef TESTS_FUZZ_PATTERN_H
#define TESTS_FUZZ_PATTERN_H

#include <stddef.h>
#include <stdint.h>

/* Byte i of the @n at @va becomes (uint8_t)(@seed + i). */
void fuzz_pattern_fill(uint8_t *va, size_t n, uint8_t seed);

/* Return: the first byte of the @n at @va not in @seed's pattern, or @n. */
size_t fuzz_pattern_bad(const uint8_t *va, size_t n, uint8_t seed);

/* Return: the first of bytes 0, @stride, 2 * @stride... of the @n at @va
 * that is not zero, or @n. */
size_t fuzz_zero_bad(const uint8_t *va, size_t n, size_t stride);

/* Stamp each of the @n pages at @pfn with its PFN (host platform pages). */
void fuzz_stamp_pages(unsigned long pfn, unsigned long n);

/* Return: the first of the @n pages at @pfn whose stamp is not its PFN,
 * or @pfn + @n. */
unsigned long fuzz_stamp_bad(unsigned long pfn, unsigned long n);

#endif
