/*
 * The little of ACPI the kernel needs: from the RSDP (handed over by the boot
 * loader) find the MADT for the LAPIC/IOAPIC addresses, the ISA interrupt
 * overrides and the CPUs (parsed by madt.c), and the FADT for the power-off registers. Every table is
 * checksummed and bounds-checked before use; anything missing falls back to
 * the PC defaults with a warning.
 */
#ifndef ARCH_X86_64_ACPI_H
#define ARCH_X86_64_ACPI_H

#include "arch/x86_64/madt.h"
#include "include/types.h"

#define ACPI_MAX_REGIONS 16

/* Physical bytes [start, end) holding tables acpi_init() read. */
struct acpi_region {
	u64 start;
	u64 end;
};

struct acpi_info {
	/* The interrupt controllers, the ISA overrides and the CPUs (madt.h);
	 * PC defaults and no CPU listed when there is no MADT. */
	struct madt madt;
	bool have_madt;
	/* ACPI power-off: PM1a control port and the S5 sleep type (0 = unknown). */
	u16 pm1a_cnt;
	u16 slp_typ_s5;
	bool have_s5;
	bool from_firmware; /* false: defaults were used */
	/* Where the valid tables live, so the final direct map keeps them
	 * (SeaBIOS puts them in memory its map calls "reserved"). */
	struct acpi_region regions[ACPI_MAX_REGIONS];
	u32 nr_regions;
};

extern struct acpi_info acpi_info;

/* Parse the tables reachable from the RSDP at @rsdp (a pointer to the
 * multiboot copy), or use the defaults when @rsdp is NULL. */
void acpi_init(const void *rsdp, size_t len);

#endif
