/*
 * Freestanding string, memory and number-parsing functions. memcpy and memset
 * are `rep movsq` / `rep stosq` for the 8-byte words and `rep movsb` /
 * `rep stosb` for the tail (fast on every CPU, and no loop the compiler could
 * turn back into a call to itself). Not the byte forms alone: QEMU's TCG
 * emulates each iteration of a rep string instruction on its own, which makes
 * a byte-wise 4 MiB memset take ~100 ms there against ~1 ms by words.
 * Where a loop is needed (memmove backwards) it carries NO_LOOP_IDIOMS, which
 * stops gcc's loop-distribution pass from emitting memmove/memset calls;
 * clang does not form library calls in freestanding (-fno-builtin) builds.
 *
 * No state, no allocation: every function is safe in any context.
 */
#include "lib/string.h"
#include "include/errno.h"

#if defined(__GNUC__) && !defined(__clang__)
#define NO_LOOP_IDIOMS __attribute__((optimize("no-tree-loop-distribute-patterns")))
#else
#define NO_LOOP_IDIOMS
#endif

/**
 * memcpy - copy @n bytes from @src to @dst; the regions must not overlap.
 *
 * Return: @dst.
 */
void *memcpy(void *dst, const void *src, size_t n)
{
	void *d = dst;
	size_t words = n / 8, tail = n % 8;

	__asm__ __volatile__("rep movsq"
			     : "+D"(d), "+S"(src), "+c"(words)
			     :
			     : "memory");
	__asm__ __volatile__("rep movsb"
			     : "+D"(d), "+S"(src), "+c"(tail)
			     :
			     : "memory");
	return dst;
}

/* Byte-wise copy from the end; only used when @dst overlaps @src from above. */
static NO_LOOP_IDIOMS void copy_backward(unsigned char *d, const unsigned char *s,
					 size_t n)
{
	while (n--)
		d[n] = s[n];
}

/**
 * memmove - copy @n bytes from @src to @dst; the regions may overlap.
 *
 * A forward copy (memcpy) is correct whenever @dst is below @src (the rep
 * instructions are defined as sequences of single moves in address order:
 * each word is read before anything at or above it is written), so only a
 * destination above an overlapping source needs the backward copy.
 *
 * Return: @dst.
 */
void *memmove(void *dst, const void *src, size_t n)
{
	uintptr_t d = (uintptr_t)dst, s = (uintptr_t)src;

	if (d <= s || d - s >= n)
		return memcpy(dst, src, n);
	copy_backward(dst, src, n);
	return dst;
}

/**
 * memset - fill @n bytes at @dst with the byte value of @c.
 *
 * Return: @dst.
 */
void *memset(void *dst, int c, size_t n)
{
	void *d = dst;
	size_t words = n / 8, tail = n % 8;
	unsigned long pattern = (unsigned char)c * 0x0101010101010101UL;

	__asm__ __volatile__("rep stosq"
			     : "+D"(d), "+c"(words)
			     : "a"(pattern)
			     : "memory");
	__asm__ __volatile__("rep stosb"
			     : "+D"(d), "+c"(tail)
			     : "a"(pattern)
			     : "memory");
	return dst;
}

/**
 * memcmp - compare @n bytes as unsigned chars.
 *
 * Return: <0, 0 or >0 as the first differing byte of @a is below, equal to
 * or above that of @b.
 */
int memcmp(const void *a, const void *b, size_t n)
{
	const unsigned char *p = a, *q = b;
	size_t i;

	for (i = 0; i < n; i++)
		if (p[i] != q[i])
			return p[i] - q[i];
	return 0;
}

/**
 * memchr - find the first byte equal to @c in the @n bytes at @s.
 *
 * Return: a pointer to it, or NULL when none of the @n bytes matches.
 */
void *memchr(const void *s, int c, size_t n)
{
	const unsigned char *p = s;
	size_t i;

	for (i = 0; i < n; i++)
		if (p[i] == (unsigned char)c)
			return (void *)(p + i);
	return NULL;
}

/**
 * strlen - length of the NUL-terminated string @s.
 *
 * Return: the number of bytes before the terminating NUL.
 */
size_t strlen(const char *s)
{
	const char *p = s;

	while (*p)
		p++;
	return (size_t)(p - s);
}

/**
 * strnlen - length of @s, reading at most @maxlen bytes.
 *
 * Return: strlen(@s) or @maxlen, whichever is smaller.
 */
size_t strnlen(const char *s, size_t maxlen)
{
	size_t n = 0;

	while (n < maxlen && s[n])
		n++;
	return n;
}

/**
 * strcmp - compare two strings as unsigned chars.
 *
 * Return: <0, 0 or >0 like memcmp().
 */
int strcmp(const char *a, const char *b)
{
	return strncmp(a, b, (size_t)-1);
}

/**
 * strncmp - compare at most @n bytes of two strings as unsigned chars.
 *
 * Return: <0, 0 or >0 like memcmp(); 0 when @n is 0.
 */
