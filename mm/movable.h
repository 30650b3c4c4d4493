/*
 * movable_operations: how the migration core moves a page it does not own.
 * Each memdesc type whose pages can move (MAPPED, MSLAB, BALLOON, TEST...)
 * registers one set of callbacks with an mm; a page is movable iff it is an
 * allocated head with PG_movable set and its type has registered ops.
 *
 * Ownership moves without reference counts (the "A plan for supporting
 * PageMovable in 2025" thread, docs/references.md): a successful
 * isolate() hands the page from its owner to migration (PG_isolated, set and
 * cleared only by the core); migrate() or putback() hands it back. While a
 * page is isolated its owner must not free it; an owner that stops wanting
 * it (its objects were freed, the host took a balloon page back) calls
 * movable_page_release(), and the core then frees it instead of migrating or
 * putting it back.
 *
 * With several CPUs the core claims a page (page_isolate_claim: PG_isolated
 * by compare-and-exchange from "movable head, not isolated") before it calls
 * isolate(), so an owner giving the page up at that moment must not free it
 * either: every owner's free path goes through movable_page_clear(), which
 * atomically either takes PG_movable away (the owner frees) or, when the
 * page is claimed, marks it released (the core frees). isolate() may then
 * find its page given up: it answers an error (-EBUSY), and the core,
 * dropping the claim, sees PG_released and frees the page.
 *
 * Callbacks receive the mm the page belongs to because all mm state lives
 * in instances (a host test may run several); the page's own descriptor
 * (page_memdesc) or the owner's private word locates the owner's state.
 */
#ifndef MM_MOVABLE_H
#define MM_MOVABLE_H

#include "include/errno.h"
#include "mm/mm.h"

/* migrate()'s permanent failure in which the owner keeps @dst (see there). */
#define MIGRATE_KEPT_DST (-EPROTO)

/*
 * What an owner's packing pass did: compaction's first phase, in which an
 * owner that can pack its objects (mslab pools) frees whole pages by moving
 * objects between its own pages, before any page moves.
 */
struct pack_result {
	unsigned long objects_moved;
	unsigned long bytes_copied;    /* object bytes copied (0 without page data) */
	unsigned long pages_freed;     /* pages the owner gave back to the buddy */
};

static inline void pack_result_add(struct pack_result *acc, const struct pack_result *result)
{
	acc->objects_moved += result->objects_moved;
	acc->bytes_copied += result->bytes_copied;
	acc->pages_freed += result->pages_freed;
}

enum migrate_mode {
	MIGRATE_ASYNC, /* compaction in the background: few retries, never wait */
	MIGRATE_SYNC,  /* an allocation waits on it: more retries, may wait */
};

struct movable_operations {
	/*
	 * isolate - take @page away from its owner for migration.
	 * Called by the core in thread context, zone lock not held, on an
	 * allocated head of this type with PG_movable and without PG_isolated.
	 * The owner must stop using the page (it still holds the data) and
	 * forget it in its own indexes, or mark it so that frees go through
	 * movable_page_release().
	 * Return: 0 when isolated; -EAGAIN when busy right now (a mapped object,
	 * a page under I/O): the core may try again in a later pass; -EBUSY
	 * when it cannot move at all: the core gives up on it.
	 */
	int (*isolate)(struct mm *mm, struct page *page, enum migrate_mode mode);

	/*
	 * migrate - move the isolated @src to @dst.
	 * Called by the core in thread context with @src isolated and @dst a
	 * fresh allocated head of the same order (type KERNEL, refcount 1).
	 * On success the callback has copied the data (migrate_copy_page),
	 * set up @dst for its owner (page_set_memdesc, private, PG_movable via
	 * movable_page_init, its own indexes pointing at @dst) and detached
	 * @src; the core then frees @src.
	 * Return: 0 on success; -EAGAIN for a transient failure (the core puts
	 * the page back, frees @dst and may retry in a later pass); any other
	 * error is permanent: the core calls putback(@src) and frees @dst;
	 * MIGRATE_KEPT_DST is permanent too, but the owner has kept @dst (a
	 * device that broke mid-way may hold it now: freeing it would hand
	 * the device's page to the next allocation), so the core does not
	 * free it. On failure @src must be exactly as isolate() left it.
	 */
	int (*migrate)(struct mm *mm, struct page *dst, struct page *src, enum migrate_mode mode);

	/*
	 * putback - return the isolated @page to its owner, unmoved.
	 * Called by the core after a failed or abandoned migration; the core
	 * has already cleared PG_isolated. Cannot fail.
	 */
	void (*putback)(struct mm *mm, struct page *page);
};

