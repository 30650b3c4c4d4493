/*
 * The xarray radix tree (see lib/xarray.h for the entry format, the
 * invariants and the locking rule). A node at shift s covers 2^(s+6) indices
 * and picks its slot with bits [s, s+6) of the index; nodes at shift 0 hold
 * entries, all others hold child nodes. The root is kept as low as possible,
 * so the tree's shape depends only on the set of stored indices.
 *
 * All-or-nothing stores: xa_store() first counts the nodes it will create
 * (nodes_needed()), allocates them into a struct spare, and only then links
 * them in; an allocation failure frees the spares and touches nothing else.
 */
#include "lib/xarray.h"
#include "lib/string.h"
#include "include/assert.h"
#include "include/errno.h"

#define XA_MAX_LEVELS (XA_MAX_SHIFT / XA_CHUNK_SHIFT + 1)
/* Worst store: 10 levels added above a leaf root, plus a 10-node new path. */
#define XA_MAX_NEW_NODES (2 * XA_MAX_LEVELS)

/* Nodes allocated ahead of a store, consumed while linking. */
struct spare {
	struct xa_node *nodes[XA_MAX_NEW_NODES];
	unsigned int nr;
};

/* Largest offset inside a node at @shift: it covers [0, mask] of its range. */
static unsigned long span_mask(unsigned int shift)
{
	if (shift + XA_CHUNK_SHIFT >= 64)
		return ~0UL;
	return (1UL << (shift + XA_CHUNK_SHIFT)) - 1;
}

/* Usable slots of a node at @shift: the top level has only 4 index bits. */
static unsigned int node_slots(unsigned int shift)
{
	return shift + XA_CHUNK_SHIFT > 64 ? 1U << (64 - shift) : XA_CHUNK_SIZE;
}

static unsigned int slot_of(unsigned long index, unsigned int shift)
{
	return (index >> shift) & XA_CHUNK_MASK;
}

/* Shift of the lowest root that covers @index. */
static unsigned int shift_for(unsigned long index)
{
	unsigned int top_bit;

	if (index < XA_CHUNK_SIZE)
		return 0;
	top_bit = 63 - (unsigned int)__builtin_clzl(index);
	return top_bit / XA_CHUNK_SHIFT * XA_CHUNK_SHIFT;
}

/* NULL and pointers with low bits 0b10 cannot be stored. */
static bool entry_valid(const void *entry)
{
	return entry && ((uintptr_t)entry & 3) != 2;
}

static void node_free(struct xarray *xa, struct xa_node *node)
{
	xa->ops->free(node, sizeof(*node), xa->ops->priv);
}

static void spare_release(struct xarray *xa, struct spare *sp)
{
	while (sp->nr)
		node_free(xa, sp->nodes[--sp->nr]);
}

/* Allocate @want zeroed nodes into @sp. Return: 0, or -ENOMEM having freed them. */
static int spare_fill(struct xarray *xa, struct spare *sp, unsigned int want)
{
	BUG_ON(want > XA_MAX_NEW_NODES);
	for (sp->nr = 0; sp->nr < want; sp->nr++) {
		struct xa_node *node = xa->ops->alloc(sizeof(*node), xa->ops->priv);

		if (!node) {
			spare_release(xa, sp);
			return -ENOMEM;
		}
		memset(node, 0, sizeof(*node));
		sp->nodes[sp->nr] = node;
	}
	return 0;
}

static struct xa_node *spare_take(struct spare *sp, struct xa_node *parent,
				  unsigned int shift, unsigned int offset)
{
	struct xa_node *node;

	BUG_ON(sp->nr == 0);
	node = sp->nodes[--sp->nr];
	node->parent = parent;
	node->shift = (unsigned char)shift;
	node->offset = (unsigned char)offset;
	return node;
}

/*
 * Number of nodes a store at @index creates. With no root: a chain from the
 * lowest root covering @index down to a leaf. When the root is too low: one
 * node per added level, and since @index's top slot in the new root is not
 * slot 0 (the old root's), a whole new chain below it. Otherwise: the part of
 * @index's path that is missing.
 */
