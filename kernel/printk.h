/*
 * printk: leveled kernel log to the console (serial), each line prefixed
 * with the time since boot in microseconds. Messages above the current
 * loglevel (cmdline "loglevel=N") are dropped. Callable from any context,
 * including interrupt handlers and panic.
 */
#ifndef KERNEL_PRINTK_H
#define KERNEL_PRINTK_H

#include "include/compiler.h"

enum log_level {
	LOG_EMERG = 0,
	LOG_ERR = 3,
	LOG_WARN = 4,
	LOG_NOTICE = 5,
	LOG_INFO = 6,
	LOG_DEBUG = 7,
};

/* Print at @level; the format is vsnprintf's. Return: characters written. */
__printf(2, 3) int printk(enum log_level level, const char *fmt, ...);
int vprintk(enum log_level level, const char *fmt, va_list ap);

/* Unprefixed output to the calling thread's console port (COM1 unless the
 * thread chose another with thread_set_console(); used by the monitor and
 * KTAP). After console_break_locks() it goes to COM1. */
__printf(1, 2) int kprintf(const char *fmt, ...);
void console_write(const char *s, size_t len);

void printk_set_level(int level);
int printk_get_level(void);

/* Console output goes only to the serial port after this (panic uses it to
 * get past a held console lock). */
void console_break_locks(void);

#define pr_emerg(...) printk(LOG_EMERG, __VA_ARGS__)
#define pr_err(...) printk(LOG_ERR, __VA_ARGS__)
#define pr_warn(...) printk(LOG_WARN, __VA_ARGS__)
#define pr_notice(...) printk(LOG_NOTICE, __VA_ARGS__)
#define pr_info(...) printk(LOG_INFO, __VA_ARGS__)
#define pr_debug(...) printk(LOG_DEBUG, __VA_ARGS__)

#endif
