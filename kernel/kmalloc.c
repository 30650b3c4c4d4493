/*
 * The kernel's slab set (the one mutable singleton here, kernel_slab, set up
 * once by kmalloc_init and then owned by mm/slab.c's locks), the kmalloc /
 * kmem_cache wrappers over it, and the monitor command `slabinfo`.
 */
#include "kernel/kmalloc.h"
#include "include/errno.h"
#include "kernel/monitor.h"
#include "kernel/mslab_cmds.h"
#include "kernel/printk.h"
#include "lib/string.h"

static struct slab_set kernel_slab;
static bool kernel_slab_ready;

void kmalloc_init(struct mm *mm)
{
	ASSERT_MSG(!kernel_slab_ready, "kmalloc_init called twice");
	slab_set_init(&kernel_slab, mm, "kernel");
	kernel_slab_ready = true;
}

struct slab_set *kmalloc_set(void) { return kernel_slab_ready ? &kernel_slab : NULL; }

static struct slab_set *set(void)
{
	ASSERT_MSG(kernel_slab_ready, "kmalloc used before kmalloc_init");
	return &kernel_slab;
}

void *kmalloc(size_t size, gfp_t gfp) { return slab_kmalloc(set(), size, gfp); }
void *kzalloc(size_t size, gfp_t gfp) { return slab_kmalloc(set(), size, gfp | GFP_ZERO); }
void kfree(const void *p) { slab_kfree(set(), p); }
size_t ksize(const void *p) { return slab_ksize(set(), p); }

struct kmem_cache *kmem_cache_create(const char *name, size_t size, size_t align)
{
	return slab_cache_create(set(), name, size, align);
}

void *kmem_cache_alloc(struct kmem_cache *cache, gfp_t gfp)
{
	return slab_cache_alloc(cache, gfp);
}

void kmem_cache_free(struct kmem_cache *cache, void *obj) { slab_cache_free(cache, obj); }

int kmem_cache_destroy(struct kmem_cache *cache) { return slab_cache_destroy(cache); }

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
	mslabinfo_print(argc == 2); /* the movable object pools too */
	return 0;
}
MONITOR_CMD("slabinfo", 0, 1, "[check]", "slab caches and mslab pools: objects, pages, bytes used/held",
	    cmd_slabinfo);
