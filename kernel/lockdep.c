/*
 * The lock checker (see lockdep.h).
 *
 * Classes live in a table indexed by class_id - 1, found by name the first
 * time a lock is taken and cached in the lock. The order graph is one
 * bitmap per class: bit b of order_after[a] says "class b was taken while
 * class a was held", with the call sites of the first time in
 * order_site[a][b]. Classes and the graph are written under graph_lock, a
 * bare exchange lock the checker does not check, always with interrupts
 * off (an interrupt handler taking a lock would otherwise spin on it
 * forever); readers (a cycle search) hold it too. A CPU's stack of held locks is its own, touched with
 * interrupts off (an interrupt handler's locks are pushed on it as well).
 *
 * After the first report (or once the kernel panics for another reason)
 * the checker stops checking: the report itself takes locks.
 */
#include "kernel/lockdep.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/smp.h"
#include "arch/x86_64/trap.h"
#include "kernel/backtrace.h"
#include "kernel/panic.h"
#include "kernel/printk.h"
#include "kernel/spinlock.h"
#include "lib/bitmap.h"
#include "lib/printf.h"
#include "lib/string.h"

/* One recorded order: class @taken was taken while class @held was held. */
struct lock_order {
	u16 held, taken;          /* 0-based classes */
	unsigned int cpu;
	unsigned long held_site;  /* where the held lock was taken */
	unsigned long taken_site; /* where the other was taken under it */
};

static char class_name[LOCKDEP_MAX_CLASSES][LOCKDEP_NAME_LEN];
/* How each class was taken: in interrupt context, with interrupts on; and
 * where each was first seen. Both at once is a deadlock on one CPU. */
#define USED_IN_IRQ 1u
#define USED_IRQS_ON 2u
static unsigned int nr_classes;
/* Bit b of order_after[a]: class b was taken while class a was held. */
static DECLARE_BITMAP(order_after[LOCKDEP_MAX_CLASSES], LOCKDEP_MAX_CLASSES);
static unsigned int nr_orders;
#if LOCK_CHECKS
static u8 class_usage[LOCKDEP_MAX_CLASSES];
static unsigned long usage_site[LOCKDEP_MAX_CLASSES][2];
static struct lock_order orders[LOCKDEP_MAX_ORDERS];
static int graph_lock; /* a bare exchange lock: the checker's own */
#endif
static const char *off_reason; /* NULL while checking */
static lockdep_hook_t report_hook;

lockdep_hook_t lockdep_set_report_hook(lockdep_hook_t hook)
{
	lockdep_hook_t old = report_hook;

	report_hook = hook;
	return old;
}

unsigned int lockdep_nr_classes(void) { return __atomic_load_n(&nr_classes, __ATOMIC_RELAXED); }
unsigned int lockdep_nr_orders(void) { return __atomic_load_n(&nr_orders, __ATOMIC_RELAXED); }

unsigned int lockdep_nr_held(void) { return LOCK_CHECKS ? this_cpu()->lockdep.nr_held : 0; }

#if LOCK_CHECKS

static void graph_lock_take(void)
{
	while (__atomic_exchange_n(&graph_lock, 1, __ATOMIC_ACQUIRE))
		cpu_relax();
}

static void graph_lock_drop(void) { __atomic_store_n(&graph_lock, 0, __ATOMIC_RELEASE); }

static const char *lock_name(const struct spinlock *lock)
{
	return lock->name ? lock->name : "(unnamed)";
}

static void print_site(const char *what, unsigned long site)
{
	char sym[96];

	ksym_format(sym, sizeof(sym), site);
	pr_emerg("  %s at %s\n", what, sym);
}

static void print_held(const struct lockdep_cpu *ld)
{
	unsigned int i;
	char what[64];

	pr_emerg("cpu %u holds %u lock(s):\n", this_cpu()->index, ld->nr_held);
	for (i = 0; i < ld->nr_held; i++) {
		snprintf(what, sizeof(what), "#%u '%s'", i, lock_name(ld->held[i].lock));
		print_site(what, ld->held[i].site);
	}
}

/*
 * Start a report of @kind. Return: true when the caller is to print it
 * and panic (report_end); false when a test hook took it (the caller
 * skips the operation).
 */
