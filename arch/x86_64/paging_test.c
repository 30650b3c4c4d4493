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
#include "kernel/mm_boot.h"
#include "kernel/sched.h"
#include "lib/ktest.h"
#include "mm/memmap.h"

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

static struct walk walk(unsigned long va)
{
	u64 *table = phys_to_virt(read_cr3() & PTE_ADDR_MASK);
	struct walk w = { .write = true };
	int l;

	for (l = 4; l >= 1; l--) {
		u64 e = table[(va >> (12 + 9 * (l - 1))) & 511];

		if (!(e & PTE_P))
			return (struct walk){ .present = false };
		w.write &= !!(e & PTE_W);
		w.nx |= !!(e & PTE_NX);
		if (l == 1 || (e & PTE_PS)) {
			u64 size = 1UL << (12 + 9 * (l - 1));

			w.present = true;
			w.level = l;
			w.leaf = e;
			w.pa = (e & PTE_ADDR_MASK & ~(size - 1)) + (va & (size - 1));
			return w;
		}
		table = table_at(e);
	}
	return (struct walk){ .present = false };
}

/* Check every page of [start, end) in the kernel image: mapped to its load
 * address with @write / @nx. Return: the number of bad pages. */
static unsigned long check_image(struct ktest *t, const char *what, unsigned long start,
				 unsigned long end, bool write, bool nx)
{
	unsigned long va, bad = 0;

	for (va = start; va < end; va += PAGE_SIZE) {
		struct walk w = walk(va);

		if (w.present && w.write == write && w.nx == nx && w.pa == va - KERNEL_VMA)
			continue;
		if (!bad++)
			ktest_diag(t, "%s: page %#lx present=%d write=%d nx=%d pa=%#lx", what, va,
				   w.present, w.write, w.nx, w.pa);
	}
	return bad;
}

/* Kernel text is read-only and executable. */
static void paging_text_is_rx(struct ktest *t)
{
	KTEST_EXPECT_EQ(t, check_image(t, "text", (unsigned long)_text, (unsigned long)_rodata,
				       false, false), 0);
	KTEST_EXPECT_LE(t, (unsigned long)_etext, (unsigned long)_rodata);
}

/* rodata (and the symbol table) are read-only and not executable. */
static void paging_rodata_is_readonly_nx(struct ktest *t)
{
	KTEST_EXPECT_EQ(t, check_image(t, "rodata", (unsigned long)_rodata, (unsigned long)_data,
				       false, true), 0);
	KTEST_EXPECT_EQ(t, check_image(t, "ksymtab", (unsigned long)_ebss,
				       (unsigned long)_kernel_end, false, true), 0);
}

/* data and bss are writable and not executable; the boot stack's guard
 * area (boot.S's dead tables and a spare page) is the one hole. */
static void paging_data_bss_are_rw_nx(struct ktest *t)
{
	unsigned long va, holes = 0;

	KTEST_EXPECT_EQ(t, check_image(t, "data", (unsigned long)_data,
				       (unsigned long)boot_stack_guard, true, true), 0);
	KTEST_EXPECT_EQ(t, check_image(t, "bss", (unsigned long)boot_stack_bottom,
				       (unsigned long)_ebss, true, true), 0);
	for (va = (unsigned long)boot_stack_guard; va < (unsigned long)boot_stack_bottom;
	     va += PAGE_SIZE)
		holes += !walk(va).present;
	KTEST_EXPECT_EQ(t, holes, ((unsigned long)boot_stack_bottom -
				   (unsigned long)boot_stack_guard) / PAGE_SIZE);
	KTEST_EXPECT_GE(t, holes, 1);
	KTEST_EXPECT_TRUE(t, walk((unsigned long)boot_stack_top - 8).present);
}

/* Walk the whole upper half: no leaf is both writable and executable, and
 * nothing at all is mapped in the lower half (the identity map is gone). */
static void paging_no_writable_executable_mapping(struct ktest *t)
{
	u64 *pml4 = phys_to_virt(read_cr3() & PTE_ADDR_MASK);
	unsigned long leaves = 0, wx = 0;
	unsigned int i4, i3, i2, i1, lower = 0;

	for (i4 = 0; i4 < 256; i4++)
		lower += !!(pml4[i4] & PTE_P);
	KTEST_EXPECT_EQ(t, lower, 0);
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
	ktest_diag(t, "%lu leaf entries in the kernel half", leaves);
	KTEST_EXPECT_GT(t, leaves, 0);
	KTEST_EXPECT_EQ(t, wx, 0);
	KTEST_EXPECT_FALSE(t, paging_is_mapped(0));
	KTEST_EXPECT_FALSE(t, paging_is_mapped((unsigned long)_text - KERNEL_VMA));
}

