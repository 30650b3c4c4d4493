/*
 * Bringing up a struct mm over a memory map. The caller provides zeroed
 * storage: the mem_map (one 32-byte struct page per PFN of the span) and
 * the pageblock table behind it. Zeroed descriptors already mean "tail, no
 * state", so only reserved pages and the heads of the initial free blocks
 * are written: a 1 TiB span costs ~256K descriptor writes, not 256M.
 */
#include "include/errno.h"
#include "lib/string.h"
#include "mm/internal.h"
#include "mm/poison.h"

static unsigned long span_pageblocks(unsigned long base, unsigned long end)
{
	return (ALIGN_UP(end, PAGEBLOCK_PAGES) - ALIGN_DOWN(base, PAGEBLOCK_PAGES)) >>
	       PAGEBLOCK_ORDER;
}

size_t mm_storage_bytes(unsigned long base_pfn, unsigned long end_pfn)
{
	size_t map = (end_pfn - base_pfn) * sizeof(struct page);

	return ALIGN_UP(map + span_pageblocks(base_pfn, end_pfn), PAGE_SIZE);
}

static int validate_ranges(const struct pfn_range *range, size_t n)
{
	size_t i;

	if (!n)
		return -EINVAL;
	for (i = 0; i < n; i++) {
		if (range[i].start >= range[i].end)
			return -EINVAL;
		if (i && range[i].start < range[i - 1].end)
			return -EINVAL;
	}
	return 0;
}

static void mark_reserved(struct mm *mm, unsigned long start, unsigned long end)
{
	unsigned long pfn;

	if (start < mm->base_pfn)
		start = mm->base_pfn;
	if (end > mm->end_pfn)
		end = mm->end_pfn;
	for (pfn = start; pfn < end; pfn++) {
		struct page *page = mm_pfn_to_page(mm, pfn);

		if (!page_is_reserved(page)) {
			page_flags_set(page, PG_reserved);
			mm->nr_reserved++;
		}
	}
}

/* Hand [start, end) to the buddy as maximal aligned blocks. */
static void seed_free_range(struct mm *mm, unsigned long start, unsigned long end)
{
	while (start < end) {
		unsigned int order = MAX_ORDER;

		while (order && ((start & ((1UL << order) - 1)) || start + (1UL << order) > end))
			order--;
		if (mm->poison)
			mm_poison_fill(mm, start, order);
		buddy_free_locked(mm, start, order, MIGRATE_MOVABLE);
		mm->nr_free += 1UL << order;
		mm->nr_managed += 1UL << order;
		start += 1UL << order;
	}
}

/* The reserved range containing @pfn, or NULL. */
static const struct pfn_range *reserved_at(const struct mm_config *cfg, unsigned long pfn)
{
	size_t i;

	for (i = 0; i < cfg->nr_reserved; i++)
		if (cfg->reserved[i].start <= pfn && pfn < cfg->reserved[i].end)
			return &cfg->reserved[i];
	return NULL;
}

/* Seed the usable range [start, end) minus every reserved range (the
 * reserved list is short and may be unsorted or overlapping). */
static void seed_usable(struct mm *mm, const struct mm_config *cfg, unsigned long start,
			unsigned long end)
{
	while (start < end) {
		const struct pfn_range *range = reserved_at(cfg, start);
		unsigned long stop = end;
		size_t i;

		if (range) {
			start = range->end;
			continue;
		}
		for (i = 0; i < cfg->nr_reserved; i++)
			if (cfg->reserved[i].start > start && cfg->reserved[i].start < stop)
				stop = cfg->reserved[i].start;
		seed_free_range(mm, start, stop);
		start = stop;
	}
}

/* Integer square root (Newton), for the watermark formula. */
static unsigned long isqrt(unsigned long x)
{
	unsigned long r = x, y = (x + 1) / 2;

	if (x < 2)
		return x;
	while (y < r) {
		r = y;
		y = (r + x / r) / 2;
	}
	return r;
}

/* min = sqrt(16 * managed KiB) KiB, as Linux sizes min_free_kbytes, clamped
 * to [128 KiB, 64 MiB]; low and high are 5/4 and 3/2 of it. */
static void set_watermarks(struct mm *mm)
{
	unsigned long kib = isqrt(mm->nr_managed * 4 * 16);

	if (kib < 128)
		kib = 128;
	if (kib > 65536)
		kib = 65536;
	mm->wmark[WMARK_MIN] = kib / 4;
	if (mm->wmark[WMARK_MIN] > mm->nr_managed / 8) /* tiny test zones */
		mm->wmark[WMARK_MIN] = mm->nr_managed / 8;
	mm->wmark[WMARK_LOW] = mm->wmark[WMARK_MIN] * 5 / 4;
	mm->wmark[WMARK_HIGH] = mm->wmark[WMARK_MIN] * 3 / 2;
}

int mm_init(struct mm *mm, const struct mm_config *cfg)
{
	unsigned long base, end, pfn, flags;
	unsigned int o, mt;
	size_t i;

	if (validate_ranges(cfg->usable, cfg->nr_usable) || !cfg->storage ||
	    ((unsigned long)cfg->storage & (sizeof(struct page) - 1)))
		return -EINVAL;
	base = cfg->usable[0].start;
	end = cfg->usable[cfg->nr_usable - 1].end;
	memset(mm, 0, sizeof(*mm));
	mm->name = cfg->name ? cfg->name : "mm";
	mm->base_pfn = base;
	mm->end_pfn = end;
	mm->mem_map = cfg->storage;
	mm->pageblock = (u8 *)cfg->storage + (end - base) * sizeof(struct page);
	mm->nr_pageblocks = span_pageblocks(base, end);
	mm_lock_init(&mm->lock, "zone");
	list_init(&mm->movable_owners);
	list_init(&mm->oom.notifiers);
	for (o = 0; o < NR_ORDERS; o++)
		for (mt = 0; mt < MIGRATE_TYPES; mt++)
			list_init(&mm->free_area[o].list[mt]);
	memset(mm->pageblock, MIGRATE_MOVABLE, mm->nr_pageblocks);

	pfn = base;
	for (i = 0; i < cfg->nr_usable; i++) { /* gaps between usable ranges */
		mark_reserved(mm, pfn, cfg->usable[i].start);
		pfn = cfg->usable[i].end;
	}
	for (i = 0; i < cfg->nr_reserved; i++)
		mark_reserved(mm, cfg->reserved[i].start, cfg->reserved[i].end);
	mm->no_data = cfg->no_data;
	mm->poison = cfg->poison && !cfg->no_data;
	/* Nobody sees the mm yet; the lock keeps the buddy's rule (*_locked). */
	flags = mm_lock_irqsave(&mm->lock);
	for (i = 0; i < cfg->nr_usable; i++)
		seed_usable(mm, cfg, cfg->usable[i].start, cfg->usable[i].end);
	mm_unlock_irqrestore(&mm->lock, flags);
	set_watermarks(mm);
	pcp_init(mm);
	return 0;
}
