/*
 * Host build of lib/string.c and lib/printf.c. On the host the standard names
 * (memcpy, snprintf, ...) belong to libc, which ASan intercepts; defining them
 * again would replace libc's for the whole process. So this file renames
 * every standard-named function of lib/string.h and lib/printf.h to lib_*
 * (tests/host/lib_rename.h; strlcpy, kstrtoul, scnprintf and the like keep
 * their names: glibc 2.36 has none of them), then compiles the
 * implementations and their tests here, so that the tests exercise OUR code
 * under ASan/UBSan while the rest of the runner keeps libc.
 * Consequences for the host build: lib/string.c, lib/printf.c,
 * lib/string_test.c and lib/printf_test.c are built only through this file;
 * the kernel compiles them directly. ASan does not see inside the inline
 * `rep movsb`/`rep stosb` of memcpy/memset; the tests check their bytes.
 */
#include "tests/host/lib_rename.h"

#include "lib/string.c"
#include "lib/printf.c"
#include "lib/string_test.c"
#include "lib/printf_test.c"
