/*
 * kmalloc and kmem caches for the kernel: thin wrappers over one slab set
 * (mm/slab.h) on kernel_mm, the kernel's singleton defined in
 * kernel/mm/kmalloc.c. kmalloc_init() runs once at boot, after mm_init();
 * before it, every wrapper panics (a caller ran too early).
 *
 * Objects are 16-byte aligned; sizes up to a page come from size classes
 * (16 .. 4096), larger ones straight from the buddy. kfree() of anything the
 * set did not hand out, or a double free, panics with the reason (mm_bug).
 */
#ifndef KERNEL_KMALLOC_H
#define KERNEL_KMALLOC_H

#include "mm/slab.h"

/* kmalloc_init - create the kernel's slab set over @mm. Context: boot, once. */
void kmalloc_init(struct mm *mm);

/* The kernel's slab set, or NULL before kmalloc_init(). */
struct slab_set *kmalloc_set(void);

/* kmalloc - @size bytes. Return: the memory or NULL. Context: any; pass
 * GFP_ATOMIC in interrupt context. */
void *kmalloc(size_t size, gfp_t gfp);
/* kzalloc - kmalloc, zeroed. */
void *kzalloc(size_t size, gfp_t gfp);
/* kfree - free what kmalloc/kzalloc returned; NULL is ignored. */
void kfree(const void *p);
/* ksize - usable bytes at @p (at least what was asked for). */
size_t ksize(const void *p);

/* Caches of fixed-size objects; see slab_cache_create() for the rules. */
struct kmem_cache *kmem_cache_create(const char *name, size_t size, size_t align);
void *kmem_cache_alloc(struct kmem_cache *cache, gfp_t gfp);
void kmem_cache_free(struct kmem_cache *cache, void *obj);
/* Return: 0, or -EBUSY when objects are still allocated (nothing changes). */
int kmem_cache_destroy(struct kmem_cache *cache);

#endif
