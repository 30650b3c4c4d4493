/*
 * The scriptable TEST owner (see test_owner.h). Its descriptors live in the
 * owner's own array (16-byte aligned); page->memdesc points at them, which is
 * how the callbacks find the script of a page and, through it, the owner.
 * The content pattern is mm/test_pattern.c.
 */
#include "include/errno.h"
#include "mm/migrate.h"
#include "mm/test_owner.h"
#include "mm/test_pattern.h"

static size_t page_bytes(const struct page *page)
{
	return PAGE_SIZE << page_order(page);
}

bool test_owner_content_ok(struct test_owner *owner, const struct test_page *tp)
{
	if (!tp->page)
		return true;
	return test_pattern_ok(mm_page_address(owner->mm, tp->page), page_bytes(tp->page), tp->id);
}

unsigned long test_owner_pfn(const struct test_owner *owner, const struct test_page *tp)
{
	return tp->page ? mm_page_to_pfn(owner->mm, tp->page) : 0;
}

static int next_rc(const int *script, unsigned int n)
{
	return n < TEST_SCRIPT_LEN ? script[n] : 0;
}

static int test_isolate(struct mm *mm, struct page *page, enum migrate_mode mode)
{
	struct test_page *tp = page_memdesc(page);
	struct test_owner *owner = tp->owner;
	int rc = next_rc(tp->isolate_rc, tp->isolates++);

	if (tp->isolated || tp->page != page)
		owner->protocol_errors++;
	if (rc == 0)
		tp->isolated = true;
	return rc;
}

/* A release "right after isolate" is done lazily here, at the next
 * callback (the core claims PG_isolated before isolate and keeps it until
 * after putback). */
static bool released_now(struct mm *mm, struct test_page *tp, struct page *page)
{
	if (tp->release != TEST_RELEASE_AFTER_ISOLATE)
		return false;
	movable_page_release(mm, page);
	tp->page = NULL;
	tp->isolated = false;
	tp->release = TEST_RELEASE_NEVER;
	return true;
}

static int test_migrate(struct mm *mm, struct page *dst, struct page *src, enum migrate_mode mode)
{
	struct test_page *tp = page_memdesc(src);
	struct test_owner *owner = tp->owner;
	int rc;

	if (!tp->isolated || tp->page != src || !page_is_isolated(src))
		owner->protocol_errors++;
	if (released_now(mm, tp, src))
		return -EAGAIN;
	if (tp->release == TEST_RELEASE_IN_MIGRATE) {
		movable_page_release(mm, src);
		tp->page = NULL;
		tp->isolated = false;
		tp->release = TEST_RELEASE_NEVER;
		return -EAGAIN;
	}
	rc = next_rc(tp->migrate_rc, tp->migrates++);
	if (rc)
		return rc;
	migrate_copy_page(mm, dst, src);
	movable_page_init(dst, MEMDESC_TEST, tp);
	tp->page = dst;
	tp->isolated = false;
	if (owner->verify == TEST_VERIFY_CONTENT && !test_owner_content_ok(owner, tp))
		owner->bad_content++;
	return 0;
}

static void test_putback(struct mm *mm, struct page *page)
{
	struct test_page *tp = page_memdesc(page);
	struct test_owner *owner = tp->owner;

	if (!tp->isolated || tp->page != page || !page_is_isolated(page))
		owner->protocol_errors++; /* the core drops its claim after putback */
	tp->isolated = false;
	tp->putbacks++;
}

static const struct movable_operations test_ops = {
	.isolate = test_isolate,
	.migrate = test_migrate,
	.putback = test_putback,
};

int test_owner_init(struct test_owner *owner, struct mm *mm)
{
	owner->mm = mm;
	owner->nr = 0;
	owner->next_id = 0;
	owner->bad_content = 0;
	owner->protocol_errors = 0;
	owner->verify = TEST_VERIFY_CONTENT;
	return movable_ops_register(mm, MEMDESC_TEST, &test_ops);
}

struct test_page *test_owner_alloc(struct test_owner *owner, unsigned int order, gfp_t gfp)
{
	struct test_page *tp = NULL;
	struct page *page;
	unsigned int i;

	for (i = 0; i < owner->nr && !tp; i++) /* reuse a slot whose page is gone */
		if (!owner->pages[i].page)
			tp = &owner->pages[i];
	if (!tp && owner->nr == TEST_OWNER_MAX)
		return NULL;
	page = mm_alloc_pages(owner->mm, order, gfp | GFP_MOVABLE | GFP_NOWARN);
	if (!page)
		return NULL;
	if (!tp)
		tp = &owner->pages[owner->nr++];
	*tp = (struct test_page){ .owner = owner, .id = owner->next_id++, .page = page };
	movable_page_init(page, MEMDESC_TEST, tp);
	test_pattern_fill(mm_page_address(owner->mm, page), page_bytes(page), tp->id);
	return tp;
}

void test_owner_free(struct test_owner *owner, struct test_page *tp)
{
	struct page *page = tp->page;

	if (!page)
		return;
	tp->page = NULL;
	if (movable_page_clear(owner->mm, page)) /* else migration holds it: released */
		mm_free_pages(owner->mm, page, page_order(page));
}
