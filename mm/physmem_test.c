/*
 * Tests for mm/physmem.c over crafted firmware maps: unsorted, overlapping,
 * zero-length, unaligned, wrapping and too fragmented ones, plus the range
 * list helpers. Every fix-up must be reported; the reports are captured and
 * matched by substring. Runs on the host and in the kernel.
 */
#include "include/errno.h"
#include "lib/ktest.h"
#include "lib/prng.h"
#include "lib/string.h"
#include "mm/physmem.h"

#define MAX_REPORTS 16
#define REPORT_LEN 200

static struct {
	unsigned int n;
	char msg[MAX_REPORTS][REPORT_LEN];
} reports;

static void capture(const char *msg, void *ctx)
{
	if (reports.n < MAX_REPORTS)
		strlcpy(reports.msg[reports.n], msg, REPORT_LEN);
	reports.n++;
}

/* Was a report containing @needle captured? */
static bool reported(const char *needle)
{
	unsigned int i;

	for (i = 0; i < reports.n && i < MAX_REPORTS; i++)
		if (strstr(reports.msg[i], needle))
			return true;
	return false;
}

static struct pfn_range out[16];

static int sanitize(const struct physmem_entry *map, size_t n)
{
	memset(&reports, 0, sizeof(reports));
	memset(out, 0xa5, sizeof(out));
	return physmem_sanitize(map, n, out, ARRAY_SIZE(out), capture, NULL);
}

#define U PHYSMEM_USABLE
#define R PHYSMEM_RESERVED
#define EXPECT_RANGE(t, i, s, e)                      \
	do {                                          \
		KTEST_EXPECT_EQ(t, out[i].start, s); \
		KTEST_EXPECT_EQ(t, out[i].end, e);   \
	} while (0)

/* A typical BIOS map: only the sub-page end of low memory is trimmed. */
static void physmem_sanitize_bios_map(struct ktest *test)
{
	static const struct physmem_entry map[] = {
		{ 0x0, 0x9fc00, U },           { 0x9fc00, 0x400, R },
		{ 0xf0000, 0x10000, R },       { 0x100000, 0x1fedf000, U },
		{ 0x1ffdf000, 0x21000, R },    { 0xb0000000, 0x10000000, R },
		{ 0xfffc0000, 0x40000, R },
	};

	KTEST_ASSERT_EQ(test, sanitize(map, ARRAY_SIZE(map)), 2);
	EXPECT_RANGE(test, 0, 0x0, 0x9f);
	EXPECT_RANGE(test, 1, 0x100, 0x1ffdf);
	KTEST_EXPECT_EQ(test, reports.n, 1);
	KTEST_EXPECT_TRUE(test, reported("usable [0x0,0x9fc00) is not page aligned; trimmed to [0x0,0x9f000)"));
}

/* Unsorted entries give sorted output and one report. */
static void physmem_sanitize_sorts_unsorted_map(struct ktest *test)
{
	static const struct physmem_entry map[] = {
		{ 0x300000, 0x100000, U }, { 0x100000, 0x100000, U }, { 0x0, 0x80000, U },
	};

	KTEST_ASSERT_EQ(test, sanitize(map, ARRAY_SIZE(map)), 3);
	EXPECT_RANGE(test, 0, 0x0, 0x80);
	EXPECT_RANGE(test, 1, 0x100, 0x200);
	EXPECT_RANGE(test, 2, 0x300, 0x400);
	KTEST_EXPECT_EQ(test, reports.n, 1);
	KTEST_EXPECT_TRUE(test, reported("entry 1 at 0x100000 lies below entry 0 at 0x300000; the map is unsorted"));
}

/* Overlapping usable entries merge, and the merge is reported; merely
 * adjacent ones merge silently (UEFI maps are full of them). */
