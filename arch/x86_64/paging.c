/*
 * The kernel's page tables (see paging.h and layout.h).
 *
 * Boot: boot.S's tables (4 GiB at 0 and at PHYS_OFFSET, 1 GiB at KERNEL_VMA,
 * all RWX) serve until paging_init() builds the final tree from scratch and
 * loads it: the direct map of the ranges it is given, the kernel image with
 * W^X, and the PML4 slot of the ioremap window copied over so early device
 * mappings (the LAPIC, say) survive. The boot tables are then dead.
 *
 * Invariants of the final tree: intermediate entries are P|W (permissions
 * live in the leaves only); no leaf is both writable and executable; nothing
 * is mapped below the kernel half; the boot stack's guard area and every
 * page of the vmap area that is not a live mapping are not present.
 *
 * Locking: pt_lock (interrupts off) covers every change to the live tables
 * after boot (vmap mappings, ioremap). Table pages are never freed. Walks
 * for lookups take no lock: entries are written whole, and a stale answer
 * is the caller's race anyway.
 */
#include "arch/x86_64/paging.h"
#include "arch/x86_64/cpu.h"
#include "include/assert.h"
#include "include/compiler.h"
#include "include/errno.h"
#include "kernel/printk.h"
#include "kernel/spinlock.h"
#include "lib/string.h"

#define PT_POOL_PAGES 16

extern u64 boot_pml4[512];
extern char _text[], _rodata[], _data[], _ebss[], _kernel_end[];
extern char boot_stack_guard[], boot_stack_bottom[];

u64 direct_map_size = BOOT_DIRECT_MAP_SIZE;
struct paging_direct_stats paging_direct_stats;

static u64 pt_pool[PT_POOL_PAGES][512] __aligned(4096);
static unsigned int pt_pool_used;
static paging_table_alloc_fn table_alloc_fn;
static struct spinlock pt_lock = SPINLOCK_INIT("pgtable");
static unsigned long ioremap_next = IOREMAP_BASE;
static struct paging_range direct_ranges[PAGING_MAX_DIRECT_RANGES];
static size_t nr_direct_ranges;
static bool final_tables;

static u64 *table_of(u64 entry) { return phys_to_virt(entry & PTE_ADDR_MASK); }

static unsigned int pt_index(unsigned long va, int level)
{
	return (va >> (12 + 9 * (level - 1))) & 511;
}

static u64 level_size(int level) { return 1UL << (12 + 9 * (level - 1)); }

static u64 *live_root(void) { return phys_to_virt(read_cr3() & PTE_ADDR_MASK); }

