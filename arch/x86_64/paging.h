/*
 * The kernel's page tables: the direct map (phys_to_virt/virt_to_phys), the
 * kernel image with W^X, single 4 KiB mappings in the vmap area (thread
 * stacks, mm mapped pages), uncached device mappings in the ioremap window,
 * and page-table walks for backtraces and tests. See layout.h for the map.
 *
 * Until paging_init() the boot tables of boot.S are live (4 GiB direct map,
 * everything writable and executable); paging_init() builds the final tables
 * and switches to them.
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
/* IA32_PAT as every CPU sets it: entry (PAT<<2 | PCD<<1 | PWT) of the
 * mapping gives its memory type; 6 = write-back, 4 = write-through, 7 =
 * uncached-minus, 0 = uncached. Normal memory uses entry 0 (no bits),
 * ioremap entry 3 (PCD|PWT: uncached); PTE bit 7 (PAT) is never set on a
 * 4 KiB mapping. The architectural reset value, written explicitly. */
#define PAGING_PAT 0x0007040600070406ULL
#define PTE_A (1UL << 5)
#define PTE_D (1UL << 6)
#define PTE_PS (1UL << 7)
#define PTE_G (1UL << 8)
#define PTE_NX (1UL << 63)
#define PTE_ADDR_MASK 0x000ffffffffff000UL

#define PAGE_SIZE_2M (1UL << 21)
#define PAGE_SIZE_1G (1UL << 30)

static inline void *phys_to_virt(phys_addr_t pa) { return (void *)(pa + PHYS_OFFSET); }
/* For direct-map and kernel-image addresses only: a vmap address (a thread
 * stack, say) has no fixed physical address; ask paging_lookup(). */
static inline phys_addr_t virt_to_phys(const void *va)
{
	unsigned long v = (unsigned long)va;

	return v >= KERNEL_VMA ? v - KERNEL_VMA : v - PHYS_OFFSET;
}

/* End of the direct map: 4 GiB under the boot tables; after paging_init()
 * the end of the highest mapped range (gaps below it may be unmapped: ask
 * paging_direct_mapped()). */
extern u64 direct_map_size;

/* Is [@pa, @pa + @len) entirely direct-mapped? */
bool paging_direct_mapped(phys_addr_t pa, u64 len);

/* A physical range to direct-map, in bytes, page aligned, half-open;
 * paging_init() takes at most PAGING_MAX_DIRECT_RANGES of them. */
#define PAGING_MAX_DIRECT_RANGES 64
struct paging_range {
	phys_addr_t start;
	phys_addr_t end;
};

/* Leaf entries of the direct map built by paging_init(), by size. */
struct paging_direct_stats {
	unsigned long pages_1g, pages_2m, pages_4k;
	unsigned long nr_ranges;
	u64 bytes;
};
extern struct paging_direct_stats paging_direct_stats;

/*
 * paging_init - build the final kernel page tables and switch to them:
 * @ram (sorted, disjoint, page aligned, below DIRECT_MAP_MAX) direct-mapped
 * RW+NX with the largest pages alignment allows (1 GiB when the CPU has
 * them, else 2 MiB; 4 KiB at unaligned edges); the kernel image at
 * KERNEL_VMA with text RX, rodata R+NX, data/bss RW+NX and the boot stack's
 * guard area (boot.S's dead early tables) unmapped; the ioremap window's existing mappings carried over;
 * no identity map. Then CR0.WP, EFER.NXE and (when present) CR4.SMEP/SMAP.
 * Table pages come from the table ops (paging_set_table_ops), whose
 * allocator must return memory the boot tables map.
 * Return: 0, -EINVAL for a bad range, -ENOMEM (nothing switched then).
 * Context: boot, once.
 */
int paging_init(const struct paging_range *ram, size_t n);

/*
 * Where page-table pages come from and go back to. @alloc returns the
 * physical address of a zeroed page, or 0 when none is left. @free, @live
 * and @set_live are all set or all NULL: with them, the tables of the vmap
 * area count their live (nonzero) entries in a word the allocator keeps
 * per table page (@live/@set_live) and go back through @free when the
 * count drops to zero; without them, no vmap mapping can be made. Called
 * with the page-table lock held (interrupts off): they must not sleep.
 * Until ops are set, a small static pool serves (enough for early
 * ioremaps); tables outside the vmap area are never freed.
 */
struct paging_table_ops {
	phys_addr_t (*alloc)(void);
	void (*free)(phys_addr_t pa);
	unsigned long (*live)(phys_addr_t pa);
	void (*set_live)(phys_addr_t pa, unsigned long n);
};
void paging_set_table_ops(const struct paging_table_ops *ops);

/* Page-table pages of the vmap area in use (below the root; each has at
 * least one live entry). */
unsigned long paging_vmap_tables(void);

