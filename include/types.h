/*
 * Project-wide basic types. The compiler's freestanding headers (stdint.h,
 * stddef.h, stdbool.h, stdarg.h) are part of the compiler, not of a libc, so
 * both the kernel and the host build use them.
 */
#ifndef INCLUDE_TYPES_H
#define INCLUDE_TYPES_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef uint64_t u64;
typedef int8_t s8;
typedef int16_t s16;
typedef int32_t s32;
typedef int64_t s64;

typedef u64 phys_addr_t;

#endif
