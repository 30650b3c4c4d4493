/*
 * isa-debug-exit and ACPI power-off. Used by the test runner (exit with the
 * result), panic (exit with QEMU_EXIT_PANIC) and the monitor's poweroff.
 */
#include "drivers/qemu_exit.h"
#include "arch/x86_64/acpi.h"
#include "arch/x86_64/cpu.h"
#include "kernel/printk.h"

#define ISA_DEBUG_EXIT_PORT 0xf4
#define SLP_EN (1u << 13)

void qemu_exit(enum qemu_exit_code code)
{
	outl(ISA_DEBUG_EXIT_PORT, code);
}

void machine_poweroff(enum qemu_exit_code code)
{
	qemu_exit(code);
	if (acpi_info.pm1a_cnt && acpi_info.have_s5) {
		outw(acpi_info.pm1a_cnt, (u16)((acpi_info.slp_typ_s5 << 10) | SLP_EN));
	}
	pr_emerg("poweroff: no isa-debug-exit and no ACPI S5; halting\n");
	cpu_halt_forever();
}
