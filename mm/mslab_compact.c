/*
 * Pool compaction (zsmalloc's idea): within a class, objects move from the
 * emptiest pages into the fullest ones, whose slots are rewritten, and the
 * pages emptied are freed. Also the filler of the `mixed` fragmentation
 * scenario.
 *
 * Basic algorithm, per class, pool lock held:
 *
 *   take the partial pages off their list into `work`, sorted by objects
 *   in use, ascending
 *   while work is not empty:
 *       dst = last (fullest); if it is full: back to the class lists
 *       src = first (emptiest); if src == dst: back to the class lists
 *       if src has a mapped object: back (its objects stay where they are)
 *       else move src's first object into dst's first free object;
 *            free src when it is empty
 *
 * Objects only travel from the front of `work` to its back, and every step
 * moves an object or takes a page out of `work`, so it ends with at most
 * one partial page that could have been emptied. Isolated pages are on no
 * partial list: migration owns them.
 */
#include "include/errno.h"
#include "lib/bitmap.h"
#include "lib/prng.h"
#include "lib/string.h"
#include "mm/mslab_internal.h"

#define SORT_BINS 32

static unsigned int inuse_of(const struct list_head *node)
{
	return list_entry(node, struct mslab_page, list)->inuse;
}

/* Merge two NULL-terminated runs linked by ->next (stable: @a first). */
static struct list_head *merge(struct list_head *a, struct list_head *b)
{
	struct list_head head, *tail = &head;

	while (a && b) {
		if (inuse_of(a) <= inuse_of(b)) {
			tail->next = a;
			a = a->next;
		} else {
			tail->next = b;
			b = b->next;
		}
		tail = tail->next;
	}
	tail->next = a ? a : b;
	return head.next;
}

/* Sort @list by objects in use, ascending: a bottom-up merge sort over
 * ->next, then the ->prev links are rebuilt. O(n log n), no memory. */
static void sort_by_inuse(struct list_head *list)
{
	struct list_head *bins[SORT_BINS] = { NULL }, *node, *next, *run = NULL, *prev;
	unsigned int i;

	if (list_empty(list))
		return;
	list->prev->next = NULL;
	for (node = list->next; node; node = next) {
		next = node->next;
		node->next = NULL;
		run = node;
		for (i = 0; i < SORT_BINS - 1 && bins[i]; i++) {
			run = merge(bins[i], run);
			bins[i] = NULL;
		}
		bins[i] = bins[i] ? merge(bins[i], run) : run;
	}
	run = NULL;
	for (i = 0; i < SORT_BINS; i++)
		if (bins[i])
			run = merge(bins[i], run);
	prev = list;
	for (node = run; node; node = node->next) {
		node->prev = prev;
		prev->next = node;
		prev = node;
	}
	prev->next = list;
	list->prev = prev;
}

/* Move the first object of @src to the first free place of @dst and
 * rewrite its slot. */
static void move_object_locked(struct mslab_pool *pool, struct mslab_page *src,
			       struct mslab_page *dst, struct pack_result *result)
{
	struct mslab_class *class = mslab_page_class(src);
	unsigned int from = (unsigned int)bitmap_find_next_zero_bit(src->free_map, class->nr_objects, 0);
	unsigned int to = (unsigned int)bitmap_find_next_bit(dst->free_map, class->nr_objects, 0);
	unsigned long index = src->slot[from];
	struct mslab_slot *slot = mslab_slot_at(pool, index);

	mm_assert_held(&pool->lock);
	BUG_ON(from >= class->nr_objects || to >= class->nr_objects);
	if (!pool->mm->no_data) {
		memcpy(mslab_object(dst, to), mslab_object(src, from), slot->size);
		result->bytes_copied += slot->size;
	}
	result->objects_moved++;
	mslab_obj_put_locked(src, from);
	mslab_obj_take_locked(dst, to, index);
	slot->page = dst;
	slot->obj = (u16)to;
	class->compact_moved++;
}

static void compact_class_locked(struct mslab_pool *pool, struct mslab_class *class,
				 struct pack_result *result)
{
	struct list_head work;

