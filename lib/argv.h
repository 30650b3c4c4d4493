/*
 * Splitting a line into words in place, for the kernel command line and the
 * monitor. Words are separated by blanks (space, tab, CR, LF); double quotes anywhere in a
 * word protect spaces and are removed (name="a b" gives name=a b). No escapes.
 */
#ifndef LIB_ARGV_H
#define LIB_ARGV_H

#include "include/types.h"

/*
 * argv_split - split @line in place into at most @max words.
 * Return: the number of words, -E2BIG when there are more than @max
 * (the first @max are still stored), -EINVAL for an unterminated quote.
 */
int argv_split(char *line, char **argv, int max);

#endif
