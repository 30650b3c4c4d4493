/*
 * Physical-memory map tests on private mm instances (mm/testing.h), host and
 * kernel: a 1024-page zone holds two pageblocks; the cases place pages of
 * known owner types with mm_alloc_pfn, check each pageblock's character and
 * the printed rows, legend and counts. Every case gives its pages back and
 * ends with mm_check().
 */
#include "lib/ktest.h"
#include "lib/printf.h"
#include "lib/string.h"
#include "mm/map.h"
#include "mm/testing.h"

#define SPAN 1024
#define MAX_HELD 64

static struct mm_test_env env;
static struct page *held[MAX_HELD];
static unsigned int nr_held;

/* Allocate relative PFN @rel and give it to @type (@movable: PG_movable). */
static bool place(unsigned long rel, enum memdesc_type type, bool movable)
{
	struct page *p = mm_alloc_pfn(&env.mm, env.mm.base_pfn + rel);

	if (!p || nr_held == MAX_HELD)
		return false;
	page_set_memdesc(p, type, NULL);
	if (movable)
		p->flags |= PG_movable;
	held[nr_held++] = p;
	return true;
}

static void finish(struct ktest *t)
{
	while (nr_held) {
		struct page *p = held[--nr_held];

		p->flags &= ~PG_movable;
		page_set_memdesc(p, MEMDESC_KERNEL, NULL);
		mm_free_pages(&env.mm, p, 0);
	}
	mm_drain_pcp(&env.mm);
	KTEST_EXPECT_EQ(t, mm_check(&env.mm), 0);
	mm_test_env_destroy(&env);
}

/* Both pageblocks of a fresh zone are free. */
static void map_fresh_zone_is_free(struct ktest *t)
{
	unsigned long counts[MAP_KINDS] = { 0 };
	char out[2];

	KTEST_ASSERT_EQ(t, mm_test_env_simple(&env, SPAN), 0);
	map_classify(&env.mm, 0, 2, out, counts);
	KTEST_EXPECT_EQ(t, out[0], '.');
	KTEST_EXPECT_EQ(t, out[1], '.');
	KTEST_EXPECT_EQ(t, counts[MAP_FREE], 2);
	KTEST_EXPECT_EQ(t, map_classify_block(&env.mm, 2), MAP_RESERVED);
	finish(t);
}

/* One owner kind makes the block that kind whatever its free pages;
 * balloon, mslab, movable test pages and kernel pages each get their own. */
static void map_single_owner_kinds(struct ktest *t)
{
	KTEST_ASSERT_EQ(t, mm_test_env_simple(&env, SPAN), 0);
	KTEST_ASSERT_TRUE(t, place(3, MEMDESC_BALLOON, true));
	KTEST_ASSERT_TRUE(t, place(100, MEMDESC_BALLOON, true));
	KTEST_ASSERT_TRUE(t, place(PAGEBLOCK_PAGES + 7, MEMDESC_MSLAB, true));
	KTEST_EXPECT_EQ(t, map_classify_block(&env.mm, 0), MAP_BALLOON);
	KTEST_EXPECT_EQ(t, map_classify_block(&env.mm, 1), MAP_MSLAB);
	finish(t);

	KTEST_ASSERT_EQ(t, mm_test_env_simple(&env, SPAN), 0);
	KTEST_ASSERT_TRUE(t, place(0, MEMDESC_MAPPED, true));
	KTEST_ASSERT_TRUE(t, place(1, MEMDESC_TEST, true));
	KTEST_ASSERT_TRUE(t, place(PAGEBLOCK_PAGES, MEMDESC_KERNEL, false));
	KTEST_EXPECT_EQ(t, map_classify_block(&env.mm, 0), MAP_MOVABLE);
	KTEST_EXPECT_EQ(t, map_classify_block(&env.mm, 1), MAP_UNMOVABLE);
	finish(t);
}

/* Two owner kinds in one pageblock make it mixed. */
static void map_two_owners_are_mixed(struct ktest *t)
{
	KTEST_ASSERT_EQ(t, mm_test_env_simple(&env, SPAN), 0);
	KTEST_ASSERT_TRUE(t, place(10, MEMDESC_BALLOON, true));
	KTEST_ASSERT_TRUE(t, place(11, MEMDESC_SLAB, false));
	KTEST_ASSERT_TRUE(t, place(PAGEBLOCK_PAGES + 1, MEMDESC_MAPPED, true));
	KTEST_ASSERT_TRUE(t, place(PAGEBLOCK_PAGES + 2, MEMDESC_MSLAB, true));
	KTEST_EXPECT_EQ(t, map_classify_block(&env.mm, 0), MAP_MIXED);
	KTEST_EXPECT_EQ(t, map_classify_block(&env.mm, 1), MAP_MIXED);
	finish(t);
}

