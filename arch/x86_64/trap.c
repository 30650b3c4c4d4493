/*
 * The IDT and trap dispatch. Exceptions go to a per-vector handler if one is
 * installed (the page-fault path, tests catching int3); otherwise, or when
 * the handler declines, the frame is reported and the kernel panics (a
 * fault in a stack's guard page is reported as that thread's overflow). Device
 * vectors go to the handler attached with irq_alloc_vector() and are
 * acknowledged at the LAPIC.
 *
 * The handler tables are written in boot/thread context with interrupts off
 * and read from interrupt context.
 */
#include "arch/x86_64/trap.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/gdt.h"
#include "arch/x86_64/lapic.h"
#include "arch/x86_64/layout.h"
#include "include/assert.h"
#include "include/errno.h"
#include "kernel/backtrace.h"
#include "kernel/panic.h"
#include "kernel/printk.h"
#include "kernel/sched.h"

struct idt_entry {
	u16 offset_low;
	u16 selector;
	u8 ist;
	u8 type_attr;
	u16 offset_mid;
	u32 offset_high;
	u32 zero;
} __attribute__((packed));

struct irq_slot {
	irq_handler_t handler;
	void *arg;
	const char *name;
	u64 count;
};

extern const u64 trap_stubs[256];

static struct idt_entry idt[256] __attribute__((aligned(16)));
static trap_handler_t trap_handlers[32];
static struct irq_slot irq_slots[256];
static int irq_depth;

static const char *const exception_names[32] = {
	"#DE divide error", "#DB debug", "NMI", "#BP breakpoint", "#OF overflow",
	"#BR bound range", "#UD invalid opcode", "#NM device not available",
	"#DF double fault", "coprocessor overrun", "#TS invalid TSS",
	"#NP segment not present", "#SS stack fault", "#GP general protection",
	"#PF page fault", "reserved 15", "#MF x87 error", "#AC alignment check",
	"#MC machine check", "#XM SIMD error", "#VE virtualization",
	"#CP control protection", "reserved 22", "reserved 23", "reserved 24",
	"reserved 25", "reserved 26", "reserved 27", "#HV hypervisor injection",
	"#VC VMM communication", "#SX security", "reserved 31",
};

const char *exception_name(unsigned int vector)
{
	return vector < 32 ? exception_names[vector] : "interrupt";
}

static void idt_set(unsigned int vec, u64 handler, unsigned int ist)
{
	struct idt_entry *entry = &idt[vec];

	entry->offset_low = handler & 0xffff;
	entry->selector = GDT_KERNEL_CODE;
	entry->ist = ist;
	entry->type_attr = 0x8e; /* present, DPL 0, 64-bit interrupt gate */
	entry->offset_mid = (handler >> 16) & 0xffff;
	entry->offset_high = handler >> 32;
	entry->zero = 0;
}

void idt_load(void)
{
	struct {
		u16 limit;
		u64 base;
	} __attribute__((packed)) ptr = { sizeof(idt) - 1, (u64)idt };

	__asm__ volatile("lidt %0" ::"m"(ptr));
}

void idt_init(void)
{
	unsigned int v;

	for (v = 0; v < 256; v++)
		idt_set(v, trap_stubs[v], 0);
	idt[VEC_DOUBLE_FAULT].ist = IST_DOUBLE_FAULT;
	idt[VEC_NMI].ist = IST_NMI;
	idt[VEC_MACHINE_CHECK].ist = IST_MACHINE_CHECK;
	idt_load();
}

trap_handler_t trap_set_handler(unsigned int vector, trap_handler_t handler)
{
	trap_handler_t old;
	unsigned long flags;

	BUG_ON(vector >= 32);
	flags = irq_save();
	old = trap_handlers[vector];
	trap_handlers[vector] = handler;
	irq_restore(flags);
	return old;
}

int irq_alloc_vector(irq_handler_t handler, void *arg, const char *name)
{
	unsigned long flags = irq_save();
	unsigned int v;

	for (v = VEC_DEVICE_FIRST; v <= VEC_DEVICE_LAST; v++) {
		if (!irq_slots[v].handler) {
			irq_slots[v] = (struct irq_slot){ handler, arg, name, 0 };
			irq_restore(flags);
			return (int)v;
		}
	}
	irq_restore(flags);
	return -ENOSPC;
}

void irq_free_vector(unsigned int vector)
{
	unsigned long flags = irq_save();

	BUG_ON(vector < VEC_DEVICE_FIRST || vector > VEC_DEVICE_LAST);
	irq_slots[vector].handler = NULL;
	irq_restore(flags);
}

