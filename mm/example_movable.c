/*
 * The movable owner of docs/movable-types.md: invariants in its header.
 */
#include "mm/example_movable.h"

static int stack_isolate(struct mm *mm, struct page *page, enum migrate_mode mode)
{
	struct example_slot *slot = page_memdesc(page);
	unsigned long flags = mm_lock_irqsave(&slot->lock);
	bool popped = page_is_released(page); /* since the core's claim: it frees it */

	if (!popped)
		slot->isolated = true; /* hands off */
	mm_unlock_irqrestore(&slot->lock, flags);
	return popped ? -EBUSY : 0;
}

static int stack_migrate(struct mm *mm, struct page *dst, struct page *src, enum migrate_mode mode)
{
	struct example_slot *slot = page_memdesc(src);
	unsigned long flags = mm_lock_irqsave(&slot->lock);
	bool popped = page_is_released(src);

	if (!popped) {
		migrate_copy_page(mm, dst, src);
		movable_page_init(dst, MEMDESC_EXAMPLE, slot);
		slot->page = dst; /* src is detached now: the core frees it */
		slot->isolated = false;
	}
	mm_unlock_irqrestore(&slot->lock, flags);
	return popped ? -EAGAIN : 0;
}

static void stack_putback(struct mm *mm, struct page *page)
{
	struct example_slot *slot = page_memdesc(page);
	unsigned long flags = mm_lock_irqsave(&slot->lock);

	if (!page_is_released(page))
		slot->isolated = false;
	mm_unlock_irqrestore(&slot->lock, flags);
}

static const struct movable_operations stack_ops = {
	.isolate = stack_isolate, .migrate = stack_migrate, .putback = stack_putback };

int example_stack_init(struct example_stack *st, struct mm *mm)
{
	unsigned int i;

	*st = (struct example_stack){ .mm = mm };
	for (i = 0; i < EXAMPLE_STACK_SIZE; i++)
		mm_lock_init(&st->slots[i].lock, "example-slot");
	return movable_ops_register(mm, MEMDESC_EXAMPLE, &stack_ops);
}

struct example_slot *example_stack_push(struct example_stack *st, unsigned long tag)
{
	struct example_slot *slot = &st->slots[st->count];
	struct page *page;
	unsigned long flags;

	if (st->count == EXAMPLE_STACK_SIZE || !(page = mm_alloc_pages(st->mm, 0, GFP_MOVABLE)))
		return NULL;
	flags = mm_lock_irqsave(&slot->lock);
	slot->page = page;
	slot->tag = tag;
	slot->isolated = false; /* a page popped while isolated left it set */
	movable_page_init(page, MEMDESC_EXAMPLE, slot);
	mm_unlock_irqrestore(&slot->lock, flags);
	st->count++;
	return slot;
}

void example_stack_pop(struct example_stack *st)
{
	struct example_slot *slot = &st->slots[--st->count];
	unsigned long flags = mm_lock_irqsave(&slot->lock);
	struct page *page = slot->page;
	bool mine = movable_page_clear(st->mm, page); /* else migration holds it: */

	mm_unlock_irqrestore(&slot->lock, flags);  /* released, the core frees it */
	if (mine)
		mm_free_pages(st->mm, page, 0);
}
