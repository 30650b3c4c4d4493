/*
 * Tests for arch/x86_64/madt.c over hand-built tables: QEMU's q35 layout,
 * enabled / online-capable / unusable CPUs, x2APIC entries (which QEMU's TCG
 * never produces: only here are they exercised), ids the xAPIC cannot
 * address, duplicates, too many CPUs, short and truncated entries. Every
 * problem must be warned; warnings are captured and matched by substring.
 * Runs on the host and in the kernel.
 */
#include "arch/x86_64/madt.h"
#include "include/errno.h"
#include "lib/ktest.h"
#include "lib/string.h"

#define TABLE_MAX 2048

static struct {
	u8 bytes[TABLE_MAX];
	size_t len;
} table;

static struct {
	unsigned int n;
	char last[160];
} warnings;

static struct madt madt;

static void capture(const char *msg, void *ctx)
{
	warnings.n++;
	strlcpy(warnings.last, msg, sizeof(warnings.last));
}

/* Start a table: the 36-byte header (left zero: madt_parse does not read
 * it), the local APIC address and the flags. */
static void table_begin(void)
{
	u32 lapic = 0xfee00000;

	memset(&table, 0, sizeof(table));
	memcpy(table.bytes, "APIC", 4);
	memcpy(table.bytes + MADT_LAPIC_ADDR_OFF, &lapic, 4);
	table.len = MADT_ENTRIES_OFF;
}

static void put(const void *p, size_t n)
{
	memcpy(table.bytes + table.len, p, n);
	table.len += n;
}

static void add_lapic(u8 uid, u8 apic_id, u32 flags)
{
	u8 e[8] = { MADT_LAPIC, 8, uid, apic_id };

	memcpy(e + 4, &flags, 4);
	put(e, sizeof(e));
}

static void add_x2apic(u32 apic_id, u32 flags, u32 uid)
{
	u8 e[16] = { MADT_X2APIC, 16 };

	memcpy(e + 4, &apic_id, 4);
	memcpy(e + 8, &flags, 4);
	memcpy(e + 12, &uid, 4);
	put(e, sizeof(e));
}

static void add_ioapic(u8 id, u32 addr, u32 gsi_base)
{
	u8 e[12] = { MADT_IOAPIC, 12, id };

	memcpy(e + 4, &addr, 4);
	memcpy(e + 8, &gsi_base, 4);
	put(e, sizeof(e));
}

static void add_iso(u8 irq, u32 gsi, u16 flags)
{
	u8 e[10] = { MADT_ISO, 10, 0, irq };

	memcpy(e + 4, &gsi, 4);
	memcpy(e + 8, &flags, 2);
	put(e, sizeof(e));
}

static int parse(void)
{
	memset(&warnings, 0, sizeof(warnings));
	return madt_parse(table.bytes, table.len, &madt, capture, NULL);
}

/* What QEMU's q35 gives 2 CPUs: LAPICs 0 and 1 enabled, one IOAPIC at GSI
 * 0, IRQ0 -> GSI2 and the level-triggered SCI (9). */
static void madt_parses_qemu_q35(struct ktest *test)
{
	table_begin();
	add_lapic(0, 0, MADT_CPU_ENABLED);
	add_lapic(1, 1, MADT_CPU_ENABLED);
	add_ioapic(0, 0xfec00000, 0);
	add_iso(0, 2, 0);
	add_iso(9, 9, 0xd);
	KTEST_ASSERT_EQ(test, parse(), 0);
	KTEST_EXPECT_EQ(test, warnings.n, 0);
	KTEST_EXPECT_EQ(test, madt.lapic_phys, 0xfee00000);
	KTEST_EXPECT_EQ(test, madt.ioapic_phys, 0xfec00000);
	KTEST_EXPECT_EQ(test, madt.isa_gsi[0], 2);
	KTEST_EXPECT_EQ(test, madt.isa_gsi[1], 1);
	KTEST_EXPECT_EQ(test, madt.isa_flags[9], 0xd);
	KTEST_ASSERT_EQ(test, madt.nr_cpus, 2);
	KTEST_EXPECT_EQ(test, madt.cpus[1].apic_id, 1);
	KTEST_EXPECT_TRUE(test, madt.cpus[0].enabled && madt.cpus[1].enabled);
	KTEST_EXPECT_TRUE(test, madt_cpu_startable(&madt.cpus[1]));
}

/* Online-capable CPUs are listed as hot-pluggable, never as present; a CPU
 * with neither flag is unusable. */
static void madt_online_capable_is_not_present(struct ktest *test)
{
	table_begin();
	add_lapic(0, 0, MADT_CPU_ENABLED);
	add_lapic(1, 1, MADT_CPU_ONLINE_CAPABLE);
	add_lapic(2, 2, 0);
	add_lapic(3, 3, MADT_CPU_ENABLED | MADT_CPU_ONLINE_CAPABLE); /* enabled wins */
	KTEST_ASSERT_EQ(test, parse(), 0);
	KTEST_ASSERT_EQ(test, madt.nr_cpus, 4);
	KTEST_EXPECT_TRUE(test, !madt.cpus[1].enabled && madt.cpus[1].online_capable);
	KTEST_EXPECT_FALSE(test, madt_cpu_startable(&madt.cpus[1]));
	KTEST_EXPECT_TRUE(test, !madt.cpus[2].enabled && !madt.cpus[2].online_capable);
	KTEST_EXPECT_TRUE(test, madt.cpus[3].enabled && !madt.cpus[3].online_capable);
}

