/*
 * struct page: the 32-byte descriptor of one 4 KiB physical page, after the
 * memdesc layout of the "A plan for supporting PageMovable in 2025" thread
 * (docs/references.md): four words, {flags; union of list links or
 * (memdesc, private); refcount}. The mem_map is an array of them indexed by
 * PFN (struct mm).
 *
 * A page's state is decided by its flags first; the union is read only in
 * the state that owns it:
 *
 *   state           recognised by                 union in use   owner
 *   free (buddy)    PG_buddy, order in flags      buddy_list     zone lock
 *                   (+ PG_reported: the host was
 *                   told, mm/reporting.c)
 *   free tail       flags == 0, inside a free     none           zone lock
 *                   block (head found by probing)
 *   cached (pcp)    PG_pcp                        pcp_list       that cpu
 *   allocated head  PG_head, order in flags       memdesc,       the type's owner
 *                                                 private
 *   allocated tail  flags == 0, inside an         none           the head's owner
 *                   allocated block (never written)
 *   isolated        allocated head + PG_isolated  as allocated   migration
 *   reserved        PG_reserved                   none           nobody
 *
 * Tails are never written, so allocating or freeing an order-10 block costs
 * one descriptor write. memdesc = pointer to a 16-byte-aligned descriptor OR
 * a 4-bit type; types without a descriptor store 0 as the pointer.
 *
 * Lock tags: (Z) zone lock, (P) the cpu's pcp lock, (O) the owner of the
 * allocated page, (M) migration while PG_isolated.
 *
 * flags is read and written atomically (page_flags*): migration claims an
 * allocated movable head with a compare-and-exchange (page_try_isolate)
 * while its owner may be giving it up on another CPU
 * (movable_page_clear), and the scanners read it under no lock. Whole-
 * word writes (the buddy, the pcp) are atomic stores: the writer owns the
 * page then, but a scanner may read the word at any time. PG_movable is set
 * with release (movable_page_init) and the claim acquires it. The memdesc
 * word is a relaxed atomic too (page_memdesc_word), read only under a claim
 * or the owner's lock.
 */
#ifndef MM_PAGE_H
#define MM_PAGE_H

#include "include/assert.h"
#include "include/compiler.h"
#include "include/types.h"
#include "lib/list.h"

#define PAGE_SHIFT 12
#define PAGE_SIZE 4096UL
#define MAX_ORDER 10         /* largest block: 2^10 pages = 4 MiB */
#define NR_ORDERS (MAX_ORDER + 1)
#define PAGEBLOCK_ORDER 9    /* 2 MiB: the contiguity unit */
#define PAGEBLOCK_PAGES (1UL << PAGEBLOCK_ORDER)

struct page {
	unsigned long flags;            /* PG_* bits, order, list migratetype */
	union {
		struct list_head buddy_list; /* (Z) free head: on a free list */
		struct list_head pcp_list;   /* (P) on a cpu's order-0 cache */
		struct {
			unsigned long memdesc; /* (O) descriptor | memdesc_type */
			union {
				unsigned long private; /* (O) owner's word */
				int mapcount;          /* (O) mapped pages */
				unsigned long pt_live; /* (O) page-table pages:
							* live entries */
			};
		};
	};
	int refcount; /* (O) for owners that share pages; migration ignores it */
};
static_assert(sizeof(struct page) == 32, "struct page must be 32 bytes");

/* Flag bits. The low 4 bits hold the order of buddy and allocated heads. */
#define PG_ORDER_MASK 0xfUL
#define PG_buddy (1UL << 4)     /* free block head on a buddy list */
#define PG_pcp (1UL << 5)       /* free order-0 page on a per-cpu list */
#define PG_head (1UL << 6)      /* allocated block head */
#define PG_reserved (1UL << 7)  /* never managed: gaps, kernel, mem_map */
#define PG_movable (1UL << 8)   /* owner registered movable_operations */
#define PG_isolated (1UL << 9)  /* taken by migration (set by the core only) */
#define PG_locked (1UL << 10)   /* owner-defined short-term lock */
#define PG_released (1UL << 11) /* owner gave it up while isolated */
/* bit 12: PG_checked, mm_check's transient mark (mm/internal.h) */
#define PG_reported (1UL << 13) /* free head whose memory the host was told
				 * about (mm/reporting.c); cleared whenever
				 * the block leaves its free list */
#define PG_MT_SHIFT 16          /* buddy/pcp: which free list it is on */
#define PG_MT_MASK (3UL << PG_MT_SHIFT)

/* Migratetypes of pageblocks and free lists. */
enum migratetype {
	MIGRATE_UNMOVABLE,
	MIGRATE_MOVABLE,
	MIGRATE_ISOLATE,
	MIGRATE_TYPES,
};
#define MIGRATE_PCPTYPES 2 /* the pcp caches UNMOVABLE and MOVABLE pages */

/* Who owns an allocated page: the low 4 bits of memdesc. */
enum memdesc_type {
	MEMDESC_BUDDY = 0, /* no owner: what a free page reports */
	MEMDESC_RESERVED,
	MEMDESC_KERNEL,    /* plain allocations (alloc_pages default) */
	MEMDESC_PGTABLE,
	MEMDESC_SLAB,
	MEMDESC_MSLAB,
	MEMDESC_BALLOON,
	MEMDESC_MAPPED,
	MEMDESC_STACK,
	MEMDESC_TEST,
	MEMDESC_REPORTING, /* free block taken out for a free page report (mm/reporting.h) */
	MEMDESC_EXAMPLE,   /* the tutorial's stack of tagged pages (mm/example_movable.c) */
	MEMDESC_TYPES, /* at most 16 */
};
static_assert(MEMDESC_TYPES <= 16, "memdesc type must fit in 4 bits");
#define MEMDESC_TYPE_MASK 0xfUL

