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
#include "mm/picture.h"
#include "mm/testing.h"

#define SPAN 1024
#define MAX_HELD 64

static struct mm_test_env env;
static struct page *held[MAX_HELD];
static unsigned int nr_held;

/* Allocate relative PFN @rel and give it to @type (@movable: PG_movable). */
static bool place(unsigned long rel, enum memdesc_type type, bool movable)
{
	struct page *page = mm_alloc_pfn(&env.mm, env.mm.base_pfn + rel);

	if (!page || nr_held == MAX_HELD)
		return false;
	page_set_memdesc(page, type, NULL);
	if (movable)
		page_flags_or(page, PG_movable);
	held[nr_held++] = page;
	return true;
}

static void finish(struct ktest *test)
{
	while (nr_held) {
		struct page *page = held[--nr_held];

		page_flags_clear(page, PG_movable);
		page_set_memdesc(page, MEMDESC_KERNEL, NULL);
		mm_free_pages(&env.mm, page, 0);
	}
	mm_drain_pcp(&env.mm);
	KTEST_EXPECT_EQ(test, mm_check(&env.mm), 0);
	mm_test_env_destroy(&env);
}

/* Both pageblocks of a fresh zone are free. */
static void picture_fresh_zone_is_free(struct ktest *test)
{
	unsigned long counts[PICTURE_KINDS] = { 0 };
	char out[2];

	KTEST_ASSERT_EQ(test, mm_test_env_simple(&env, SPAN), 0);
	picture_classify(&env.mm, 0, 2, out, counts);
	KTEST_EXPECT_EQ(test, out[0], '.');
	KTEST_EXPECT_EQ(test, out[1], '.');
	KTEST_EXPECT_EQ(test, counts[PICTURE_FREE], 2);
	KTEST_EXPECT_EQ(test, picture_classify_block(&env.mm, 2), PICTURE_RESERVED);
	finish(test);
}

/* One owner kind makes the block that kind whatever its free pages;
 * balloon, mslab, movable test pages and kernel pages each get their own. */
static void picture_single_owner_kinds(struct ktest *test)
{
	KTEST_ASSERT_EQ(test, mm_test_env_simple(&env, SPAN), 0);
	KTEST_ASSERT_TRUE(test, place(3, MEMDESC_BALLOON, true));
	KTEST_ASSERT_TRUE(test, place(100, MEMDESC_BALLOON, true));
	KTEST_ASSERT_TRUE(test, place(PAGEBLOCK_PAGES + 7, MEMDESC_MSLAB, true));
	KTEST_EXPECT_EQ(test, picture_classify_block(&env.mm, 0), PICTURE_BALLOON);
	KTEST_EXPECT_EQ(test, picture_classify_block(&env.mm, 1), PICTURE_MSLAB);
	finish(test);

	KTEST_ASSERT_EQ(test, mm_test_env_simple(&env, SPAN), 0);
	KTEST_ASSERT_TRUE(test, place(0, MEMDESC_MAPPED, true));
	KTEST_ASSERT_TRUE(test, place(1, MEMDESC_TEST, true));
	KTEST_ASSERT_TRUE(test, place(PAGEBLOCK_PAGES, MEMDESC_KERNEL, false));
	KTEST_EXPECT_EQ(test, picture_classify_block(&env.mm, 0), PICTURE_MOVABLE);
	KTEST_EXPECT_EQ(test, picture_classify_block(&env.mm, 1), PICTURE_UNMOVABLE);
	finish(test);
}

/* Two owner kinds in one pageblock make it mixed. */
static void picture_two_owners_are_mixed(struct ktest *test)
{
	KTEST_ASSERT_EQ(test, mm_test_env_simple(&env, SPAN), 0);
	KTEST_ASSERT_TRUE(test, place(10, MEMDESC_BALLOON, true));
	KTEST_ASSERT_TRUE(test, place(11, MEMDESC_SLAB, false));
	KTEST_ASSERT_TRUE(test, place(PAGEBLOCK_PAGES + 1, MEMDESC_MAPPED, true));
	KTEST_ASSERT_TRUE(test, place(PAGEBLOCK_PAGES + 2, MEMDESC_MSLAB, true));
	KTEST_EXPECT_EQ(test, picture_classify_block(&env.mm, 0), PICTURE_MIXED);
	KTEST_EXPECT_EQ(test, picture_classify_block(&env.mm, 1), PICTURE_MIXED);
	finish(test);
}

