/*
 * mm_check: prove the page-state invariants of mm/page.h and the counters of
 * mm/mm.h by walking every PFN and every free list under the zone lock.
 *
 *  1. Every PFN is in exactly one state: the walk steps over whole blocks
 *     (a free or allocated head covers its 2^order pages, whose flags must
 *     all be zero), and a page with no flag outside any block is an orphan.
 *  2. Heads are aligned to their order and end inside the zone.
 *  3. Each free list holds only PG_buddy heads of its order and migratetype,
 *     none twice (marked with PG_checked during the walk), and as many as its
 *     counter says; nr_free is the sum of their sizes.
 *  4. Per-cpu lists hold only PG_pcp pages of their migratetype; the count
 *     matches.
 *  5. free + pcp + allocated + reserved pages == the span; reserved matches
 *     nr_reserved (nothing released a reserved page).
 *  6. PG_reported marks only free heads, and on each free list no
 *     unreported block follows a reported one; the pages of REPORTING
 *     blocks equal nr_report_isolated (mm/reporting.c).
 */
#include "lib/printf.h"
#include "mm/check_log.h"
#include "mm/internal.h"


struct check {
	struct mm *mm;
	struct check_log log;
	unsigned long free_pages, pcp_pages, allocated, reserved, reporting;
	unsigned long buddy_heads;
};

static __printf(3, 4) void violation(struct check *check, unsigned long pfn, const char *fmt, ...)
{
	char msg[160];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	check_fail(&check->log, "pfn %#lx: %s", pfn, msg);
}

/* The pages after a head must be plain tails. */
static void check_tails(struct check *check, unsigned long pfn, unsigned int order)
{
	unsigned long i;

	for (i = 1; i < (1UL << order); i++) {
		const struct page *page = mm_pfn_to_page(check->mm, pfn + i);

		if (page_flags(page) & ~PG_checked)
			violation(check, pfn + i, "tail of the order-%u block at %#lx has flags %#lx",
				  order, pfn, page_flags(page));
	}
}

/* Check the block headed at @pfn; return its size in pages. */
static unsigned long check_head(struct check *check, unsigned long pfn, const struct page *page)
{
	unsigned int order = page_order(page);

	if (order > MAX_ORDER || (pfn & ((1UL << order) - 1)) ||
	    pfn + (1UL << order) > check->mm->end_pfn) {
		violation(check, pfn, "head of order %u misaligned or beyond the zone", order);
		return 1;
	}
	check_tails(check, pfn, order);
	if (page_is_buddy(page)) {
		check->free_pages += 1UL << order;
		check->buddy_heads++;
	} else {
		if (page_type(page) >= MEMDESC_TYPES)
			violation(check, pfn, "memdesc type %u invalid", page_type(page));
		if (page_type(page) == MEMDESC_REPORTING)
			check->reporting += 1UL << order;
		check->allocated += 1UL << order;
	}
	return 1UL << order;
}

static void walk_pfns(struct check *check)
{
	struct mm *mm = check->mm;
	unsigned long pfn = mm->base_pfn;

	while (pfn < mm->end_pfn) {
		const struct page *page = mm_pfn_to_page(mm, pfn);
		unsigned long state = page_flags(page) & (PG_buddy | PG_pcp | PG_head | PG_reserved);

		if (page_is_reported(page) && state != PG_buddy)
			violation(check, pfn, "PG_reported on a page that is not a free head (flags %#lx)",
				  page_flags(page));
		if (state && (state & (state - 1))) {
			violation(check, pfn, "in several states at once (flags %#lx)", page_flags(page));
			pfn++;
		} else if (state == PG_reserved) {
			check->reserved++;
			pfn++;
		} else if (state == PG_pcp) {
			check->pcp_pages++;
			pfn++;
		} else if (state == PG_buddy || state == PG_head) {
			pfn += check_head(check, pfn, page);
		} else {
			violation(check, pfn, "orphan: no state and not inside any block");
			pfn++;
		}
	}
}

