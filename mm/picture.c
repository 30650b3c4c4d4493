/*
 * The physical-memory map (mm/picture.h): classify each pageblock by walking
 * its blocks (a free or allocated block is visited once through its head,
 * found by buddy_block_head), then draw rows of PICTURE_ROW_BLOCKS characters.
 *
 * Invariants: the walk only reads; each pageblock is classified under the
 * zone lock (so buddy heads do not move under it), the drawing happens
 * outside it; a line never exceeds PICTURE_LINE_MAX bytes.
 */
#include "mm/picture.h"
#include "lib/printf.h"
#include "mm/internal.h"

/* Row prefix + 64 characters, each with a colour change, + the reset. */
#define PICTURE_LINE_MAX 1024
#define PICTURE_RESET "\033[0m"

static const struct {
	char ch;
	const char *name;
	const char *color; /* ANSI foreground;background */
} kinds[PICTURE_KINDS] = {
	[PICTURE_FREE] = { '.', "free", "\033[30;47m" },
	[PICTURE_MOVABLE] = { 'M', "movable", "\033[97;44m" },
	[PICTURE_UNMOVABLE] = { 'U', "unmovable", "\033[97;41m" },
	[PICTURE_BALLOON] = { 'B', "balloon", "\033[30;45m" },
	[PICTURE_MSLAB] = { 'S', "mslab", "\033[30;46m" },
	[PICTURE_MIXED] = { 'X', "mixed", "\033[30;43m" },
	[PICTURE_RESERVED] = { 'R', "reserved", "\033[97;100m" },
};

/* What one pageblock holds, in pages. */
struct block_census {
	unsigned long free;
	unsigned long reserved;
	unsigned int owners; /* bit per owner kind (PICTURE_MOVABLE..PICTURE_MSLAB) seen */
};

char picture_kind_char(enum picture_kind kind)
{
	return kind < PICTURE_KINDS ? kinds[kind].ch : '?';
}

const char *picture_kind_name(enum picture_kind kind)
{
	return kind < PICTURE_KINDS ? kinds[kind].name : "?";
}

/* The kind an allocated head stands for (PICTURE_FREE and PICTURE_RESERVED for
 * owners that hold free or reserved memory). */
static enum picture_kind head_kind(const struct page *head)
{
	switch (page_type(head)) {
	case MEMDESC_BALLOON:
		return PICTURE_BALLOON;
	case MEMDESC_MSLAB:
		return PICTURE_MSLAB;
	case MEMDESC_RESERVED:
		return PICTURE_RESERVED;
	case MEMDESC_REPORTING:
		return PICTURE_FREE;
	case MEMDESC_MAPPED:
		return PICTURE_MOVABLE;
	default:
		return page_is_movable(head) ? PICTURE_MOVABLE : PICTURE_UNMOVABLE;
	}
}

/* Add @n pages of @kind to @census. */
static void census_add(struct block_census *census, enum picture_kind kind, unsigned long n)
{
	if (kind == PICTURE_FREE)
		census->free += n;
	else if (kind == PICTURE_RESERVED)
		census->reserved += n;
	else
		census->owners |= 1U << kind;
}

/* Walk [@start, @end) block by block. Zone lock held. */
static void census_walk(const struct mm *mm, unsigned long start, unsigned long end,
			struct block_census *census)
{
	unsigned long pfn = start, head_pfn, stop;
	const struct page *head;

	while (pfn < end) {
		if (!mm_pfn_valid(mm, pfn) || page_is_reserved(mm_pfn_to_page(mm, pfn))) {
			census_add(census, PICTURE_RESERVED, 1);
			pfn++;
			continue;
		}
		head = buddy_block_head(mm, pfn, &head_pfn);
		if (!head) { /* an orphan page: nobody can move it */
			census_add(census, PICTURE_UNMOVABLE, 1);
			pfn++;
			continue;
		}
		stop = head_pfn + (1UL << page_order(head));
		if (stop > end)
			stop = end;
		if (page_is_buddy(head) || page_is_pcp(head))
			census_add(census, PICTURE_FREE, stop - pfn);
		else
			census_add(census, head_kind(head), stop - pfn);
		pfn = stop;
	}
}

/* The kind a census adds up to (rules in mm/picture.h). */
static enum picture_kind census_kind(const struct block_census *census)
{
	enum picture_kind k;

	if (census->reserved > PAGEBLOCK_PAGES / 2)
		return PICTURE_RESERVED;
	if (!census->owners)
		return census->reserved ? PICTURE_RESERVED : PICTURE_FREE;
	if (census->owners & (census->owners - 1))
		return PICTURE_MIXED;
	for (k = PICTURE_MOVABLE; !(census->owners & (1U << k)); k++)
		;
	return k;
}

enum picture_kind picture_classify_block(struct mm *mm, unsigned long block)
{
	unsigned long start = ((mm->base_pfn >> PAGEBLOCK_ORDER) + block) << PAGEBLOCK_ORDER;
	struct block_census census = { 0 };
	unsigned long flags;

