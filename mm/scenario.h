/*
 * Fragmentation scenarios and the figures compaction is judged by. Each
 * scenario is versioned by its name: changing what one does means a new
 * name, so published figures stay comparable.
 *
 *   sparse:   fill free memory with MAPPED pages, then in every aligned
 *             group of 4 PFNs free all mapped pages but one chosen by a
 *             fixed-seed PRNG.
 *   standard: sparse, plus ~7% of managed memory as unmovable pages placed
 *             explicitly in a fixed-seed third of the pageblocks.
 *   mixed:    standard, with ~20% of its movable memory as mslab objects
 *             (log-uniform 16..2048 B, 75% freed at random), allocated
 *             before the mapped fill so both kinds interleave.
 *
 * Contents (not in a no-data mm): the build stamps identity patterns into
 * the kept mapped pages and the mixed pool's objects, which
 * frag_scenario_verify checks after compaction has moved them.
 *
 * Figures (see docs/benchmarks.md):
 *   T          the most free 2 MiB blocks any compaction can leave: over
 *              the candidates (pageblocks with no unmovable, pinned,
 *              reserved or isolated page, sorted by used pages ascending),
 *              the largest k such that the used pages of the k cheapest fit
 *              into the free pages outside them. Emptying k blocks needs
 *              512k - free_inside free pages outside, so the condition is
 *              free >= 512k: T = min(candidates, free / 512). Compaction's
 *              free scanner keeps no reserve (it takes any free page as a
 *              target, down to the last), so neither does T. It is an upper
 *              bound because migration keeps the free count, only
 *              candidates can end up free, and a free 2 MiB block is 512
 *              free pages; it holds for what runs after the figures are
 *              taken, which is why frag_compact() packs the owners first.
 *   min_moves  the used pages of those T blocks: no compaction reaching T
 *              moves fewer pages.
 *   gainable   T minus the candidates already free (the blocks compaction
 *              can add); moves and min_moves are both per block gained.
 *   recovered  free blocks of order >= 9, an order-10 block counting 2.
 */
#ifndef MM_SCENARIO_H
#define MM_SCENARIO_H

#include "mm/compaction.h"
#include "mm/mapped.h"
#include "mm/mslab.h"

/* A u64 of each kept mapped page that the scenario never stamps or checks:
 * free for a writer (kernel/mm/mapped_writer.h) while compaction runs. */
#define SCENARIO_SCRATCH_WORD 1

#define SCENARIO_MAX_REGIONS 1024 /* 64 Ki pages each: up to 256 GiB */
#define SCENARIO_REGION_PAGES 65536

struct frag_scenario {
	struct mm *mm;
	const char *name;
	struct mapped_region regions[SCENARIO_MAX_REGIONS];
	unsigned int nr_regions;
	unsigned long mapped_pages;    /* mapped pages kept */
	unsigned long unmovable_head;  /* PFN chain through the pages' private words */
	unsigned long nr_unmovable;
	struct mslab_pool pool;        /* mixed: the mslab objects */
	bool has_pool;
};

struct frag_figures {
	unsigned long T;
	unsigned long min_moves;
	unsigned long gainable;        /* T - candidates free already */
	unsigned long candidates;      /* pageblocks with no unmovable page */
	unsigned long recovered;       /* free 2 MiB blocks now */
	unsigned long free_pages;
};

/* One measured compaction (frag_compact). */
struct frag_run {
	struct pack_result pack;       /* the packing phase, before `before` */
	struct frag_figures before;    /* after packing, before pages move */
	struct compact_result res;     /* the page-migration phase */
	struct frag_figures after;
	unsigned long gained;          /* after.recovered - before.recovered, or 0 */
	bool over_bound;               /* after.recovered > before.T: T is wrong */
};

/* Names of the scenarios, NULL-terminated. */
extern const char *const frag_scenario_names[];

/*
 * frag_scenario_build - fragment @mm as the scenario @name says.
 * Return: 0, -EINVAL for an unknown name, -ENOMEM when the scenario could
 * not be built (everything undone).
 * Context: thread context; registers MAPPED ops with @mm if needed.
 */
int frag_scenario_build(struct frag_scenario *scenario, struct mm *mm, const char *name);

/* Free everything the scenario holds. */
void frag_scenario_destroy(struct frag_scenario *scenario);

/* What frag_scenario_verify found. */
struct frag_verify {
	unsigned long mapped_pages;    /* kept mapped pages walked */
	unsigned long mapped_bad;      /* wrong owner slot or contents */
	unsigned long mslab_objects;   /* live objects of the mixed pool */
	unsigned long mslab_bad;       /* wrong size or contents */
};

/*
 * frag_scenario_verify - walk every kept mapped page and every object of
 * the mixed scenario's mslab pool and check that it still holds what the
 * build stamped into it (mapped pages: STAMP_WORDS identity words and the
 * slot in the page's memdesc; objects: every byte; a no-data mm: the tag in
 * private only). Pages that are migrating are waited for.
 * Context: thread context; nobody else frees the scenario's memory.
 */
void frag_scenario_verify(struct frag_scenario *scenario, struct frag_verify *verify);

/* Compute the figures for @mm now (drains the per-cpu caches). */
void frag_figures(struct mm *mm, struct frag_figures *figures);

/*
 * frag_compact - compact @mm in two measured phases: the owners' packing
 * (compact_pack), then the figures, compact_zone(@order, @mode, explicit),
 * and the figures again; the one way the monitor, the simulation, the
 * tests and the benchmarks measure a compaction. run->over_bound reports a
 * result above T (a bug in T's definition, never tolerated by a test).
 * Context: thread context.
 */
void frag_compact(struct mm *mm, unsigned int order, enum migrate_mode mode,
		  struct frag_run *run);

/* recovered as defined above. */
unsigned long frag_free_2m_blocks(struct mm *mm);

#endif
