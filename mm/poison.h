/*
 * Poison on free (struct mm_config.poison; the kernel's `mm.poison=1`):
 * every page that becomes free is filled with MM_POISON_BYTE, and every page
 * taken from the free state is checked for it before its new owner sees it,
 * so a write through a stale pointer after free is caught at the next
 * allocation with its PFN and offset (FreeBSD's INVARIANTS / Linux's
 * page_poison in spirit). Off, and never touching page contents, in
 * simulations without page data.
 */
#ifndef MM_POISON_H
#define MM_POISON_H

#include "mm/mm.h"

#define MM_POISON_BYTE 0xaa
/* The same byte as a virtio-balloon poison_val (le32). */
#define MM_POISON_U32 0xaaaaaaaaU

/*
 * mm_poison_fill - fill the 2^@order pages at @pfn with MM_POISON_BYTE.
 * Context: any; the pages must be the caller's (being freed).
 */
void mm_poison_fill(struct mm *mm, unsigned long pfn, unsigned int order);

/*
 * mm_poison_check - verify the 2^@order pages at @pfn still hold
 * MM_POISON_BYTE everywhere; the first byte that does not is a bug,
 * counted in stats.poison_bad and reported through mm_bug() with its PFN
 * and offset (a panic in the kernel).
 * Return: true when intact.
 * Context: any; the pages were just taken from the free state.
 */
bool mm_poison_check(struct mm *mm, unsigned long pfn, unsigned int order);

#endif
