/*
 * The serial monitor: a line-oriented shell on the console. Commands are
 * registered from any file with MONITOR_CMD() (a linker section), so each
 * subsystem adds its own (`meminfo` lives beside the mm code, and so on).
 */
#ifndef KERNEL_MONITOR_H
#define KERNEL_MONITOR_H

#include "include/compiler.h"

#define MONITOR_MAX_ARGS 16
#define MONITOR_LINE_MAX 256

struct monitor_cmd {
	const char *name;
	const char *usage; /* arguments, e.g. "ORDER [movable]" or "" */
	const char *help;  /* one line */
	/* Return 0, or -EINVAL to have the usage line printed. */
	int (*run)(int argc, char **argv);
};

#define MONITOR_CMD(cname, cusage, chelp, fn)                                        \
	static const struct monitor_cmd __monitor_cmd_##fn __used                   \
		__section("monitor_cmds") __aligned(8) = { cname, cusage, chelp, fn }

/* Run one command line; prints its output or an error. Return: the
 * command's result, -ENOENT for an unknown command. */
int monitor_exec(char *line);

/* Read-eval-print loop on the console; never returns. Thread context. */
__attribute__((noreturn)) void monitor_run(void);

#endif