/* x2APIC entries carry 32-bit ids: listed; startable only below 255. */
static void madt_x2apic_entries(struct ktest *test)
{
	table_begin();
	add_lapic(0, 0, MADT_CPU_ENABLED);
	add_x2apic(7, MADT_CPU_ENABLED, 70);
	add_x2apic(300, MADT_CPU_ENABLED, 71);
	add_x2apic(301, MADT_CPU_ONLINE_CAPABLE, 72);
	KTEST_ASSERT_EQ(test, parse(), 0);
	KTEST_EXPECT_EQ(test, warnings.n, 0);
	KTEST_ASSERT_EQ(test, madt.nr_cpus, 4);
	KTEST_EXPECT_TRUE(test, madt.cpus[1].x2apic && madt.cpus[1].uid == 70);
	KTEST_EXPECT_TRUE(test, madt_cpu_startable(&madt.cpus[1]));
	KTEST_EXPECT_EQ(test, madt.cpus[2].apic_id, 300);
	KTEST_EXPECT_FALSE(test, madt_cpu_startable(&madt.cpus[2]));
	KTEST_EXPECT_TRUE(test, madt.cpus[3].online_capable);
}

/* A second entry for an APIC id already listed is dropped and warned. */
static void madt_duplicate_apic_id(struct ktest *test)
{
	table_begin();
	add_lapic(0, 0, MADT_CPU_ENABLED);
	add_x2apic(0, MADT_CPU_ENABLED, 9);
	KTEST_ASSERT_EQ(test, parse(), 0);
	KTEST_EXPECT_EQ(test, madt.nr_cpus, 1);
	KTEST_EXPECT_FALSE(test, madt.cpus[0].x2apic);
	KTEST_EXPECT_NOT_NULL(test, strstr(warnings.last, "listed twice"));
}

/* Beyond MADT_MAX_CPUS the CPUs are counted, warned once. */
static void madt_too_many_cpus(struct ktest *test)
{
	unsigned int i;

	table_begin();
	for (i = 0; i < MADT_MAX_CPUS + 3; i++)
		add_x2apic(i, MADT_CPU_ENABLED, i);
	KTEST_ASSERT_EQ(test, parse(), 0);
	KTEST_EXPECT_EQ(test, madt.nr_cpus, MADT_MAX_CPUS);
	KTEST_EXPECT_EQ(test, madt.cpus_dropped, 3);
	KTEST_EXPECT_EQ(test, warnings.n, 1);
}

/* A table of CPU 0, then @bad (@n bytes), then (@then_cpu1) CPU 1: @want
 * CPUs are listed and the last warning says @why. */
static void expect_cpus_after(struct ktest *test, const u8 *bad, size_t n, bool then_cpu1,
			      unsigned int want, const char *why)
{
	table_begin();
	add_lapic(0, 0, MADT_CPU_ENABLED);
	put(bad, n);
	if (then_cpu1)
		add_lapic(1, 1, MADT_CPU_ENABLED);
	KTEST_ASSERT_EQ(test, parse(), 0);
	KTEST_EXPECT_EQ(test, madt.nr_cpus, want);
	KTEST_EXPECT_NOT_NULL(test, strstr(warnings.last, why));
}

/* Bad lengths: an entry too short for its type is skipped, one running past
 * the end (or of length 0 or 1) ends the walk; a table shorter than the
 * fixed part is refused. Nothing is read out of bounds (ASan on the host). */
static void madt_bad_lengths(struct ktest *test)
{
	static const u8 short_lapic[6] = { MADT_LAPIC, 6, 5, 5, 1, 0 };
	static const u8 zero_length[2] = { MADT_LAPIC, 0 };
	static const u8 past_end[4] = { MADT_X2APIC, 16, 0, 0 };

	expect_cpus_after(test, short_lapic, sizeof(short_lapic), true, 2, "needs 8");
	expect_cpus_after(test, zero_length, sizeof(zero_length), true, 1, "runs past");
	expect_cpus_after(test, past_end, sizeof(past_end), false, 1, "runs past");

	table_begin();
	table.len = MADT_ENTRIES_OFF - 1;
	KTEST_EXPECT_EQ(test, parse(), -EINVAL);
	KTEST_EXPECT_EQ(test, madt.nr_cpus, 0);
	KTEST_EXPECT_EQ(test, madt.isa_gsi[5], 5);
}

static const struct ktest_case madt_cases[] = {
	KTEST_CASE(madt_parses_qemu_q35),
	KTEST_CASE(madt_online_capable_is_not_present),
	KTEST_CASE(madt_x2apic_entries),
	KTEST_CASE(madt_duplicate_apic_id),
	KTEST_CASE(madt_too_many_cpus),
	KTEST_CASE(madt_bad_lengths),
	KTEST_END,
};
KTEST_SUITE(madt, madt_cases);
