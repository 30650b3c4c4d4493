/*
 * Monitor shell: reads lines from the serial port (echoing, with backspace
 * and Ctrl-U), splits them into words and dispatches to the registered
 * command. Runs in the "main" thread after boot; sleeps while no input.
 */
#include "kernel/monitor.h"
#include "drivers/qemu_exit.h"
#include "drivers/serial.h"
#include "include/errno.h"
#include "kernel/printk.h"
#include "kernel/sched.h"
#include "kernel/time.h"
#include "kernel/version.h"
#include "lib/argv.h"
#include "lib/printf.h"
#include "lib/string.h"

extern const struct monitor_cmd __start_monitor_cmds[];
extern const struct monitor_cmd __stop_monitor_cmds[];

static const struct monitor_cmd *find_cmd(const char *name)
{
	const struct monitor_cmd *c;

	for (c = __start_monitor_cmds; c < __stop_monitor_cmds; c++)
		if (strcmp(c->name, name) == 0)
			return c;
	return NULL;
}

int monitor_exec(char *line)
{
	char *argv[MONITOR_MAX_ARGS];
	const struct monitor_cmd *cmd;
	int argc = argv_split(line, argv, MONITOR_MAX_ARGS), err;

	if (argc == -E2BIG) {
		kprintf("error: too many arguments (at most %d)\n", MONITOR_MAX_ARGS - 1);
		return -E2BIG;
	}
	if (argc < 0) {
		kprintf("error: unterminated quote\n");
		return argc;
	}
	if (argc == 0)
		return 0;
	cmd = find_cmd(argv[0]);
	if (!cmd) {
		kprintf("error: unknown command '%s'; type 'help' for the list\n", argv[0]);
		return -ENOENT;
	}
	err = cmd->run(argc, argv);
	if (err == -EINVAL)
		kprintf("usage: %s %s\n", cmd->name, cmd->usage);
	return err;
}

/* Read one line with echo and simple editing into @buf. */
static void read_line(char *buf, size_t size)
{
	size_t len = 0;

	for (;;) {
		int c = serial_getc_wait();

		if (c == '\r' || c == '\n') {
			console_write("\n", 1);
			buf[len] = '\0';
			return;
		}
		if (c == 0x7f || c == '\b') { /* backspace */
			if (len) {
				len--;
				console_write("\b \b", 3);
			}
		} else if (c == 0x15) { /* Ctrl-U: kill the line */
			while (len) {
				len--;
				console_write("\b \b", 3);
			}
		} else if (c >= 0x20 && c < 0x7f && len + 1 < size) {
			char ch = (char)c;

			buf[len++] = ch;
			console_write(&ch, 1);
		}
	}
}

void monitor_run(void)
{
	static char line[MONITOR_LINE_MAX];

	for (;;) {
		console_write("> ", 2);
		read_line(line, sizeof(line));
		monitor_exec(line);
	}
}

static int cmd_help(int argc, char **argv)
{
	const struct monitor_cmd *c;

	(void)argv;
	if (argc != 1)
		return -EINVAL;
	for (c = __start_monitor_cmds; c < __stop_monitor_cmds; c++) {
		char left[48];

		snprintf(left, sizeof(left), "%s %s", c->name, c->usage);
		kprintf("  %-28s %s\n", left, c->help);
	}
	return 0;
}
MONITOR_CMD("help", "", "list the commands", cmd_help);

static int cmd_version(int argc, char **argv)
{
	(void)argv;
	if (argc != 1)
		return -EINVAL;
	kprintf("%s\n", kernel_version_string);
	return 0;
}
MONITOR_CMD("version", "", "kernel version and build", cmd_version);

static int cmd_uptime(int argc, char **argv)
{
	u64 us = time_us();

	(void)argv;
	if (argc != 1)
		return -EINVAL;
	kprintf("up %lu.%06lu s, %lu ticks, %lu context switches\n", us / 1000000, us % 1000000,
		ticks, sched_switches());
	return 0;
}
MONITOR_CMD("uptime", "", "time since boot, timer ticks, context switches", cmd_uptime);

static int cmd_threads(int argc, char **argv)
{
	(void)argv;
	if (argc != 1)
		return -EINVAL;
	sched_dump();
	return 0;
}
MONITOR_CMD("threads", "", "list kernel threads", cmd_threads);

static int cmd_poweroff(int argc, char **argv)
{
	(void)argv;
	if (argc != 1)
		return -EINVAL;
	kprintf("powering off\n");
	machine_poweroff(QEMU_EXIT_SUCCESS);
}
MONITOR_CMD("poweroff", "", "power the machine off (exits QEMU)", cmd_poweroff);
