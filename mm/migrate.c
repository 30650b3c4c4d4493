/*
 * The migration engine (see migrate.h).
 *
 * Per batch, each item goes PENDING -> ISOLATED -> DONE, or back to PENDING
 * on -EAGAIN. Basic algorithm:
 *
 *   for pass in 0 .. passes-1 while some item is PENDING:
 *       isolate every PENDING item      (ops->isolate; PG_isolated set)
 *       allocate a target per ISOLATED  (lazily: only now, only for these)
 *       migrate every ISOLATED item     (ops->migrate; src freed on success)
 *   items still PENDING have failed
 *
 * Invariant: between the isolate and the end of its step an item's src has
 * PG_isolated and belongs to this function; every exit path either frees it
 * (migrated or released) or clears PG_isolated and calls putback. A target
 * is either handed to the owner by a successful migrate or given back.
 */
#include "include/errno.h"
#include "lib/bitmap.h"
#include "lib/pagecopy.h"
#include "lib/string.h"
#include "mm/fault_inject.h"
#include "mm/internal.h"
#include "mm/migrate.h"
#include "mm/trace.h"

enum item_state { ITEM_PENDING, ITEM_ISOLATED, ITEM_DONE };

struct migrate_item {
	unsigned long pfn;
	struct page *src;
	struct page *dst;
	enum item_state state;
};

struct migrate_ctx {
	struct mm *mm;
	migrate_alloc_t alloc;
	migrate_free_t free;
	void *priv;
	enum migrate_mode mode;
	struct migrate_result *res;
};

static struct page *default_alloc(struct mm *mm, struct page *src, void *priv)
{
	return mm_alloc_pages(mm, page_order(src), GFP_MOVABLE | GFP_NOWARN);
}

static void default_free(struct mm *mm, struct page *dst, void *priv)
{
	mm_free_pages(mm, dst, page_order(dst));
}

/* rep movsq (lib/pagecopy.h): never far from the best copy, on hardware
 * or under TCG (the figures behind the choice: docs/benchmarks.md, "Which
 * page copy"). */
void migrate_copy_page(struct mm *mm, struct page *dst, struct page *src)
{
	size_t bytes = PAGE_SIZE << page_order(src);

	if (mm->no_data) { /* the tag in private stands for the contents */
		dst->private = src->private;
		return;
	}
	pagecopy_movsq(mm_page_address(mm, dst), mm_page_address(mm, src), bytes);
	mm_stat_add(&mm->stats.migrate_bytes, bytes);
	/* This CPU's own count, for the migration that called us (several
	 * CPUs migrate at once: the shared total mixes theirs). */
	__atomic_store_n(&mm->copied_bytes[mm_cpu_id()], mm->copied_bytes[mm_cpu_id()] + bytes,
			 __ATOMIC_RELAXED);
}

/* Free a source page the core owns (migrated away, or released). */
static void free_source(struct migrate_ctx *ctx, struct page *src)
{
	page_flags_clear(src, PG_isolated | PG_released | PG_movable);
	mm_free_pages(ctx->mm, src, page_order(src));
}

/* Hand an isolated page back to its owner unmoved; or, if the owner gave
 * it up meanwhile, free it (counted released). */
static void put_back(struct migrate_ctx *ctx, struct page *src)
{
	const struct movable_operations *ops = ctx->mm->movable_ops[page_type(src)];

	trace_event(TRACE_PUTBACK, mm_page_to_pfn(ctx->mm, src), !!(page_flags(src) & PG_released));
	if (page_flags(src) & PG_released) {
		free_source(ctx, src);
		ctx->res->released++;
		return;
	}
	ops->putback(ctx->mm, src);
	if (page_isolate_unclaim(src)) { /* released between the two */
		free_source(ctx, src);
		ctx->res->released++;
	}
}

/*
 * FAULT_MIGRATE: one decision per target allocation and per migrate call;
 * a fault is one of three failures the owner's callbacks or the allocator
 * could produce on their own - no target, a transient -EAGAIN, a permanent
 * -EBUSY - injected before the callback runs, so no callback ever has to
 * undo work.
 */
enum injected { INJECT_NONE, INJECT_NO_TARGET, INJECT_AGAIN, INJECT_BUSY };

static enum injected injected_fault(struct mm *mm)
{
	if (!fault_should_fail(mm, FAULT_MIGRATE))
		return INJECT_NONE;
	return (enum injected)(INJECT_NO_TARGET + fault_inject_pick(mm->fault, 3));
}

