/*
 * Tests of AP bring-up (arch/x86_64/smp.c) on the CPUs QEMU gave us: every
 * startable MADT CPU is online, each with its own per-CPU area and a
 * distinct APIC id; the kernel's tables (which every CPU runs on after
 * bring-up) map nothing in the lower half; a CPU that does not exist times
 * out, is left out, and its stacks go back to the allocator; every CPU
 * runs with the boot CPU's protection bits and memory types.
 */
#include "arch/x86_64/acpi.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/lapic.h"
#include "arch/x86_64/paging.h"
#include "arch/x86_64/smp.h"
#include "arch/x86_64/smp_call.h"
#include "include/errno.h"
#include "kernel/mm/mm_boot.h"
#include "lib/ktest.h"
#include "lib/string.h"

static void smp_boot_cpu_is_cpu0(struct ktest *test)
{
	KTEST_EXPECT_PTR_EQ(test, this_cpu(), &cpus[0]);
	KTEST_EXPECT_EQ(test, cpus[0].index, 0);
	KTEST_EXPECT_EQ(test, cpus[0].apic_id, lapic_id());
	KTEST_EXPECT_TRUE(test, cpus[0].online);
}

static unsigned int startable_in_madt(void)
{
	const struct madt *madt = &acpi_info.madt;
	unsigned int i, n = 0;

	for (i = 0; i < madt->nr_cpus; i++)
		n += madt_cpu_startable(&madt->cpus[i]);
	return n ? n : 1;
}

/* Every startable CPU answered (QEMU's all do), and each online CPU's area
 * points at itself and holds an APIC id of the MADT, no two the same. */
static void smp_every_startable_cpu_online(struct ktest *test)
{
	unsigned int i, j, n = smp_nr_online();

	KTEST_EXPECT_EQ(test, n, startable_in_madt() < SMP_MAX_CPUS ? startable_in_madt()
								     : SMP_MAX_CPUS);
	ktest_diag(test, "%u CPUs online", n);
	for (i = 0; i < n; i++) {
		KTEST_EXPECT_PTR_EQ(test, cpus[i].self, &cpus[i]);
		KTEST_EXPECT_EQ(test, cpus[i].index, i);
		KTEST_EXPECT_TRUE(test, __atomic_load_n(&cpus[i].online, __ATOMIC_ACQUIRE));
		for (j = 0; j < i; j++)
			KTEST_EXPECT_NE(test, cpus[i].apic_id, cpus[j].apic_id);
	}
}

/* After bring-up every CPU runs on the kernel's tables: no lower-half entry
 * (the trampoline's identity map lived only in its temporary tables). */
static void smp_kernel_tables_map_no_lower_half(struct ktest *test)
{
	const u64 *pml4 = phys_to_virt(paging_kernel_root());
	unsigned int i, present = 0;

	for (i = 0; i < 256; i++)
		present += pml4[i] != 0;
	KTEST_EXPECT_EQ(test, present, 0);
}

struct control_bits {
	u64 cr0_wp, efer_nxe, cr4_smep_smap, pat;
	bool seen;
};

static struct control_bits control_of[SMP_MAX_CPUS];

static void read_control_bits(void *arg)
{
	struct control_bits *bits = &control_of[this_cpu()->index];

	bits->cr0_wp = read_cr0() & CR0_WP;
	bits->efer_nxe = rdmsr(MSR_EFER) & EFER_NXE;
	bits->cr4_smep_smap = read_cr4() & (CR4_SMEP | CR4_SMAP);
	bits->pat = cpu_features.pat ? rdmsr(MSR_PAT) : PAGING_PAT;
	__atomic_store_n(&bits->seen, true, __ATOMIC_RELEASE);
}

/* Every CPU has what the boot CPU set up (an AP sets it up itself): WP,
 * NXE, SMEP/SMAP when present, and the PAT the PTE bits assume. */
static void smp_every_cpu_has_the_boot_cpu_control_bits(struct ktest *test)
{
	u64 smep_smap = (cpu_features.smep ? CR4_SMEP : 0) | (cpu_features.smap ? CR4_SMAP : 0);
	unsigned int i, n = smp_nr_online();

	memset(control_of, 0, sizeof(control_of));
	KTEST_ASSERT_EQ(test, smp_call(SMP_CALL_ALL, read_control_bits, NULL, true), 0);
	for (i = 0; i < n; i++) {
		const struct control_bits *bits = &control_of[i];

		KTEST_ASSERT_TRUE(test, __atomic_load_n(&bits->seen, __ATOMIC_ACQUIRE));
		KTEST_EXPECT_EQ(test, bits->cr0_wp, CR0_WP);
		KTEST_EXPECT_EQ(test, bits->efer_nxe, EFER_NXE);
		KTEST_EXPECT_EQ(test, bits->cr4_smep_smap, smep_smap);
		KTEST_EXPECT_EQ(test, bits->pat, PAGING_PAT);
	}
	ktest_diag(test, "%u CPUs: WP, NXE%s%s, PAT %s", n, cpu_features.smep ? ", SMEP" : "",
		   cpu_features.smap ? ", SMAP" : "", cpu_features.pat ? "written" : "absent");
}

/* An APIC id no CPU has: INIT-SIPI-SIPI reaches nobody, the wait is bounded,
 * nothing is kept. */
static void smp_absent_cpu_times_out(struct ktest *test)
{
	unsigned int online = smp_nr_online();
	unsigned long free_before = mm_nr_free_pages(&kernel_mm);
	int err;

	if (online == SMP_MAX_CPUS)
		KTEST_SKIP(test, "every cpus[] slot is in use");
	err = smp_bring_up(0xf0);
	KTEST_EXPECT_EQ(test, err, -ETIMEDOUT);
	KTEST_EXPECT_EQ(test, smp_nr_online(), online);
	KTEST_EXPECT_EQ(test, mm_nr_free_pages(&kernel_mm), free_before);
}

static const struct ktest_case smp_cases[] = {
	KTEST_CASE(smp_boot_cpu_is_cpu0),
	KTEST_CASE(smp_every_startable_cpu_online),
	KTEST_CASE(smp_kernel_tables_map_no_lower_half),
	KTEST_CASE(smp_every_cpu_has_the_boot_cpu_control_bits),
	KTEST_CASE(smp_absent_cpu_times_out),
	KTEST_END,
};
KTEST_SUITE(smp, smp_cases);
