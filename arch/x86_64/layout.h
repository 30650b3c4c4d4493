/*
 * The kernel's virtual address layout. Shared by C and assembly.
 *
 *   0xffff800000000000  direct map of physical memory (PHYS_OFFSET + pa)
 *   0xffffc90000000000  ioremap window: uncached device mappings (4 KiB pages)
 *   0xffffffff80000000  kernel image (KERNEL_VMA + load address), -mcmodel=kernel
 *
 * The boot code maps the first 4 GiB both at 0 (identity, only until the jump
 * to the higher half) and at PHYS_OFFSET, and the first 1 GiB at KERNEL_VMA.
 */
#ifndef ARCH_X86_64_LAYOUT_H
#define ARCH_X86_64_LAYOUT_H

#define KERNEL_VMA 0xffffffff80000000
#define KERNEL_LOAD_PHYS 0x200000
#define PHYS_OFFSET 0xffff800000000000
#define IOREMAP_BASE 0xffffc90000000000
#define IOREMAP_SIZE 0x40000000 /* 1 GiB of device mappings */

#define BOOT_DIRECT_MAP_SIZE 0x100000000 /* 4 GiB mapped by boot.S */

#define PAGE_SHIFT 12
#define PAGE_SIZE 4096

#define BOOT_STACK_SIZE 16384

/* GDT selectors (see gdt.c). */
#define GDT_KERNEL_CODE 0x08
#define GDT_KERNEL_DATA 0x10
#define GDT_TSS 0x18

#endif
