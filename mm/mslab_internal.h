/*
 * Helpers shared by mm/mslab.c, mm/mslab_compact.c and mm/mslab_check.c.
 * Nothing outside those files may include this.
 */
#ifndef MM_MSLAB_INTERNAL_H
#define MM_MSLAB_INTERNAL_H

#include "mm/mslab.h"

#define MSLAB_HANDLE_INDEX(h) ((h) & 0xffffffffUL)
#define MSLAB_HANDLE_GEN(h) ((u16)((h) >> 32))

static inline unsigned long mslab_make_handle(unsigned long index, u16 gen)
{
	return ((unsigned long)gen << 32) | index;
}

/* The slot of table index @index (which must be below the table's size). */
static inline struct mslab_slot *mslab_slot_at(const struct mslab_pool *pool,
					       unsigned long index)
{
	return &pool->dir[index / MSLAB_SLOTS_PER_PAGE][index % MSLAB_SLOTS_PER_PAGE];
}

static inline struct mslab_class *mslab_page_class(const struct mslab_page *mpage)
{
	return &mpage->pool->classes[mpage->class_idx];
}

static inline void *mslab_object(const struct mslab_page *mpage, unsigned int obj)
{
	return (char *)mm_pfn_to_virt(mpage->pfn) + (size_t)obj * mslab_page_class(mpage)->size;
}

/* Put @mpage on the partial or full list of its class as its count says
 * (pool lock held, @mpage on no list or on one of the two). */
void mslab_page_relist_locked(struct mslab_page *mpage);

/* Take object @obj of @mpage for table slot @index / give it back. */
void mslab_obj_take_locked(struct mslab_page *mpage, unsigned int obj, unsigned long index);
void mslab_obj_put_locked(struct mslab_page *mpage, unsigned int obj);

/* The empty page @mpage leaves the pool (off its list, descriptor freed);
 * the page is freed, or released to migration when it holds a claim. */
void mslab_page_free_locked(struct mslab_page *mpage);

#endif