bool paging_lookup(unsigned long va, u64 *pte, int *level)
{
	u64 *table = live_root();
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

bool paging_direct_mapped(phys_addr_t pa, u64 len)
{
	size_t i;

	if (pa + len < pa)
		return false;
	if (!final_tables)
		return pa + len <= BOOT_DIRECT_MAP_SIZE;
	for (i = 0; i < nr_direct_ranges; i++)
		if (direct_ranges[i].start <= pa && pa + len <= direct_ranges[i].end)
			return true;
	return false;
}

void paging_set_table_allocator(paging_table_alloc_fn fn) { table_alloc_fn = fn; }

/* A zeroed page-table page: its physical address, or 0 when none is left. */
static phys_addr_t table_alloc(void)
{
	u64 *page;

	if (table_alloc_fn)
		return table_alloc_fn();
	if (pt_pool_used == PT_POOL_PAGES)
		return 0;
	page = pt_pool[pt_pool_used++];
	memset(page, 0, PAGE_SIZE);
	return virt_to_phys(page);
}

/* The entry for @va at @level under @pml4, creating the tables above it.
 * Return: NULL when a table page cannot be allocated. */
static u64 *walk_create(u64 *pml4, unsigned long va, int level)
{
	u64 *table = pml4;
	int l;

	for (l = 4; l > level; l--) {
		u64 *e = &table[pt_index(va, l)];

		if (!(*e & PTE_P)) {
			phys_addr_t pa = table_alloc();

			if (!pa)
				return NULL;
			*e = pa | PTE_P | PTE_W;
		}
		ASSERT_MSG(!(*e & PTE_PS), "va %#lx: a large page at level %d is in the way", va,
			   l);
		table = table_of(*e);
	}
	return &table[pt_index(va, level)];
}

/* The largest page level (<= @max_level) that maps @va to @pa with @left
 * bytes to go. */
static int pick_level(unsigned long va, phys_addr_t pa, u64 left, int max_level)
{
	int l;

	for (l = max_level; l > 1; l--)
		if (IS_ALIGNED(va | pa, level_size(l)) && left >= level_size(l))
			return l;
	return 1;
}

/*
 * Map [@va, @va + @size) to @pa under @pml4 with leaf @flags, using pages
 * up to @max_level. Counts leaves per level in @count[0..2] when given.
 * Return: 0 or -ENOMEM (the part mapped so far stays).
 */
static int map_range(u64 *pml4, unsigned long va, phys_addr_t pa, u64 size, u64 flags,
		     int max_level, unsigned long *count)
{
	while (size) {
		int level = pick_level(va, pa, size, max_level);
		u64 *e = walk_create(pml4, va, level);

		if (!e)
			return -ENOMEM;
		ASSERT_MSG(!(*e & PTE_P), "va %#lx is mapped twice (entry %#lx)", va, *e);
		*e = pa | flags | PTE_P | (level > 1 ? PTE_PS : 0);
		if (count)
			count[level - 1]++;
		va += level_size(level);
		pa += level_size(level);
		size -= level_size(level);
	}
	return 0;
}

/* The kernel image: text RX, rodata R, data and bss RW (without the boot
 * stack's guard area: boot.S's dead tables), the symbol table R; all but
 * text NX. The boot
 * section (32-bit entry code, linked at its physical address) is not
 * needed any more and is left out. */
static int map_kernel_image(u64 *pml4)
{
	const struct {
		const char *start, *end;
		u64 flags;
	} parts[] = {
		{ _text, _rodata, 0 },
		{ _rodata, _data, PTE_NX },
		{ _data, boot_stack_guard, PTE_W | PTE_NX },
		{ boot_stack_bottom, _ebss, PTE_W | PTE_NX },
		{ _ebss, _kernel_end, PTE_NX },
	};
	size_t i;
	int err;

	BUG_ON(boot_stack_guard + PAGE_SIZE > boot_stack_bottom);
	for (i = 0; i < ARRAY_SIZE(parts); i++) {
		unsigned long s = (unsigned long)parts[i].start, e = (unsigned long)parts[i].end;

		ASSERT_MSG(IS_ALIGNED(s, PAGE_SIZE) && IS_ALIGNED(e, PAGE_SIZE) && s <= e,
			   "kernel image part %zu [%#lx, %#lx) is not page aligned", i, s, e);
		err = map_range(pml4, s, s - KERNEL_VMA, e - s, parts[i].flags, 2, NULL);
		if (err)
			return err;
	}
	return 0;
}

static int map_direct(u64 *pml4, const struct paging_range *ram, size_t n)
{
	unsigned long count[3] = { 0, 0, 0 };
	int max_level = cpu_features.gbpages ? 3 : 2;
	size_t i;
	int err;

	if (n > PAGING_MAX_DIRECT_RANGES)
		return -EINVAL;
	for (i = 0; i < n; i++) {
		const struct paging_range *r = &ram[i];

		if (!IS_ALIGNED(r->start | r->end, PAGE_SIZE) || r->start >= r->end ||
		    r->end > DIRECT_MAP_MAX || (i && r->start < ram[i - 1].end)) {
			pr_err("paging: bad direct-map range %zu [%#lx, %#lx)\n", i, r->start, r->end);
			return -EINVAL;
		}
		err = map_range(pml4, PHYS_OFFSET + r->start, r->start, r->end - r->start,
				PTE_W | PTE_NX, max_level, count);
		if (err)
			return err;
		paging_direct_stats.bytes += r->end - r->start;
	}
	paging_direct_stats.pages_4k = count[0];
	paging_direct_stats.pages_2m = count[1];
	paging_direct_stats.pages_1g = count[2];
	paging_direct_stats.nr_ranges = n;
	return 0;
}

/* Protection bits beyond what boot.S set: CR0.WP (supervisor writes honour
 * read-only pages), EFER.NXE, and SMEP/SMAP (no page is a user page, so any
 * user access from the kernel is a bug that should fault). */
static void enable_protection(void)
{
	u64 cr4 = read_cr4();

	write_cr0(read_cr0() | CR0_WP);
	wrmsr(MSR_EFER, rdmsr(MSR_EFER) | EFER_NXE);
	if (cpu_features.smep)
		cr4 |= CR4_SMEP;
	if (cpu_features.smap)
		cr4 |= CR4_SMAP;
	write_cr4(cr4);
}

int paging_init(const struct paging_range *ram, size_t n)
{
	phys_addr_t root = table_alloc();
	unsigned int io_slot = pt_index(IOREMAP_BASE, 4);
	unsigned long flags;
	u64 *pml4;
	int err;

	BUG_ON(final_tables);
	if (!root)
		return -ENOMEM;
	pml4 = phys_to_virt(root);
	memset(&paging_direct_stats, 0, sizeof(paging_direct_stats));
	err = map_direct(pml4, ram, n);
	if (!err)
		err = map_kernel_image(pml4);
	if (err)
		return err; /* the pages taken stay with the allocator's caller */

	flags = spin_lock_irqsave(&pt_lock);
	pml4[io_slot] = live_root()[io_slot];
	write_cr3(root);
	memcpy(direct_ranges, ram, n * sizeof(*ram));
	nr_direct_ranges = n;
	direct_map_size = n ? ram[n - 1].end : 0;
	final_tables = true;
	spin_unlock_irqrestore(&pt_lock, flags);
	enable_protection();
	pr_info("paging: direct map %lu MiB in %lu ranges (%lu x 1G, %lu x 2M, %lu x 4K pages), "
		"kernel text RX, rodata R, data RW+NX%s%s\n",
		paging_direct_stats.bytes >> 20, paging_direct_stats.nr_ranges,
		paging_direct_stats.pages_1g, paging_direct_stats.pages_2m,
		paging_direct_stats.pages_4k, cpu_features.smep ? ", SMEP" : "",
		cpu_features.smap ? ", SMAP" : "");
	return 0;
}

static bool in_vmap(unsigned long va) { return va >= VMAP_BASE && va - VMAP_BASE < VMAP_SIZE; }

int paging_map_page(unsigned long va, phys_addr_t pa, u64 flags)
{
	unsigned long irq;
	u64 *e;

	if (!in_vmap(va) || !IS_ALIGNED(va | pa, PAGE_SIZE) ||
	    (flags & ~(PTE_W | PTE_NX | PTE_PCD | PTE_PWT)))
		return -EINVAL;
	irq = spin_lock_irqsave(&pt_lock);
	e = walk_create(live_root(), va, 1);
	if (e) {
		bool was_present = *e & PTE_P;

		*e = pa | flags | PTE_P;
		if (was_present)
			invlpg(va);
	}
	spin_unlock_irqrestore(&pt_lock, irq);
	return e ? 0 : -ENOMEM;
}

void paging_unmap_page(unsigned long va)
{
	unsigned long irq = spin_lock_irqsave(&pt_lock);
	u64 *table = live_root();
	int l;

	for (l = 4; l > 1; l--) {
		u64 e = table[pt_index(va, l)];

		if (!(e & PTE_P))
			goto out;
		ASSERT_MSG(!(e & PTE_PS), "va %#lx lies in a large page", va);
		table = table_of(e);
	}
	table[pt_index(va, 1)] = 0;
	invlpg(va);
out:
	spin_unlock_irqrestore(&pt_lock, irq);
}

int paging_set_nonpresent(unsigned long va, u64 value)
{
	unsigned long irq;
	u64 *e;

	if (!in_vmap(va) || !IS_ALIGNED(va, PAGE_SIZE) || (value & PTE_P))
		return -EINVAL;
	irq = spin_lock_irqsave(&pt_lock);
	e = walk_create(live_root(), va, 1);
	if (e) {
		*e = value;
		invlpg(va);
	}
	spin_unlock_irqrestore(&pt_lock, irq);
	return e ? 0 : -ENOMEM;
}

bool paging_read_pte(unsigned long va, u64 *pte)
{
	u64 *table = live_root();
	int l;

	for (l = 4; l > 1; l--) {
		u64 e = table[pt_index(va, l)];

		if (!(e & PTE_P) || (e & PTE_PS))
			return false;
		table = table_of(e);
	}
	*pte = READ_ONCE(table[pt_index(va, 1)]);
	return true;
}

void *ioremap(phys_addr_t pa, size_t size)
{
	phys_addr_t start = ALIGN_DOWN(pa, PAGE_SIZE);
	size_t len = ALIGN_UP(pa + size, PAGE_SIZE) - start, off;
	unsigned long irq = spin_lock_irqsave(&pt_lock);
	unsigned long va = ioremap_next;
	void *ret = NULL;

	if (!size || pa + size < pa || pa + size > (1UL << 52) ||
	    va + len > IOREMAP_BASE + IOREMAP_SIZE) {
		pr_err("ioremap: cannot map %zu bytes at %#lx\n", size, pa);
		goto out;
	}
	for (off = 0; off < len; off += PAGE_SIZE) {
		u64 *pte = walk_create(live_root(), va + off, 1);

		if (!pte) {
			pr_err("ioremap: out of page-table pages\n");
			goto out;
		}
		*pte = (start + off) | PTE_P | PTE_W | PTE_PCD | PTE_PWT | PTE_NX;
		invlpg(va + off);
	}
	ioremap_next += len + PAGE_SIZE; /* an unmapped page between mappings */
	ret = (void *)(va + (pa - start));
out:
	spin_unlock_irqrestore(&pt_lock, irq);
	return ret;
}

void paging_drop_identity(void)
{
	BUG_ON(final_tables);
	boot_pml4[0] = 0;
	write_cr3(read_cr3());
}
