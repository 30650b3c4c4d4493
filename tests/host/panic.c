/*
 * panic() for every host program (test runner, benchmarks, simulation): mm/
 * and lib/ call it on a broken invariant. It prints to stderr and aborts, so
 * ASan/UBSan and a debugger see where the invariant broke.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "include/assert.h"

void panic(const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	fputs("panic: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	abort();
}
