/*
 * lib/string.c and lib/printf.c for the benchmarks, renamed the way the
 * host test runner does it (tests/host/lib_rename.h, tests/host/lib_shim.c):
 * mm/ code calling strlcpy or scnprintf gets ours, while memcpy, snprintf
 * and the other standard names stay libc's for the whole process. The
 * tests of both modules run in the host runner, not here.
 */
#include "tests/host/lib_rename.h"

#include "lib/string.c"
#include "lib/printf.c"
