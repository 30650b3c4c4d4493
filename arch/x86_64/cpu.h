/*
 * Thin wrappers around x86-64 instructions (port I/O, MSRs, control
 * registers, interrupts flag, TSC, CPUID) and the CPU feature set found at
 * boot. No state here except the feature bits, written once by cpu_init().
 */
#ifndef ARCH_X86_64_CPU_H
#define ARCH_X86_64_CPU_H

#include "include/types.h"

static inline void outb(u16 port, u8 v) { __asm__ volatile("outb %0, %1" ::"a"(v), "Nd"(port)); }
static inline void outw(u16 port, u16 v) { __asm__ volatile("outw %0, %1" ::"a"(v), "Nd"(port)); }
static inline void outl(u16 port, u32 v) { __asm__ volatile("outl %0, %1" ::"a"(v), "Nd"(port)); }
static inline u8 inb(u16 port)
{
	u8 v;
	__asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}
static inline u16 inw(u16 port)
{
	u16 v;
	__asm__ volatile("inw %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}
static inline u32 inl(u16 port)
{
	u32 v;
	__asm__ volatile("inl %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}
/* A write to an unused port: ~1 us of delay on real hardware. */
static inline void io_wait(void) { outb(0x80, 0); }

static inline u64 rdmsr(u32 msr)
{
	u32 lo, hi;
	__asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
	return ((u64)hi << 32) | lo;
}
static inline void wrmsr(u32 msr, u64 v)
{
	__asm__ volatile("wrmsr" ::"c"(msr), "a"((u32)v), "d"((u32)(v >> 32)));
}

static inline u64 read_cr0(void) { u64 v; __asm__ volatile("mov %%cr0, %0" : "=r"(v)); return v; }
static inline u64 read_cr2(void) { u64 v; __asm__ volatile("mov %%cr2, %0" : "=r"(v)); return v; }
static inline u64 read_cr3(void) { u64 v; __asm__ volatile("mov %%cr3, %0" : "=r"(v)); return v; }
static inline u64 read_cr4(void) { u64 v; __asm__ volatile("mov %%cr4, %0" : "=r"(v)); return v; }
static inline void write_cr0(u64 v) { __asm__ volatile("mov %0, %%cr0" ::"r"(v) : "memory"); }
static inline void write_cr3(u64 v) { __asm__ volatile("mov %0, %%cr3" ::"r"(v) : "memory"); }
static inline void write_cr4(u64 v) { __asm__ volatile("mov %0, %%cr4" ::"r"(v) : "memory"); }
static inline void invlpg(unsigned long va) { __asm__ volatile("invlpg (%0)" ::"r"(va) : "memory"); }

static inline u64 rdtsc(void)
{
	u32 lo, hi;
	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return ((u64)hi << 32) | lo;
}

static inline void cpuid(u32 leaf, u32 sub, u32 *a, u32 *b, u32 *c, u32 *d)
{
	__asm__ volatile("cpuid" : "=a"(*a), "=b"(*b), "=c"(*c), "=d"(*d) : "a"(leaf), "c"(sub));
}

static inline void cpu_relax(void) { __asm__ volatile("pause" ::: "memory"); }
static inline void irq_enable(void) { __asm__ volatile("sti" ::: "memory"); }
static inline void irq_disable(void) { __asm__ volatile("cli" ::: "memory"); }
/* Enable interrupts and wait for one, atomically (no lost wake-up). */
static inline void irq_enable_and_halt(void) { __asm__ volatile("sti; hlt" ::: "memory"); }
static inline __attribute__((noreturn)) void cpu_halt_forever(void)
{
	for (;;)
		__asm__ volatile("cli; hlt");
}

#define RFLAGS_IF (1UL << 9)

static inline unsigned long irq_save(void)
{
	unsigned long flags;
	__asm__ volatile("pushfq; popq %0; cli" : "=r"(flags)::"memory");
	return flags;
}
static inline void irq_restore(unsigned long flags)
{
	if (flags & RFLAGS_IF)
		irq_enable();
}
static inline bool irqs_enabled(void)
{
	unsigned long flags;
	__asm__ volatile("pushfq; popq %0" : "=r"(flags));
	return flags & RFLAGS_IF;
}

/* Features the kernel looks at, filled by cpu_init(). */
struct cpu_features {
	bool nx;
	bool gbpages;     /* 1 GiB pages */
	bool rdrand;
	bool erms;        /* fast rep movsb/stosb */
	bool invariant_tsc;
	bool x2apic;
	bool apic;
	bool smep;        /* supervisor-mode execution prevention */
	bool smap;        /* supervisor-mode access prevention */
	bool pat;         /* page attribute table (IA32_PAT) */
	char vendor[13];
	char brand[49];
};

extern struct cpu_features cpu_features;

/* Read CPUID into cpu_features; panics without NX (boot.S checked already). */
void cpu_init(void);

/*
 * cpu_random - 64 random bits: RDRAND when present (retried as Intel advises),
 * otherwise mixed from the TSC. Return: true when the bits came from RDRAND.
 */
bool cpu_random(u64 *out);

#define MSR_EFER 0xc0000080
#define MSR_PAT 0x277
#define EFER_NXE (1UL << 11)
#define CR0_WP (1UL << 16)
#define CR4_SMEP (1UL << 20)
#define CR4_SMAP (1UL << 21)
#define MSR_APIC_BASE 0x1b
#define MSR_FS_BASE 0xc0000100
#define MSR_GS_BASE 0xc0000101

#endif
