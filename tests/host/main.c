/*
 * Host test runner: runs the ktest suites linked into this binary (the same
 * lib/ and mm/ test files the kernel runs) and prints KTAP on stdout, nothing
 * else. Usage: hosttest [all | suite[,suite...]]. Exit status 1 when a case
 * failed. panic() prints to stderr and aborts, so ASan/UBSan and a debugger
 * see where an invariant broke.
 */
#include <stdio.h>
#include <stdlib.h>

#include "include/assert.h"
#include "lib/ktest.h"

void ktest_write(const char *s, size_t len)
{
	fwrite(s, 1, len, stdout);
	fflush(stdout);
}

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

int main(int argc, char **argv)
{
	struct ktest_totals totals;
	unsigned int failed = ktest_run(argc > 1 ? argv[1] : "all", &totals);

	return failed ? 1 : 0;
}
