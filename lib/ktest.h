/*
 * ktest: one unit-test framework for two places. A test file beside its
 * module (lib/xarray_test.c) registers suites in the "ktest_suites" linker
 * section; the same object runs in the kernel (KTAP over serial) and in the
 * host runner (tests/host, under ASan+UBSan), both printing KTAP v1 as KUnit
 * does. Cases get a struct ktest and report through the KTEST_EXPECT_* (go
 * on) and KTEST_ASSERT_* (return from the case) macros, which print file:line,
 * the expression's source text and both values.
 *
 * The environment supplies ktest_write() (where output goes). Suites may
 * carry init/exit hooks; a failing init fails every case of the suite.
 */
#ifndef LIB_KTEST_H
#define LIB_KTEST_H

#include "include/compiler.h"

/* State of the case being run; passed to every case. */
struct ktest {
	const char *name;        /* case name */
	unsigned int failures;   /* expectations that failed so far */
	const char *skip_reason; /* non-NULL: case skipped */
};

struct ktest_case {
	const char *name;
	void (*run)(struct ktest *t);
};

struct ktest_suite {
	const char *name;
	const struct ktest_case *cases; /* terminated by an entry with run == NULL */
	int (*init)(void);              /* optional: 0 or -errno */
	void (*exit)(struct ktest *t);  /* optional: may record a failure (e.g. a check) */
};

/* Totals of one ktest_run(). */
struct ktest_totals {
	unsigned int suites;
	unsigned int passed;
	unsigned int failed;
	unsigned int skipped;
};

#define KTEST_CASE(fn) { #fn, fn }
#define KTEST_END { NULL, NULL }

#define KTEST_SUITE_FULL(sname, case_array, init_fn, exit_fn)                \
	static const struct ktest_suite __ktest_suite_##sname                \
		__used __section("ktest_suites") __aligned(8) = {             \
			#sname, case_array, init_fn, exit_fn                 \
		}
#define KTEST_SUITE(sname, case_array) KTEST_SUITE_FULL(sname, case_array, NULL, NULL)

/*
 * ktest_run - run every registered suite whose name matches @filter.
 * @filter: "all", NULL, or a comma-separated list of suite names.
 * @totals: filled with the case counts (leaf cases, not suites).
 * Return: the number of failed cases.
 */
unsigned int ktest_run(const char *filter, struct ktest_totals *totals);

/*
 * ktest_set_global_exit - run @fn after every suite (after the suite's own
 * exit hook), reported as part of the "suite_exit_checks" case: the kernel
 * uses it to prove mm invariants hold after each suite.
 */
void ktest_set_global_exit(void (*fn)(struct ktest *test));

/* Number of registered suites, and whether one named @name exists. */
unsigned int ktest_suite_count(void);
bool ktest_suite_exists(const char *name, size_t len);

/* Provided by the environment: write @len bytes of KTAP output. */
void ktest_write(const char *s, size_t len);

/* Print a KTAP diagnostic line ("# ...") for the running case. */
__printf(2, 3) void ktest_diag(struct ktest *test, const char *fmt, ...);

/* Record a failed expectation; used by the macros below. */
__printf(4, 5) void ktest_fail(struct ktest *test, const char *file, int line,
			       const char *fmt, ...);

#define KTEST_SKIP(t, reason)              \
	do {                               \
		(t)->skip_reason = (reason); \
		return;                    \
	} while (0)

/* Each operand is evaluated once and compared in its own type, with C's
 * usual conversions (so unsigned values above LLONG_MAX compare correctly);
 * -Wsign-compare is off inside because a literal such as 3 stops being a
 * constant once copied. Both values are printed signed and in hex. */
#define __KTEST_CMP(t, a, op, b, on_fail)                                           \
	do {                                                                        \
		__auto_type __a = (a);                                              \
		__auto_type __b = (b);                                              \
		_Pragma("GCC diagnostic push")                                      \
		_Pragma("GCC diagnostic ignored \"-Wsign-compare\"")              \
		bool __ok = __a op __b;                                             \
		_Pragma("GCC diagnostic pop")                                       \
		if (!__ok) {                                                        \
			ktest_fail(t, __FILE__, __LINE__,                           \
				   "expected %s %s %s, got %lld (0x%llx) vs %lld (0x%llx)", \
				   #a, #op, #b, (long long)__a, (unsigned long long)__a, \
				   (long long)__b, (unsigned long long)__b);        \
			on_fail;                                                    \
		}                                                                   \
	} while (0)

