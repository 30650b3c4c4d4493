/*
 * Reporting for the invariant checkers (mm_check, slab_check, mslab_check):
 * every violation is counted, the first CHECK_REPORT_MAX are logged as
 * "CHECKER NAME: message", and check_report_finish() says how many more
 * there were.
 */
#ifndef MM_CHECK_REPORT_H
#define MM_CHECK_REPORT_H

#include "include/compiler.h"

#define CHECK_REPORT_MAX 20

struct check_report {
	const char *checker;     /* "mm_check" */
	const char *name;        /* the instance checked */
	unsigned int violations;
};

__printf(2, 3) void check_report(struct check_report *r, const char *fmt, ...);
void vcheck_report(struct check_report *r, const char *fmt, va_list ap);

/* Log the count of violations not shown. Return: all violations. */
unsigned int check_report_finish(const struct check_report *r);

#endif