static unsigned int nodes_needed(const struct xarray *xa, unsigned long index)
{
	unsigned int top = shift_for(index);
	const struct xa_node *node = xa->root;

	if (!node)
		return top / XA_CHUNK_SHIFT + 1;
	if (top > node->shift)
		return (top - node->shift) / XA_CHUNK_SHIFT + top / XA_CHUNK_SHIFT;
	while (node->shift) {
		const struct xa_node *child = node->slots[slot_of(index, node->shift)];

		if (!child)
			return node->shift / XA_CHUNK_SHIFT;
		node = child;
	}
	return 0;
}

/* Make the root cover @index: create it, or add levels above it. */
static void grow(struct xarray *xa, unsigned long index, struct spare *sp)
{
	unsigned int top = shift_for(index);

	if (!xa->root) {
		xa->root = spare_take(sp, NULL, top, 0);
		return;
	}
	while (xa->root->shift < top) {
		struct xa_node *old = xa->root;
		struct xa_node *node = spare_take(sp, NULL, old->shift + XA_CHUNK_SHIFT, 0);

		node->slots[0] = old;
		node->count = 1;
		old->parent = node;
		old->offset = 0;
		xa->root = node;
	}
}

/* The leaf node whose slots would hold @index, or NULL if it does not exist. */
static struct xa_node *leaf_of(const struct xarray *xa, unsigned long index)
{
	struct xa_node *node = xa->root;

	if (!node || index > span_mask(node->shift))
		return NULL;
	while (node && node->shift)
		node = node->slots[slot_of(index, node->shift)];
	return node;
}

/**
 * xa_init - make @xa an empty array whose nodes come from @ops.
 * @xa: the array.
 * @ops: node allocator; must stay valid until xa_destroy().
 */
void xa_init(struct xarray *xa, const struct xa_alloc_ops *ops)
{
	xa->root = NULL;
	xa->count = 0;
	xa->ops = ops;
}

/**
 * xa_store - store @entry at @index, replacing any entry there.
 * @xa: the array.
 * @index: any unsigned long.
 * @entry: a 4-byte aligned pointer or an xa_mk_value() entry; not NULL.
 *
 * Context: caller serialises; may call ops->alloc.
 * Return: 0; -EINVAL for a NULL or misaligned @entry; -ENOMEM when a node
 * could not be allocated, in which case @xa is exactly as before.
 */
int xa_store(struct xarray *xa, unsigned long index, void *entry)
{
	struct spare sp;
	struct xa_node *node;
	unsigned int off;

	if (!entry_valid(entry))
		return -EINVAL;
	if (spare_fill(xa, &sp, nodes_needed(xa, index)))
		return -ENOMEM;
	grow(xa, index, &sp);
	for (node = xa->root; node->shift; node = node->slots[off]) {
		off = slot_of(index, node->shift);
		if (!node->slots[off]) {
			node->slots[off] = spare_take(&sp, node,
						      node->shift - XA_CHUNK_SHIFT, off);
			node->count++;
		}
	}
	off = slot_of(index, 0);
	if (!node->slots[off]) {
		node->count++;
		xa->count++;
	}
	node->slots[off] = entry;
	BUG_ON(sp.nr != 0);
	return 0;
}

/**
 * xa_insert - store @entry at @index only if no entry is there.
 *
 * Context: as xa_store().
 * Return: 0; -EEXIST when @index is occupied; otherwise as xa_store().
 */
int xa_insert(struct xarray *xa, unsigned long index, void *entry)
{
	if (xa_load(xa, index))
		return -EEXIST;
	return xa_store(xa, index, entry);
}

/**
 * xa_load - look up @index.
 *
 * Return: the entry at @index, or NULL when there is none.
 */
void *xa_load(const struct xarray *xa, unsigned long index)
{
	struct xa_node *leaf = leaf_of(xa, index);

	return leaf ? leaf->slots[slot_of(index, 0)] : NULL;
}

/* Free @node and then each ancestor that its removal leaves empty. */
static void delete_empty(struct xarray *xa, struct xa_node *node)
{
	while (node && node->count == 0) {
		struct xa_node *parent = node->parent;

		if (parent) {
			parent->slots[node->offset] = NULL;
			parent->count--;
		} else {
			xa->root = NULL;
		}
		node_free(xa, node);
		node = parent;
	}
}

