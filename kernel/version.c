/* Version string; KERNEL_GIT_REV comes from the Makefile (git describe). */
#include "kernel/version.h"

#ifndef KERNEL_GIT_REV
#define KERNEL_GIT_REV "unknown"
#endif

const char kernel_version_string[] = "memdesc kernel 0.1 (" KERNEL_GIT_REV ")";
