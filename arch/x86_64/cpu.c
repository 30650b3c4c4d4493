/*
 * CPU feature detection. Written once at boot by cpu_init(), read-only after.
 */
#include "arch/x86_64/cpu.h"
#include "include/assert.h"
#include "kernel/printk.h"
#include "lib/string.h"

struct cpu_features cpu_features;

void cpu_init(void)
{
	struct cpu_features *features = &cpu_features;
	u32 a, b, c, d, max_basic, max_ext, i;

	cpuid(0, 0, &max_basic, &b, &c, &d);
	memcpy(features->vendor + 0, &b, 4);
	memcpy(features->vendor + 4, &d, 4);
	memcpy(features->vendor + 8, &c, 4);
	features->vendor[12] = 0;

	cpuid(1, 0, &a, &b, &c, &d);
	features->rdrand = c & (1u << 30);
	features->x2apic = c & (1u << 21);
	features->apic = d & (1u << 9);
	features->pat = d & (1u << 16);
	if (max_basic >= 7) {
		cpuid(7, 0, &a, &b, &c, &d);
		features->erms = b & (1u << 9);
		features->smep = b & (1u << 7);
		features->smap = b & (1u << 20);
	}

	cpuid(0x80000000, 0, &max_ext, &b, &c, &d);
	if (max_ext >= 0x80000001) {
		cpuid(0x80000001, 0, &a, &b, &c, &d);
		features->nx = d & (1u << 20);
		features->gbpages = d & (1u << 26);
	}
	if (max_ext >= 0x80000004) {
		for (i = 0; i < 3; i++) {
			cpuid(0x80000002 + i, 0, &a, &b, &c, &d);
			memcpy(features->brand + 16 * i + 0, &a, 4);
			memcpy(features->brand + 16 * i + 4, &b, 4);
			memcpy(features->brand + 16 * i + 8, &c, 4);
			memcpy(features->brand + 16 * i + 12, &d, 4);
		}
	}
	if (max_ext >= 0x80000007) {
		cpuid(0x80000007, 0, &a, &b, &c, &d);
		features->invariant_tsc = d & (1u << 8);
	}
	if (!features->nx)
		panic("cpu_init: NX is required");
	pr_info("cpu: %s '%s' nx=%d 1g-pages=%d rdrand=%d erms=%d apic=%d\n", features->vendor,
		features->brand[0] ? features->brand : "?", features->nx, features->gbpages, features->rdrand, features->erms, features->apic);
	if (!features->gbpages)
		pr_info("cpu: no 1 GiB pages: the direct map uses 2 MiB pages\n");
	if (!features->rdrand)
		pr_info("cpu: no RDRAND: random seeds come from the TSC\n");
}

static bool rdrand64(u64 *out)
{
	unsigned char ok;
	int tries;

	for (tries = 0; tries < 10; tries++) {
		__asm__ volatile("rdrand %0; setc %1" : "=r"(*out), "=qm"(ok));
		if (ok)
			return true;
	}
	return false;
}

bool cpu_random(u64 *out)
{
	u64 x;

	if (cpu_features.rdrand && rdrand64(out))
		return true;
	/* splitmix64 finaliser over the TSC: not secure, but never constant. */
	x = rdtsc() + 0x9e3779b97f4a7c15ULL;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
	*out = x ^ (x >> 31);
	return false;
}