	if (block >= mm->nr_pageblocks)
		return PICTURE_RESERVED;
	flags = mm_lock_irqsave(&mm->lock);
	census_walk(mm, start, start + PAGEBLOCK_PAGES, &census);
	mm_unlock_irqrestore(&mm->lock, flags);
	return census_kind(&census);
}

void picture_classify(struct mm *mm, unsigned long first, unsigned long nr, char *out,
		  unsigned long counts[PICTURE_KINDS])
{
	unsigned long i;

	for (i = 0; i < nr; i++) {
		enum picture_kind k = picture_classify_block(mm, first + i);

		out[i] = kinds[k].ch;
		if (counts)
			counts[k]++;
	}
}

/* The kind of character @ch (PICTURE_RESERVED for an unknown one). */
static enum picture_kind char_kind(char ch)
{
	enum picture_kind k;

	for (k = 0; k < PICTURE_KINDS; k++)
		if (kinds[k].ch == ch)
			return k;
	return PICTURE_RESERVED;
}

/* Append @s to @line at *@len, never past PICTURE_LINE_MAX - 1. */
static void line_put(char *line, size_t *len, const char *s)
{
	while (*s && *len < PICTURE_LINE_MAX - 1)
		line[(*len)++] = *s++;
	line[*len] = 0;
}

/* Append @ch, with its colour when it differs from *@prev's. */
static void line_put_char(char *line, size_t *len, char ch, enum picture_style style, int *prev)
{
	char one[2] = { ch, 0 };
	enum picture_kind k = char_kind(ch);

	if (style == PICTURE_COLOR && (int)k != *prev)
		line_put(line, len, kinds[k].color);
	*prev = (int)k;
	line_put(line, len, one);
}

/* One row: the address of pageblock @first, then @n characters. */
static void emit_row(const struct mm *mm, unsigned long first, const char *chars,
		     unsigned long n, enum picture_style style, picture_emit_fn emit, void *priv)
{
	unsigned long pfn = ((mm->base_pfn >> PAGEBLOCK_ORDER) + first) << PAGEBLOCK_ORDER;
	char line[PICTURE_LINE_MAX];
	size_t len;
	int prev = -1;
	unsigned long i;

	len = (size_t)snprintf(line, sizeof(line), "0x%010lx ", pfn << PAGE_SHIFT);
	for (i = 0; i < n; i++)
		line_put_char(line, &len, chars[i], style, &prev);
	if (style == PICTURE_COLOR)
		line_put(line, &len, PICTURE_RESET);
	emit(priv, line);
}

static void emit_legend(enum picture_style style, picture_emit_fn emit, void *priv)
{
	char line[PICTURE_LINE_MAX];
	size_t len = 0;
	enum picture_kind k;
	int prev;

	line_put(line, &len, "legend:");
	for (k = 0; k < PICTURE_KINDS; k++) {
		prev = -1;
		line_put(line, &len, k ? "  " : " ");
		line_put_char(line, &len, kinds[k].ch, style, &prev);
		if (style == PICTURE_COLOR)
			line_put(line, &len, PICTURE_RESET);
		line_put(line, &len, " ");
		line_put(line, &len, kinds[k].name);
	}
	emit(priv, line);
}

static void emit_counts(unsigned long nr, const unsigned long counts[PICTURE_KINDS],
			picture_emit_fn emit, void *priv)
{
	char line[PICTURE_LINE_MAX];
	size_t len;
	enum picture_kind k;

	len = (size_t)snprintf(line, sizeof(line), "picture: %lu pageblocks of 2 MiB:", nr);
	for (k = 0; k < PICTURE_KINDS && len < sizeof(line); k++)
		len += (size_t)snprintf(line + len, sizeof(line) - len, "%s %c %s %lu",
					k ? "," : "", kinds[k].ch, kinds[k].name, counts[k]);
	emit(priv, line);
}

void picture_print(struct mm *mm, enum picture_style style, picture_emit_fn emit, void *priv,
	       unsigned long counts[PICTURE_KINDS])
{
	unsigned long local[PICTURE_KINDS] = { 0 }, first, n;
	char chars[PICTURE_ROW_BLOCKS];
	enum picture_kind k;

	for (first = 0; first < mm->nr_pageblocks; first += n) {
		n = mm->nr_pageblocks - first;
		if (n > PICTURE_ROW_BLOCKS)
			n = PICTURE_ROW_BLOCKS;
		picture_classify(mm, first, n, chars, local);
		emit_row(mm, first, chars, n, style, emit, priv);
	}
	emit_legend(style, emit, priv);
	emit_counts(mm->nr_pageblocks, local, emit, priv);
	if (counts)
		for (k = 0; k < PICTURE_KINDS; k++)
			counts[k] = local[k];
}
