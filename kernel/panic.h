/*
 * Fatal errors. panic() (declared in include/assert.h) prints the message and
 * a backtrace of its caller and stops the machine: under QEMU with
 * isa-debug-exit it exits with QEMU_EXIT_PANIC, otherwise it halts. The
 * exception path uses panic_begin()/panic_end() to print its own report in
 * between. A panic inside a panic only halts.
 */
#ifndef KERNEL_PANIC_H
#define KERNEL_PANIC_H

#include "include/assert.h"

/* Enter panic mode: interrupts off, console locks broken. Halts if nested. */
void panic_begin(void);
__noreturn __printf(1, 2) void panic_end(const char *fmt, ...);

/* Has the kernel panicked (for code that must not block a report)? */
bool panic_in_progress(void);

#endif