/* Mostly reserved, or reserved with nothing else used: R; a reserved
 * minority beside an owner: the owner's kind. */
static void picture_reserved_blocks(struct ktest *test)
{
	const struct pfn_range all = { 0, SPAN };
	const struct pfn_range most = { 0, 300 }, few = { PAGEBLOCK_PAGES, PAGEBLOCK_PAGES + 20 };
	const struct pfn_range res[] = { most, few };

	KTEST_ASSERT_EQ(test, mm_test_env_init(&env, SPAN, &all, 1, res, 2), 0);
	KTEST_EXPECT_EQ(test, picture_classify_block(&env.mm, 0), PICTURE_RESERVED);
	KTEST_EXPECT_EQ(test, picture_classify_block(&env.mm, 1), PICTURE_RESERVED);
	KTEST_ASSERT_TRUE(test, place(PAGEBLOCK_PAGES + 30, MEMDESC_PGTABLE, false));
	KTEST_EXPECT_EQ(test, picture_classify_block(&env.mm, 1), PICTURE_UNMOVABLE);
	finish(test);
}

struct capture {
	char text[2048];
	size_t len;
	unsigned int lines;
};

static void capture_line(void *priv, const char *line)
{
	struct capture *capture = priv;

	capture->len += (size_t)snprintf(capture->text + capture->len, sizeof(capture->text) - capture->len, "%s\n", line);
	capture->lines++;
}

/* picture_print: one row with the address, the legend, the counts; colour adds
 * escapes and a reset but the same lines. */
static void picture_print_rows_legend_counts(struct ktest *test)
{
	unsigned long counts[PICTURE_KINDS];
	static struct capture captures[2];
	struct capture *plain = &captures[0], *color = &captures[1];
	char row[64];

	memset(captures, 0, sizeof(captures));

	KTEST_ASSERT_EQ(test, mm_test_env_simple(&env, SPAN), 0);
	KTEST_ASSERT_TRUE(test, place(PAGEBLOCK_PAGES + 5, MEMDESC_BALLOON, true));
	picture_print(&env.mm, PICTURE_PLAIN, capture_line, plain, counts);
	snprintf(row, sizeof(row), "0x%010lx .B\n",
		 (env.mm.base_pfn & ~(PAGEBLOCK_PAGES - 1)) << PAGE_SHIFT);
	KTEST_EXPECT_EQ(test, plain->lines, 3);
	KTEST_EXPECT_EQ(test, strncmp(plain->text, row, strlen(row)), 0);
	KTEST_EXPECT_NOT_NULL(test, strstr(plain->text, "\nlegend: . free  M movable  U unmovable"
					"  B balloon  S mslab  X mixed  R reserved\n"));
	KTEST_EXPECT_NOT_NULL(test, strstr(plain->text, "\npicture: 2 pageblocks of 2 MiB: . free 1, "
					"M movable 0, U unmovable 0, B balloon 1, S mslab 0, "
					"X mixed 0, R reserved 0\n"));
	KTEST_EXPECT_EQ(test, counts[PICTURE_FREE], 1);
	KTEST_EXPECT_EQ(test, counts[PICTURE_BALLOON], 1);
	KTEST_EXPECT_NULL(test, strchr(plain->text, '\033'));
	picture_print(&env.mm, PICTURE_COLOR, capture_line, color, NULL);
	KTEST_EXPECT_EQ(test, color->lines, 3);
	KTEST_EXPECT_NOT_NULL(test, strstr(color->text, "\033[0m\n"));
	KTEST_EXPECT_NOT_NULL(test, strstr(color->text, "\033[30;45mB"));
	finish(test);
}

static const struct ktest_case picture_cases[] = {
	KTEST_CASE(picture_fresh_zone_is_free),
	KTEST_CASE(picture_single_owner_kinds),
	KTEST_CASE(picture_two_owners_are_mixed),
	KTEST_CASE(picture_reserved_blocks),
	KTEST_CASE(picture_print_rows_legend_counts),
	KTEST_END,
};
KTEST_SUITE(map, picture_cases);
