/*
 * Fuzz the xarray against a reference model (a small table of index/entry
 * pairs): store, insert, erase, load, and iteration with xa_find() /
 * xa_find_after() (and downwards with xa_find_before() / xa_find_prev())
 * over fuzz-chosen ranges, with indices near every level
 * boundary and node allocations that fail when the input says so.
 * Invariants: every result agrees with the model, xa_check() is clean, a
 * failed store changes nothing, xa_node_count() equals the nodes the
 * allocator has out, and xa_destroy() gives every node back.
 */
#include <stdlib.h>
#include <string.h>

#include "include/errno.h"
#include "lib/xarray.h"
#include "tests/fuzz/fuzz_common.h"

#define MODEL_MAX 96

struct ref {
	unsigned long index;
	void *entry;
};

static struct ref model[MODEL_MAX];
static unsigned int nr_model;
static long nodes_out;
static uint32_t fail_mask; /* bit i: the i-th allocation (mod 32) fails */
static unsigned int allocs;

static void *fz_alloc(size_t size, void *priv)
{
	FUZZ_CHECK(size == sizeof(struct xa_node), "alloc of %zu bytes", size);
	if (fail_mask & (1u << (allocs++ % 32)))
		return NULL;
	nodes_out++;
	return malloc(size);
}

static void fz_free(void *p, size_t size, void *priv)
{
	FUZZ_CHECK(size == sizeof(struct xa_node), "free of %zu bytes", size);
	nodes_out--;
	free(p);
}

static const struct xa_alloc_ops ops = { fz_alloc, fz_free, NULL };

static struct ref *model_find(unsigned long index)
{
	unsigned int i;

	for (i = 0; i < nr_model; i++)
		if (model[i].index == index)
			return &model[i];
	return NULL;
}

static unsigned long pick_index(struct fuzz_in *in)
{
	uint8_t k = fuzz_u8(in);
	unsigned int shift = (k >> 3) % 11 * XA_CHUNK_SHIFT; /* 0, 6, ... 60 */
	unsigned long base = shift >= 64 ? 0 : 1UL << shift;

	switch (k & 7) {
	case 0: case 1:
		return fuzz_u8(in);
	case 2:
		return base + fuzz_u8(in) % 4;
	case 3:
		return base - 1 - fuzz_u8(in) % 4;
	case 4:
		return ~0UL - fuzz_u8(in) % 4;
	case 5:
		return nr_model ? model[fuzz_u8(in) % nr_model].index : 0;
	default:
		return (unsigned long)fuzz_u32(in) << (fuzz_u8(in) % 33);
	}
}

static void *pick_entry(struct fuzz_in *in)
{
	uint16_t v = fuzz_u16(in);

	if (v & 1)
		return xa_mk_value(v >> 1);
	return (void *)(uintptr_t)(0x1000 + ((unsigned long)v << 2)); /* aligned pointer */
}

static void op_store(struct xarray *xa, struct fuzz_in *in, int insert)
{
	unsigned long index = pick_index(in), before = xa_node_count(xa);
	struct ref *ref = model_find(index);
	void *entry = pick_entry(in);
	int err;

	if (!ref && nr_model == MODEL_MAX)
		return;
	err = insert ? xa_insert(xa, index, entry) : xa_store(xa, index, entry);
	if (insert && ref) {
		FUZZ_CHECK(err == -EEXIST, "insert over %#lx: %d", index, err);
		return;
	}
	if (err) {
		FUZZ_CHECK(err == -ENOMEM && !ref, "store at %#lx: %d (present %d)", index, err, !!ref);
		FUZZ_CHECK(xa_node_count(xa) == before, "failed store changed the nodes");
		FUZZ_CHECK(xa_load(xa, index) == NULL, "failed store left an entry");
		return;
	}
	if (!ref) {
		ref = &model[nr_model++];
		ref->index = index;
	}
	ref->entry = entry;
}

