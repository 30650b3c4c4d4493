/*
 * Kernel virtual address ranges (see vrange.h). Every range handed out by
 * mm_vrange_alloc() is followed by one unmapped guard page, so an overrun
 * faults; the guard is part of the range here.
 *
 * Invariant, and why the free array cannot overflow: [base, next) is cut
 * into live ranges and free ranges; free ranges are maximal (vrange_space_free
 * merges a returned range with the free neighbours it touches, and gives
 * one that reaches @next back to the bump pointer), so the piece right
 * after a free range is a live range, a different one for each free range:
 * nr_free <= nr_live <= max_live. No range is ever dropped, so no address
 * space is lost: with every range returned, next == base again.
 *
 * Freed ranges are reused lowest address first. Their page tables are not
 * kept: arch/x86_64/paging.c frees a table with its last entry.
 *
 * State: the kernel's space and its slots, under vrange_lock.
 */
#include "kernel/mm/vrange.h"
#include "arch/x86_64/layout.h"
#include "include/assert.h"
#include "include/compiler.h"
#include "kernel/printk.h"
#include "kernel/spinlock.h"
#include "lib/string.h"
#include "mm/platform.h"

static struct spinlock vrange_lock = SPINLOCK_INIT("vrange");
static struct vrange kernel_slots[VRANGE_MAX_LIVE];
static struct vrange_space kernel_space = {
	VRANGE_BASE, VRANGE_END, VRANGE_BASE, 0, 0, VRANGE_MAX_LIVE, kernel_slots,
};

static unsigned long page_of(const struct vrange_space *space, unsigned long va)
{
	return (va - space->base) >> PAGE_SHIFT;
}

static unsigned long va_of(const struct vrange_space *space, unsigned long page)
{
	return space->base + (page << PAGE_SHIFT);
}

static unsigned long next_page(const struct vrange_space *space) { return page_of(space, space->next); }

static void remove_slot(struct vrange_space *space, unsigned int i)
{
	memmove(&space->free[i], &space->free[i + 1], (space->nr_free - i - 1) * sizeof(space->free[0]));
	space->nr_free--;
}

static void insert_slot(struct vrange_space *space, unsigned int i, struct vrange vrange)
{
	ASSERT_MSG(space->nr_free < space->max_live, "vrange: %u free ranges, room for %u", space->nr_free,
		   space->max_live);
	memmove(&space->free[i + 1], &space->free[i], (space->nr_free - i) * sizeof(space->free[0]));
	space->free[i] = vrange;
	space->nr_free++;
}

void vrange_space_init(struct vrange_space *space, unsigned long base, unsigned long end,
		       struct vrange *slots, unsigned int max_live)
{
	ASSERT_MSG(IS_ALIGNED(base | end, PAGE_SIZE) && base < end &&
			   (end - base) >> PAGE_SHIFT <= 0xffffffffUL,
		   "vrange: [%#lx, %#lx)", base, end);
	*space = (struct vrange_space){ base, end, base, 0, 0, max_live, slots };
}

/* First fit among the free ranges; what is left of a bigger one stays. */
static unsigned long reuse(struct vrange_space *space, unsigned long pages)
{
	unsigned int i;

	for (i = 0; i < space->nr_free; i++) {
		struct vrange *vrange = &space->free[i];
		unsigned long start = vrange->start;

		if (vrange->pages < pages)
			continue;
		vrange->start += (u32)pages;
		vrange->pages -= (u32)pages;
		if (!vrange->pages)
			remove_slot(space, i);
		return va_of(space, start);
	}
	return 0;
}

unsigned long vrange_space_alloc(struct vrange_space *space, unsigned long pages)
{
	unsigned long va;

	if (!pages || space->nr_live == space->max_live)
		return 0;
	va = reuse(space, pages);
	if (!va && pages <= (space->end - space->next) >> PAGE_SHIFT) {
		va = space->next;
		space->next += pages << PAGE_SHIFT;
	}
	if (va)
		space->nr_live++;
	return va;
}

