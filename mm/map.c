/*
 * The physical-memory map (mm/map.h): classify each pageblock by walking
 * its blocks (a free or allocated block is visited once through its head,
 * found by buddy_block_head), then draw rows of MAP_ROW_BLOCKS characters.
 *
 * Invariants: the walk only reads; each pageblock is classified under the
 * zone lock (so buddy heads do not move under it), the drawing happens
 * outside it; a line never exceeds MAP_LINE_MAX bytes.
 */
#include "mm/map.h"
#include "lib/printf.h"
#include "mm/internal.h"

/* Row prefix + 64 characters, each with a colour change, + the reset. */
#define MAP_LINE_MAX 1024
#define MAP_RESET "\033[0m"

static const struct {
	char ch;
	const char *name;
	const char *color; /* ANSI foreground;background */
} kinds[MAP_KINDS] = {
	[MAP_FREE] = { '.', "free", "\033[30;47m" },
	[MAP_MOVABLE] = { 'M', "movable", "\033[97;44m" },
	[MAP_UNMOVABLE] = { 'U', "unmovable", "\033[97;41m" },
	[MAP_BALLOON] = { 'B', "balloon", "\033[30;45m" },
	[MAP_MSLAB] = { 'S', "mslab", "\033[30;46m" },
	[MAP_MIXED] = { 'X', "mixed", "\033[30;43m" },
	[MAP_RESERVED] = { 'R', "reserved", "\033[97;100m" },
};

/* What one pageblock holds, in pages. */
struct block_census {
	unsigned long free;
	unsigned long reserved;
	unsigned int owners; /* bit per owner kind (MAP_MOVABLE..MAP_MSLAB) seen */
};

char map_kind_char(enum map_kind kind)
{
	return kind < MAP_KINDS ? kinds[kind].ch : '?';
}

const char *map_kind_name(enum map_kind kind)
{
	return kind < MAP_KINDS ? kinds[kind].name : "?";
}

/* The kind an allocated head stands for (MAP_FREE and MAP_RESERVED for
 * owners that hold free or reserved memory). */
static enum map_kind head_kind(const struct page *head)
{
	switch (page_type(head)) {
	case MEMDESC_BALLOON:
		return MAP_BALLOON;
	case MEMDESC_MSLAB:
		return MAP_MSLAB;
	case MEMDESC_RESERVED:
		return MAP_RESERVED;
	case MEMDESC_REPORTING:
		return MAP_FREE;
	case MEMDESC_MAPPED:
		return MAP_MOVABLE;
	default:
		return page_is_movable(head) ? MAP_MOVABLE : MAP_UNMOVABLE;
	}
}

/* Add @n pages of @kind to @c. */
static void census_add(struct block_census *c, enum map_kind kind, unsigned long n)
{
	if (kind == MAP_FREE)
		c->free += n;
	else if (kind == MAP_RESERVED)
		c->reserved += n;
	else
		c->owners |= 1U << kind;
}

/* Walk [@start, @end) block by block. Zone lock held. */
static void census_walk(const struct mm *mm, unsigned long start, unsigned long end,
			struct block_census *c)
{
	unsigned long pfn = start, head_pfn, stop;
	const struct page *head;

	while (pfn < end) {
		if (!mm_pfn_valid(mm, pfn) || page_is_reserved(mm_pfn_to_page(mm, pfn))) {
			census_add(c, MAP_RESERVED, 1);
			pfn++;
			continue;
		}
		head = buddy_block_head(mm, pfn, &head_pfn);
		if (!head) { /* an orphan page: nobody can move it */
			census_add(c, MAP_UNMOVABLE, 1);
			pfn++;
			continue;
		}
		stop = head_pfn + (1UL << page_order(head));
		if (stop > end)
			stop = end;
		if (page_is_buddy(head) || page_is_pcp(head))
			census_add(c, MAP_FREE, stop - pfn);
		else
			census_add(c, head_kind(head), stop - pfn);
		pfn = stop;
	}
}

/* The kind a census adds up to (rules in mm/map.h). */
static enum map_kind census_kind(const struct block_census *c)
{
	enum map_kind k;

	if (c->reserved > PAGEBLOCK_PAGES / 2)
		return MAP_RESERVED;
	if (!c->owners)
		return c->reserved ? MAP_RESERVED : MAP_FREE;
	if (c->owners & (c->owners - 1))
		return MAP_MIXED;
	for (k = MAP_MOVABLE; !(c->owners & (1U << k)); k++)
		;
	return k;
}

enum map_kind map_classify_block(struct mm *mm, unsigned long block)
{
	unsigned long start = ((mm->base_pfn >> PAGEBLOCK_ORDER) + block) << PAGEBLOCK_ORDER;
	struct block_census c = { 0 };
	unsigned long flags;

