/*
 * Sanitizing firmware memory maps and editing PFN range lists (see
 * memmap.h for the rules).
 *
 * Basic algorithm of memmap_sanitize():
 *   report every suspicious entry and every overlapping pair (O(n^2): maps
 *     have tens of entries, a few hundred at most);
 *   out := union of the usable entries, in bytes, kept sorted and merged;
 *   for each non-usable entry: out := out - entry (in bytes);
 *   trim each range of out inward to pages and convert it to PFNs.
 * Working in bytes until the end is what keeps a page that two usable
 * entries share. The output array doubles as the working storage (a byte
 * address fits in a pfn_range field), so nothing is allocated.
 *
 * Invariant kept by range_add()/range_sub(): the list is sorted, disjoint
 * and has no empty range; range_add() also leaves no two ranges adjacent.
 */
#include "mm/memmap.h"
#include "include/errno.h"
#include "lib/printf.h"
#include "lib/string.h"

static_assert(sizeof(unsigned long) == sizeof(u64), "pfn_range fields hold byte addresses");

#define MSG_MAX 200

__printf(3, 4) static void reportf(memmap_report_fn report, void *ctx, const char *fmt, ...)
{
	char msg[MSG_MAX];
	va_list ap;

	if (!report)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	report(msg, ctx);
}

const char *memmap_type_name(u32 type)
{
	switch (type) {
	case MEMMAP_USABLE: return "usable";
	case MEMMAP_RESERVED: return "reserved";
	case MEMMAP_ACPI: return "ACPI";
	case MEMMAP_NVS: return "NVS";
	case MEMMAP_BAD: return "bad";
	default: return "unknown";
	}
}

/* The byte span of @e clamped to MEMMAP_ADDR_MAX. Return: false when the
 * entry covers nothing. *@wrapped tells whether it ran past 2^64. */
static bool entry_span(const struct memmap_entry *e, u64 *start, u64 *end, bool *wrapped)
{
	u64 s = e->base, x = e->base + e->length;

	*wrapped = e->length && x < s;
	if (*wrapped || x > MEMMAP_ADDR_MAX)
		x = MEMMAP_ADDR_MAX;
	if (s > MEMMAP_ADDR_MAX)
		s = MEMMAP_ADDR_MAX;
	*start = s;
	*end = x;
	return e->length && s < x;
}

static bool is_usable(const struct memmap_entry *e) { return e->type == MEMMAP_USABLE; }

/* Report what is wrong with single entries and whether the map is sorted. */
static void report_entries(const struct memmap_entry *map, size_t n, memmap_report_fn report,
			   void *ctx)
{
	bool unsorted_seen = false, wrapped;
	size_t i, prev = n;
	u64 s, e;

	for (i = 0; i < n; i++) {
		const struct memmap_entry *m = &map[i];

		if (!m->length) {
			reportf(report, ctx, "memmap: entry %zu (%s) at 0x%lx has zero length; dropped",
				i, memmap_type_name(m->type), m->base);
			continue;
		}
		if (!entry_span(m, &s, &e, &wrapped) || wrapped)
			reportf(report, ctx,
				"memmap: entry %zu (%s) [0x%lx,+0x%lx) reaches past the last page; truncated at 0x%lx",
				i, memmap_type_name(m->type), m->base, m->length, MEMMAP_ADDR_MAX);
		if (prev < n && m->base < map[prev].base && !unsorted_seen) {
			reportf(report, ctx,
				"memmap: entry %zu at 0x%lx lies below entry %zu at 0x%lx; the map is unsorted (sorted here)",
				i, m->base, prev, map[prev].base);
			unsorted_seen = true;
		}
		prev = i;
	}
}

/* Report every pair of overlapping entries and what the overlap becomes. */
static void report_overlaps(const struct memmap_entry *map, size_t n, memmap_report_fn report,
			    void *ctx)
{
	size_t i, j;
	u64 si, ei, sj, ej;
	bool w;

	for (j = 0; j < n; j++) {
		if (!entry_span(&map[j], &sj, &ej, &w))
			continue;
		for (i = 0; i < j; i++) {
			u64 lo, hi;

			if (!entry_span(&map[i], &si, &ei, &w) || ei <= sj || ej <= si)
				continue;
			lo = MAX(si, sj);
			hi = MIN(ei, ej);
			if (is_usable(&map[i]) && is_usable(&map[j]))
				reportf(report, ctx,
					"memmap: entry %zu [0x%lx,0x%lx) overlaps entry %zu [0x%lx,0x%lx); merged",
					j, sj, ej, i, si, ei);
			else if (is_usable(&map[i]) || is_usable(&map[j]))
				reportf(report, ctx,
					"memmap: entry %zu (%s) [0x%lx,0x%lx) overlaps entry %zu (%s) [0x%lx,0x%lx); [0x%lx,0x%lx) is not usable",
					j, memmap_type_name(map[j].type), sj, ej, i,
					memmap_type_name(map[i].type), si, ei, lo, hi);
			else
				reportf(report, ctx,
					"memmap: entry %zu (%s) [0x%lx,0x%lx) overlaps entry %zu (%s) [0x%lx,0x%lx); both unusable",
					j, memmap_type_name(map[j].type), sj, ej, i,
					memmap_type_name(map[i].type), si, ei);
		}
	}
}

/* Add [s, e) to the sorted list @r of *@n ranges (room for @max), merging
 * with every range it overlaps or touches. Return: 0 or -ENOSPC. */
