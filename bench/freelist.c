/*
 * The free-list baseline of bench/freelist.h. No checks beyond what a
 * caller needs: the figure is a floor, not a competitor.
 */
#include <stddef.h>

#include "bench/freelist.h"

void freelist_init(struct freelist *fl, void *base, unsigned long nr_pages)
{
	unsigned long i;

	fl->head = NULL;
	for (i = nr_pages; i-- > 0;)
		freelist_push(fl, (char *)base + i * 4096);
}

void *freelist_pop(struct freelist *fl)
{
	struct freelist_page *fpage = fl->head;

	if (fpage)
		fl->head = fpage->next;
	return fpage;
}

void freelist_push(struct freelist *fl, void *page)
{
	struct freelist_page *fpage = page;

	fpage->next = fl->head;
	fl->head = fpage;
}
