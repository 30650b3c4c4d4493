/*
 * Monitor commands and boot options for compaction: `frag NAME|clear|verify`
 * (fragment kernel_mm with a scenario; `frag=NAME` at boot; check the
 * contents the scenario stamped into its pages and objects), `compact
 * [ORDER]` (explicit compaction with the figures), `contig N` (a contiguous
 * allocation, verified and given back), `proactive [on|off] [HIGH LOW]`,
 * `writer [on [CPU]|off]` (a thread on another CPU writing into the
 * scenario's mapped pages while they move). The scenario and its writer are
 * singletons kept here until `frag clear`.
 */
#include "monitor/compact.h"
#include "include/errno.h"
#include "kernel/cmdline.h"
#include "arch/x86_64/smp.h"
#include "kernel/mm/kcompactd.h"
#include "kernel/mm/mapped_writer.h"
#include "kernel/mm/mm_boot.h"
#include "kernel/printk.h"
#include "kernel/time.h"
#include "lib/string.h"
#include "mm/compaction.h"
#include "mm/contig.h"
#include "mm/scenario.h"
#include "monitor/monitor.h"

static struct frag_scenario scenario;
static bool scenario_active;
static struct mapped_writer writer;
static char boot_scenario[16];

static void print_figures(const char *when)
{
	struct frag_figures figures;

	frag_figures(&kernel_mm, &figures);
	kprintf("%s: 2 MiB blocks free %lu, T %lu, min_moves %lu, candidates %lu, free %lu pages\n",
		when, figures.recovered, figures.T, figures.min_moves, figures.candidates, figures.free_pages);
}

static bool known_scenario(const char *name)
{
	const char *const *n;

	for (n = frag_scenario_names; *n; n++)
		if (!strcmp(*n, name))
			return true;
	return false;
}

static int build(const char *name)
{
	int err;

	if (!known_scenario(name)) {
		kprintf("error: unknown scenario '%s'\n", name);
		return -EINVAL; /* the usage line lists the scenarios */
	}
	if (scenario_active) {
		kprintf("error: scenario '%s' is active; `frag clear` first\n", scenario.name);
		return -EBUSY;
	}
	err = frag_scenario_build(&scenario, &kernel_mm, name);
	if (err) {
		kprintf("error: cannot build '%s' (%s)\n", name, errno_name(err));
		return err;
	}
	scenario_active = true;
	kprintf("frag %s: %lu mapped pages kept, %lu unmovable pages placed\n", scenario.name,
		scenario.mapped_pages, scenario.nr_unmovable);
	return 0;
}

static int verify(void)
{
	struct frag_verify verify;

	if (!scenario_active) {
		kprintf("error: frag verify: no scenario\n");
		return -ENOENT;
	}
	frag_scenario_verify(&scenario, &verify);
	kprintf("frag verify: %lu mapped pages, %lu bad; mslab %lu objects, %lu bad\n",
		verify.mapped_pages, verify.mapped_bad, verify.mslab_objects, verify.mslab_bad);
	if (verify.mapped_bad || verify.mslab_bad) {
		kprintf("error: frag verify: contents lost\n");
		return -EIO;
	}
	return 0;
}

/* Stop the writer and say what it did. Return: 0, or its error (-EIO: a
 * write was lost). */
static int writer_off(void)
{
	int err = mapped_writer_stop(&writer);

	kprintf("writer: cpu %u, %lu passes, %lu writes in %lu ms, %lu faults-and-waits, %lu lost\n",
		writer.cpu, (unsigned long)writer.passes, (unsigned long)writer.writes,
		(unsigned long)(writer.ns / 1000000), writer.fault_waits, (unsigned long)writer.lost);
	if (err)
		kprintf("error: writer: %s\n", err == -EIO ? "writes lost" : errno_name(err));
	return err;
}

