/*
 * The movable_operations registry (one table per mm, indexed by memdesc
 * type), the list of owner instances beside it (mm->movable_owners) and
 * the page-level helpers around them. Registration happens in thread
 * context and is rare; ops lookups are lock-free reads of a pointer written
 * once; the owner list is changed and walked in thread context only.
 */
#include "include/errno.h"
#include "mm/internal.h"
#include "mm/movable.h"

/* Types whose pages the core must never try to move. */
static bool type_can_move(enum memdesc_type type)
{
	switch (type) {
	case MEMDESC_MSLAB:
	case MEMDESC_BALLOON:
	case MEMDESC_MAPPED:
	case MEMDESC_TEST:
	case MEMDESC_EXAMPLE:
		return true;
	default:
		return false;
	}
}

int movable_ops_register(struct mm *mm, enum memdesc_type type,
			 const struct movable_operations *ops)
{
	unsigned long flags;
	int err = 0;

	if ((unsigned int)type >= MEMDESC_TYPES || !type_can_move(type) || !ops ||
	    !ops->isolate || !ops->migrate || !ops->putback)
		return -EINVAL;
	flags = mm_lock_irqsave(&mm->lock);
	if (!mm->movable_ops[type])
		mm->movable_ops[type] = ops;
	else if (mm->movable_ops[type] != ops)
		err = -EBUSY;
	mm_unlock_irqrestore(&mm->lock, flags);
	return err;
}

int movable_owner_register(struct mm *mm, struct movable_owner *owner)
{
	if ((unsigned int)owner->type >= MEMDESC_TYPES || !mm->movable_ops[owner->type])
		return -EINVAL;
	list_add_tail(&owner->link, &mm->movable_owners);
	return 0;
}

void movable_owner_unregister(struct mm *mm, struct movable_owner *owner)
{
	list_del_init(&owner->link);
}

void movable_pack(struct mm *mm, struct pack_result *acc)
{
	struct pack_result sum = { 0 };
	struct movable_owner *owner;

	movable_for_each_owner(mm, owner)
		if (owner->pack)
			owner->pack(mm, owner->priv, &sum);
	if (acc)
		pack_result_add(acc, &sum);
}

const struct movable_operations *page_movable_ops(const struct mm *mm, const struct page *page)
{
	if (!page_is_head(page) || !page_is_movable(page))
		return NULL;
	return mm->movable_ops[page_type(page)];
}

void movable_page_init(struct page *page, enum memdesc_type type, void *desc)
{
	page_set_memdesc(page, type, desc);
	/* Release: a claim on another CPU (acquire) sees the memdesc, private
	 * and the owner's descriptor as written before this. */
	__atomic_fetch_or(&page->flags, PG_movable, __ATOMIC_RELEASE);
}

bool movable_page_clear(struct mm *mm, struct page *page)
{
	unsigned long old = page_flags(page), new;

	do {
		new = old & PG_isolated ? old | PG_released : old & ~PG_movable;
	} while (!__atomic_compare_exchange_n(&page->flags, &old, new, false, __ATOMIC_ACQ_REL,
					      __ATOMIC_RELAXED));
	return !(old & PG_isolated);
}

bool movable_page_try_take(struct page *page)
{
	unsigned long old = page_flags(page);

	do {
		if (old & PG_isolated)
			return false;
	} while (!__atomic_compare_exchange_n(&page->flags, &old, old & ~PG_movable, false,
					      __ATOMIC_ACQ_REL, __ATOMIC_RELAXED));
	return true;
}

void movable_page_release(struct mm *mm, struct page *page)
{
	if (!page_is_head(page) || !page_is_isolated(page)) {
		mm_stat_inc(mm, bugs);
		mm_bug("%s: movable_page_release of pfn %#lx, which is not isolated (flags %#lx)\n",
		       mm->name, mm_page_to_pfn(mm, page), page_flags(page));
		return;
	}
	page_flags_or(page, PG_released);
}
