/*
 * Symbol lookup over the generated table and the frame-pointer walk.
 * Table layout (tools/gensyms.py, section .ksymtab): ksymtab_count, then
 * ksymtab_addrs[count] sorted ascending, ksymtab_name_offsets[count] into
 * ksymtab_names. The last entry is _etext, so every function has a size.
 */
#include "kernel/backtrace.h"
#include "arch/x86_64/paging.h"
#include "kernel/printk.h"
#include "lib/printf.h"
#include "lib/string.h"

extern const u64 ksymtab_count;
extern const u64 ksymtab_addrs[];
extern const u32 ksymtab_name_offsets[];
extern const char ksymtab_names[];

#define BACKTRACE_MAX_FRAMES 32

unsigned long ksym_count(void) { return ksymtab_count; }

const char *ksym_lookup(unsigned long addr, unsigned long *offset, unsigned long *size)
{
	u64 lo = 0, hi = ksymtab_count;

	if (ksymtab_count < 2 || addr < ksymtab_addrs[0] || addr >= ksymtab_addrs[ksymtab_count - 1])
		return NULL;
	/* Find the last entry with address <= addr. */
	while (hi - lo > 1) {
		u64 mid = lo + (hi - lo) / 2;

		if (ksymtab_addrs[mid] <= addr)
			lo = mid;
		else
			hi = mid;
	}
	*offset = addr - ksymtab_addrs[lo];
	*size = ksymtab_addrs[lo + 1] - ksymtab_addrs[lo];
	return ksymtab_names + ksymtab_name_offsets[lo];
}

unsigned long ksym_address(const char *name)
{
	u64 i;

	for (i = 0; i < ksymtab_count; i++)
		if (strcmp(ksymtab_names + ksymtab_name_offsets[i], name) == 0)
			return ksymtab_addrs[i];
	return 0;
}

void ksym_format(char *buf, size_t size, unsigned long addr)
{
	unsigned long off, len;
	const char *name = ksym_lookup(addr, &off, &len);

	if (name)
		snprintf(buf, size, "%s+0x%lx/0x%lx", name, off, len);
	else
		snprintf(buf, size, "%016lx", addr);
}

/* A frame is followed only if both of its words are mapped kernel memory. */
static void walk_frames(unsigned long rbp);

static bool frame_ok(unsigned long rbp)
{
	return rbp && (rbp & 7) == 0 && rbp >= 0xffff800000000000UL &&
	       paging_is_mapped(rbp) && paging_is_mapped(rbp + 8);
}

static void print_address(unsigned long rip)
{
	char sym[128];

	ksym_format(sym, sizeof(sym), rip);
	pr_emerg("  [<%016lx>] %s\n", rip, sym);
}

/* Look a return address up by ret - 1 (inside the call instruction), so a
 * call that ends a function is attributed to that function. */
static void print_return_address(unsigned long ret)
{
	unsigned long off, len;
	const char *name = ksym_lookup(ret - 1, &off, &len);

	if (name)
		pr_emerg("  [<%016lx>] %s+0x%lx/0x%lx\n", ret, name, off + 1, len);
	else
		pr_emerg("  [<%016lx>]\n", ret);
}

/*
 * Has the function containing @rip set up its frame (push %rbp; mov %rsp,%rbp)
 * by the time it reaches @rip? GCC 12 gives leaf functions no frame even with
 * -mno-omit-leaf-frame-pointer, so a fault in one would lose its caller.
 */
static bool frame_set_up(unsigned long rip)
{
	static const u8 prologue[4] = { 0x55, 0x48, 0x89, 0xe5 };
	unsigned long off, size;

	if (!ksym_lookup(rip, &off, &size))
		return true; /* unknown code: trust RBP */
	return off >= sizeof(prologue) && memcmp((const u8 *)(rip - off), prologue, 4) == 0;
}

void backtrace_print_trap(unsigned long rip, unsigned long rsp, unsigned long rbp)
{
	unsigned long off, size;

	pr_emerg("backtrace:\n");
	print_address(rip);
	/* No frame yet: the caller's return address is still on top of the
	 * stack (exact for frameless leaves and a fault on the first insn). */
	if (!frame_set_up(rip) && frame_ok(rsp)) {
		unsigned long ret = *(const unsigned long *)rsp;

		if (ksym_lookup(ret - 1, &off, &size))
			print_return_address(ret);
	}
	walk_frames(rbp);
}

void backtrace_print(unsigned long rip, unsigned long rbp)
{
	pr_emerg("backtrace:\n");
	print_address(rip);
	walk_frames(rbp);
}

static void walk_frames(unsigned long rbp)
{
	int i;

	for (i = 0; i < BACKTRACE_MAX_FRAMES && frame_ok(rbp); i++) {
		const unsigned long *frame = (const unsigned long *)rbp;
		unsigned long ret = frame[1];

		if (!ret)
			break;
		print_return_address(ret);
		if (frame[0] <= rbp)
			break; /* stacks grow down: a frame link must go up */
		rbp = frame[0];
	}
}
