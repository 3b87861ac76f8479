/*
 * The TOML reader's lexer (toml_lex.h): the bytes of the input as the
 * parser (toml_parse.c) asks for them, in the words of the spec's sections.
 * The input is checked for valid UTF-8 (and no NUL) up front, so the
 * rest only looks at ASCII and copies other bytes verbatim; every read
 * is guarded by p->end.  An error is recorded once, with the line and
 * the key being parsed (toml_fail).
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/toml_lex.h"

struct sbuf {
	char			*data;
	size_t			len;
	size_t			cap;
};

int
toml_fail(struct parser *p, const char *fmt, ...)
{
	va_list		ap;

	if (p->failed)
		return (-1);
	p->failed = 1;
	p->err->line = p->line;
	snprintf(p->err->key, sizeof(p->err->key), "%s", p->path);
	va_start(ap, fmt);
	vsnprintf(p->err->reason, sizeof(p->err->reason), fmt, ap);
	va_end(ap);

	return (-1);
}

static int
sb_add(struct parser *p, struct sbuf *sb, const char *data, size_t len)
{
	char		*n;
	size_t		 cap;

	if (sb->cap - sb->len <= len) {
		cap = sb->cap ? sb->cap : 16;
		while (cap - sb->len <= len)
			cap *= 2;
		if ((n = realloc(sb->data, cap)) == NULL)
			return (toml_fail(p, "out of memory"));
		sb->data = n;
		sb->cap = cap;
	}
	memcpy(sb->data + sb->len, data, len);
	sb->len += len;
	sb->data[sb->len] = '\0';

	return (0);
}

/* Section "Comment": control characters other than tab are invalid. */
static int
is_control(unsigned char c)
{
	return ((c < 0x20 && c != '\t') || c == 0x7f);
}

static int
skip_comment(struct parser *p)
{
	if (!at(p, '#'))
		return (0);
	for (p->p++; p->p < p->end && *p->p != '\n' && *p->p != '\r'; p->p++) {
		if (is_control((unsigned char)*p->p))
			return (toml_fail(p, "control characters are not "
			    "allowed in comments"));
	}

	return (0);
}

/* Consumes one LF or CRLF if present; 1 if consumed, -1 on a lone CR. */
static int
newline(struct parser *p)
{
	if (at(p, '\n')) {
		p->p++;
		p->line++;
		return (1);
	}
	if (starts(p, "\r\n")) {
		p->p += 2;
		p->line++;
		return (1);
	}
	if (at(p, '\r'))
		return (toml_fail(p, "carriage return not followed by "
		    "newline"));

	return (0);
}

/* Whitespace, comments and newlines, as allowed inside arrays. */
int
toml_lex_space(struct parser *p)
{
	int		r;

	for (;;) {
		skip_ws(p);
		if (skip_comment(p) == -1)
			return (-1);
		if ((r = newline(p)) != 1)
			return (r);
	}
}

int
toml_lex_eol(struct parser *p, const char *after)
{
	skip_ws(p);
	if (skip_comment(p) == -1)
		return (-1);
	if (p->p == p->end || newline(p) == 1)
		return (0);
	if (p->failed)
		return (-1);

	return (toml_fail(p, "expected end of line after %s", after));
}

/* Section "Spec": a TOML file must be valid UTF-8. */
int
toml_lex_utf8(struct parser *p)
{
	const unsigned char	*s = (const unsigned char *)p->p;
	const unsigned char	*e = (const unsigned char *)p->end;
	unsigned char		 lo, hi;
	int			 n, line = 1;

	for (; s < e; s += n + 1) {
		n = 0;
		if (*s == '\n')
			line++;
		if (*s == '\0') {
			p->line = line;
			return (toml_fail(p, "NUL bytes are not allowed"));
		}
		if (*s < 0x80)
			continue;
		lo = 0x80;
		hi = 0xbf;
		if (*s >= 0xc2 && *s <= 0xdf)
			n = 1;
		else if (*s >= 0xe0 && *s <= 0xef) {
			n = 2;
			if (*s == 0xe0)
				lo = 0xa0;	/* overlong */
			if (*s == 0xed)
				hi = 0x9f;	/* surrogates */
		} else if (*s >= 0xf0 && *s <= 0xf4) {
			n = 3;
			if (*s == 0xf0)
				lo = 0x90;	/* overlong */
			if (*s == 0xf4)
				hi = 0x8f;	/* above U+10FFFF */
		}
		if (n == 0 || e - s <= n || s[1] < lo || s[1] > hi ||
		    (n > 1 && (s[2] & 0xc0) != 0x80) ||
		    (n > 2 && (s[3] & 0xc0) != 0x80)) {
			p->line = line;
			return (toml_fail(p, "invalid UTF-8"));
		}
	}

	return (0);
}