/* Drop root levels whose only child is in slot 0 (it covers the same indices). */
static void shrink(struct xarray *xa)
{
	struct xa_node *root;

	while ((root = xa->root) && root->shift && root->count == 1 && root->slots[0]) {
		struct xa_node *child = root->slots[0];

		child->parent = NULL;
		child->offset = 0;
		xa->root = child;
		node_free(xa, root);
	}
}

/**
 * xa_erase - remove the entry at @index.
 *
 * Nodes left empty are freed and the tree is lowered as far as it can be.
 * Context: caller serialises; may call ops->free.
 * Return: the entry that was at @index, or NULL when there was none.
 */
void *xa_erase(struct xarray *xa, unsigned long index)
{
	struct xa_node *leaf = leaf_of(xa, index);
	unsigned int off = slot_of(index, 0);
	void *old;

	if (!leaf || !leaf->slots[off])
		return NULL;
	old = leaf->slots[off];
	leaf->slots[off] = NULL;
	leaf->count--;
	xa->count--;
	delete_empty(xa, leaf);
	shrink(xa);
	return old;
}

/* Is @i on the far side of @limit when walking @forward? */
static __always_inline bool past_limit(unsigned long i, unsigned long limit, bool forward)
{
	return forward ? i > limit : i < limit;
}

/*
 * find_entry - the walk behind xa_find() (@forward) and xa_find_before().
 *
 * Walks down to *@index, then slot by slot in the walk's direction, climbing
 * out of nodes that are exhausted; stops once a slot lies wholly past
 * @limit. Backwards, a start beyond the tree is clamped to its last index;
 * forwards there is nothing there to find.
 * Return: the entry (and *@index updated), or NULL (*@index unchanged).
 */
static __always_inline void *find_entry(const struct xarray *xa, unsigned long *index,
					unsigned long limit, bool forward)
{
	unsigned long i = *index;
	struct xa_node *node = xa->root;
	unsigned int off;

	if (!node)
		return NULL;
	if (i > span_mask(node->shift)) {
		if (forward)
			return NULL;
		i = span_mask(node->shift);
	}
	if (past_limit(i, limit, forward))
		return NULL;
	off = slot_of(i, node->shift);
	for (;;) {
		void *slot = node->slots[off];

		if (slot && !node->shift) {
			*index = i;
			return slot;
		}
		if (slot) {
			node = slot;
			off = slot_of(i, node->shift);
			continue;
		}
		while (forward ? off + 1 >= node_slots(node->shift) : off == 0) {
			if (!node->parent)
				return NULL;
			off = node->offset;
			node = node->parent;
		}
		off = forward ? off + 1 : off - 1;
		/* the first index of slot @off going forwards, its last going back */
		i = (i & ~span_mask(node->shift)) | ((unsigned long)off << node->shift);
		if (!forward)
			i |= (1UL << node->shift) - 1;
		if (past_limit(i, limit, forward))
			return NULL;
	}
}

/**
 * xa_find - find the first entry with an index in [*@index, @max].
 * @xa: the array.
 * @index: in: where to start; out: the index of the entry found.
 * @max: last index to consider.
 *
 * Walks down to *@index, then slot by slot to the right (find_entry()).
 * Return: the entry (and *@index updated), or NULL (*@index unchanged).
 */
void *xa_find(const struct xarray *xa, unsigned long *index, unsigned long max)
{
	return find_entry(xa, index, max, true);
}

/**
 * xa_find_after - find the first entry with an index in (*@index, @max].
 *
 * Return: as xa_find().
 */
void *xa_find_after(const struct xarray *xa, unsigned long *index, unsigned long max)
{
	unsigned long next = *index + 1;
	void *entry;

	if (*index >= max)
		return NULL;
	entry = xa_find(xa, &next, max);
	if (entry)
		*index = next;
	return entry;
}

