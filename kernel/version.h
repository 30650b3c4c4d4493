/* The kernel's name, version and build identification (from the Makefile). */
#ifndef KERNEL_VERSION_H
#define KERNEL_VERSION_H

extern const char kernel_version_string[];

#endif
