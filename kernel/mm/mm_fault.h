/* The kernel's page-fault hook into mm: faults on migrating mapped pages. */
#ifndef KERNEL_MM_FAULT_H
#define KERNEL_MM_FAULT_H

/* Install the #PF handler (after traps and kernel_mm are up). */
void mm_fault_init(void);

#endif
