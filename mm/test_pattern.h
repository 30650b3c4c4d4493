/*
 * The content pattern of TEST pages (mm/test_owner.h) and of the objects
 * the benchmarks check: every 64-bit word of a buffer derives from its
 * owner-given identity and its index, so the pattern survives moves and a
 * copy that lost, shifted or mixed up data shows. A buffer whose size is
 * not a multiple of 8 ends with the first bytes of its next word (the low
 * ones first). A checker on its own: the fuzz targets build it without
 * coverage (the fuzzer learns nothing from its loop, which would cost most
 * of a migration input's time).
 */
#ifndef MM_TEST_PATTERN_H
#define MM_TEST_PATTERN_H

#include "include/types.h"

/* Fill the @bytes at @va (8-byte aligned) with @id's pattern. */
void test_pattern_fill(void *va, size_t bytes, unsigned long id);

/* Return: true when the @bytes at @va (8-byte aligned) hold @id's pattern. */
bool test_pattern_ok(const void *va, size_t bytes, unsigned long id);

#endif