static int
hex_escape(struct parser *p, struct sbuf *sb, int digits)
{
	static const unsigned char	lead[] = { 0, 0x00, 0xc0, 0xe0, 0xf0 };
	unsigned long			cp = 0;
	unsigned char			out[4];
	int				i, c, n;

	if (p->end - p->p < digits)
		return (toml_fail(p, "truncated \\%c escape",
		    digits == 4 ? 'u' : 'U'));
	for (i = 0; i < digits; i++) {
		c = (unsigned char)p->p[i];
		if (c >= '0' && c <= '9')
			cp = cp * 16 + (c - '0');
		else if ((c | 0x20) >= 'a' && (c | 0x20) <= 'f')
			cp = cp * 16 + ((c | 0x20) - 'a' + 10);
		else
			return (toml_fail(p, "invalid hex digit in \\%c escape",
			    digits == 4 ? 'u' : 'U'));
	}
	p->p += digits;
	if (cp == 0)
		return (toml_fail(p, "strings may not contain U+0000"));
	if ((cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
		return (toml_fail(p, "escape U+%04lX is not a unicode scalar "
		    "value", cp));
	n = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
	for (i = n - 1; i > 0; i--, cp >>= 6)
		out[i] = (unsigned char)(0x80 | (cp & 0x3f));
	out[0] = (unsigned char)(lead[n] | cp);

	return (sb_add(p, sb, (const char *)out, n));
}

static int
escape(struct parser *p, struct sbuf *sb)
{
	static const char	from[] = "btnfr\"\\";
	static const char	to[] = "\b\t\n\f\r\"\\";
	const char		*m;
	unsigned char		 c;

	if (p->p == p->end)
		return (toml_fail(p, "unterminated string"));
	c = *p->p++;
	if (c == 'u' || c == 'U')
		return (hex_escape(p, sb, c == 'u' ? 4 : 8));
	if (c != '\0' && (m = strchr(from, c)) != NULL)
		return (sb_add(p, sb, &to[m - from], 1));
	if (c > 0x20 && c < 0x7f)
		return (toml_fail(p, "invalid escape sequence '\\%c'", c));

	return (toml_fail(p, "invalid escape sequence"));
}

/* Single-line basic ("...") or literal ('...') string; p->p at quote. */
int
toml_lex_string(struct parser *p, char **out)
{
	struct sbuf	sb = { NULL, 0, 0 };
	char		quote = *p->p;
	unsigned char	c;

	if (starts(p, quote == '"' ? "\"\"\"" : "'''"))
		return (toml_fail(p, "multi-line strings are not supported"));
	if (sb_add(p, &sb, "", 0) == -1)
		return (-1);
	for (p->p++;; ) {
		if (p->p == p->end || *p->p == '\n' || *p->p == '\r') {
			toml_fail(p, "unterminated string");
			goto bad;
		}
		c = *p->p++;
		if (c == quote)
			break;
		if (quote == '"' && c == '\\') {
			if (escape(p, &sb) == -1)
				goto bad;
		} else if (is_control(c)) {
			toml_fail(p, "control characters must be escaped in "
			    "strings");
			goto bad;
		} else if (sb_add(p, &sb, (const char *)&c, 1) == -1)
			goto bad;
	}
	*out = sb.data;
	return (0);
bad:
	free(sb.data);
	return (-1);
}

void
toml_key_free(struct key *k)
{
	size_t		i;

	for (i = 0; i < k->n; i++)
		free(k->part[i]);
	k->n = 0;
}

/* Section "Keys": bare or quoted parts joined by dots; k->n >= 1. */
int
toml_lex_key(struct parser *p, struct key *k)
{
	const char	*s;
	char		*part = NULL;

	for (k->n = 0;; p->p++) {
		skip_ws(p);
		if (at(p, '"') || at(p, '\'')) {
			if (toml_lex_string(p, &part) == -1)
				break;
		} else {
			for (s = p->p; p->p < p->end &&
			    is_bare((unsigned char)*p->p); p->p++)
				;
			if (p->p == s) {
				toml_fail(p, "expected a key");
				break;
			}
			if ((part = malloc(p->p - s + 1)) == NULL) {
				toml_fail(p, "out of memory");
				break;
			}
			memcpy(part, s, p->p - s);
			part[p->p - s] = '\0';
		}
		if (k->n == sizeof(k->part) / sizeof(k->part[0])) {
			free(part);
			toml_fail(p, "nesting too deep (more than %d levels)",
			    TOML_MAX_DEPTH);
			break;
		}
		k->part[k->n++] = part;
		skip_ws(p);
		if (!at(p, '.'))
			return (0);
	}
	toml_key_free(k);

	return (-1);
}

int
toml_lex_int(struct parser *p, const char *s, const char *e, int64_t *out)
{
	uint64_t	limit = INT64_MAX, v = 0;
	unsigned int	base = 10, d;
	int		neg = 0, digit = 0, len;
	const char	*tok = s;

	len = e - s > 40 ? 40 : (int)(e - s);
	if (s < e && (*s == '+' || *s == '-'))
		neg = (*s++ == '-');
	if (e - s > 2 && s == tok && s[0] == '0' &&
	    (s[1] == 'x' || s[1] == 'o' || s[1] == 'b')) {
		base = s[1] == 'x' ? 16 : s[1] == 'o' ? 8 : 2;
		s += 2;
	} else if (e - s > 1 && s[0] == '0' &&
	    ((s[1] >= '0' && s[1] <= '9') || s[1] == '_'))
		return (toml_fail(p, "leading zeros are not allowed in '%.*s'",
		    len, tok));
	if (neg)
		limit++;
	for (; s < e; s++) {
		if (*s == '_') {
			if (!digit)
				break;
			digit = 0;
			continue;
		}
		if (*s >= '0' && *s <= '9')
			d = *s - '0';
		else if ((*s | 0x20) >= 'a' && (*s | 0x20) <= 'f')
			d = (*s | 0x20) - 'a' + 10;
		else
			break;
		if (d >= base)
			break;
		if (v > (limit - d) / base)
			return (toml_fail(p, "integer '%.*s' does not fit in "
			    "64 bits", len, tok));
		v = v * base + d;
		digit = 1;
	}
	if (s != e || !digit)
		return (toml_fail(p, "invalid integer '%.*s'", len, tok));
	if (neg)
		*out = v > INT64_MAX ? INT64_MIN : -(int64_t)v;
	else
		*out = (int64_t)v;

	return (0);
}

static int
is_digits(const char *s, const char *e, size_t n)
{
	if ((size_t)(e - s) < n)
		return (0);
	for (; n > 0; n--, s++) {
		if (*s < '0' || *s > '9')
			return (0);
	}

	return (1);
}

/* Loose on purpose: it only picks the reason for a rejection. */
int
toml_lex_is_float(const char *s, const char *e)
{
	int		dots = 0, exps = 0;

	if (s < e && (*s == '+' || *s == '-'))
		s++;
	if (e - s == 3 && (memcmp(s, "inf", 3) == 0 ||
	    memcmp(s, "nan", 3) == 0))
		return (1);
	if (!is_digits(s, e, 1))
		return (0);
	for (; s < e; s++) {
		if (*s == '.')
			dots++;
		else if (*s == 'e' || *s == 'E')
			exps++;
		else if (!is_digits(s, e, 1) && *s != '_' && *s != '+' &&
		    *s != '-')
			return (0);
	}

	return (dots <= 1 && exps <= 1 && dots + exps > 0);
}

/* 1979-05-27 or 07:32:00, the starts of every TOML date and time. */
int
toml_lex_is_date(const char *s, const char *e)
{
	return ((is_digits(s, e, 4) && e - s > 4 && s[4] == '-') ||
	    (is_digits(s, e, 2) && e - s > 2 && s[2] == ':'));
}
