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

static size_t page_bytes(const struct page *p)
{
	return PAGE_SIZE << page_order(p);
}

bool test_owner_content_ok(struct test_owner *o, const struct test_page *tp)
{
	if (!tp->page)
		return true;
	return test_pattern_ok(mm_page_address(o->mm, tp->page), page_bytes(tp->page), tp->id);
}

unsigned long test_owner_pfn(const struct test_owner *o, const struct test_page *tp)
{
	return tp->page ? mm_page_to_pfn(o->mm, tp->page) : 0;
}

static int next_rc(const int *script, unsigned int n)
{
	return n < TEST_SCRIPT_LEN ? script[n] : 0;
}

static int test_isolate(struct mm *mm, struct page *page, enum migrate_mode mode)
{
	struct test_page *tp = page_memdesc(page);
	struct test_owner *o = tp->owner;
	int rc = next_rc(tp->isolate_rc, tp->isolates++);

	if (tp->isolated || tp->page != page)
		o->protocol_errors++;
	if (rc == 0)
		tp->isolated = true;
	return rc;
}

/* The core sets PG_isolated after isolate returns, so a release "right
 * after isolate" is done lazily here, at the next callback. */
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
	struct test_owner *o = tp->owner;
	int rc;

	if (!tp->isolated || tp->page != src || !page_is_isolated(src))
		o->protocol_errors++;
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
	if (o->verify == TEST_VERIFY_CONTENT && !test_owner_content_ok(o, tp))
		o->bad_content++;
	return 0;
}

static void test_putback(struct mm *mm, struct page *page)
{
	struct test_page *tp = page_memdesc(page);
	struct test_owner *o = tp->owner;

	if (!tp->isolated || tp->page != page || page_is_isolated(page))
		o->protocol_errors++;
	tp->isolated = false;
	tp->putbacks++;
}

static const struct movable_operations test_ops = {
	.isolate = test_isolate,
	.migrate = test_migrate,
	.putback = test_putback,
};

int test_owner_init(struct test_owner *o, struct mm *mm)
{
	o->mm = mm;
	o->nr = 0;
	o->next_id = 0;
	o->bad_content = 0;
	o->protocol_errors = 0;
	o->verify = TEST_VERIFY_CONTENT;
	return movable_ops_register(mm, MEMDESC_TEST, &test_ops);
}

struct test_page *test_owner_alloc(struct test_owner *o, unsigned int order, gfp_t gfp)
{
	struct test_page *tp = NULL;
	struct page *p;
	unsigned int i;

	for (i = 0; i < o->nr && !tp; i++) /* reuse a slot whose page is gone */
		if (!o->pages[i].page)
			tp = &o->pages[i];
	if (!tp && o->nr == TEST_OWNER_MAX)
		return NULL;
	p = mm_alloc_pages(o->mm, order, gfp | GFP_MOVABLE | GFP_NOWARN);
	if (!p)
		return NULL;
	if (!tp)
		tp = &o->pages[o->nr++];
	*tp = (struct test_page){ .owner = o, .id = o->next_id++, .page = p };
	movable_page_init(p, MEMDESC_TEST, tp);
	test_pattern_fill(mm_page_address(o->mm, p), page_bytes(p), tp->id);
	return tp;
}

void test_owner_free(struct test_owner *o, struct test_page *tp)
{
	struct page *p = tp->page;

	if (!p)
		return;
	tp->page = NULL;
	if (page_is_isolated(p)) {
		movable_page_release(o->mm, p);
		return;
	}
	p->flags &= ~PG_movable;
	mm_free_pages(o->mm, p, page_order(p));
}
