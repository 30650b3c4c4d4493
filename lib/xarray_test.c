/*
 * Tests for lib/xarray.c. Nodes come from a static pool (so the suite runs in
 * the kernel too) that counts live nodes, can fail its Nth allocation, and
 * under ASan poisons free slots so a use after free is reported. Beside the
 * directed cases, a randomized test runs 20k operations against a reference
 * model (a sorted key universe with one entry per key) and cross-checks
 * loads, counts, iteration, node accounting and xa_check() as it goes.
 */
#include "lib/ktest.h"
#include "lib/xarray.h"
#include "lib/bitmap.h"
#include "lib/prng.h"
#include "lib/string.h"
#include "include/errno.h"

#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define XT_ASAN 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__)
#define XT_ASAN 1
#endif
#ifdef XT_ASAN /* host sanitizer build only: make the pool as strict as malloc */
#include <sanitizer/asan_interface.h>
#define XT_POISON(p, n) ASAN_POISON_MEMORY_REGION(p, n)
#define XT_UNPOISON(p, n) ASAN_UNPOISON_MEMORY_REGION(p, n)
#else
#define XT_POISON(p, n) ((void)(p), (void)(n))
#define XT_UNPOISON(p, n) ((void)(p), (void)(n))
#endif

#define XT_POOL_NODES 512 /* peak use is ~310 (random test) */
#define XT_MAX (~0UL)

/* Test node allocator: a static array of node slots and a bitmap of used ones. */
struct xt_pool {
	unsigned long live;    /* nodes allocated and not freed */
	unsigned long allocs;  /* alloc calls so far (failed ones included) */
	unsigned long fail_at; /* 0: never fail; else alloc call number fail_at fails */
	unsigned long peak;    /* highest live */
	bool misuse;           /* bad size, foreign or double free, pool exhausted */
	DECLARE_BITMAP(used, XT_POOL_NODES);
};

static struct xa_node xt_slots[XT_POOL_NODES];
static struct xt_pool xt_pool;

static void *xt_alloc(size_t size, void *priv)
{
	struct xt_pool *pool = priv;
	unsigned long i;

	pool->allocs++;
	if (pool->fail_at && pool->allocs == pool->fail_at)
		return NULL;
	i = bitmap_find_next_zero_bit(pool->used, XT_POOL_NODES, 0);
	if (size != sizeof(struct xa_node) || i == XT_POOL_NODES) {
		pool->misuse = true;
		return NULL;
	}
	bitmap_set_bit(pool->used, i);
	pool->live++;
	pool->peak = MAX(pool->peak, pool->live);
	XT_UNPOISON(&xt_slots[i], sizeof(xt_slots[i]));
	memset(&xt_slots[i], 0xa5, sizeof(xt_slots[i])); /* xarray must not expect zeroes */
	return &xt_slots[i];
}

static void xt_free(void *p, size_t size, void *priv)
{
	struct xt_pool *pool = priv;
	unsigned long i = (unsigned long)((struct xa_node *)p - xt_slots);

	if (size != sizeof(struct xa_node) || i >= XT_POOL_NODES ||
	    !bitmap_test_and_clear_bit(pool->used, i)) {
		pool->misuse = true;
		return;
	}
	pool->live--;
	memset(p, 0x5a, size);
	XT_POISON(p, size);
}

static const struct xa_alloc_ops xt_ops = { xt_alloc, xt_free, &xt_pool };

/*
 * Start a case: a fresh pool and an empty @xa. Leaks are judged by
 * xt_teardown(); a case that stopped early has failed already.
 */
static void xt_setup(struct xarray *xa)
{
	memset(&xt_pool, 0, sizeof(xt_pool));
	XT_POISON(xt_slots, sizeof(xt_slots));
	xa_init(xa, &xt_ops);
}

/* End a case: the tree is valid, then destroy frees every node. */
static void xt_teardown(struct ktest *test, struct xarray *xa)
{
	KTEST_EXPECT_EQ(test, xa_check(xa), 0);
	KTEST_EXPECT_EQ(test, xa_node_count(xa), xt_pool.live);
	xa_destroy(xa);
	KTEST_EXPECT_EQ(test, xt_pool.live, 0);
	KTEST_EXPECT_EQ(test, xa_count(xa), 0);
	KTEST_EXPECT_FALSE(test, xt_pool.misuse);
}

static unsigned long xt_objs[64]; /* 8-byte aligned pointer entries */

static void *xt_ptr(unsigned long i)
{
	return &xt_objs[i % ARRAY_SIZE(xt_objs)];
}

static const unsigned long xt_edge_keys[] = {
	0, 1, 63, 64, 65, 4095, 4096, 1UL << 30, (1UL << 30) + 1, 1UL << 36,
	1UL << 63, XT_MAX - 64, XT_MAX - 1, XT_MAX,
};

