/*
 * KTAP tests of the live kernel page tables (kernel only): they walk the
 * tables the CPU uses and prove W^X on the kernel image, an NX direct map
 * over all usable RAM with large pages, no identity map, unmapped guard
 * pages under the boot stack and thread stacks, and the vmap/ioremap
 * services. Permissions are the effective ones (W and-ed, NX or-ed down
 * the walk).
 */
#include "arch/x86_64/acpi.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/paging.h"
#include "include/errno.h"
#include "kernel/mm/mm_boot.h"
#include "kernel/sched.h"
#include "lib/ktest.h"
#include "mm/physmem.h"

extern char _text[], _etext[], _rodata[], _data[], _ebss[], _kernel_end[];
extern char boot_stack_guard[], boot_stack_bottom[], boot_stack_top[];

struct walk {
	bool present;
	int level;    /* 1 = 4 KiB, 2 = 2 MiB, 3 = 1 GiB */
	u64 pa;       /* of @va itself */
	bool write;
	bool nx;
	u64 leaf;
};

static u64 *table_at(u64 entry) { return phys_to_virt(entry & PTE_ADDR_MASK); }

static struct walk walk_va(unsigned long va)
{
	u64 *table = phys_to_virt(read_cr3() & PTE_ADDR_MASK);
	struct walk walk = { .write = true };
	int l;

	for (l = 4; l >= 1; l--) {
		u64 e = table[(va >> (12 + 9 * (l - 1))) & 511];

		if (!(e & PTE_P))
			return (struct walk){ .present = false };
		walk.write &= !!(e & PTE_W);
		walk.nx |= !!(e & PTE_NX);
		if (l == 1 || (e & PTE_PS)) {
			u64 size = 1UL << (12 + 9 * (l - 1));

			walk.present = true;
			walk.level = l;
			walk.leaf = e;
			walk.pa = (e & PTE_ADDR_MASK & ~(size - 1)) + (va & (size - 1));
			return walk;
		}
		table = table_at(e);
	}
	return (struct walk){ .present = false };
}

/* Check every page of [start, end) in the kernel image: mapped to its load
 * address with @write / @nx. Return: the number of bad pages. */
static unsigned long check_image(struct ktest *test, const char *what, unsigned long start,
				 unsigned long end, bool write, bool nx)
{
	unsigned long va, bad = 0;

	for (va = start; va < end; va += PAGE_SIZE) {
		struct walk walk = walk_va(va);

		if (walk.present && walk.write == write && walk.nx == nx && walk.pa == va - KERNEL_VMA)
			continue;
		if (!bad++)
			ktest_diag(test, "%s: page %#lx present=%d write=%d nx=%d pa=%#lx", what, va,
				   walk.present, walk.write, walk.nx, walk.pa);
	}
	return bad;
}

/* Kernel text is read-only and executable. */
static void paging_text_is_rx(struct ktest *test)
{
	KTEST_EXPECT_EQ(test, check_image(test, "text", (unsigned long)_text, (unsigned long)_rodata,
				       false, false), 0);
	KTEST_EXPECT_LE(test, (unsigned long)_etext, (unsigned long)_rodata);
}

/* rodata (and the symbol table) are read-only and not executable. */
static void paging_rodata_is_readonly_nx(struct ktest *test)
{
	KTEST_EXPECT_EQ(test, check_image(test, "rodata", (unsigned long)_rodata, (unsigned long)_data,
				       false, true), 0);
	KTEST_EXPECT_EQ(test, check_image(test, "ksymtab", (unsigned long)_ebss,
				       (unsigned long)_kernel_end, false, true), 0);
}

/* data and bss are writable and not executable; the boot stack's guard
 * area (boot.S's dead tables and a spare page) is the one gap. */
static void paging_data_bss_are_rw_nx(struct ktest *test)
{
	unsigned long va, gaps = 0;

	KTEST_EXPECT_EQ(test, check_image(test, "data", (unsigned long)_data,
				       (unsigned long)boot_stack_guard, true, true), 0);
	KTEST_EXPECT_EQ(test, check_image(test, "bss", (unsigned long)boot_stack_bottom,
				       (unsigned long)_ebss, true, true), 0);
	for (va = (unsigned long)boot_stack_guard; va < (unsigned long)boot_stack_bottom;
	     va += PAGE_SIZE)
		gaps += !walk_va(va).present;
	KTEST_EXPECT_EQ(test, gaps, ((unsigned long)boot_stack_bottom -
				   (unsigned long)boot_stack_guard) / PAGE_SIZE);
	KTEST_EXPECT_GE(test, gaps, 1);
	KTEST_EXPECT_TRUE(test, walk_va((unsigned long)boot_stack_top - 8).present);
}

