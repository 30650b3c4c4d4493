/*
 * The kernel's out-of-line half of mm/platform.h: logging through printk,
 * mm_bug() as a panic, the TSC clock, single-page mappings in the vmap area
 * (arch/x86_64/paging.c, page tables from the buddy, freed with their last
 * entry; every unmap, migration entry and flush is shot down on every
 * online CPU before it returns), migration entries, sleeping on the scheduler's hashed wait
 * channels, and deferred work on the kernel work queue. The vmap address
 * ranges (mm_vrange_alloc/free) are kernel/mm/vrange.c's. Memory that is
 * never given back comes from kernel_mm.
 *
 * State: none.
 */
#include "arch/x86_64/paging.h"
#include "include/errno.h"
#include "kernel/mm/mm_boot.h"
#include "kernel/mm/vrange.h"
#include "kernel/printk.h"
#include "kernel/sched.h"
#include "kernel/time.h"
#include "kernel/workqueue.h"
#include "lib/printf.h"
#include "mm/platform.h"

void mm_log(int level, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vprintk((enum log_level)level, fmt, ap);
	va_end(ap);
}

void mm_bug(const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	panic("mm_bug: %s", msg);
}

u64 mm_time_ns(void) { return time_ns(); }
void *mm_alloc_forever(size_t bytes)
{
	struct page *page = mm_alloc_pages(&kernel_mm, mm_order_for_bytes(bytes),
					   GFP_KERNEL | GFP_ZERO | GFP_NOWARN);

	return page ? mm_page_address(&kernel_mm, page) : NULL;
}

/* time_ns() counts from TSC 0 (arch/x86_64/tsc.c: tsc_boot is 0). */
u64 mm_tsc_to_ns(u64 tsc) { return tsc_to_ns(tsc); }

static bool in_vrange(unsigned long va) { return va >= VRANGE_BASE && va < VRANGE_END; }

int mm_map_page(unsigned long va, unsigned long pfn, unsigned int prot)
{
	u64 flags = PTE_NX | ((prot & MM_PROT_WRITE) ? PTE_W : 0);

	ASSERT_MSG(in_vrange(va), "va %#lx is not from mm_vrange_alloc", va);
	return paging_map_page(va, (phys_addr_t)pfn << PAGE_SHIFT, flags);
}

void mm_unmap_page(unsigned long va)
{
	ASSERT_MSG(in_vrange(va), "va %#lx is not from mm_vrange_alloc", va);
	paging_unmap_page(va);
}

void mm_unmap_range(unsigned long va, unsigned long nr_pages)
{
	ASSERT_MSG(in_vrange(va) && in_vrange(va + (nr_pages - 1) * PAGE_SIZE),
		   "range %#lx + %lu pages is not from mm_vrange_alloc", va, nr_pages);
	paging_unmap_range(va, nr_pages);
}

bool mm_lookup_page(unsigned long va, unsigned long *pfn)
{
	u64 pte;
	int level;

	if (!paging_lookup(va, &pte, &level))
		return false;
	/* Within a large page, add the offset of @va's 4 KiB page. */
	*pfn = ((pte & PTE_ADDR_MASK & ~((1UL << (12 + 9 * (level - 1))) - 1)) >> PAGE_SHIFT) +
	       ((va & ((1UL << (12 + 9 * (level - 1))) - 1)) >> PAGE_SHIFT);
	return true;
}

void mm_flush_tlb_page(unsigned long va) { paging_flush_tlb_range(va, 1); }

void mm_flush_tlb_range(unsigned long va, unsigned long nr_pages)
{
	paging_flush_tlb_range(va, nr_pages);
}

/* A migration entry: not present, software bit 1 set, the PFN in the
 * address bits (the CPU ignores all of it while PTE_P is clear). */
#define PTE_MIGRATION (1UL << 1)

void mm_set_migration_entry(unsigned long va, unsigned long pfn)
{
	int err;

	ASSERT_MSG(in_vrange(va), "va %#lx is not from mm_vrange_alloc", va);
	err = paging_set_nonpresent_here(va, ((u64)pfn << PAGE_SHIFT) | PTE_MIGRATION);
	ASSERT_MSG(err == 0, "va %#lx: %d", va, err);
}

bool mm_migration_entry(unsigned long va, unsigned long *pfn)
{
	u64 pte;

	if (!in_vrange(va) || !paging_read_pte(va & ~(PAGE_SIZE - 1), &pte) || (pte & PTE_P) ||
	    !(pte & PTE_MIGRATION))
		return false;
	*pfn = (pte & PTE_ADDR_MASK) >> PAGE_SHIFT;
	return true;
}

void mm_wait(unsigned long channel, bool (*cond)(void *arg), void *arg)
{
	wait_event(wait_channel(channel), cond(arg));
}

void mm_wake(unsigned long channel) { wake_up(wait_channel(channel)); }

void mm_yield(void) { thread_yield(); }

static void mm_work_run(struct work *w)
{
	struct mm_work *mw = container_of(w, struct mm_work, work);

	mw->fn(mw);
}

void mm_work_init(struct mm_work *work, mm_work_fn fn)
{
	work_init(&work->work, mm_work_run);
	work->fn = fn;
}

bool mm_work_queue(struct mm_work *work) { return work_queue(&work->work); }