int strncmp(const char *a, const char *b, size_t n)
{
	const unsigned char *p = (const unsigned char *)a;
	const unsigned char *q = (const unsigned char *)b;

	for (; n; n--, p++, q++) {
		if (*p != *q)
			return *p - *q;
		if (!*p)
			break;
	}
	return 0;
}

/**
 * strchr - first occurrence of the byte @c in @s.
 *
 * Searching for '\0' finds the terminator.
 *
 * Return: a pointer into @s, or NULL when @c does not occur.
 */
char *strchr(const char *s, int c)
{
	for (;; s++) {
		if (*s == (char)c)
			return (char *)s;
		if (!*s)
			return NULL;
	}
}

/**
 * strrchr - last occurrence of the byte @c in @s.
 *
 * Return: a pointer into @s, or NULL when @c does not occur.
 */
char *strrchr(const char *s, int c)
{
	const char *last = NULL;

	for (;; s++) {
		if (*s == (char)c)
			last = s;
		if (!*s)
			return (char *)last;
	}
}

/**
 * strstr - first occurrence of @needle in @haystack (naive O(n*m) search).
 *
 * Return: a pointer into @haystack, @haystack itself for an empty @needle,
 * or NULL when @needle does not occur.
 */
char *strstr(const char *haystack, const char *needle)
{
	size_t n = strlen(needle);

	for (; *haystack; haystack++)
		if (strncmp(haystack, needle, n) == 0)
			return (char *)haystack;
	return n ? NULL : (char *)haystack;
}

/**
 * strlcpy - copy @src into the @size-byte buffer @dst, truncating.
 *
 * @dst is always NUL-terminated when @size > 0; truncation happened if the
 * return value is >= @size.
 *
 * Return: strlen(@src).
 */
size_t strlcpy(char *dst, const char *src, size_t size)
{
	size_t len = strlen(src);

	if (size) {
		size_t n = len < size - 1 ? len : size - 1;

		memcpy(dst, src, n);
		dst[n] = '\0';
	}
	return len;
}

/* Value of digit @c in any base up to 36, or 36 when @c is not a digit. */
static unsigned int digit_value(char c)
{
	if (c >= '0' && c <= '9')
		return (unsigned int)(c - '0');
	if (c >= 'a' && c <= 'z')
		return (unsigned int)(c - 'a' + 10);
	if (c >= 'A' && c <= 'Z')
		return (unsigned int)(c - 'A' + 10);
	return 36;
}

/*
 * Parse the unsigned digits of @s (no sign) in @base, where 0 means "0x" =
 * hex, "0" = octal, else decimal, and base 16 also accepts a "0x" prefix.
 * Junk anywhere (or no digits) is -EINVAL and takes precedence over -ERANGE.
 */
static int parse_digits(const char *s, unsigned int base, unsigned long *out)
{
	bool hex = s[0] == '0' && (s[1] == 'x' || s[1] == 'X');
	unsigned long val = 0;
	bool overflow = false;

	if (base == 1 || base > 36)
		return -EINVAL;
	if (base == 0)
		base = hex ? 16 : s[0] == '0' ? 8 : 10;
	if (base == 16 && hex)
		s += 2;
	if (!*s)
		return -EINVAL;
	for (; *s; s++) {
		unsigned int d = digit_value(*s);

		if (d >= base)
			return -EINVAL;
		if (val > (~0UL - d) / base)
			overflow = true;
		val = val * base + d;
	}
	if (overflow)
		return -ERANGE;
	*out = val;
	return 0;
}

/**
 * kstrtoul - parse the whole string @s as an unsigned long.
 * @s: digits with an optional leading '+'; no whitespace, no trailing junk.
 * @base: 2..36, or 0 to pick 16 for "0x", 8 for a leading "0", else 10.
 *        Base 16 also accepts a "0x" prefix.
 * @out: receives the value; written only on success.
 *
 * Return: 0, -EINVAL for an empty string, junk or a bad base, or -ERANGE
 * when the value does not fit.
 */
int kstrtoul(const char *s, unsigned int base, unsigned long *out)
{
	if (*s == '+')
		s++;
	return parse_digits(s, base, out);
}

/**
 * kstrtol - parse the whole string @s as a long.
 * @s: digits with an optional leading '+' or '-'; otherwise as kstrtoul().
 * @base: as for kstrtoul().
 * @out: receives the value; written only on success.
 *
 * Return: 0, -EINVAL for an empty string, junk or a bad base, or -ERANGE
 * when the value is outside [LONG_MIN, LONG_MAX].
 */
int kstrtol(const char *s, unsigned int base, long *out)
{
	bool neg = *s == '-';
	unsigned long mag;
	int err;

	if (*s == '-' || *s == '+')
		s++;
	err = parse_digits(s, base, &mag);
	if (err)
		return err;
	if (!neg && mag > (unsigned long)__LONG_MAX__)
		return -ERANGE;
	if (neg && mag > (unsigned long)__LONG_MAX__ + 1)
		return -ERANGE;
	/* -(mag - 1) - 1 reaches LONG_MIN without overflowing a long. */
	*out = neg ? (mag ? -(long)(mag - 1) - 1 : 0) : (long)mag;
	return 0;
}