/* xa_find() and its three siblings: (array, in/out index, bound). */
typedef void *xt_find_fn(const struct xarray *xa, unsigned long *index, unsigned long limit);

/* One call of @find from @start: it returns @want (NULL: a miss) and leaves
 * the index at @want_index (a miss must leave it at @start). */
static void xt_expect_find(struct ktest *test, const struct xarray *xa, xt_find_fn *find,
			   unsigned long start, unsigned long limit, void *want,
			   unsigned long want_index)
{
	unsigned int before = test->failures;
	unsigned long index = start;

	KTEST_EXPECT_PTR_EQ(test, find(xa, &index, limit), want);
	KTEST_EXPECT_EQ(test, index, want_index);
	if (test->failures != before)
		ktest_diag(test, "from %#lx, bound %#lx", start, limit);
}

/* An empty array loads, erases and finds nothing and holds no node. */
static void xarray_empty_has_no_entries(struct ktest *test)
{
	struct xarray xa;
	unsigned long index = 0;

	xt_setup(&xa);
	KTEST_EXPECT_NULL(test, xa_load(&xa, 0));
	KTEST_EXPECT_NULL(test, xa_load(&xa, XT_MAX));
	KTEST_EXPECT_NULL(test, xa_erase(&xa, 7));
	KTEST_EXPECT_NULL(test, xa_find(&xa, &index, XT_MAX));
	index = XT_MAX;
	KTEST_EXPECT_NULL(test, xa_find_before(&xa, &index, 0));
	KTEST_EXPECT_TRUE(test, xa_empty(&xa));
	KTEST_EXPECT_EQ(test, xa_count(&xa), 0);
	KTEST_EXPECT_EQ(test, xt_pool.allocs, 0);
	xt_teardown(test, &xa);
}

/* Store, replace, load and erase one entry; erase frees the node. */
static void xarray_store_load_erase_basics(struct ktest *test)
{
	struct xarray xa;

	xt_setup(&xa);
	KTEST_ASSERT_EQ(test, xa_store(&xa, 5, xt_ptr(1)), 0);
	KTEST_EXPECT_PTR_EQ(test, xa_load(&xa, 5), xt_ptr(1));
	KTEST_EXPECT_NULL(test, xa_load(&xa, 4));
	KTEST_EXPECT_NULL(test, xa_load(&xa, 6));
	KTEST_EXPECT_EQ(test, xa_count(&xa), 1);
	KTEST_ASSERT_EQ(test, xa_store(&xa, 5, xt_ptr(2)), 0); /* replace */
	KTEST_EXPECT_EQ(test, xa_count(&xa), 1);
	KTEST_EXPECT_PTR_EQ(test, xa_load(&xa, 5), xt_ptr(2));
	KTEST_EXPECT_EQ(test, xt_pool.live, 1);
	KTEST_EXPECT_NULL(test, xa_erase(&xa, 6));
	KTEST_EXPECT_PTR_EQ(test, xa_erase(&xa, 5), xt_ptr(2));
	KTEST_EXPECT_NULL(test, xa_load(&xa, 5));
	KTEST_EXPECT_EQ(test, xa_count(&xa), 0);
	KTEST_EXPECT_EQ(test, xt_pool.live, 0);
	KTEST_EXPECT_TRUE(test, xa_empty(&xa));
	xt_teardown(test, &xa);
}

/* NULL and low-bits-0b10 entries are refused with -EINVAL and change nothing. */
static void xarray_store_rejects_null_and_misaligned(struct ktest *test)
{
	struct xarray xa;

	xt_setup(&xa);
	KTEST_EXPECT_EQ(test, xa_store(&xa, 1, NULL), -EINVAL);
	KTEST_EXPECT_EQ(test, xa_store(&xa, 1, (void *)0x1002UL), -EINVAL);
	KTEST_EXPECT_EQ(test, xa_insert(&xa, 1, NULL), -EINVAL);
	KTEST_EXPECT_EQ(test, xa_count(&xa), 0);
	KTEST_EXPECT_EQ(test, xt_pool.allocs, 0);
	KTEST_EXPECT_EQ(test, xa_store(&xa, 1, (void *)0x1004UL), 0);
	KTEST_EXPECT_EQ(test, xa_store(&xa, 1, (void *)0x1002UL), -EINVAL);
	KTEST_EXPECT_PTR_EQ(test, xa_load(&xa, 1), (void *)0x1004UL);
	xt_teardown(test, &xa);
}

