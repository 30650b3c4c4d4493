/*
 * Host test runner: runs the ktest suites linked into this binary (the same
 * lib/ and mm/ test files the kernel runs) and prints KTAP on stdout, nothing
 * else. Usage: hosttest [all | suite[,suite...]]. Exit status 1 when a case
 * failed. panic() is in tests/host/panic.c.
 */
#include <stdio.h>

#include "lib/ktest.h"

void ktest_write(const char *s, size_t len)
{
	fwrite(s, 1, len, stdout);
	fflush(stdout);
}

int main(int argc, char **argv)
{
	struct ktest_totals totals;
	unsigned int failed = ktest_run(argc > 1 ? argv[1] : "all", &totals);

	return failed ? 1 : 0;
}
