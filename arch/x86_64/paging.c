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
 * The vmap area's tables (levels 3..1, below the root) are counted and
 * freed: each table's live count (kept by the table ops, in the table
 * page's struct page) is its number of nonzero entries: present mappings,
 * non-present entries from paging_set_nonpresent() (migration entries:
 * a page mid-move keeps its table) and links to lower tables. Clearing the
 * last live entry of a table frees it and clears the link to it, which may
 * free its parent in turn (vmap_prune_locked); a walk that created tables
 * and then failed prunes them the same way. So: a vmap table exists iff it
 * has a live entry, and paging_vmap_tables() counts them
 * (paging_vmap_check() proves both). Tables outside the vmap area (direct
 * map, kernel image, ioremap) and the root are never freed.
 *
 * Locking: pt_lock (interrupts off) covers every change to the live tables
 * after boot (vmap mappings, ioremap) and every walk of the vmap area's
 * tables (paging_lookup, paging_read_pte take it for a vmap address), so a
 * walk on one CPU never reads a table another CPU is unlinking. Walks of
 * the tables that are never freed (direct map, kernel image, ioremap) take
 * no lock: entries are written whole. During a panic no walk takes the
 * lock (a stopped CPU may hold it; the backtrace walks).
 *
 * TLB shootdown: a change that can leave a stale translation anywhere (a
 * present vmap entry cleared, replaced by a migration entry or by another
 * mapping, or a table unlinked: the paging-structure caches may hold the
 * link) is flushed on this CPU at once (INVLPG, which also drops every
 * paging-structure cache entry) and collected in a struct shootdown with
 * the unlinked table pages. After pt_lock is dropped, shootdown_finish()
 * flushes the range on every other online CPU by a waiting cross-call
 * (smp_call.h: the wait serves this CPU's own calls, so it works with
 * interrupts off, as when the scheduler frees a dead thread's stack) and
 * only then gives the tables back to the allocator (under pt_lock again).
 * The cross-call is never made with pt_lock held: a CPU spinning on it
 * with interrupts off could not run the flush. Every unmapping function
 * returns after every CPU has flushed.
  */
#include "arch/x86_64/paging.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/smp.h"
#include "arch/x86_64/smp_call.h"
#include "include/assert.h"
#include "include/compiler.h"
#include "include/errno.h"
#include "kernel/panic.h"
#include "kernel/printk.h"
#include "kernel/spinlock.h"
#include "lib/string.h"
#include "mm/trace.h"

#define PT_POOL_PAGES 16
/* Tables one shootdown carries to their free (an unmap frees at most 3). */
#define SHOOTDOWN_MAX_TABLES 16
/* A flush of more pages than this reloads CR3 instead of INVLPG per page. */
#define SHOOTDOWN_INVLPG_MAX 32

extern u64 boot_pml4[512];
extern char _text[], _rodata[], _data[], _ebss[], _kernel_end[];
extern char boot_stack_guard[], boot_stack_bottom[];

u64 direct_map_size = BOOT_DIRECT_MAP_SIZE;
struct paging_direct_stats paging_direct_stats;

static u64 pt_pool[PT_POOL_PAGES][512] __aligned(4096);
static unsigned int pt_pool_used;
static const struct paging_table_ops *table_ops;
static unsigned long nr_vmap_tables;
static struct spinlock pt_lock = SPINLOCK_INIT("pgtable");
static unsigned long ioremap_next = IOREMAP_BASE;
static struct paging_range direct_ranges[PAGING_MAX_DIRECT_RANGES];
static size_t nr_direct_ranges;
static bool final_tables;
static bool remote_shootdown = true; /* test-only switch: paging_test_remote_shootdown() */
static u64 shootdowns_received[SMP_MAX_CPUS]; /* (S) by cpu index, each CPU its own */

static u64 *table_of(u64 entry) { return phys_to_virt(entry & PTE_ADDR_MASK); }

static unsigned int pt_index(unsigned long va, int level)
{
	return (va >> (12 + 9 * (level - 1))) & 511;
}

static u64 level_size(int level) { return 1UL << (12 + 9 * (level - 1)); }

static u64 *live_root(void) { return phys_to_virt(read_cr3() & PTE_ADDR_MASK); }

static bool in_vmap(unsigned long va) { return va >= VMAP_BASE && va - VMAP_BASE < VMAP_SIZE; }

/* Walks of vmap addresses run under pt_lock but during a panic. Return:
 * the flags to give walk_unlock(). */
static unsigned long walk_lock(unsigned long va, bool *locked)
{
	*locked = in_vmap(va) && !panic_in_progress();
	return *locked ? spin_lock_irqsave(&pt_lock) : 0;
}

static void walk_unlock(bool locked, unsigned long flags)
{
	if (locked)
		spin_unlock_irqrestore(&pt_lock, flags);
}

static bool lookup_walk(unsigned long va, u64 *pte, int *level)
{
	u64 *table = live_root();
	int l;

	for (l = 4; l >= 1; l--) {
		u64 e = READ_ONCE(table[pt_index(va, l)]);

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

bool paging_lookup(unsigned long va, u64 *pte, int *level)
{
	bool locked, found;
	unsigned long flags = walk_lock(va, &locked);

	found = lookup_walk(va, pte, level);
	walk_unlock(locked, flags);
	return found;
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

void paging_set_table_ops(const struct paging_table_ops *ops)
{
	ASSERT_MSG(!ops->free == !ops->live && !ops->live == !ops->set_live,
		   "free, live and set_live go together");
	table_ops = ops;
}

unsigned long paging_vmap_tables(void) { return READ_ONCE(nr_vmap_tables); }

/* A zeroed page-table page: its physical address, or 0 when none is left. */
static phys_addr_t table_alloc(void)
{
	u64 *page;

	if (table_ops)
		return table_ops->alloc();
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
		const struct paging_range *range = &ram[i];

		if (!IS_ALIGNED(range->start | range->end, PAGE_SIZE) || range->start >= range->end ||
		    range->end > DIRECT_MAP_MAX || (i && range->start < ram[i - 1].end)) {
			pr_err("paging: bad direct-map range %zu [%#lx, %#lx)\n", i, range->start, range->end);
			return -EINVAL;
		}
		err = map_range(pml4, PHYS_OFFSET + range->start, range->start, range->end - range->start,
				PTE_W | PTE_NX, max_level, count);
		if (err)
			return err;
		paging_direct_stats.bytes += range->end - range->start;
	}
	paging_direct_stats.pages_4k = count[0];
	paging_direct_stats.pages_2m = count[1];
	paging_direct_stats.pages_1g = count[2];
	paging_direct_stats.nr_ranges = n;
	return 0;
}

/* Protection bits beyond what boot.S set: CR0.WP (supervisor writes honour
 * read-only pages), EFER.NXE, and SMEP/SMAP (no page is a user page, so any
 * user access from the kernel is a bug that should fault); and the memory
 * types the PTE bits select (PAGING_PAT), written rather than trusted to
 * the firmware, so that every CPU maps PCD|PWT the same way. */
static void enable_protection(void)
{
	u64 cr4 = read_cr4();

	if (cpu_features.pat) {
		wrmsr(MSR_PAT, PAGING_PAT);
		write_cr3(read_cr3()); /* no translation keeps a type from before */
	}
	write_cr0(read_cr0() | CR0_WP);
	wrmsr(MSR_EFER, rdmsr(MSR_EFER) | EFER_NXE);
	if (cpu_features.smep)
		cr4 |= CR4_SMEP;
	if (cpu_features.smap)
		cr4 |= CR4_SMAP;
	write_cr4(cr4);
}

static phys_addr_t kernel_root; /* the final tables' root, set once */

phys_addr_t paging_kernel_root(void) { return kernel_root; }

void paging_enable_this_cpu(void)
{
	BUG_ON(!kernel_root);
	write_cr3(kernel_root);
	enable_protection();
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
	kernel_root = root;
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

/*
 * What one change of the tables must flush everywhere before it returns:
 * the translations of [start, end) (start == end: none), and the table
 * pages unlinked meanwhile, freed only after the flush.
 */
struct shootdown {
	unsigned long start, end;
	phys_addr_t tables[SHOOTDOWN_MAX_TABLES];
	unsigned int nr_tables;
};

static void shootdown_init(struct shootdown *sd)
{
	sd->start = sd->end = 0;
	sd->nr_tables = 0;
}

static void assert_pt_locked(void) { ASSERT_MSG(spin_held(&pt_lock), "pt_lock not held"); }

/* Flush @va here now and add it to @sd's range. */
static void shootdown_add_locked(struct shootdown *sd, unsigned long va)
{
	assert_pt_locked();
	invlpg(va);
	if (sd->start == sd->end) {
		sd->start = va;
		sd->end = va + PAGE_SIZE;
	} else {
		sd->start = MIN(sd->start, va);
		sd->end = MAX(sd->end, va + PAGE_SIZE);
	}
}

/* The table at @pa is unlinked: free it once every CPU flushed. */
static void shootdown_add_table_locked(struct shootdown *sd, unsigned long va, phys_addr_t pa)
{
	ASSERT_MSG(sd->nr_tables < SHOOTDOWN_MAX_TABLES, "va %#lx: too many tables to free", va);
	shootdown_add_locked(sd, va);
	sd->tables[sd->nr_tables++] = pa;
}

static void flush_local(unsigned long start, unsigned long end)
{
	unsigned long va;

	if ((end - start) / PAGE_SIZE > SHOOTDOWN_INVLPG_MAX) {
		write_cr3(read_cr3()); /* no kernel mapping is global (PTE_G) */
		return;
	}
	for (va = start; va < end; va += PAGE_SIZE)
		invlpg(va);
}

/* The cross-call: one remote CPU's half of a shootdown. */
static void flush_remote(void *arg)
{
	const struct shootdown *sd = arg;

	flush_local(sd->start, sd->end);
	shootdowns_received[this_cpu()->index]++;
}

/*
 * Finish @sd after pt_lock was dropped: flush its range on every other
 * online CPU (this one flushed as it went), then free its tables.
 */
static void shootdown_finish(struct shootdown *sd)
{
	unsigned long irq;
	unsigned int i;

	if (sd->start == sd->end)
		return;
	trace_event(TRACE_SHOOTDOWN, sd->start, (sd->end - sd->start) >> PAGE_SHIFT);
	if (smp_nr_online() > 1 && READ_ONCE(remote_shootdown))
		smp_call(SMP_CALL_OTHERS, flush_remote, sd, true);
	if (!sd->nr_tables)
		return;
	irq = spin_lock_irqsave(&pt_lock);
	for (i = 0; i < sd->nr_tables; i++)
		table_ops->free(sd->tables[i]);
	spin_unlock_irqrestore(&pt_lock, irq);
}

void paging_flush_tlb_range(unsigned long va, unsigned long nr_pages)
{
	struct shootdown sd = { .start = va, .end = va + nr_pages * PAGE_SIZE, .nr_tables = 0 };

	flush_local(sd.start, sd.end);
	shootdown_finish(&sd);
}

void paging_test_remote_shootdown(bool on) { WRITE_ONCE(remote_shootdown, on); }

u64 paging_shootdowns_received(unsigned int cpu)
{
	return cpu < SMP_MAX_CPUS ? READ_ONCE(shootdowns_received[cpu]) : 0;
}

/*
 * The vmap area's counted tables. A vmap_path holds the tables a walk went
 * through: table[l] is the level-l table covering the address (table[4] is
 * the root), NULL below where the walk stopped.
 */
struct vmap_path {
	u64 *table[5];
};

/* Is the level-@level table of a vmap address counted? All but the root. */
static bool level_counted(int level) { return level < 4; }

/* Store @value in the entry for @va of @path's level-@level table, keeping
 * that table's live count (a zero entry is dead, any other live). */
static void vmap_entry_write_locked(struct vmap_path *path, unsigned long va, int level,
				    u64 value)
{
	u64 *table = path->table[level];
	u64 *e = &table[pt_index(va, level)];

	assert_pt_locked();
	if (level_counted(level) && !*e != !value) {
		phys_addr_t pa = virt_to_phys(table);
		unsigned long n = table_ops->live(pa);

		ASSERT_MSG(value || n, "va %#lx: level %d table %#lx has no live entry to clear",
			   va, level, pa);
		table_ops->set_live(pa, value ? n + 1 : n - 1);
	}
	WRITE_ONCE(*e, value);
}

/* A fresh zeroed table for the level-@level entry of @va, linked in.
 * Return: false when no page is left. */
static bool vmap_table_add_locked(struct vmap_path *path, unsigned long va, int level)
{
	phys_addr_t pa;

	assert_pt_locked();
	pa = table_alloc();
	if (!pa)
		return false;
	table_ops->set_live(pa, 0);
	nr_vmap_tables++;
	vmap_entry_write_locked(path, va, level, pa | PTE_P | PTE_W);
	path->table[level - 1] = phys_to_virt(pa);
	return true;
}

/*
 * Unlink the tables of @path that have no live entry, from level 1 up
 * (never the root): clear the parent's link, flush here, and leave the
 * page to @sd, which frees it after every CPU flushed.
 */
static void vmap_prune_locked(struct vmap_path *path, unsigned long va, struct shootdown *sd)
{
	int l;

	assert_pt_locked();
	for (l = 1; l < 4; l++) {
		u64 *table = path->table[l];
		phys_addr_t pa;

		if (!table)
			continue;
		pa = virt_to_phys(table);
		if (table_ops->live(pa))
			return;
		vmap_entry_write_locked(path, va, l + 1, 0);
		path->table[l] = NULL;
		nr_vmap_tables--;
		shootdown_add_table_locked(sd, va, pa);
	}
}

/*
 * Walk to the 4 KiB entry of vmap address @va, filling @path; with @create,
 * missing tables are made (and pruned again into @sd when one cannot be).
 * Return: the entry, or NULL (no table there, or none could be made).
 */
static u64 *vmap_walk_locked(struct vmap_path *path, unsigned long va, bool create,
			     struct shootdown *sd)
{
	int l;

	assert_pt_locked();
	ASSERT_MSG(table_ops && table_ops->free, "va %#lx: vmap mapping before the table ops",
		   va);
	memset(path, 0, sizeof(*path));
	path->table[4] = live_root();
	for (l = 4; l > 1; l--) {
		u64 e = path->table[l][pt_index(va, l)];

		if (!(e & PTE_P)) {
			if (!create)
				return NULL;
			if (!vmap_table_add_locked(path, va, l)) {
				vmap_prune_locked(path, va, sd);
				return NULL;
			}
			continue;
		}
		ASSERT_MSG(!(e & PTE_PS), "va %#lx lies in a large page", va);
		path->table[l - 1] = table_of(e);
	}
	return &path->table[1][pt_index(va, 1)];
}

/* Set the 4 KiB entry of @va to @value (nonzero), making its tables. A
 * present entry it replaces is flushed here, and on every other CPU too
 * when @others (else the caller does it; tables freed after a failed
 * allocation are still flushed everywhere first). Return: 0 or -ENOMEM. */
static int vmap_set_entry(unsigned long va, u64 value, bool others)
{
	unsigned long irq = spin_lock_irqsave(&pt_lock);
	struct shootdown sd;
	struct vmap_path path;
	u64 *e;

	shootdown_init(&sd);
	e = vmap_walk_locked(&path, va, true, &sd);
	if (e) {
		bool was_present = *e & PTE_P;

		vmap_entry_write_locked(&path, va, 1, value);
		if (was_present)
			shootdown_add_locked(&sd, va);
	}
	spin_unlock_irqrestore(&pt_lock, irq);
	if (others || sd.nr_tables)
		shootdown_finish(&sd);
	return e ? 0 : -ENOMEM;
}

int paging_map_page(unsigned long va, phys_addr_t pa, u64 flags)
{
	if (!in_vmap(va) || !IS_ALIGNED(va | pa, PAGE_SIZE) ||
	    (flags & ~(PTE_W | PTE_NX | PTE_PCD | PTE_PWT)))
		return -EINVAL;
	return vmap_set_entry(va, pa | flags | PTE_P, true);
}

/* Clear @va's 4 KiB entry (if any) into @sd, pruning emptied tables. */
static void vmap_clear_locked(unsigned long va, struct shootdown *sd)
{
	struct vmap_path path;
	u64 *e = vmap_walk_locked(&path, va, false, sd);

	if (!e || !*e)
		return;
	vmap_entry_write_locked(&path, va, 1, 0);
	shootdown_add_locked(sd, va);
	vmap_prune_locked(&path, va, sd);
}

void paging_unmap_range(unsigned long va, unsigned long nr_pages)
{
	unsigned long end = va + nr_pages * PAGE_SIZE;

	ASSERT_MSG(in_vmap(va) && IS_ALIGNED(va, PAGE_SIZE) && nr_pages <= VMAP_SIZE / PAGE_SIZE &&
		   in_vmap(end - 1), "va %#lx, %lu pages", va, nr_pages);
	while (va < end) {
		unsigned long irq = spin_lock_irqsave(&pt_lock);
		struct shootdown sd;

		shootdown_init(&sd);
		/* Room for the 3 tables one page can free, or finish first. */
		for (; va < end && sd.nr_tables + 3 <= SHOOTDOWN_MAX_TABLES; va += PAGE_SIZE)
			vmap_clear_locked(va, &sd);
		spin_unlock_irqrestore(&pt_lock, irq);
		shootdown_finish(&sd);
	}
}

void paging_unmap_page(unsigned long va) { paging_unmap_range(va, 1); }

int paging_set_nonpresent(unsigned long va, u64 value)
{
	if (!in_vmap(va) || !IS_ALIGNED(va, PAGE_SIZE) || (value & PTE_P) || !value)
		return -EINVAL;
	return vmap_set_entry(va, value, true);
}

int paging_set_nonpresent_here(unsigned long va, u64 value)
{
	if (!in_vmap(va) || !IS_ALIGNED(va, PAGE_SIZE) || (value & PTE_P) || !value)
		return -EINVAL;
	return vmap_set_entry(va, value, false);
}

/* Check the level-@level table @table (vmap, counted) and those below it.
 * Return: violations found; *@tables counts the tables seen. */
static unsigned int vmap_check_table(u64 *table, int level, unsigned long *tables)
{
	phys_addr_t pa = virt_to_phys(table);
	unsigned long live = 0, n = table_ops->live(pa);
	unsigned int bad = 0, i;

	(*tables)++;
	for (i = 0; i < 512; i++) {
		u64 e = READ_ONCE(table[i]);

		if (!e)
			continue;
		live++;
		if (level == 1)
			continue;
		if ((e & (PTE_P | PTE_PS)) != PTE_P) {
			pr_err("paging: vmap level %d table %#lx entry %u: %#lx is no table link\n",
			       level, pa, i, e);
			bad++;
			continue;
		}
		bad += vmap_check_table(table_of(e), level - 1, tables);
	}
	if (live != n || !live) {
		pr_err("paging: vmap level %d table %#lx: live count %lu, %lu live entries\n",
		       level, pa, n, live);
		bad++;
	}
	return bad;
}

unsigned int paging_vmap_check(void)
{
	unsigned long irq = spin_lock_irqsave(&pt_lock), tables = 0;
	u64 *root = live_root();
	unsigned int bad = 0, i;

	for (i = pt_index(VMAP_BASE, 4); i <= pt_index(VMAP_BASE + VMAP_SIZE - 1, 4); i++)
		if (root[i] & PTE_P)
			bad += vmap_check_table(table_of(root[i]), 3, &tables);
	if (tables != nr_vmap_tables) {
		pr_err("paging: %lu vmap tables found, %lu counted\n", tables, nr_vmap_tables);
		bad++;
	}
	spin_unlock_irqrestore(&pt_lock, irq);
	return bad;
}

bool paging_read_pte(unsigned long va, u64 *pte)
{
	bool locked, found = false;
	unsigned long flags = walk_lock(va, &locked);
	u64 *table = live_root();
	int l;

	for (l = 4; l > 1; l--) {
		u64 e = READ_ONCE(table[pt_index(va, l)]);

		if (!(e & PTE_P) || (e & PTE_PS))
			goto out;
		table = table_of(e);
	}
	*pte = READ_ONCE(table[pt_index(va, 1)]);
	found = true;
out:
	walk_unlock(locked, flags);
	return found;
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
