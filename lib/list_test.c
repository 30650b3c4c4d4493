/*
 * Tests for lib/list.h: insertion order, removal (poisoned and re-initialised),
 * moves, splices and the iterators, checking the next/prev invariant of the
 * whole ring after each change. Items live in a static array.
 */
#include "lib/ktest.h"
#include "lib/list.h"

struct lt_item {
	int v;
	struct list_head node;
};

static struct lt_item lt_items[8];

static void lt_reset(void)
{
	int i;

	for (i = 0; i < (int)ARRAY_SIZE(lt_items); i++) {
		lt_items[i].v = i;
		list_init(&lt_items[i].node);
	}
}

/* Encode the list as decimal digits in order (e.g. 3,1,2 -> 312); -1 if a link is broken. */
static long lt_digits(const struct list_head *head)
{
	const struct list_head *pos;
	long out = 0;

	for (pos = head->next; pos != head; pos = pos->next) {
		if (pos->next->prev != pos || pos->prev->next != pos)
			return -1;
		out = out * 10 + list_entry(pos, struct lt_item, node)->v;
	}
	return head->next->prev == head && head->prev->next == head ? out : -1;
}

/* list_init and LIST_HEAD give an empty list. */
static void list_init_makes_empty_list(struct ktest *test)
{
	LIST_HEAD(head);
	struct list_head other;

	list_init(&other);
	KTEST_EXPECT_TRUE(test, list_empty(&head));
	KTEST_EXPECT_TRUE(test, list_empty(&other));
	KTEST_EXPECT_FALSE(test, list_is_singular(&head));
	KTEST_EXPECT_NULL(test, list_first_entry_or_null(&head, struct lt_item, node));
}

/* list_add pushes at the front, list_add_tail appends at the back. */
static void list_add_and_add_tail_keep_order(struct ktest *test)
{
	LIST_HEAD(head);

	lt_reset();
	list_add_tail(&lt_items[1].node, &head);
	list_add_tail(&lt_items[2].node, &head);
	list_add(&lt_items[3].node, &head);
	KTEST_EXPECT_EQ(test, lt_digits(&head), 312);
	KTEST_EXPECT_PTR_EQ(test, list_first_entry(&head, struct lt_item, node), &lt_items[3]);
	KTEST_EXPECT_PTR_EQ(test, list_last_entry(&head, struct lt_item, node), &lt_items[2]);
}

/* list_del unlinks and poisons; list_del_init unlinks and leaves an empty node. */
static void list_del_poisons_and_del_init_reinits(struct ktest *test)
{
	LIST_HEAD(head);

	lt_reset();
	list_add_tail(&lt_items[1].node, &head);
	list_add_tail(&lt_items[2].node, &head);
	list_add_tail(&lt_items[3].node, &head);
	list_del(&lt_items[2].node);
	KTEST_EXPECT_EQ(test, lt_digits(&head), 13);
	KTEST_EXPECT_PTR_EQ(test, lt_items[2].node.next, LIST_POISON_NEXT);
	KTEST_EXPECT_PTR_EQ(test, lt_items[2].node.prev, LIST_POISON_PREV);
	list_del_init(&lt_items[1].node);
	KTEST_EXPECT_EQ(test, lt_digits(&head), 3);
	KTEST_EXPECT_TRUE(test, list_empty(&lt_items[1].node));
	KTEST_EXPECT_TRUE(test, list_is_singular(&head));
	list_del_init(&lt_items[3].node);
	KTEST_EXPECT_TRUE(test, list_empty(&head));
}

/* list_move/list_move_tail relocate an entry within and across lists. */
static void list_move_relocates_entries(struct ktest *test)
{
	LIST_HEAD(a);
	LIST_HEAD(b);

	lt_reset();
	list_add_tail(&lt_items[1].node, &a);
	list_add_tail(&lt_items[2].node, &a);
	list_add_tail(&lt_items[3].node, &a);
	list_move_tail(&lt_items[1].node, &a);
	KTEST_EXPECT_EQ(test, lt_digits(&a), 231);
	list_move(&lt_items[1].node, &a);
	KTEST_EXPECT_EQ(test, lt_digits(&a), 123);
	list_move(&lt_items[2].node, &b);
	KTEST_EXPECT_EQ(test, lt_digits(&a), 13);
	KTEST_EXPECT_EQ(test, lt_digits(&b), 2);
}

/* list_splice_init/_tail_init move a whole list to the front/back and empty it. */
static void list_splice_init_joins_and_empties_source(struct ktest *test)
{
	LIST_HEAD(a);
	LIST_HEAD(b);

	lt_reset();
	list_add_tail(&lt_items[1].node, &a);
	list_add_tail(&lt_items[2].node, &b);
	list_add_tail(&lt_items[3].node, &b);
	list_splice_init(&b, &a);
	KTEST_EXPECT_EQ(test, lt_digits(&a), 231);
	KTEST_EXPECT_TRUE(test, list_empty(&b));
	list_add_tail(&lt_items[4].node, &b);
	list_splice_tail_init(&b, &a);
	KTEST_EXPECT_EQ(test, lt_digits(&a), 2314);
	KTEST_EXPECT_TRUE(test, list_empty(&b));
	list_splice_init(&b, &a); /* empty source: no change */
	KTEST_EXPECT_EQ(test, lt_digits(&a), 2314);
}

/* The iterators visit every entry in order; the _safe one survives removal. */
static void list_for_each_entry_variants_visit_in_order(struct ktest *test)
{
	LIST_HEAD(head);
	struct lt_item *pos, *n;
	long fwd = 0, rev = 0;
	int i;

	lt_reset();
	for (i = 1; i <= 5; i++)
		list_add_tail(&lt_items[i].node, &head);
	list_for_each_entry(pos, &head, node)
		fwd = fwd * 10 + pos->v;
	list_for_each_entry_reverse(pos, &head, node)
		rev = rev * 10 + pos->v;
	KTEST_EXPECT_EQ(test, fwd, 12345);
	KTEST_EXPECT_EQ(test, rev, 54321);
	list_for_each_entry_safe(pos, n, &head, node)
		if (pos->v % 2)
			list_del(&pos->node);
	KTEST_EXPECT_EQ(test, lt_digits(&head), 24);
}

static const struct ktest_case list_cases[] = {
	KTEST_CASE(list_init_makes_empty_list),
	KTEST_CASE(list_add_and_add_tail_keep_order),
	KTEST_CASE(list_del_poisons_and_del_init_reinits),
	KTEST_CASE(list_move_relocates_entries),
	KTEST_CASE(list_splice_init_joins_and_empties_source),
	KTEST_CASE(list_for_each_entry_variants_visit_in_order),
	KTEST_END,
};
KTEST_SUITE(list, list_cases);
