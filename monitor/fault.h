/* The kernel's fault injection (monitor/fault.c): fail= and `fail`. */
#ifndef MONITOR_FAULT_H
#define MONITOR_FAULT_H

/*
 * fail_attach_boot_specs - attach what fail= asked for to kernel_mm. Called
 * once boot has finished: boot-time allocations must not fail, so they run
 * before any injection is armed.
 */
void fail_attach_boot_specs(void);

#endif
