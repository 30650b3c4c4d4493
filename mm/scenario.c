/*
 * Fragmentation scenarios and figures (see scenario.h). Scenarios use fixed
 * seeds so every run of the same name on the same memory map is the same.
 */
#include "include/errno.h"
#include "lib/prng.h"
#include "lib/string.h"
#include "mm/internal.h"
#include "mm/scenario.h"

#define SPARSE_SEED 0x5ca77e12UL
#define STANDARD_SEED 0x57a4da2dUL
#define STANDARD_UNMOVABLE_PERMILLE 70

#define MIXED_SEED 0x3136ed02UL

const char *const frag_scenario_names[] = { "sparse", "standard", "mixed", NULL };

/* Fill free memory (down to the high watermark, and room for the slot
 * arrays) with mapped regions. */
static int fill_mapped(struct frag_scenario *scenario)
{
	struct mm *mm = scenario->mm;

	for (;;) {
		unsigned long free = mm_nr_free_pages(mm), want;
		struct mapped_region *region;

		if (free <= mm->wmark[WMARK_HIGH] + 64 || scenario->nr_regions == SCENARIO_MAX_REGIONS)
			return 0;
		want = MIN(free - mm->wmark[WMARK_HIGH] - 64, (unsigned long)SCENARIO_REGION_PAGES);
		want -= want / 256 + 1; /* its slot array */
		region = &scenario->regions[scenario->nr_regions];
		if (mapped_region_create(region, mm, want, 0))
			return scenario->nr_regions ? 0 : -ENOMEM;
		scenario->nr_regions++;
		scenario->mapped_pages += want;
	}
}

/* In every aligned group of 4 PFNs keep one mapped page (random), free the
 * other mapped pages. */
static void thin_out(struct frag_scenario *scenario, struct prng *rng)
{
	struct mm *mm = scenario->mm;
	unsigned long g;

	for (g = ALIGN_UP(mm->base_pfn, 4); g + 4 <= mm->end_pfn; g += 4) {
		unsigned int keep = (unsigned int)prng_below(rng, 4), i;

		for (i = 0; i < 4; i++) {
			struct page *page = mm_pfn_to_page(mm, g + i);
			struct mapped_slot *slot;

			if (i == keep || !page_is_head(page) || page_type(page) != MEMDESC_MAPPED)
				continue;
			slot = page_memdesc(page);
			if (slot->region < scenario->regions || slot->region >= scenario->regions + scenario->nr_regions)
				continue; /* someone else's mapped page */
			mapped_region_free_page(slot->region, slot->index);
			scenario->mapped_pages--;
		}
	}
	mm_drain_pcp(mm);
}

static void hold_unmovable(struct frag_scenario *scenario, struct page *page)
{
	page->private = scenario->unmovable_head; /* the scenario owns it: chain in private */
	scenario->unmovable_head = mm_page_to_pfn(scenario->mm, page);
	scenario->nr_unmovable++;
}

/* ~7% of memory as unmovable pages in a fixed-seed third of the blocks. */
static void place_unmovable(struct frag_scenario *scenario, struct prng *rng)
{
	struct mm *mm = scenario->mm;
	unsigned long per_block = PAGEBLOCK_PAGES * 3 * STANDARD_UNMOVABLE_PERMILLE / 1000;
	unsigned long b;

	for (b = ALIGN_UP(mm->base_pfn, PAGEBLOCK_PAGES); b + PAGEBLOCK_PAGES <= mm->end_pfn;
	     b += PAGEBLOCK_PAGES) {
		unsigned long got = 0, tries;

		if (prng_below(rng, 3))
			continue;
		for (tries = 0; got < per_block && tries < 8 * PAGEBLOCK_PAGES; tries++) {
			struct page *page = mm_alloc_pfn(mm, b + prng_below(rng, PAGEBLOCK_PAGES));

			if (page) {
				hold_unmovable(scenario, page);
				got++;
			}
		}
	}
}

/* mixed: objects worth 1/16 of free memory, 75% of them freed again, leave
 * mslab pages that are ~20% of the movable memory the scenario ends with. */
static int fill_mslab(struct frag_scenario *scenario)
{
	unsigned long bytes = mm_nr_free_pages(scenario->mm) * (PAGE_SIZE / 16);
	int err = mslab_pool_create(&scenario->pool, scenario->mm, "frag-mixed");

	if (err)
		return err;
	scenario->has_pool = true;
	return mslab_scenario_fill(&scenario->pool, bytes, MIXED_SEED);
}

/* ---- contents: stamped at build, checked by frag_scenario_verify ---- */

#define STAMP_WORDS 8 /* words stamped per mapped page, PAGE_SIZE / 8 apart */
static_assert(SCENARIO_SCRATCH_WORD % (PAGE_SIZE / 8 / STAMP_WORDS) != 0, "the scratch word is stamped");

