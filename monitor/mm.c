/*
 * Monitor commands over kernel_mm: meminfo (page-table pages included),
 * buddyinfo, pagetypeinfo, mmcheck (with the vmap page tables'), and
 * alloc/free for poking the allocator by hand. `free` only takes blocks that
 * `alloc` handed out (tracked here), so a typo cannot free a page some
 * subsystem owns. `touch` writes every free page once (so that the host
 * backs all of guest RAM) and gives it all back; `touch hold` keeps what it
 * wrote until `touch free`, so that a test can read the host's resident
 * memory while nothing is free (free page reporting cannot run under it).
 */
#include "include/errno.h"
#include "kernel/mm/mm_boot.h"
#include "kernel/mm/pgtable.h"
#include "kernel/mm/vrange.h"
#include "kernel/printk.h"
#include "kernel/time.h"
#include "lib/string.h"
#include "mm/stats.h"
#include "monitor/monitor.h"

#define MANUAL_MAX 64

static struct {
	unsigned long pfn;
	unsigned int order;
	bool used;
} manual[MANUAL_MAX];

static unsigned long kib(unsigned long pages) { return pages * (PAGE_SIZE / 1024); }

static int cmd_meminfo(int argc, char **argv)
{
	struct mm *mm = &kernel_mm;
	struct mm_free_info fi;
	struct vrange_info vi;
	u64 allocs = 0, fails = 0;
	unsigned int o;

	mm_free_info(mm, &fi);
	for (o = 0; o < NR_ORDERS; o++) {
		allocs += mm_nr_allocs(mm, o);
		fails += mm->stats.alloc_fail[o];
	}
	kprintf("MemSpan:      %10lu kB  (pfn %#lx-%#lx)\n", kib(mm->end_pfn - mm->base_pfn),
		mm->base_pfn, mm->end_pfn);
	kprintf("MemManaged:   %10lu kB\n", kib(mm->nr_managed));
	kprintf("MemReserved:  %10lu kB  (gaps, kernel, boot data, mem_map)\n",
		kib(mm->nr_reserved));
	kprintf("MemFree:      %10lu kB  (%lu pages, %lu in per-cpu caches)\n",
		kib(fi.free_pages), fi.free_pages, fi.pcp_pages);
	kprintf("MemUsed:      %10lu kB\n", kib(mm->nr_managed - fi.free_pages));
	kprintf("PageTables:   %10lu kB  (%lu pages in use, %lu of them vmap tables, freed when "
		"empty)\n", kib(pgtable_pages()), pgtable_pages(), paging_vmap_tables());
	vrange_get_info(&vi);
	kprintf("VmapRanges:   %lu live, %lu free ranges of %lu pages below %lu pages used\n",
		vi.live, vi.free_ranges, vi.free_pages, vi.used_pages);
	kprintf("Watermarks:   min %lu low %lu high %lu pages\n", mm->wmark[WMARK_MIN],
		mm->wmark[WMARK_LOW], mm->wmark[WMARK_HIGH]);
	kprintf("Allocations:  %lu ok, %lu failed, %lu fallbacks, %lu pageblocks stolen\n",
		(unsigned long)allocs, (unsigned long)fails, (unsigned long)mm->stats.fallback,
		(unsigned long)mm->stats.steal_block);
	kprintf("FragScore9:   %u%% of free memory in blocks below 2 MiB\n",
		mm_fragmentation_score(&fi, PAGEBLOCK_ORDER));
	kprintf("StructPage:   %zu B, mem_map %lu kB\n", sizeof(struct page),
		(unsigned long)(mm_storage_bytes(mm->base_pfn, mm->end_pfn) / 1024));
	return 0;
}
MONITOR_CMD("meminfo", 0, 0, "", "memory totals, watermarks, allocation counters", cmd_meminfo);

/* A header row "LABEL  0  1 ... 10" for per-order tables. */
static void print_order_header(const char *label)
{
	unsigned int o;

	kprintf("%-16s", label);
	for (o = 0; o < NR_ORDERS; o++)
		kprintf("%7u", o);
	kprintf("\n");
}

