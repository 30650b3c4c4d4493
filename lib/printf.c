/*
 * vsnprintf and friends, without floating point. The output is counted even
 * past the end of the buffer, so the return value is the length the complete
 * output would have (C99); the buffer always ends in a NUL when it has room
 * for one. Each conversion is parsed into a struct spec and then printed by
 * one small function per kind (number, string, char). See lib/printf.h for
 * the supported conversions and the choices made where C leaves room.
 */
#include "lib/printf.h"
#include "lib/string.h"
#include "include/errno.h"

/* Destination: bytes past size - 1 are counted but not stored. */
struct out {
	char *buf;
	size_t size;
	size_t pos; /* length of the complete output so far */
};

enum spec_flags {
	F_LEFT = 1 << 0,  /* '-': pad on the right */
	F_ZERO = 1 << 1,  /* '0': pad numbers with zeros after the sign/prefix */
	F_SPACE = 1 << 2, /* ' ': a space where a '+' would go */
	F_PLUS = 1 << 3,  /* '+': always a sign on signed conversions */
	F_ALT = 1 << 4,   /* '#': 0x prefix for %x, leading 0 for %o */
	F_PTR = 1 << 5,   /* internal: %p, 0x prefix even for zero */
};

enum len_mod { LEN_NONE, LEN_HH, LEN_H, LEN_L, LEN_LL, LEN_J, LEN_Z, LEN_T };

/* One parsed conversion specification. */
struct spec {
	unsigned int flags; /* enum spec_flags */
	int width;          /* minimum field width, 0 if none */
	int prec;           /* precision, -1 if none */
	enum len_mod len;
	char conv;          /* conversion character */
};

#define NUM_LIMIT 100000000 /* cap for widths/precisions written as digits */

static void put(struct out *out, char c)
{
	if (out->pos + 1 < out->size)
		out->buf[out->pos] = c;
	out->pos++;
}

static void put_repeat(struct out *out, char c, long n)
{
	for (; n > 0; n--)
		put(out, c);
}

static void put_str(struct out *out, const char *s, size_t n)
{
	while (n--)
		put(out, *s++);
}

/* Parse a run of decimal digits, saturating at NUM_LIMIT. */
static int parse_num(const char **pp)
{
	const char *p = *pp;
	int v = 0;

	for (; *p >= '0' && *p <= '9'; p++)
		if (v < NUM_LIMIT)
			v = v * 10 + (*p - '0');
	*pp = p;
	return v;
}

static const char *parse_flags(const char *p, unsigned int *flags)
{
	for (;; p++) {
		switch (*p) {
		case '-': *flags |= F_LEFT; break;
		case '0': *flags |= F_ZERO; break;
		case ' ': *flags |= F_SPACE; break;
		case '+': *flags |= F_PLUS; break;
		case '#': *flags |= F_ALT; break;
		default: return p;
		}
	}
}

static const char *parse_length(const char *p, enum len_mod *len)
{
	switch (*p) {
	case 'h':
		if (p[1] == 'h') {
			*len = LEN_HH;
			return p + 2;
		}
		*len = LEN_H;
		return p + 1;
	case 'l':
		if (p[1] == 'l') {
			*len = LEN_LL;
			return p + 2;
		}
		*len = LEN_L;
		return p + 1;
	case 'j': *len = LEN_J; return p + 1;
	case 'z': *len = LEN_Z; return p + 1;
	case 't': *len = LEN_T; return p + 1;
	default: return p;
	}
}

/*
 * Parse the specification after a '%' at @p into @sp, taking '*' arguments
 * from @ap. Return: the character after the conversion, or NULL when the
 * format ends inside the specification.
 */