static bool report_begin(const char *kind)
{
	if (report_hook) {
		report_hook(kind);
		return false;
	}
	panic_begin();
	off_reason = "reported";
	pr_emerg("lockdep: %s on cpu %u\n", kind, this_cpu()->index);
	return true;
}

static __noreturn void report_end(const char *kind)
{
	unsigned long *fp = __builtin_frame_address(0);

	print_held(&this_cpu()->lockdep);
	backtrace_print(fp[1], fp[0]);
	panic_end("lockdep: %s", kind);
}

/* Stop checking; say why once. */
static void checker_stop(const char *why)
{
	if (off_reason)
		return;
	off_reason = why;
	pr_warn("lockdep: %s; lock checking is off\n", why);
}

/* The class of @lock (1-based), found or added by name (its first
 * LOCKDEP_NAME_LEN - 1 bytes). 0: the table is full. */
static u16 class_of(struct spinlock *lock)
{
	char name[LOCKDEP_NAME_LEN];
	unsigned int i;
	u16 id = 0;

	if (lock->class_id)
		return lock->class_id;
	strlcpy(name, lock_name(lock), sizeof(name));
	graph_lock_take();
	for (i = 0; i < nr_classes && !id; i++)
		if (!strcmp(class_name[i], name))
			id = (u16)(i + 1);
	if (!id && nr_classes < LOCKDEP_MAX_CLASSES) {
		memcpy(class_name[nr_classes], name, sizeof(name));
		id = (u16)(++nr_classes);
	}
	graph_lock_drop();
	if (!id) {
		checker_stop("too many lock classes");
		return 0;
	}
	lock->class_id = id;
	return id;
}

/*
 * Is class @to reachable from class @from along recorded orders? Breadth-
 * first; @parent[c] is the class before c on the path found. Caller holds
 * graph_lock; classes are 0-based.
 */
static bool order_path(unsigned int from, unsigned int to, u16 parent[LOCKDEP_MAX_CLASSES])
{
	DECLARE_BITMAP(seen, LOCKDEP_MAX_CLASSES) = { 0 };
	u16 queue[LOCKDEP_MAX_CLASSES];
	unsigned int head = 0, tail = 0, c, d;

	bitmap_set_bit(seen, from);
	queue[tail++] = (u16)from;
	while (head < tail) {
		c = queue[head++];
		for (d = 0; d < nr_classes; d++) {
			if (!bitmap_test_bit(order_after[c], d) || bitmap_test_and_set_bit(seen, d))
				continue;
			parent[d] = (u16)c;
			if (d == to)
				return true;
			queue[tail++] = (u16)d;
		}
	}
	return false;
}

static const struct lock_order *order_find(unsigned int held, unsigned int taken)
{
	unsigned int i;

	for (i = 0; i < nr_orders; i++)
		if (orders[i].held == held && orders[i].taken == taken)
			return &orders[i];
	return NULL;
}

/* Print the recorded path @from -> ... -> @to (0-based, found by order_path). */
static void print_order_path(unsigned int from, unsigned int to, const u16 parent[LOCKDEP_MAX_CLASSES])
{
	u16 chain[LOCKDEP_MAX_CLASSES];
	unsigned int n = 0, c = to, i;
	char what[128];

	while (c != from && n < LOCKDEP_MAX_CLASSES) {
		chain[n++] = (u16)c;
		c = parent[c];
	}
	pr_emerg("the opposite order was recorded before:\n");
	for (i = n; i-- > 0;) {
		unsigned int a = i + 1 < n ? chain[i + 1] : from, b = chain[i];
		const struct lock_order *order = order_find(a, b);

		if (!order)
			continue;
		snprintf(what, sizeof(what), "'%s' held (cpu %u), taken", class_name[a], order->cpu);
		print_site(what, order->held_site);
		snprintf(what, sizeof(what), "then '%s' taken", class_name[b]);
		print_site(what, order->taken_site);
	}
}

/*
 * Record "@taken taken while @held held" (0-based classes, @held_lock the
 * held one) unless known. Return: false when it closes a cycle (reported;
 * with a test hook, not recorded).
 */