#define __KTEST_TRUE(t, cond, on_fail)                                         \
	do {                                                                   \
		if (!(cond)) {                                                 \
			ktest_fail(t, __FILE__, __LINE__, "expected %s", #cond); \
			on_fail;                                               \
		}                                                              \
	} while (0)

#define __KTEST_STREQ(t, a, b, on_fail)                                              \
	do {                                                                         \
		const char *__a = (a), *__b = (b);                                   \
		if (!ktest_streq(__a, __b)) {                                        \
			ktest_fail(t, __FILE__, __LINE__,                            \
				   "expected %s == %s, got \"%s\" vs \"%s\"", #a, #b, \
				   __a ? __a : "(null)", __b ? __b : "(null)");      \
			on_fail;                                                     \
		}                                                                    \
	} while (0)

bool ktest_streq(const char *a, const char *b);

#define KTEST_EXPECT_TRUE(t, c) __KTEST_TRUE(t, c, (void)0)
#define KTEST_EXPECT_FALSE(t, c) __KTEST_TRUE(t, !(c), (void)0)
#define KTEST_EXPECT_EQ(t, a, b) __KTEST_CMP(t, a, ==, b, (void)0)
#define KTEST_EXPECT_NE(t, a, b) __KTEST_CMP(t, a, !=, b, (void)0)
#define KTEST_EXPECT_LT(t, a, b) __KTEST_CMP(t, a, <, b, (void)0)
#define KTEST_EXPECT_LE(t, a, b) __KTEST_CMP(t, a, <=, b, (void)0)
#define KTEST_EXPECT_GT(t, a, b) __KTEST_CMP(t, a, >, b, (void)0)
#define KTEST_EXPECT_GE(t, a, b) __KTEST_CMP(t, a, >=, b, (void)0)
#define KTEST_EXPECT_PTR_EQ(t, a, b) __KTEST_CMP(t, (uintptr_t)(a), ==, (uintptr_t)(b), (void)0)
#define KTEST_EXPECT_NULL(t, p) __KTEST_CMP(t, (uintptr_t)(p), ==, 0, (void)0)
#define KTEST_EXPECT_NOT_NULL(t, p) __KTEST_CMP(t, (uintptr_t)(p), !=, 0, (void)0)
#define KTEST_EXPECT_STREQ(t, a, b) __KTEST_STREQ(t, a, b, (void)0)

#define KTEST_ASSERT_TRUE(t, c) __KTEST_TRUE(t, c, return)
#define KTEST_ASSERT_FALSE(t, c) __KTEST_TRUE(t, !(c), return)
#define KTEST_ASSERT_EQ(t, a, b) __KTEST_CMP(t, a, ==, b, return)
#define KTEST_ASSERT_NE(t, a, b) __KTEST_CMP(t, a, !=, b, return)
#define KTEST_ASSERT_LT(t, a, b) __KTEST_CMP(t, a, <, b, return)
#define KTEST_ASSERT_LE(t, a, b) __KTEST_CMP(t, a, <=, b, return)
#define KTEST_ASSERT_GT(t, a, b) __KTEST_CMP(t, a, >, b, return)
#define KTEST_ASSERT_GE(t, a, b) __KTEST_CMP(t, a, >=, b, return)
#define KTEST_ASSERT_PTR_EQ(t, a, b) __KTEST_CMP(t, (uintptr_t)(a), ==, (uintptr_t)(b), return)
#define KTEST_ASSERT_NULL(t, p) __KTEST_CMP(t, (uintptr_t)(p), ==, 0, return)
#define KTEST_ASSERT_NOT_NULL(t, p) __KTEST_CMP(t, (uintptr_t)(p), !=, 0, return)
#define KTEST_ASSERT_STREQ(t, a, b) __KTEST_STREQ(t, a, b, return)

#endif