	mm_assert_held(&pool->lock);
	list_init(&work);
	while (!list_empty(&class->partial))
		list_move_tail(class->partial.next, &work);
	sort_by_inuse(&work);
	while (!list_empty(&work)) {
		struct mslab_page *dst = list_entry(work.prev, struct mslab_page, list);
		struct mslab_page *src = list_first_entry(&work, struct mslab_page, list);

		if (dst->inuse == class->nr_objects || src == dst || src->mapped) {
			mslab_page_relist_locked(dst->inuse == class->nr_objects ? dst : src);
			continue;
		}
		move_object_locked(pool, src, dst, result);
		if (!src->inuse) {
			mslab_page_free_locked(src);
			result->pages_freed++;
		}
	}
}

unsigned long mslab_compact(struct mslab_pool *pool, struct pack_result *acc)
{
	struct pack_result result = { 0 };
	unsigned long flags = mm_lock_irqsave(&pool->lock);
	unsigned int i;

	for (i = 0; i < pool->nr_classes; i++)
		compact_class_locked(pool, &pool->classes[i], &result);
	pool->compactions++;
	pool->compact_pages_freed += result.pages_freed;
	mm_unlock_irqrestore(&pool->lock, flags);
	if (acc)
		pack_result_add(acc, &result);
	return result.pages_freed;
}


/* ---- the `mixed` scenario's objects ---- */

/* 2^(i/16) in 16.16 fixed point, i = 0..16. */
static const u32 pow2_sixteenths[17] = {
	65536, 68437, 71467, 74631, 77935, 81386, 84989, 88752, 92681,
	96785, 101070, 105545, 110217, 115097, 120193, 125514, 131072,
};

/* A size log-uniform in [16, 2048]: an octave, a sixteenth of it, then
 * uniform inside that sixteenth (no floating point in the kernel). */
static size_t log_uniform_size(struct prng *rng)
{
	unsigned int step = (unsigned int)prng_below(rng, 7 * 16);
	unsigned long base = 16UL << (step / 16);
	unsigned long lo = base * pow2_sixteenths[step % 16] >> 16;
	unsigned long hi = base * pow2_sixteenths[step % 16 + 1] >> 16;

	return (size_t)prng_range(rng, lo, hi);
}

static unsigned long pool_pages(struct mslab_pool *pool)
{
	unsigned long pages = 0;
	unsigned int i;

	for (i = 0; i < pool->nr_classes; i++)
		pages += pool->classes[i].nr_pages;
	return pages;
}

/* The live handle of table slot @index, or 0 when it is free. */
static unsigned long slot_handle(struct mslab_pool *pool, unsigned long index)
{
	unsigned long flags = mm_lock_irqsave(&pool->lock), handle = 0;
	const struct mslab_slot *slot = mslab_slot_at(pool, index);

	if (slot->used)
		handle = mslab_make_handle(index, slot->gen);
	mm_unlock_irqrestore(&pool->lock, flags);
	return handle;
}

int mslab_scenario_fill(struct mslab_pool *pool, unsigned long bytes, u64 seed)
{
	unsigned long n = 0, to_free, left, index, end;
	struct prng rng;

	if (pool->nr_handles)
		return -EBUSY;
	prng_seed(&rng, seed);
	while (pool_pages(pool) * PAGE_SIZE < bytes) {
		if (!mslab_alloc(pool, log_uniform_size(&rng), GFP_NOWARN))
			break;
		n++;
	}
	if (!n)
		return -ENOMEM;
	/* Selection sampling: exactly 3/4 of the n objects, each subset
	 * equally likely, in one pass over the table. */
	to_free = n * 3 / 4;
	left = n;
	end = pool->nr_chunks * MSLAB_SLOTS_PER_PAGE;
	for (index = 1; index < end && to_free; index++) {
		unsigned long h = slot_handle(pool, index);

		if (!h)
			continue;
		if (prng_below(&rng, left) < to_free) {
			mslab_free(pool, h);
			to_free--;
		}
		left--;
	}
	return 0;
}
