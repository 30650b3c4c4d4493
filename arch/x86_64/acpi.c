/*
 * Minimal ACPI table walk: RSDP -> RSDT/XSDT -> MADT (APIC) and FADT (FACP)
 * -> DSDT's \_S5 package. Tables are read through the boot direct map (they
 * sit below 4 GiB on the machines we boot); a table with a bad signature,
 * length or checksum is skipped with a warning. Results land in acpi_info,
 * written once at boot, with the physical ranges of the tables read, which
 * the final direct map (paging_init) keeps mapped.
 */
#include "arch/x86_64/acpi.h"
#include "arch/x86_64/paging.h"
#include "kernel/printk.h"
#include "lib/string.h"

struct acpi_info acpi_info;

struct rsdp {
	char signature[8];
	u8 checksum;
	char oem[6];
	u8 revision;
	u32 rsdt;
	u32 length; /* revision >= 2 from here */
	u64 xsdt;
	u8 xchecksum;
	u8 reserved[3];
} __attribute__((packed));

struct sdt_header {
	char signature[4];
	u32 length;
	u8 revision;
	u8 checksum;
	char oem[6];
	char oem_table[8];
	u32 oem_revision;
	u32 creator;
	u32 creator_revision;
} __attribute__((packed));

#define FADT_DSDT_OFF 40
#define FADT_PM1A_CNT_OFF 64
#define FADT_XDSDT_OFF 140

static bool checksum_ok(const void *p, size_t len)
{
	const u8 *b = p;
	u8 sum = 0;

	while (len--)
		sum += *b++;
	return sum == 0;
}

/* Remember that [pa, pa + len) holds a table (merged with a touching or
 * overlapping region; beyond ACPI_MAX_REGIONS it is only reported). */
static void note_region(u64 pa, u64 len)
{
	struct acpi_region *region = acpi_info.regions;
	u32 i;

	for (i = 0; i < acpi_info.nr_regions; i++) {
		if (pa <= region[i].end && pa + len >= region[i].start) {
			region[i].start = MIN(region[i].start, pa);
			region[i].end = MAX(region[i].end, pa + len);
			return;
		}
	}
	if (acpi_info.nr_regions == ACPI_MAX_REGIONS) {
		pr_warn("acpi: more than %d table regions; [%#lx, %#lx) will not stay mapped\n",
			ACPI_MAX_REGIONS, pa, pa + len);
		return;
	}
	region[acpi_info.nr_regions++] = (struct acpi_region){ pa, pa + len };
}

/* Map a table by physical address; NULL when it cannot be trusted. */
static const struct sdt_header *table_at(u64 pa, const char *want)
{
	const struct sdt_header *table;

	if (!pa || !paging_direct_mapped(pa, sizeof(*table)))
		return NULL;
	table = phys_to_virt(pa);
	if (table->length < sizeof(*table) || !paging_direct_mapped(pa, table->length) ||
	    table->length > (1u << 24)) {
		pr_warn("acpi: table at %#lx has a bad length %u\n", pa, table->length);
		return NULL;
	}
	if (want && memcmp(table->signature, want, 4) != 0)
		return NULL;
	if (!checksum_ok(table, table->length)) {
		pr_warn("acpi: table %.4s at %#lx fails its checksum\n", table->signature, pa);
		return NULL;
	}
	note_region(pa, table->length);
	return table;
}

static void warn_printk(const char *msg, void *ctx) { pr_warn("%s\n", msg); }

static void parse_madt(const struct sdt_header *table)
{
	madt_parse(table, table->length, &acpi_info.madt, warn_printk, NULL);
	acpi_info.have_madt = true;
}

/* Find \_S5's first package element in the DSDT's AML (the usual pattern:
 * NameOp "_S5_" PackageOp PkgLength NumElements then a byte constant). */