	if (block >= mm->nr_pageblocks)
		return MAP_RESERVED;
	flags = mm_lock_irqsave(&mm->lock);
	census_walk(mm, start, start + PAGEBLOCK_PAGES, &c);
	mm_unlock_irqrestore(&mm->lock, flags);
	return census_kind(&c);
}

void map_classify(struct mm *mm, unsigned long first, unsigned long nr, char *out,
		  unsigned long counts[MAP_KINDS])
{
	unsigned long i;

	for (i = 0; i < nr; i++) {
		enum map_kind k = map_classify_block(mm, first + i);

		out[i] = kinds[k].ch;
		if (counts)
			counts[k]++;
	}
}

/* The kind of character @ch (MAP_RESERVED for an unknown one). */
static enum map_kind char_kind(char ch)
{
	enum map_kind k;

	for (k = 0; k < MAP_KINDS; k++)
		if (kinds[k].ch == ch)
			return k;
	return MAP_RESERVED;
}

/* Append @s to @line at *@len, never past MAP_LINE_MAX - 1. */
static void line_put(char *line, size_t *len, const char *s)
{
	while (*s && *len < MAP_LINE_MAX - 1)
		line[(*len)++] = *s++;
	line[*len] = 0;
}

/* Append @ch, with its colour when it differs from *@prev's. */
static void line_put_char(char *line, size_t *len, char ch, enum map_style style, int *prev)
{
	char one[2] = { ch, 0 };
	enum map_kind k = char_kind(ch);

	if (style == MAP_COLOR && (int)k != *prev)
		line_put(line, len, kinds[k].color);
	*prev = (int)k;
	line_put(line, len, one);
}

/* One row: the address of pageblock @first, then @n characters. */
static void emit_row(const struct mm *mm, unsigned long first, const char *chars,
		     unsigned long n, enum map_style style, map_emit_fn emit, void *priv)
{
	unsigned long pfn = ((mm->base_pfn >> PAGEBLOCK_ORDER) + first) << PAGEBLOCK_ORDER;
	char line[MAP_LINE_MAX];
	size_t len;
	int prev = -1;
	unsigned long i;

	len = (size_t)snprintf(line, sizeof(line), "0x%010lx ", pfn << PAGE_SHIFT);
	for (i = 0; i < n; i++)
		line_put_char(line, &len, chars[i], style, &prev);
	if (style == MAP_COLOR)
		line_put(line, &len, MAP_RESET);
	emit(priv, line);
}

static void emit_legend(enum map_style style, map_emit_fn emit, void *priv)
{
	char line[MAP_LINE_MAX];
	size_t len = 0;
	enum map_kind k;
	int prev;

	line_put(line, &len, "legend:");
	for (k = 0; k < MAP_KINDS; k++) {
		prev = -1;
		line_put(line, &len, k ? "  " : " ");
		line_put_char(line, &len, kinds[k].ch, style, &prev);
		if (style == MAP_COLOR)
			line_put(line, &len, MAP_RESET);
		line_put(line, &len, " ");
		line_put(line, &len, kinds[k].name);
	}
	emit(priv, line);
}

static void emit_counts(unsigned long nr, const unsigned long counts[MAP_KINDS],
			map_emit_fn emit, void *priv)
{
	char line[MAP_LINE_MAX];
	size_t len;
	enum map_kind k;

	len = (size_t)snprintf(line, sizeof(line), "map: %lu pageblocks of 2 MiB:", nr);
	for (k = 0; k < MAP_KINDS && len < sizeof(line); k++)
		len += (size_t)snprintf(line + len, sizeof(line) - len, "%s %c %s %lu",
					k ? "," : "", kinds[k].ch, kinds[k].name, counts[k]);
	emit(priv, line);
}

void map_print(struct mm *mm, enum map_style style, map_emit_fn emit, void *priv,
	       unsigned long counts[MAP_KINDS])
{
	unsigned long local[MAP_KINDS] = { 0 }, first, n;
	char chars[MAP_ROW_BLOCKS];
	enum map_kind k;

	for (first = 0; first < mm->nr_pageblocks; first += n) {
		n = mm->nr_pageblocks - first;
		if (n > MAP_ROW_BLOCKS)
			n = MAP_ROW_BLOCKS;
		map_classify(mm, first, n, chars, local);
		emit_row(mm, first, chars, n, style, emit, priv);
	}
	emit_legend(style, emit, priv);
	emit_counts(mm->nr_pageblocks, local, emit, priv);
	if (counts)
		for (k = 0; k < MAP_KINDS; k++)
			counts[k] = local[k];
}
