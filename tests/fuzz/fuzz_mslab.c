/*
 * Fuzz the movable object allocator (mm/mslab.h): sequences of alloc (any
 * size, the invalid ones included), free, map (nested), unmap, pool
 * compaction, system compaction and migration of the pages under objects.
 * Every object is filled with a pattern derived from its number and
 * verified whenever it is mapped and at the end, so a move that loses or
 * mixes up data is caught. Invariants: mslab_check() and mm_check() clean
 * (after the sequence, and when a check operation asks, at most every
 * CHECK_EVERY operations: fuzz_check_due),
 * a mapped object's address stays put, no misuse reported (the target
 * never misuses the API), and destroying the pool gives back every page.
 */
#include <string.h>

#include "include/errno.h"
#include "mm/compaction.h"
#include "mm/migrate.h"
#include "mm/mm.h"
#include "mm/mslab.h"
#include "mm/testing.h"
#include "tests/fuzz/fuzz_common.h"
#include "tests/fuzz/pattern.h"
#include "tests/host/mm_platform.h"

#define SPAN 2048UL
static const struct pfn_range whole = { 0, SPAN };
#define SLOTS 256
#define MAX_OPS 512
#define CHECK_EVERY (MAX_OPS / 8)

struct obj {
	unsigned long handle;
	size_t size;
	uint8_t seed;
	unsigned int maps;
	unsigned char *addr; /* while mapped */
};

static struct mm_test_env env;
static struct mslab_pool pool;
static struct obj objs[SLOTS];

static void verify(struct obj *obj, const unsigned char *va, const char *when)
{
	size_t bad = fuzz_pattern_bad(va, obj->size, obj->seed);

	FUZZ_CHECK(bad == obj->size, "%s: handle %#lx byte %zu of %zu", when, obj->handle, bad,
		   obj->size);
}

static void op_alloc(struct fuzz_in *in)
{
	struct obj *obj = &objs[fuzz_u8(in)];
	uint16_t v = fuzz_u16(in);
	size_t size = (v & 0x8000) ? (v & 0x7fff) : (v & 0xff) + 1;
	unsigned char *va;
	unsigned long h;

	if (obj->handle)
		return;
	h = mslab_alloc(&pool, size, (v & 0x4000) ? GFP_ZERO : 0);
	if (size == 0 || size > MSLAB_MAX_SIZE) {
		FUZZ_CHECK(!h && mslab_last_error(&pool) == -EINVAL, "size %zu: handle %#lx err %d",
			   size, h, mslab_last_error(&pool));
		return;
	}
	if (!h) {
		FUZZ_CHECK(mslab_last_error(&pool) == -ENOMEM, "err %d", mslab_last_error(&pool));
		return;
	}
	FUZZ_CHECK(mslab_size(&pool, h) == size, "size %zu, pool says %zu", size,
		   mslab_size(&pool, h));
	obj->handle = h;
	obj->size = size;
	obj->seed = fuzz_u8(in);
	va = mslab_map(&pool, h);
	FUZZ_CHECK(va && ((unsigned long)va & 15) == 0, "map of a new object: %p", (void *)va);
	if (v & 0x4000) {
		size_t bad = fuzz_zero_bad(va, size, 1);

		FUZZ_CHECK(bad == size, "GFP_ZERO object byte %zu is %u", bad, va[bad]);
	}
	fuzz_pattern_fill(va, size, obj->seed);
	mslab_unmap(&pool, h);
}

static void op_free(struct fuzz_in *in)
{
	struct obj *obj = &objs[fuzz_u8(in)];

	if (!obj->handle || obj->maps)
		return;
	mslab_free(&pool, obj->handle);
	memset(obj, 0, sizeof(*obj));
}

static void op_map(struct fuzz_in *in)
{
	struct obj *obj = &objs[fuzz_u8(in)];
	unsigned char *va;

	if (!obj->handle || obj->maps >= 8)
		return;
	va = mslab_map(&pool, obj->handle);
	FUZZ_CHECK(va, "map of handle %#lx failed", obj->handle);
	FUZZ_CHECK(!obj->maps || va == obj->addr, "nested map moved: %p then %p", (void *)obj->addr,
		   (void *)va);
	verify(obj, va, "map");
	obj->addr = va;
	obj->maps++;
}

static void op_unmap(struct fuzz_in *in)
{
	struct obj *obj = &objs[fuzz_u8(in)];

	if (!obj->maps)
		return;
	verify(obj, obj->addr, "unmap");
	mslab_unmap(&pool, obj->handle);
	if (!--obj->maps)
		obj->addr = NULL;
}

static void op_migrate(struct mm *mm, struct fuzz_in *in)
{
	unsigned long pfns[16];
	struct migrate_result res;
	size_t n = fuzz_u8(in) % 16, i;

	for (i = 0; i < n; i++) {
		struct obj *obj = &objs[fuzz_u8(in)];

		pfns[i] = obj->handle ? mslab_pfn(&pool, obj->handle) : mm->base_pfn + fuzz_u8(in);
	}
	migrate_pages(mm, pfns, n, NULL, NULL, NULL, MIGRATE_SYNC, &res);
}

static void check_all(struct mm *mm, const char *when)
{
	unsigned int i;

	FUZZ_CHECK(mslab_check(&pool) == 0, "%s: mslab_check", when);
	FUZZ_CHECK(mm_check(mm) == 0, "%s: mm_check", when);
	for (i = 0; i < SLOTS; i++) {
		struct obj *obj = &objs[i];
		unsigned char *va;

		if (!obj->handle)
			continue;
		va = mslab_map(&pool, obj->handle);
		FUZZ_CHECK(va, "%s: map of %#lx", when, obj->handle);
		FUZZ_CHECK(!obj->maps || va == obj->addr, "%s: mapped object moved", when);
		verify(obj, va, when);
		mslab_unmap(&pool, obj->handle);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = { data, size };
	struct fuzz_sampler sampler = { CHECK_EVERY, 0 };
	struct mm *mm = &env.mm;
	struct compact_result cres;
	unsigned long start_free;
	unsigned int i, ops = 0;

	FUZZ_CHECK(fuzz_env(&env, SPAN, &whole, 1, NULL, 0) == 0, "env init");
	start_free = mm_nr_free_pages(mm);
	FUZZ_CHECK(mslab_pool_create(&pool, mm, "fuzz") == 0, "pool create");
	memset(objs, 0, sizeof(objs));
	while (fuzz_more(&in) && ops++ < MAX_OPS) {
		switch (fuzz_u8(&in) % 10) {
		case 0: case 1: case 2:
			op_alloc(&in);
			break;
		case 3: case 4:
			op_free(&in);
			break;
		case 5:
			op_map(&in);
			break;
		case 6:
			op_unmap(&in);
			break;
		case 7:
			mslab_compact(&pool, NULL);
			break;
		case 8:
			if (fuzz_u8(&in) & 1)
				compact_zone(mm, COMPACT_ALL, MIGRATE_SYNC, false, &cres);
			else
				op_migrate(mm, &in);
			break;
		case 9:
			if (fuzz_check_due(&sampler, ops))
				check_all(mm, "mid-sequence");
			break;
		}
	}
	check_all(mm, "after the sequence");
	FUZZ_CHECK(pool.bugs == 0 && mm_host_take_bugs() == 0, "misuse reported: %lu",
		   pool.bugs);
	for (i = 0; i < SLOTS; i++)
		while (objs[i].maps--)
			mslab_unmap(&pool, objs[i].handle);
	mslab_pool_destroy(&pool);
	fuzz_expect_all_freed(mm, start_free, "destroying the pool");
	return 0;
}
