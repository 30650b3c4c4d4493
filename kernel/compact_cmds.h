/* Boot-time hook of the compaction commands (see compact_cmds.c). */
#ifndef KERNEL_COMPACT_CMDS_H
#define KERNEL_COMPACT_CMDS_H

/* Build the scenario `frag=NAME` asked for, if any, and print its figures. */
void compact_boot_scenario(void);

#endif
