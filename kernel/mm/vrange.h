/*
 * Kernel virtual address ranges for mm_vrange_alloc()/mm_vrange_free()
 * (mm/platform.h): the part of the vmap area above the thread stacks. The
 * allocator itself works on any struct vrange_space (tests make small
 * ones); the kernel's one space is behind the platform calls.
 */
#ifndef KERNEL_VRANGE_H
#define KERNEL_VRANGE_H

#include "arch/x86_64/layout.h"
#include "include/types.h"

#define VRANGE_BASE (VMAP_BASE + KSTACK_AREA_SIZE)
#define VRANGE_END (VMAP_BASE + VMAP_SIZE)

/* Live ranges the kernel's space hands out at most (SCENARIO_MAX_REGIONS
 * and everything else together stay well below it). */
#define VRANGE_MAX_LIVE 4096

/* A free range: @start and @pages in pages from the space's base. */
struct vrange {
	u32 start;
	u32 pages;
};

/*
 * A space of [@base, @end): a bump pointer @next, below it live ranges and
 * the free ones in @free, sorted by address and maximal (no two touch and
 * none touches @next). @free has room for @max_live ranges, and at most
 * @max_live ranges are live at once; then it cannot overflow (vrange.c).
 * Not locked: the owner serialises.
 */
struct vrange_space {
	unsigned long base, end, next;
	unsigned long nr_live;
	unsigned int nr_free, max_live;
	struct vrange *free;
};

void vrange_space_init(struct vrange_space *space, unsigned long base, unsigned long end,
		       struct vrange *slots, unsigned int max_live);
/* @pages pages (guard included) at the lowest free address that fits.
 * Return: the address, or 0 (no room, or @max_live ranges live). */
unsigned long vrange_space_alloc(struct vrange_space *space, unsigned long pages);
/* Give back a range from vrange_space_alloc, whole. */
void vrange_space_free(struct vrange_space *space, unsigned long va, unsigned long pages);
/* Pages below @next that are free. */
unsigned long vrange_space_free_pages(const struct vrange_space *space);
/* Check the invariants above. Return: the number of violations (logged). */
unsigned int vrange_space_check(const struct vrange_space *space);

/* The kernel's space, as the monitor shows it (under its lock). */
struct vrange_info {
	unsigned long live;        /* ranges handed out */
	unsigned long free_ranges; /* free ranges below the bump pointer */
	unsigned long free_pages;  /* pages in them */
	unsigned long used_pages;  /* pages below the bump pointer */
};
void vrange_get_info(struct vrange_info *info);
unsigned int vrange_check(void);

#endif
