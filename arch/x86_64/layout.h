/*
 * The kernel's virtual address layout. Shared by C and assembly.
 *
 *   0xffff800000000000  direct map of physical memory (PHYS_OFFSET + pa):
 *                       every usable RAM range, the first 1 MiB and the ACPI
 *                       tables, NX (arch/x86_64/paging.c)
 *   0xffffc00000000000  vmap area (VMAP_BASE, 1 TiB), 4 KiB pages whose tables
 *                       come from the buddy and go back with their last entry:
 *                         first KSTACK_AREA_SIZE: kernel thread stacks, one
 *                         KSTACK_SLOT_SIZE slot per thread, the stack at the
 *                         top of its slot and unmapped guard pages below it;
 *                         the rest: mm_vrange_alloc() (mapped pages)
 *   0xffffc90000000000  ioremap window: uncached device mappings (4 KiB pages)
 *   0xffffffff80000000  kernel image (KERNEL_VMA + load address), -mcmodel=kernel:
 *                       text RX, rodata R, data/bss RW+NX, an unmapped guard
 *                       area under the boot stack (boot.S's dead early
 *                       tables, 32 KiB)
 *
 * boot.S first maps the first 4 GiB both at 0 (identity, only until the jump
 * to the higher half) and at PHYS_OFFSET, and the first 1 GiB at KERNEL_VMA;
 * paging_init() replaces all of it with the layout above.
 */
#ifndef ARCH_X86_64_LAYOUT_H
#define ARCH_X86_64_LAYOUT_H

#define KERNEL_VMA 0xffffffff80000000
#define KERNEL_LOAD_PHYS 0x200000
#define PHYS_OFFSET 0xffff800000000000
#define DIRECT_MAP_MAX 0x400000000000 /* 64 TiB: PML4 slots 256..383 */
#define VMAP_BASE 0xffffc00000000000
#define VMAP_SIZE 0x10000000000 /* 1 TiB */
#define KSTACK_BASE VMAP_BASE
#define KSTACK_SLOT_SIZE 0x10000   /* 64 KiB per thread: stack + guard below */
#define KSTACK_AREA_SIZE 0x1000000 /* 256 slots */
#define IOREMAP_BASE 0xffffc90000000000
#define IOREMAP_SIZE 0x40000000 /* 1 GiB of device mappings */

#define BOOT_DIRECT_MAP_SIZE 0x100000000 /* 4 GiB mapped by boot.S */

/* mm/page.h has the same definitions: keep them token for token equal. */
#define PAGE_SHIFT 12
#ifdef __ASSEMBLY__
#define PAGE_SIZE 4096
#else
#define PAGE_SIZE 4096UL
#endif

#define BOOT_STACK_SIZE 16384

/* GDT selectors (see gdt.c). */
#define GDT_KERNEL_CODE 0x08
#define GDT_KERNEL_DATA 0x10
#define GDT_TSS 0x18

#endif
