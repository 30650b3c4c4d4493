/*
 * The content pattern of TEST pages (mm/test_owner.h): every 64-bit word of
 * a page derives from its owner-given identity and its index, so the
 * pattern survives moves and a copy that lost, shifted or mixed up data
 * shows. A checker on its own: the fuzz targets build it without coverage
 * (the fuzzer learns nothing from its loop, which would cost most of a
 * migration input's time).
 */
#ifndef MM_TEST_PATTERN_H
#define MM_TEST_PATTERN_H

#include "include/types.h"

/* Fill the @bytes at @va (a multiple of 8) with @id's pattern. */
void test_pattern_fill(void *va, size_t bytes, unsigned long id);

/* Return: true when the @bytes at @va hold @id's pattern. */
bool test_pattern_ok(const void *va, size_t bytes, unsigned long id);

#endif
