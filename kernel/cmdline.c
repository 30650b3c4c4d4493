/*
 * Command-line parsing (pure part): split into words, match "key" or
 * "key=value" against a parameter table, call setters, report problems.
 */
#include "kernel/cmdline.h"
#include "include/errno.h"
#include "lib/argv.h"
#include "lib/printf.h"
#include "lib/string.h"

#define CMDLINE_WORDS 64

static const struct cmdline_param *find_param(const struct cmdline_param *params, size_t n,
					      const char *key, size_t len)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strlen(params[i].name) == len && strncmp(params[i].name, key, len) == 0)
			return &params[i];
	return NULL;
}

/* "unknown key 'x'; valid keys: a b c" (truncated to the buffer). */
static void warn_unknown(const char *word, const struct cmdline_param *params, size_t n,
			   cmdline_warn_fn warn, void *ctx)
{
	char msg[256];
	size_t i, len;

	len = (size_t)snprintf(msg, sizeof(msg), "unknown key '%s'; valid keys:", word);
	for (i = 0; i < n && len < sizeof(msg); i++)
		len += (size_t)snprintf(msg + len, sizeof(msg) - len, " %s", params[i].name);
	warn(msg, ctx);
}

static int apply_word(char *word, const struct cmdline_param *params, size_t n,
		      cmdline_warn_fn warn, void *ctx)
{
	char *eq = strchr(word, '=');
	size_t klen = eq ? (size_t)(eq - word) : strlen(word);
	const struct cmdline_param *param = find_param(params, n, word, klen);
	char msg[160];

	if (!param) {
		if (eq)
			*eq = '\0';
		warn_unknown(word, params, n, warn, ctx);
		return 1;
	}
	if (param->set(eq ? eq + 1 : NULL) == 0)
		return 0;
	snprintf(msg, sizeof(msg), "bad value in '%s' (expected %s=%s)", word, param->name, param->help);
	warn(msg, ctx);
	return 1;
}

int cmdline_apply(const char *line, const struct cmdline_param *params, size_t n,
		  cmdline_warn_fn warn, void *ctx)
{
	char buf[CMDLINE_MAX];
	char *words[CMDLINE_WORDS];
	int argc, i, problems = 0;

	if (strlen(line) >= sizeof(buf)) {
		warn("command line too long; ignored", ctx);
		return 1;
	}
	strlcpy(buf, line, sizeof(buf));
	argc = argv_split(buf, words, CMDLINE_WORDS);
	if (argc == -EINVAL) {
		warn("unterminated quote; command line ignored", ctx);
		return 1;
	}
	if (argc == -E2BIG) {
		warn("too many words; only the first 64 are used", ctx);
		argc = CMDLINE_WORDS;
		problems++;
	}
	for (i = 0; i < argc; i++)
		problems += apply_word(words[i], params, n, warn, ctx);
	return problems;
}

int cmdline_parse_size(const char *s, u64 *bytes)
{
	static const char suffixes[] = "kmgt";
	char digits[32];
	size_t len = strlen(s);
	unsigned int shift = 0;
	unsigned long v;
	const char *suffix;
	int err;

	if (!len || len >= sizeof(digits))
		return -EINVAL;
	suffix = strchr(suffixes, s[len - 1] | 0x20);
	if (suffix) {
		shift = 10 * (unsigned int)(suffix - suffixes + 1);
		len--;
	}
	memcpy(digits, s, len);
	digits[len] = 0;
	err = kstrtoul(digits, 0, &v);
	if (err)
		return err;
	if (shift && v > (~0UL >> shift))
		return -ERANGE;
	*bytes = (u64)v << shift;
	return 0;
}
