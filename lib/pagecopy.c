/*
 * The page-copy variants of lib/pagecopy.h. Each is out of line so that
 * every caller, the benchmarks included, pays the same call and runs the
 * same code. The loop passes its eight words through an empty asm that
 * takes them in general-purpose registers: without it gcc may turn the loop
 * into a call to memcpy (loop distribution) or, in the -O2 host build,
 * into SSE moves the kernel could never use.
 */
#include "lib/pagecopy.h"

void pagecopy_movsb(void *dst, const void *src, size_t bytes)
{
	__asm__ __volatile__("rep movsb"
			     : "+D"(dst), "+S"(src), "+c"(bytes)
			     :
			     : "memory");
}

void pagecopy_movsq(void *dst, const void *src, size_t bytes)
{
	size_t words = bytes / 8;

	__asm__ __volatile__("rep movsq"
			     : "+D"(dst), "+S"(src), "+c"(words)
			     :
			     : "memory");
}

void pagecopy_loop(void *dst, const void *src, size_t bytes)
{
	u64 *d = dst;
	const u64 *s = src;

	for (; bytes >= PAGECOPY_CHUNK; bytes -= PAGECOPY_CHUNK, d += 8, s += 8) {
		u64 a = s[0], b = s[1], c = s[2], e = s[3];
		u64 f = s[4], g = s[5], h = s[6], k = s[7];

		__asm__("" : "+r"(a), "+r"(b), "+r"(c), "+r"(e), "+r"(f), "+r"(g), "+r"(h), "+r"(k));
		d[0] = a;
		d[1] = b;
		d[2] = c;
		d[3] = e;
		d[4] = f;
		d[5] = g;
		d[6] = h;
		d[7] = k;
	}
}
