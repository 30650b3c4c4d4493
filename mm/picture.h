/*
 * The physical-memory map: one character per 2 MiB pageblock saying who
 * holds it, for the `picture` monitor command, the host simulation and the
 * benchmark pictures. Hostable: only mm/ and lib/.
 *
 * Kinds (decided from the pages' own descriptors, per pageblock):
 *   .  free       every page free (buddy, per-cpu cache, or taken for a free
 *                 page report)
 *   M  movable    every used page can be migrated by compaction: MAPPED
 *                 pages and any page with PG_movable whose type has no
 *                 letter of its own (test pages). A KERNEL page in a
 *                 MOVABLE pageblock is not movable (no one can move it): U.
 *   U  unmovable  KERNEL, PGTABLE, SLAB, STACK pages, movable-less TEST pages
 *   B  balloon    BALLOON pages (inflated, given to the host)
 *   S  mslab      MSLAB pages (movable objects)
 *   X  mixed      used pages of more than one of U, M, B, S
 *   R  reserved   more than half the pageblock reserved (gaps, kernel
 *                 image, mem_map: PG_reserved or RESERVED pages; PFNs past
 *                 the zone's end count as gaps), or reserved pages and
 *                 nothing else used
 * Free pages are ignored once anything in the block is used; a reserved
 * minority is ignored once an owner kind is present.
 *
 * Output of picture_print (the format tools and tests parse):
 *   0x0000000000 MMMM....UUXX...(64 characters, the last row may be shorter)
 *   legend: . free  M movable  U unmovable  B balloon  S mslab  X mixed  R reserved
  *   picture: 256 pageblocks of 2 MiB: . free 12, M movable 100, U unmovable 3, ...
 * The row prefix is the physical address of the row's first pageblock
 * (10 hex digits). With PICTURE_COLOR each character gets an ANSI colour, and
 * every row and the legend end with a reset (ESC[0m).
 *
 * Locking: each pageblock is walked under the zone lock, so free blocks
 * cannot move under the walk; a map of a busy mm is still a snapshot (a
 * block drawn early may have changed by the last row). Nothing is written.
 */
#ifndef MM_PICTURE_H
#define MM_PICTURE_H

#include "mm/mm.h"

enum picture_kind {
	PICTURE_FREE,
	PICTURE_MOVABLE,
	PICTURE_UNMOVABLE,
	PICTURE_BALLOON,
	PICTURE_MSLAB,
	PICTURE_MIXED,
	PICTURE_RESERVED,
	PICTURE_KINDS,
};

#define PICTURE_ROW_BLOCKS 64 /* pageblocks per printed row */

enum picture_style {
	PICTURE_PLAIN,
	PICTURE_COLOR, /* ANSI colours, reset at the end of each line */
};

/* The character of @kind ('.', 'M', 'U', 'B', 'S', 'X', 'R'). */
char picture_kind_char(enum picture_kind kind);

/* The lower-case name of @kind ("free", "movable", ...). */
const char *picture_kind_name(enum picture_kind kind);

/*
 * picture_classify_block - the kind of the pageblock with index @block
 * (0 = the pageblock holding mm->base_pfn), by the rules above.
 * Return: the kind; PICTURE_RESERVED for an index past the zone.
 * Context: any; takes the zone lock for the pageblock.
 */
enum picture_kind picture_classify_block(struct mm *mm, unsigned long block);

/*
 * picture_classify - write the characters of pageblocks [@first, @first + @nr)
 * into @out (no terminator), counting each kind into @counts (may be NULL;
 * counts are added to, not reset).
 * Context: any; takes the zone lock once per pageblock.
 */
void picture_classify(struct mm *mm, unsigned long first, unsigned long nr, char *out,
		  unsigned long counts[PICTURE_KINDS]);

/* Called with each line of output, without the newline. */
typedef void (*picture_emit_fn)(void *priv, const char *line);

/*
 * picture_print - draw the whole map of @mm: the rows, the legend line and the
 * counts line, each passed to @emit.
 * @style: PICTURE_PLAIN or PICTURE_COLOR.
 * @counts: receives the count of each kind (may be NULL).
 * Context: thread context (a line buffer on the stack); the zone lock is
 * taken per pageblock, never while @emit runs.
 */
void picture_print(struct mm *mm, enum picture_style style, picture_emit_fn emit, void *priv,
	       unsigned long counts[PICTURE_KINDS]);

#endif