/* Return: 0 (call the callback), or the error an injected fault stands for. */
static int injected_migrate_rc(struct mm *mm)
{
	switch (injected_fault(mm)) {
	case INJECT_NONE:
		return 0;
	case INJECT_AGAIN:
	case INJECT_NO_TARGET: /* too late for a target failure: retry instead */
		return -EAGAIN;
	default:
		return -EBUSY;
	}
}

static void isolate_item(struct migrate_ctx *ctx, struct migrate_item *it)
{
	struct mm *mm = ctx->mm;
	const struct movable_operations *ops;
	int rc;

	if (!mm_pfn_valid(mm, it->pfn)) {
		ctx->res->skipped++;
		it->state = ITEM_DONE;
		return;
	}
	it->src = mm_pfn_to_page(mm, it->pfn);
	/* Claim first (another CPU's compaction, or the owner freeing it,
	 * may be at the same page), then read the type: stable while claimed,
	 * while before the claim the word may be a free page's list link. */
	if (!page_isolate_claim(it->src)) {
		ctx->res->skipped++; /* freed, never movable, or someone else's */
		it->state = ITEM_DONE;
		return;
	}
	ops = page_movable_ops(mm, it->src);
	rc = ops ? ops->isolate(mm, it->src, ctx->mode) : -EBUSY;
	trace_event(TRACE_ISOLATE, it->pfn, rc);
	if (rc == 0) {
		it->state = ITEM_ISOLATED;
		return;
	}
	if (page_isolate_unclaim(it->src)) { /* the owner gave it up meanwhile */
		free_source(ctx, it->src);
		ctx->res->released++;
		it->state = ITEM_DONE;
	} else if (rc != -EAGAIN) {
		ctx->res->failed++;
		it->state = ITEM_DONE;
	}
}

/* A target for an isolated item; on failure the source goes back. */
static void find_target(struct migrate_ctx *ctx, struct migrate_item *it)
{
	struct mm *mm = ctx->mm;
	unsigned int cpu;
	unsigned long flags;

	if (page_flags(it->src) & PG_released)
		return; /* needs no target */
	flags = mm_irq_save();
	cpu = mm_cpu_id();
	mm->in_migration_alloc[cpu] = true;
	mm_irq_restore(flags);
	it->dst = injected_fault(mm) != INJECT_NONE ? NULL : ctx->alloc(mm, it->src, ctx->priv);
	mm->in_migration_alloc[cpu] = false;
	if (it->dst && (!page_is_head(it->dst) || page_order(it->dst) != page_order(it->src))) {
		mm_stat_inc(mm, bugs);
		mm_bug("%s: migration target for pfn %#lx is not a free head of order %u\n",
		       mm->name, it->pfn, page_order(it->src));
		it->dst = NULL;
	}
	if (!it->dst) {
		ctx->res->no_target++;
		ctx->res->failed++;
		put_back(ctx, it->src);
		it->state = ITEM_DONE;
	}
}

static void release_item(struct migrate_ctx *ctx, struct migrate_item *it)
{
	if (it->dst)
		ctx->free(ctx->mm, it->dst, ctx->priv);
	free_source(ctx, it->src);
	ctx->res->released++;
	it->state = ITEM_DONE;
}

static void migrate_item(struct migrate_ctx *ctx, struct migrate_item *it)
{
	struct mm *mm = ctx->mm;
	enum memdesc_type type = page_type(it->src);
	unsigned int cpu = mm_cpu_id();
	u64 bytes_before = mm->copied_bytes[cpu];
	int rc;

	if (page_flags(it->src) & PG_released) {
		release_item(ctx, it);
		return;
	}
	rc = injected_migrate_rc(mm);
	if (!rc)
		rc = mm->movable_ops[type]->migrate(mm, it->dst, it->src, ctx->mode);
	ctx->res->bytes_copied += mm->copied_bytes[cpu] - bytes_before;
	trace_event(TRACE_MIGRATE, it->pfn, rc);
	if (rc == 0) {
		free_source(ctx, it->src);
		ctx->res->succeeded++;
		ctx->res->by_type[type]++;
		mm_stat_inc(mm, migrate_by_type[type]);
		it->state = ITEM_DONE;
		return;
	}
	if (rc == MIGRATE_KEPT_DST) /* the owner has it now: not ours to free */
		it->dst = NULL;
	if (page_flags(it->src) & PG_released) { /* released during the attempt */
		release_item(ctx, it);
		return;
	}
	if (it->dst)
		ctx->free(mm, it->dst, ctx->priv);
	it->dst = NULL;
	put_back(ctx, it->src);
	if (rc == -EAGAIN) {
		it->state = ITEM_PENDING;
	} else {
		ctx->res->failed++;
		it->state = ITEM_DONE;
	}
}

