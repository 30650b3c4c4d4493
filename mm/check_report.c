/* The checkers' shared reporting (see check_report.h). */
#include "lib/printf.h"
#include "mm/check_report.h"
#include "mm/platform.h"

void vcheck_report(struct check_report *r, const char *fmt, va_list ap)
{
	char msg[200];

	if (r->violations++ >= CHECK_REPORT_MAX)
		return;
	vsnprintf(msg, sizeof(msg), fmt, ap);
	mm_err("%s %s: %s\n", r->checker, r->name, msg);
}

void check_report(struct check_report *r, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vcheck_report(r, fmt, ap);
	va_end(ap);
}

unsigned int check_report_finish(const struct check_report *r)
{
	if (r->violations > CHECK_REPORT_MAX)
		mm_err("%s %s: %u more violations not shown\n", r->checker, r->name,
		       r->violations - CHECK_REPORT_MAX);
	return r->violations;
}