static unsigned long stamp_word(const struct mapped_region *region, unsigned long index,
				unsigned int w)
{
	return (region->va + index * PAGE_SIZE + w) * 0x9e3779b97f4a7c15UL ^ 0x5ca77e12f00dUL;
}

static u8 stamp_byte(unsigned long handle, size_t i)
{
	return (u8)(handle * 31 + i * 7 + 0x5a);
}

/* The live handle of table slot @index of @pool, or 0. Only the scenario
 * allocates and frees in its pool, so used/gen cannot change under us. */
static unsigned long pool_handle(const struct mslab_pool *pool, unsigned long index)
{
	const struct mslab_slot *sl = &pool->dir[index / MSLAB_SLOTS_PER_PAGE]
						[index % MSLAB_SLOTS_PER_PAGE];

	return sl->used ? ((unsigned long)sl->gen << 32) | index : 0;
}

/* Fill the kept mapped pages (STAMP_WORDS words each) and every surviving
 * mslab object (all of its bytes) with patterns of their identity. A no-data
 * mm has no contents: its mapped pages carry their tag in private. */
static void scenario_stamp(struct frag_scenario *scenario)
{
	unsigned long i, h, end;
	unsigned int r, w;

	if (scenario->mm->no_data)
		return;
	for (r = 0; r < scenario->nr_regions; r++)
		for (i = 0; i < scenario->regions[r].nr_pages; i++) {
			unsigned long *p;

			if (!mapped_backed(&scenario->regions[r], i)) /* a gap */
				continue;
			p = mapped_access(&scenario->regions[r], i);
			for (w = 0; w < STAMP_WORDS; w++)
				p[w * (PAGE_SIZE / 8 / STAMP_WORDS)] = stamp_word(&scenario->regions[r], i, w);
		}
	end = scenario->has_pool ? scenario->pool.nr_chunks * MSLAB_SLOTS_PER_PAGE : 0;
	for (i = 1; i < end; i++) {
		size_t size, b;
		u8 *p;

		h = pool_handle(&scenario->pool, i);
		if (!h)
			continue;
		size = mslab_size(&scenario->pool, h);
		p = mslab_map(&scenario->pool, h);
		for (b = 0; b < size; b++)
			p[b] = stamp_byte(h, b);
		mslab_unmap(&scenario->pool, h);
	}
}

/* Is kept page @index of @region where its slot says, with its contents? */
static bool mapped_page_ok(struct mapped_region *region, unsigned long index)
{
	unsigned long pfn = mapped_pfn(region, index);
	struct page *page = mm_pfn_to_page(region->mm, pfn);
	const unsigned long *data;
	unsigned int w;

	if (!page_is_head(page) || page_type(page) != MEMDESC_MAPPED ||
	    page_memdesc(page) != &region->slots[index])
		return false;
	if (region->mm->no_data)
		return mapped_tag_ok(region, index);
	data = mapped_access(region, index);
	for (w = 0; w < STAMP_WORDS; w++)
		if (data[w * (PAGE_SIZE / 8 / STAMP_WORDS)] != stamp_word(region, index, w))
			return false;
	return true;
}

static bool mslab_object_ok(struct mslab_pool *pool, unsigned long h, bool no_data)
{
	size_t size = mslab_size(pool, h), b;
	const u8 *p;
	bool ok = true;

	if (!size)
		return false;
	if (no_data)
		return true;
	p = mslab_map(pool, h);
	for (b = 0; b < size && ok; b++)
		ok = p[b] == stamp_byte(h, b);
	mslab_unmap(pool, h);
	return ok;
}

void frag_scenario_verify(struct frag_scenario *scenario, struct frag_verify *verify)
{
	unsigned long i, h, end;
	unsigned int r;

	memset(verify, 0, sizeof(*verify));
	for (r = 0; r < scenario->nr_regions; r++)
		for (i = 0; i < scenario->regions[r].nr_pages; i++) {
			if (!mapped_backed(&scenario->regions[r], i)) /* a gap */
				continue;
			verify->mapped_pages++;
			verify->mapped_bad += !mapped_page_ok(&scenario->regions[r], i);
		}
	end = scenario->has_pool ? scenario->pool.nr_chunks * MSLAB_SLOTS_PER_PAGE : 0;
	for (i = 1; i < end; i++) {
		h = pool_handle(&scenario->pool, i);
		if (!h)
			continue;
		verify->mslab_objects++;
		verify->mslab_bad += !mslab_object_ok(&scenario->pool, h, scenario->mm->no_data);
	}
}