static int writer_on(int argc, char **argv)
{
	unsigned long cpu = smp_nr_online() - 1;
	int err;

	if (argc == 3 && kstrtoul(argv[2], 0, &cpu))
		return -EINVAL;
	if (!scenario_active) {
		kprintf("error: writer: no scenario to write into (`frag NAME` first)\n");
		return -ENOENT;
	}
	if (writer.running) {
		kprintf("error: writer: already on, on cpu %u\n", writer.cpu);
		return -EBUSY;
	}
	if (cpu == this_cpu()->index || cpu >= smp_nr_online()) {
		kprintf("error: writer: cpu %lu is %s\n", cpu,
			cpu >= smp_nr_online() ? "not online" : "the monitor's (it would never run)");
		return -EINVAL;
	}
	err = mapped_writer_start(&writer, scenario.regions, scenario.nr_regions,
				  SCENARIO_SCRATCH_WORD, (unsigned int)cpu);
	if (err) {
		kprintf("error: writer: %s\n", errno_name(err));
		return err;
	}
	kprintf("writer: on cpu %lu, writing %lu mapped pages of '%s'\n", cpu, scenario.mapped_pages,
		scenario.name);
	return 0;
}

static int cmd_writer(int argc, char **argv)
{
	if (argc == 1) {
		kprintf("writer: %s\n", writer.running ? "on" : "off");
		if (writer.running)
			kprintf("writer: cpu %u\n", writer.cpu);
		return 0;
	}
	if (!strcmp(argv[1], "on"))
		return writer_on(argc, argv);
	if (strcmp(argv[1], "off") || argc != 2)
		return -EINVAL;
	if (!writer.running) {
		kprintf("error: writer: not on\n");
		return -ENOENT;
	}
	return writer_off();
}
MONITOR_CMD("writer", 0, 2, "[on [CPU]|off]",
	    "a thread on another CPU writing into the scenario's mapped pages (faults-and-waits, lost writes)",
	    cmd_writer);

static int cmd_frag(int argc, char **argv)
{
	int err;

	if (argc == 1) {
		print_figures(scenario_active ? scenario.name : "no scenario");
		return 0;
	}
	if (!strcmp(argv[1], "clear")) {
		if (writer.running)
			writer_off();
		if (scenario_active)
			frag_scenario_destroy(&scenario);
		scenario_active = false;
		print_figures("cleared");
		return 0;
	}
	if (!strcmp(argv[1], "verify"))
		return verify();
	err = build(argv[1]);
	if (!err)
		print_figures(scenario.name);
	return err;
}
MONITOR_CMD("frag", 0, 1, "[sparse|standard|mixed|clear|verify]",
	    "fragment memory with a scenario, check its contents, or show the figures",
	    cmd_frag);

/* @num / @den with two decimals, fixed-point ("-" when @den is 0). */
static void print_fixed(const char *label, unsigned long num, unsigned long den)
{
	unsigned long x = den ? num * 100 / den : 0;

	if (!den)
		kprintf("%s -", label);
	else
		kprintf("%s %lu.%02lu", label, x / 100, x % 100);
}

