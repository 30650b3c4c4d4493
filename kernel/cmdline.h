/*
 * Kernel command line: "key=value" and bare "key" words. Each key the kernel
 * understands is a struct cmdline_param registered with CMDLINE_PARAM() (a
 * linker section); an unknown key or a bad value is reported together with
 * the list of valid keys, and the rest of the line is still applied.
 * cmdline_apply() itself is pure (tables passed in, problems reported
 * through a callback) so the host tests can feed it crafted lines.
 */
#ifndef KERNEL_CMDLINE_H
#define KERNEL_CMDLINE_H

#include "include/compiler.h"

#define CMDLINE_MAX 1024

struct cmdline_param {
	const char *name;
	const char *help; /* "VALUE: meaning", shown in warnings and by `help` */
	/* @value is NULL for a bare key. Return 0 or -EINVAL (bad value). */
	int (*set)(const char *value);
};

#define CMDLINE_PARAM(id, pname, setter, phelp)                                  \
	static const struct cmdline_param __cmdline_param_##id __used           \
		__section("cmdline_params") __aligned(8) = { pname, phelp, setter }

typedef void (*cmdline_warn_fn)(const char *msg, void *ctx);

/*
 * cmdline_apply - parse @line and call the setter of every known key.
 * Return: the number of problems (unknown keys, bad values, a line too long
 * or malformed); each is described through @warn.
 */
int cmdline_apply(const char *line, const struct cmdline_param *params, size_t n,
		  cmdline_warn_fn warn, void *ctx);

/*
 * cmdline_parse_size - parse a size such as "256M": a number as kstrtoul()
 * takes it (decimal, or 0x hex) with an optional suffix K, M, G or T (either
 * case; binary units).
 * Return: 0 with *@bytes set, -EINVAL for junk, -ERANGE on overflow.
 */
int cmdline_parse_size(const char *s, u64 *bytes);

/* The kernel's registered parameters (linker section). */
void cmdline_params(const struct cmdline_param **params, size_t *n);

/* Apply @line with the kernel's parameters, reporting through printk. */
int cmdline_apply_kernel(const char *line);

#endif
