/*
 * Monitor shell: reads lines from a serial port (echoing, with backspace,
 * Ctrl-U and up/down-arrow history), splits them into words and dispatches
 * to the registered command (MONITOR_CMD, one file per subsystem in
 * monitor/; `help` is the dispatcher's own). One monitor per port: COM1 (the console) runs
 * in the "main" thread after boot, COM2 (for scripts, tools/monitor.py) in
 * its own thread; each sleeps while it has no input.
 *
 * Each monitor owns a session (its port, line buffer and history ring) and
 * sets its thread's console port, so a command's kprintf output goes back to
 * the port it was typed on. Threads are cooperative: a command runs to
 * completion unless it sleeps, so the two monitors interleave only where a
 * command waits.
 */
#include "monitor/monitor.h"
#include "drivers/serial.h"
#include "include/errno.h"
#include "kernel/printk.h"
#include "kernel/sched.h"
#include "lib/argv.h"
#include "lib/printf.h"
#include "lib/string.h"

#define MONITOR_HISTORY 16 /* past lines remembered per session */

#define KEY_CTRL_U 0x15
#define KEY_ESC 0x1b
#define KEY_DEL 0x7f

/* Where an ANSI escape sequence being received has got to. */
enum escape_state {
	ESC_NONE,   /* plain input */
	ESC_START,  /* got ESC */
	ESC_CSI,    /* got ESC [ (or ESC O): parameters until a final byte */
};

/*
 * One monitor's state, touched only by its own thread. The history is a
 * ring: entry (history_next - 1) % MONITOR_HISTORY is the newest of
 * history_count lines. browse is how many entries back the line being
 * edited was recalled from (0: the user's own draft, saved in draft).
 */
struct monitor_session {
	enum serial_port port;
	char line[MONITOR_LINE_MAX];
	size_t len;
	char history[MONITOR_HISTORY][MONITOR_LINE_MAX];
	unsigned int history_next;
	unsigned int history_count;
	unsigned int browse;
	char draft[MONITOR_LINE_MAX];
	enum escape_state escape;
};

static struct monitor_session sessions[SERIAL_NR_PORTS];

extern const struct monitor_cmd __start_monitor_cmds[];
extern const struct monitor_cmd __stop_monitor_cmds[];

static const struct monitor_cmd *find_cmd(const char *name)
{
	const struct monitor_cmd *cmd;

	for (cmd = __start_monitor_cmds; cmd < __stop_monitor_cmds; cmd++)
		if (strcmp(cmd->name, name) == 0)
			return cmd;
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
	if (argc - 1 < cmd->min_args || argc - 1 > cmd->max_args) {
		kprintf("usage: %s %s\n", cmd->name, cmd->usage);
		return -EINVAL;
	}
	err = cmd->run(argc, argv);
	if (err == -EINVAL)
		kprintf("usage: %s %s\n", cmd->name, cmd->usage);
	return err;
}

/* Erase the edited line from the terminal and forget it. */
static void line_erase(struct monitor_session *session)
{
	while (session->len) {
		session->len--;
		console_write("\b \b", 3);
	}
}

/* Replace the edited line with @text and draw it. */
static void line_replace(struct monitor_session *session, const char *text)
{
	line_erase(session);
	session->len = strlcpy(session->line, text, sizeof(session->line));
	if (session->len >= sizeof(session->line))
		session->len = sizeof(session->line) - 1;
	console_write(session->line, session->len);
}

static const char *history_entry(const struct monitor_session *session, unsigned int back)
{
	return session->history[(session->history_next + MONITOR_HISTORY - back) % MONITOR_HISTORY];
}

/* Remember the finished line, unless it is empty or repeats the newest. */
static void history_add(struct monitor_session *session)
{
	if (!session->len || (session->history_count && !strcmp(history_entry(session, 1), session->line)))
		return;
	strlcpy(session->history[session->history_next], session->line, MONITOR_LINE_MAX);
	session->history_next = (session->history_next + 1) % MONITOR_HISTORY;
	if (session->history_count < MONITOR_HISTORY)
		session->history_count++;
}

