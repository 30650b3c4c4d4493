/* Monitor output of the mslab pools (kernel/mslab_cmds.c). */
#ifndef KERNEL_MSLAB_CMDS_H
#define KERNEL_MSLAB_CMDS_H

#include "include/types.h"

/* Print every mslab pool of kernel_mm, with mslab_check when @check. */
void mslabinfo_print(bool check);

#endif