int frag_scenario_build(struct frag_scenario *scenario, struct mm *mm, const char *name)
{
	struct prng rng;
	bool standard, mixed;
	int err;

	memset(scenario, 0, sizeof(*scenario));
	scenario->mm = mm;
	mixed = !strcmp(name, "mixed");
	standard = mixed || !strcmp(name, "standard");
	if (!standard && strcmp(name, "sparse"))
		return -EINVAL;
	scenario->name = mixed ? "mixed" : standard ? "standard" : "sparse";
	err = mapped_init(mm);
	if (!err && mixed)
		err = fill_mslab(scenario);
	if (!err)
		err = fill_mapped(scenario);
	if (err) {
		frag_scenario_destroy(scenario);
		return err;
	}
	prng_seed(&rng, SPARSE_SEED);
	thin_out(scenario, &rng);
	if (standard) {
		prng_seed(&rng, STANDARD_SEED);
		place_unmovable(scenario, &rng);
	}
	scenario_stamp(scenario);
	return 0;
}

void frag_scenario_destroy(struct frag_scenario *scenario)
{
	unsigned int i;

	for (i = 0; i < scenario->nr_regions; i++)
		mapped_region_destroy(&scenario->regions[i]);
	if (scenario->has_pool)
		mslab_pool_destroy(&scenario->pool);
	scenario->has_pool = false;
	while (scenario->nr_unmovable) {
		struct page *page = mm_pfn_to_page(scenario->mm, scenario->unmovable_head);

		scenario->unmovable_head = page->private;
		mm_free_pages(scenario->mm, page, 0);
		scenario->nr_unmovable--;
	}
	scenario->nr_regions = 0;
	scenario->mapped_pages = 0;
	mm_drain_pcp(scenario->mm);
}

unsigned long frag_free_2m_blocks(struct mm *mm)
{
	unsigned long flags, n = 0;
	unsigned int o, mt;

	mm_drain_pcp(mm);
	flags = mm_lock_irqsave(&mm->lock);
	for (o = PAGEBLOCK_ORDER; o < NR_ORDERS; o++)
		for (mt = 0; mt < MIGRATE_PCPTYPES; mt++)
			n += mm->free_area[o].nr[mt] << (o - PAGEBLOCK_ORDER);
	mm_unlock_irqrestore(&mm->lock, flags);
	return n;
}

/* Used pages of the block at @b, or -1 when it holds a page that cannot
 * move (unmovable, reserved, isolated). */
static long block_used(struct mm *mm, unsigned long b)
{
	unsigned long pfn = b;
	long used = 0;

	while (pfn < b + PAGEBLOCK_PAGES) {
		unsigned long head;
		struct page *page = buddy_block_head(mm, pfn, &head);
		unsigned long end;

		if (!page)
			return -1;
		end = MIN(head + (1UL << page_order(page)), b + PAGEBLOCK_PAGES);
		if (page_is_head(page)) {
			if (!page_looks_movable(page))
				return -1;
			used += (long)(end - pfn);
		}
		pfn = end;
	}
	return used;
}

void frag_figures(struct mm *mm, struct frag_figures *figures)
{
	u32 hist[PAGEBLOCK_PAGES + 1]; /* blocks by used pages (2 KiB of stack) */
	unsigned long b, k;
	unsigned int used;

	memset(figures, 0, sizeof(*figures));
	memset(hist, 0, sizeof(hist));
	figures->recovered = frag_free_2m_blocks(mm); /* drains the pcp too */
	figures->free_pages = mm_nr_free_pages(mm);
	for (b = ALIGN_UP(mm->base_pfn, PAGEBLOCK_PAGES); b + PAGEBLOCK_PAGES <= mm->end_pfn;
	     b += PAGEBLOCK_PAGES) {
		long u = block_used(mm, b);

		if (u >= 0) {
			hist[u]++;
			figures->candidates++;
		}
	}
	figures->T = MIN(figures->free_pages / PAGEBLOCK_PAGES, figures->candidates);
	figures->gainable = figures->T - MIN(figures->T, (unsigned long)hist[0]);
	for (used = 0, k = figures->T; used <= PAGEBLOCK_PAGES && k; used++) {
		unsigned long take = MIN(k, (unsigned long)hist[used]);

		figures->min_moves += take * used;
		k -= take;
	}
}

void frag_compact(struct mm *mm, unsigned int order, enum migrate_mode mode,
		  struct frag_run *run)
{
	memset(run, 0, sizeof(*run));
	compact_pack(mm, &run->pack);
	frag_figures(mm, &run->before);
	compact_zone(mm, order, mode, false, &run->res);
	frag_figures(mm, &run->after);
	/* compact_zone packed again: nothing was left, but count what was. */
	pack_result_add(&run->pack, &run->res.pack);
	if (run->after.recovered > run->before.recovered)
		run->gained = run->after.recovered - run->before.recovered;
	run->over_bound = run->after.recovered > run->before.T;
}
