/*
 * Names of the errno values of include/errno.h, for logs and test output.
 * The table is the only place that lists them; keep it in step with the
 * header. Constant data only, safe in any context.
 */
#include "include/errno.h"
#include "include/compiler.h"

static const struct {
	int nr;
	const char *name;
} errno_names[] = {
	{ EPERM, "EPERM" },	    { ENOENT, "ENOENT" },	{ EIO, "EIO" },
	{ E2BIG, "E2BIG" },	    { EAGAIN, "EAGAIN" },	{ ENOMEM, "ENOMEM" },
	{ EFAULT, "EFAULT" },	    { EBUSY, "EBUSY" },		{ EEXIST, "EEXIST" },
	{ ENODEV, "ENODEV" },	    { EINVAL, "EINVAL" },	{ ENOSPC, "ENOSPC" },
	{ ERANGE, "ERANGE" },	    { ENOSYS, "ENOSYS" },	{ ENODATA, "ENODATA" },
	{ EPROTO, "EPROTO" },	    { EOVERFLOW, "EOVERFLOW" }, { EOPNOTSUPP, "EOPNOTSUPP" },
	{ ETIMEDOUT, "ETIMEDOUT" },
};

/**
 * errno_name - short name of an errno value.
 * @error: the value, negative (as functions return it) or positive.
 *
 * Return: the constant's name ("EAGAIN"), or "E?" for 0 and unknown values.
 */
const char *errno_name(int error)
{
	unsigned int nr = error < 0 ? 0U - (unsigned int)error : (unsigned int)error;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(errno_names); i++)
		if ((unsigned int)errno_names[i].nr == nr)
			return errno_names[i].name;
	return "E?";
}
