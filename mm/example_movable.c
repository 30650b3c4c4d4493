/*
 * The movable owner of docs/movable-types.md: invariants in its header.
 */
#include "mm/example_movable.h"

static int stack_isolate(struct mm *mm, struct page *page, enum migrate_mode mode)
{
	((struct example_slot *)page_memdesc(page))->isolated = true; /* hands off */
	return 0;
}

static int stack_migrate(struct mm *mm, struct page *dst, struct page *src, enum migrate_mode mode)
{
	struct example_slot *slot = page_memdesc(src);

	migrate_copy_page(mm, dst, src);
	movable_page_init(dst, MEMDESC_EXAMPLE, slot);
	slot->page = dst; /* src is detached now: the core frees it */
	slot->isolated = false;
	return 0;
}

static void stack_putback(struct mm *mm, struct page *page)
{
	((struct example_slot *)page_memdesc(page))->isolated = false;
}

static const struct movable_operations stack_ops = {
	.isolate = stack_isolate, .migrate = stack_migrate, .putback = stack_putback };

int example_stack_init(struct example_stack *st, struct mm *mm)
{
	*st = (struct example_stack){ .mm = mm };
	return movable_ops_register(mm, MEMDESC_EXAMPLE, &stack_ops);
}

struct example_slot *example_stack_push(struct example_stack *st, unsigned long tag)
{
	struct example_slot *slot = &st->slots[st->count];
	struct page *page;

	if (st->count == EXAMPLE_STACK_SIZE || !(page = mm_alloc_pages(st->mm, 0, GFP_MOVABLE)))
		return NULL;
	*slot = (struct example_slot){ .page = page, .tag = tag };
	movable_page_init(page, MEMDESC_EXAMPLE, slot);
	st->count++;
	return slot;
}

void example_stack_pop(struct example_stack *st)
{
	struct example_slot *slot = &st->slots[--st->count];

	if (movable_page_clear(st->mm, slot->page)) /* else migration holds it: */
		mm_free_pages(st->mm, slot->page, 0);  /* released, the core frees it */
}
