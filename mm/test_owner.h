/*
 * A scriptable owner of MEMDESC_TEST pages, for tests of the migration
 * engine: each page it owns carries a descriptor saying what the next
 * isolate/migrate calls must return and when to release the page, and the
 * owner verifies the contents of every page it gets back (a checksum of a
 * pattern derived from the page's identity, which survives moves). A
 * benchmark timing the engine turns that check off (TEST_VERIFY_NONE) and
 * calls test_owner_content_ok() itself, outside the timed path.
 */
#ifndef MM_TEST_OWNER_H
#define MM_TEST_OWNER_H

#include "mm/movable.h"

#define TEST_OWNER_MAX 1024
#define TEST_SCRIPT_LEN 4

/* When the owner releases a page (movable_page_release) on its own. */
enum test_release {
	TEST_RELEASE_NEVER,
	TEST_RELEASE_AFTER_ISOLATE, /* right after a successful isolate */
	TEST_RELEASE_IN_MIGRATE,    /* inside migrate, which then fails -EAGAIN */
};

/* What test_migrate checks after its copy (test_owner_init: CONTENT). */
enum test_verify {
	TEST_VERIFY_CONTENT, /* the moved page holds its pattern (else bad_content++) */
	TEST_VERIFY_NONE,    /* nothing: the callback does only what an owner must */
};

struct test_owner;

struct test_page {
	struct test_owner *owner;
	unsigned long id;         /* identity: the content pattern seed */
	struct page *page;        /* where the owner thinks it is (NULL: released) */
	int isolate_rc[TEST_SCRIPT_LEN]; /* results of successive isolates (then 0) */
	int migrate_rc[TEST_SCRIPT_LEN]; /* results of successive migrates (then 0) */
	unsigned int isolates, migrates, putbacks;
	enum test_release release;
	bool isolated;            /* owner's view: given to migration */
} __attribute__((aligned(16)));

struct test_owner {
	struct mm *mm;
	struct test_page pages[TEST_OWNER_MAX];
	unsigned int nr;          /* slots used so far (freed ones are reused) */
	unsigned long next_id;
	unsigned int bad_content; /* pages whose data did not survive */
	unsigned int protocol_errors; /* callbacks called in the wrong state */
	enum test_verify verify;  /* checks in the migrate callback */
};

/* Register the TEST ops with @mm (once per mm; -EBUSY afterwards is fine).
 * The owner starts empty, with verify = TEST_VERIFY_CONTENT. */
int test_owner_init(struct test_owner *owner, struct mm *mm);

/* Allocate a TEST page of @order filled with its pattern. Return: its slot,
 * or NULL when memory is short. */
struct test_page *test_owner_alloc(struct test_owner *owner, unsigned int order, gfp_t gfp);

/* Free the page of @tp (if it still has one); a page isolated by migration
 * is released instead. */
void test_owner_free(struct test_owner *owner, struct test_page *tp);

/* Does @tp's page still hold its pattern? */
bool test_owner_content_ok(struct test_owner *owner, const struct test_page *tp);

unsigned long test_owner_pfn(const struct test_owner *owner, const struct test_page *tp);

#endif
