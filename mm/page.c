/* Names of the page-descriptor enums, for logs and statistics. */
#include "mm/page.h"

const char *memdesc_type_name(enum memdesc_type type)
{
	static const char *const names[MEMDESC_TYPES] = {
		[MEMDESC_BUDDY] = "free",     [MEMDESC_RESERVED] = "reserved",
		[MEMDESC_KERNEL] = "kernel",  [MEMDESC_PGTABLE] = "pgtable",
		[MEMDESC_SLAB] = "slab",      [MEMDESC_MSLAB] = "mslab",
		[MEMDESC_BALLOON] = "balloon", [MEMDESC_MAPPED] = "mapped",
		[MEMDESC_STACK] = "stack",    [MEMDESC_TEST] = "test",
		[MEMDESC_REPORTING] = "reporting",
		[MEMDESC_EXAMPLE] = "example",
	};

	return (unsigned int)type < MEMDESC_TYPES && names[type] ? names[type] : "?";
}

const char *migratetype_name(enum migratetype mt)
{
	static const char *const names[MIGRATE_TYPES] = {
		[MIGRATE_UNMOVABLE] = "Unmovable",
		[MIGRATE_MOVABLE] = "Movable",
		[MIGRATE_ISOLATE] = "Isolate",
	};

	return (unsigned int)mt < MIGRATE_TYPES ? names[mt] : "?";
}
