/*
 * A stack of tagged pages: the owner that docs/movable-types.md builds to
 * show how a new memdesc type becomes movable. Each order-0 page belongs to
 * a slot that carries its tag; migration must move it without losing a word.
 *
 * Invariants: a used slot's page is an allocated head of type
 * MEMDESC_EXAMPLE with PG_movable whose memdesc is the slot, and
 * PG_isolated <=> slot->isolated. Locking: one thread pushes and pops; the
 * callbacks run on whichever CPU compacts, so a slot's lock orders its
 * page, tag and mark between the two. A page popped while migration holds
 * it (PG_released) is the core's: the callbacks leave its slot alone, which
 * may hold the next page pushed by then.
 */
#ifndef MM_EXAMPLE_MOVABLE_H
#define MM_EXAMPLE_MOVABLE_H

#include "mm/migrate.h"

#define EXAMPLE_STACK_SIZE 512

/* One page of the stack; page->memdesc points here (hence the alignment). */
struct example_slot {
	struct mm_lock lock; /* orders the owner and the callbacks */
	struct page *page;   /* where the data is now */
	unsigned long tag;   /* the user's name for the page */
	bool isolated;       /* handed to migration: the stack keeps off it */
} __attribute__((aligned(16)));

struct example_stack {
	struct mm *mm;
	unsigned int count; /* slots[0, count) hold pages */
	struct example_slot slots[EXAMPLE_STACK_SIZE];
};

/* Empty @st and register MEMDESC_EXAMPLE's ops with @mm (once per mm:
 * several stacks share them). Return: 0, or -EBUSY when @mm has other ops
 * for the type. */
int example_stack_init(struct example_stack *st, struct mm *mm);
/* Push a page tagged @tag. Return: its slot, or NULL (stack full, no memory). */
struct example_slot *example_stack_push(struct example_stack *st, unsigned long tag);
/* Free the newest page (released instead when migration holds it); the
 * stack must not be empty. */
void example_stack_pop(struct example_stack *st);

#endif