/*
 * paging_vmap_check - walk the vmap area's tables under the page-table
 * lock and check that each table's live count equals its nonzero entries,
 * that no table is empty (an empty one should have been freed), and that
 * paging_vmap_tables() is the number of tables found.
 * Return: the number of violations (each logged).
 */
unsigned int paging_vmap_check(void);

/*
 * paging_map_page - map the 4 KiB page at @pa at @va (in the vmap area),
 * with @flags among PTE_W, PTE_NX, PTE_PCD, PTE_PWT. An existing mapping
 * is replaced and flushed from the TLB of every online CPU (so a
 * permission reduction, RW to RO or X to NX, holds everywhere on return).
 * Return: 0, -EINVAL when @va is outside the vmap area or unaligned,
 * -ENOMEM when a page-table page cannot be allocated (the tables made on
 * the way are freed again). Needs no allocation when @va's 4 KiB entry is
 * nonzero (mapped, or a migration entry).
 * Context: any but NMI; interrupts on or off; takes
 * the page-table lock with interrupts off; when it replaces a present
 * entry, waits for a cross-call on every other CPU (smp_call.h: do not
 * hold a lock another CPU may spin on with interrupts off).
 */
int paging_map_page(unsigned long va, phys_addr_t pa, u64 flags);

/*
 * paging_unmap_page - remove the 4 KiB entry at @va (nothing if there is
 * none), present or a non-present one from paging_set_nonpresent(), and
 * flush it from the TLB of every online CPU before returning. A page-table
 * page whose last live entry this clears is freed (after that flush), and
 * so on up (not the root). paging_unmap_range() does the same for
 * @nr_pages pages from @va with one cross-call per batch of them.
 * Context: as paging_map_page().
 */
void paging_unmap_page(unsigned long va);
void paging_unmap_range(unsigned long va, unsigned long nr_pages);

/*
 * paging_flush_tlb_range - flush the translations of @nr_pages pages from
 * @va on every online CPU (this one by INVLPG, the others by a waiting
 * cross-call), for a caller that changed what they map by other means.
 * Context: as paging_map_page().
 */
void paging_flush_tlb_range(unsigned long va, unsigned long nr_pages);

/*
 * paging_test_remote_shootdown - TEST ONLY: with @on false, every
 * shootdown flushes this CPU only, so other CPUs keep stale translations
 * (arch/x86_64/shootdown_test.c shows that they do). Never call it outside
 * a test, and turn it back on before the test returns.
 */
void paging_test_remote_shootdown(bool on);

/* Remote flushes CPU @cpu has run (cross-calls of shootdowns), for tests
 * and the benchmark's verification. */
u64 paging_shootdowns_received(unsigned int cpu);

/*
 * paging_set_nonpresent - store @value, which must have PTE_P clear and be
 * nonzero, as the 4 KiB PTE of @va (vmap area) and flush its TLB entry on
 * every online CPU: every access, on any CPU, faults until the page is
 * mapped again (context as paging_map_page()). Software bits of
 * @value are free for the caller (migration entries). The entry is live:
 * its page-table page is not freed while it is there.
 * Return: 0, -EINVAL, -ENOMEM (page table).
 */
int paging_set_nonpresent(unsigned long va, u64 value);

/*
 * paging_set_nonpresent_here - the same, but the old translation is
 * flushed on this CPU only: other CPUs may keep using it until the caller
 * runs paging_flush_tlb_range() for @va. For a caller that writes the entry
 * under a lock other CPUs may spin on with interrupts off (a shootdown
 * waits for them). On a mapped @va the walk makes and frees no table, so
 * nothing here waits for another CPU.
 */
int paging_set_nonpresent_here(unsigned long va, u64 value);

/* The raw 4 KiB PTE of @va, present or not. Return: false when no page
 * table covers @va at 4 KiB granularity. */
bool paging_read_pte(unsigned long va, u64 *pte);

/*
 * ioremap - map @size bytes of device memory at @pa uncached.
 * Return: the virtual address, or NULL when the window is exhausted or the
 * range is invalid. Mappings are never removed (devices live forever here).
 */
void *ioremap(phys_addr_t pa, size_t size);

/* Walk the live page tables (a vmap address under the page-table lock, but
 * during a panic). Return: true when @va is mapped; with @pte the leaf
 * entry and @level (1 = 4 KiB, 2 = 2 MiB, 3 = 1 GiB) are returned. */
bool paging_lookup(unsigned long va, u64 *pte, int *level);
static inline bool paging_is_mapped(unsigned long va) { return paging_lookup(va, NULL, NULL); }

/* The final tables' root (physical), for an AP's temporary tables. */
phys_addr_t paging_kernel_root(void);

/* On an AP: switch to the final tables and enable what paging_init enabled
 * on the boot CPU (CR0.WP, EFER.NXE, SMEP/SMAP). */
void paging_enable_this_cpu(void);

/* Drop the identity map boot.S left at virtual address 0 (so NULL faults). */
void paging_drop_identity(void);

#endif
