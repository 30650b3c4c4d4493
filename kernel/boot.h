/*
 * What the boot loader told us, kept for the rest of the kernel (the mm code
 * reads the memory map and reserves the information block itself).
 */
#ifndef KERNEL_BOOT_H
#define KERNEL_BOOT_H

#include "kernel/multiboot.h"

extern struct boot_info boot_info;
extern phys_addr_t boot_info_phys;

#endif
