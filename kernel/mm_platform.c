/*
 * The kernel's out-of-line half of mm/platform.h: logging through printk,
 * mm_bug() as a panic, the TSC clock, single-page mappings in the vmap area
 * (arch/x86_64/paging.c, page tables from the buddy), a bump allocator of
 * vmap address space, sleeping on the scheduler's hashed wait channels, and
 * deferred work on the kernel work queue.
 *
 * State: the vmap bump pointer and the list of returned ranges, under
 * vrange_lock. Each range is followed by an unmapped page so an overrun
 * faults; returned ranges are reused first so their page tables are too.
 */
#include "mm/platform.h"
#include "arch/x86_64/paging.h"
#include "include/errno.h"
#include "kernel/printk.h"
#include "kernel/sched.h"
#include "kernel/spinlock.h"
#include "kernel/time.h"
#include "kernel/workqueue.h"
#include "lib/printf.h"

#define VRANGE_BASE (VMAP_BASE + KSTACK_AREA_SIZE)
#define VRANGE_END (VMAP_BASE + VMAP_SIZE)

#define VRANGE_FREE_MAX 64

struct vrange {
	unsigned long va;
	unsigned long pages; /* including the guard page after it */
};

static struct spinlock vrange_lock = SPINLOCK_INIT("vrange");
static unsigned long vrange_next = VRANGE_BASE;
/* Returned ranges, reused first-fit so their page tables are reused too
 * (a full table of returned ranges drops the smallest: only address space
 * and at most its page tables are lost). */
static struct vrange vrange_free_list[VRANGE_FREE_MAX];
static unsigned int vrange_nr_free;

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

void mm_flush_tlb_page(unsigned long va) { invlpg(va); }

/* A migration entry: not present, software bit 1 set, the PFN in the
 * address bits (the CPU ignores all of it while PTE_P is clear). */
#define PTE_MIGRATION (1UL << 1)

void mm_set_migration_entry(unsigned long va, unsigned long pfn)
{
	int err;

	ASSERT_MSG(in_vrange(va), "va %#lx is not from mm_vrange_alloc", va);
	err = paging_set_nonpresent(va, ((u64)pfn << PAGE_SHIFT) | PTE_MIGRATION);
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

/* First fit among returned ranges; the rest of a bigger one stays free. */
static unsigned long vrange_reuse(unsigned long pages)
{
	unsigned int i;

	for (i = 0; i < vrange_nr_free; i++) {
		struct vrange *r = &vrange_free_list[i];
		unsigned long va = r->va;

		if (r->pages < pages)
			continue;
		r->va += pages * PAGE_SIZE;
		r->pages -= pages;
		if (!r->pages)
			*r = vrange_free_list[--vrange_nr_free];
		return va;
	}
	return 0;
}

unsigned long mm_vrange_alloc(unsigned long nr_pages)
{
	unsigned long flags = spin_lock_irqsave(&vrange_lock);
	unsigned long pages = nr_pages + 1; /* + an unmapped guard page */
	unsigned long va = nr_pages ? vrange_reuse(pages) : 0;

	if (!va && nr_pages && pages < (VRANGE_END - vrange_next) / PAGE_SIZE) {
		va = vrange_next;
		vrange_next += pages * PAGE_SIZE;
	}
	spin_unlock_irqrestore(&vrange_lock, flags);
	return va;
}

void mm_vrange_free(unsigned long va, unsigned long nr_pages)
{
	unsigned long flags = spin_lock_irqsave(&vrange_lock);
	struct vrange r = { va, nr_pages + 1 };
	unsigned int i, smallest = 0;

	ASSERT_MSG(in_vrange(va) && nr_pages, "va %#lx pages %lu", va, nr_pages);
	for (i = 0; i < vrange_nr_free; i++) { /* merge with a neighbour */
		struct vrange *f = &vrange_free_list[i];

		if (f->va + f->pages * PAGE_SIZE == r.va || r.va + r.pages * PAGE_SIZE == f->va) {
			r.va = MIN(r.va, f->va);
			r.pages += f->pages;
			*f = vrange_free_list[--vrange_nr_free];
			i = (unsigned int)-1; /* rescan: the merged range may touch another */
		}
	}
	if (vrange_nr_free == VRANGE_FREE_MAX) {
		for (i = 1; i < vrange_nr_free; i++)
			if (vrange_free_list[i].pages < vrange_free_list[smallest].pages)
				smallest = i;
		if (vrange_free_list[smallest].pages < r.pages)
			vrange_free_list[smallest] = r;
	} else {
		vrange_free_list[vrange_nr_free++] = r;
	}
	spin_unlock_irqrestore(&vrange_lock, flags);
}

void mm_wait(unsigned long channel, bool (*cond)(void *arg), void *arg)
{
	wait_event(wait_channel(channel), cond(arg));
}

void mm_wake(unsigned long channel) { wake_up(wait_channel(channel)); }

static void mm_work_run(struct work *w)
{
	struct mm_work *mw = container_of(w, struct mm_work, work);

	mw->fn(mw);
}

void mm_work_init(struct mm_work *w, mm_work_fn fn)
{
	work_init(&w->work, mm_work_run);
	w->fn = fn;
}

bool mm_work_queue(struct mm_work *w) { return work_queue(&w->work); }
