/*
 * Formatted output into a caller's buffer: C99 vsnprintf/snprintf without
 * floating point, plus the Linux-style scnprintf family that returns what was
 * actually written. The buffer is the only output; no state is kept, so the
 * functions are safe in any context, interrupts included.
 *
 * Supported: %d %i %u %x %X %o %p %s %c %%, length modifiers hh h l ll j z t,
 * flags '-' '0' ' ' '+' '#', width and precision (both may be '*'),
 * precision on integers (minimum digits) and on %s (maximum bytes read).
 * Choices where C leaves room or that differ from glibc:
 *   %p     always "0x" and 16 lowercase hex digits, NULL included
 *          ("0x0000000000000000"); width and '-' apply, other flags are ignored.
 *   %s     a NULL pointer prints "(null)" (cut by the precision like a string).
 *   other  an unknown conversion, or a format ending inside a specification,
 *          is copied to the output literally ("%y" prints "%y"); arguments
 *          already taken by '*' stay consumed.
 */
#ifndef LIB_PRINTF_H
#define LIB_PRINTF_H

#include "include/compiler.h"

__printf(3, 0) int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
__printf(3, 4) int snprintf(char *buf, size_t size, const char *fmt, ...);
__printf(3, 0) int vscnprintf(char *buf, size_t size, const char *fmt, va_list ap);
__printf(3, 4) int scnprintf(char *buf, size_t size, const char *fmt, ...);

#endif