/* Edge indices from 0 to ULONG_MAX all store and load without aliasing. */
static void xarray_handles_large_and_sparse_indices(struct ktest *test)
{
	struct xarray xa;
	unsigned int i;

	xt_setup(&xa);
	for (i = 0; i < ARRAY_SIZE(xt_edge_keys); i++)
		KTEST_ASSERT_EQ(test, xa_store(&xa, xt_edge_keys[i], xa_mk_value(i)), 0);
	KTEST_EXPECT_EQ(test, xa_count(&xa), ARRAY_SIZE(xt_edge_keys));
	for (i = 0; i < ARRAY_SIZE(xt_edge_keys); i++)
		KTEST_EXPECT_PTR_EQ(test, xa_load(&xa, xt_edge_keys[i]), xa_mk_value(i));
	KTEST_EXPECT_NULL(test, xa_load(&xa, 2));
	KTEST_EXPECT_NULL(test, xa_load(&xa, 4094));
	KTEST_EXPECT_NULL(test, xa_load(&xa, (1UL << 30) - 1));
	KTEST_EXPECT_NULL(test, xa_load(&xa, (1UL << 63) + 1));
	KTEST_EXPECT_NULL(test, xa_load(&xa, XT_MAX - 2));
	KTEST_EXPECT_NULL(test, xa_load(&xa, 1UL << 62));
	KTEST_EXPECT_EQ(test, xa.root->shift, XA_MAX_SHIFT);
	KTEST_EXPECT_EQ(test, xa_check(&xa), 0);
	xt_teardown(test, &xa);
}

/* The root rises to cover a new index and sinks back (freeing nodes) on erase. */
static void xarray_height_grows_and_shrinks(struct ktest *test)
{
	struct xarray xa;

	xt_setup(&xa);
	KTEST_ASSERT_EQ(test, xa_store(&xa, 0, xt_ptr(0)), 0);
	KTEST_EXPECT_EQ(test, xa.root->shift, 0);
	KTEST_EXPECT_EQ(test, xt_pool.live, 1);
	KTEST_ASSERT_EQ(test, xa_store(&xa, 64, xt_ptr(1)), 0);
	KTEST_EXPECT_EQ(test, xa.root->shift, 6);
	KTEST_EXPECT_EQ(test, xt_pool.live, 3);
	KTEST_ASSERT_EQ(test, xa_store(&xa, XT_MAX, xt_ptr(2)), 0);
	KTEST_EXPECT_EQ(test, xa.root->shift, XA_MAX_SHIFT);
	KTEST_EXPECT_EQ(test, xt_pool.live, 3 + 9 + 10);
	KTEST_EXPECT_EQ(test, xa_check(&xa), 0);
	KTEST_EXPECT_PTR_EQ(test, xa_erase(&xa, XT_MAX), xt_ptr(2));
	KTEST_EXPECT_EQ(test, xa.root->shift, 6);
	KTEST_EXPECT_EQ(test, xt_pool.live, 3);
	KTEST_EXPECT_PTR_EQ(test, xa_erase(&xa, 0), xt_ptr(0));
	KTEST_EXPECT_EQ(test, xa.root->shift, 6); /* 64 sits in slot 1: no shrink */
	KTEST_EXPECT_EQ(test, xt_pool.live, 2);
	KTEST_EXPECT_EQ(test, xa_check(&xa), 0);
	KTEST_ASSERT_EQ(test, xa_store(&xa, 4096, xt_ptr(3)), 0);
	KTEST_ASSERT_EQ(test, xa_store(&xa, 1, xt_ptr(4)), 0);
	KTEST_EXPECT_PTR_EQ(test, xa_erase(&xa, 4096), xt_ptr(3));
	KTEST_EXPECT_PTR_EQ(test, xa_erase(&xa, 64), xt_ptr(1));
	KTEST_EXPECT_EQ(test, xa.root->shift, 0); /* only index 1 left: one leaf */
	KTEST_EXPECT_EQ(test, xt_pool.live, 1);
	KTEST_EXPECT_EQ(test, xa_check(&xa), 0);
	KTEST_EXPECT_PTR_EQ(test, xa_erase(&xa, 1), xt_ptr(4));
	KTEST_EXPECT_NULL(test, xa.root);
	xt_teardown(test, &xa);
}