/* Walk the whole upper half: no leaf is both writable and executable, and
 * nothing at all is mapped in the lower half (the identity map is gone). */
static void paging_no_writable_executable_mapping(struct ktest *test)
{
	u64 *pml4 = phys_to_virt(read_cr3() & PTE_ADDR_MASK);
	unsigned long leaves = 0, wx = 0;
	unsigned int i4, i3, i2, i1, lower = 0;

	for (i4 = 0; i4 < 256; i4++)
		lower += !!(pml4[i4] & PTE_P);
	KTEST_EXPECT_EQ(test, lower, 0);
	for (i4 = 256; i4 < 512; i4++) {
		u64 *pdpt, e4 = pml4[i4];

		if (!(e4 & PTE_P))
			continue;
		pdpt = table_at(e4);
		for (i3 = 0; i3 < 512; i3++) {
			u64 *pd, e3 = pdpt[i3];

			if (!(e3 & PTE_P))
				continue;
			if (e3 & PTE_PS) {
				leaves++;
				wx += (e4 & e3 & PTE_W) && !((e4 | e3) & PTE_NX);
				continue;
			}
			pd = table_at(e3);
			for (i2 = 0; i2 < 512; i2++) {
				u64 *pt, e2 = pd[i2];

				if (!(e2 & PTE_P))
					continue;
				if (e2 & PTE_PS) {
					leaves++;
					wx += (e4 & e3 & e2 & PTE_W) && !((e4 | e3 | e2) & PTE_NX);
					continue;
				}
				pt = table_at(e2);
				for (i1 = 0; i1 < 512; i1++) {
					u64 e1 = pt[i1];

					if (!(e1 & PTE_P))
						continue;
					leaves++;
					wx += (e4 & e3 & e2 & e1 & PTE_W) &&
					      !((e4 | e3 | e2 | e1) & PTE_NX);
				}
			}
		}
	}
	ktest_diag(test, "%lu leaf entries in the kernel half", leaves);
	KTEST_EXPECT_GT(test, leaves, 0);
	KTEST_EXPECT_EQ(test, wx, 0);
	KTEST_EXPECT_FALSE(test, paging_is_mapped(0));
	KTEST_EXPECT_FALSE(test, paging_is_mapped((unsigned long)_text - KERNEL_VMA));
}

/* Every usable page is in the direct map, RW+NX at the right address, with
 * 1 GiB pages wherever a 1 GiB-aligned gigabyte is covered (when the CPU
 * has them) and at least 2 MiB pages wherever an aligned 2 MiB is. */
static void paging_direct_map_covers_usable_ram(struct ktest *test)
{
	size_t n, i;
	const struct pfn_range *range = mm_boot_usable(&n);
	unsigned long bad = 0, pages = 0;

	KTEST_ASSERT_GT(test, n, 0);
	for (i = 0; i < n; i++) {
		u64 pa = range[i].start << PAGE_SHIFT, end = range[i].end << PAGE_SHIFT;

		while (pa < end) {
			struct walk walk = walk_va(PHYS_OFFSET + pa);
			int want = 1;
			u64 step;

			if (cpu_features.gbpages && paging_direct_mapped(ALIGN_DOWN(pa, PAGE_SIZE_1G),
									 PAGE_SIZE_1G))
				want = 3;
			else if (paging_direct_mapped(ALIGN_DOWN(pa, PAGE_SIZE_2M), PAGE_SIZE_2M))
				want = 2;
			if (!walk.present || !walk.write || !walk.nx || walk.pa != pa || walk.level < want) {
				if (!bad++)
					ktest_diag(test, "pa %#lx: present=%d write=%d nx=%d maps %#lx level %d (want %d)",
						   pa, walk.present, walk.write, walk.nx, walk.pa, walk.level, want);
				walk.level = 1;
			}
			step = 1UL << (12 + 9 * (walk.level - 1));
			step -= pa & (step - 1);
			pages += MIN(step, end - pa) >> PAGE_SHIFT;
			pa += step;
		}
	}
	ktest_diag(test, "%lu usable pages checked; %lu x 1G, %lu x 2M, %lu x 4K leaves", pages,
		   paging_direct_stats.pages_1g, paging_direct_stats.pages_2m,
		   paging_direct_stats.pages_4k);
	KTEST_EXPECT_EQ(test, bad, 0);
	KTEST_EXPECT_EQ(test, pages, physmem_pages(range, n));
	/* 4 KiB leaves only at unaligned range edges: < 2 * 511 per range. */
	KTEST_EXPECT_LT(test, paging_direct_stats.pages_4k, paging_direct_stats.nr_ranges * 2 * 511);
	KTEST_EXPECT_LE(test, (unsigned long)((range[n - 1].end << PAGE_SHIFT)), direct_map_size);
}