/* Every usable page is in the direct map, RW+NX at the right address, with
 * 1 GiB pages wherever a 1 GiB-aligned gigabyte is covered (when the CPU
 * has them) and at least 2 MiB pages wherever an aligned 2 MiB is. */
static void paging_direct_map_covers_usable_ram(struct ktest *t)
{
	size_t n, i;
	const struct pfn_range *r = mm_boot_usable(&n);
	unsigned long bad = 0, pages = 0;

	KTEST_ASSERT_GT(t, n, 0);
	for (i = 0; i < n; i++) {
		u64 pa = r[i].start << PAGE_SHIFT, end = r[i].end << PAGE_SHIFT;

		while (pa < end) {
			struct walk w = walk(PHYS_OFFSET + pa);
			int want = 1;
			u64 step;

			if (cpu_features.gbpages && paging_direct_mapped(ALIGN_DOWN(pa, PAGE_SIZE_1G),
									 PAGE_SIZE_1G))
				want = 3;
			else if (paging_direct_mapped(ALIGN_DOWN(pa, PAGE_SIZE_2M), PAGE_SIZE_2M))
				want = 2;
			if (!w.present || !w.write || !w.nx || w.pa != pa || w.level < want) {
				if (!bad++)
					ktest_diag(t, "pa %#lx: present=%d write=%d nx=%d maps %#lx level %d (want %d)",
						   pa, w.present, w.write, w.nx, w.pa, w.level, want);
				w.level = 1;
			}
			step = 1UL << (12 + 9 * (w.level - 1));
			step -= pa & (step - 1);
			pages += MIN(step, end - pa) >> PAGE_SHIFT;
			pa += step;
		}
	}
	ktest_diag(t, "%lu usable pages checked; %lu x 1G, %lu x 2M, %lu x 4K leaves", pages,
		   paging_direct_stats.pages_1g, paging_direct_stats.pages_2m,
		   paging_direct_stats.pages_4k);
	KTEST_EXPECT_EQ(t, bad, 0);
	KTEST_EXPECT_EQ(t, pages, memmap_pages(r, n));
	/* 4 KiB leaves only at unaligned range edges: < 2 * 511 per range. */
	KTEST_EXPECT_LT(t, paging_direct_stats.pages_4k, paging_direct_stats.nr_ranges * 2 * 511);
	KTEST_EXPECT_LE(t, (unsigned long)((r[n - 1].end << PAGE_SHIFT)), direct_map_size);
}

/* What ACPI needs stays mapped: every table region acpi_init read. */
static void paging_direct_map_keeps_acpi_tables(struct ktest *t)
{
	u32 i;

	for (i = 0; i < acpi_info.nr_regions; i++)
		KTEST_EXPECT_TRUE(t, paging_direct_mapped(acpi_info.regions[i].start,
						    acpi_info.regions[i].end - acpi_info.regions[i].start));
	if (!acpi_info.nr_regions)
		KTEST_SKIP(t, "no ACPI tables were read");
}