static void physmem_sanitize_merges_usable(struct ktest *test)
{
	static const struct physmem_entry map[] = {
		{ 0x100000, 0x100000, U }, /* [1M, 2M) */
		{ 0x180000, 0x100000, U }, /* [1.5M, 2.5M): overlaps entry 0 */
		{ 0x280000, 0x80000, U },  /* [2.5M, 3M): adjacent to entry 1 */
	};

	KTEST_ASSERT_EQ(test, sanitize(map, ARRAY_SIZE(map)), 1);
	EXPECT_RANGE(test, 0, 0x100, 0x300);
	KTEST_EXPECT_EQ(test, reports.n, 1);
	KTEST_EXPECT_TRUE(test, reported("entry 1 [0x180000,0x280000) overlaps entry 0 [0x100000,0x200000); merged"));
}

/* A reserved entry inside usable memory wins and splits it, whatever the
 * order of the entries. */
static void physmem_sanitize_reserved_wins(struct ktest *test)
{
	static const struct physmem_entry map[] = {
		{ 0x200000, 0x1000, R },    /* one page inside the usable entry below */
		{ 0x100000, 0x200000, U },  /* [1M, 3M) */
		{ 0x2ff000, 0x2000, PHYSMEM_ACPI }, /* overlaps the last page and beyond */
	};

	KTEST_ASSERT_EQ(test, sanitize(map, ARRAY_SIZE(map)), 2);
	EXPECT_RANGE(test, 0, 0x100, 0x200);
	EXPECT_RANGE(test, 1, 0x201, 0x2ff);
	KTEST_EXPECT_TRUE(test, reported("entry 1 (usable) [0x100000,0x300000) overlaps entry 0 (reserved) [0x200000,0x201000); [0x200000,0x201000) is not usable"));
	KTEST_EXPECT_TRUE(test, reported("entry 2 (ACPI) [0x2ff000,0x301000) overlaps entry 1 (usable) [0x100000,0x300000); [0x2ff000,0x300000) is not usable"));
}

/* A non-usable entry that covers part of a page takes the whole page. */
static void physmem_sanitize_partial_reserved_page(struct ktest *test)
{
	static const struct physmem_entry map[] = {
		{ 0x100000, 0x100000, U },
		{ 0x180800, 0x100, PHYSMEM_BAD },
	};

	KTEST_ASSERT_EQ(test, sanitize(map, ARRAY_SIZE(map)), 2);
	EXPECT_RANGE(test, 0, 0x100, 0x180);
	EXPECT_RANGE(test, 1, 0x181, 0x200);
	KTEST_EXPECT_TRUE(test, reported("(bad) [0x180800,0x180900) overlaps entry 0 (usable)"));
	KTEST_EXPECT_TRUE(test, reported("usable [0x100000,0x180800) is not page aligned; trimmed to [0x100000,0x180000)"));
	KTEST_EXPECT_TRUE(test, reported("usable [0x180900,0x200000) is not page aligned; trimmed to [0x181000,0x200000)"));
}

/* Zero-length entries are dropped with a warn, usable or not. */
static void physmem_sanitize_drops_zero_length(struct ktest *test)
{
	static const struct physmem_entry map[] = {
		{ 0x100000, 0, U }, { 0x100000, 0x1000, U }, { 0x100800, 0, R },
	};

	KTEST_ASSERT_EQ(test, sanitize(map, ARRAY_SIZE(map)), 1);
	EXPECT_RANGE(test, 0, 0x100, 0x101);
	KTEST_EXPECT_EQ(test, reports.n, 2);
	KTEST_EXPECT_TRUE(test, reported("entry 0 (usable) at 0x100000 has zero length; dropped"));
	KTEST_EXPECT_TRUE(test, reported("entry 2 (reserved) at 0x100800 has zero length; dropped"));
}

/* Unaligned edges are trimmed inward, but a page shared by two adjacent
 * unaligned usable entries is kept: only partial pages are lost. */
