/*
 * Tests for lib/pagecopy.c: every variant copies exactly the bytes asked
 * for (whole chunks, 8-byte-aligned ends, up to more than a page) and
 * touches nothing around them.
 */
#include "lib/ktest.h"
#include "lib/pagecopy.h"

#define PC_BUF 8448 /* two pages and change */
#define PC_GUARD 64

static unsigned char pc_src[PC_BUF], pc_dst[PC_BUF + 2 * PC_GUARD] __aligned(8);

typedef void (*pc_fn)(void *dst, const void *src, size_t bytes);

static void pc_fill(void)
{
	size_t i;

	for (i = 0; i < sizeof(pc_src); i++)
		pc_src[i] = (unsigned char)(i * 13 + (i >> 8));
	for (i = 0; i < sizeof(pc_dst); i++)
		pc_dst[i] = 0xee;
}

/* @copy writes exactly [off, off + bytes) of the destination. */
static void pc_check(struct ktest *test, pc_fn copy, size_t off, size_t bytes)
{
	unsigned char *d = pc_dst + PC_GUARD;
	size_t i;

	pc_fill();
	copy(d + off, pc_src + off, bytes);
	for (i = 0; i < sizeof(pc_dst); i++) {
		long rel = (long)i - PC_GUARD;
		unsigned char want = rel >= (long)off && rel < (long)(off + bytes) ?
					     pc_src[rel] : 0xee;

		KTEST_ASSERT_EQ(test, pc_dst[i], want);
	}
}

static void pc_sizes(struct ktest *test, pc_fn copy)
{
	static const size_t sizes[] = { 0, 64, 128, 4096, 8192 };
	size_t s, off;

	for (s = 0; s < ARRAY_SIZE(sizes); s++)
		for (off = 0; off + sizes[s] <= PC_BUF; off += 8)
			if (off < 64 || off + sizes[s] == PC_BUF)
				pc_check(test, copy, off, sizes[s]);
}

/* rep movsb copies exactly the range at any 8-byte offset. */
static void pagecopy_movsb_copies_exact_range(struct ktest *test) { pc_sizes(test, pagecopy_movsb); }

/* rep movsq copies exactly the range at any 8-byte offset. */
static void pagecopy_movsq_copies_exact_range(struct ktest *test) { pc_sizes(test, pagecopy_movsq); }

/* The register loop copies exactly the range at any 8-byte offset. */
static void pagecopy_loop_copies_exact_range(struct ktest *test) { pc_sizes(test, pagecopy_loop); }

static const struct ktest_case pagecopy_cases[] = {
	KTEST_CASE(pagecopy_movsb_copies_exact_range),
	KTEST_CASE(pagecopy_movsq_copies_exact_range),
	KTEST_CASE(pagecopy_loop_copies_exact_range),
	KTEST_END,
};
KTEST_SUITE(pagecopy, pagecopy_cases);