/* The protection switches are on: WP, NXE, and SMEP/SMAP when present. */
static void paging_control_bits(struct ktest *t)
{
	KTEST_EXPECT_TRUE(t, read_cr0() & CR0_WP);
	KTEST_EXPECT_TRUE(t, rdmsr(MSR_EFER) & EFER_NXE);
	KTEST_EXPECT_EQ(t, !!(read_cr4() & CR4_SMEP), cpu_features.smep);
	KTEST_EXPECT_EQ(t, !!(read_cr4() & CR4_SMAP), cpu_features.smap);
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
static void paging_thread_stack_guarded(struct ktest *t)
{
	struct thread *th = thread_create("stackcheck", note_stack, NULL);
	unsigned long bottom, top, va, guard = 0;
	const char *owner;
	int i;

	KTEST_ASSERT_NOT_NULL(t, th);
	thread_stack_range(th, &bottom, &top);
	KTEST_EXPECT_EQ(t, top - bottom, 16384);
	KTEST_EXPECT_GE(t, bottom, KSTACK_BASE);
	KTEST_EXPECT_LE(t, top, KSTACK_BASE + KSTACK_AREA_SIZE);
	for (va = bottom; va < top; va += PAGE_SIZE) {
		struct walk w = walk(va);

		KTEST_EXPECT_TRUE(t, w.present && w.write && w.nx && w.level == 1);
	}
	for (va = ALIGN_DOWN(bottom - 1, KSTACK_SLOT_SIZE); va < bottom; va += PAGE_SIZE)
		KTEST_EXPECT_FALSE(t, paging_is_mapped(va));
	owner = sched_stack_guard_owner(bottom - 8, &guard);
	KTEST_EXPECT_STREQ(t, owner, "stackcheck");
	KTEST_EXPECT_EQ(t, guard, bottom - PAGE_SIZE);
	KTEST_EXPECT_NULL(t, sched_stack_guard_owner(bottom, &guard));
	owner = sched_stack_guard_owner((unsigned long)boot_stack_guard + 100, &guard);
	KTEST_EXPECT_STREQ(t, owner, "main");

	for (i = 0; i < 10 && !seen_rsp; i++)
		thread_yield();
	KTEST_EXPECT_TRUE(t, seen_rsp >= bottom && seen_rsp < top);
	for (i = 0; i < 10; i++)
		thread_yield(); /* let the dead thread be reaped */
	for (va = bottom; va < top; va += PAGE_SIZE)
		KTEST_EXPECT_FALSE(t, paging_is_mapped(va));
}

/* mm_map_page maps a page into the vmap area with the asked protection;
 * mm_lookup_page finds it; mm_unmap_page removes it. */
static void paging_vmap_map_lookup_unmap(struct ktest *t)
{
	unsigned long va = mm_vrange_alloc(2), pfn = 0;
	struct page *p = alloc_pages(0, GFP_KERNEL | GFP_ZERO);
	struct walk w;

	KTEST_ASSERT_NE(t, va, 0);
	KTEST_ASSERT_NOT_NULL(t, p);
	KTEST_EXPECT_GE(t, va, VMAP_BASE + KSTACK_AREA_SIZE);
	KTEST_ASSERT_EQ(t, mm_map_page(va, page_to_pfn(p), MM_PROT_WRITE), 0);
	w = walk(va);
	KTEST_EXPECT_TRUE(t, w.present && w.write && w.nx && w.level == 1);
	KTEST_EXPECT_TRUE(t, mm_lookup_page(va + 123, &pfn));
	KTEST_EXPECT_EQ(t, pfn, page_to_pfn(p));
	*(volatile unsigned long *)va = 0x5a5a1234;
	KTEST_EXPECT_EQ(t, *(unsigned long *)page_address(p), 0x5a5a1234);
	KTEST_ASSERT_EQ(t, mm_map_page(va, page_to_pfn(p), 0), 0); /* remap read-only */
	w = walk(va);
	KTEST_EXPECT_TRUE(t, w.present && !w.write && w.nx);
	mm_unmap_page(va);
	KTEST_EXPECT_FALSE(t, mm_lookup_page(va, &pfn));
	KTEST_EXPECT_FALSE(t, paging_is_mapped(va + PAGE_SIZE));
	/* Large pages too: the direct map's answer is the 4 KiB frame asked for. */
	KTEST_EXPECT_TRUE(t, mm_lookup_page((unsigned long)page_address(p), &pfn));
	KTEST_EXPECT_EQ(t, pfn, page_to_pfn(p));
	KTEST_EXPECT_EQ(t, paging_map_page(PHYS_OFFSET, 0, 0), -EINVAL); /* not vmap */
	mm_vrange_free(va, 2);
	free_pages(p, 0);
}

/* The page wrappers agree with each other; addresses outside kernel_mm
 * give NULL. */
static void paging_page_wrappers(struct ktest *t)
{
	struct page *p = alloc_pages(1, GFP_KERNEL);

	KTEST_ASSERT_NOT_NULL(t, p);
	KTEST_EXPECT_PTR_EQ(t, virt_to_page(page_address(p)), p);
	KTEST_EXPECT_PTR_EQ(t, virt_to_page((char *)page_address(p) + PAGE_SIZE + 5), p + 1);
	KTEST_EXPECT_PTR_EQ(t, pfn_to_page(page_to_pfn(p)), p);
	KTEST_EXPECT_EQ(t, virt_to_phys(page_address(p)), page_to_pfn(p) << PAGE_SHIFT);
	KTEST_EXPECT_NULL(t, pfn_to_page(kernel_mm.end_pfn));
	KTEST_EXPECT_NULL(t, virt_to_page((void *)KERNEL_VMA));
	free_pages(p, 1);
}

/* Device mappings work: uncached, NX, in the ioremap window, the LAPIC's
 * (made at boot) included. */
static void paging_ioremap_survives(struct ktest *t)
{
	volatile u32 *reg = ioremap(acpi_info.lapic_phys, PAGE_SIZE);
	struct walk w;

	KTEST_ASSERT_NOT_NULL(t, reg);
	w = walk((unsigned long)reg);
	KTEST_EXPECT_GE(t, (unsigned long)reg, IOREMAP_BASE);
	KTEST_EXPECT_TRUE(t, w.present && w.nx && (w.leaf & PTE_PCD) && w.pa == acpi_info.lapic_phys);
	KTEST_EXPECT_EQ(t, (reg[0x30 / 4] & 0xff) >= 0x10, 1); /* LAPIC version register */
	w = walk(IOREMAP_BASE); /* the first mapping */
	KTEST_EXPECT_TRUE(t, w.present && (w.leaf & PTE_PCD));
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