static void physmem_sanitize_keeps_shared_pages(struct ktest *test)
{
	static const struct physmem_entry map[] = {
		{ 0x100800, 0x800, U },   /* [0x100800, 0x101000) */
		{ 0x101000, 0x1800, U },  /* [0x101000, 0x102800) */
		{ 0x100000, 0x800, U },   /* [0x100000, 0x100800): completes page 0x100 */
		{ 0x200100, 0x100, U },   /* no whole page */
	};

	KTEST_ASSERT_EQ(test, sanitize(map, ARRAY_SIZE(map)), 1);
	EXPECT_RANGE(test, 0, 0x100, 0x102);
	KTEST_EXPECT_TRUE(test, reported("usable [0x100000,0x102800) is not page aligned; trimmed to [0x100000,0x102000)"));
	KTEST_EXPECT_TRUE(test, reported("usable [0x200100,0x200200) holds no whole page; dropped"));
}

/* An entry running past 2^64 is truncated, not wrapped to low memory. */
static void physmem_sanitize_truncates_wrapping_entry(struct ktest *test)
{
	static const struct physmem_entry map[] = {
		{ 0x100000, 0x1000, U },
		{ 0xfffffffffff00000UL, 0x200000, U },
	};

	KTEST_ASSERT_EQ(test, sanitize(map, ARRAY_SIZE(map)), 2);
	EXPECT_RANGE(test, 0, 0x100, 0x101);
	EXPECT_RANGE(test, 1, 0xfffffffffff00UL, 0xfffffffffffffUL);
	KTEST_EXPECT_TRUE(test, reported("entry 1 (usable) [0xfffffffffff00000,+0x200000) reaches past the last page; truncated"));
}

/* Types other than usable (here an unknown 7 and 0) are never usable. */
static void physmem_sanitize_unknown_type_unusable(struct ktest *test)
{
	static const struct physmem_entry map[] = {
		{ 0x100000, 0x100000, U }, { 0x100000, 0x10000, 7 }, { 0x1f0000, 0x10000, 0 },
	};

	KTEST_ASSERT_EQ(test, sanitize(map, ARRAY_SIZE(map)), 1);
	EXPECT_RANGE(test, 0, 0x110, 0x1f0);
	KTEST_EXPECT_TRUE(test, reported("entry 1 (unknown)"));
	KTEST_EXPECT_EQ(test, reports.n, 2);
}

/* Nothing usable at all is not an error: zero ranges. */
static void physmem_sanitize_empty_map(struct ktest *test)
{
	static const struct physmem_entry map[] = { { 0x100000, 0x100000, R } };

	KTEST_EXPECT_EQ(test, sanitize(map, 0), 0);
	KTEST_EXPECT_EQ(test, sanitize(map, 1), 0);
	KTEST_EXPECT_EQ(test, reports.n, 0);
}

/* More usable ranges than room: -ENOSPC, reported, never truncated silently. */
static void physmem_sanitize_too_fragmented(struct ktest *test)
{
	static struct physmem_entry map[40];
	size_t i;

	for (i = 0; i < ARRAY_SIZE(map); i++)
		map[i] = (struct physmem_entry){ 0x100000 + i * 0x2000, 0x1000, U };
	KTEST_EXPECT_EQ(test, sanitize(map, ARRAY_SIZE(map)), -ENOSPC);
	KTEST_EXPECT_TRUE(test, reported("more than 16 usable ranges"));
	/* Splitting by reserved entries can also run out of room. */
	map[0] = (struct physmem_entry){ 0x100000, 0x100000, U };
	for (i = 1; i < ARRAY_SIZE(map); i++)
		map[i] = (struct physmem_entry){ 0x100000 + i * 0x2000, 0x1000, R };
	KTEST_EXPECT_EQ(test, sanitize(map, ARRAY_SIZE(map)), -ENOSPC);
}