void vrange_space_free(struct vrange_space *space, unsigned long va, unsigned long pages)
{
	unsigned long start = page_of(space, va), end = start + pages;
	unsigned int i = 0;
	struct vrange *prev, *next;

	ASSERT_MSG(va >= space->base && IS_ALIGNED(va, PAGE_SIZE) && pages &&
			   end <= next_page(space) && space->nr_live,
		   "vrange: bad free of %#lx, %lu pages", va, pages);
	while (i < space->nr_free && space->free[i].start < start)
		i++;
	prev = i ? &space->free[i - 1] : NULL;
	next = i < space->nr_free ? &space->free[i] : NULL;
	ASSERT_MSG((!prev || prev->start + prev->pages <= start) && (!next || end <= next->start),
		   "vrange: %#lx, %lu pages, overlaps a free range (double free?)", va, pages);
	space->nr_live--;
	if (prev && prev->start + prev->pages == start) { /* grow prev */
		start = prev->start;
		remove_slot(space, --i);
	}
	if (next && end == space->free[i].start) { /* and swallow next */
		end += space->free[i].pages;
		remove_slot(space, i);
	}
	if (end == next_page(space)) /* back to the bump pointer */
		space->next = va_of(space, start);
	else
		insert_slot(space, i, (struct vrange){ (u32)start, (u32)(end - start) });
}

unsigned long vrange_space_free_pages(const struct vrange_space *space)
{
	unsigned long n = 0;
	unsigned int i;

	for (i = 0; i < space->nr_free; i++)
		n += space->free[i].pages;
	return n;
}

unsigned int vrange_space_check(const struct vrange_space *space)
{
	unsigned int bad = 0, i;

	for (i = 0; i < space->nr_free; i++) {
		const struct vrange *vrange = &space->free[i];
		unsigned long end = (unsigned long)vrange->start + vrange->pages;

		/* Sorted, maximal, below @next and not touching it. */
		if (!vrange->pages || end >= next_page(space) ||
		    (i + 1 < space->nr_free && end >= space->free[i + 1].start)) {
			pr_err("vrange: free range %u [%#lx, +%u pages) out of order or touching\n",
			       i, va_of(space, vrange->start), vrange->pages);
			bad++;
		}
	}
	if (space->nr_free > space->nr_live || space->nr_live > space->max_live || space->next > space->end ||
	    (!space->nr_live && space->next != space->base)) {
		pr_err("vrange: %u free, %lu live of %u, next %#lx in [%#lx, %#lx)\n", space->nr_free,
		       space->nr_live, space->max_live, space->next, space->base, space->end);
		bad++;
	}
	return bad;
}

unsigned long mm_vrange_alloc(unsigned long nr_pages)
{
	unsigned long flags = spin_lock_irqsave(&vrange_lock);
	unsigned long va = nr_pages ? vrange_space_alloc(&kernel_space, nr_pages + 1) : 0;

	spin_unlock_irqrestore(&vrange_lock, flags);
	return va;
}

void mm_vrange_free(unsigned long va, unsigned long nr_pages)
{
	unsigned long flags = spin_lock_irqsave(&vrange_lock);

	ASSERT_MSG(nr_pages, "va %#lx: 0 pages", va);
	vrange_space_free(&kernel_space, va, nr_pages + 1);
	spin_unlock_irqrestore(&vrange_lock, flags);
}

void vrange_get_info(struct vrange_info *info)
{
	unsigned long flags = spin_lock_irqsave(&vrange_lock);

	info->live = kernel_space.nr_live;
	info->free_ranges = kernel_space.nr_free;
	info->free_pages = vrange_space_free_pages(&kernel_space);
	info->used_pages = next_page(&kernel_space);
	spin_unlock_irqrestore(&vrange_lock, flags);
}

unsigned int vrange_check(void)
{
	unsigned long flags = spin_lock_irqsave(&vrange_lock);
	unsigned int bad = vrange_space_check(&kernel_space);

	spin_unlock_irqrestore(&vrange_lock, flags);
	return bad;
}
