/*
 * Host builds of lib/string.c and lib/printf.c rename every function that
 * has a standard (libc) name to lib_*, so that compiling our implementation
 * does not replace libc's for the whole process (and ASan keeps its
 * interceptors). Functions libc lacks (strlcpy, kstrtoul, scnprintf, ...)
 * keep their names. Used by tests/host/lib_shim.c (the test runner) and
 * bench/lib_shim.c (the benchmarks); add a name here when lib/string.h or
 * lib/printf.h gains a standard one.
 */
#define memcpy lib_memcpy
#define memmove lib_memmove
#define memset lib_memset
#define memcmp lib_memcmp
#define memchr lib_memchr
#define strlen lib_strlen
#define strnlen lib_strnlen
#define strcmp lib_strcmp
#define strncmp lib_strncmp
#define strchr lib_strchr
#define strrchr lib_strrchr
#define strstr lib_strstr
#define vsnprintf lib_vsnprintf
#define snprintf lib_snprintf
