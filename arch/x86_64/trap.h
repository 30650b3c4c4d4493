/*
 * Traps and interrupts: the IDT, the saved register frame, and the dispatch
 * from a vector to its handler. Exceptions without a handler (or whose
 * handler declines) print the full register state and a symbolized backtrace,
 * then panic. Device interrupts are dispatched to the handler registered for
 * the vector and acknowledged at the LAPIC afterwards.
 *
 * Vectors: 0-31 exceptions (2 = NMI: a stop request from a panicking CPU,
 * kernel/panic.c, or a real one, reported), 0x20-0x2f the (masked) 8259,
 * 0x40-0xef allocated to devices by irq_alloc_vector(), and the fixed ones:
 *   0xf0 LAPIC timer
 *   0xf1 reschedule IPI (kernel/sched.c: a thread was queued on an idle CPU)
 *   0xf2 cross-call IPI (arch/x86_64/smp_call.c)
 *   0xfe LAPIC error
 *   0xff LAPIC spurious
 * A fixed vector's priority class (vector >> 4) is 0xf: above every device.
 */
#ifndef ARCH_X86_64_TRAP_H
#define ARCH_X86_64_TRAP_H

#include "include/types.h"

/* Saved by entry.S in this order (lowest address first). */
struct trap_frame {
	u64 r15, r14, r13, r12, r11, r10, r9, r8;
	u64 rbp, rdi, rsi, rdx, rcx, rbx, rax;
	u64 vector, error_code;
	u64 rip, cs, rflags, rsp, ss; /* pushed by the CPU */
};

#define VEC_DIVIDE 0
#define VEC_DEBUG 1
#define VEC_NMI 2
#define VEC_BREAKPOINT 3
#define VEC_INVALID_OPCODE 6
#define VEC_DOUBLE_FAULT 8
#define VEC_GP 13
#define VEC_PAGE_FAULT 14
#define VEC_MACHINE_CHECK 18

#define VEC_PIC_BASE 0x20
#define VEC_DEVICE_FIRST 0x40
#define VEC_DEVICE_LAST 0xef
#define VEC_LAPIC_TIMER 0xf0
#define VEC_IPI_RESCHED 0xf1
#define VEC_IPI_CALL 0xf2
#define VEC_LAPIC_ERROR 0xfe
#define VEC_SPURIOUS 0xff

/* An exception handler returns true when it handled the trap (execution
 * resumes at frame->rip, which it may change), false to fall into the
 * default report-and-panic path. */
typedef bool (*trap_handler_t)(struct trap_frame *frame);
typedef void (*irq_handler_t)(void *arg);

void idt_init(void);
/* Load the (shared) IDT on this CPU: an AP at bring-up. */
void idt_load(void);

/* Install/remove the handler of exception @vector (0..31). Return: the old one. */
trap_handler_t trap_set_handler(unsigned int vector, trap_handler_t handler);

/*
 * irq_alloc_vector - reserve a device vector and attach @handler(@arg).
 * Return: the vector, or -ENOSPC when all device vectors are in use.
 * Context: boot or thread context.
 */
int irq_alloc_vector(irq_handler_t handler, void *arg, const char *name);
void irq_free_vector(unsigned int vector);

/* Attach a handler to a fixed vector (the LAPIC's own). */
void irq_set_fixed(unsigned int vector, irq_handler_t handler, void *arg, const char *name);

/* Interrupts handled per vector since boot (for the monitor's `irqs`). */
u64 irq_count(unsigned int vector);
const char *irq_name(unsigned int vector);

/* True while an interrupt handler is running on this CPU (its nesting
 * depth > 0), or a cross-call (smp_call.h) that counts as one. */
bool in_interrupt(void);

/*
 * irq_enter / irq_exit - count code that is not an interrupt handler but
 * must look like one to in_interrupt() on this CPU: a CPU that runs its own
 * cross-calls while it waits (smp_call.c). Pair them, interrupts off.
 */
void irq_enter(void);
void irq_exit(void);

/* This CPU's index in cpus[] (0 before the per-CPU area exists, on the boot
 * CPU): safe in any exception, unlike this_cpu() that early. */
unsigned int trap_cpu_index(void);

/* Print a frame's registers (and the backtrace from it) at LOG_EMERG. */
void trap_dump_frame(const struct trap_frame *frame);

const char *exception_name(unsigned int vector);

#endif