/* What ACPI needs stays mapped: every table region acpi_init read. */
static void paging_direct_map_keeps_acpi_tables(struct ktest *test)
{
	u32 i;

	for (i = 0; i < acpi_info.nr_regions; i++)
		KTEST_EXPECT_TRUE(test, paging_direct_mapped(acpi_info.regions[i].start,
						    acpi_info.regions[i].end - acpi_info.regions[i].start));
	if (!acpi_info.nr_regions)
		KTEST_SKIP(test, "no ACPI tables were read");
}

/* The protection switches are on: WP, NXE, and SMEP/SMAP when present. */
static void paging_control_bits(struct ktest *test)
{
	KTEST_EXPECT_TRUE(test, read_cr0() & CR0_WP);
	KTEST_EXPECT_TRUE(test, rdmsr(MSR_EFER) & EFER_NXE);
	KTEST_EXPECT_EQ(test, !!(read_cr4() & CR4_SMEP), cpu_features.smep);
	KTEST_EXPECT_EQ(test, !!(read_cr4() & CR4_SMAP), cpu_features.smap);
}

static volatile unsigned long seen_rsp;

static void note_stack(void *arg)
{
	unsigned long here = (unsigned long)&arg;

	seen_rsp = here;
}

/* A thread's stack is mapped RW+NX in the stack area with unmapped guard
 * pages below it; the fault address would be blamed on that thread; after
 * the thread is reaped its stack is unmapped. */
static void paging_thread_stack_guarded(struct ktest *test)
{
	struct thread *th = thread_create("stackcheck", note_stack, NULL);
	unsigned long bottom, top, va, guard = 0;
	const char *owner;
	int i;

	KTEST_ASSERT_NOT_NULL(test, th);
	thread_stack_range(th, &bottom, &top);
	KTEST_EXPECT_EQ(test, top - bottom, 16384);
	KTEST_EXPECT_GE(test, bottom, KSTACK_BASE);
	KTEST_EXPECT_LE(test, top, KSTACK_BASE + KSTACK_AREA_SIZE);
	for (va = bottom; va < top; va += PAGE_SIZE) {
		struct walk walk = walk_va(va);

		KTEST_EXPECT_TRUE(test, walk.present && walk.write && walk.nx && walk.level == 1);
	}
	for (va = ALIGN_DOWN(bottom - 1, KSTACK_SLOT_SIZE); va < bottom; va += PAGE_SIZE)
		KTEST_EXPECT_FALSE(test, paging_is_mapped(va));
	owner = sched_stack_guard_owner(bottom - 8, &guard);
	KTEST_EXPECT_STREQ(test, owner, "stackcheck");
	KTEST_EXPECT_EQ(test, guard, bottom - PAGE_SIZE);
	KTEST_EXPECT_NULL(test, sched_stack_guard_owner(bottom, &guard));
	owner = sched_stack_guard_owner((unsigned long)boot_stack_guard + 100, &guard);
	KTEST_EXPECT_STREQ(test, owner, "main");

	for (i = 0; i < 10 && !seen_rsp; i++)
		thread_yield();
	KTEST_EXPECT_TRUE(test, seen_rsp >= bottom && seen_rsp < top);
	for (i = 0; i < 10; i++)
		thread_yield(); /* let the dead thread be reaped */
	for (va = bottom; va < top; va += PAGE_SIZE)
		KTEST_EXPECT_FALSE(test, paging_is_mapped(va));
}

/* mm_map_page maps a page into the vmap area with the asked protection;
 * mm_lookup_page finds it; mm_unmap_page removes it. */
