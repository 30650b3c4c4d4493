/*
 * Sanitizing firmware memory maps and editing PFN range lists (see
 * physmem.h for the rules).
 *
 * Basic algorithm of physmem_sanitize():
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
#include "mm/physmem.h"
#include "include/errno.h"
#include "lib/printf.h"
#include "lib/string.h"

static_assert(sizeof(unsigned long) == sizeof(u64), "pfn_range fields hold byte addresses");

#define MSG_MAX 200

__printf(3, 4) static void warnf(physmem_warn_fn warn, void *ctx, const char *fmt, ...)
{
	char msg[MSG_MAX];
	va_list ap;

	if (!warn)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	warn(msg, ctx);
}

const char *physmem_type_name(u32 type)
{
	switch (type) {
	case PHYSMEM_USABLE: return "usable";
	case PHYSMEM_RESERVED: return "reserved";
	case PHYSMEM_ACPI: return "ACPI";
	case PHYSMEM_NVS: return "NVS";
	case PHYSMEM_BAD: return "bad";
	default: return "unknown";
	}
}

/* The byte span of @entry clamped to PHYSMEM_ADDR_MAX. Return: false when the
 * entry covers nothing. *@wrapped tells whether it ran past 2^64. */
static bool entry_span(const struct physmem_entry *entry, u64 *start, u64 *end, bool *wrapped)
{
	u64 s = entry->base, x = entry->base + entry->length;

	*wrapped = entry->length && x < s;
	if (*wrapped || x > PHYSMEM_ADDR_MAX)
		x = PHYSMEM_ADDR_MAX;
	if (s > PHYSMEM_ADDR_MAX)
		s = PHYSMEM_ADDR_MAX;
	*start = s;
	*end = x;
	return entry->length && s < x;
}

static bool is_usable(const struct physmem_entry *entry) { return entry->type == PHYSMEM_USABLE; }

/* Report what is wrong with single entries and whether the map is sorted. */
static void warn_entries(const struct physmem_entry *map, size_t n, physmem_warn_fn warn,
			   void *ctx)
{
	bool unsorted_seen = false, wrapped;
	size_t i, prev = n;
	u64 s, e;

	for (i = 0; i < n; i++) {
		const struct physmem_entry *entry = &map[i];

		if (!entry->length) {
			warnf(warn, ctx, "physmem: entry %zu (%s) at 0x%lx has zero length; dropped",
				i, physmem_type_name(entry->type), entry->base);
			continue;
		}
		if (!entry_span(entry, &s, &e, &wrapped) || wrapped)
			warnf(warn, ctx,
				"physmem: entry %zu (%s) [0x%lx,+0x%lx) reaches past the last page; truncated at 0x%lx",
				i, physmem_type_name(entry->type), entry->base, entry->length, PHYSMEM_ADDR_MAX);
		if (prev < n && entry->base < map[prev].base && !unsorted_seen) {
			warnf(warn, ctx,
				"physmem: entry %zu at 0x%lx lies below entry %zu at 0x%lx; the map is unsorted (sorted here)",
				i, entry->base, prev, map[prev].base);
			unsorted_seen = true;
		}
		prev = i;
	}
}

/* Report every pair of overlapping entries and what the overlap becomes. */
static void warn_overlaps(const struct physmem_entry *map, size_t n, physmem_warn_fn warn,
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
				warnf(warn, ctx,
					"physmem: entry %zu [0x%lx,0x%lx) overlaps entry %zu [0x%lx,0x%lx); merged",
					j, sj, ej, i, si, ei);
			else if (is_usable(&map[i]) || is_usable(&map[j]))
				warnf(warn, ctx,
					"physmem: entry %zu (%s) [0x%lx,0x%lx) overlaps entry %zu (%s) [0x%lx,0x%lx); [0x%lx,0x%lx) is not usable",
					j, physmem_type_name(map[j].type), sj, ej, i,
					physmem_type_name(map[i].type), si, ei, lo, hi);
			else
				warnf(warn, ctx,
					"physmem: entry %zu (%s) [0x%lx,0x%lx) overlaps entry %zu (%s) [0x%lx,0x%lx); both unusable",
					j, physmem_type_name(map[j].type), sj, ej, i,
					physmem_type_name(map[i].type), si, ei);
		}
	}
}

/* Add [s, e) to the sorted list @range of *@n ranges (room for @max), merging
 * with every range it overlaps or touches. Return: 0 or -ENOSPC. */
static int range_add(struct pfn_range *range, size_t *n, size_t max, unsigned long s,
		     unsigned long e)
{
	size_t i = 0, j;

	while (i < *n && range[i].end < s)
		i++;
	for (j = i; j < *n && range[j].start <= e; j++) {
		s = MIN(s, range[j].start);
		e = MAX(e, range[j].end);
	}
	if (j == i) {
		if (*n == max)
			return -ENOSPC;
		memmove(&range[i + 1], &range[i], (*n - i) * sizeof(*range));
		(*n)++;
	} else if (j > i + 1) {
		memmove(&range[i + 1], &range[j], (*n - j) * sizeof(*range));
		*n -= j - i - 1;
	}
	range[i].start = s;
	range[i].end = e;
	return 0;
}

