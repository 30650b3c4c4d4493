/*
 * Reporting for the invariant checkers (mm_check, slab_check, mslab_check):
 * every violation is counted, the first CHECK_LOG_MAX are logged as
 * "CHECKER NAME: message", and check_log_finish() says how many more
 * there were.
 */
#ifndef MM_CHECK_LOG_H
#define MM_CHECK_LOG_H

#include "include/compiler.h"

#define CHECK_LOG_MAX 20

struct check_log {
	const char *checker;     /* "mm_check" */
	const char *name;        /* the instance checked */
	unsigned int violations;
};

__printf(2, 3) void check_fail(struct check_log *log, const char *fmt, ...);
void vcheck_fail(struct check_log *log, const char *fmt, va_list ap);

/* Log the count of violations not shown. Return: all violations. */
unsigned int check_log_finish(const struct check_log *log);

#endif