/* Up arrow: recall the next older line (the draft is kept for Down). */
static void history_older(struct monitor_session *session)
{
	if (session->browse == session->history_count)
		return;
	if (session->browse == 0) {
		session->line[session->len] = '\0';
		strlcpy(session->draft, session->line, sizeof(session->draft));
	}
	session->browse++;
	line_replace(session, history_entry(session, session->browse));
}

/* Down arrow: recall the next newer line, ending at the draft. */
static void history_newer(struct monitor_session *session)
{
	if (session->browse == 0)
		return;
	session->browse--;
	line_replace(session, session->browse ? history_entry(session, session->browse) : session->draft);
}

/*
 * Feed one byte of an escape sequence. ESC [ A and ESC [ B (or ESC O A/B)
 * walk the history; every other CSI sequence (arrows left/right, Home,
 * F-keys with parameters) is swallowed up to its final byte (0x40-0x7e).
 * Return: true when @c was consumed by the sequence.
 */
static bool escape_feed(struct monitor_session *session, int c)
{
	switch (session->escape) {
	case ESC_NONE:
		if (c != KEY_ESC)
			return false;
		session->escape = ESC_START;
		return true;
	case ESC_START:
		if (c == '[' || c == 'O') {
			session->escape = ESC_CSI;
			return true;
		}
		session->escape = ESC_NONE; /* a lone ESC: drop it, handle @c normally */
		return c == KEY_ESC ? escape_feed(session, c) : false;
	case ESC_CSI:
		if (c < 0x40 || c > 0x7e)
			return true; /* parameter or intermediate byte */
		session->escape = ESC_NONE;
		if (c == 'A')
			history_older(session);
		else if (c == 'B')
			history_newer(session);
		return true;
	}
	return false;
}

/* Apply one ordinary input byte to the edited line. */
static void line_edit(struct monitor_session *session, int c)
{
	if (c == KEY_DEL || c == '\b') {
		if (session->len) {
			session->len--;
			console_write("\b \b", 3);
		}
	} else if (c == KEY_CTRL_U) {
		line_erase(session);
	} else if (c >= 0x20 && c < 0x7f && session->len + 1 < sizeof(session->line)) {
		char ch = (char)c;

		session->line[session->len++] = ch;
		console_write(&ch, 1);
	}
}

/* Read one line from the session's port, with echo and editing. */
static void read_line(struct monitor_session *session)
{
	session->len = 0;
	session->browse = 0;
	session->escape = ESC_NONE;
	for (;;) {
		int c = serial_port_getc_wait(session->port);

		if (escape_feed(session, c))
			continue;
		if (c == '\r' || c == '\n') {
			console_write("\n", 1);
			session->line[session->len] = '\0';
			return;
		}
		line_edit(session, c);
	}
}

void monitor_run(enum serial_port port)
{
	struct monitor_session *session = &sessions[port];

	session->port = port;
	thread_set_console(port);
	for (;;) {
		console_write("> ", 2);
		read_line(session);
		history_add(session);
		monitor_exec(session->line);
	}
}

static void monitor_thread(void *arg)
{
	monitor_run((enum serial_port)(unsigned long)arg);
}

int monitor_start_port(enum serial_port port)
{
	if (port == SERIAL_COM1 || port >= SERIAL_NR_PORTS)
		return -EINVAL;
	if (!serial_port_present(port))
		return -ENODEV;
	if (!thread_create("monitor-com2", monitor_thread, (void *)(unsigned long)port))
		return -ENOMEM;
	return 0;
}

static int cmd_help(int argc, char **argv)
{
	const struct monitor_cmd *cmd;

	for (cmd = __start_monitor_cmds; cmd < __stop_monitor_cmds; cmd++) {
		char left[48];

		snprintf(left, sizeof(left), "%s %s", cmd->name, cmd->usage);
		kprintf("  %-28s %s\n", left, cmd->help);
	}
	return 0;
}
MONITOR_CMD("help", 0, 0, "", "list the commands", cmd_help);
