/*
 * The kernel's fault-injection singleton (kernel_fault, fixed seed so a run
 * repeats), the fail= command-line parameter and the `fail` monitor command.
 * kernel_mm.fault points at kernel_fault exactly while some site is armed
 * and boot is done; counters survive `fail all:off` until the next arming.
 * Changed only from the boot path and the monitor (one thread).
 */
#include "monitor/fault.h"
#include "include/errno.h"
#include "kernel/cmdline.h"
#include "kernel/mm/mm_boot.h"
#include "kernel/printk.h"
#include "lib/printf.h"
#include "lib/string.h"
#include "mm/fault_inject.h"
#include "monitor/monitor.h"

#define KERNEL_FAULT_SEED 0x6661756c74ULL

static struct fault_inject kernel_fault;
static bool kernel_fault_ready;
static bool boot_done;

static void ensure_ready(void)
{
	if (!kernel_fault_ready) {
		fault_inject_init(&kernel_fault, KERNEL_FAULT_SEED);
		kernel_fault_ready = true;
	}
}

/* Point kernel_mm at kernel_fault iff something is armed (after boot). */
static void update_attach(void)
{
	kernel_mm.fault = boot_done && fault_inject_armed(&kernel_fault) ? &kernel_fault : NULL;
}

/* Apply "SPEC[,SPEC...]"; Return: 0 or -EINVAL (specs before the bad one stay). */
static int apply_specs(const char *list)
{
	const char *p = list;

	ensure_ready();
	while (*p) {
		const char *comma = strchr(p, ',');
		size_t len = comma ? (size_t)(comma - p) : strlen(p);

		if (fault_inject_parse_spec(&kernel_fault, p, len))
			return -EINVAL;
		p += len + (comma ? 1 : 0);
	}
	update_attach();
	return 0;
}

static int set_fail(const char *value)
{
	return value && *value ? apply_specs(value) : -EINVAL;
}
CMDLINE_PARAM(fail, "fail", set_fail,
	      "SITE:RATE|@N[,...]: inject faults after boot (SITE page|slab|xa|migrate|all, "
	      "RATE per mille, @N = the Nth call)");

void fail_attach_boot_specs(void)
{
	ensure_ready();
	boot_done = true;
	update_attach();
	if (kernel_mm.fault)
		pr_info("fail: fault injection armed\n");
}

static void print_counters(void)
{
	unsigned int i;

	kprintf("%-8s %6s %8s %12s %10s\n", "site", "rate", "nth", "calls", "injected");
	for (i = 0; i < NR_FAULT_SITES; i++) {
		const struct fault_site_state *state = &kernel_fault.site[i];

		kprintf("%-8s %6u %8lu %12lu %10lu\n", fault_site_name((enum fault_site)i), state->rate,
			state->nth, state->calls, state->injected);
	}
	kprintf("fail: %s, %lu faults injected\n", kernel_mm.fault ? "armed" : "off",
		fault_inject_total(&kernel_fault));
}

/* fail            - the counters
 * fail SITE VALUE - VALUE = RATE (per mille), @N or off; SITE may be all */
static int cmd_fail(int argc, char **argv)
{
	char spec[48];
	int n;

	ensure_ready();
	if (argc == 2)
		return -EINVAL;
	if (argc == 3) {
		n = snprintf(spec, sizeof(spec), "%s:%s", argv[1], argv[2]);
		if (n < 0 || (size_t)n >= sizeof(spec) || strchr(spec, ',') ||
		    apply_specs(spec))
			return -EINVAL;
	}
	print_counters();
	return 0;
}
MONITOR_CMD("fail", 0, 2, "[SITE RATE|@N|off]",
	    "fault injection: SITE page|slab|xa|migrate|all, RATE per mille, @N = Nth call",
	    cmd_fail);
