/*
 * Monitor commands for the migration engine: `mapped N` backs a demo region
 * of N movable mapped pages (one region at a time; `mapped free` drops it),
 * `migrate PFN...` moves pages, `vmstat` shows the migration counters (and the
 * zone and per-cpu cache locks' statistics, mm/lock_stat.h).
 */
#include "include/errno.h"
#include "kernel/mm/mm_boot.h"
#include "arch/x86_64/smp.h"
#include "kernel/printk.h"
#include "lib/printf.h"
#include "lib/string.h"
#include "mm/mapped.h"
#include "mm/migrate.h"
#include "monitor/monitor.h"

#define MIGRATE_CMD_MAX (MONITOR_MAX_ARGS - 1)

static struct mapped_region demo;

static int cmd_mapped(int argc, char **argv)
{
	unsigned long n, i;
	int err;

	if (!strcmp(argv[1], "free")) {
		if (demo.nr_pages)
			mapped_region_destroy(&demo);
		kprintf("demo region freed\n");
		return 0;
	}
	if (kstrtoul(argv[1], 0, &n) || !n)
		return -EINVAL;
	if (demo.nr_pages) {
		kprintf("error: a demo region exists; `mapped free` first\n");
		return -EBUSY;
	}
	err = mapped_region_create(&demo, &kernel_mm, n, GFP_ZERO);
	if (err) {
		kprintf("error: cannot back %lu pages (%s)\n", n, errno_name(err));
		return err;
	}
	kprintf("mapped %lu pages at %#lx; pfns:", n, demo.va);
	for (i = 0; i < n && i < 16; i++)
		kprintf(" %#lx", mapped_pfn(&demo, i));
	kprintf("%s\n", n > 16 ? " ..." : "");
	return 0;
}
MONITOR_CMD("mapped", 1, 1, "N|free", "back a demo region of N movable mapped pages", cmd_mapped);

static int cmd_migrate(int argc, char **argv)
{
	unsigned long pfns[MIGRATE_CMD_MAX];
	struct migrate_result result;
	int i, err;

	for (i = 1; i < argc; i++)
		if (kstrtoul(argv[i], 0, &pfns[i - 1]))
			return -EINVAL;
	err = migrate_pages(&kernel_mm, pfns, (size_t)(argc - 1), NULL, NULL, NULL, MIGRATE_SYNC,
			    &result);
	kprintf("migrated %lu, failed %lu, skipped %lu (not movable), released %lu, retried %lu, "
		"%lu bytes copied\n", result.succeeded, result.failed, result.skipped, result.released, result.retried,
		result.bytes_copied);
	return err == -EBUSY ? 0 : err;
}
MONITOR_CMD("migrate", 1, MONITOR_ARGS_ANY, "PFN...", "migrate pages (movable ones move, others are skipped)",
	    cmd_migrate);

static void print_compaction(const struct mm_compact *compact, const struct mm_stats *st)
{
	kprintf("compact_runs     %lu\ncompact_direct   %lu\ncompact_deferred %lu\n"
		"compact_migrate_scanned %lu\ncompact_free_scanned %lu\ncompact_isolated %lu\n"
		"compact_migrated %lu\ncompact_failed   %lu\ncompact_time_us  %lu\n",
		(unsigned long)compact->runs, (unsigned long)st->compact_direct,
		(unsigned long)compact->deferred, (unsigned long)compact->migrate_scanned,
		(unsigned long)compact->free_scanned, (unsigned long)compact->isolated,
		(unsigned long)compact->migrated, (unsigned long)compact->failed,
		(unsigned long)(compact->time_ns / 1000));
}

/* One lock's statistics (mm/lock_stat.h) as a vmstat line. */
static void print_lock_stat(const char *name, const struct mm_lock *lock)
{
	struct lock_stat_info info;

	mm_lock_stat_read(lock, &info);
	kprintf("lock_%-11s acquired %lu contended %lu wait_ns %lu hold_ns %lu max_hold_ns %lu\n",
		name, (unsigned long)info.acquired, (unsigned long)info.contended,
		(unsigned long)info.wait_ns, (unsigned long)info.hold_ns,
		(unsigned long)info.max_hold_ns);
}

/* The zone lock's and each online CPU's cache lock's. */
static void print_lock_stats(const struct mm *mm)
{
	unsigned int cpu;

	if (!lock_stat_enabled()) {
		kprintf("lock_stat        off (MM_LOCK_STAT=0)\n");
		return;
	}
	print_lock_stat("zone", &mm->lock);
	for (cpu = 0; cpu < smp_nr_online(); cpu++) {
		char name[8];

		snprintf(name, sizeof(name), "pcp%u", cpu);
		print_lock_stat(name, &mm->pcp[cpu].lock);
	}
}

static int cmd_vmstat(int argc, char **argv)
{
	const struct mm_stats *st = &kernel_mm.stats;
	unsigned int t;

	kprintf("migrate_success  %lu\nmigrate_fail     %lu\nmigrate_retry    %lu\n"
		"migrate_released %lu\nmigrate_bytes    %lu\n", (unsigned long)st->migrate_success,
		(unsigned long)st->migrate_fail, (unsigned long)st->migrate_retry,
		(unsigned long)st->migrate_released, (unsigned long)st->migrate_bytes);
	for (t = 0; t < MEMDESC_TYPES; t++)
		if (st->migrate_by_type[t])
			kprintf("migrated_%-7s %lu\n", memdesc_type_name((enum memdesc_type)t),
				(unsigned long)st->migrate_by_type[t]);
	kprintf("mapped_fault_waits %lu\n", mapped_fault_waits());
	kprintf("pcp_refill       %lu\npcp_drain        %lu\nfallback         %lu\n"
		"steal_block      %lu\n", (unsigned long)st->pcp_refill,
		(unsigned long)st->pcp_drain, (unsigned long)st->fallback,
		(unsigned long)st->steal_block);
	kprintf("oom_notify       %lu\noom_released     %lu\noom_success      %lu\n"
		"oom_busy         %lu\n", (unsigned long)st->oom_notify,
		(unsigned long)st->oom_released, (unsigned long)st->oom_success,
		(unsigned long)st->oom_busy);
	kprintf("report_taken     %lu\nreport_blocks    %lu\nreport_pages     %lu\n"
		"report_isolated  %lu\n", (unsigned long)st->report_taken,
		(unsigned long)st->report_blocks, (unsigned long)st->report_pages,
		kernel_mm.nr_report_isolated);
	kprintf("hole_alloc       %lu\nhole_fallback    %lu\n", (unsigned long)st->hole_alloc,
		(unsigned long)st->hole_fallback);
	kprintf("poison_bad       %lu\n", (unsigned long)st->poison_bad);
	print_compaction(&kernel_mm.compact, st);
	print_lock_stats(&kernel_mm);
	return 0;
}
MONITOR_CMD("vmstat", 0, 0, "", "migration, compaction, OOM, reporting and allocator event counters", cmd_vmstat);
