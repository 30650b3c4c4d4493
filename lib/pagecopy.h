/*
 * Whole-page copies by the methods open to the kernel, which is built
 * -mgeneral-regs-only (no SSE/AVX): `rep movsb`, `rep movsq`, and an
 * unrolled loop moving 64 bytes per iteration through eight general-purpose
 * registers. All three exist so that `make bench` can time them side by
 * side, natively (host, copy4k_*_ns) and under QEMU TCG (kernel,
 * kernel_copy4k_*_ns); mm/migrate.c's migrate_copy_page() uses the winner
 * (its comment has the numbers).
 *
 * Contract: @bytes is a multiple of 64, the regions do not overlap. No
 * state; safe in any context (the direction flag is clear, as the ABI
 * guarantees at every call and the kernel's entry code keeps).
 */
#ifndef LIB_PAGECOPY_H
#define LIB_PAGECOPY_H

#include "include/types.h"

#define PAGECOPY_CHUNK 64 /* @bytes must be a multiple of this */

/* rep movsb: one instruction; fast-string microcode (ERMS/FSRM) on hardware. */
void pagecopy_movsb(void *dst, const void *src, size_t bytes);
/* rep movsq: an eighth of movsb's iterations, which matters under TCG. */
void pagecopy_movsq(void *dst, const void *src, size_t bytes);
/* 8 x u64 loads then 8 stores per iteration, in general-purpose registers. */
void pagecopy_loop(void *dst, const void *src, size_t bytes);

#endif
