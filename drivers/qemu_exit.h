/*
 * Ending a QEMU run with a status: isa-debug-exit (iobase 0xf4) makes QEMU
 * exit with (value << 1) | 1. When the device is absent the write does
 * nothing and the caller halts instead.
 */
#ifndef DRIVERS_QEMU_EXIT_H
#define DRIVERS_QEMU_EXIT_H

/* Values written; QEMU's exit status is (value << 1) | 1. */
enum qemu_exit_code {
	QEMU_EXIT_SUCCESS = 0x10, /* status 33 */
	QEMU_EXIT_FAILURE = 0x11, /* status 35 */
	QEMU_EXIT_PANIC = 0x12,   /* status 37 */
};

/* Try to exit QEMU; returns only if isa-debug-exit is absent. */
void qemu_exit(enum qemu_exit_code code);

/* Power off: isa-debug-exit, then ACPI S5, then halt. Never returns. */
__attribute__((noreturn)) void machine_poweroff(enum qemu_exit_code code);

#endif
