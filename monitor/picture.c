/*
 * Monitor command `picture [color]`: draw kernel_mm as one character per 2 MiB
 * pageblock (mm/picture.h gives the kinds and the exact output format), with
 * ANSI colours on request. Holds no state.
 */
#include "include/errno.h"
#include "kernel/mm/mm_boot.h"
#include "kernel/printk.h"
#include "lib/string.h"
#include "mm/picture.h"
#include "monitor/monitor.h"

static void print_line(void *priv, const char *line)
{
	kprintf("%s\n", line);
}

static int cmd_picture(int argc, char **argv)
{
	enum picture_style style = PICTURE_PLAIN;

	if (argc == 2) {
		if (strcmp(argv[1], "color"))
			return -EINVAL;
		style = PICTURE_COLOR;
	}
	picture_print(&kernel_mm, style, print_line, NULL, NULL);
	return 0;
}
MONITOR_CMD("picture", 0, 1, "[color]",
	    "physical memory, one character per 2 MiB pageblock (. M U B S X R)", cmd_picture);