/* xa_for_each and xa_find visit entries in increasing index order, honouring bounds. */
static void xarray_iterates_in_index_order(struct ktest *test)
{
	struct xarray xa;
	unsigned long index, prev = 0, nr = 0;
	unsigned int i;
	void *entry;

	xt_setup(&xa);
	for (i = ARRAY_SIZE(xt_edge_keys); i-- > 0;) /* reverse order on purpose */
		KTEST_ASSERT_EQ(test, xa_store(&xa, xt_edge_keys[i], xa_mk_value(i)), 0);
	xa_for_each(&xa, index, entry) {
		KTEST_ASSERT_LT(test, nr, ARRAY_SIZE(xt_edge_keys));
		KTEST_EXPECT_EQ(test, index, xt_edge_keys[nr]);
		KTEST_EXPECT_PTR_EQ(test, entry, xa_mk_value(nr));
		KTEST_EXPECT_TRUE(test, nr == 0 || index > prev);
		prev = index;
		nr++;
	}
	KTEST_EXPECT_EQ(test, nr, ARRAY_SIZE(xt_edge_keys));
	xt_expect_find(test, &xa, xa_find, 66, XT_MAX, xa_mk_value(5), 4095);
	xt_expect_find(test, &xa, xa_find, 4097, (1UL << 30) - 1, NULL, 4097);
	xt_expect_find(test, &xa, xa_find_after, XT_MAX, XT_MAX, NULL, XT_MAX);
	nr = 0;
	xa_for_each_range(&xa, index, entry, 64, 1UL << 30)
		nr++;
	KTEST_EXPECT_EQ(test, nr, 5); /* 64, 65, 4095, 4096, 1 << 30 */
	xa_for_each(&xa, index, entry) /* erasing the current entry is allowed */
		if (index & 1)
			KTEST_EXPECT_PTR_EQ(test, xa_erase(&xa, index), entry);
	KTEST_EXPECT_EQ(test, xa_count(&xa), 7);
	xt_teardown(test, &xa);
}

/* xa_for_each_reverse and xa_find_before visit entries in decreasing index
 * order, honouring bounds, also below a root that covers less than ~0UL. */
static void xarray_iterates_in_reverse_order(struct ktest *test)
{
	struct xarray xa;
	unsigned long index, nr = 0;
	unsigned int i;
	void *entry;

	xt_setup(&xa);
	for (i = 0; i < 6; i++) /* 0 .. 4096: a root of shift 12 */
		KTEST_ASSERT_EQ(test, xa_store(&xa, xt_edge_keys[i], xa_mk_value(i)), 0);
	xt_expect_find(test, &xa, xa_find_before, ~0UL, 0, xa_mk_value(5), 4095);
	/* above all the root covers */
	xt_expect_find(test, &xa, xa_find_before, ~0UL, 4097, NULL, ~0UL);
	for (i = 6; i < ARRAY_SIZE(xt_edge_keys); i++)
		KTEST_ASSERT_EQ(test, xa_store(&xa, xt_edge_keys[i], xa_mk_value(i)), 0);
	xa_for_each_reverse(&xa, index, entry) {
		unsigned long want = ARRAY_SIZE(xt_edge_keys) - 1 - nr;

		KTEST_ASSERT_LT(test, nr, ARRAY_SIZE(xt_edge_keys));
		KTEST_EXPECT_EQ(test, index, xt_edge_keys[want]);
		KTEST_EXPECT_PTR_EQ(test, entry, xa_mk_value(want));
		nr++;
	}
	KTEST_EXPECT_EQ(test, nr, ARRAY_SIZE(xt_edge_keys));
	xt_expect_find(test, &xa, xa_find_before, 4094, 0, xa_mk_value(4), 65);
	xt_expect_find(test, &xa, xa_find_before, 62, 2, NULL, 62);
	xt_expect_find(test, &xa, xa_find_prev, 0, 0, NULL, 0);
	xt_expect_find(test, &xa, xa_find_prev, 1UL << 36, 0, xa_mk_value(8), (1UL << 30) + 1);
	xa_for_each_reverse(&xa, index, entry) /* erasing the current entry is allowed */
		if (index & 1)
			KTEST_EXPECT_PTR_EQ(test, xa_erase(&xa, index), entry);
	KTEST_EXPECT_EQ(test, xa_count(&xa), 7);
	xt_teardown(test, &xa);
}

/* Value entries round-trip, are told apart from pointers, and store like them. */
static void xarray_value_entries_round_trip(struct ktest *test)
{
	static const unsigned long vals[] = { 0, 1, 0x12345, (1UL << 62) + 3, (1UL << 63) - 1 };
	struct xarray xa;
	unsigned int i;

	xt_setup(&xa);
	KTEST_EXPECT_FALSE(test, xa_is_value(xt_ptr(0)));
	for (i = 0; i < ARRAY_SIZE(vals); i++) {
		void *e = xa_mk_value(vals[i]);

		KTEST_EXPECT_TRUE(test, xa_is_value(e));
		KTEST_EXPECT_EQ(test, xa_to_value(e), vals[i]);
		KTEST_ASSERT_EQ(test, xa_store(&xa, 1000 + i, e), 0);
	}
	for (i = 0; i < ARRAY_SIZE(vals); i++)
		KTEST_EXPECT_EQ(test, xa_to_value(xa_load(&xa, 1000 + i)), vals[i]);
	xt_teardown(test, &xa);
}