/* Subtracting splits, trims and removes ranges; outside ranges are ignored. */
static void physmem_subtract_cases(struct ktest *test)
{
	struct pfn_range range[6] = { { 0, 100 }, { 200, 300 }, { 400, 500 } };
	static const struct pfn_range sub[] = {
		{ 50, 60 }, { 250, 350 }, { 390, 510 }, { 1000, 2000 }, { 90, 210 }, { 70, 70 },
	};

	KTEST_ASSERT_EQ(test, physmem_subtract(range, 3, ARRAY_SIZE(range), sub, ARRAY_SIZE(sub)), 3);
	KTEST_EXPECT_EQ(test, range[0].start, 0);
	KTEST_EXPECT_EQ(test, range[0].end, 50);
	KTEST_EXPECT_EQ(test, range[1].start, 60);
	KTEST_EXPECT_EQ(test, range[1].end, 90);
	KTEST_EXPECT_EQ(test, range[2].start, 210);
	KTEST_EXPECT_EQ(test, range[2].end, 250);
	/* A split with no room left fails. */
	KTEST_EXPECT_EQ(test, physmem_subtract(range, 3, 3, &(struct pfn_range){ 220, 230 }, 1), -ENOSPC);
}

/* normalize sorts, merges overlapping and adjacent ranges, drops empty ones. */
static void physmem_normalize_cases(struct ktest *test)
{
	struct pfn_range range[] = { { 30, 40 }, { 5, 10 }, { 10, 12 }, { 35, 50 }, { 7, 7 }, { 1, 2 } };

	KTEST_ASSERT_EQ(test, physmem_normalize(range, ARRAY_SIZE(range)), 3);
	KTEST_EXPECT_EQ(test, range[0].start, 1);
	KTEST_EXPECT_EQ(test, range[0].end, 2);
	KTEST_EXPECT_EQ(test, range[1].start, 5);
	KTEST_EXPECT_EQ(test, range[1].end, 12);
	KTEST_EXPECT_EQ(test, range[2].start, 30);
	KTEST_EXPECT_EQ(test, range[2].end, 50);
	KTEST_EXPECT_EQ(test, physmem_normalize(range, 0), 0);
}

/* limit keeps the lowest pages; clip drops everything at or above a PFN. */
static void physmem_limit_and_clip(struct ktest *test)
{
	struct pfn_range range[] = { { 0, 100 }, { 200, 300 }, { 400, 500 } };

	KTEST_EXPECT_EQ(test, physmem_pages(range, 3), 300);
	KTEST_EXPECT_EQ(test, physmem_limit(range, 3, 1000), 3);
	KTEST_ASSERT_EQ(test, physmem_limit(range, 3, 150), 2);
	KTEST_EXPECT_EQ(test, range[1].end, 250);
	KTEST_EXPECT_EQ(test, physmem_pages(range, 2), 150);
	KTEST_EXPECT_EQ(test, physmem_limit(range, 2, 100), 1);
	KTEST_EXPECT_EQ(test, physmem_limit(range, 1, 0), 0);

	range[0] = (struct pfn_range){ 0, 100 };
	range[1] = (struct pfn_range){ 200, 300 };
	KTEST_EXPECT_EQ(test, physmem_clip(range, 2, 1000), 2);
	KTEST_EXPECT_EQ(test, physmem_clip(range, 2, 250), 2);
	KTEST_EXPECT_EQ(test, range[1].end, 250);
	KTEST_EXPECT_EQ(test, physmem_clip(range, 2, 200), 1);
	KTEST_EXPECT_EQ(test, physmem_clip(range, 1, 0), 0);
}

/*
 * Random maps against a brute-force model: over 16 pages cut into 256-byte
 * chunks, a page must come out usable exactly when every chunk of it is
 * covered by a usable entry and none by a non-usable one.
 */
#define MODEL_PAGES 16
#define MODEL_CHUNK 256
#define MODEL_CHUNKS (MODEL_PAGES * PAGE_SIZE / MODEL_CHUNK)

