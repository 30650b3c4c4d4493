/*
 * xarray: a sparse array of entries keyed by unsigned long, kept as a radix
 * tree of 64-slot nodes (6 index bits per level). The tree is exactly as tall
 * as the largest index needs: it grows on store and shrinks on erase, and a
 * node that becomes empty is freed at once. Node memory comes from the
 * caller's struct xa_alloc_ops, so the same code runs in the kernel, on the
 * host and in tests that inject allocation failures.
 *
 * Entries: NULL means "absent" and cannot be stored. An entry is either a
 * pointer aligned to 4 bytes, or a value entry made by xa_mk_value() (low bit
 * set; the balloon keeps PFNs this way). Pointers with low bits 0b10 are
 * refused with -EINVAL (reserved).
 *
 * Invariants (checked by xa_check()): every node's count equals its non-NULL
 * slots and is > 0; child->parent/offset/shift match the slot holding it; the
 * root cannot be shrunk (its shift is 0, or some slot other than 0 is used);
 * xa->count is the number of entries. A failed xa_store() leaves all of this,
 * and every node, exactly as it was: nodes are allocated before any is linked.
 *
 * Locking: none inside. The caller serialises every call on one xarray,
 * readers included, and the alloc/free callbacks run under whatever lock the
 * caller holds (so they must not sleep if that lock is a spinlock).
 */
#ifndef LIB_XARRAY_H
#define LIB_XARRAY_H

#include "include/compiler.h"

#define XA_CHUNK_SHIFT 6
#define XA_CHUNK_SIZE (1U << XA_CHUNK_SHIFT)
#define XA_CHUNK_MASK (XA_CHUNK_SIZE - 1)
/* Shift of the root when every index bit is used (the top level uses 4). */
#define XA_MAX_SHIFT 60

/*
 * Where node memory comes from. @alloc returns @size bytes aligned to 8, or
 * NULL (xa_store then fails with -ENOMEM); @free gets back exactly what
 * @alloc returned, with the same @size. @priv is passed to both.
 */
struct xa_alloc_ops {
	void *(*alloc)(size_t size, void *priv);
	void (*free)(void *p, size_t size, void *priv);
	void *priv;
};

/*
 * One tree node; public only so that allocators can size their pools
 * (sizeof(struct xa_node)). Do not touch the fields outside lib/xarray.c.
 */
struct xa_node {
	struct xa_node *parent; /* NULL for the root */
	unsigned char shift;    /* index bits below this level: 0 = slots hold entries */
	unsigned char offset;   /* slot of this node in its parent */
	unsigned char count;    /* non-NULL slots */
	void *slots[XA_CHUNK_SIZE];
};

struct xarray {
	struct xa_node *root;           /* NULL when empty */
	unsigned long count;            /* entries stored */
	const struct xa_alloc_ops *ops; /* node memory; constant after xa_init() */
};

/* xa_mk_value - an entry holding @v, which must be below 2^63. */
static inline void *xa_mk_value(unsigned long v)
{
	return (void *)((v << 1) | 1);
}

/* xa_to_value - Return: the value stored by xa_mk_value(). */
static inline unsigned long xa_to_value(const void *entry)
{
	return (unsigned long)entry >> 1;
}

/* xa_is_value - Return: true when @entry was made by xa_mk_value(). */
static inline bool xa_is_value(const void *entry)
{
	return ((unsigned long)entry & 1) != 0;
}

/* xa_empty - Return: true when @xa holds no entry. */
static inline bool xa_empty(const struct xarray *xa)
{
	return xa->root == NULL;
}

/* xa_count - Return: the number of entries stored in @xa. */
static inline unsigned long xa_count(const struct xarray *xa)
{
	return xa->count;
}

void xa_init(struct xarray *xa, const struct xa_alloc_ops *ops);
int xa_store(struct xarray *xa, unsigned long index, void *entry);
int xa_insert(struct xarray *xa, unsigned long index, void *entry);
void *xa_load(const struct xarray *xa, unsigned long index);
void *xa_erase(struct xarray *xa, unsigned long index);
void *xa_find(const struct xarray *xa, unsigned long *index, unsigned long max);
void *xa_find_after(const struct xarray *xa, unsigned long *index, unsigned long max);
void *xa_find_before(const struct xarray *xa, unsigned long *index, unsigned long min);
void *xa_find_prev(const struct xarray *xa, unsigned long *index, unsigned long min);
void xa_destroy(struct xarray *xa);
unsigned long xa_node_count(const struct xarray *xa);
int xa_check(const struct xarray *xa);

/*
 * Iterate over every entry of @xa in increasing index order; @index (an
 * unsigned long) and @entry (a void *) are set for each. The body may store
 * or erase any entry, the current one included: each step looks the next
 * index up from the root.
 */
#define xa_for_each(xa, index, entry)                           \
	for ((index) = 0, (entry) = xa_find(xa, &(index), ~0UL); \
	     (entry); (entry) = xa_find_after(xa, &(index), ~0UL))

/* As xa_for_each(), restricted to indices in [@start, @max]. */
#define xa_for_each_range(xa, index, entry, start, max)             \
	for ((index) = (start), (entry) = xa_find(xa, &(index), max); \
	     (entry); (entry) = xa_find_after(xa, &(index), max))

/* As xa_for_each(), in decreasing index order. */
#define xa_for_each_reverse(xa, index, entry)                          \
	for ((index) = ~0UL, (entry) = xa_find_before(xa, &(index), 0); \
	     (entry); (entry) = xa_find_prev(xa, &(index), 0))

#endif
