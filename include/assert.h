/*
 * Invariant checks. panic() is provided by each environment: the kernel's
 * prints registers and a backtrace and stops; the host build's prints and
 * aborts. BUG_ON() and assert() are always compiled in: an mm invariant that
 * breaks must stop the machine before it corrupts more state.
 */
#ifndef INCLUDE_ASSERT_H
#define INCLUDE_ASSERT_H

#include "include/compiler.h"

__noreturn __printf(1, 2) void panic(const char *fmt, ...);

#define BUG_ON(cond)                                                      \
	do {                                                              \
		if (unlikely(cond))                                       \
			panic("BUG at %s:%d (%s): %s", __FILE__, __LINE__, \
			      __func__, #cond);                           \
	} while (0)

#define assert(cond)                                                        \
	do {                                                                \
		if (unlikely(!(cond)))                                      \
			panic("assertion failed at %s:%d (%s): %s", __FILE__, \
			      __LINE__, __func__, #cond);                   \
	} while (0)

/* Like assert(), with a message that carries the offending values. */
#define ASSERT_MSG(cond, fmt, ...)                                            \
	do {                                                                  \
		if (unlikely(!(cond)))                                        \
			panic("%s:%d (%s): %s: " fmt, __FILE__, __LINE__,     \
			      __func__, #cond, ##__VA_ARGS__);                \
	} while (0)

#define static_assert _Static_assert

#endif