static const char *parse_spec(const char *p, struct spec *sp, va_list *ap)
{
	*sp = (struct spec){ .prec = -1 };
	p = parse_flags(p, &sp->flags);
	if (*p == '*') {
		int w = va_arg(*ap, int);

		if (w < 0) {
			sp->flags |= F_LEFT;
			w = w < -__INT_MAX__ ? __INT_MAX__ : -w;
		}
		sp->width = w;
		p++;
	} else {
		sp->width = parse_num(&p);
	}
	if (*p == '.') {
		p++;
		if (*p == '*') {
			int pr = va_arg(*ap, int);

			sp->prec = pr < 0 ? -1 : pr;
			p++;
		} else {
			sp->prec = parse_num(&p);
		}
	}
	p = parse_length(p, &sp->len);
	if (!*p)
		return NULL;
	sp->conv = *p;
	return p + 1;
}

static unsigned long long arg_unsigned(enum len_mod len, va_list *ap)
{
	switch (len) {
	case LEN_HH: return (unsigned char)va_arg(*ap, unsigned int);
	case LEN_H: return (unsigned short)va_arg(*ap, unsigned int);
	case LEN_L: return va_arg(*ap, unsigned long);
	case LEN_LL: return va_arg(*ap, unsigned long long);
	case LEN_J: return va_arg(*ap, uintmax_t);
	case LEN_Z: return va_arg(*ap, size_t);
	case LEN_T: return (unsigned long long)va_arg(*ap, ptrdiff_t);
	default: return va_arg(*ap, unsigned int);
	}
}

static long long arg_signed(enum len_mod len, va_list *ap)
{
	switch (len) {
	case LEN_HH: return (signed char)va_arg(*ap, int);
	case LEN_H: return (short)va_arg(*ap, int);
	case LEN_L: return va_arg(*ap, long);
	case LEN_LL: return va_arg(*ap, long long);
	case LEN_J: return va_arg(*ap, intmax_t);
	case LEN_Z: return va_arg(*ap, long); /* the signed type of size_t */
	case LEN_T: return va_arg(*ap, ptrdiff_t);
	default: return va_arg(*ap, int);
	}
}

/* Sign or 0x prefix of a number into @prefix; returns its length. */
static int number_prefix(const struct spec *sp, unsigned long long v, bool neg,
			 char prefix[2])
{
	bool hex = sp->conv == 'x' || sp->conv == 'X';

	if (neg)
		prefix[0] = '-';
	else if (sp->flags & F_PLUS)
		prefix[0] = '+';
	else if (sp->flags & F_SPACE)
		prefix[0] = ' ';
	else if (hex && ((sp->flags & F_PTR) || ((sp->flags & F_ALT) && v))) {
		prefix[0] = '0';
		prefix[1] = sp->conv;
		return 2;
	} else
		return 0;
	return 1;
}

/*
 * Print the magnitude @v (negative if @neg): [pad][prefix][zeros]digits[pad].
 * Precision is the minimum digit count (0 with value 0 prints no digit); the
 * '0' flag widens the zeros only when no precision was given.
 */
static void put_number(struct out *out, const struct spec *sp,
		       unsigned long long v, bool neg)
{
	const char *set = sp->conv == 'X' ? "0123456789ABCDEF" : "0123456789abcdef";
	unsigned int base = sp->conv == 'o' ? 8 : (sp->conv == 'x' || sp->conv == 'X') ? 16 : 10;
	char digits[24], prefix[2];
	int n = 0, plen = number_prefix(sp, v, neg, prefix);
	long prec = sp->prec < 0 ? 1 : sp->prec, zeros, pad;

	for (; v; v /= base)
		digits[n++] = set[v % base];
	if (base == 8 && (sp->flags & F_ALT) && prec <= n)
		prec = n + 1; /* '#' on octal: the first digit is a 0 */
	zeros = prec > n ? prec - n : 0;
	pad = (long)sp->width - plen - zeros - n;
	if ((sp->flags & (F_ZERO | F_LEFT)) == F_ZERO && sp->prec < 0 && pad > 0) {
		zeros += pad;
		pad = 0;
	}
	if (!(sp->flags & F_LEFT))
		put_repeat(out, ' ', pad);
	put_str(out, prefix, (size_t)plen);
	put_repeat(out, '0', zeros);
	while (n)
		put(out, digits[--n]);
	if (sp->flags & F_LEFT)
		put_repeat(out, ' ', pad);
}

