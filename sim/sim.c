/*
 * The host simulation (`make sim MEM=64G SCENARIO=standard`): bring the
 * allocator up over a simulated machine without page data (a tag in each
 * page's descriptor stands for its contents), fragment it with a scenario,
 * compact it fully, and report the compaction figures (T, recovered,
 * moves against the minimum, time, resident memory) as a table and as JSON
 * lines. Every moved page's tag and mm_check are verified at the end.
 * The physical-memory map (mm/picture.h) is printed before and after the
 * compaction; --data writes it, with the free blocks per order before and
 * after, as one JSON object for tools/plots.py:
 *
 *   {"mem": "1G", "scenario": "standard", "base_addr": 0, "pageblocks": 512,
 *    "picture_before": ".MMU...", "picture_after": "...", "free_before": [n per
 *    order 0..10], "free_after": [...], "figures": {"T": ..., ...}}
 *
 * Usage: sim [--mem SIZE] [--scenario NAME] [--json FILE] [--data FILE]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "include/errno.h"
#include "mm/compaction.h"
#include "mm/picture.h"
#include "mm/scenario.h"
#include "mm/testing.h"

static struct mm_test_env env;

static struct frag_scenario scen;

static unsigned long parse_size(const char *s)
{
	char *end;
	unsigned long v = strtoul(s, &end, 10);

	switch (*end) {
	case 'T': case 't': return v << 40;
	case 'G': case 'g': return v << 30;
	case 'M': case 'm': return v << 20;
	case 'K': case 'k': return v << 10;
	case 0: return v;
	default: return 0;
	}
}

static unsigned long rss_mib(void)
{
	char line[256];
	unsigned long kb = 0;
	FILE *f = fopen("/proc/self/status", "r");

	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "VmRSS: %lu kB", &kb) == 1)
			break;
	if (f)
		fclose(f);
	return kb / 1024;
}

static unsigned long bad_tags(void)
{
	unsigned long bad = 0, i, pfn;
	unsigned int r;

	for (r = 0; r < scen.nr_regions; r++)
		for (i = 0; i < scen.regions[r].nr_pages; i++)
			if (mm_lookup_page(mapped_va(&scen.regions[r], i), &pfn))
				bad += !mapped_tag_ok(&scen.regions[r], i);
	return bad;
}

/* What --data records at one moment: the map and the free blocks. */
struct snapshot {
	char *map;                     /* one character per pageblock */
	unsigned long free[NR_ORDERS]; /* free blocks per order, all migratetypes */
};

static void print_map_line(void *priv, const char *line)
{
	printf("%s\n", line);
}

/* Print the map under @title and record it (and the free lists) in @snap. */
static void snapshot_take(struct snapshot *snap, const char *title)
{
	struct mm *mm = &env.mm;
	unsigned int o, mt;

	printf("sim: map %s compaction\n", title);
	picture_print(mm, PICTURE_PLAIN, print_map_line, NULL, NULL);
	snap->map = calloc(mm->nr_pageblocks + 1, 1);
	if (!snap->map) {
		fprintf(stderr, "sim: out of memory\n");
		exit(1);
	}
	picture_classify(mm, 0, mm->nr_pageblocks, snap->map, NULL);
	mm_drain_pcp(mm);
	for (o = 0; o < NR_ORDERS; o++)
		for (snap->free[o] = 0, mt = 0; mt < MIGRATE_TYPES; mt++)
			snap->free[o] += mm->free_area[o].nr[mt];
}

static void write_orders(FILE *f, const char *key, const unsigned long *free)
{
	unsigned int o;

	fprintf(f, ", \"%s\": [", key);
	for (o = 0; o < NR_ORDERS; o++)
		fprintf(f, "%s%lu", o ? ", " : "", free[o]);
	fprintf(f, "]");
}

/* The --data file: see the top of this file. Return: 0 or -EIO. */
static int write_data(const char *path, const char *mem, const char *scenario,
		      const struct snapshot *before, const struct snapshot *after,
		      const char *figures)
{
	FILE *f = fopen(path, "w");

	if (!f)
		return -EIO;
	fprintf(f, "{\"mem\": \"%s\", \"scenario\": \"%s\", \"base_addr\": %lu, "
		"\"pageblocks\": %lu, \"picture_before\": \"%s\", \"picture_after\": \"%s\"", mem,
		scenario, (env.mm.base_pfn & ~(PAGEBLOCK_PAGES - 1)) << PAGE_SHIFT,
		env.mm.nr_pageblocks, before->map, after->map);
	write_orders(f, "free_before", before->free);
	write_orders(f, "free_after", after->free);
	fprintf(f, ", \"figures\": {%s}}\n", figures);
	return fclose(f) ? -EIO : 0;
}

