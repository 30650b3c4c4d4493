/*
 * Bring-up of kernel_mm, the kernel's one memory manager instance.
 *
 * Basic algorithm of mm_boot_init():
 *   copy the multiboot2 memory map; sanitize it (mm/physmem.c) into usable
 *     PFN ranges; drop what the direct map cannot reach; apply mem=;
 *   start the boot allocator over them, minus the low 1 MiB, the kernel
 *     image and the multiboot information (allocating below 4 GiB, which
 *     is what boot.S maps);
 *   build the final page tables (paging_init) over usable RAM plus what
 *     must stay reachable (low 1 MiB, kernel image, boot information, ACPI);
 *   allocate the zeroed mem_map from the boot allocator, retire it, and
 *     call mm_init() with every boot allocation reserved;
 *   from then on page-table pages come from the buddy (MEMDESC_PGTABLE,
 *     kernel/mm/pgtable.c) and the vmap area's go back when empty.
 *
 * The tables here are boot-time scratch, written once (kernel_mm and the
 * usable list stay valid afterwards; both are read-only after boot apart
 * from kernel_mm's own locking).
 */
#include "kernel/mm/mm_boot.h"
#include "arch/x86_64/acpi.h"
#include "arch/x86_64/paging.h"
#include "include/assert.h"
#include "include/errno.h"
#include "kernel/boot.h"
#include "kernel/cmdline.h"
#include "kernel/mm/pgtable.h"
#include "kernel/printk.h"
#include "lib/string.h"
#include "mm/bootmem.h"
#include "mm/physmem.h"
#include "mm/poison.h"

#define MAX_FW_ENTRIES 512
#define MAX_USABLE 128
#define NR_FIXED_RESERVED 3
#define LOW_MEMORY_END 0x100000UL

extern char _kernel_phys_start[], _kernel_phys_end[];

struct mm kernel_mm;

static struct physmem_entry fw_map[MAX_FW_ENTRIES];
static struct pfn_range usable[MAX_USABLE];
static size_t nr_usable;
/* Scratch for the direct-map ranges: usable + fixed + firmware ACPI/NVS +
 * ACPI tables. */
static struct pfn_range direct_scratch[MAX_USABLE + NR_FIXED_RESERVED + MAX_FW_ENTRIES +
				       ACPI_MAX_REGIONS];
static struct paging_range direct[PAGING_MAX_DIRECT_RANGES];
static struct pfn_range reserved[NR_FIXED_RESERVED + BOOTMEM_MAX_ALLOCS];
static struct bootmem bootmem;
static u64 mem_limit; /* mem=: most usable bytes to use; 0 = all */
static bool ready;

static int set_mem(const char *value)
{
	u64 bytes;

	if (!value || cmdline_parse_size(value, &bytes) || bytes < PAGE_SIZE)
		return -EINVAL;
	mem_limit = bytes;
	return 0;
}
CMDLINE_PARAM(mem, "mem", set_mem, "SIZE[K|M|G]: use at most this much usable RAM");

static bool poison;

static int set_poison(const char *value)
{
	if (!value || (strcmp(value, "0") && strcmp(value, "1")))
		return -EINVAL;
	poison = value[0] == '1';
	return 0;
}
CMDLINE_PARAM(mm_poison, "mm.poison", set_poison,
	      "0|1: poison free pages, check the poison on allocation (mm/poison.h)");

bool mm_ready(void) { return ready; }

const struct pfn_range *mm_boot_usable(size_t *n)
{
	*n = nr_usable;
	return usable;
}

static void warn_fixup(const char *msg, void *ctx)
{
	pr_notice("%s\n", msg);
}