/**
 * xa_find_before - find the last entry with an index in [@min, *@index].
 * @xa: the array.
 * @index: in: where to start (clamped to the last index the tree covers);
 *         out: the index of the entry found.
 * @min: first index to consider.
 *
 * The mirror of xa_find(): walks down to *@index, then slot by slot to the
 * left (find_entry()).
 * Return: the entry (and *@index updated), or NULL (*@index unchanged).
 */
void *xa_find_before(const struct xarray *xa, unsigned long *index, unsigned long min)
{
	return find_entry(xa, index, min, false);
}

/**
 * xa_find_prev - find the last entry with an index in [@min, *@index).
 *
 * Return: as xa_find_before().
 */
void *xa_find_prev(const struct xarray *xa, unsigned long *index, unsigned long min)
{
	unsigned long prev = *index - 1;
	void *entry;

	if (*index <= min)
		return NULL;
	entry = xa_find_before(xa, &prev, min);
	if (entry)
		*index = prev;
	return entry;
}

/*
 * Post-order step of a walk over all nodes: from (@node, next slot *@off),
 * return the next node whose children have all been visited (NULL at the
 * end) and set *@off so that the walk resumes in its parent. Iterative, so
 * the stack use does not depend on the height.
 */
static struct xa_node *walk_next_done(struct xa_node *node, unsigned int *off)
{
	while (node->shift && *off < XA_CHUNK_SIZE) {
		struct xa_node *child = node->slots[(*off)++];

		if (child) {
			node = child;
			*off = 0;
		}
	}
	return node;
}

/**
 * xa_destroy - free every node; @xa is left empty and usable.
 *
 * The entries themselves are the caller's: free them first if needed.
 * Context: caller serialises; calls ops->free once per node.
 */
void xa_destroy(struct xarray *xa)
{
	struct xa_node *node = xa->root;
	unsigned int off = 0;

	while (node) {
		struct xa_node *done = walk_next_done(node, &off);

		node = done->parent;
		off = done->offset + 1u;
		node_free(xa, done);
	}
	xa->root = NULL;
	xa->count = 0;
}

/**
 * xa_node_count - count the nodes of @xa (a walk; for tests and statistics).
 *
 * Return: the number of nodes currently allocated for @xa.
 */
unsigned long xa_node_count(const struct xarray *xa)
{
	struct xa_node *node = xa->root;
	unsigned int off = 0;
	unsigned long n = 0;

	while (node) {
		struct xa_node *done = walk_next_done(node, &off);

		node = done->parent;
		off = done->offset + 1u;
		n++;
	}
	return n;
}

/*
 * Check the subtree at @node, which should sit at @shift in slot @offset of
 * @parent. Return: the number of entries below it, or -EINVAL.
 */
static long check_node(const struct xa_node *node, const struct xa_node *parent,
		       unsigned int shift, unsigned int offset)
{
	unsigned int i, used = 0;
	long total = 0, n;

	if (node->parent != parent || node->shift != shift || node->offset != offset)
		return -EINVAL;
	for (i = 0; i < XA_CHUNK_SIZE; i++) {
		const void *slot = node->slots[i];

		if (!slot)
			continue;
		used++;
		if (i >= node_slots(shift))
			return -EINVAL;
		if (!shift) {
			if (!entry_valid(slot))
				return -EINVAL;
			total++;
			continue;
		}
		n = check_node(slot, node, shift - XA_CHUNK_SHIFT, i);
		if (n < 0)
			return n;
		total += n;
	}
	return used == 0 || used != node->count ? -EINVAL : total;
}

/**
 * xa_check - validate the invariants listed in lib/xarray.h.
 *
 * Return: 0 when they all hold, -EINVAL at the first one broken.
 */
int xa_check(const struct xarray *xa)
{
	const struct xa_node *root = xa->root;
	long n;

	if (!root)
		return xa->count ? -EINVAL : 0;
	if (root->shift > XA_MAX_SHIFT || root->shift % XA_CHUNK_SHIFT)
		return -EINVAL;
	if (root->shift && root->count == 1 && root->slots[0])
		return -EINVAL; /* should have been shrunk */
	n = check_node(root, NULL, root->shift, 0);
	if (n < 0 || (unsigned long)n != xa->count)
		return -EINVAL;
	return 0;
}
