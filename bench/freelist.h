/*
 * The baseline for order-0 allocation: the simplest page allocator there is,
 * a singly linked list of free 4 KiB pages threaded through the pages
 * themselves (xv6's kalloc without the lock). Pop and push are a load and a
 * store each. It lives in its own file so that, like the buddy, every call
 * is a real call and both sides of a ratio pay the same call overhead.
 */
#ifndef BENCH_FREELIST_H
#define BENCH_FREELIST_H

struct freelist_page {
	struct freelist_page *next;
};

struct freelist {
	struct freelist_page *head;
};

/* Thread the @nr_pages pages at @base (4 KiB aligned) onto @fl. */
void freelist_init(struct freelist *fl, void *base, unsigned long nr_pages);
/* Return: a free page, or NULL when the list is empty. */
void *freelist_pop(struct freelist *fl);
void freelist_push(struct freelist *fl, void *page);

#endif
