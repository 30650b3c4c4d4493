/*
 * The MADT (ACPI "APIC" table) parsed into what the kernel uses: the local
 * APIC address, the first IOAPIC, the ISA interrupt overrides and the list
 * of processors. Pure (bytes in, struct out, problems through a warning
 * callback), so the host runs the same parser on hand-built tables.
 *
 * Processors come from Processor Local APIC entries (type 0, 8-bit APIC
 * ids) and Processor Local x2APIC entries (type 9, 32-bit ids). Flags
 * (ACPI 6.5, 5.2.12.2): bit 0 Enabled - the CPU is present and may be
 * started; bit 1 Online Capable - (only when not Enabled) the CPU may be
 * hot-added later. A CPU that is neither is unusable. This kernel drives
 * the xAPIC only (QEMU 7.2's TCG has no x2APIC), so an enabled CPU whose id
 * does not fit the xAPIC's 8-bit destination is listed, never started.
 *
 * Rules: the walk stops at the first entry whose length is below 2 or runs
 * past the table (warned); an entry too short for its type is skipped
 * (warned); a second CPU with an APIC id already listed is dropped
 * (warned); beyond MADT_MAX_CPUS CPUs the rest are counted, not listed.
 */
#ifndef ARCH_X86_64_MADT_H
#define ARCH_X86_64_MADT_H

#include "include/types.h"

#define MADT_MAX_CPUS 64

#define MADT_CPU_ENABLED (1u << 0)
#define MADT_CPU_ONLINE_CAPABLE (1u << 1)

/* Entry types read. */
#define MADT_LAPIC 0
#define MADT_IOAPIC 1
#define MADT_ISO 2
#define MADT_LAPIC_OVERRIDE 5
#define MADT_X2APIC 9

/* Where the entries start: the header (36 bytes), then le32 local APIC
 * address and le32 flags. */
#define MADT_LAPIC_ADDR_OFF 36
#define MADT_ENTRIES_OFF 44

struct madt_cpu {
	u32 apic_id;
	u32 uid;             /* ACPI processor UID */
	bool enabled;        /* present now: may be started */
	bool online_capable; /* not present; may be hot-added later */
	bool x2apic;         /* from a type 9 entry */
};

struct madt {
	phys_addr_t lapic_phys;
	phys_addr_t ioapic_phys; /* the first IOAPIC; 0 when none */
	u32 ioapic_gsi_base;
	u32 isa_gsi[16];         /* ISA IRQ -> GSI (identity unless overridden) */
	u16 isa_flags[16];       /* MPS INTI flags: polarity, trigger */
	struct madt_cpu cpus[MADT_MAX_CPUS];
	unsigned int nr_cpus;      /* listed in cpus[] */
	unsigned int cpus_dropped; /* beyond MADT_MAX_CPUS */
};

typedef void (*madt_warn_fn)(const char *msg, void *ctx);

/*
 * madt_parse - parse the MADT of @len bytes at @table into @out (every field
 * set; ISA IRQs identity-mapped unless overridden). Problems go to @warn
 * (may be NULL) and are survived.
 * Return: 0, or -EINVAL when @len cannot even hold the fixed part.
 */
int madt_parse(const void *table, size_t len, struct madt *out, madt_warn_fn warn, void *ctx);

/* Can this kernel start @cpu (enabled, and addressable by the xAPIC)? */
static inline bool madt_cpu_startable(const struct madt_cpu *cpu)
{
	return cpu->enabled && cpu->apic_id < 0xff;
}

#endif