static void paging_vmap_map_lookup_unmap(struct ktest *test)
{
	unsigned long va = mm_vrange_alloc(2), pfn = 0;
	struct page *page = alloc_pages(0, GFP_KERNEL | GFP_ZERO);
	struct walk walk;

	KTEST_ASSERT_NE(test, va, 0);
	KTEST_ASSERT_NOT_NULL(test, page);
	KTEST_EXPECT_GE(test, va, VMAP_BASE + KSTACK_AREA_SIZE);
	KTEST_ASSERT_EQ(test, mm_map_page(va, page_to_pfn(page), MM_PROT_WRITE), 0);
	walk = walk_va(va);
	KTEST_EXPECT_TRUE(test, walk.present && walk.write && walk.nx && walk.level == 1);
	KTEST_EXPECT_TRUE(test, mm_lookup_page(va + 123, &pfn));
	KTEST_EXPECT_EQ(test, pfn, page_to_pfn(page));
	*(volatile unsigned long *)va = 0x5a5a1234;
	KTEST_EXPECT_EQ(test, *(unsigned long *)page_address(page), 0x5a5a1234);
	KTEST_ASSERT_EQ(test, mm_map_page(va, page_to_pfn(page), 0), 0); /* remap read-only */
	walk = walk_va(va);
	KTEST_EXPECT_TRUE(test, walk.present && !walk.write && walk.nx);
	mm_unmap_page(va);
	KTEST_EXPECT_FALSE(test, mm_lookup_page(va, &pfn));
	KTEST_EXPECT_FALSE(test, paging_is_mapped(va + PAGE_SIZE));
	/* Large pages too: the direct map's answer is the 4 KiB frame asked for. */
	KTEST_EXPECT_TRUE(test, mm_lookup_page((unsigned long)page_address(page), &pfn));
	KTEST_EXPECT_EQ(test, pfn, page_to_pfn(page));
	KTEST_EXPECT_EQ(test, paging_map_page(PHYS_OFFSET, 0, 0), -EINVAL); /* not vmap */
	mm_vrange_free(va, 2);
	free_pages(page, 0);
}

/* The page wrappers agree with each other; addresses outside kernel_mm
 * give NULL. */
static void paging_page_wrappers(struct ktest *test)
{
	struct page *page = alloc_pages(1, GFP_KERNEL);

	KTEST_ASSERT_NOT_NULL(test, page);
	KTEST_EXPECT_PTR_EQ(test, virt_to_page(page_address(page)), page);
	KTEST_EXPECT_PTR_EQ(test, virt_to_page((char *)page_address(page) + PAGE_SIZE + 5), page + 1);
	KTEST_EXPECT_PTR_EQ(test, pfn_to_page(page_to_pfn(page)), page);
	KTEST_EXPECT_EQ(test, virt_to_phys(page_address(page)), page_to_pfn(page) << PAGE_SHIFT);
	KTEST_EXPECT_NULL(test, pfn_to_page(kernel_mm.end_pfn));
	KTEST_EXPECT_NULL(test, virt_to_page((void *)KERNEL_VMA));
	free_pages(page, 1);
}

/* Device mappings work: uncached, NX, in the ioremap window, the LAPIC's
 * (made at boot) included. */
static void paging_ioremap_survives(struct ktest *test)
{
	volatile u32 *reg = ioremap(acpi_info.madt.lapic_phys, PAGE_SIZE);
	struct walk walk;

	KTEST_ASSERT_NOT_NULL(test, reg);
	walk = walk_va((unsigned long)reg);
	KTEST_EXPECT_GE(test, (unsigned long)reg, IOREMAP_BASE);
	KTEST_EXPECT_TRUE(test, walk.present && walk.nx && (walk.leaf & PTE_PCD) && walk.pa == acpi_info.madt.lapic_phys);
	KTEST_EXPECT_EQ(test, (reg[0x30 / 4] & 0xff) >= 0x10, 1); /* LAPIC version register */
	walk = walk_va(IOREMAP_BASE); /* the first mapping */
	KTEST_EXPECT_TRUE(test, walk.present && (walk.leaf & PTE_PCD));
}

static const struct ktest_case paging_cases[] = {
	KTEST_CASE(paging_text_is_rx),
	KTEST_CASE(paging_rodata_is_readonly_nx),
	KTEST_CASE(paging_data_bss_are_rw_nx),
	KTEST_CASE(paging_no_writable_executable_mapping),
	KTEST_CASE(paging_direct_map_covers_usable_ram),
	KTEST_CASE(paging_direct_map_keeps_acpi_tables),
	KTEST_CASE(paging_control_bits),
	KTEST_CASE(paging_thread_stack_guarded),
	KTEST_CASE(paging_vmap_map_lookup_unmap),
	KTEST_CASE(paging_page_wrappers),
	KTEST_CASE(paging_ioremap_survives),
	KTEST_END,
};
KTEST_SUITE(paging, paging_cases);