/* xa_insert stores into a free index and refuses an occupied one with -EEXIST. */
static void xarray_insert_refuses_occupied_index(struct ktest *test)
{
	struct xarray xa;

	xt_setup(&xa);
	KTEST_EXPECT_EQ(test, xa_insert(&xa, 77, xa_mk_value(1)), 0);
	KTEST_EXPECT_EQ(test, xa_insert(&xa, 77, xa_mk_value(2)), -EEXIST);
	KTEST_EXPECT_EQ(test, xa_to_value(xa_load(&xa, 77)), 1);
	KTEST_EXPECT_EQ(test, xa_count(&xa), 1);
	xt_teardown(test, &xa);
}

/* Snapshot of a small tree, to prove that a failed store changed nothing. */
struct xt_snap {
	struct xa_node *root;
	unsigned int root_shift;
	unsigned long count, nodes, live, nr;
	unsigned long index[32];
	void *entry[32];
};

static void xt_snap_take(const struct xarray *xa, struct xt_snap *snap)
{
	unsigned long index;
	void *entry;

	snap->root = xa->root;
	snap->root_shift = xa->root ? xa->root->shift : 0;
	snap->count = xa_count(xa);
	snap->nodes = xa_node_count(xa);
	snap->live = xt_pool.live;
	snap->nr = 0;
	xa_for_each(xa, index, entry) {
		if (snap->nr == ARRAY_SIZE(snap->index))
			break;
		snap->index[snap->nr] = index;
		snap->entry[snap->nr++] = entry;
	}
}

/* Expect @xa to match snapshot @snap exactly; Return: false on a difference. */
static bool xt_snap_same(struct ktest *test, const struct xarray *xa, const struct xt_snap *snap)
{
	unsigned int before = test->failures;
	struct xt_snap now;
	unsigned long i;

	xt_snap_take(xa, &now);
	KTEST_EXPECT_PTR_EQ(test, now.root, snap->root);
	KTEST_EXPECT_EQ(test, now.root_shift, snap->root_shift);
	KTEST_EXPECT_EQ(test, now.count, snap->count);
	KTEST_EXPECT_EQ(test, now.nodes, snap->nodes);
	KTEST_EXPECT_EQ(test, now.live, snap->live);
	KTEST_EXPECT_EQ(test, now.nr, snap->nr);
	for (i = 0; i < snap->nr && i < now.nr; i++) {
		KTEST_EXPECT_EQ(test, now.index[i], snap->index[i]);
		KTEST_EXPECT_PTR_EQ(test, now.entry[i], snap->entry[i]);
		KTEST_EXPECT_PTR_EQ(test, xa_load(xa, snap->index[i]), snap->entry[i]);
	}
	KTEST_EXPECT_EQ(test, xa_check(xa), 0);
	return test->failures == before;
}

/*
 * Store at @index with each allocation in turn failing; every failure must
 * leave @xa as it was. Return: the number of allocations the store needed
 * (i.e. the failure points tried), leaving the entry stored; -1 on a mismatch.
 */
static int xt_store_failing_each_alloc(struct ktest *test, struct xarray *xa,
				       unsigned long index, void *entry)
{
	struct xt_snap snap;
	int n, err;

	xt_snap_take(xa, &snap);
	for (n = 1; n <= 32; n++) {
		xt_pool.fail_at = xt_pool.allocs + (unsigned long)n;
		err = xa_store(xa, index, entry);
		xt_pool.fail_at = 0;
		if (err == 0)
			return n - 1;
		KTEST_EXPECT_EQ(test, err, -ENOMEM);
		KTEST_EXPECT_NULL(test, xa_load(xa, index));
		if (err != -ENOMEM || !xt_snap_same(test, xa, &snap))
			return -1;
	}
	return -1;
}

/* A node allocation failing at any point of a store leaves the tree exactly unchanged. */
static void xarray_store_fails_cleanly_on_enomem(struct ktest *test)
{
	static const struct {
		unsigned long index;
		int allocs; /* nodes the store must create, given the keys before it */
	} steps[] = {
		{ 5, 1 },             /* empty tree: a leaf root */
		{ 6, 0 },             /* same leaf */
		{ 200, 2 },           /* grow one level plus a new leaf */
		{ 4096 * 3 + 1, 3 },  /* grow to shift 12, new shift-6 node and leaf */
		{ 4096 * 3 + 70, 1 }, /* path exists down to shift 6: a new leaf */
		{ 1UL << 40, 10 },    /* grow 4 levels to shift 36 + a 6-node chain */
		{ XT_MAX, 14 },       /* grow 4 levels to shift 60 + a 10-node chain */
		{ (1UL << 40) + 64 * 64, 2 }, /* branch off mid-path */
	};
	struct xarray xa;
	unsigned int i;

	xt_setup(&xa);
	for (i = 0; i < ARRAY_SIZE(steps); i++) {
		int n = xt_store_failing_each_alloc(test, &xa, steps[i].index, xa_mk_value(i));

		KTEST_EXPECT_EQ(test, n, steps[i].allocs);
		KTEST_ASSERT_EQ(test, xa_to_value(xa_load(&xa, steps[i].index)), i);
		KTEST_ASSERT_EQ(test, xa_check(&xa), 0);
	}
	/* Same from an empty tree straight to the deepest index: 11 nodes. */
	xa_destroy(&xa);
	KTEST_EXPECT_EQ(test, xt_store_failing_each_alloc(test, &xa, XT_MAX - 1, xt_ptr(0)), 11);
	KTEST_EXPECT_EQ(test, xt_store_failing_each_alloc(test, &xa, 0, xt_ptr(1)), 10);
	xt_teardown(test, &xa);
}