static unsigned int count_state(const struct migrate_item *items, size_t n, enum item_state s)
{
	unsigned int k = 0;
	size_t i;

	for (i = 0; i < n; i++)
		k += items[i].state == s;
	return k;
}

static void run_batch(struct migrate_ctx *ctx, struct migrate_item *items, size_t n)
{
	unsigned int passes = ctx->mode == MIGRATE_SYNC ? MIGRATE_SYNC_PASSES : MIGRATE_ASYNC_PASSES;
	unsigned int pass;
	size_t i;

	for (pass = 0; pass < passes; pass++) {
		unsigned int pending = count_state(items, n, ITEM_PENDING);

		if (!pending)
			return;
		if (pass)
			ctx->res->retried += pending;
		for (i = 0; i < n; i++)
			if (items[i].state == ITEM_PENDING)
				isolate_item(ctx, &items[i]);
		for (i = 0; i < n; i++)
			if (items[i].state == ITEM_ISOLATED)
				find_target(ctx, &items[i]);
		for (i = 0; i < n; i++)
			if (items[i].state == ITEM_ISOLATED)
				migrate_item(ctx, &items[i]);
	}
	ctx->res->failed += count_state(items, n, ITEM_PENDING);
}

static void ctx_init(struct migrate_ctx *ctx, struct mm *mm, migrate_alloc_t alloc,
		     migrate_free_t free, void *priv, enum migrate_mode mode,
		     struct migrate_result *res)
{
	ctx->mm = mm;
	ctx->alloc = alloc ? alloc : default_alloc;
	ctx->free = free ? free : default_free;
	ctx->priv = priv;
	ctx->mode = mode;
	ctx->res = res;
	memset(res, 0, sizeof(*res));
}

static int finish(struct migrate_ctx *ctx)
{
	struct mm_stats *st = &ctx->mm->stats;

	mm_stat_add(&st->migrate_success, ctx->res->succeeded);
	mm_stat_add(&st->migrate_fail, ctx->res->failed);
	mm_stat_add(&st->migrate_retry, ctx->res->retried);
	mm_stat_add(&st->migrate_released, ctx->res->released);
	return ctx->res->failed ? -EBUSY : 0;
}

int migrate_pages(struct mm *mm, const unsigned long *pfns, size_t n, migrate_alloc_t alloc,
		  migrate_free_t free, void *priv, enum migrate_mode mode,
		  struct migrate_result *res)
{
	struct migrate_item items[MIGRATE_BATCH];
	struct migrate_ctx ctx;
	size_t done = 0;

	ctx_init(&ctx, mm, alloc, free, priv, mode, res);
	while (done < n) {
		size_t k = MIN(n - done, (size_t)MIGRATE_BATCH), i;

		for (i = 0; i < k; i++)
			items[i] = (struct migrate_item){ .pfn = pfns[done + i] };
		run_batch(&ctx, items, k);
		done += k;
	}
	return finish(&ctx);
}

int migrate_block(struct mm *mm, unsigned long base_pfn, const unsigned long *bitmap,
		  migrate_alloc_t alloc, migrate_free_t free, void *priv, enum migrate_mode mode,
		  struct migrate_result *res)
{
	struct migrate_item items[MIGRATE_BATCH];
	struct migrate_ctx ctx;
	unsigned long bit;
	size_t k = 0;

	ctx_init(&ctx, mm, alloc, free, priv, mode, res);
	if (base_pfn & (PAGEBLOCK_PAGES - 1)) {
		mm_stat_inc(mm, bugs);
		mm_bug("%s: migrate_block base %#lx is not pageblock-aligned\n", mm->name, base_pfn);
		return -EINVAL;
	}
	bitmap_for_each_set_bit(bit, bitmap, MIGRATE_BLOCK_BITS) {
		items[k++] = (struct migrate_item){ .pfn = base_pfn + bit };
		if (k == MIGRATE_BATCH) {
			run_batch(&ctx, items, k);
			k = 0;
		}
	}
	if (k)
		run_batch(&ctx, items, k);
	return finish(&ctx);
}

void migrate_result_add(struct migrate_result *a, const struct migrate_result *b)
{
	unsigned int t;

	a->succeeded += b->succeeded;
	a->failed += b->failed;
	a->retried += b->retried;
	a->released += b->released;
	a->skipped += b->skipped;
	a->no_target += b->no_target;
	a->bytes_copied += b->bytes_copied;
	for (t = 0; t < MEMDESC_TYPES; t++)
		a->by_type[t] += b->by_type[t];
}
