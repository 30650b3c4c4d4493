/*
 * Intrusive doubly linked circular list. A struct list_head embedded in an
 * object links it into a list whose head is a bare struct list_head; an empty
 * list is a head pointing at itself. Invariant: for every node n on a list,
 * n->next->prev == n and n->prev->next == n.
 *
 * list_del() poisons the removed node's pointers with non-canonical addresses
 * so that a use after removal faults at once; use list_del_init() when the
 * node will be tested with list_empty() or removed again. No locking: the
 * owner of the list serialises access.
 */
#ifndef LIB_LIST_H
#define LIB_LIST_H

#include "include/compiler.h"

struct list_head {
	struct list_head *next;
	struct list_head *prev;
};

/* Non-canonical on x86-64: any dereference faults (#GP). */
#define LIST_POISON_NEXT ((struct list_head *)0xdead000000000100UL)
#define LIST_POISON_PREV ((struct list_head *)0xdead000000000122UL)

#define LIST_HEAD_INIT(name) { &(name), &(name) }
#define LIST_HEAD(name) struct list_head name = LIST_HEAD_INIT(name)

/* list_init - make @head an empty list (or an unlinked node). */
static inline void list_init(struct list_head *head)
{
	head->next = head;
	head->prev = head;
}

/* Link @node between the adjacent entries @prev and @next. */
static inline void __list_add(struct list_head *node, struct list_head *prev,
			      struct list_head *next)
{
	next->prev = node;
	node->next = next;
	node->prev = prev;
	prev->next = node;
}

/* list_add - insert @node right after @head (stack order). */
static inline void list_add(struct list_head *node, struct list_head *head)
{
	__list_add(node, head, head->next);
}

/* list_add_tail - insert @node right before @head (queue order). */
static inline void list_add_tail(struct list_head *node, struct list_head *head)
{
	__list_add(node, head->prev, head);
}

static inline void __list_unlink(struct list_head *node)
{
	node->next->prev = node->prev;
	node->prev->next = node->next;
}

/* list_del - unlink @node and poison its pointers (see the top of the file). */
static inline void list_del(struct list_head *node)
{
	__list_unlink(node);
	node->next = LIST_POISON_NEXT;
	node->prev = LIST_POISON_PREV;
}

/* list_del_init - unlink @node and leave it as an empty list. */
static inline void list_del_init(struct list_head *node)
{
	__list_unlink(node);
	list_init(node);
}

/* list_move - unlink @node and insert it after @head. */
static inline void list_move(struct list_head *node, struct list_head *head)
{
	__list_unlink(node);
	list_add(node, head);
}

/* list_move_tail - unlink @node and insert it before @head. */
static inline void list_move_tail(struct list_head *node, struct list_head *head)
{
	__list_unlink(node);
	list_add_tail(node, head);
}

/* list_empty - Return: true when @head has no entries. */
static inline bool list_empty(const struct list_head *head)
{
	return head->next == head;
}

/* list_is_singular - Return: true when @head has exactly one entry. */
static inline bool list_is_singular(const struct list_head *head)
{
	return !list_empty(head) && head->next == head->prev;
}

/* list_is_head - Return: true when @node is the head @head (end of a walk). */
static inline bool list_is_head(const struct list_head *node,
				const struct list_head *head)
{
	return node == head;
}

/* Insert the entries of non-empty @list between @prev and @next. */
static inline void __list_splice(struct list_head *list, struct list_head *prev,
				 struct list_head *next)
{
	struct list_head *first = list->next, *last = list->prev;

	first->prev = prev;
	prev->next = first;
	last->next = next;
	next->prev = last;
}

/* list_splice_init - move all entries of @list to the front of @head; @list
 * ends up empty. */
static inline void list_splice_init(struct list_head *list, struct list_head *head)
{
	if (!list_empty(list)) {
		__list_splice(list, head, head->next);
		list_init(list);
	}
}

/* list_splice_tail_init - move all entries of @list to the back of @head;
 * @list ends up empty. */
static inline void list_splice_tail_init(struct list_head *list,
					 struct list_head *head)
{
	if (!list_empty(list)) {
		__list_splice(list, head->prev, head);
		list_init(list);
	}
}

/* The object of type @type that embeds @ptr as its @member. */
#define list_entry(ptr, type, member) container_of(ptr, type, member)

/* First/last entry; the list must not be empty. */
#define list_first_entry(head, type, member) list_entry((head)->next, type, member)
#define list_last_entry(head, type, member) list_entry((head)->prev, type, member)

/* First entry, or NULL when the list is empty. */
#define list_first_entry_or_null(head, type, member) \
	(list_empty(head) ? NULL : list_first_entry(head, type, member))

#define list_next_entry(pos, member) \
	list_entry((pos)->member.next, __typeof__(*(pos)), member)
#define list_prev_entry(pos, member) \
	list_entry((pos)->member.prev, __typeof__(*(pos)), member)

/* Walk the bare nodes; the body must not remove @pos. */
#define list_for_each(pos, head) \
	for (pos = (head)->next; !list_is_head(pos, head); pos = pos->next)

/* Walk the bare nodes; the body may remove @pos (@n holds the next one). */
#define list_for_each_safe(pos, n, head)                                 \
	for (pos = (head)->next, n = pos->next; !list_is_head(pos, head); \
	     pos = n, n = pos->next)

/* Walk the entries front to back; the body must not remove @pos. */
#define list_for_each_entry(pos, head, member)                          \
	for (pos = list_first_entry(head, __typeof__(*(pos)), member);  \
	     !list_is_head(&(pos)->member, head);                       \
	     pos = list_next_entry(pos, member))

/* Walk the entries back to front; the body must not remove @pos. */
#define list_for_each_entry_reverse(pos, head, member)                  \
	for (pos = list_last_entry(head, __typeof__(*(pos)), member);   \
	     !list_is_head(&(pos)->member, head);                       \
	     pos = list_prev_entry(pos, member))

/* Walk the entries; the body may remove (or move) @pos, but no other entry. */
#define list_for_each_entry_safe(pos, n, head, member)                  \
	for (pos = list_first_entry(head, __typeof__(*(pos)), member),  \
	     n = list_next_entry(pos, member);                          \
	     !list_is_head(&(pos)->member, head);                       \
	     pos = n, n = list_next_entry(n, member))

#endif
