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
#include "kernel/vrange.h"
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

static unsigned long page_of(const struct vrange_space *s, unsigned long va)
{
	return (va - s->base) >> PAGE_SHIFT;
}

static unsigned long va_of(const struct vrange_space *s, unsigned long page)
{
	return s->base + (page << PAGE_SHIFT);
}

static unsigned long next_page(const struct vrange_space *s) { return page_of(s, s->next); }

static void remove_slot(struct vrange_space *s, unsigned int i)
{
	memmove(&s->free[i], &s->free[i + 1], (s->nr_free - i - 1) * sizeof(s->free[0]));
	s->nr_free--;
}

static void insert_slot(struct vrange_space *s, unsigned int i, struct vrange r)
{
	ASSERT_MSG(s->nr_free < s->max_live, "vrange: %u free ranges, room for %u", s->nr_free,
		   s->max_live);
	memmove(&s->free[i + 1], &s->free[i], (s->nr_free - i) * sizeof(s->free[0]));
	s->free[i] = r;
	s->nr_free++;
}

void vrange_space_init(struct vrange_space *s, unsigned long base, unsigned long end,
		       struct vrange *slots, unsigned int max_live)
{
	ASSERT_MSG(IS_ALIGNED(base | end, PAGE_SIZE) && base < end &&
			   (end - base) >> PAGE_SHIFT <= 0xffffffffUL,
		   "vrange: [%#lx, %#lx)", base, end);
	*s = (struct vrange_space){ base, end, base, 0, 0, max_live, slots };
}

/* First fit among the free ranges; what is left of a bigger one stays. */
static unsigned long reuse(struct vrange_space *s, unsigned long pages)
{
	unsigned int i;

	for (i = 0; i < s->nr_free; i++) {
		struct vrange *r = &s->free[i];
		unsigned long start = r->start;

		if (r->pages < pages)
			continue;
		r->start += (u32)pages;
		r->pages -= (u32)pages;
		if (!r->pages)
			remove_slot(s, i);
		return va_of(s, start);
	}
	return 0;
}

unsigned long vrange_space_alloc(struct vrange_space *s, unsigned long pages)
{
	unsigned long va;

	if (!pages || s->nr_live == s->max_live)
		return 0;
	va = reuse(s, pages);
	if (!va && pages <= (s->end - s->next) >> PAGE_SHIFT) {
		va = s->next;
		s->next += pages << PAGE_SHIFT;
	}
	if (va)
		s->nr_live++;
	return va;
}

void vrange_space_free(struct vrange_space *s, unsigned long va, unsigned long pages)
{
	unsigned long start = page_of(s, va), end = start + pages;
	unsigned int i = 0;
	struct vrange *prev, *next;

	ASSERT_MSG(va >= s->base && IS_ALIGNED(va, PAGE_SIZE) && pages &&
			   end <= next_page(s) && s->nr_live,
		   "vrange: bad free of %#lx, %lu pages", va, pages);
	while (i < s->nr_free && s->free[i].start < start)
		i++;
	prev = i ? &s->free[i - 1] : NULL;
	next = i < s->nr_free ? &s->free[i] : NULL;
	ASSERT_MSG((!prev || prev->start + prev->pages <= start) && (!next || end <= next->start),
		   "vrange: %#lx, %lu pages, overlaps a free range (double free?)", va, pages);
	s->nr_live--;
	if (prev && prev->start + prev->pages == start) { /* grow prev */
		start = prev->start;
		remove_slot(s, --i);
	}
	if (next && end == s->free[i].start) { /* and swallow next */
		end += s->free[i].pages;
		remove_slot(s, i);
	}
	if (end == next_page(s)) /* back to the bump pointer */
		s->next = va_of(s, start);
	else
		insert_slot(s, i, (struct vrange){ (u32)start, (u32)(end - start) });
}

unsigned long vrange_space_free_pages(const struct vrange_space *s)
{
	unsigned long n = 0;
	unsigned int i;

	for (i = 0; i < s->nr_free; i++)
		n += s->free[i].pages;
	return n;
}

unsigned int vrange_space_check(const struct vrange_space *s)
{
	unsigned int bad = 0, i;

	for (i = 0; i < s->nr_free; i++) {
		const struct vrange *r = &s->free[i];
		unsigned long end = (unsigned long)r->start + r->pages;

		/* Sorted, maximal, below @next and not touching it. */
		if (!r->pages || end >= next_page(s) ||
		    (i + 1 < s->nr_free && end >= s->free[i + 1].start)) {
			pr_err("vrange: free range %u [%#lx, +%u pages) out of order or touching\n",
			       i, va_of(s, r->start), r->pages);
			bad++;
		}
	}
	if (s->nr_free > s->nr_live || s->nr_live > s->max_live || s->next > s->end ||
	    (!s->nr_live && s->next != s->base)) {
		pr_err("vrange: %u free, %lu live of %u, next %#lx in [%#lx, %#lx)\n", s->nr_free,
		       s->nr_live, s->max_live, s->next, s->base, s->end);
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
