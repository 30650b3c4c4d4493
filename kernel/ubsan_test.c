/*
 * The UBSAN runtime reports (kernel/ubsan.c): in a `make UBSAN=1` kernel a
 * signed overflow, an out-of-bounds index and a misaligned load each print
 * one line and count once per site. Skipped in other kernels. The lines
 * these cases print name this file, which the test stage expects.
 */
#include "include/types.h"
#include "lib/ktest.h"

extern unsigned long ubsan_warnings;

#ifdef CONFIG_UBSAN
static __noinline int overflow(int a) { return a + 1; }
static __noinline int index_into(int i)
{
	int a[4] = { 1, 2, 3, 4 };

	return a[i];
}
static __noinline u64 load(const u8 *p) { return *(const u64 *)p; }
#endif

#ifdef CONFIG_UBSAN
/* Read after the sink store (both volatile, so in order): the compiler
 * treats the handlers as touching no memory of ours. */
static unsigned long reports(void) { return *(volatile unsigned long *)&ubsan_warnings; }
#endif

static void ubsan_warns_once_per_site(struct ktest *test)
{
#ifdef CONFIG_UBSAN
	static u64 words[2];
	volatile int big = 0x7fffffff, four = 4, sink;
	volatile u64 sink64;
	unsigned long before = reports(), now;

	sink = overflow(big);
	KTEST_EXPECT_EQ(test, reports(), before + 1);
	sink = overflow(big); /* the same site: not again */
	KTEST_EXPECT_EQ(test, reports(), before + 1);
	sink = index_into(four); /* bounds, and object size with some compilers */
	KTEST_EXPECT_GT(test, reports(), before + 1);
	now = reports();
	sink64 = load((const u8 *)words + 1);
	KTEST_EXPECT_EQ(test, reports(), now + 1);
	(void)sink;
	(void)sink64;
#else
	(void)ubsan_warnings;
	KTEST_SKIP(test, "not a UBSAN=1 kernel");
#endif
}

static const struct ktest_case ubsan_cases[] = {
	KTEST_CASE(ubsan_warns_once_per_site),
	KTEST_END,
};
KTEST_SUITE(ubsan, ubsan_cases);