static int cmd_compact(int argc, char **argv)
{
	struct frag_run run;
	const struct compact_result *res = &run.res;
	unsigned long order = COMPACT_ALL;
	unsigned long waits = mapped_fault_waits();
	unsigned int t;

	if (argc == 2 && (kstrtoul(argv[1], 0, &order) || order > MAX_ORDER))
		return -EINVAL;

	frag_compact(&kernel_mm, (unsigned int)order, MIGRATE_SYNC, &run);
	waits = mapped_fault_waits() - waits;
	kprintf("compact%s: %s in %lu.%03lu ms\n", order == COMPACT_ALL ? "" : " (order)",
		res->status == COMPACT_SUCCESS ? "order available" : "scanners met",
		(unsigned long)(res->time_ns / 1000000), (unsigned long)(res->time_ns / 1000 % 1000));
	kprintf("packing: %lu objects moved, %lu bytes copied, %lu mslab pages freed\n",
		run.pack.objects_moved, run.pack.bytes_copied, run.pack.pages_freed);
	kprintf("2 MiB blocks: %lu -> %lu, T %lu;", run.before.recovered, run.after.recovered,
		run.before.T);
	print_fixed(" recovered_pct", run.after.recovered * 100, run.before.T);
	kprintf("\nmoved %lu pages, failed %lu;", res->migrated, res->failed);
	print_fixed(" moves_per_block", res->migrated, run.gained);
	print_fixed(" min_moves_per_block", run.before.min_moves, run.before.gainable);
	kprintf("\nscanned %lu (migrate) %lu (free), isolated %lu; by owner:",
		res->migrate_scanned, res->free_scanned, res->isolated);
	for (t = 0; t < MEMDESC_TYPES; t++)
		if (res->migrated_by_type[t])
			kprintf(" %s %lu", memdesc_type_name((enum memdesc_type)t),
				res->migrated_by_type[t]);
	kprintf("\nfaults-and-waits %lu (accesses that slept on a moving mapped page)\n", waits);
	if (run.over_bound) {
		kprintf("error: %lu free 2 MiB blocks is above T %lu: T is not an upper bound\n",
			run.after.recovered, run.before.T);
		return -ERANGE;
	}
	return 0;
}
MONITOR_CMD("compact", 0, 1, "[ORDER]", "compact memory (until ORDER is free, or fully)", cmd_compact);

static int cmd_contig(int argc, char **argv)
{
	unsigned long n, pfn;
	u64 start;
	int err;

	if (kstrtoul(argv[1], 0, &n) || !n)
		return -EINVAL;
	start = time_ns();
	err = alloc_contig_pages(&kernel_mm, n, &pfn);
	if (err) {
		kprintf("error: no %lu contiguous pages (%s)\n", n, errno_name(err));
		return err;
	}
	kprintf("contig: %lu pages at pfn %#lx-%#lx in %lu us; given back\n", n, pfn, pfn + n,
		(unsigned long)((time_ns() - start) / 1000));
	free_contig_range(&kernel_mm, pfn, n);
	return 0;
}
MONITOR_CMD("contig", 1, 1, "N", "allocate N physically contiguous pages (then free them)", cmd_contig);

static int cmd_proactive(int argc, char **argv)
{
	struct kcompactd_stats st;
	unsigned long high, low;

	kcompactd_get_stats(&st);
	if (argc == 1) {
		kprintf("proactive compaction %s: high %u%% low %u%%, score %u%%, %lu episodes, "
			"%lu runs\n", st.enabled ? "on" : "off", st.high, st.low, st.last_score,
			(unsigned long)st.episodes, (unsigned long)st.runs);
		return 0;
	}
	if (argc == 3 || (strcmp(argv[1], "on") && strcmp(argv[1], "off")))
		return -EINVAL;
	high = st.high;
	low = st.low;
	if (argc == 4 && (kstrtoul(argv[2], 0, &high) || kstrtoul(argv[3], 0, &low)))
		return -EINVAL;
	if (kcompactd_configure(!strcmp(argv[1], "on"), (unsigned int)high, (unsigned int)low)) {
		kprintf("error: need 0 <= LOW < HIGH <= 100\n");
		return -ERANGE;
	}
	kprintf("proactive compaction %s\n", argv[1]);
	return 0;
}
MONITOR_CMD("proactive", 0, 3, "[on|off [HIGH LOW]]", "proactive compaction thread settings",
	    cmd_proactive);

static int set_frag(const char *value)
{
	if (!value || strlen(value) >= sizeof(boot_scenario))
		return -EINVAL;
	strlcpy(boot_scenario, value, sizeof(boot_scenario));
	return 0;
}
CMDLINE_PARAM(frag, "frag", set_frag, "sparse|standard|mixed: fragment memory after boot");

void compact_boot_scenario(void)
{
	if (boot_scenario[0] && !build(boot_scenario))
		print_figures(scenario.name);
}
