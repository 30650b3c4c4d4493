/*
 * Page tables as the kernel uses them before and beside the mm code: the
 * direct map (phys_to_virt/virt_to_phys), uncached device mappings in the
 * ioremap window, and a page-table walk used by backtraces and tests.
 */
#ifndef ARCH_X86_64_PAGING_H
#define ARCH_X86_64_PAGING_H

#include "arch/x86_64/layout.h"
#include "include/types.h"

#define PTE_P (1UL << 0)
#define PTE_W (1UL << 1)
#define PTE_U (1UL << 2)
#define PTE_PWT (1UL << 3)
#define PTE_PCD (1UL << 4)
#define PTE_A (1UL << 5)
#define PTE_D (1UL << 6)
#define PTE_PS (1UL << 7)
#define PTE_G (1UL << 8)
#define PTE_NX (1UL << 63)
#define PTE_ADDR_MASK 0x000ffffffffff000UL

static inline void *phys_to_virt(phys_addr_t pa) { return (void *)(pa + PHYS_OFFSET); }
static inline phys_addr_t virt_to_phys(const void *va)
{
	unsigned long v = (unsigned long)va;

	return v >= KERNEL_VMA ? v - KERNEL_VMA : v - PHYS_OFFSET;
}

/* Size of the direct map set up so far (boot maps 4 GiB). */
extern u64 direct_map_size;

/*
 * ioremap - map @size bytes of device memory at @pa uncached.
 * Return: the virtual address, or NULL when the window is exhausted or the
 * range is invalid. Mappings are never removed (devices live forever here).
 */
void *ioremap(phys_addr_t pa, size_t size);

/* Walk the live page tables. Return: true when @va is mapped; with @pte the
 * leaf entry and @level (1 = 4 KiB, 2 = 2 MiB, 3 = 1 GiB) are returned. */
bool paging_lookup(unsigned long va, u64 *pte, int *level);
static inline bool paging_is_mapped(unsigned long va) { return paging_lookup(va, NULL, NULL); }

/* Drop the identity map boot.S left at virtual address 0 (so NULL faults). */
void paging_drop_identity(void);

#endif
