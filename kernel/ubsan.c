/*
 * Runtime of the undefined-behaviour sanitizer for `make UBSAN=1` kernels
 * (-fsanitize=undefined): the compiler calls one of these handlers where C
 * says the behaviour is undefined; each prints one line
 *
 *   ubsan: KIND at FILE:LINE:COL [details]
 *
 * and execution goes on (the tests count the lines: `make test` fails on
 * any). Every check site reports once: its source location is marked by
 * the top bit of the column, in the compiler's own (writable) data.
 * Built into every kernel; only a sanitized one calls it.
 */
#include "include/assert.h"
#include "include/types.h"
#include "kernel/printk.h"

struct ubsan_loc {
	const char *file;
	u32 line;
	u32 column;
};

struct ubsan_type_mismatch {
	struct ubsan_loc loc;
	const void *type;
	u8 log_alignment;
	u8 check_kind;
};

#define UBSAN_REPORTED 0x80000000u

unsigned long ubsan_warnings; /* lines printed since boot */

/* Print the report line for @loc unless that site has reported already. */
static void ubsan_warn(struct ubsan_loc *loc, const char *kind, const char *fmt, unsigned long a,
		   unsigned long b)
{
	if (loc->column & UBSAN_REPORTED)
		return;
	loc->column |= UBSAN_REPORTED;
	ubsan_warnings++;
	kprintf("ubsan: %s at %s:%u:%u", kind, loc->file, loc->line, loc->column & ~UBSAN_REPORTED);
	if (fmt)
		kprintf(fmt, a, b);
	kprintf("\n");
}

#define HANDLER0(name, kind)                                                                \
	void __ubsan_handle_##name(struct ubsan_loc *loc);                                \
	void __ubsan_handle_##name(struct ubsan_loc *loc) { ubsan_warn(loc, kind, NULL, 0, 0); }
#define HANDLER1(name, kind, fmt)                                                           \
	void __ubsan_handle_##name(struct ubsan_loc *loc, unsigned long a);               \
	void __ubsan_handle_##name(struct ubsan_loc *loc, unsigned long a)                \
	{                                                                                   \
		ubsan_warn(loc, kind, fmt, a, 0);                                               \
	}
#define HANDLER2(name, kind, fmt)                                                           \
	void __ubsan_handle_##name(struct ubsan_loc *loc, unsigned long a, unsigned long b); \
	void __ubsan_handle_##name(struct ubsan_loc *loc, unsigned long a, unsigned long b) \
	{                                                                                   \
		ubsan_warn(loc, kind, fmt, a, b);                                               \
	}

HANDLER2(add_overflow, "signed addition overflow", ": 0x%lx + 0x%lx")
HANDLER2(sub_overflow, "signed subtraction overflow", ": 0x%lx - 0x%lx")
HANDLER2(mul_overflow, "signed multiplication overflow", ": 0x%lx * 0x%lx")
HANDLER2(divrem_overflow, "division overflow or by zero", ": 0x%lx / 0x%lx")
HANDLER2(shift_out_of_bounds, "shift out of bounds", ": 0x%lx << or >> 0x%lx")
HANDLER2(pointer_overflow, "pointer overflow", ": 0x%lx -> 0x%lx")
HANDLER1(negate_overflow, "negation overflow", ": -0x%lx")
HANDLER1(out_of_bounds, "array index out of bounds", ": index 0x%lx")
HANDLER1(load_invalid_value, "invalid value loaded (bool or enum)", ": 0x%lx")
HANDLER1(vla_bound_not_positive, "variable-length array bound not positive", ": 0x%lx")
HANDLER1(nonnull_return_v1, "null returned from a returns_nonnull function", NULL)
HANDLER0(nonnull_arg, "null passed as a nonnull argument")
HANDLER0(invalid_builtin, "invalid builtin argument (ctz/clz of 0)")
HANDLER0(missing_return, "end of a non-void function reached")

void __ubsan_handle_type_mismatch_v1(struct ubsan_type_mismatch *data, unsigned long ptr);
void __ubsan_handle_type_mismatch_v1(struct ubsan_type_mismatch *data, unsigned long ptr)
{
	unsigned long align = 1UL << data->log_alignment;

	if (!ptr)
		ubsan_warn(&data->loc, "null pointer access", NULL, 0, 0);
	else if (ptr & (align - 1))
		ubsan_warn(&data->loc, "misaligned access", ": address 0x%lx, alignment %lu", ptr, align);
	else
		ubsan_warn(&data->loc, "access beyond the object", ": address 0x%lx", ptr, 0);
}

void __ubsan_handle_alignment_assumption(struct ubsan_loc *loc, unsigned long ptr,
					 unsigned long align, unsigned long offset);
void __ubsan_handle_alignment_assumption(struct ubsan_loc *loc, unsigned long ptr,
					 unsigned long align, unsigned long offset)
{
	ubsan_warn(loc, "alignment assumption violated", ": address 0x%lx, alignment %lu", ptr, align);
}

void __ubsan_handle_builtin_unreachable(struct ubsan_loc *loc);
void __ubsan_handle_builtin_unreachable(struct ubsan_loc *loc)
{
	ubsan_warn(loc, "__builtin_unreachable reached", NULL, 0, 0);
	panic("ubsan: unreachable code reached at %s:%u", loc->file, loc->line);
}
