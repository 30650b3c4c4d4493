/*
 * In-place word splitting (see argv.h). The line is modified: words are
 * compacted where quote characters are removed and each is NUL-terminated;
 * argv[] points into the line.
 */
#include "lib/argv.h"
#include "include/errno.h"

static bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

/* Copy one word starting at *@pp down to @w, dropping quotes; returns the
 * position after it, or NULL for an unterminated quote. */
static char *take_word(char **pp, char *w)
{
	char *p = *pp;
	bool quoted = false;

	while (*p && (quoted || !is_space(*p))) {
		if (*p == '"')
			quoted = !quoted;
		else
			*w++ = *p;
		p++;
	}
	if (quoted)
		return NULL;
	*pp = p;
	return w;
}

int argv_split(char *line, char **argv, int max)
{
	int argc = 0;
	char *p = line;

	for (;;) {
		char *word, *end;

		while (is_space(*p))
			p++;
		if (!*p)
			return argc;
		word = p;
		end = take_word(&p, word);
		if (!end)
			return -EINVAL;
		if (argc == max)
			return -E2BIG;
		argv[argc++] = word;
		if (*p)
			p++; /* past the separator; end is at or before it */
		*end = '\0';
	}
}