static int cmd_buddyinfo(int argc, char **argv)
{
	struct mm_free_info fi;
	unsigned int o, mt;

	mm_free_info(&kernel_mm, &fi);
	print_order_header("order:");
	kprintf("zone %-11s", kernel_mm.name);
	for (o = 0; o < NR_ORDERS; o++) {
		unsigned long n = 0;

		for (mt = 0; mt < MIGRATE_TYPES; mt++)
			n += fi.blocks[o][mt];
		kprintf("%7lu", n);
	}
	kprintf("\n(free blocks per order; plus %lu pages in per-cpu caches)\n", fi.pcp_pages);
	return 0;
}
MONITOR_CMD("buddyinfo", 0, 0, "", "free blocks per order", cmd_buddyinfo);

static int cmd_pagetypeinfo(int argc, char **argv)
{
	struct mm_free_info fi;
	unsigned int o, mt;

	mm_free_info(&kernel_mm, &fi);
	kprintf("free blocks per order and migratetype:\n");
	print_order_header("type");
	for (mt = 0; mt < MIGRATE_TYPES; mt++) {
		kprintf("%-16s", migratetype_name((enum migratetype)mt));
		for (o = 0; o < NR_ORDERS; o++)
			kprintf("%7lu", fi.blocks[o][mt]);
		kprintf("\n");
	}
	kprintf("pageblocks (2 MiB):");
	for (mt = 0; mt < MIGRATE_TYPES; mt++)
		kprintf(" %s %lu", migratetype_name((enum migratetype)mt), fi.pageblocks[mt]);
	kprintf("\nfragmentation index (thousandths; -1000 = a block is free):");
	for (o = 0; o < NR_ORDERS; o++)
		kprintf(" %d", mm_fragmentation_index(&fi, o));
	kprintf("\n");
	return 0;
}
MONITOR_CMD("pagetypeinfo", 0, 0, "", "free blocks per migratetype, pageblock types, fragmentation",
	    cmd_pagetypeinfo);

static int cmd_alloc(int argc, char **argv)
{
	unsigned long order;
	gfp_t gfp = GFP_NOWARN;
	struct page *page;
	size_t i;

	if (kstrtoul(argv[1], 0, &order))
		return -EINVAL;
	if (argc == 3) {
		if (strcmp(argv[2], "movable"))
			return -EINVAL;
		gfp |= GFP_MOVABLE;
	}
	if (order > MAX_ORDER) {
		kprintf("error: order %lu is larger than MAX_ORDER %u\n", order, MAX_ORDER);
		return -ERANGE;
	}
	for (i = 0; i < MANUAL_MAX && manual[i].used; i++)
		;
	if (i == MANUAL_MAX) {
		kprintf("error: %d blocks already held; free some first\n", MANUAL_MAX);
		return -ENOSPC;
	}
	page = mm_alloc_pages(&kernel_mm, (unsigned int)order, gfp);
	if (!page) {
		kprintf("error: no free order-%lu block\n", order);
		return -ENOMEM;
	}
	manual[i].pfn = mm_page_to_pfn(&kernel_mm, page);
	manual[i].order = (unsigned int)order;
	manual[i].used = true;
	kprintf("allocated pfn %#lx order %lu (%s)\n", manual[i].pfn, order,
		gfp & GFP_MOVABLE ? "movable" : "unmovable");
	return 0;
}
MONITOR_CMD("alloc", 1, 2, "ORDER [movable]", "allocate a block (kept until `free PFN`)", cmd_alloc);

static int cmd_free(int argc, char **argv)
{
	unsigned long pfn;
	size_t i;

	if (kstrtoul(argv[1], 0, &pfn))
		return -EINVAL;
	for (i = 0; i < MANUAL_MAX; i++) {
		if (manual[i].used && manual[i].pfn == pfn) {
			mm_free_pages(&kernel_mm, mm_pfn_to_page(&kernel_mm, pfn), manual[i].order);
			manual[i].used = false;
			kprintf("freed pfn %#lx order %u\n", pfn, manual[i].order);
			return 0;
		}
	}
	kprintf("error: pfn %#lx was not allocated with `alloc`\n", pfn);
	return -ENOENT;
}
MONITOR_CMD("free", 1, 1, "PFN", "free a block taken with `alloc`", cmd_free);

static int cmd_mmcheck(int argc, char **argv)
{
	unsigned int v, pv;

	v = mm_check(&kernel_mm);
	kprintf("mm_check: %u violations\n", v);
	pv = paging_vmap_check() + vrange_check();
	kprintf("vmap_check: %u violations (%lu page tables)\n", pv, paging_vmap_tables());
	return v || pv ? -EIO : 0;
}
MONITOR_CMD("mmcheck", 0, 0, "", "verify every page-allocator and vmap page-table invariant",
	    cmd_mmcheck);

