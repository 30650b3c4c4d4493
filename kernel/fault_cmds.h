/* The kernel's fault injection (kernel/fault_cmds.c): fail= and `fail`. */
#ifndef KERNEL_FAULT_CMDS_H
#define KERNEL_FAULT_CMDS_H

/*
 * fault_cmds_boot_done - attach what fail= asked for to kernel_mm. Called
 * once boot has finished: boot-time allocations must not fail, so they run
 * before any injection is armed.
 */
void fault_cmds_boot_done(void);

#endif
