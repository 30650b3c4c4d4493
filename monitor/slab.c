/*
 * Monitor commands for the object allocators of kernel_mm: `slabinfo
 * [check]` (the kmalloc caches of kernel/mm/kmalloc.c, then the mslab
 * pools), `mslabinfo [check]` (every pool's classes: pages, objects, bytes
 * used vs held), and a demo pool to poke by hand: `mslab alloc N` (N
 * objects of log-uniform sizes 16..2048 B, each filled with a pattern),
 * `mslab free [all]` (3/4 of the held objects at random, or all), `mslab
 * compact`, `mslab verify` (every object still holds its pattern). The demo
 * pool, its handles and the slabinfo snapshot are the singletons here,
 * created on first use; the monitor runs one command at a time.
 */
#include "include/errno.h"
#include "kernel/mm/kmalloc.h"
#include "kernel/mm/mm_boot.h"
#include "kernel/printk.h"
#include "lib/prng.h"
#include "lib/string.h"
#include "mm/mslab.h"
#include "monitor/monitor.h"

#define DEMO_MAX 4096

static struct mslab_pool demo_pool;
static bool demo_ready;
static unsigned long demo[DEMO_MAX]; /* handles held, 0 = none */
static unsigned int nr_demo;
static struct prng demo_rng;

static u8 demo_byte(unsigned long handle, size_t i) { return (u8)(handle * 31 + i * 7); }

static void print_pool(struct mslab_pool *pool, bool check)
{
	struct mslab_pool_info pi;
	unsigned int i;

	mslab_pool_info(pool, &pi);
	kprintf("pool %s: %lu objects, %lu pages, %lu bytes used, %lu bytes held, %lu handles, "
		"%lu table pages, %lu compactions freed %lu pages\n", pool->name, pi.objects,
		pi.pages, pi.bytes_used, pi.bytes_held, pi.handles, pi.table_pages,
		(unsigned long)pi.compactions, (unsigned long)pi.compact_pages_freed);
	kprintf("  %5s %4s %6s %8s %11s %11s %8s %8s\n", "size", "objs", "pages", "objects",
		"bytes-used", "bytes-held", "migrated", "moved");
	for (i = 0; i < pool->nr_classes; i++) {
		struct mslab_class_info ci;

		mslab_class_info(pool, i, &ci);
		if (!ci.pages && !ci.allocs)
			continue;
		kprintf("  %5u %4u %6lu %8lu %11lu %11lu %8lu %8lu\n", ci.size,
			ci.objects_per_page, ci.pages, ci.objects, ci.bytes_used, ci.bytes_held,
			(unsigned long)ci.migrated, (unsigned long)ci.compact_moved);
	}
	if (check)
		kprintf("mslab_check %s: %u violations\n", pool->name, mslab_check(pool));
}

static void print_pools(bool check)
{
	struct movable_owner *owner;
	unsigned int n = 0;

	movable_for_each_owner(&kernel_mm, owner) {
		if (owner->type != MEMDESC_MSLAB)
			continue;
		print_pool(mslab_owner_pool(owner), check);
		n++;
	}
	kprintf("mslab pools: %u\n", n);
}

static int cmd_mslabinfo(int argc, char **argv)
{
	if (argc == 2 && strcmp(argv[1], "check"))
		return -EINVAL;
	print_pools(argc == 2);
	return 0;
}
MONITOR_CMD("mslabinfo", 0, 1, "[check]", "mslab pools: per class pages, objects, bytes used/held",
	    cmd_mslabinfo);

/* 16 << (0..7), then uniform inside the octave: close to log-uniform. */
static size_t demo_size(void)
{
	unsigned long lo = 16UL << prng_below(&demo_rng, 7);

	return (size_t)prng_range(&demo_rng, lo, lo * 2);
}

static int demo_alloc(unsigned long n)
{
	unsigned long done = 0, i;
	int err;

	if (!demo_ready) {
		err = mslab_pool_create(&demo_pool, &kernel_mm, "demo");
		if (err) {
			kprintf("error: cannot create the demo pool (%s)\n", errno_name(err));
			return err;
		}
		prng_seed(&demo_rng, 0xd3e0);
		demo_ready = true;
	}
	for (i = 0; i < DEMO_MAX && done < n; i++) {
		size_t size = demo_size(), b;
		u8 *p;

		if (demo[i])
			continue;
		demo[i] = mslab_alloc(&demo_pool, size, GFP_NOWARN);
		if (!demo[i]) {
			kprintf("error: mslab_alloc: %s\n", errno_name(mslab_last_error(&demo_pool)));
			break;
		}
		p = mslab_map(&demo_pool, demo[i]);
		for (b = 0; b < size; b++)
			p[b] = demo_byte(demo[i], b);
		mslab_unmap(&demo_pool, demo[i]);
		nr_demo++;
		done++;
	}
	kprintf("mslab: allocated %lu objects, %u held\n", done, nr_demo);
	return 0;
}

