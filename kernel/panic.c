/*
 * panic(): report and stop. Runs with interrupts disabled and the console
 * lock broken, so it works from any context, including a fault inside an
 * interrupt handler with the console lock held.
 *
 * SMP: the first CPU to enter panic_begin() owns the panic (panic_cpu,
 * compare-and-swap). It sends an NMI to every other CPU; a CPU that takes
 * it (panic_nmi_stop) checks in and spins in the NMI handler until the
 * owner gives it its turn, then prints "cpu N stopped" with its registers
 * and backtrace, says it is done and halts for good. The owner waits a
 * bounded time for the check-ins (STOP_CHECKIN_MS) and then for each report
 * in turn (STOP_REPORT_MS), so lines never interleave, then exits QEMU. A
 * CPU that panics while another owns the panic prints nothing and halts
 * (the owner's NMI then reports where it was); the owner panicking again
 * halts too (printing may be what faults).
 *
 * stop_state[cpu]: written by that CPU in its NMI handler (release), read
 * by the owner; stop_turn: written by the owner only.
 */
#include "kernel/panic.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/lapic.h"
#include "arch/x86_64/smp.h"
#include "arch/x86_64/trap.h"
#include "drivers/qemu_exit.h"
#include "kernel/backtrace.h"
#include "kernel/printk.h"
#include "kernel/time.h"
#include "lib/printf.h"

#define STOP_CHECKIN_MS 1000 /* for every other CPU to take the NMI */
#define STOP_REPORT_MS 2000  /* for one stopped CPU to print its report */

enum stop_state { STOP_RUNNING, STOP_WAITING, STOP_PRINTED };

static int panic_cpu = -1;
static bool stop_requested;
static int stop_turn = -1;
static int stop_state[SMP_MAX_CPUS];

bool panic_in_progress(void) { return __atomic_load_n(&panic_cpu, __ATOMIC_ACQUIRE) >= 0; }

/* Spin until stop_state[@cpu] reaches @state or @ms pass. Return: reached. */
static bool wait_stop_state(unsigned int cpu, int state, u64 ms)
{
	u64 start = time_us();

	while (__atomic_load_n(&stop_state[cpu], __ATOMIC_ACQUIRE) < state) {
		if (time_us() - start > ms * 1000)
			return false;
		cpu_relax();
	}
	return true;
}

/* NMI every other CPU and wait (bounded) until they all checked in. */
static void stop_other_cpus(unsigned int me)
{
	unsigned int i, n = smp_nr_online();

	if (n < 2)
		return;
	__atomic_store_n(&stop_requested, true, __ATOMIC_RELEASE);
	if (lapic_send_nmi_all_but_self())
		return; /* no LAPIC yet, or the ICR hangs: report this CPU alone */
	for (i = 0; i < n; i++)
		if (i != me)
			wait_stop_state(i, STOP_WAITING, STOP_CHECKIN_MS);
}

/* Let each stopped CPU print its report, one after another. */
static void report_stopped_cpus(unsigned int me)
{
	unsigned int i, n = smp_nr_online();

	if (!__atomic_load_n(&stop_requested, __ATOMIC_ACQUIRE))
		return;
	for (i = 0; i < n; i++) {
		if (i == me)
			continue;
		if (__atomic_load_n(&stop_state[i], __ATOMIC_ACQUIRE) < STOP_WAITING) {
			pr_emerg("cpu %u did not stop (no NMI within %u ms)\n", i, STOP_CHECKIN_MS);
			continue;
		}
		__atomic_store_n(&stop_turn, (int)i, __ATOMIC_RELEASE);
		if (!wait_stop_state(i, STOP_PRINTED, STOP_REPORT_MS))
			pr_emerg("cpu %u: no report within %u ms\n", i, STOP_REPORT_MS);
	}
	__atomic_store_n(&stop_turn, -1, __ATOMIC_RELEASE); /* a late one stays quiet */
}

bool panic_nmi_stop(struct trap_frame *frame)
{
	unsigned int me = trap_cpu_index();
	int owner = __atomic_load_n(&panic_cpu, __ATOMIC_ACQUIRE);

	if (owner < 0 || owner == (int)me || !__atomic_load_n(&stop_requested, __ATOMIC_ACQUIRE))
		return false; /* a real NMI */
	__atomic_store_n(&stop_state[me], STOP_WAITING, __ATOMIC_RELEASE);
	while (__atomic_load_n(&stop_turn, __ATOMIC_ACQUIRE) != (int)me)
		cpu_relax();
	pr_emerg("cpu %u stopped (APIC id %u), cpu %d panics%s\n", me, cpus[me].apic_id, owner,
		 in_interrupt() ? "; it was in interrupt context" : "");
	trap_dump_frame(frame);
	__atomic_store_n(&stop_state[me], STOP_PRINTED, __ATOMIC_RELEASE);
	cpu_halt_forever(); /* NMIs stay blocked: no iret */
}

void panic_begin(void)
{
	unsigned int me;
	int owner = -1;

	irq_disable();
	me = trap_cpu_index();
	if (!__atomic_compare_exchange_n(&panic_cpu, &owner, (int)me, false, __ATOMIC_ACQ_REL,
					 __ATOMIC_ACQUIRE)) {
		/* Recursive panic: printing may be what faults; just stop. */
		if (owner == (int)me)
			console_write("\npanic: recursive panic, halting\n", 33);
		/* Another CPU's panic: its NMI reports where we are. */
		for (;;)
			__asm__ volatile("hlt");
	}
	stop_other_cpus(me);
	console_break_locks();
}

void panic_end(const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	report_stopped_cpus(trap_cpu_index());
	pr_emerg("Kernel panic: %s\n", msg);
	qemu_exit(QEMU_EXIT_PANIC);
	cpu_halt_forever();
}

void panic(const char *fmt, ...)
{
	char msg[256];
	unsigned long *fp;
	va_list ap;

	panic_begin();
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	pr_emerg("panic: %s\n", msg);
	/* Start at our caller: its return address and its saved frame. */
	fp = __builtin_frame_address(0);
	backtrace_print(fp[1], fp[0]);
	panic_end("%s", msg);
}
