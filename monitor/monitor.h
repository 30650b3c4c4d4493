/*
 * The serial monitor: a line-oriented shell on the console. Commands are
 * registered from any file with MONITOR_CMD() (a linker section), so each
 * subsystem adds its own (`meminfo` lives beside the mm code, and so on).
 */
#ifndef MONITOR_MONITOR_H
#define MONITOR_MONITOR_H

#include "drivers/serial.h"
#include "include/compiler.h"
#include "include/types.h"

#define MONITOR_MAX_ARGS 16
#define MONITOR_LINE_MAX 256

#define MONITOR_ARGS_ANY 255 /* max_args: as many as fit a line */

struct monitor_cmd {
	const char *name;
	u8 min_args, max_args; /* arguments after the name; the dispatcher checks */
	const char *usage; /* arguments, e.g. "ORDER [movable]" or "" */
	const char *help;  /* one line */
	/* Called with min_args <= argc - 1 <= max_args. Return 0, or -EINVAL
	 * to have the usage line printed. */
	int (*run)(int argc, char **argv);
};

/* Register command @cname taking @cmin..@cmax arguments. */
#define MONITOR_CMD(cname, cmin, cmax, cusage, chelp, fn)                            \
	static const struct monitor_cmd __monitor_cmd_##fn __used                   \
		__section("monitor_cmds") __aligned(8) = { cname, cmin, cmax, cusage, chelp, fn }

/* Run one command line; prints its output or an error. Return: the
 * command's result, -ENOENT for an unknown command. */
int monitor_exec(char *line);

/*
 * monitor_run - read-eval-print loop on @port; never returns. The calling
 * thread's kprintf output goes to @port from then on.
 * Context: thread context; one thread per port.
 */
__attribute__((noreturn)) void monitor_run(enum serial_port port);

/*
 * monitor_start_port - start a thread running the monitor on @port (COM2;
 * COM1 is the main thread's, see monitor_run()).
 * Return: 0, -EINVAL for COM1 or a bad port, -ENODEV when the UART is
 * absent, -ENOMEM when no thread can be created.
 * Context: thread context, after the scheduler and interrupts are up.
 */
int monitor_start_port(enum serial_port port);

#endif
