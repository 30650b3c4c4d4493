/*
 * The kernel's own command-line table: the CMDLINE_PARAM() entries of all
 * files, collected by the linker into the "cmdline_params" section.
 */
#include "kernel/cmdline.h"
#include "kernel/printk.h"

extern const struct cmdline_param __start_cmdline_params[];
extern const struct cmdline_param __stop_cmdline_params[];

void cmdline_params(const struct cmdline_param **params, size_t *n)
{
	*params = __start_cmdline_params;
	*n = (size_t)(__stop_cmdline_params - __start_cmdline_params);
}

static void warn_printk(const char *msg, void *ctx)
{
	pr_warn("cmdline: %s\n", msg);
}

int cmdline_apply_kernel(const char *line)
{
	const struct cmdline_param *params;
	size_t n;

	cmdline_params(&params, &n);
	return cmdline_apply(line, params, n, warn_printk, NULL);
}