/* xa_destroy frees every node and leaves an empty, reusable array. */
static void xarray_destroy_frees_every_node(struct ktest *test)
{
	struct xarray xa;
	unsigned long i;

	xt_setup(&xa);
	for (i = 0; i < 200; i++)
		KTEST_ASSERT_EQ(test, xa_store(&xa, i * 977, xt_ptr(i)), 0);
	KTEST_EXPECT_GT(test, xt_pool.live, 1);
	KTEST_EXPECT_EQ(test, xa_node_count(&xa), xt_pool.live);
	xa_destroy(&xa);
	KTEST_EXPECT_EQ(test, xt_pool.live, 0);
	KTEST_EXPECT_TRUE(test, xa_empty(&xa));
	KTEST_EXPECT_NULL(test, xa_load(&xa, 977));
	KTEST_ASSERT_EQ(test, xa_store(&xa, 3, xt_ptr(3)), 0);
	xt_teardown(test, &xa);
}

/* xa_check notices a wrong node count, a wrong total and a broken parent link. */
static void xarray_check_detects_corruption(struct ktest *test)
{
	struct xarray xa;
	struct xa_node *leaf;

	xt_setup(&xa);
	KTEST_ASSERT_EQ(test, xa_store(&xa, 1, xt_ptr(1)), 0);
	KTEST_ASSERT_EQ(test, xa_store(&xa, 100, xt_ptr(2)), 0);
	KTEST_ASSERT_EQ(test, xa_check(&xa), 0);
	leaf = xa.root->slots[1];
	leaf->count++;
	KTEST_EXPECT_EQ(test, xa_check(&xa), -EINVAL);
	leaf->count--;
	xa.count++;
	KTEST_EXPECT_EQ(test, xa_check(&xa), -EINVAL);
	xa.count--;
	leaf->parent = NULL;
	KTEST_EXPECT_EQ(test, xa_check(&xa), -EINVAL);
	leaf->parent = xa.root;
	leaf->offset = 2;
	KTEST_EXPECT_EQ(test, xa_check(&xa), -EINVAL);
	leaf->offset = 1;
	xt_teardown(test, &xa);
}

/*
 * Randomized model test. The key universe mixes a dense range, three dense
 * clusters high up (one ending at ULONG_MAX) and sparse random 64-bit keys;
 * xt_model[i] is the entry expected at xt_keys[i] (NULL = absent).
 */
#define XT_DENSE 2048
#define XT_CLUSTER 256
#define XT_SPARSE 64
#define XT_UNIVERSE (XT_DENSE + 3 * XT_CLUSTER + XT_SPARSE)
#define XT_OPS 20000
#define XT_VERIFY_EVERY 500

static unsigned long xt_keys[XT_UNIVERSE];
static unsigned long xt_sparse[XT_SPARSE]; /* the random keys, unsorted */
static void *xt_model[XT_UNIVERSE];
static unsigned long xt_nkeys, xt_model_count;

/*
 * A random key of random magnitude: 64 random bits shifted right by 0..63.
 * Two statements, because the order in which the operands of one expression
 * are evaluated differs between compilers, and so would the sequence.
 */
static unsigned long xt_random_key(struct prng *rng)
{
	unsigned long bits = prng_next(rng);

	return bits >> prng_below(rng, 64);
}

/* Fill xt_keys with the sorted, duplicate-free universe. */
static void xt_build_universe(struct prng *rng)
{
	static const unsigned long cluster_base[3] = {
		(1UL << 30) - XT_CLUSTER / 2, (1UL << 40) + 12345, XT_MAX - XT_CLUSTER + 1,
	};
	unsigned long i, j, n = 0, k;

	for (i = 0; i < XT_DENSE; i++)
		xt_keys[n++] = i;
	for (i = 0; i < 3; i++)
		for (j = 0; j < XT_CLUSTER; j++)
			xt_keys[n++] = cluster_base[i] + j;
	for (i = 0; i < XT_SPARSE; i++) {
		xt_sparse[i] = xt_random_key(rng);
		xt_keys[n++] = xt_sparse[i];
	}
	for (i = 1; i < n; i++) { /* insertion sort: all but the tail is sorted */
		k = xt_keys[i];
		for (j = i; j > 0 && xt_keys[j - 1] > k; j--)
			xt_keys[j] = xt_keys[j - 1];
		xt_keys[j] = k;
	}
	for (i = 0, j = 0; i < n; i++)
		if (j == 0 || xt_keys[i] != xt_keys[j - 1])
			xt_keys[j++] = xt_keys[i];
	xt_nkeys = j;
	for (i = 0; i < XT_UNIVERSE; i++)
		xt_model[i] = NULL;
	xt_model_count = 0;
}

