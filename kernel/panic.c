/*
 * panic(): report and stop. Runs with interrupts disabled and the console
 * lock broken, so it works from any context, including a fault inside an
 * interrupt handler with the console lock held.
 */
#include "kernel/panic.h"
#include "arch/x86_64/cpu.h"
#include "drivers/qemu_exit.h"
#include "kernel/backtrace.h"
#include "kernel/printk.h"
#include "lib/printf.h"

static int panic_depth;

bool panic_in_progress(void) { return panic_depth > 0; }

void panic_begin(void)
{
	irq_disable();
	if (++panic_depth > 1) {
		/* Recursive panic: printing may be what faults; just stop. */
		console_write("\npanic: recursive panic, halting\n", 33);
		cpu_halt_forever();
	}
	console_break_locks();
}

void panic_end(const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	pr_emerg("Kernel panic: %s\n", msg);
	qemu_exit(QEMU_EXIT_PANIC);
	cpu_halt_forever();
}

void panic(const char *fmt, ...)
{
	char msg[256];
	unsigned long *fp;
	va_list ap;

	panic_begin();
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	pr_emerg("panic: %s\n", msg);
	/* Start at our caller: its return address and its saved frame. */
	fp = __builtin_frame_address(0);
	backtrace_print(fp[1], fp[0]);
	panic_end("%s", msg);
}