static bool record_order(const struct held_lock *held_lock, unsigned int held, unsigned int taken,
			 const struct spinlock *lock, unsigned long site)
{
	u16 parent[LOCKDEP_MAX_CLASSES];
	char what[128];

	if (READ_ONCE(order_after[held][BIT_WORD(taken)]) & BIT_MASK(taken))
		return true;
	graph_lock_take();
	if (order_path(taken, held, parent)) {
		graph_lock_drop();
		if (!report_begin("inversion"))
			return false;
		pr_emerg("lock order inversion: taking '%s' while holding '%s'\n", lock_name(lock),
			 class_name[held]);
		snprintf(what, sizeof(what), "'%s' held, taken", class_name[held]);
		print_site(what, held_lock->site);
		snprintf(what, sizeof(what), "then '%s' taken", lock_name(lock));
		print_site(what, site);
		print_order_path(taken, held, parent);
		report_end("inversion");
	}
	if (!bitmap_test_bit(order_after[held], taken)) {
		if (nr_orders == LOCKDEP_MAX_ORDERS) {
			graph_lock_drop();
			checker_stop("too many lock orders");
			return true;
		}
		orders[nr_orders] = (struct lock_order){ (u16)held, (u16)taken, this_cpu()->index,
							 held_lock->site, site };
		__atomic_store_n(&nr_orders, nr_orders + 1, __ATOMIC_RELAXED);
		WRITE_ONCE(order_after[held][BIT_WORD(taken)],
			   order_after[held][BIT_WORD(taken)] | BIT_MASK(taken));
	}
	graph_lock_drop();
	return true;
}

static bool checking(void) { return !off_reason && !panic_in_progress(); }

/* The checks of lockdep_acquire. Return: false when one reported. */
static bool acquire_allowed(struct lockdep_cpu *ld, struct spinlock *lock, u16 id,
			    unsigned long site)
{
	unsigned int i;

	if (READ_ONCE(lock->cpu) == (int)this_cpu()->index) {
		if (!report_begin("recursion"))
			return false;
		pr_emerg("taking '%s' (%p), which this cpu already holds\n", lock_name(lock), lock);
		print_site("again", site);
		report_end("recursion");
	}
	if (ld->nr_held == LOCKDEP_MAX_HELD) {
		if (!report_begin("too-deep"))
			return false;
		pr_emerg("taking '%s' with %u locks held\n", lock_name(lock), ld->nr_held);
		report_end("too-deep");
	}
	for (i = 0; i < ld->nr_held; i++) {
		const struct held_lock *held = &ld->held[i];

		if (held->class_id == id) {
			if (!report_begin("same-class"))
				return false;
			pr_emerg("taking '%s' (%p) while holding another lock of its class (%p)\n",
				 lock_name(lock), lock, held->lock);
			print_site("taken", site);
			report_end("same-class");
		}
		if (!record_order(held, held->class_id - 1U, id - 1U, lock, site))
			return false;
	}
	return true;
}

/*
 * Record how class @id is taken now (@irqs_on: interrupts enabled at the
 * call). Return: false when it is now known both in interrupt context and
 * with interrupts on (reported): an interrupt that arrives while a thread
 * of the same CPU holds it spins forever.
 */
static bool usage_allowed(const struct spinlock *lock, u16 id, unsigned long site, bool irqs_on)
{
	unsigned int bit = (in_interrupt() ? USED_IN_IRQ : 0) | (irqs_on ? USED_IRQS_ON : 0);
	unsigned int old, c = id - 1U;

	if (!bit)
		return true;
	old = __atomic_fetch_or(&class_usage[c], (u8)bit, __ATOMIC_RELAXED);
	if (bit & USED_IN_IRQ && !(old & USED_IN_IRQ))
		WRITE_ONCE(usage_site[c][0], site);
	if (bit & USED_IRQS_ON && !(old & USED_IRQS_ON))
		WRITE_ONCE(usage_site[c][1], site);
	if ((old & (USED_IN_IRQ | USED_IRQS_ON)) == (USED_IN_IRQ | USED_IRQS_ON) ||
	    ((old | bit) & (USED_IN_IRQ | USED_IRQS_ON)) != (USED_IN_IRQ | USED_IRQS_ON))
		return true;
	if (!report_begin("irq-unsafe"))
		return false;
	pr_emerg("'%s' is taken in interrupt context and with interrupts enabled: an interrupt\n",
		 lock_name(lock));
	pr_emerg("arriving while a thread of the same cpu holds it spins forever (take it irq-saving)\n");
	print_site("in interrupt context, first", READ_ONCE(usage_site[c][0]));
	print_site("with interrupts on, first", READ_ONCE(usage_site[c][1]));
	report_end("irq-unsafe");
}