/*
 * movable_ops_register - make @type's pages movable in @mm through @ops.
 * Registering the same @ops again is a no-op (an owner set up twice on one
 * mm, several instances of one owner type): 0.
 * Return: 0; -EINVAL for a type that can never move (BUDDY, RESERVED,
 * KERNEL, PGTABLE, SLAB, STACK) or out of range, or a NULL callback;
 * -EBUSY when @type already has other ops. Registering while pages of the
 * type exist is fine. Context: thread context.
 */
int movable_ops_register(struct mm *mm, enum memdesc_type type,
			 const struct movable_operations *ops);

/*
 * An owner instance (one mslab pool, say) known to the core: the ops are
 * per type, an owner registers itself besides when the core should reach it
 * by instance: to pack (compaction's first phase) or to be listed. Several
 * owners of one type each register; the registration carries the owner's
 * private pointer, so the core never names an owner.
 */
struct movable_owner {
	struct list_head link;  /* (T) on mm->movable_owners */
	enum memdesc_type type; /* (C) the type of its pages (its ops registered) */
	void *priv;             /* (C) the owner instance, passed to pack() */
	/*
	 * pack - optional: free whole pages by moving this owner's objects
	 * into its fullest pages, before compaction moves any page. Called in
	 * thread context with no mm lock held; adds what it did to @res.
	 */
	void (*pack)(struct mm *mm, void *priv, struct pack_result *res);
};

/*
 * movable_owner_register - add @owner (type, priv, pack set) to @mm's owners.
 * Return: 0; -EINVAL when @owner's type has no ops registered in @mm.
 * Context: thread context (the list is walked and changed only there).
 */
int movable_owner_register(struct mm *mm, struct movable_owner *owner);

/* movable_owner_unregister - remove @owner; the core no longer reaches it. */
void movable_owner_unregister(struct mm *mm, struct movable_owner *owner);

/* Every registered owner of @mm, in registration order (thread context). */
#define movable_for_each_owner(mm, o) list_for_each_entry(o, &(mm)->movable_owners, link)

/*
 * movable_pack - every owner with a pack() packs itself (compaction's
 * first phase). @acc: when not NULL, their figures are added to it.
 * Context: thread context.
 */
void movable_pack(struct mm *mm, struct pack_result *acc);

/*
 * page_looks_movable - a scanner's test, holding no lock and no claim: is
 * @page an allocated movable head nobody has claimed? From one load of the
 * flags alone: the memdesc word becomes a free page's list link the instant
 * the owner frees it, so it is read only under a claim (page_movable_ops).
 * PG_movable is set only through movable_page_init, by an owner whose type
 * has ops. Advisory: the claim decides.
 */
static inline bool page_looks_movable(const struct page *page)
{
	return (page_flags(page) & (PG_head | PG_movable | PG_isolated | PG_released)) ==
	       (PG_head | PG_movable);
}

/* The ops that move @page, or NULL when it is not movable. Reads the
 * memdesc word: under a claim on @page or its owner's lock. */
const struct movable_operations *page_movable_ops(const struct mm *mm, const struct page *page);

/* Hand an allocated head to @type as a movable page with descriptor @desc. */
void movable_page_init(struct page *page, enum memdesc_type type, void *desc);

/*
 * movable_page_clear - the owner is done with its movable head @page.
 * Return: true when PG_movable is gone and the caller frees the page;
 * false when migration holds it (PG_isolated): it is marked released, the
 * core frees it, and the caller must not touch it again.
 * Context: the owner's; atomic against page_isolate_claim on any CPU.
 */
bool movable_page_clear(struct mm *mm, struct page *page);

/*
 * movable_page_try_take - the owner takes its movable head @page back for
 * good unless migration holds it: PG_movable cleared by compare-and-exchange
 * from "movable, not isolated". Return: true when taken (no compaction can
 * claim it any more: the caller frees it); false when the core has it
 * claimed (nothing changed: the caller waits for the claim to end and looks
 * again). For owners that must never give up a page the core holds (mapped
 * pages: the move rewrites the owner's mapping). Context: the owner's.
 */
bool movable_page_try_take(struct page *page);

/*
 * page_isolate_claim - the core's claim on @page before it calls isolate():
 * true when this caller set PG_isolated (see page_try_isolate).
 */
static inline bool page_isolate_claim(struct page *page) { return page_try_isolate(page); }

/*
 * page_isolate_unclaim - drop a claim (isolate() failed, or putback).
 * Return: true when the owner gave the page up meanwhile (PG_released):
 * the core must free it.
 */
static inline bool page_isolate_unclaim(struct page *page)
{
	return page_flags_clear(page, PG_isolated) & PG_released;
}

/*
 * movable_page_release - the owner gives up @page while it is isolated.
 * Sets PG_released; the core frees the page at its next step instead of
 * migrating or putting it back. Calling it on a page that is not isolated
 * is a bug (reported through mm_bug, nothing changes).
 */
void movable_page_release(struct mm *mm, struct page *page);

#endif