const char *memdesc_type_name(enum memdesc_type type);
const char *migratetype_name(enum migratetype mt);

static inline unsigned long page_flags(const struct page *page)
{
	return __atomic_load_n(&page->flags, __ATOMIC_RELAXED);
}
/* The whole word, by the page's owner of the moment (buddy, pcp, init). */
static inline void page_flags_set(struct page *page, unsigned long flags)
{
	__atomic_store_n(&page->flags, flags, __ATOMIC_RELAXED);
}
static inline void page_flags_or(struct page *page, unsigned long bits)
{
	__atomic_fetch_or(&page->flags, bits, __ATOMIC_RELAXED);
}
/* Clear @bits. Return: the flags before. */
static inline unsigned long page_flags_clear(struct page *page, unsigned long bits)
{
	return __atomic_fetch_and(&page->flags, ~bits, __ATOMIC_ACQ_REL);
}

/*
 * page_try_isolate - migration's claim: from "allocated movable head, not
 * isolated" to isolated, in one compare-and-exchange.
 * Acquire on success: pairs with movable_page_init's release, so what the
 * owner wrote before making the page movable (memdesc, private, its
 * descriptor) is what the claimer's isolate() reads.
 * Return: true when this caller isolated @page; false when it is in any
 * other state (free, not movable, isolated by another CPU, given up).
 */
static inline bool page_try_isolate(struct page *page)
{
	unsigned long old = page_flags(page);

	do {
		if ((old & (PG_head | PG_movable | PG_isolated | PG_released)) != (PG_head | PG_movable))
			return false;
	} while (!__atomic_compare_exchange_n(&page->flags, &old, old | PG_isolated, false,
					      __ATOMIC_ACQ_REL, __ATOMIC_RELAXED));
	return true;
}

static inline unsigned int page_order(const struct page *page)
{
	return (unsigned int)(page_flags(page) & PG_ORDER_MASK);
}
static inline bool page_is_buddy(const struct page *page) { return page_flags(page) & PG_buddy; }
static inline bool page_is_pcp(const struct page *page) { return page_flags(page) & PG_pcp; }
static inline bool page_is_head(const struct page *page) { return page_flags(page) & PG_head; }
static inline bool page_is_reserved(const struct page *page) { return page_flags(page) & PG_reserved; }
static inline bool page_is_isolated(const struct page *page) { return page_flags(page) & PG_isolated; }
static inline bool page_is_movable(const struct page *page) { return page_flags(page) & PG_movable; }
static inline bool page_is_reported(const struct page *page) { return page_flags(page) & PG_reported; }
static inline bool page_is_released(const struct page *page) { return page_flags(page) & PG_released; }

/*
 * The memdesc word, read and written as a relaxed atomic: an owner changes
 * it (a detached or given-up page) while migration, holding the claim, reads
 * it on another CPU. Only under a claim or the owner's lock: the instant a
 * page is freed the same word is a list link (plain writes), so scanners
 * holding neither decide from the flags alone (page_looks_movable).
 */
static inline unsigned long page_memdesc_word(const struct page *page)
{
	return __atomic_load_n(&page->memdesc, __ATOMIC_RELAXED);
}
static inline void page_memdesc_word_set(struct page *page, unsigned long word)
{
	__atomic_store_n(&page->memdesc, word, __ATOMIC_RELAXED);
}

/* The owner type of an allocated head. Only valid on PG_head pages: on free
 * pages the same word is a list pointer. */
static inline enum memdesc_type page_type(const struct page *page)
{
	ASSERT_MSG(page_is_head(page), "flags %#lx", page_flags(page));
	return (enum memdesc_type)(page_memdesc_word(page) & MEMDESC_TYPE_MASK);
}

/* The owner's descriptor of an allocated head, or NULL. */
static inline void *page_memdesc(const struct page *page)
{
	ASSERT_MSG(page_is_head(page), "flags %#lx", page_flags(page));
	return (void *)(page_memdesc_word(page) & ~MEMDESC_TYPE_MASK);
}

/* Give an allocated head to @type with descriptor @desc (16-byte aligned). */
static inline void page_set_memdesc(struct page *page, enum memdesc_type type, void *desc)
{
	ASSERT_MSG(page_is_head(page), "flags %#lx", page_flags(page));
	ASSERT_MSG(((unsigned long)desc & MEMDESC_TYPE_MASK) == 0, "desc %p", desc);
	page_memdesc_word_set(page, (unsigned long)desc | (unsigned long)type);
}

/*
 * Page-table pages (MEMDESC_PGTABLE): the number of live (nonzero) entries
 * of the table, kept by its page-table code (arch/x86_64/paging.c), which
 * frees a table when the count drops to zero.
 */
static inline unsigned long pgtable_live_entries(const struct page *page)
{
	ASSERT_MSG(page_type(page) == MEMDESC_PGTABLE, "memdesc %#lx", page->memdesc);
	return page->pt_live;
}

static inline void pgtable_set_live_entries(struct page *page, unsigned long n)
{
	ASSERT_MSG(page_type(page) == MEMDESC_PGTABLE, "memdesc %#lx", page->memdesc);
	page->pt_live = n;
}

#endif