void lockdep_acquire(struct spinlock *lock, unsigned long site)
{
	bool irqs_on = irqs_enabled();
	unsigned long flags;
	struct lockdep_cpu *ld;
	u16 id;

	if (!checking())
		return;
	/* Interrupts off from here: graph_lock (in class_of and record_order)
	 * must never be held when an interrupt handler takes a lock. */
	flags = irq_save();
	id = class_of(lock);
	if (id && usage_allowed(lock, id, site, irqs_on)) {
		ld = &this_cpu()->lockdep;
		if (acquire_allowed(ld, lock, id, site))
			ld->held[ld->nr_held++] = (struct held_lock){ lock, site, id };
	}
	irq_restore(flags);
}

void lockdep_release(const struct spinlock *lock)
{
	unsigned long flags;
	struct lockdep_cpu *ld;
	unsigned int i;

	if (!checking())
		return;
	flags = irq_save();
	ld = &this_cpu()->lockdep;
	for (i = ld->nr_held; i-- > 0;) {
		if (ld->held[i].lock == lock) {
			memmove(&ld->held[i], &ld->held[i + 1],
				(ld->nr_held - i - 1) * sizeof(ld->held[0]));
			ld->nr_held--;
			irq_restore(flags);
			return;
		}
	}
	if (report_begin("not-held")) {
		int holder = READ_ONCE(lock->cpu);

		if (holder >= 0)
			pr_emerg("releasing '%s' (%p), held by cpu %d, not this one\n",
				 lock_name(lock), lock, holder);
		else
			pr_emerg("releasing '%s' (%p), which nobody holds\n", lock_name(lock), lock);
		report_end("not-held");
	}
	irq_restore(flags);
}

/* Report @kind when this CPU holds a lock: "@what with a spinlock held". */
static void report_if_held(const char *kind, const char *what)
{
	if (!checking() || !this_cpu()->lockdep.nr_held)
		return;
	if (!report_begin(kind))
		return;
	pr_emerg("%s with a spinlock held\n", what);
	report_end(kind);
}

void lockdep_assert_none_held(const char *what) { report_if_held("held-while-sleeping", what); }

void lockdep_assert_can_wait_for_cpus(void)
{
	report_if_held("held-while-waiting", "waiting for a cross-call");
}

#endif /* LOCK_CHECKS */

void lockdep_dump(void)
{
	unsigned int a, b, n = lockdep_nr_classes();

	if (!LOCK_CHECKS) {
		kprintf("lockdep: not built in (LOCK_CHECKS=0)\n");
		return;
	}
	kprintf("lockdep: %s%s, %u classes, %u orders recorded\n", off_reason ? "off: " : "checking",
		off_reason ? off_reason : "", n, lockdep_nr_orders());
	for (a = 0; a < n; a++) {
		kprintf("  %-*s", LOCKDEP_NAME_LEN, class_name[a]);
		for (b = 0; b < n; b++)
			if (READ_ONCE(order_after[a][BIT_WORD(b)]) & BIT_MASK(b))
				kprintf(" > %s", class_name[b]);
		kprintf("\n");
	}
}

#if LOCK_CHECKS
void lockdep_dump_sites(void)
{
	unsigned int i, n = lockdep_nr_orders();
	char held[96], taken[96];

	kprintf("lockdep: %u orders, each with the sites of its first time\n", n);
	for (i = 0; i < n; i++) {
		const struct lock_order *order = &orders[i];

		ksym_format(held, sizeof(held), order->held_site);
		ksym_format(taken, sizeof(taken), order->taken_site);
		kprintf("  %s > %s: held since %s, taken at %s (cpu %u)\n", class_name[order->held],
			class_name[order->taken], held, taken, order->cpu);
	}
}
#else
void lockdep_dump_sites(void) { lockdep_dump(); }
#endif