static int range_add(struct pfn_range *r, size_t *n, size_t max, unsigned long s,
		     unsigned long e)
{
	size_t i = 0, j;

	while (i < *n && r[i].end < s)
		i++;
	for (j = i; j < *n && r[j].start <= e; j++) {
		s = MIN(s, r[j].start);
		e = MAX(e, r[j].end);
	}
	if (j == i) {
		if (*n == max)
			return -ENOSPC;
		memmove(&r[i + 1], &r[i], (*n - i) * sizeof(*r));
		(*n)++;
	} else if (j > i + 1) {
		memmove(&r[i + 1], &r[j], (*n - j) * sizeof(*r));
		*n -= j - i - 1;
	}
	r[i].start = s;
	r[i].end = e;
	return 0;
}

/* Remove [s, e) from the sorted list @r of *@n ranges (room for @max).
 * Return: 0, or -ENOSPC when a range would split and there is no room. */
static int range_sub(struct pfn_range *r, size_t *n, size_t max, unsigned long s,
		     unsigned long e)
{
	size_t i = 0;

	while (i < *n) {
		struct pfn_range *x = &r[i];

		if (x->end <= s || x->start >= e) {
			i++;
		} else if (x->start < s && x->end > e) { /* split in two */
			if (*n == max)
				return -ENOSPC;
			memmove(&r[i + 2], &r[i + 1], (*n - i - 1) * sizeof(*r));
			(*n)++;
			r[i + 1].start = e;
			r[i + 1].end = x->end;
			x->end = s;
			return 0;
		} else if (x->start < s) {
			x->end = s;
			i++;
		} else if (x->end > e) {
			x->start = e;
			i++;
		} else { /* covered entirely */
			memmove(&r[i], &r[i + 1], (*n - i - 1) * sizeof(*r));
			(*n)--;
		}
	}
	return 0;
}

/* Trim the byte ranges in @r inward to pages and turn them into PFNs, in
 * place. Return: the number of ranges left. */
static size_t trim_to_pages(struct pfn_range *r, size_t n, memmap_report_fn report, void *ctx)
{
	size_t i, out = 0;

	for (i = 0; i < n; i++) {
		unsigned long s = r[i].start, e = r[i].end;
		unsigned long ps = ALIGN_UP(s, PAGE_SIZE), pe = ALIGN_DOWN(e, PAGE_SIZE);

		if (ps >= pe) {
			reportf(report, ctx, "memmap: usable [0x%lx,0x%lx) holds no whole page; dropped",
				s, e);
			continue;
		}
		if (ps != s || pe != e)
			reportf(report, ctx,
				"memmap: usable [0x%lx,0x%lx) is not page aligned; trimmed to [0x%lx,0x%lx)",
				s, e, ps, pe);
		r[out].start = ps >> PAGE_SHIFT;
		r[out].end = pe >> PAGE_SHIFT;
		out++;
	}
	return out;
}

int memmap_sanitize(const struct memmap_entry *map, size_t n, struct pfn_range *out,
		    size_t max_out, memmap_report_fn report, void *ctx)
{
	size_t i, nr = 0;
	u64 s, e;
	bool w;

	report_entries(map, n, report, ctx);
	report_overlaps(map, n, report, ctx);
	for (i = 0; i < n; i++)
		if (is_usable(&map[i]) && entry_span(&map[i], &s, &e, &w) &&
		    range_add(out, &nr, max_out, s, e))
			goto err_nospc;
	for (i = 0; i < n; i++)
		if (!is_usable(&map[i]) && entry_span(&map[i], &s, &e, &w) &&
		    range_sub(out, &nr, max_out, s, e))
			goto err_nospc;
	return (int)trim_to_pages(out, nr, report, ctx);

err_nospc:
	reportf(report, ctx, "memmap: more than %zu usable ranges; the map is too fragmented",
		max_out);
	return -ENOSPC;
}

int memmap_subtract(struct pfn_range *r, size_t n, size_t max, const struct pfn_range *sub,
		    size_t nsub)
{
	size_t i;

	for (i = 0; i < nsub; i++)
		if (sub[i].start < sub[i].end && range_sub(r, &n, max, sub[i].start, sub[i].end))
			return -ENOSPC;
	return (int)n;
}

size_t memmap_normalize(struct pfn_range *r, size_t n)
{
	size_t i, j, out = 0;

	for (i = 1; i < n; i++) { /* insertion sort: lists are short */
		struct pfn_range x = r[i];

		for (j = i; j > 0 && r[j - 1].start > x.start; j--)
			r[j] = r[j - 1];
		r[j] = x;
	}
	for (i = 0; i < n; i++) {
		if (r[i].start >= r[i].end)
			continue;
		if (out && r[i].start <= r[out - 1].end)
			r[out - 1].end = MAX(r[out - 1].end, r[i].end);
		else
			r[out++] = r[i];
	}
	return out;
}

size_t memmap_limit(struct pfn_range *r, size_t n, unsigned long max_pages)
{
	size_t i;

	for (i = 0; i < n; i++) {
		unsigned long len = r[i].end - r[i].start;

		if (len >= max_pages) {
			r[i].end = r[i].start + max_pages;
			return max_pages ? i + 1 : i;
		}
		max_pages -= len;
	}
	return n;
}

size_t memmap_clip(struct pfn_range *r, size_t n, unsigned long end_pfn)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (r[i].start >= end_pfn)
			return i;
		if (r[i].end > end_pfn) {
			r[i].end = end_pfn;
			return i + 1;
		}
	}
	return n;
}

unsigned long memmap_pages(const struct pfn_range *r, size_t n)
{
	unsigned long pages = 0;
	size_t i;

	for (i = 0; i < n; i++)
		pages += r[i].end - r[i].start;
	return pages;
}
