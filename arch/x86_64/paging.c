/*
 * Boot-time paging services: the ioremap window (4 KiB uncached pages, page
 * tables from a small static pool, so it works before the mm is up), the
 * removal of boot.S's identity map, and page-table walks. The mm code takes
 * over the direct map and the kernel image mappings later.
 */
#include "arch/x86_64/paging.h"
#include "arch/x86_64/cpu.h"
#include "include/assert.h"
#include "include/compiler.h"
#include "kernel/printk.h"
#include "lib/string.h"

#define PT_POOL_PAGES 16

extern u64 boot_pml4[512];

u64 direct_map_size = BOOT_DIRECT_MAP_SIZE;

static u64 pt_pool[PT_POOL_PAGES][512] __aligned(4096);
static unsigned int pt_pool_used;
static unsigned long ioremap_next = IOREMAP_BASE;

static u64 *table_of(u64 entry) { return phys_to_virt(entry & PTE_ADDR_MASK); }

static unsigned int pt_index(unsigned long va, int level)
{
	return (va >> (12 + 9 * (level - 1))) & 511;
}

bool paging_lookup(unsigned long va, u64 *pte, int *level)
{
	u64 *table = phys_to_virt(read_cr3() & PTE_ADDR_MASK);
	int l;

	for (l = 4; l >= 1; l--) {
		u64 e = table[pt_index(va, l)];

		if (!(e & PTE_P))
			return false;
		if (l == 1 || (l <= 3 && (e & PTE_PS))) {
			if (pte)
				*pte = e;
			if (level)
				*level = l;
			return true;
		}
		table = table_of(e);
	}
	return false;
}

static u64 *pt_alloc(void)
{
	if (pt_pool_used == PT_POOL_PAGES)
		return NULL;
	return pt_pool[pt_pool_used++];
}

/* Return the 4 KiB-level PTE slot for @va, creating tables as needed. */
static u64 *pte_slot(unsigned long va)
{
	u64 *table = phys_to_virt(read_cr3() & PTE_ADDR_MASK);
	int l;

	for (l = 4; l > 1; l--) {
		u64 *e = &table[pt_index(va, l)];

		if (!(*e & PTE_P)) {
			u64 *next = pt_alloc();

			if (!next)
				return NULL;
			memset(next, 0, PAGE_SIZE);
			*e = virt_to_phys(next) | PTE_P | PTE_W;
		}
		BUG_ON(*e & PTE_PS);
		table = table_of(*e);
	}
	return &table[pt_index(va, 1)];
}

void *ioremap(phys_addr_t pa, size_t size)
{
	phys_addr_t start = ALIGN_DOWN(pa, PAGE_SIZE);
	size_t len = ALIGN_UP(pa + size, PAGE_SIZE) - start, off;
	unsigned long va = ioremap_next;

	if (!size || pa + size < pa || pa + size > (1UL << 52) ||
	    va + len > IOREMAP_BASE + IOREMAP_SIZE) {
		pr_err("ioremap: cannot map %zu bytes at %#lx\n", size, pa);
		return NULL;
	}
	for (off = 0; off < len; off += PAGE_SIZE) {
		u64 *pte = pte_slot(va + off);

		if (!pte) {
			pr_err("ioremap: out of page-table pages\n");
			return NULL;
		}
		*pte = (start + off) | PTE_P | PTE_W | PTE_PCD | PTE_PWT | PTE_NX;
		invlpg(va + off);
	}
	ioremap_next += len + PAGE_SIZE; /* an unmapped page between mappings */
	return (void *)(va + (pa - start));
}

void paging_drop_identity(void)
{
	boot_pml4[0] = 0;
	write_cr3(read_cr3());
}