static void op_erase(struct xarray *xa, struct fuzz_in *in)
{
	unsigned long index = pick_index(in);
	struct ref *ref = model_find(index);
	void *old = xa_erase(xa, index);

	FUZZ_CHECK(old == (ref ? ref->entry : NULL), "erase %#lx gave %p", index, old);
	if (ref)
		*ref = model[--nr_model];
}

static void op_load(struct xarray *xa, struct fuzz_in *in)
{
	unsigned long index = pick_index(in);
	struct ref *ref = model_find(index);

	FUZZ_CHECK(xa_load(xa, index) == (ref ? ref->entry : NULL), "load %#lx", index);
}

/* The first model entry with index in [lo, max] (after: in (lo, max]). */
static struct ref *model_next(unsigned long lo, unsigned long max, int after)
{
	struct ref *best = NULL;
	unsigned int i;

	for (i = 0; i < nr_model; i++) {
		unsigned long x = model[i].index;

		if ((after ? x > lo : x >= lo) && x <= max && (!best || x < best->index))
			best = &model[i];
	}
	return best;
}

/* The model's last entry in [min, hi] (@before: [min, hi)). */
static struct ref *model_prev(unsigned long hi, unsigned long min, int before)
{
	struct ref *best = NULL;
	unsigned int i;

	for (i = 0; i < nr_model; i++) {
		unsigned long x = model[i].index;

		if ((before ? x < hi : x <= hi) && x >= min && (!best || x > best->index))
			best = &model[i];
	}
	return best;
}

/* Iterate [lo, max] upwards with xa_find()/xa_find_after(), or, when
 * lo > max, [max, lo] downwards with xa_find_before()/xa_find_prev(). */
static void op_iterate(struct xarray *xa, struct fuzz_in *in)
{
	unsigned long lo = pick_index(in), max = pick_index(in), index = lo;
	int down = lo > max;
	struct ref *ref = down ? model_prev(lo, max, 0) : model_next(lo, max, 0);
	void *e = down ? xa_find_before(xa, &index, max) : xa_find(xa, &index, max);
	unsigned int seen = 0;

	while (ref) {
		FUZZ_CHECK(e == ref->entry && index == ref->index,
			   "find %s from %#lx to %#lx: got %p at %#lx, want %p at %#lx",
			   down ? "down" : "up", lo, max, e, index, ref->entry, ref->index);
		FUZZ_CHECK(seen++ <= nr_model, "iteration does not end");
		ref = down ? model_prev(index, max, 1) : model_next(index, max, 1);
		e = down ? xa_find_prev(xa, &index, max) : xa_find_after(xa, &index, max);
	}
	FUZZ_CHECK(e == NULL, "found %p at %#lx beyond the model from %#lx to %#lx", e, index,
		   lo, max);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = { data, size };
	struct xarray xa;
	unsigned int ops_done = 0;

	nr_model = 0;
	nodes_out = 0;
	allocs = 0;
	fail_mask = fuzz_u8(&in) < 64 ? fuzz_u32(&in) : 0;
	xa_init(&xa, &ops);
	while (fuzz_more(&in) && ops_done++ < 1024) {
		switch (fuzz_u8(&in) % 8) {
		case 0: case 1:
			op_store(&xa, &in, 0);
			break;
		case 2:
			op_store(&xa, &in, 1);
			break;
		case 3: case 4:
			op_erase(&xa, &in);
			break;
		case 5:
			op_load(&xa, &in);
			break;
		case 6:
			op_iterate(&xa, &in);
			break;
		case 7:
			FUZZ_CHECK(xa_check(&xa) == 0, "xa_check");
			break;
		}
		FUZZ_CHECK(xa_count(&xa) == nr_model, "count %lu, model %u", xa_count(&xa), nr_model);
		FUZZ_CHECK((long)xa_node_count(&xa) == nodes_out, "nodes %lu, allocated %ld",
			   xa_node_count(&xa), nodes_out);
	}
	FUZZ_CHECK(xa_check(&xa) == 0, "xa_check at the end");
	xa_destroy(&xa);
	FUZZ_CHECK(nodes_out == 0, "%ld nodes leaked", nodes_out);
	FUZZ_CHECK(xa_empty(&xa), "not empty after destroy");
	return 0;
}
