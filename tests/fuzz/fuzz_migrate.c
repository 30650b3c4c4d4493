/*
 * Fuzz migration and compaction with a scripted owner (mm/test_owner.h):
 * the input allocates TEST pages of small orders whose isolate and migrate
 * callbacks return fuzz-chosen results (0, -EAGAIN, -EBUSY, -ENOMEM) and
 * which may release themselves mid-migration, interleaved with unmovable
 * kernel pages (fragmentation), frees, migrate_pages() on chosen PFNs
 * (sync or async, default or starved target allocators) and compaction.
 * Invariants: the owner never sees a callback in the wrong state, every
 * page it owns holds its pattern (data tags survive moves), mm_check()
 * is clean (after the sequence, and when a check operation asks, at most
 * every CHECK_EVERY operations: fuzz_check_due), no mm_bug(), and after
 * freeing everything the free count is the start's.
 */
#include <string.h>

#include "include/errno.h"
#include "mm/compaction.h"
#include "mm/migrate.h"
#include "mm/mm.h"
#include "mm/test_owner.h"
#include "mm/testing.h"
#include "tests/fuzz/fuzz_common.h"

#define SPAN 2048UL
static const struct pfn_range whole = { 0, SPAN };
#define KSLOTS 64
#define MAX_PFNS 64
#define MAX_OPS 256
#define CHECK_EVERY (MAX_OPS / 8)

static struct mm_test_env env;
static struct test_owner owner;
static struct page *kpages[KSLOTS];
static unsigned int starve_budget;

static int pick_rc(uint8_t b)
{
	static const int rcs[] = { 0, 0, 0, 0, -EAGAIN, -EAGAIN, -EBUSY, -ENOMEM };

	return rcs[b % 8];
}

static void op_test_alloc(struct fuzz_in *in)
{
	uint8_t a = fuzz_u8(in);
	struct test_page *tp = test_owner_alloc(&owner, a % 3, GFP_NOWARN | GFP_NORETRY);
	unsigned int i;

	if (!tp)
		return;
	for (i = 0; i < TEST_SCRIPT_LEN; i++) {
		uint8_t s = fuzz_u8(in);

		tp->isolate_rc[i] = pick_rc(s);
		tp->migrate_rc[i] = pick_rc(s >> 3);
	}
	tp->release = (a >> 4) % 8 == 0 ? TEST_RELEASE_AFTER_ISOLATE :
		      (a >> 4) % 8 == 1 ? TEST_RELEASE_IN_MIGRATE : TEST_RELEASE_NEVER;
}

static void op_test_free(struct fuzz_in *in)
{
	unsigned int n = owner.nr;

	if (n)
		test_owner_free(&owner, &owner.pages[fuzz_u16(in) % n]);
}

static void op_kernel(struct mm *mm, struct fuzz_in *in)
{
	uint8_t a = fuzz_u8(in);
	struct page **slot = &kpages[a % KSLOTS];

	if (*slot) {
		mm_free_pages(mm, *slot, 0);
		*slot = NULL;
	} else {
		*slot = mm_alloc_pages(mm, 0, GFP_NOWARN | GFP_NORETRY);
	}
}

/* A target allocator that gives out a fuzz-chosen number of pages, then
 * fails: migration must put back what it could not move. */
static struct page *starved_alloc(struct mm *mm, struct page *src, void *priv)
{
	if (!starve_budget)
		return NULL;
	starve_budget--;
	return mm_alloc_pages(mm, page_order(src), GFP_MOVABLE | GFP_ATOMIC | GFP_NOWARN);
}

static void starved_free(struct mm *mm, struct page *dst, void *priv)
{
	mm_free_pages(mm, dst, page_order(dst));
}

static void op_migrate(struct mm *mm, struct fuzz_in *in)
{
	unsigned long pfns[MAX_PFNS];
	struct migrate_result res;
	uint8_t a = fuzz_u8(in);
	size_t n = a % MAX_PFNS, i;
	bool starve = a & 0x40;

	for (i = 0; i < n; i++) {
		uint16_t v = fuzz_u16(in);

		/* Mostly PFNs of owned pages, sometimes any PFN in the zone. */
		if ((v & 1) && owner.nr && owner.pages[(v >> 1) % owner.nr].page)
			pfns[i] = test_owner_pfn(&owner, &owner.pages[(v >> 1) % owner.nr]);
		else
			pfns[i] = mm->base_pfn + (v >> 1) % SPAN;
	}
	starve_budget = fuzz_u8(in) % 8;
	migrate_pages(mm, pfns, n, starve ? starved_alloc : NULL, starve ? starved_free : NULL,
		      NULL, (a & 0x80) ? MIGRATE_SYNC : MIGRATE_ASYNC, &res);
}

static void op_compact(struct mm *mm, struct fuzz_in *in)
{
	uint8_t a = fuzz_u8(in);
	struct compact_result res;
	unsigned int order = a % (NR_ORDERS + 1); /* NR_ORDERS == COMPACT_ALL */

	compact_zone(mm, order, (a & 0x80) ? MIGRATE_SYNC : MIGRATE_ASYNC, a & 0x40, &res);
}

static void check_owner(struct mm *mm, const char *when)
{
	unsigned int i;

	FUZZ_CHECK(owner.protocol_errors == 0, "%s: %u protocol errors", when,
		   owner.protocol_errors);
	FUZZ_CHECK(owner.bad_content == 0, "%s: %u pages lost their data", when,
		   owner.bad_content);
	for (i = 0; i < owner.nr; i++) {
		struct test_page *tp = &owner.pages[i];

		if (!tp->page)
			continue;
		FUZZ_CHECK(!tp->isolated, "%s: page %u still isolated", when, i);
		FUZZ_CHECK(page_type(tp->page) == MEMDESC_TEST && page_memdesc(tp->page) == tp,
			   "%s: page %u (pfn %lu) is not ours", when, i, test_owner_pfn(&owner, tp));
		FUZZ_CHECK(test_owner_content_ok(&owner, tp), "%s: page %u (pfn %lu) data lost",
			   when, i, test_owner_pfn(&owner, tp));
	}
	FUZZ_CHECK(mm_check(mm) == 0, "%s: mm_check", when);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = { data, size };
	struct fuzz_sampler sampler = { CHECK_EVERY, 0 };
	struct mm *mm = &env.mm;
	unsigned long start_free;
	unsigned int i, ops = 0;

	FUZZ_CHECK(fuzz_env(&env, SPAN, &whole, 1, NULL, 0) == 0, "env init");
	FUZZ_CHECK(test_owner_init(&owner, mm) == 0, "owner init");
	memset(kpages, 0, sizeof(kpages));
	start_free = mm_nr_free_pages(mm);
	while (fuzz_more(&in) && ops++ < MAX_OPS) {
		switch (fuzz_u8(&in) % 8) {
		case 0: case 1: case 2:
			op_test_alloc(&in);
			break;
		case 3:
			op_test_free(&in);
			break;
		case 4:
			op_kernel(mm, &in);
			break;
		case 5:
			op_migrate(mm, &in);
			break;
		case 6:
			op_compact(mm, &in);
			break;
		case 7:
			if (fuzz_check_due(&sampler, ops))
				check_owner(mm, "mid-sequence");
			break;
		}
	}
	check_owner(mm, "after the sequence");
	for (i = 0; i < owner.nr; i++)
		test_owner_free(&owner, &owner.pages[i]);
	for (i = 0; i < KSLOTS; i++)
		if (kpages[i])
			mm_free_pages(mm, kpages[i], 0);
	fuzz_expect_all_freed(mm, start_free, "freeing everything");
	return 0;
}
