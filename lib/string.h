/*
 * Freestanding string and memory functions. The standard ones keep their C
 * names and prototypes because gcc and clang emit calls to memcpy, memmove,
 * memset and memcmp on their own (struct copies, zeroing). kstrtoul() and
 * kstrtol() parse a whole string as a number and report errors as -errno.
 *
 * Invariants: no function allocates or keeps state; every function is safe in
 * any context (interrupts, early boot). The host build renames the standard
 * ones (tests/host/lib_shim.c) so they do not replace the libc that ASan hooks.
 */
#ifndef LIB_STRING_H
#define LIB_STRING_H

#include "include/types.h"

void *memcpy(void *dst, const void *src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
void *memchr(const void *s, int c, size_t n);

size_t strlen(const char *s);
size_t strnlen(const char *s, size_t maxlen);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);
char *strchr(const char *s, int c);
char *strrchr(const char *s, int c);
char *strstr(const char *haystack, const char *needle);
size_t strlcpy(char *dst, const char *src, size_t size);

int kstrtoul(const char *s, unsigned int base, unsigned long *out);
int kstrtol(const char *s, unsigned int base, long *out);

#endif