static void parse_s5(const struct sdt_header *dsdt)
{
	const u8 *p = (const u8 *)dsdt + sizeof(*dsdt);
	const u8 *end = (const u8 *)dsdt + dsdt->length;

	for (; p + 8 < end; p++) {
		const u8 *q;

		if (memcmp(p, "_S5_", 4) != 0 || p[4] != 0x12)
			continue;
		q = p + 5;
		q += ((*q >> 6) & 3) + 1; /* PkgLength */
		q++;                      /* NumElements */
		if (q >= end)
			return;
		if (*q == 0x0a && q + 1 < end) /* BytePrefix */
			acpi_info.slp_typ_s5 = q[1];
		else if (*q <= 1) /* ZeroOp / OneOp */
			acpi_info.slp_typ_s5 = *q;
		else
			return;
		acpi_info.have_s5 = true;
		return;
	}
}

static void parse_fadt(const struct sdt_header *fadt)
{
	const u8 *p = (const u8 *)fadt;
	const struct sdt_header *dsdt_table;
	u32 dsdt32 = 0, pm1a = 0;
	u64 dsdt = 0;

	if (fadt->length >= FADT_PM1A_CNT_OFF + 4)
		memcpy(&pm1a, p + FADT_PM1A_CNT_OFF, 4);
	if (fadt->length >= FADT_DSDT_OFF + 4)
		memcpy(&dsdt32, p + FADT_DSDT_OFF, 4);
	if (fadt->length >= FADT_XDSDT_OFF + 8)
		memcpy(&dsdt, p + FADT_XDSDT_OFF, 8);
	acpi_info.pm1a_cnt = (u16)pm1a;
	dsdt_table = table_at(dsdt ? dsdt : dsdt32, "DSDT");
	if (dsdt_table)
		parse_s5(dsdt_table);
}

static void set_defaults(void)
{
	madt_parse(NULL, 0, &acpi_info.madt, NULL, NULL); /* identity ISA routing */
	acpi_info.madt.lapic_phys = 0xfee00000;
}

static void walk_root(u64 root_pa, bool xsdt)
{
	const struct sdt_header *root = table_at(root_pa, xsdt ? "XSDT" : "RSDT");
	size_t entry = xsdt ? 8 : 4, n, i;

	if (!root) {
		pr_warn("acpi: no valid %s\n", xsdt ? "XSDT" : "RSDT");
		return;
	}
	n = (root->length - sizeof(*root)) / entry;
	for (i = 0; i < n; i++) {
		const u8 *slot = (const u8 *)root + sizeof(*root) + i * entry;
		u64 pa = 0;
		const struct sdt_header *table;

		memcpy(&pa, slot, entry);
		table = table_at(pa, NULL);
		if (!table)
			continue;
		if (!memcmp(table->signature, "APIC", 4))
			parse_madt(table);
		else if (!memcmp(table->signature, "FACP", 4))
			parse_fadt(table);
	}
	acpi_info.from_firmware = true;
}

void acpi_init(const void *rsdp_copy, size_t len)
{
	const struct rsdp *rsdp = rsdp_copy;

	set_defaults();
	if (!rsdp || len < 20 || memcmp(rsdp->signature, "RSD PTR ", 8) || !checksum_ok(rsdp, 20)) {
		pr_warn("acpi: no valid RSDP from the boot loader; using PC defaults\n");
	} else if (rsdp->revision >= 2 && len >= sizeof(*rsdp) && rsdp->xsdt &&
		   checksum_ok(rsdp, sizeof(*rsdp))) {
		walk_root(rsdp->xsdt, true);
	} else {
		walk_root(rsdp->rsdt, false);
	}
	if (!acpi_info.madt.ioapic_phys) {
		pr_warn("acpi: no IOAPIC in the MADT; assuming 0xfec00000\n");
		acpi_info.madt.ioapic_phys = 0xfec00000;
	}
	pr_info("acpi: lapic %#lx ioapic %#lx (gsi base %u) irq0->gsi %u pm1a %#x s5 %s, "
		"%u CPUs in the MADT\n", acpi_info.madt.lapic_phys, acpi_info.madt.ioapic_phys,
		acpi_info.madt.ioapic_gsi_base, acpi_info.madt.isa_gsi[0], acpi_info.pm1a_cnt,
		acpi_info.have_s5 ? "yes" : "no", acpi_info.madt.nr_cpus);
}
