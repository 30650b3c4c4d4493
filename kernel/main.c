/*
 * kmain: the C entry point, called by boot.S on the boot stack with the
 * physical address of the multiboot2 information. Brings the machine up in
 * dependency order (console, traps, boot information, CPU, ACPI (read
 * through boot.S's tables), the final page tables and the page allocator,
 * interrupt controllers, clock, threads), prints the ready line, then runs
 * what the command line asked for: tests, benchmarks, a deliberate crash,
 * or the monitor shell.
 */
#include "arch/x86_64/acpi.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/gdt.h"
#include "arch/x86_64/ioapic.h"
#include "arch/x86_64/lapic.h"
#include "arch/x86_64/paging.h"
#include "arch/x86_64/pic.h"
#include "arch/x86_64/smp.h"
#include "arch/x86_64/trap.h"
#include "arch/x86_64/tsc.h"
#include "drivers/pci.h"
#include "drivers/qemu_exit.h"
#include "drivers/serial.h"
#include "drivers/virtio/balloon_pci.h"
#include "drivers/virtio/virtio_mem_pci.h"
#include "include/errno.h"
#include "kernel/bench_kernel.h"
#include "kernel/boot.h"
#include "kernel/cmdline.h"
#include "kernel/crash.h"
#include "kernel/ktest_kernel.h"
#include "kernel/mm/kcompactd.h"
#include "kernel/mm/kmalloc.h"
#include "kernel/mm/mm_boot.h"
#include "kernel/mm/mm_fault.h"
#include "kernel/printk.h"
#include "kernel/sched.h"
#include "kernel/stackprotector.h"
#include "kernel/time.h"
#include "kernel/version.h"
#include "kernel/workqueue.h"
#include "mm/mapped.h"
#include "monitor/compact.h"
#include "monitor/fault.h"
#include "monitor/monitor.h"

struct boot_info boot_info;
phys_addr_t boot_info_phys;
volatile u64 ticks;

/* Every CPU's LAPIC tick; `ticks` counts the boot CPU's. */
static void timer_tick(void)
{
	if (this_cpu()->index == 0)
		ticks++;
	sched_tick();
}

static void parse_boot_info(u32 mbi_phys)
{
	size_t avail = mbi_phys < direct_map_size ? direct_map_size - mbi_phys : 0;
	int err;

	if (avail > MB2_INFO_MAX)
		avail = MB2_INFO_MAX;
	err = multiboot_parse(avail ? phys_to_virt(mbi_phys) : NULL, avail, &boot_info);
	if (err) {
		pr_emerg("boot: malformed multiboot2 information at %#x: %s; halting\n", mbi_phys,
			 boot_info.error);
		qemu_exit(QEMU_EXIT_FAILURE);
		cpu_halt_forever();
	}
	boot_info_phys = mbi_phys;
	pr_info("boot: loader '%s', cmdline '%s', %u memory map entries\n", boot_info.bootloader,
		boot_info.cmdline, boot_info.mmap_count);
}

static void interrupts_init(void)
{
	pic_disable();
	tsc_calibrate();
	lapic_init(acpi_info.madt.lapic_phys);
	ioapic_init(acpi_info.madt.ioapic_phys, acpi_info.madt.ioapic_gsi_base);
	lapic_timer_start(HZ, timer_tick);
	irq_enable();
}

/* The second monitor, on COM2, for scripts; a missing port is normal. */
static void start_script_monitor(void)
{
	int err = monitor_start_port(SERIAL_COM2);

	if (err && err != -ENODEV)
		pr_warn("monitor: no monitor on COM2 (%d)\n", err);
}

void kmain(u32 mbi_phys);
void kmain(u32 mbi_phys)
{
	smp_init_boot_cpu(); /* this_cpu(), which every spinlock reads */
	serial_init();
	gdt_init();
	idt_init();
	sched_init();
	pr_info("%s\n", kernel_version_string);
	parse_boot_info(mbi_phys);
	cmdline_apply_kernel(boot_info.cmdline);
	cpu_init();
	stack_protector_init();
	paging_drop_identity();
	acpi_init(boot_info.rsdp, boot_info.rsdp_len);
	mm_boot_init();
	kmalloc_init(&kernel_mm);
	mm_fault_init();
	if (mapped_init(&kernel_mm))
		panic("kmain: cannot register mapped pages' movable ops");
	interrupts_init();
	sched_start_idle();
	/* PCI first: enumeration toggles BAR decoding, and QEMU 7.2's
	 * multi-threaded TCG can crash (SIGSEGV in memory_region_dispatch_read)
	 * when another vCPU does MMIO while the memory map changes. */
	pci_init();
	smp_init();
	workqueue_init();
	kcompactd_init();
	serial_enable_rx_irq();

	pr_info("ready in %lu us\n", time_us());
	fail_attach_boot_specs();
	compact_boot_scenario();
	if (ktest_requested())
		ktest_run_requested();
	if (bench_kernel_requested())
		bench_kernel_run_requested();
	crash_if_requested();
	balloon_init();
	virtio_mem_init();
	start_script_monitor();
	monitor_run(SERIAL_COM1);
}
