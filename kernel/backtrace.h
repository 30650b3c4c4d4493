/*
 * Symbolized backtraces. The build links the kernel twice: the first image's
 * text symbols become the .ksymtab section of the second (tools/gensyms.py).
 * Walking the stack follows the RBP chain (everything is built with frame
 * pointers) and stops at a zero or unmapped frame.
 */
#ifndef KERNEL_BACKTRACE_H
#define KERNEL_BACKTRACE_H

#include "include/types.h"

/*
 * ksym_lookup - find the function containing @addr.
 * Return: its name, or NULL when @addr is outside the kernel's text;
 * *@offset and *@size are set when found.
 */
const char *ksym_lookup(unsigned long addr, unsigned long *offset, unsigned long *size);

/* Address of a symbol by exact name, or 0. */
unsigned long ksym_address(const char *name);

/* Format "name+0xoff/0xsize" (or the bare address) into @buf. */
void ksym_format(char *buf, size_t size, unsigned long addr);

/* Print "backtrace:" and one line per frame, starting at @rip with frame @rbp. */
void backtrace_print(unsigned long rip, unsigned long rbp);

/* The same for a trap frame: also recovers the caller of a function that
 * had not set up its frame (a frameless leaf) from the top of the stack. */
void backtrace_print_trap(unsigned long rip, unsigned long rsp, unsigned long rbp);

/* Number of symbols in the table (0 on the first link). */
unsigned long ksym_count(void);

#endif
