/* Boot-time hook of the compaction commands (see compact_cmds.c). */
#ifndef MONITOR_COMPACT_H
#define MONITOR_COMPACT_H

/* Build the scenario `frag=NAME` asked for, if any, and print its figures. */
void compact_boot_scenario(void);

#endif