/* Walk one free list, marking heads; bounded so a corrupted list ends. */
static unsigned long walk_free_list(struct check *check, unsigned int order, enum migratetype mt)
{
	struct mm *mm = check->mm;
	struct list_head *head = &mm->free_area[order].list[mt], *pos;
	unsigned long n = 0, limit = mm->end_pfn - mm->base_pfn + 1;
	bool seen_reported = false;

	for (pos = head->next; pos != head && n < limit; pos = pos->next, n++) {
		struct page *page = container_of(pos, struct page, buddy_list);
		unsigned long pfn;

		if (page < mm->mem_map || page >= mm->mem_map + (mm->end_pfn - mm->base_pfn)) {
			violation(check, 0, "free list %u/%s links outside the mem_map", order,
				  migratetype_name(mt));
			return n;
		}
		pfn = mm_page_to_pfn(mm, page);
		if (!page_is_buddy(page) || page_order(page) != order || page_list_mt(page) != mt)
			violation(check, pfn, "on free list %u/%s but flags %#lx", order,
				  migratetype_name(mt), page_flags(page));
		if (page_flags(page) & PG_checked)
			violation(check, pfn, "listed twice");
		if (seen_reported && !page_is_reported(page))
			violation(check, pfn, "unreported block behind a reported one on list %u/%s",
				  order, migratetype_name(mt));
		seen_reported |= page_is_reported(page);
		page_flags_or(page, PG_checked);
	}
	if (n != mm->free_area[order].nr[mt])
		violation(check, 0, "free list %u/%s holds %lu blocks, counter says %lu", order,
			  migratetype_name(mt), n, mm->free_area[order].nr[mt]);
	return n;
}

static void check_free_lists(struct check *check)
{
	struct mm *mm = check->mm;
	unsigned long listed = 0, pages = 0, pfn;
	unsigned int o, mt;

	for (o = 0; o < NR_ORDERS; o++)
		for (mt = 0; mt < MIGRATE_TYPES; mt++) {
			unsigned long n = walk_free_list(check, o, (enum migratetype)mt);

			listed += n;
			pages += n << o;
		}
	if (listed != check->buddy_heads)
		violation(check, 0, "%lu blocks on free lists but %lu free heads in the mem_map", listed,
			  check->buddy_heads);
	if (pages != mm->nr_free)
		violation(check, 0, "free lists hold %lu pages, nr_free says %lu", pages, mm->nr_free);
	for (pfn = mm->base_pfn; pfn < mm->end_pfn;) { /* clear the marks */
		struct page *page = mm_pfn_to_page(mm, pfn);

		page_flags_clear(page, PG_checked);
		pfn += page_is_buddy(page) || page_is_head(page) ? 1UL << page_order(page) : 1;
	}
}

static void check_pcp(struct check *check)
{
	struct mm *mm = check->mm;
	unsigned long total = 0;
	unsigned int cpu, mt;

	for (cpu = 0; cpu < MM_MAX_CPUS; cpu++) {
		struct pcp_cache *pcp = &mm->pcp[cpu];
		unsigned long n = 0;

		for (mt = 0; mt < MIGRATE_PCPTYPES; mt++) {
			struct page *page;

			list_for_each_entry(page, &pcp->list[mt], pcp_list) {
				if (!page_is_pcp(page) || page_list_mt(page) != mt)
					violation(check, mm_page_to_pfn(mm, page), "on pcp list %s but flags %#lx",
						  migratetype_name(mt), page_flags(page));
				if (++n > mm->end_pfn - mm->base_pfn)
					break;
			}
		}
		if (n != pcp->count)
			violation(check, 0, "cpu %u pcp holds %lu pages, count says %u", cpu, n, pcp->count);
		total += n;
	}
	if (total != check->pcp_pages)
		violation(check, 0, "%lu pages on pcp lists but %lu PG_pcp pages", total, check->pcp_pages);
}

unsigned int mm_check(struct mm *mm)
{
	struct check check = { .mm = mm, .log = { "mm_check", mm->name, 0 } };
	unsigned long span = mm->end_pfn - mm->base_pfn, flags[MM_MAX_CPUS], lock_flags;
	unsigned int cpu;

	for (cpu = 0; cpu < MM_MAX_CPUS; cpu++) /* in CPU order: the lock order */
		flags[cpu] = mm_lock_irqsave(&mm->pcp[cpu].lock);
	lock_flags = mm_lock_irqsave(&mm->lock);

	walk_pfns(&check);
	check_free_lists(&check);
	check_pcp(&check);
	if (check.reserved != mm->nr_reserved)
		violation(&check, 0, "%lu reserved pages, %lu at init", check.reserved, mm->nr_reserved);
	if (check.reporting != mm->nr_report_isolated)
		violation(&check, 0, "%lu pages in REPORTING blocks, nr_report_isolated says %lu",
			  check.reporting, mm->nr_report_isolated);
	if (check.free_pages + check.pcp_pages + check.allocated + check.reserved != span)
		violation(&check, 0, "free %lu + pcp %lu + allocated %lu + reserved %lu != span %lu",
			  check.free_pages, check.pcp_pages, check.allocated, check.reserved, span);
	mm_unlock_irqrestore(&mm->lock, lock_flags);
	for (cpu = MM_MAX_CPUS; cpu-- > 0;)
		mm_unlock_irqrestore(&mm->pcp[cpu].lock, flags[cpu]);
	return check_log_finish(&check.log);
}