/* Copy the boot loader's map into fw_map. Return: the number of entries. */
static size_t read_firmware_map(void)
{
	u32 i, n = boot_info.mmap_count;

	if (n > MAX_FW_ENTRIES)
		panic("mm_boot_init: %u memory map entries, more than the %d handled", n,
		      MAX_FW_ENTRIES);
	for (i = 0; i < n; i++) {
		struct mb2_mmap_entry entry = multiboot_mmap_entry(&boot_info, i);

		fw_map[i] = (struct physmem_entry){ entry.base, entry.length, entry.type };
		pr_debug("physmem: entry %u [%#lx, %#lx) %s\n", i, entry.base, entry.base + entry.length,
			 physmem_type_name(entry.type));
	}
	return n;
}

/* Sanitize the firmware map into usable[], then clip and limit it. */
static void find_usable(void)
{
	size_t nfw = read_firmware_map();
	int n = physmem_sanitize(fw_map, nfw, usable, MAX_USABLE, warn_fixup, NULL);
	unsigned long pages;

	if (n <= 0)
		panic("mm_boot_init: no usable RAM in the memory map (%d)", n);
	nr_usable = (size_t)n;
	pages = physmem_pages(usable, nr_usable);
	nr_usable = physmem_clip(usable, nr_usable, DIRECT_MAP_MAX >> PAGE_SHIFT);
	if (physmem_pages(usable, nr_usable) != pages)
		pr_warn("mm: RAM above %lu TiB cannot be direct-mapped; %lu MiB ignored\n",
			DIRECT_MAP_MAX >> 40, (pages - physmem_pages(usable, nr_usable)) >> 8);
	if (mem_limit) {
		pages = physmem_pages(usable, nr_usable);
		nr_usable = physmem_limit(usable, nr_usable, mem_limit >> PAGE_SHIFT);
		pr_info("mm: mem=%lu KiB: using %lu of %lu MiB of usable RAM\n", mem_limit >> 10,
			physmem_pages(usable, nr_usable) >> 8, pages >> 8);
	}
	if (!nr_usable)
		panic("mm_boot_init: mem= leaves no usable RAM");
}

/* What the boot allocator and the mm must never hand out. */
static void fixed_reserved(struct pfn_range *range)
{
	phys_addr_t kstart = (phys_addr_t)_kernel_phys_start, kend = (phys_addr_t)_kernel_phys_end;

	range[0] = (struct pfn_range){ 0, LOW_MEMORY_END >> PAGE_SHIFT };
	range[1] = (struct pfn_range){ kstart >> PAGE_SHIFT, ALIGN_UP(kend, PAGE_SIZE) >> PAGE_SHIFT };
	range[2] = (struct pfn_range){ boot_info_phys >> PAGE_SHIFT,
				   ALIGN_UP(boot_info_phys + boot_info.total_size, PAGE_SIZE) >>
					   PAGE_SHIFT };
}

static void add_bytes(size_t *n, u64 start, u64 end)
{
	end = MIN(end, (u64)DIRECT_MAP_MAX);
	if (start >= end)
		return;
	direct_scratch[(*n)++] = (struct pfn_range){ start >> PAGE_SHIFT,
						     ALIGN_UP(end, PAGE_SIZE) >> PAGE_SHIFT };
}

/* The physical ranges the final direct map covers: usable RAM, the fixed
 * reserved ranges, and ACPI (its map entries and the tables acpi_init read).
 * Return: the number of ranges in direct[]. */
static size_t direct_map_ranges(const struct pfn_range *fixed, size_t nfw)
{
	size_t n = 0, i;

	for (i = 0; i < nr_usable; i++)
		direct_scratch[n++] = usable[i];
	for (i = 0; i < NR_FIXED_RESERVED; i++)
		direct_scratch[n++] = fixed[i];
	for (i = 0; i < nfw; i++)
		if (fw_map[i].type == PHYSMEM_ACPI || fw_map[i].type == PHYSMEM_NVS)
			add_bytes(&n, fw_map[i].base, fw_map[i].base + fw_map[i].length);
	for (i = 0; i < acpi_info.nr_regions; i++)
		add_bytes(&n, acpi_info.regions[i].start, acpi_info.regions[i].end);
	n = physmem_normalize(direct_scratch, n);
	if (n > PAGING_MAX_DIRECT_RANGES)
		panic("mm_boot_init: %zu direct-map ranges, more than %d", n,
		      PAGING_MAX_DIRECT_RANGES);
	for (i = 0; i < n; i++)
		direct[i] = (struct paging_range){ direct_scratch[i].start << PAGE_SHIFT,
						   direct_scratch[i].end << PAGE_SHIFT };
	return n;
}

