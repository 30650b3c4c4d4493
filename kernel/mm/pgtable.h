/*
 * Page-table pages from the buddy once kernel_mm is up: the table ops of
 * arch/x86_64/paging.h (MEMDESC_PGTABLE pages, each table's live-entry
 * count in its struct page) and how many such pages are in use.
 */
#ifndef KERNEL_PGTABLE_H
#define KERNEL_PGTABLE_H

#include "arch/x86_64/paging.h"

extern const struct paging_table_ops pgtable_buddy_ops;

/* MEMDESC_PGTABLE pages allocated and not freed yet (vmap and ioremap
 * tables made after boot; the boot-time tables are reserved pages). */
unsigned long pgtable_pages(void);

#endif