/* A block `touch` holds, chained through the block's own first bytes. */
struct touched {
	struct touched *next;
	struct page *page;
	unsigned int order;
};

/* Take up to @n blocks of @order with @gfp, zero each whole block and push
 * it on @list. Return: the pages taken (fewer when the allocator says no). */
static unsigned long touch_take(unsigned int order, gfp_t gfp, unsigned long n,
				struct touched **list)
{
	unsigned long got = 0;

	while (got < n) {
		struct page *page = mm_alloc_pages(&kernel_mm, order, gfp);
		struct touched *touched;

		if (!page)
			break;
		touched = mm_page_address(&kernel_mm, page);
		memset(touched, 0, PAGE_SIZE << order);
		touched->next = *list;
		touched->page = page;
		touched->order = order;
		*list = touched;
		got++;
	}
	return got << order;
}

/*
 * Largest blocks first, and each order only from the migratetype whose free
 * list holds it (counted by mm_free_info() once the larger blocks are gone),
 * so that no allocation falls back and steals a pageblock: the pageblock
 * types are as before once everything is freed. A last order-0 sweep takes
 * what a per-cpu refill left behind. The pages under the min
 * watermark stay untouched (no GFP_ATOMIC: nothing else runs meanwhile, but
 * an interrupt may still need them).
 */
static struct touched *touch_held; /* `touch hold` blocks; monitor thread only */

/* Write every free page down to the min watermark; Return: the pages taken. */
static unsigned long touch_take_all(struct touched **list)
{
	static const gfp_t gfp[MIGRATE_PCPTYPES] = {
		/* NORETRY: the last failing attempts must not deflate the balloon */
		[MIGRATE_UNMOVABLE] = GFP_NOWARN | GFP_NORETRY,
		[MIGRATE_MOVABLE] = GFP_NOWARN | GFP_MOVABLE | GFP_NORETRY,
	};
	struct mm_free_info fi;
	unsigned long pages = 0;
	unsigned int mt;
	int o;

	mm_drain_pcp(&kernel_mm);
	for (o = MAX_ORDER; o >= 0; o--) {
		mm_free_info(&kernel_mm, &fi);
		for (mt = 0; mt < MIGRATE_PCPTYPES; mt++)
			pages += touch_take((unsigned int)o, gfp[mt], fi.blocks[o][mt], list);
	}
	for (mt = 0; mt < MIGRATE_PCPTYPES; mt++)
		pages += touch_take(0, gfp[mt], ~0UL, list);
	return pages;
}

/* Free every block on @list; Return: the pages freed. */
static unsigned long touch_release(struct touched *list)
{
	unsigned long pages = 0;

	while (list) {
		struct touched *touched = list;

		list = touched->next;
		pages += 1UL << touched->order;
		mm_free_pages(&kernel_mm, touched->page, touched->order);
	}
	return pages;
}

static int cmd_touch(int argc, char **argv)
{
	bool hold = argc == 2 && !strcmp(argv[1], "hold");
	struct touched *list = NULL;
	unsigned long pages, left;
	u64 start;

	if (argc == 2 && !strcmp(argv[1], "free")) {
		if (!touch_held) {
			kprintf("error: nothing held (touch hold first)\n");
			return -ENOENT;
		}
		pages = touch_release(touch_held);
		touch_held = NULL;
		kprintf("freed %lu held pages\n", pages);
		return 0;
	}
	if (argc == 2 && !hold)
		return -EINVAL;
	if (touch_held) {
		kprintf("error: pages are held already (touch free first)\n");
		return -EBUSY;
	}
	start = time_ns();
	pages = touch_take_all(&list);
	left = mm_nr_free_pages(&kernel_mm);
	if (hold)
		touch_held = list;
	else
		touch_release(list);
	kprintf("touched %lu pages in %lu ms%s\n", pages,
		(unsigned long)((time_ns() - start) / 1000000), hold ? ", held" : "");
	kprintf("untouched: %lu free pages (the min watermark is %lu)\n", left,
		kernel_mm.wmark[WMARK_MIN]);
	return 0;
}
MONITOR_CMD("touch", 0, 1, "[hold|free]",
	    "write every free page once (the host backs it), then free it all; hold keeps it until touch free",
	    cmd_touch);
