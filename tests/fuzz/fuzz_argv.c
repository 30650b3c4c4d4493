/*
 * Fuzz the monitor's and the command line's word splitting (lib/argv.c)
 * and the command line parser on top (kernel/cmdline.c). The monitor's
 * dispatch (monitor/monitor.c) needs the kernel's linker-section command
 * table, so it is not built hosted; what it does with a line is
 * argv_split() then a table lookup, and the split is what sees raw input.
 * Invariants: the result is a count within @max, -E2BIG or -EINVAL; every
 * word lies inside the line and is NUL-terminated there; no word keeps a
 * double quote; without quotes, words hold no space or tab and, joined,
 * equal the line without its blanks (space, tab, CR, LF). cmdline_apply() calls setters only
 * with known keys and reports through the callback.
 */
#include <stdlib.h>
#include <string.h>

#include "include/errno.h"
#include "kernel/cmdline.h"
#include "lib/argv.h"
#include "tests/fuzz/fuzz_common.h"

#define MAX_WORDS 16

static unsigned int sets, reports;

static int set_any(const char *value)
{
	FUZZ_CHECK(!value || memchr(value, 0, CMDLINE_MAX + 1), "value not terminated");
	sets++;
	return value && value[0] == 'x' ? -EINVAL : 0;
}

static void warn(const char *msg, void *ctx)
{
	FUZZ_CHECK(msg && memchr(msg, 0, 4096), "report message");
	reports++;
}

static void fuzz_cmdline(const char *line)
{
	static const struct cmdline_param params[] = {
		{ "test", "SUITE: run tests", set_any },
		{ "mem", "SIZE: memory", set_any },
		{ "quiet", "no value", set_any },
	};
	int problems;

	sets = reports = 0;
	problems = cmdline_apply(line, params, 3, warn, NULL);
	FUZZ_CHECK(problems >= 0, "cmdline_apply: %d", problems);
	FUZZ_CHECK(!problems || reports, "%d problems, none reported", problems);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *line, *copy, *argv[MAX_WORDS + 1];
	int max, n, i, quoted;
	size_t len;

	if (!size)
		return 0;
	max = data[0] % (MAX_WORDS + 1);
	data++;
	size--;
	line = malloc(size + 1);
	copy = malloc(size + 1);
	FUZZ_CHECK(line && copy, "malloc");
	memcpy(line, data, size);
	line[size] = 0;
	len = strlen(line);
	memcpy(copy, line, len + 1);
	quoted = memchr(copy, '"', len) != NULL;
	fuzz_cmdline(copy);

	memset(argv, 0, sizeof(argv));
	argv[max] = (char *)1; /* must stay untouched */
	n = argv_split(line, argv, max);
	FUZZ_CHECK(argv[max] == (char *)1, "wrote argv[%d]", max);
	FUZZ_CHECK((n >= 0 && n <= max) || n == -E2BIG || n == -EINVAL, "argv_split: %d", n);
	FUZZ_CHECK(n != -EINVAL || quoted, "-EINVAL without a quote");
	if (n >= 0) {
		char *joined = malloc(2 * len + 1), *j = joined;
		size_t k;

		FUZZ_CHECK(joined, "malloc");
		for (i = 0; i < n; i++) {
			FUZZ_CHECK(argv[i] >= line && argv[i] <= line + len, "word %d outside", i);
			FUZZ_CHECK(!strchr(argv[i], '"'), "word %d keeps a quote", i);
			if (!quoted) {
				FUZZ_CHECK(argv[i][0] && !strpbrk(argv[i], " \t\n\r"), "word %d: '%s'", i,
					   argv[i]);
				j += strlen(strcpy(j, argv[i]));
			}
		}
		if (!quoted) {
			for (k = 0; k < len; k++)
				if (!strchr(" \t\n\r", copy[k]))
					*j++ = copy[k];
			*j = 0;
			/* joined = words then the blank-free line: halves must match */
			FUZZ_CHECK(strlen(joined) % 2 == 0 &&
					   !memcmp(joined, joined + strlen(joined) / 2, strlen(joined) / 2),
				   "words do not rebuild the line");
		}
		free(joined);
	}
	free(line);
	free(copy);
	return 0;
}
