/*
 * printk and the console. One lock (IRQ-saving) serialises whole lines so
 * output from interrupt handlers never interleaves mid-line. Lines are
 * formatted into a stack buffer first; an over-long message is truncated and
 * marked with "...".
 *
 * The log (printk) always goes to COM1. Unprefixed output (kprintf,
 * console_write) goes to the calling thread's console port
 * (thread_console()), so each monitor's commands answer on the port they
 * were typed on; line_start only tracks COM1, where the prefixes go.
 */
#include "kernel/printk.h"
#include "drivers/serial.h"
#include "include/assert.h"
#include "include/errno.h"
#include "kernel/cmdline.h"
#include "kernel/sched.h"
#include "kernel/spinlock.h"
#include "kernel/time.h"
#include "lib/printf.h"
#include "lib/string.h"

static struct spinlock console_lock = SPINLOCK_INIT("console");
static int console_loglevel = LOG_INFO;
static bool console_unlocked; /* after panic: no locking */
static bool line_start = true;

void printk_set_level(int level) { console_loglevel = level; }
int printk_get_level(void) { return console_loglevel; }
void console_break_locks(void) { console_unlocked = true; }

/* The console lock is held, or panic broke the locks (it may hold none). */
static void assert_console_locked(void)
{
	ASSERT_MSG(console_unlocked || spin_held(&console_lock), "console lock not held");
}

static void console_write_port_locked(unsigned int port, const char *s, size_t len)
{
	assert_console_locked();
	serial_port_write((enum serial_port)port, s, len);
	if (port == SERIAL_COM1 && len)
		line_start = s[len - 1] == '\n';
}

static void console_write_locked(const char *s, size_t len)
{
	assert_console_locked();
	console_write_port_locked(SERIAL_COM1, s, len);
}

void console_write(const char *s, size_t len)
{
	unsigned int port = thread_console();
	unsigned long flags;

	if (console_unlocked) {
		console_write_port_locked(SERIAL_COM1, s, len);
		return;
	}
	flags = spin_lock_irqsave(&console_lock);
	console_write_port_locked(port, s, len);
	spin_unlock_irqrestore(&console_lock, flags);
}

/* Format @fmt into @buf; marks truncation. Returns the length stored. */
static size_t format_line(char *buf, size_t size, const char *fmt, va_list ap)
{
	int n = vsnprintf(buf, size, fmt, ap);

	if (n < 0)
		return 0;
	if ((size_t)n >= size) {
		buf[size - 5] = '.';
		buf[size - 4] = '.';
		buf[size - 3] = '.';
		buf[size - 2] = '\n';
		return size - 1;
	}
	return (size_t)n;
}

int vprintk(enum log_level level, const char *fmt, va_list ap)
{
	char line[512], prefix[24];
	size_t len, plen = 0;
	unsigned long flags = 0;
	u64 us;

	if ((int)level > console_loglevel)
		return 0;
	len = format_line(line, sizeof(line), fmt, ap);
	us = time_us();
	if (!console_unlocked)
		flags = spin_lock_irqsave(&console_lock);
	if (line_start)
		plen = (size_t)snprintf(prefix, sizeof(prefix), "[%5lu.%06lu] ",
					(unsigned long)(us / 1000000), (unsigned long)(us % 1000000));
	console_write_locked(prefix, plen);
	console_write_locked(line, len);
	if (!console_unlocked)
		spin_unlock_irqrestore(&console_lock, flags);
	return (int)len;
}

int printk(enum log_level level, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vprintk(level, fmt, ap);
	va_end(ap);
	return n;
}

int kprintf(const char *fmt, ...)
{
	char line[512];
	va_list ap;
	size_t len;

	va_start(ap, fmt);
	len = format_line(line, sizeof(line), fmt, ap);
	va_end(ap);
	console_write(line, len);
	return (int)len;
}

static int set_loglevel(const char *value)
{
	unsigned long v;

	if (!value || kstrtoul(value, 10, &v) || v > LOG_DEBUG)
		return -EINVAL;
	console_loglevel = (int)v;
	return 0;
}
CMDLINE_PARAM(loglevel, "loglevel", set_loglevel, "0-7: drop messages above this level");