/* Mostly reserved, or reserved with nothing else used: R; a reserved
 * minority beside an owner: the owner's kind. */
static void map_reserved_blocks(struct ktest *t)
{
	const struct pfn_range all = { 0, SPAN };
	const struct pfn_range most = { 0, 300 }, few = { PAGEBLOCK_PAGES, PAGEBLOCK_PAGES + 20 };
	const struct pfn_range res[] = { most, few };

	KTEST_ASSERT_EQ(t, mm_test_env_init(&env, SPAN, &all, 1, res, 2), 0);
	KTEST_EXPECT_EQ(t, map_classify_block(&env.mm, 0), MAP_RESERVED);
	KTEST_EXPECT_EQ(t, map_classify_block(&env.mm, 1), MAP_RESERVED);
	KTEST_ASSERT_TRUE(t, place(PAGEBLOCK_PAGES + 30, MEMDESC_PGTABLE, false));
	KTEST_EXPECT_EQ(t, map_classify_block(&env.mm, 1), MAP_UNMOVABLE);
	finish(t);
}

struct capture {
	char text[2048];
	size_t len;
	unsigned int lines;
};

static void capture_line(void *priv, const char *line)
{
	struct capture *c = priv;

	c->len += (size_t)snprintf(c->text + c->len, sizeof(c->text) - c->len, "%s\n", line);
	c->lines++;
}

/* map_print: one row with the address, the legend, the counts; colour adds
 * escapes and a reset but the same lines. */
static void map_print_rows_legend_counts(struct ktest *t)
{
	unsigned long counts[MAP_KINDS];
	static struct capture captures[2];
	struct capture *plain = &captures[0], *color = &captures[1];
	char row[64];

	memset(captures, 0, sizeof(captures));

	KTEST_ASSERT_EQ(t, mm_test_env_simple(&env, SPAN), 0);
	KTEST_ASSERT_TRUE(t, place(PAGEBLOCK_PAGES + 5, MEMDESC_BALLOON, true));
	map_print(&env.mm, MAP_PLAIN, capture_line, plain, counts);
	snprintf(row, sizeof(row), "0x%010lx .B\n",
		 (env.mm.base_pfn & ~(PAGEBLOCK_PAGES - 1)) << PAGE_SHIFT);
	KTEST_EXPECT_EQ(t, plain->lines, 3);
	KTEST_EXPECT_EQ(t, strncmp(plain->text, row, strlen(row)), 0);
	KTEST_EXPECT_NOT_NULL(t, strstr(plain->text, "\nlegend: . free  M movable  U unmovable"
					"  B balloon  S mslab  X mixed  R reserved\n"));
	KTEST_EXPECT_NOT_NULL(t, strstr(plain->text, "\nmap: 2 pageblocks of 2 MiB: . free 1, "
					"M movable 0, U unmovable 0, B balloon 1, S mslab 0, "
					"X mixed 0, R reserved 0\n"));
	KTEST_EXPECT_EQ(t, counts[MAP_FREE], 1);
	KTEST_EXPECT_EQ(t, counts[MAP_BALLOON], 1);
	KTEST_EXPECT_NULL(t, strchr(plain->text, '\033'));
	map_print(&env.mm, MAP_COLOR, capture_line, color, NULL);
	KTEST_EXPECT_EQ(t, color->lines, 3);
	KTEST_EXPECT_NOT_NULL(t, strstr(color->text, "\033[0m\n"));
	KTEST_EXPECT_NOT_NULL(t, strstr(color->text, "\033[30;45mB"));
	finish(t);
}

static const struct ktest_case map_cases[] = {
	KTEST_CASE(map_fresh_zone_is_free),
	KTEST_CASE(map_single_owner_kinds),
	KTEST_CASE(map_two_owners_are_mixed),
	KTEST_CASE(map_reserved_blocks),
	KTEST_CASE(map_print_rows_legend_counts),
	KTEST_END,
};
KTEST_SUITE(map, map_cases);