/* Page-table pages before the buddy exists: zeroed boot allocations. */
static phys_addr_t boot_table_alloc(void)
{
	unsigned long pfn;

	if (bootmem_alloc(&bootmem, 1, 1, &pfn))
		return 0;
	memset(mm_pfn_to_virt(pfn), 0, PAGE_SIZE);
	return (phys_addr_t)pfn << PAGE_SHIFT;
}

/* Boot tables are never freed (the vmap area has none yet). */
static const struct paging_table_ops boot_table_ops = { .alloc = boot_table_alloc };

/* Allocate the zeroed descriptor storage for [base, end). */
static void *alloc_storage(unsigned long base, unsigned long end, size_t *bytes)
{
	unsigned long pfn, pages;

	*bytes = mm_storage_bytes(base, end);
	pages = DIV_ROUND_UP(*bytes, PAGE_SIZE);
	if (bootmem_alloc(&bootmem, pages, 1, &pfn))
		panic("mm_boot_init: no room for %zu KiB of page descriptors", *bytes >> 10);
	memset(mm_pfn_to_virt(pfn), 0, pages << PAGE_SHIFT);
	return mm_pfn_to_virt(pfn);
}

void mm_boot_init(void)
{
	struct pfn_range *fixed = reserved;
	const struct pfn_range *allocated;
	struct mm_config cfg = { 0 }; /* no_data and any later field: off */
	size_t nfw, ndirect, nalloc, bytes;
	unsigned long pages;
	int err;

	BUG_ON(ready);
	find_usable();
	nfw = boot_info.mmap_count;
	fixed_reserved(fixed);
	err = bootmem_init(&bootmem, usable, nr_usable, fixed, NR_FIXED_RESERVED);
	BUG_ON(err);
	bootmem_set_limit(&bootmem, BOOT_DIRECT_MAP_SIZE >> PAGE_SHIFT);
	paging_set_table_ops(&boot_table_ops);
	ndirect = direct_map_ranges(fixed, nfw);
	err = paging_init(direct, ndirect);
	if (err)
		panic("mm_boot_init: cannot build the kernel page tables (%d)", err);
	bootmem_set_limit(&bootmem, usable[nr_usable - 1].end);

	cfg.storage = alloc_storage(usable[0].start, usable[nr_usable - 1].end, &bytes);
	bootmem_retire(&bootmem);
	allocated = bootmem_allocated(&bootmem, &nalloc);
	memcpy(reserved + NR_FIXED_RESERVED, allocated, nalloc * sizeof(*allocated));
	cfg.name = "kernel";
	cfg.usable = usable;
	cfg.nr_usable = nr_usable;
	cfg.reserved = reserved;
	cfg.nr_reserved = NR_FIXED_RESERVED + nalloc;
	cfg.poison = poison;
	err = mm_init(&kernel_mm, &cfg);
	if (err)
		panic("mm_boot_init: mm_init failed (%d)", err);
	paging_set_table_ops(&pgtable_buddy_ops);
	ready = true;

	pages = physmem_pages(usable, nr_usable);
	pr_info("mm: %lu MiB usable, %lu pages, struct page %zu B, mem_map %zu KiB\n",
		pages >> (20 - PAGE_SHIFT), pages, sizeof(struct page), DIV_ROUND_UP(bytes, 1024));
	if (kernel_mm.poison)
		pr_info("mm: poison on free: free pages hold %#x, checked on allocation\n",
			MM_POISON_BYTE);
	pr_debug("mm: %lu pages managed, %lu reserved (%lu boot-allocated)\n",
		 kernel_mm.nr_managed, kernel_mm.nr_reserved, bootmem.nr_pages_allocated);
}
