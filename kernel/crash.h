/*
 * Deliberate crashes, for the tests that prove the fault paths: the command
 * line "crash=KIND" makes the kernel trip KIND right after boot, so the
 * harness can check the report (exception, registers, symbolized backtrace)
 * and the exit status.
 */
#ifndef KERNEL_CRASH_H
#define KERNEL_CRASH_H

/* Trip the crash requested on the command line, if any. */
void crash_if_requested(void);

#endif