/* Print @n bytes of @s padded to the field width. */
static void put_field(struct out *out, const struct spec *sp, const char *s, size_t n)
{
	long pad = (long)sp->width - (long)n;

	if (!(sp->flags & F_LEFT))
		put_repeat(out, ' ', pad);
	put_str(out, s, n);
	if (sp->flags & F_LEFT)
		put_repeat(out, ' ', pad);
}

static void put_string(struct out *out, const struct spec *sp, const char *s)
{
	size_t max = sp->prec < 0 ? (size_t)-1 : (size_t)sp->prec;

	if (!s)
		s = "(null)";
	put_field(out, sp, s, strnlen(s, max));
}

/* Print one conversion; returns false for an unknown conversion. */
static bool format_one(struct out *out, struct spec *sp, va_list *ap)
{
	long long sv;
	char c;

	switch (sp->conv) {
	case 'd':
	case 'i':
		sv = arg_signed(sp->len, ap);
		put_number(out, sp, sv < 0 ? 0ULL - (unsigned long long)sv : (unsigned long long)sv,
			   sv < 0);
		return true;
	case 'u':
	case 'x':
	case 'X':
	case 'o':
		sp->flags &= ~(F_PLUS | F_SPACE);
		put_number(out, sp, arg_unsigned(sp->len, ap), false);
		return true;
	case 'p':
		*sp = (struct spec){ .flags = (sp->flags & F_LEFT) | F_PTR, .width = sp->width,
				     .prec = 16, .conv = 'x' };
		put_number(out, sp, (uintptr_t)va_arg(*ap, void *), false);
		return true;
	case 's':
		put_string(out, sp, va_arg(*ap, const char *));
		return true;
	case 'c':
		c = (char)va_arg(*ap, int);
		put_field(out, sp, &c, 1);
		return true;
	case '%':
		put(out, '%');
		return true;
	default:
		return false;
	}
}

/**
 * vsnprintf - format into @buf of @size bytes.
 * @buf: destination; may be NULL when @size is 0.
 * @size: bytes available in @buf, terminating NUL included.
 * @fmt: format, see lib/printf.h.
 * @ap: arguments.
 *
 * Context: any; takes no locks.
 * Return: the length the complete output would have (excluding the NUL),
 * which is >= @size when the output was truncated; -EOVERFLOW when that
 * length does not fit an int. @buf is NUL-terminated whenever @size > 0.
 */
int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	struct out out = { .buf = buf, .size = size };
	struct spec sp;
	va_list args;

	va_copy(args, ap);
	while (*fmt) {
		const char *end;

		if (*fmt != '%') {
			put(&out, *fmt++);
			continue;
		}
		end = parse_spec(fmt + 1, &sp, &args);
		if (!end) {
			put_str(&out, fmt, strlen(fmt));
			break;
		}
		if (!format_one(&out, &sp, &args))
			put_str(&out, fmt, (size_t)(end - fmt));
		fmt = end;
	}
	va_end(args);
	if (size)
		buf[out.pos < size ? out.pos : size - 1] = '\0';
	return out.pos > (size_t)__INT_MAX__ ? -EOVERFLOW : (int)out.pos;
}

/**
 * snprintf - format into @buf of @size bytes; see vsnprintf().
 *
 * Return: as vsnprintf().
 */
int snprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}

/**
 * vscnprintf - like vsnprintf(), but return what was stored.
 *
 * Return: the number of bytes written to @buf, excluding the NUL: 0 when
 * @size is 0, at most @size - 1.
 */
int vscnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	int n = vsnprintf(buf, size, fmt, ap);

	if (size == 0)
		return 0;
	if (n >= 0 && (size_t)n < size)
		return n;
	return size - 1 > (size_t)__INT_MAX__ ? __INT_MAX__ : (int)(size - 1);
}

/**
 * scnprintf - like snprintf(), but return what was stored; see vscnprintf().
 *
 * Return: as vscnprintf().
 */
int scnprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vscnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}
