/*
 * The stack protector's canary (see stackprotector.c).
 */
#ifndef KERNEL_STACKPROTECTOR_H
#define KERNEL_STACKPROTECTOR_H

/*
 * stack_protector_init - pick the random canary every protected frame is
 * checked against: RDRAND when the CPU has it, else bits mixed from the TSC.
 * Context: boot, once, from kmain right after cpu_init (kmain never returns,
 * so no frame holding the old value is ever checked).
 */
void stack_protector_init(void);

#endif