static bool model_page_usable(const struct physmem_entry *map, size_t n, unsigned long pfn)
{
	unsigned long c, first = pfn * (PAGE_SIZE / MODEL_CHUNK);
	size_t i;

	for (c = first; c < first + PAGE_SIZE / MODEL_CHUNK; c++) {
		u64 addr = c * MODEL_CHUNK;
		bool usable = false;

		for (i = 0; i < n; i++) {
			if (addr < map[i].base || addr >= map[i].base + map[i].length)
				continue;
			if (map[i].type != PHYSMEM_USABLE)
				return false;
			usable = true;
		}
		if (!usable)
			return false;
	}
	return true;
}

static void physmem_sanitize_matches_model(struct ktest *test)
{
	struct physmem_entry map[12];
	struct prng rng;
	unsigned int round;

	prng_seed(&rng, 0x6d656d6d6170);
	for (round = 0; round < 500; round++) {
		size_t n = 1 + prng_next(&rng) % ARRAY_SIZE(map), i;
		unsigned long pfn;
		int nr;

		for (i = 0; i < n; i++) {
			u64 start = prng_next(&rng) % MODEL_CHUNKS;
			u64 len = prng_next(&rng) % (MODEL_CHUNKS / 2);

			if (start + len > MODEL_CHUNKS)
				len = MODEL_CHUNKS - start;
			map[i].base = start * MODEL_CHUNK;
			map[i].length = len * MODEL_CHUNK;
			map[i].type = prng_next(&rng) % 3 ? PHYSMEM_USABLE : 1 + prng_next(&rng) % 5;
		}
		nr = sanitize(map, n);
		KTEST_ASSERT_GE(test, nr, 0);
		for (i = 0; i < (size_t)nr; i++) {
			KTEST_ASSERT_LT(test, out[i].start, out[i].end);
			if (i)
				KTEST_ASSERT_LT(test, out[i - 1].end, out[i].start); /* disjoint, not adjacent */
		}
		for (pfn = 0; pfn < MODEL_PAGES; pfn++) {
			bool got = false;

			for (i = 0; i < (size_t)nr; i++)
				got |= out[i].start <= pfn && pfn < out[i].end;
			if (got != model_page_usable(map, n, pfn)) {
				ktest_diag(test, "round %u: page %lu usable=%d, model says %d", round, pfn,
					   got, !got);
				KTEST_ASSERT_TRUE(test, false);
			}
		}
	}
}

static void physmem_type_names(struct ktest *test)
{
	KTEST_EXPECT_STREQ(test, physmem_type_name(PHYSMEM_USABLE), "usable");
	KTEST_EXPECT_STREQ(test, physmem_type_name(PHYSMEM_NVS), "NVS");
	KTEST_EXPECT_STREQ(test, physmem_type_name(99), "unknown");
}

static const struct ktest_case physmem_cases[] = {
	KTEST_CASE(physmem_sanitize_bios_map),
	KTEST_CASE(physmem_sanitize_sorts_unsorted_map),
	KTEST_CASE(physmem_sanitize_merges_usable),
	KTEST_CASE(physmem_sanitize_reserved_wins),
	KTEST_CASE(physmem_sanitize_partial_reserved_page),
	KTEST_CASE(physmem_sanitize_drops_zero_length),
	KTEST_CASE(physmem_sanitize_keeps_shared_pages),
	KTEST_CASE(physmem_sanitize_truncates_wrapping_entry),
	KTEST_CASE(physmem_sanitize_unknown_type_unusable),
	KTEST_CASE(physmem_sanitize_empty_map),
	KTEST_CASE(physmem_sanitize_too_fragmented),
	KTEST_CASE(physmem_sanitize_matches_model),
	KTEST_CASE(physmem_subtract_cases),
	KTEST_CASE(physmem_normalize_cases),
	KTEST_CASE(physmem_limit_and_clip),
	KTEST_CASE(physmem_type_names),
	KTEST_END,
};
KTEST_SUITE(physmem, physmem_cases);