static char figures_json[1024]; /* "name": value, ... for --data */

static void figure(FILE *json, const char *mem, const char *scenario, const char *name,
		   double value, const char *unit)
{
	size_t len = strlen(figures_json);

	printf("  %-28s %14.2f %s\n", name, value, unit);
	snprintf(figures_json + len, sizeof(figures_json) - len, "%s\"%s\": %.4f",
		 len ? ", " : "", name, value);
	if (json)
		fprintf(json, "{\"name\": \"sim_%s_%s_%s\", \"value\": %.4f, \"unit\": \"%s\"}\n",
			name, scenario, mem, value, unit);
}

int main(int argc, char **argv)
{
	const char *mem = "1G", *scenario = "standard", *json_path = NULL, *data_path = NULL;
	struct snapshot snap_before, snap_after;
	struct frag_run run;
	const struct frag_figures *before = &run.before, *after = &run.after;
	const struct compact_result *res = &run.res;
	struct pfn_range all;
	unsigned long bytes, bad;
	unsigned int violations;
	FILE *json = NULL;
	int i, err;

	for (i = 1; i + 1 < argc; i += 2) {
		if (!strcmp(argv[i], "--mem"))
			mem = argv[i + 1];
		else if (!strcmp(argv[i], "--scenario"))
			scenario = argv[i + 1];
		else if (!strcmp(argv[i], "--json"))
			json_path = argv[i + 1];
		else if (!strcmp(argv[i], "--data"))
			data_path = argv[i + 1];
		else
			break;
	}
	bytes = parse_size(mem);
	if (i < argc || bytes < (64UL << 20) || bytes > (1UL << 40)) {
		fprintf(stderr, "usage: sim [--mem 64M..1T] [--scenario sparse|standard] [--json FILE] [--data FILE]\n");
		return 2;
	}
	all = (struct pfn_range){ 0, bytes >> 12 };
	err = mm_test_env_init_ex(&env, all.end, &all, 1, NULL, 0, true);
	if (!err)
		err = frag_scenario_build(&scen, &env.mm, scenario);
	if (err) {
		fprintf(stderr, "sim: cannot set up %s/%s: %s\n", mem, scenario, errno_name(err));
		return 1;
	}
	if (json_path)
		json = fopen(json_path, "a");
	snapshot_take(&snap_before, "before");
	frag_compact(&env.mm, COMPACT_ALL, MIGRATE_SYNC, &run);
	snapshot_take(&snap_after, "after");
	bad = bad_tags();
	violations = mm_check(&env.mm);
	printf("sim: %s machine, scenario %s (no page data)\n", mem, scenario);
	figure(json, mem, scenario, "T", (double)before->T, "blocks");
	figure(json, mem, scenario, "recovered_before", (double)before->recovered, "blocks");
	figure(json, mem, scenario, "recovered_after", (double)after->recovered, "blocks");
	figure(json, mem, scenario, "recovered_pct",
	       before->T ? 100.0 * (double)after->recovered / (double)before->T : 0, "%");
	figure(json, mem, scenario, "moves", (double)res->migrated, "pages");
	figure(json, mem, scenario, "moves_per_block",
	       run.gained ? (double)res->migrated / (double)run.gained : 0, "pages");
	figure(json, mem, scenario, "min_moves_per_block",
	       before->gainable ? (double)before->min_moves / (double)before->gainable : 0, "pages");
	figure(json, mem, scenario, "compact_ms", (double)res->time_ns / 1e6, "ms");
	figure(json, mem, scenario, "rss_mib", (double)rss_mib(), "MiB");
	if (json)
		fclose(json);
	printf("sim: %lu failed moves, %lu bad tags, mm_check %u violations\n", res->failed, bad,
	       violations);
	if (run.over_bound) {
		fprintf(stderr, "sim: %lu free 2 MiB blocks is above T %lu: T is not an upper bound\n",
			after->recovered, before->T);
		bad++;
	}
	if (data_path && write_data(data_path, mem, scenario, &snap_before, &snap_after,
				    figures_json)) {
		fprintf(stderr, "sim: cannot write %s\n", data_path);
		bad++;
	}
	if (data_path && !bad)
		printf("sim: data in %s\n", data_path);
	free(snap_before.map);
	free(snap_after.map);
	frag_scenario_destroy(&scen);
	mm_test_env_destroy(&env);
	return bad || violations ? 1 : 0;
}