static void demo_free(bool all)
{
	unsigned long freed = 0, i;

	for (i = 0; i < DEMO_MAX; i++) {
		if (!demo[i] || (!all && !prng_chance(&demo_rng, 3, 4)))
			continue;
		mslab_free(&demo_pool, demo[i]);
		demo[i] = 0;
		nr_demo--;
		freed++;
	}
	kprintf("mslab: freed %lu objects, %u held\n", freed, nr_demo);
}

static void demo_verify(void)
{
	unsigned long bad = 0, i;

	for (i = 0; i < DEMO_MAX; i++) {
		size_t size, b;
		const u8 *p;

		if (!demo[i])
			continue;
		size = mslab_size(&demo_pool, demo[i]);
		p = mslab_map(&demo_pool, demo[i]);
		for (b = 0; b < size; b++)
			if (p[b] != demo_byte(demo[i], b)) {
				bad++;
				break;
			}
		mslab_unmap(&demo_pool, demo[i]);
	}
	kprintf("mslab: %u objects verified, %lu bad\n", nr_demo, bad);
}

static int cmd_mslab(int argc, char **argv)
{
	unsigned long n;

	if (argc == 3 && !strcmp(argv[1], "alloc")) {
		if (kstrtoul(argv[2], 0, &n) || !n || n > DEMO_MAX)
			return -EINVAL;
		return demo_alloc(n);
	}
	if (argc == 3 && (strcmp(argv[1], "free") || strcmp(argv[2], "all")))
		return -EINVAL;
	if (strcmp(argv[1], "free") && strcmp(argv[1], "compact") && strcmp(argv[1], "verify"))
		return -EINVAL;
	if (!demo_ready) {
		kprintf("mslab: no demo pool yet (`mslab alloc N` first)\n");
		return 0;
	}
	if (!strcmp(argv[1], "free"))
		demo_free(argc == 3);
	else if (!strcmp(argv[1], "compact"))
		kprintf("mslab: compaction freed %lu pages\n", mslab_compact(&demo_pool, NULL));
	else
		demo_verify();
	return 0;
}
MONITOR_CMD("mslab", 1, 2, "alloc N | free [all] | compact | verify",
	    "demo mslab pool: allocate, free 3/4 (or all), compact, verify contents", cmd_mslab);

/* ---- slabinfo ---- */

#define SLABINFO_MAX 64

/* Snapshot taken under the set lock and printed after it is dropped (the
 * console is slow); the monitor runs one command at a time. */
static struct slabinfo_row {
	char name[SLAB_NAME_MAX];
	struct slab_cache_info info;
} rows[SLABINFO_MAX];
static unsigned int nr_rows, rows_dropped;

static void collect(const struct slab_cache_info *info, void *arg)
{
	if (nr_rows == SLABINFO_MAX) {
		rows_dropped++;
		return;
	}
	strlcpy(rows[nr_rows].name, info->name, SLAB_NAME_MAX);
	rows[nr_rows].info = *info;
	rows[nr_rows].info.name = rows[nr_rows].name;
	nr_rows++;
}

static void print_rows(void)
{
	unsigned long used = 0, held = 0, pages = 0;
	unsigned int i;

	kprintf("%-16s %7s %5s %5s %8s %8s %6s %6s %11s %11s\n", "cache", "objsize", "size",
		"order", "active", "total", "slabs", "pages", "bytes-used", "bytes-held");
	for (i = 0; i < nr_rows; i++) {
		const struct slab_cache_info *in = &rows[i].info;

		kprintf("%-16s %7u %5u %5u %8lu %8lu %6lu %6lu %11lu %11lu\n", in->name,
			in->object_size, in->size, in->order, in->active_objects,
			in->total_objects, in->slabs, in->pages, in->bytes_used, in->bytes_held);
		used += in->bytes_used;
		held += in->bytes_held;
		pages += in->pages;
	}
	if (rows_dropped)
		kprintf("(%u more caches not shown)\n", rows_dropped);
	kprintf("caches: %lu bytes used, %lu bytes held in %lu pages\n", used, held, pages);
}

static int cmd_slabinfo(int argc, char **argv)
{
	struct slab_set *set = kmalloc_set();

	if (argc == 2 && strcmp(argv[1], "check"))
		return -EINVAL;
	if (!set) {
		kprintf("slabinfo: kmalloc is not initialised\n");
		return -ENODEV;
	}
	nr_rows = 0;
	rows_dropped = 0;
	slab_for_each_cache(set, collect, NULL);
	print_rows();
	kprintf("kmalloc-large: %lu blocks, %lu pages (%lu bytes held); %lu allocated, %lu failed\n",
		set->large_allocs, set->large_pages, set->large_pages * PAGE_SIZE,
		(unsigned long)set->large_total, (unsigned long)set->large_fails);
	if (argc == 2)
		kprintf("slab_check: %u violations\n", slab_check(set));
	print_pools(argc == 2); /* the movable object pools too */
	return 0;
}
MONITOR_CMD("slabinfo", 0, 1, "[check]", "slab caches and mslab pools: objects, pages, bytes used/held",
	    cmd_slabinfo);