void irq_set_fixed(unsigned int vector, irq_handler_t handler, void *arg, const char *name)
{
	unsigned long flags = irq_save();

	BUG_ON(vector < 32 || vector > 255);
	irq_slots[vector] = (struct irq_slot){ handler, arg, name, 0 };
	irq_restore(flags);
}

u64 irq_count(unsigned int vector) { return vector < 256 ? irq_slots[vector].count : 0; }
const char *irq_name(unsigned int vector)
{
	return vector < 256 ? irq_slots[vector].name : NULL;
}

bool in_interrupt(void) { return irq_depth > 0; }

void trap_dump_frame(const struct trap_frame *frame)
{
	pr_emerg("RIP %016lx  RSP %016lx  RFLAGS %016lx\n", frame->rip, frame->rsp, frame->rflags);
	pr_emerg("RAX %016lx  RBX %016lx  RCX %016lx\n", frame->rax, frame->rbx, frame->rcx);
	pr_emerg("RDX %016lx  RSI %016lx  RDI %016lx\n", frame->rdx, frame->rsi, frame->rdi);
	pr_emerg("RBP %016lx  R8  %016lx  R9  %016lx\n", frame->rbp, frame->r8, frame->r9);
	pr_emerg("R10 %016lx  R11 %016lx  R12 %016lx\n", frame->r10, frame->r11, frame->r12);
	pr_emerg("R13 %016lx  R14 %016lx  R15 %016lx\n", frame->r13, frame->r14, frame->r15);
	pr_emerg("CS %04lx SS %04lx CR2 %016lx CR3 %016lx\n", frame->cs, frame->ss, read_cr2(),
		 read_cr3());
	backtrace_print_trap(frame->rip, frame->rsp, frame->rbp);
}

/*
 * A kernel stack overflow runs into a guard page: the #PF cannot push its
 * frame on the exhausted stack either, so it arrives as a double fault (on
 * its IST stack) with CR2 in the guard page; a fault that did get delivered
 * has CR2 there too. Return: the thread whose guard was hit, or NULL.
 */
static const char *stack_overflow_owner(const struct trap_frame *frame, unsigned long *guard)
{
	const char *name = NULL;

	if (frame->vector == VEC_DOUBLE_FAULT || frame->vector == VEC_PAGE_FAULT)
		name = sched_stack_guard_owner(read_cr2(), guard);
	if (!name && frame->vector == VEC_DOUBLE_FAULT)
		name = sched_stack_guard_owner(frame->rsp - 8, guard);
	return name;
}

static __noreturn void exception_die(struct trap_frame *frame)
{
	unsigned int v = (unsigned int)frame->vector;
	unsigned long guard = 0;
	const char *overflow;

	panic_begin();
	overflow = stack_overflow_owner(frame, &guard);
	if (overflow)
		pr_emerg("kernel stack overflow in thread '%s' (guard page %016lx)\n", overflow,
			 guard);
	pr_emerg("exception %lu (%s), error code 0x%lx, at RIP %016lx\n", frame->vector,
		 exception_name(v), frame->error_code, frame->rip);
	if (v == VEC_PAGE_FAULT)
		pr_emerg("page fault: %s %s address %016lx (%s)\n",
			 frame->error_code & 0x10 ? "instruction fetch at" :
			 frame->error_code & 2 ? "write to" : "read from",
			 frame->error_code & 1 ? "protected" : "unmapped", read_cr2(),
			 frame->error_code & 8 ? "reserved bit set" : "no reserved bit");
	trap_dump_frame(frame);
	if (overflow)
		panic_end("kernel stack overflow in thread '%s' (guard page %016lx)", overflow,
			  guard);
	panic_end("unhandled exception %lu (%s)", frame->vector, exception_name(v));
}

static void dispatch_irq(struct trap_frame *frame)
{
	struct irq_slot *slot = &irq_slots[frame->vector];

	if (frame->vector == VEC_SPURIOUS)
		return; /* no EOI for spurious LAPIC interrupts */
	if (frame->vector >= VEC_PIC_BASE && frame->vector < VEC_PIC_BASE + 16 && !slot->handler)
		return; /* a spurious 8259 interrupt: the PIC is masked, nothing to ack */
	slot->count++;
	irq_depth++;
	if (slot->handler)
		slot->handler(slot->arg);
	else
		pr_warn("irq: vector 0x%lx has no handler\n", frame->vector);
	irq_depth--;
	lapic_eoi();
}

void trap_dispatch(struct trap_frame *frame);
void trap_dispatch(struct trap_frame *frame)
{
	if (frame->vector >= 32) {
		dispatch_irq(frame);
		return;
	}
	irq_slots[frame->vector].count++;
	if (trap_handlers[frame->vector] && trap_handlers[frame->vector](frame))
		return;
	exception_die(frame);
}
