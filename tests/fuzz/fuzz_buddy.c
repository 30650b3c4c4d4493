/*
 * Fuzz the buddy allocator and its per-cpu cache: the input is a sequence
 * of alloc (random order, migratetype and flags), free, exact-PFN alloc,
 * pcp drain and check operations on a private mm of a few MiB with a
 * reserved gap. Every allocated block is stamped (its PFN in each page)
 * and verified on free, so overlapping allocations are caught. Invariants:
 * mm_check() finds nothing after every sequence (and when a check operation
 * asks, at most every CHECK_EVERY operations: fuzz_check_due), mm_bug() is
 * never called, and once everything is freed and drained the free count is
 * the start's.
 */
#include <string.h>

#include "mm/mm.h"
#include "mm/testing.h"
#include "tests/fuzz/fuzz_common.h"
#include "tests/fuzz/pattern.h"

#define SPAN 4096UL
#define SLOTS 128
#define MAX_OPS 512
#define CHECK_EVERY (MAX_OPS / 8)

struct block {
	struct page *page;
	unsigned int order;
};

static struct mm_test_env env;
static struct block blocks[SLOTS];

static void stamp(struct mm *mm, struct block *block, int verify)
{
	unsigned long pfn = mm_page_to_pfn(mm, block->page), n = 1UL << block->order, bad;

	if (!verify) {
		fuzz_stamp_pages(pfn, n);
		return;
	}
	bad = fuzz_stamp_bad(pfn, n);
	FUZZ_CHECK(bad == pfn + n, "pfn %lu holds %#lx (order %u block at %lu)", bad,
		   *(unsigned long *)mm_pfn_to_virt(bad), block->order, pfn);
}

static void op_alloc(struct mm *mm, struct fuzz_in *in)
{
	uint8_t a = fuzz_u8(in), slot = fuzz_u8(in) % SLOTS;
	unsigned int order = a % (MAX_ORDER + 1);
	gfp_t gfp = GFP_NOWARN | ((a & 0x10) ? GFP_MOVABLE : 0) | ((a & 0x20) ? GFP_ATOMIC : 0) |
		    ((a & 0x40) ? GFP_ZERO : 0) | ((a & 0x80) ? GFP_NORETRY : 0);
	struct page *page;

	if (blocks[slot].page)
		return;
	page = mm_alloc_pages(mm, order, gfp);
	if (!page)
		return;
	FUZZ_CHECK(mm_pfn_valid(mm, mm_page_to_pfn(mm, page)), "page outside the zone");
	FUZZ_CHECK((mm_page_to_pfn(mm, page) & ((1UL << order) - 1)) == 0,
		   "order %u block at unaligned pfn %lu", order, mm_page_to_pfn(mm, page));
	if (gfp & GFP_ZERO) {
		size_t n = PAGE_SIZE << order, bad = fuzz_zero_bad(mm_page_address(mm, page), n, 64);

		FUZZ_CHECK(bad == n, "GFP_ZERO page not zeroed at byte %zu", bad);
	}
	blocks[slot].page = page;
	blocks[slot].order = order;
	stamp(mm, &blocks[slot], 0);
}

static void op_free(struct mm *mm, struct fuzz_in *in)
{
	struct block *block = &blocks[fuzz_u8(in) % SLOTS];

	if (!block->page)
		return;
	stamp(mm, block, 1);
	mm_free_pages(mm, block->page, block->order);
	block->page = NULL;
}

static void op_alloc_pfn(struct mm *mm, struct fuzz_in *in)
{
	unsigned long pfn = mm->base_pfn + fuzz_u16(in) % SPAN;
	uint8_t slot = fuzz_u8(in) % SLOTS;
	struct page *page;

	if (blocks[slot].page)
		return;
	page = mm_alloc_pfn(mm, pfn);
	if (!page)
		return;
	FUZZ_CHECK(mm_page_to_pfn(mm, page) == pfn, "asked pfn %lu, got %lu", pfn,
		   mm_page_to_pfn(mm, page));
	blocks[slot].page = page;
	blocks[slot].order = 0;
	stamp(mm, &blocks[slot], 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct pfn_range usable[] = { { 0, 1536 }, { 1600, SPAN } };
	static const struct pfn_range reserved[] = { { 0, 3 }, { 2048, 2050 } };
	struct fuzz_in in = { data, size };
	struct fuzz_sampler sampler = { CHECK_EVERY, 0 };
	struct mm *mm = &env.mm;
	unsigned long start_free;
	unsigned int i, ops = 0;

	FUZZ_CHECK(fuzz_env(&env, SPAN, usable, 2, reserved, 2) == 0, "env init");
	start_free = mm_nr_free_pages(mm);
	memset(blocks, 0, sizeof(blocks));
	while (fuzz_more(&in) && ops++ < MAX_OPS) {
		switch (fuzz_u8(&in) % 8) {
		case 0: case 1: case 2:
			op_alloc(mm, &in);
			break;
		case 3: case 4:
			op_free(mm, &in);
			break;
		case 5:
			op_alloc_pfn(mm, &in);
			break;
		case 6:
			mm_drain_pcp(mm);
			break;
		case 7:
			if (fuzz_check_due(&sampler, ops))
				FUZZ_CHECK(mm_check(mm) == 0, "mm_check mid-sequence");
			break;
		}
	}
	FUZZ_CHECK(mm_check(mm) == 0, "mm_check after the sequence");
	for (i = 0; i < SLOTS; i++) {
		if (!blocks[i].page)
			continue;
		stamp(mm, &blocks[i], 1);
		mm_free_pages(mm, blocks[i].page, blocks[i].order);
	}
	fuzz_expect_all_freed(mm, start_free, "freeing everything");
	return 0;
}
