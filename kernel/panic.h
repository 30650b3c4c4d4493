/*
 * Fatal errors. panic() (declared in include/assert.h) prints the message and
 * a backtrace of its caller and stops the machine: under QEMU with
 * isa-debug-exit it exits with QEMU_EXIT_PANIC, otherwise it halts. The
 * exception path uses panic_begin()/panic_end() to print its own report in
 * between. A panic inside a panic only halts. On SMP the first CPU to panic
 * stops the others with an NMI; each prints "cpu N stopped" with its
 * registers and backtrace, one after another, before the final line; a
 * second CPU panicking meanwhile prints nothing and halts (panic.c).
 */
#ifndef KERNEL_PANIC_H
#define KERNEL_PANIC_H

#include "include/assert.h"

/* Enter panic mode: interrupts off, console locks broken. Halts if nested. */
void panic_begin(void);
__noreturn __printf(1, 2) void panic_end(const char *fmt, ...);

/* Has the kernel panicked, on any CPU (for code that must not block a
 * report: take no lock that a stopped CPU may hold)? */
bool panic_in_progress(void);

struct trap_frame;

/*
 * panic_nmi_stop - the NMI handler's first question: is this NMI the
 * panicking CPU's stop request? Then report this CPU when its turn comes
 * and halt for good (no return). Return: false for a real NMI.
 * Context: NMI (trap.c), on the NMI's IST stack.
 */
bool panic_nmi_stop(struct trap_frame *frame);

#endif