/* Position of the first universe key >= @key (xt_nkeys if none). */
static unsigned long xt_lower_bound(unsigned long key)
{
	unsigned long lo = 0, hi = xt_nkeys;

	while (lo < hi) {
		unsigned long mid = lo + (hi - lo) / 2;

		if (xt_keys[mid] < key)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* Position of the last present universe key in [@min, @max] (xt_nkeys if none). */
static unsigned long xt_model_before(unsigned long max, unsigned long min)
{
	unsigned long pos = xt_lower_bound(max);

	if (pos < xt_nkeys && xt_keys[pos] == max)
		pos++; /* pos: the first key above max */
	while (pos-- > 0 && xt_keys[pos] >= min)
		if (xt_model[pos])
			return pos;
	return xt_nkeys;
}

/* Model answer to xa_load(@key). */
static void *xt_model_load(unsigned long key)
{
	unsigned long pos = xt_lower_bound(key);

	return pos < xt_nkeys && xt_keys[pos] == key ? xt_model[pos] : NULL;
}

/*
 * Pick a universe position. @phase biases the keys: 0 mostly dense, 1 and 3
 * uniform, 2 mostly sparse (deep, short-lived paths: node churn and height
 * changes).
 */
static unsigned long xt_pick(struct prng *rng, unsigned int phase)
{
	if (phase == 0 && prng_chance(rng, 9, 10))
		return prng_below(rng, XT_DENSE);
	if (phase == 2 && prng_chance(rng, 3, 4))
		return xt_lower_bound(xt_sparse[prng_below(rng, XT_SPARSE)]);
	return prng_below(rng, xt_nkeys);
}

/* Full comparison of @xa with the model; Return: false on a difference. */
static bool xt_verify_model(struct ktest *test, const struct xarray *xa, struct prng *rng)
{
	unsigned int before = test->failures;
	unsigned long pos = 0, index, start, max, i;
	void *entry;

	KTEST_EXPECT_EQ(test, xa_check(xa), 0);
	KTEST_EXPECT_EQ(test, xa_count(xa), xt_model_count);
	KTEST_EXPECT_EQ(test, xa_node_count(xa), xt_pool.live);
	KTEST_EXPECT_FALSE(test, xt_pool.misuse);
	xa_for_each(xa, index, entry) {
		while (pos < xt_nkeys && !xt_model[pos])
			pos++;
		KTEST_EXPECT_LT(test, pos, xt_nkeys);
		if (pos >= xt_nkeys)
			return false;
		KTEST_EXPECT_EQ(test, index, xt_keys[pos]);
		KTEST_EXPECT_PTR_EQ(test, entry, xt_model[pos]);
		pos++;
		if (test->failures != before)
			return false;
	}
	for (i = 0; i < xt_nkeys; i++)
		KTEST_EXPECT_PTR_EQ(test, xa_load(xa, xt_keys[i]), xt_model[i]);
	for (i = 0; i < 64; i++) { /* bounded finds from random points */
		start = xt_random_key(rng);
		max = start + xt_random_key(rng);
		if (max < start)
			max = XT_MAX;
		index = start;
		entry = xa_find(xa, &index, max);
		for (pos = xt_lower_bound(start); pos < xt_nkeys && !xt_model[pos]; pos++)
			;
		if (pos < xt_nkeys && xt_keys[pos] <= max) {
			KTEST_EXPECT_PTR_EQ(test, entry, xt_model[pos]);
			KTEST_EXPECT_EQ(test, index, xt_keys[pos]);
		} else {
			KTEST_EXPECT_NULL(test, entry);
		}
	}
	for (i = 0; i < 64; i++) { /* and backwards, down to a random minimum */
		unsigned long min = xt_random_key(rng);

		start = min + xt_random_key(rng);
		if (start < min)
			start = XT_MAX;
		index = start;
		entry = xa_find_before(xa, &index, min);
		pos = xt_model_before(start, min);
		if (pos < xt_nkeys) {
			KTEST_EXPECT_PTR_EQ(test, entry, xt_model[pos]);
			KTEST_EXPECT_EQ(test, index, xt_keys[pos]);
		} else {
			KTEST_EXPECT_NULL(test, entry);
		}
	}
	return test->failures == before;
}

/* One random operation at universe position @pos, mirrored in the model. */
static void xt_random_op(struct ktest *test, struct xarray *xa, struct prng *rng,
			 unsigned long pos, unsigned int phase)
{
	unsigned long key = xt_keys[pos], roll = prng_below(rng, 100);
	unsigned long erase_pct = phase == 3 ? 75 : 35;
	void *entry = prng_chance(rng, 1, 2) ? xa_mk_value(prng_next(rng) >> 2) :
					       xt_ptr(prng_next(rng));
	int err;

	if (roll < erase_pct) {
		KTEST_EXPECT_PTR_EQ(test, xa_erase(xa, key), xt_model[pos]);
		xt_model_count -= xt_model[pos] != NULL;
		xt_model[pos] = NULL;
	} else if (roll < erase_pct + 10) {
		err = xa_insert(xa, key, entry);
		KTEST_EXPECT_EQ(test, err, xt_model[pos] ? -EEXIST : 0);
		if (!err) {
			xt_model[pos] = entry;
			xt_model_count++;
		}
	} else if (roll < 90) {
		if (prng_chance(rng, 1, 20)) /* sometimes fail one of the next allocations */
			xt_pool.fail_at = xt_pool.allocs + 1 + prng_below(rng, 3);
		err = xa_store(xa, key, entry);
		xt_pool.fail_at = 0;
		KTEST_EXPECT_TRUE(test, err == 0 || err == -ENOMEM);
		if (!err) {
			xt_model_count += xt_model[pos] == NULL;
			xt_model[pos] = entry;
		}
	} else {
		KTEST_EXPECT_PTR_EQ(test, xa_load(xa, key), xt_model[pos]);
		key = prng_next(rng); /* and a key that is almost surely outside */
		KTEST_EXPECT_PTR_EQ(test, xa_load(xa, key), xt_model_load(key));
	}
}

/* Erase every entry the model holds; the tree must shrink to nothing. */
static void xt_drain(struct ktest *test, struct xarray *xa)
{
	unsigned long pos;

	for (pos = 0; pos < xt_nkeys && !test->failures; pos++) {
		if (!xt_model[pos])
			continue;
		KTEST_EXPECT_PTR_EQ(test, xa_erase(xa, xt_keys[pos]), xt_model[pos]);
		xt_model[pos] = NULL;
		xt_model_count--;
		if (pos % 64 == 0)
			KTEST_EXPECT_EQ(test, xa_check(xa), 0);
	}
	KTEST_EXPECT_EQ(test, xa_count(xa), 0);
	KTEST_EXPECT_NULL(test, xa->root);
	KTEST_EXPECT_EQ(test, xt_pool.live, 0);
}

/* 20k random store/insert/erase/load ops (some with failing allocations) match the model. */
static void xarray_random_ops_match_model(struct ktest *test)
{
	struct xarray xa;
	struct prng rng;
	unsigned long op;

	xt_setup(&xa);
	prng_seed(&rng, 0x5eed0001);
	xt_build_universe(&rng);
	KTEST_EXPECT_GT(test, xt_nkeys, XT_DENSE + 3 * XT_CLUSTER); /* sparse keys may repeat */
	for (op = 0; op < XT_OPS; op++) {
		unsigned int phase = (unsigned int)(op * 4 / XT_OPS);

		xt_random_op(test, &xa, &rng, xt_pick(&rng, phase), phase);
		if (test->failures)
			break;
		if ((op + 1) % XT_VERIFY_EVERY == 0 && !xt_verify_model(test, &xa, &rng))
			break;
	}
	ktest_diag(test, "%lu ops, %lu entries left, %lu allocs, peak %lu nodes", op,
		   xa_count(&xa), xt_pool.allocs, xt_pool.peak);
	xt_drain(test, &xa);
	xt_teardown(test, &xa);
}

static const struct ktest_case xarray_cases[] = {
	KTEST_CASE(xarray_empty_has_no_entries),
	KTEST_CASE(xarray_store_load_erase_basics),
	KTEST_CASE(xarray_store_rejects_null_and_misaligned),
	KTEST_CASE(xarray_handles_large_and_sparse_indices),
	KTEST_CASE(xarray_height_grows_and_shrinks),
	KTEST_CASE(xarray_iterates_in_index_order),
	KTEST_CASE(xarray_iterates_in_reverse_order),
	KTEST_CASE(xarray_value_entries_round_trip),
	KTEST_CASE(xarray_insert_refuses_occupied_index),
	KTEST_CASE(xarray_store_fails_cleanly_on_enomem),
	KTEST_CASE(xarray_destroy_frees_every_node),
	KTEST_CASE(xarray_check_detects_corruption),
	KTEST_CASE(xarray_random_ops_match_model),
	KTEST_END,
};
KTEST_SUITE(xarray, xarray_cases);
