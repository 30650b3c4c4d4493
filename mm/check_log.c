/* The checkers' shared reporting (see check_report.h). */
#include "lib/printf.h"
#include "mm/check_log.h"
#include "mm/platform.h"

void vcheck_fail(struct check_log *log, const char *fmt, va_list ap)
{
	char msg[200];

	if (log->violations++ >= CHECK_LOG_MAX)
		return;
	vsnprintf(msg, sizeof(msg), fmt, ap);
	mm_err("%s %s: %s\n", log->checker, log->name, msg);
}

void check_fail(struct check_log *log, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vcheck_fail(log, fmt, ap);
	va_end(ap);
}

unsigned int check_log_finish(const struct check_log *log)
{
	if (log->violations > CHECK_LOG_MAX)
		mm_err("%s %s: %u more violations not shown\n", log->checker, log->name,
		       log->violations - CHECK_LOG_MAX);
	return log->violations;
}
