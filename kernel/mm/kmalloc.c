/*
 * The kernel's slab set (the one mutable singleton here, kernel_slab, set up
 * once by kmalloc_init and then owned by mm/slab.c's locks), the kmalloc /
 * kmem_cache wrappers over it (the monitor's `slabinfo` is in monitor/slab.c).
 */
#include "kernel/mm/kmalloc.h"
#include "include/errno.h"

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