/* Remove [s, e) from the sorted list @range of *@n ranges (room for @max).
 * Return: 0, or -ENOSPC when a range would split and there is no room. */
static int range_sub(struct pfn_range *range, size_t *n, size_t max, unsigned long s,
		     unsigned long e)
{
	size_t i = 0;

	while (i < *n) {
		struct pfn_range *x = &range[i];

		if (x->end <= s || x->start >= e) {
			i++;
		} else if (x->start < s && x->end > e) { /* split in two */
			if (*n == max)
				return -ENOSPC;
			memmove(&range[i + 2], &range[i + 1], (*n - i - 1) * sizeof(*range));
			(*n)++;
			range[i + 1].start = e;
			range[i + 1].end = x->end;
			x->end = s;
			return 0;
		} else if (x->start < s) {
			x->end = s;
			i++;
		} else if (x->end > e) {
			x->start = e;
			i++;
		} else { /* covered entirely */
			memmove(&range[i], &range[i + 1], (*n - i - 1) * sizeof(*range));
			(*n)--;
		}
	}
	return 0;
}

/* Trim the byte ranges in @range inward to pages and turn them into PFNs, in
 * place. Return: the number of ranges left. */
static size_t trim_to_pages(struct pfn_range *range, size_t n, physmem_warn_fn warn, void *ctx)
{
	size_t i, out = 0;

	for (i = 0; i < n; i++) {
		unsigned long s = range[i].start, e = range[i].end;
		unsigned long ps = ALIGN_UP(s, PAGE_SIZE), pe = ALIGN_DOWN(e, PAGE_SIZE);

		if (ps >= pe) {
			warnf(warn, ctx, "physmem: usable [0x%lx,0x%lx) holds no whole page; dropped",
				s, e);
			continue;
		}
		if (ps != s || pe != e)
			warnf(warn, ctx,
				"physmem: usable [0x%lx,0x%lx) is not page aligned; trimmed to [0x%lx,0x%lx)",
				s, e, ps, pe);
		range[out].start = ps >> PAGE_SHIFT;
		range[out].end = pe >> PAGE_SHIFT;
		out++;
	}
	return out;
}

int physmem_sanitize(const struct physmem_entry *map, size_t n, struct pfn_range *out,
		    size_t max_out, physmem_warn_fn warn, void *ctx)
{
	size_t i, nr = 0;
	u64 s, e;
	bool w;

	warn_entries(map, n, warn, ctx);
	warn_overlaps(map, n, warn, ctx);
	for (i = 0; i < n; i++)
		if (is_usable(&map[i]) && entry_span(&map[i], &s, &e, &w) &&
		    range_add(out, &nr, max_out, s, e))
			goto err_nospc;
	for (i = 0; i < n; i++)
		if (!is_usable(&map[i]) && entry_span(&map[i], &s, &e, &w) &&
		    range_sub(out, &nr, max_out, s, e))
			goto err_nospc;
	return (int)trim_to_pages(out, nr, warn, ctx);

err_nospc:
	warnf(warn, ctx, "physmem: more than %zu usable ranges; the map is too fragmented",
		max_out);
	return -ENOSPC;
}

int physmem_subtract(struct pfn_range *range, size_t n, size_t max, const struct pfn_range *sub,
		    size_t nsub)
{
	size_t i;

	for (i = 0; i < nsub; i++)
		if (sub[i].start < sub[i].end && range_sub(range, &n, max, sub[i].start, sub[i].end))
			return -ENOSPC;
	return (int)n;
}

size_t physmem_normalize(struct pfn_range *range, size_t n)
{
	size_t i, j, out = 0;

	for (i = 1; i < n; i++) { /* insertion sort: lists are short */
		struct pfn_range x = range[i];

		for (j = i; j > 0 && range[j - 1].start > x.start; j--)
			range[j] = range[j - 1];
		range[j] = x;
	}
	for (i = 0; i < n; i++) {
		if (range[i].start >= range[i].end)
			continue;
		if (out && range[i].start <= range[out - 1].end)
			range[out - 1].end = MAX(range[out - 1].end, range[i].end);
		else
			range[out++] = range[i];
	}
	return out;
}

size_t physmem_limit(struct pfn_range *range, size_t n, unsigned long max_pages)
{
	size_t i;

	for (i = 0; i < n; i++) {
		unsigned long len = range[i].end - range[i].start;

		if (len >= max_pages) {
			range[i].end = range[i].start + max_pages;
			return max_pages ? i + 1 : i;
		}
		max_pages -= len;
	}
	return n;
}

size_t physmem_clip(struct pfn_range *range, size_t n, unsigned long end_pfn)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (range[i].start >= end_pfn)
			return i;
		if (range[i].end > end_pfn) {
			range[i].end = end_pfn;
			return i + 1;
		}
	}
	return n;
}

unsigned long physmem_pages(const struct pfn_range *range, size_t n)
{
	unsigned long pages = 0;
	size_t i;

	for (i = 0; i < n; i++)
		pages += range[i].end - range[i].start;
	return pages;
}
