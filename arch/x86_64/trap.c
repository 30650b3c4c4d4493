/*
 * The IDT and trap dispatch. Exceptions go to a per-vector handler if one is
 * installed (the page-fault path, tests catching int3); otherwise, or when
 * the handler declines, the frame is reported and the kernel panics (a
 * fault in a stack's guard page is reported as that thread's overflow). Device
 * vectors go to the handler attached with irq_alloc_vector() and are
 * acknowledged at the LAPIC.
 *
 * SMP: the IDT and the handler tables are shared by every CPU. The tables
 * are written in boot/thread context under table_lock (interrupts off) and
 * read without it from interrupt context on any CPU: each slot's handler is
 * written last, so a reader sees the old slot or the new one (a slot is
 * never cleared while its device may still interrupt). Per-vector counts
 * are relaxed atomics (any CPU); the interrupt nesting depth is per CPU
 * (irq_depth[cpu index]), written only by that CPU.
 */
#include "arch/x86_64/trap.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/gdt.h"
#include "arch/x86_64/lapic.h"
#include "arch/x86_64/layout.h"
#include "arch/x86_64/smp.h"
#include "arch/x86_64/smp_call.h"
#include "include/assert.h"
#include "include/errno.h"
#include "kernel/backtrace.h"
#include "kernel/panic.h"
#include "kernel/printk.h"
#include "kernel/sched.h"
#include "kernel/spinlock.h"

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
	u64 count; /* relaxed atomic: any CPU */
};

extern const u64 trap_stubs[256];

static struct idt_entry idt[256] __attribute__((aligned(16)));
static trap_handler_t trap_handlers[32];
/* VEC_IPI_RESCHED until the scheduler attaches its own: acknowledged
 * (dispatch_irq sends the EOI), nothing else. */
static void ipi_resched_ack(void *arg) { }

/* The IPI vectors are attached from the start: an AP may get a call before
 * anything could register them. */
static struct irq_slot irq_slots[256] = {
	[VEC_IPI_RESCHED] = { ipi_resched_ack, NULL, "ipi-resched", 0 },
	[VEC_IPI_CALL] = { smp_call_interrupt, NULL, "ipi-call", 0 },
};
static struct spinlock table_lock = SPINLOCK_INIT("trap-tables");
static int irq_depth[SMP_MAX_CPUS]; /* by cpu index; each CPU writes its own */

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
	flags = spin_lock_irqsave(&table_lock);
	old = trap_handlers[vector];
	WRITE_ONCE(trap_handlers[vector], handler);
	spin_unlock_irqrestore(&table_lock, flags);
	return old;
}

/* Fill @slot, the handler last (release): a CPU in dispatch_irq that sees
 * the handler sees its argument and name. */
static void slot_set_locked(struct irq_slot *slot, irq_handler_t handler, void *arg,
			    const char *name)
{
	ASSERT_MSG(spin_held(&table_lock), "trap-tables lock not held");
	slot->arg = arg;
	slot->name = name;
	__atomic_store_n(&slot->count, 0, __ATOMIC_RELAXED);
	__atomic_store_n(&slot->handler, handler, __ATOMIC_RELEASE);
}

int irq_alloc_vector(irq_handler_t handler, void *arg, const char *name)
{
	unsigned long flags = spin_lock_irqsave(&table_lock);
	unsigned int v;

	for (v = VEC_DEVICE_FIRST; v <= VEC_DEVICE_LAST; v++) {
		if (!irq_slots[v].handler) {
			slot_set_locked(&irq_slots[v], handler, arg, name);
			spin_unlock_irqrestore(&table_lock, flags);
			return (int)v;
		}
	}
	spin_unlock_irqrestore(&table_lock, flags);
	return -ENOSPC;
}

void irq_free_vector(unsigned int vector)
{
	unsigned long flags = spin_lock_irqsave(&table_lock);

	BUG_ON(vector < VEC_DEVICE_FIRST || vector > VEC_DEVICE_LAST);
	__atomic_store_n(&irq_slots[vector].handler, NULL, __ATOMIC_RELEASE);
	spin_unlock_irqrestore(&table_lock, flags);
}

void irq_set_fixed(unsigned int vector, irq_handler_t handler, void *arg, const char *name)
{
	unsigned long flags = spin_lock_irqsave(&table_lock);

	BUG_ON(vector < 32 || vector > 255);
	slot_set_locked(&irq_slots[vector], handler, arg, name);
	spin_unlock_irqrestore(&table_lock, flags);
}

u64 irq_count(unsigned int vector)
{
	return vector < 256 ? __atomic_load_n(&irq_slots[vector].count, __ATOMIC_RELAXED) : 0;
}
const char *irq_name(unsigned int vector)
{
	return vector < 256 ? irq_slots[vector].name : NULL;
}

unsigned int trap_cpu_index(void)
{
	/* %gs:0 reads address 0 until smp_init_boot_cpu() sets the GS base;
	 * until then only the boot CPU runs. */
	if (!READ_ONCE(cpus[0].self))
		return 0;
	return this_cpu()->index;
}

bool in_interrupt(void) { return READ_ONCE(irq_depth[trap_cpu_index()]) > 0; }

void irq_enter(void)
{
	ASSERT_MSG(!irqs_enabled(), "irq_enter with interrupts on");
	irq_depth[trap_cpu_index()]++;
}

void irq_exit(void)
{
	unsigned int cpu = trap_cpu_index();

	ASSERT_MSG(!irqs_enabled() && irq_depth[cpu] > 0, "irq_exit: depth %d", irq_depth[cpu]);
	irq_depth[cpu]--;
}

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
	pr_emerg("on cpu %u (APIC id %u)%s\n", trap_cpu_index(), cpus[trap_cpu_index()].apic_id,
		 in_interrupt() ? ", in interrupt context" : "");
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
	irq_handler_t handler = __atomic_load_n(&slot->handler, __ATOMIC_ACQUIRE);

	if (frame->vector == VEC_SPURIOUS)
		return; /* no EOI for spurious LAPIC interrupts */
	if (frame->vector >= VEC_PIC_BASE && frame->vector < VEC_PIC_BASE + 16 && !handler)
		return; /* a spurious 8259 interrupt: the PIC is masked, nothing to ack */
	__atomic_fetch_add(&slot->count, 1, __ATOMIC_RELAXED);
	irq_enter();
	if (handler)
		handler(slot->arg);
	else
		pr_warn("irq: vector 0x%lx has no handler\n", frame->vector);
	irq_exit();
	lapic_eoi();
}

void trap_dispatch(struct trap_frame *frame);
void trap_dispatch(struct trap_frame *frame)
{
	trap_handler_t handler;

	if (frame->vector >= 32) {
		dispatch_irq(frame);
		return;
	}
	__atomic_fetch_add(&irq_slots[frame->vector].count, 1, __ATOMIC_RELAXED);
	if (frame->vector == VEC_NMI && panic_nmi_stop(frame))
		return;
	handler = READ_ONCE(trap_handlers[frame->vector]);
	if (handler && handler(frame))
		return;
	exception_die(frame);
}
