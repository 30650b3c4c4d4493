/*
 * MADT parsing (see madt.h for the rules). Every field is read with memcpy:
 * the entries are packed and byte-aligned. One pass over the entries; each
 * type has its own small reader.
 */
#include "arch/x86_64/madt.h"
#include "include/errno.h"
#include "lib/printf.h"
#include "lib/string.h"

struct parse {
	struct madt *out;
	madt_warn_fn warn;
	void *ctx;
};

static __printf(2, 3) void warnf(struct parse *ps, const char *fmt, ...)
{
	char msg[160];
	va_list ap;

	if (!ps->warn)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	ps->warn(msg, ps->ctx);
}

static u32 le32_at(const u8 *p)
{
	u32 v;

	memcpy(&v, p, 4);
	return v;
}

static void add_cpu(struct parse *ps, u32 apic_id, u32 uid, u32 flags, bool x2apic)
{
	struct madt *madt = ps->out;
	unsigned int i;

	for (i = 0; i < madt->nr_cpus; i++) {
		if (madt->cpus[i].apic_id == apic_id) {
			warnf(ps, "madt: APIC id %u listed twice; the second entry is ignored", apic_id);
			return;
		}
	}
	if (madt->nr_cpus == MADT_MAX_CPUS) {
		if (!madt->cpus_dropped++)
			warnf(ps, "madt: more than %d CPUs; the rest are not listed", MADT_MAX_CPUS);
		return;
	}
	madt->cpus[madt->nr_cpus++] = (struct madt_cpu){
		.apic_id = apic_id, .uid = uid, .x2apic = x2apic,
		.enabled = flags & MADT_CPU_ENABLED,
		.online_capable = !(flags & MADT_CPU_ENABLED) && (flags & MADT_CPU_ONLINE_CAPABLE),
	};
}

/* Minimum length of each entry type read; 0: not read. */
static u8 min_length(u8 type)
{
	switch (type) {
	case MADT_LAPIC: return 8;
	case MADT_IOAPIC: return 12;
	case MADT_ISO: return 10;
	case MADT_LAPIC_OVERRIDE: return 12;
	case MADT_X2APIC: return 16;
	default: return 0;
	}
}

static void parse_entry(struct parse *ps, const u8 *e)
{
	struct madt *madt = ps->out;

	switch (e[0]) {
	case MADT_LAPIC: /* u8 uid, u8 apic id, le32 flags */
		add_cpu(ps, e[3], e[2], le32_at(e + 4), false);
		break;
	case MADT_IOAPIC: /* u8 id, u8 0, le32 address, le32 GSI base */
		if (!madt->ioapic_phys) {
			madt->ioapic_phys = le32_at(e + 4);
			madt->ioapic_gsi_base = le32_at(e + 8);
		}
		break;
	case MADT_ISO: /* u8 bus, u8 source IRQ, le32 GSI, le16 flags */
		if (e[3] < 16) {
			madt->isa_gsi[e[3]] = le32_at(e + 4);
			memcpy(&madt->isa_flags[e[3]], e + 8, 2);
		} else {
			warnf(ps, "madt: override of ISA IRQ %u ignored", e[3]);
		}
		break;
	case MADT_LAPIC_OVERRIDE: /* u16 0, le64 address */
		memcpy(&madt->lapic_phys, e + 4, 8);
		break;
	case MADT_X2APIC: /* u16 0, le32 x2APIC id, le32 flags, le32 uid */
		add_cpu(ps, le32_at(e + 4), le32_at(e + 12), le32_at(e + 8), true);
		break;
	}
}

int madt_parse(const void *table, size_t len, struct madt *out, madt_warn_fn warn, void *ctx)
{
	struct parse ps = { out, warn, ctx };
	const u8 *base = table, *e, *end = base + len;
	unsigned int i;

	memset(out, 0, sizeof(*out));
	for (i = 0; i < 16; i++)
		out->isa_gsi[i] = i;
	if (len < MADT_ENTRIES_OFF) {
		warnf(&ps, "madt: %zu bytes, too short for the header", len);
		return -EINVAL;
	}
	out->lapic_phys = le32_at(base + MADT_LAPIC_ADDR_OFF);
	for (e = base + MADT_ENTRIES_OFF; e < end; e += e[1]) {
		if (end - e < 2 || e[1] < 2 || e[1] > end - e) {
			warnf(&ps, "madt: entry at offset %zu runs past the table; the rest is ignored",
			      (size_t)(e - base));
			break;
		}
		if (e[1] < min_length(e[0])) {
			warnf(&ps, "madt: type %u entry at offset %zu has %u bytes, needs %u; ignored",
			      e[0], (size_t)(e - base), e[1], min_length(e[0]));
			continue;
		}
		parse_entry(&ps, e);
	}
	return 0;
}
