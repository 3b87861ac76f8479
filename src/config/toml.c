/*
 * A small TOML reader; see toml.h for the subset it accepts.
 *
 * The input is checked for valid UTF-8 (and no NUL) up front, so the
 * parser proper only looks at ASCII and copies other bytes verbatim.
 * Every read is guarded by p->end, every container is at most
 * TOML_MAX_DEPTH deep, so recursion (parse, free) is bounded.
 * Quoted section names refer to the TOML 1.0.0 specification.
 *
 * Over 600 lines as one file: the reader is one recursive-descent parser.
 */

#include <sys/types.h>

#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/toml.h"

/*
 * How a table came to exist decides what may still be added to it
 * ("Table" and "Inline Table" sections of the spec).
 */
#define T_IMPLICIT	0x01	/* parent of a [header], not yet defined */
#define T_HEADER	0x02	/* defined by its own [header] */
#define T_DOTTED	0x04	/* created by a dotted key */
#define T_INLINE	0x08	/* inline table: closed once parsed */
#define T_AOT		0x10	/* array of tables, made by [[header]] */

struct member {
	char			*key;	/* NULL for array elements */
	struct toml_value	*val;
};

struct toml_value {
	enum toml_type		type;
	int			line;
	int			depth;	/* containers above it; root is 0 */
	int			flags;
	char			*str;
	int64_t			num;	/* TOML_INT and TOML_BOOL */
	struct member		*items;
	size_t			count;
	size_t			cap;
};

/* A key as written: up to one table per level, plus the final value. */
struct key {
	char			*part[TOML_MAX_DEPTH + 1];
	size_t			n;
};

struct parser {
	const char		*p;
	const char		*end;
	int			line;
	int			failed;
	struct toml_error	*err;
	struct toml_value	*root;
	struct toml_value	*cur;	/* table of the current [section] */
	char			path[sizeof(((struct toml_error *)0)->key)];
	size_t			pathlen;
};

struct sbuf {
	char			*data;
	size_t			len;
	size_t			cap;
};

static int	parse_value(struct parser *, int, struct toml_value **);

static int __attribute__((format(printf, 2, 3)))
fail(struct parser *p, const char *fmt, ...)
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

/* The error key names the path being parsed, e.g. "cache.options.ttl". */
static size_t
path_push(struct parser *p, const char *part, size_t index, int is_index)
{
	size_t		saved, room;
	int		n;

	saved = p->pathlen;
	room = sizeof(p->path) - saved;
	if (room <= 1)
		return (saved);
	if (is_index)
		n = snprintf(p->path + saved, room, "[%zu]", index);
	else
		n = snprintf(p->path + saved, room, "%s%s",
		    saved > 0 ? "." : "", part);
	if (n < 0)
		n = 0;
	p->pathlen = (size_t)n >= room ? sizeof(p->path) - 1 : saved + n;

	return (saved);
}

static void
path_pop(struct parser *p, size_t saved)
{
	p->pathlen = saved;
	p->path[saved] = '\0';
}

static struct toml_value *
value_new(struct parser *p, enum toml_type type, int depth)
{
	struct toml_value	*v;

	if ((type == TOML_ARRAY || type == TOML_TABLE) &&
	    depth > TOML_MAX_DEPTH) {
		fail(p, "nesting too deep (more than %d levels)",
		    TOML_MAX_DEPTH);
		return (NULL);
	}
	if ((v = calloc(1, sizeof(*v))) == NULL) {
		fail(p, "out of memory");
		return (NULL);
	}
	v->type = type;
	v->line = p->line;
	v->depth = depth;

	return (v);
}

void
toml_free(struct toml_value *v)
{
	size_t		i;

	if (v == NULL)
		return;
	for (i = 0; i < v->count; i++) {
		free(v->items[i].key);
		toml_free(v->items[i].val);
	}
	free(v->items);
	free(v->str);
	free(v);
}

/* Takes ownership of key and val, freeing them on failure. */
static int
add_member(struct parser *p, struct toml_value *c, char *key,
    struct toml_value *val)
{
	struct member	*items;
	size_t		 cap;

	if (c->count == c->cap) {
		cap = c->cap ? c->cap * 2 : 4;
		if (cap > SIZE_MAX / sizeof(*items) ||
		    (items = realloc(c->items, cap * sizeof(*items))) == NULL) {
			free(key);
			toml_free(val);
			return (fail(p, "out of memory"));
		}
		c->items = items;
		c->cap = cap;
	}
	c->items[c->count].key = key;
	c->items[c->count].val = val;
	c->count++;

	return (0);
}

static struct toml_value *
find_n(const struct toml_value *t, const char *key, size_t len)
{
	size_t		i;

	if (t == NULL || t->type != TOML_TABLE)
		return (NULL);
	for (i = 0; i < t->count; i++) {
		if (strncmp(t->items[i].key, key, len) == 0 &&
		    t->items[i].key[len] == '\0')
			return (t->items[i].val);
	}

	return (NULL);
}

static struct toml_value *
find(const struct toml_value *t, const char *key)
{
	return (find_n(t, key, strlen(key)));
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
			return (fail(p, "out of memory"));
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
is_bare(unsigned char c)
{
	return ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	    (c >= '0' && c <= '9') || c == '_' || c == '-');
}

static int
at(struct parser *p, char c)
{
	return (p->p < p->end && *p->p == c);
}

static int
starts(struct parser *p, const char *s)
{
	size_t		len = strlen(s);

	return ((size_t)(p->end - p->p) >= len && memcmp(p->p, s, len) == 0);
}

static void
skip_ws(struct parser *p)
{
	while (p->p < p->end && (*p->p == ' ' || *p->p == '\t'))
		p->p++;
}

static int
skip_comment(struct parser *p)
{
	if (!at(p, '#'))
		return (0);
	for (p->p++; p->p < p->end && *p->p != '\n' && *p->p != '\r'; p->p++) {
		if (is_control((unsigned char)*p->p))
			return (fail(p, "control characters are not allowed "
			    "in comments"));
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
		return (fail(p, "carriage return not followed by newline"));

	return (0);
}

/* Whitespace, comments and newlines, as allowed inside arrays. */
static int
skip_space(struct parser *p)
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

static int
end_of_line(struct parser *p, const char *after)
{
	skip_ws(p);
	if (skip_comment(p) == -1)
		return (-1);
	if (p->p == p->end || newline(p) == 1)
		return (0);
	if (p->failed)
		return (-1);

	return (fail(p, "expected end of line after %s", after));
}

/* Section "Spec": a TOML file must be valid UTF-8. */
static int
check_utf8(struct parser *p)
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
			return (fail(p, "NUL bytes are not allowed"));
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
			return (fail(p, "invalid UTF-8"));
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
		return (fail(p, "truncated \\%c escape", digits == 4 ? 'u' : 'U'));
	for (i = 0; i < digits; i++) {
		c = (unsigned char)p->p[i];
		if (c >= '0' && c <= '9')
			cp = cp * 16 + (c - '0');
		else if ((c | 0x20) >= 'a' && (c | 0x20) <= 'f')
			cp = cp * 16 + ((c | 0x20) - 'a' + 10);
		else
			return (fail(p, "invalid hex digit in \\%c escape",
			    digits == 4 ? 'u' : 'U'));
	}
	p->p += digits;
	if (cp == 0)
		return (fail(p, "strings may not contain U+0000"));
	if ((cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
		return (fail(p, "escape U+%04lX is not a unicode scalar value",
		    cp));
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
		return (fail(p, "unterminated string"));
	c = *p->p++;
	if (c == 'u' || c == 'U')
		return (hex_escape(p, sb, c == 'u' ? 4 : 8));
	if (c != '\0' && (m = strchr(from, c)) != NULL)
		return (sb_add(p, sb, &to[m - from], 1));
	if (c > 0x20 && c < 0x7f)
		return (fail(p, "invalid escape sequence '\\%c'", c));

	return (fail(p, "invalid escape sequence"));
}

/* Single-line basic ("...") or literal ('...') string; p->p at quote. */
static int
parse_string(struct parser *p, char **out)
{
	struct sbuf	sb = { NULL, 0, 0 };
	char		quote = *p->p;
	unsigned char	c;

	if (starts(p, quote == '"' ? "\"\"\"" : "'''"))
		return (fail(p, "multi-line strings are not supported"));
	if (sb_add(p, &sb, "", 0) == -1)
		return (-1);
	for (p->p++;; ) {
		if (p->p == p->end || *p->p == '\n' || *p->p == '\r') {
			fail(p, "unterminated string");
			goto bad;
		}
		c = *p->p++;
		if (c == quote)
			break;
		if (quote == '"' && c == '\\') {
			if (escape(p, &sb) == -1)
				goto bad;
		} else if (is_control(c)) {
			fail(p, "control characters must be escaped in strings");
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

static void
key_free(struct key *k)
{
	size_t		i;

	for (i = 0; i < k->n; i++)
		free(k->part[i]);
	k->n = 0;
}

/* Section "Keys": bare or quoted parts joined by dots; k->n >= 1. */
static int
parse_key(struct parser *p, struct key *k)
{
	const char	*s;
	char		*part = NULL;

	for (k->n = 0;; p->p++) {
		skip_ws(p);
		if (at(p, '"') || at(p, '\'')) {
			if (parse_string(p, &part) == -1)
				break;
		} else {
			for (s = p->p; p->p < p->end &&
			    is_bare((unsigned char)*p->p); p->p++)
				;
			if (p->p == s) {
				fail(p, "expected a key");
				break;
			}
			if ((part = malloc(p->p - s + 1)) == NULL) {
				fail(p, "out of memory");
				break;
			}
			memcpy(part, s, p->p - s);
			part[p->p - s] = '\0';
		}
		if (k->n == sizeof(k->part) / sizeof(k->part[0])) {
			free(part);
			fail(p, "nesting too deep (more than %d levels)",
			    TOML_MAX_DEPTH);
			break;
		}
		k->part[k->n++] = part;
		skip_ws(p);
		if (!at(p, '.'))
			return (0);
	}
	key_free(k);

	return (-1);
}

static size_t
path_push_key(struct parser *p, const struct key *k)
{
	size_t		i, saved;

	saved = p->pathlen;
	for (i = 0; i < k->n; i++)
		path_push(p, k->part[i], 0, 0);

	return (saved);
}

static int
parse_int(struct parser *p, const char *s, const char *e, int64_t *out)
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
		return (fail(p, "leading zeros are not allowed in '%.*s'",
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
			return (fail(p, "integer '%.*s' does not fit in 64 bits",
			    len, tok));
		v = v * base + d;
		digit = 1;
	}
	if (s != e || !digit)
		return (fail(p, "invalid integer '%.*s'", len, tok));
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
static int
is_float(const char *s, const char *e)
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
static int
is_date(const char *s, const char *e)
{
	return ((is_digits(s, e, 4) && e - s > 4 && s[4] == '-') ||
	    (is_digits(s, e, 2) && e - s > 2 && s[2] == ':'));
}

/*
 * Booleans, integers and the unsupported types that look like them.
 * The token is everything a number, date or bool could be made of, so
 * "1.5" or "1979-05-27" is rejected whole rather than read as "1".
 */
static int
parse_word(struct parser *p, struct toml_value **out, int depth)
{
	const char	*s = p->p, *e;
	enum toml_type	 type = TOML_INT;
	int64_t		 num = 0;
	int		 len;

	for (e = s; e < p->end && (is_bare((unsigned char)*e) ||
	    *e == '+' || *e == '.' || *e == ':'); e++)
		;
	len = e - s > 40 ? 40 : (int)(e - s);
	if (e - s == 4 && memcmp(s, "true", 4) == 0) {
		type = TOML_BOOL;
		num = 1;
	} else if (e - s == 5 && memcmp(s, "false", 5) == 0)
		type = TOML_BOOL;
	else if (is_float(s, e))
		return (fail(p, "floats are not supported"));
	else if (is_date(s, e))
		return (fail(p, "dates and times are not supported"));
	else if ((*s < '0' || *s > '9') && *s != '+' && *s != '-')
		return (fail(p, "invalid value '%.*s' (strings must be "
		    "quoted)", len, s));
	else if (memchr(s, '.', e - s) != NULL || memchr(s, ':', e - s))
		return (fail(p, "invalid value '%.*s' (strings must be "
		    "quoted)", len, s));
	else if (parse_int(p, s, e, &num) == -1)
		return (-1);
	if ((*out = value_new(p, type, depth)) == NULL)
		return (-1);
	(*out)->num = num;
	p->p = e;

	return (0);
}

static int
parse_array(struct parser *p, int depth, struct toml_value **out)
{
	struct toml_value	*a, *v;
	size_t			 saved;
	int			 line = p->line;

	if ((a = value_new(p, TOML_ARRAY, depth)) == NULL)
		return (-1);
	for (p->p++;; ) {
		if (skip_space(p) == -1)
			goto bad;
		if (p->p == p->end) {
			fail(p, "unterminated array (opened on line %d)", line);
			goto bad;
		}
		if (at(p, ']'))
			break;
		saved = path_push(p, NULL, a->count, 1);
		if (parse_value(p, depth + 1, &v) == -1 ||
		    add_member(p, a, NULL, v) == -1)
			goto bad;
		path_pop(p, saved);
		if (skip_space(p) == -1)
			goto bad;
		if (at(p, ']'))
			break;
		if (!at(p, ',')) {
			fail(p, p->p == p->end ? "unterminated array (opened "
			    "on line %d)" : "expected ',' or ']' in array "
			    "(opened on line %d)", line);
			goto bad;
		}
		p->p++;
	}
	p->p++;
	*out = a;
	return (0);
bad:
	toml_free(a);
	return (-1);
}

/*
 * Steps from t into its child table k->part[i], creating it if missing.
 * how says who asks: a [header] naming a parent (T_IMPLICIT) or the
 * table itself (T_HEADER), or a dotted key (T_DOTTED).  Per "Table",
 * a table is defined once, and dotted keys may only extend tables
 * that dotted keys created; inline tables are closed to both.
 */
static struct toml_value *
descend(struct parser *p, struct toml_value *t, struct key *k, size_t i,
    int how)
{
	struct toml_value	*next;
	char			*name = k->part[i];

	if ((next = find(t, name)) == NULL) {
		if ((next = value_new(p, TOML_TABLE, t->depth + 1)) == NULL)
			return (NULL);
		next->flags = how;
		k->part[i] = NULL;
		if (add_member(p, t, name, next) == -1)
			return (NULL);
		return (next);
	}
	/* Through an array of tables, a header means its last table. */
	if (next->type == TOML_ARRAY && (next->flags & T_AOT) &&
	    how == T_IMPLICIT)
		return (next->items[next->count - 1].val);
	if (next->type == TOML_ARRAY && (next->flags & T_AOT))
		fail(p, "'%s' is an array of tables (line %d)", name,
		    next->line);
	else if (next->type != TOML_TABLE)
		fail(p, "'%s' is already a value of type %s (line %d)", name,
		    toml_type_name(next->type), next->line);
	else if (next->flags & T_INLINE)
		fail(p, "inline table '%s' (line %d) cannot be extended",
		    name, next->line);
	else if (how == T_DOTTED && !(next->flags & T_DOTTED))
		fail(p, "table '%s' (line %d) cannot be extended with dotted "
		    "keys", name, next->line);
	else if (how == T_HEADER && (next->flags & T_HEADER))
		fail(p, "table already defined on line %d", next->line);
	else if (how == T_HEADER && (next->flags & T_DOTTED))
		fail(p, "table already defined by dotted keys on line %d",
		    next->line);
	else if (how == T_HEADER) {
		next->flags = T_HEADER;
		next->line = p->line;
	}

	return (p->failed ? NULL : next);
}

/* key = value, inserted below t; the path stays pushed for eol errors. */
static int
parse_keyval(struct parser *p, struct toml_value *t, size_t *saved)
{
	struct toml_value	*v;
	struct key		 k;
	size_t			 i;
	int			 r = -1;

	if (parse_key(p, &k) == -1)
		return (-1);
	*saved = path_push_key(p, &k);
	if (!at(p, '=')) {
		fail(p, "expected '=' after key");
		goto done;
	}
	p->p++;
	skip_ws(p);
	for (i = 0; i + 1 < k.n; i++) {
		if ((t = descend(p, t, &k, i, T_DOTTED)) == NULL)
			goto done;
	}
	if ((v = find(t, k.part[i])) != NULL) {
		fail(p, "duplicate key (first defined on line %d)", v->line);
		goto done;
	}
	if (parse_value(p, t->depth + 1, &v) == -1)
		goto done;
	r = add_member(p, t, k.part[i], v);
	k.part[i] = NULL;
done:
	key_free(&k);
	return (r);
}

/* Section "Inline Table": one line, no trailing comma, closed after. */
static int
parse_inline(struct parser *p, int depth, struct toml_value **out)
{
	struct toml_value	*t;
	size_t			 saved;

	if ((t = value_new(p, TOML_TABLE, depth)) == NULL)
		return (-1);
	p->p++;
	skip_ws(p);
	while (!at(p, '}')) {
		if (p->p == p->end) {
			fail(p, "unterminated inline table");
			goto bad;
		}
		if (at(p, '\n') || at(p, '\r') || at(p, '#')) {
			fail(p, "inline tables must be on one line");
			goto bad;
		}
		saved = p->pathlen;
		if (parse_keyval(p, t, &saved) == -1)
			goto bad;
		path_pop(p, saved);
		skip_ws(p);
		if (at(p, ',')) {
			p->p++;
			skip_ws(p);
			if (at(p, '}')) {
				fail(p, "trailing comma in inline table");
				goto bad;
			}
		} else if (!at(p, '}') && p->p < p->end && *p->p != '\n' &&
		    *p->p != '\r' && *p->p != '#') {
			fail(p, "expected ',' or '}' in inline table");
			goto bad;
		}
	}
	p->p++;
	t->flags = T_INLINE;
	*out = t;
	return (0);
bad:
	toml_free(t);
	return (-1);
}

static int
parse_value(struct parser *p, int depth, struct toml_value **out)
{
	struct toml_value	*v;
	char			*s = NULL;

	*out = NULL;
	if (p->p == p->end || at(p, '\n') || at(p, '\r') || at(p, '#') ||
	    at(p, ',') || at(p, ']') || at(p, '}'))
		return (fail(p, "expected a value"));
	switch (*p->p) {
	case '"':
	case '\'':
		if ((v = value_new(p, TOML_STRING, depth)) == NULL)
			return (-1);
		if (parse_string(p, &s) == -1) {
			toml_free(v);
			return (-1);
		}
		v->str = s;
		*out = v;
		return (0);
	case '[':
		return (parse_array(p, depth, out));
	case '{':
		return (parse_inline(p, depth, out));
	default:
		if (is_bare((unsigned char)*p->p) || *p->p == '+')
			return (parse_word(p, out, depth));
		if (*p->p > 0x20 && *p->p < 0x7f)
			return (fail(p, "unexpected character '%c'", *p->p));
		return (fail(p, "unexpected byte 0x%02x",
		    (unsigned char)*p->p));
	}
}

/* The array of tables named name in t, made if new; NULL on failure. */
static struct toml_value *
table_array(struct parser *p, struct toml_value *t, struct key *k)
{
	struct toml_value	*a;
	char			*name = k->part[k->n - 1];

	if ((a = find(t, name)) != NULL) {
		if (a->type != TOML_ARRAY || !(a->flags & T_AOT)) {
			fail(p, "'%s' is already %s (line %d)", name,
			    a->type == TOML_ARRAY ? "a static array" :
			    a->type == TOML_TABLE ? "a table" : "a value",
			    a->line);
			return (NULL);
		}
		return (a);
	}
	if ((a = value_new(p, TOML_ARRAY, t->depth + 1)) == NULL)
		return (NULL);
	a->flags = T_AOT;
	k->part[k->n - 1] = NULL;
	if (add_member(p, t, name, a) == -1)
		return (NULL);
	return (a);
}

/* Section "Array of Tables": [[a.b]] appends a table to array b. */
static int
parse_array_header(struct parser *p)
{
	struct toml_value	*t, *elem;
	struct key		 k;
	size_t			 i;

	p->p++;
	if (parse_key(p, &k) == -1)
		return (-1);
	path_push_key(p, &k);
	if (!starts(p, "]]")) {
		key_free(&k);
		return (fail(p, "expected ']]' after array of tables name"));
	}
	p->p += 2;
	for (t = p->root, i = 0; t != NULL && i + 1 < k.n; i++)
		t = descend(p, t, &k, i, T_IMPLICIT);
	if (t != NULL)
		t = table_array(p, t, &k);
	key_free(&k);
	if (t == NULL || (elem = value_new(p, TOML_TABLE, t->depth + 1)) ==
	    NULL)
		return (-1);
	elem->flags = T_HEADER;
	if (add_member(p, t, NULL, elem) == -1)
		return (-1);
	p->cur = elem;
	return (end_of_line(p, "array of tables header"));
}

/* Section "Table": [a.b] defines b once; a may be implicit. */
static int
parse_header(struct parser *p)
{
	struct toml_value	*t;
	struct key		 k;
	size_t			 i;

	p->p++;
	path_pop(p, 0);
	if (at(p, '['))
		return (parse_array_header(p));
	if (parse_key(p, &k) == -1)
		return (-1);
	path_push_key(p, &k);
	if (!at(p, ']')) {
		key_free(&k);
		return (fail(p, "expected ']' after table name"));
	}
	p->p++;
	for (t = p->root, i = 0; t != NULL && i < k.n; i++)
		t = descend(p, t, &k, i, i + 1 == k.n ? T_HEADER : T_IMPLICIT);
	key_free(&k);
	if (t == NULL)
		return (-1);
	p->cur = t;

	return (end_of_line(p, "table header"));
}

static int
parse_document(struct parser *p)
{
	size_t		saved;

	/* A UTF-8 byte order mark is not content. */
	if (starts(p, "\xef\xbb\xbf"))
		p->p += 3;
	for (;;) {
		skip_ws(p);
		if (p->p == p->end)
			return (0);
		if (at(p, '[')) {
			if (parse_header(p) == -1)
				return (-1);
		} else if (at(p, '#') || at(p, '\n') || at(p, '\r')) {
			if (end_of_line(p, "comment") == -1)
				return (-1);
		} else {
			saved = p->pathlen;
			if (parse_keyval(p, p->cur, &saved) == -1 ||
			    end_of_line(p, "value") == -1)
				return (-1);
			path_pop(p, saved);
		}
	}
}

struct toml_value *
toml_parse(const char *buf, size_t len, struct toml_error *err)
{
	struct toml_error	 local;
	struct parser		 p;

	if (err == NULL)
		err = &local;
	memset(err, 0, sizeof(*err));
	memset(&p, 0, sizeof(p));
	p.err = err;
	p.line = 1;
	if (buf == NULL && len > 0) {
		fail(&p, "no input");
		return (NULL);
	}
	if (len >= INT_MAX) {
		fail(&p, "input too large");
		return (NULL);
	}
	/* NULL + 0 is undefined behaviour, so an empty input gets "". */
	p.p = buf != NULL ? buf : "";
	p.end = p.p + len;
	if (check_utf8(&p) == -1)
		return (NULL);
	if ((p.root = value_new(&p, TOML_TABLE, 0)) == NULL)
		return (NULL);
	p.root->flags = T_HEADER;
	p.cur = p.root;
	if (parse_document(&p) == -1) {
		toml_free(p.root);
		return (NULL);
	}

	return (p.root);
}

enum toml_type
toml_type(const struct toml_value *v)
{
	return (v->type);
}

const char *
toml_type_name(enum toml_type type)
{
	static const char	*names[] = {
		"string", "integer", "boolean", "array", "table"
	};

	if ((unsigned int)type >= sizeof(names) / sizeof(names[0]))
		return ("unknown");

	return (names[type]);
}

int
toml_line(const struct toml_value *v)
{
	return (v != NULL ? v->line : 0);
}

const struct toml_value *
toml_get(const struct toml_value *t, const char *key)
{
	if (key == NULL)
		return (NULL);

	return (find(t, key));
}

const struct toml_value *
toml_get_path(const struct toml_value *t, const char *dotted)
{
	const char	*dot;

	if (dotted == NULL)
		return (NULL);
	for (;;) {
		dot = strchr(dotted, '.');
		if (dot == NULL)
			return (find(t, dotted));
		if ((t = find_n(t, dotted, dot - dotted)) == NULL)
			return (NULL);
		dotted = dot + 1;
	}
}

size_t
toml_count(const struct toml_value *v)
{
	if (v == NULL || (v->type != TOML_TABLE && v->type != TOML_ARRAY))
		return (0);

	return (v->count);
}

const char *
toml_key_at(const struct toml_value *t, size_t i)
{
	if (t == NULL || t->type != TOML_TABLE || i >= t->count)
		return (NULL);

	return (t->items[i].key);
}

const struct toml_value *
toml_value_at(const struct toml_value *v, size_t i)
{
	if (v == NULL || (v->type != TOML_TABLE && v->type != TOML_ARRAY) ||
	    i >= v->count)
		return (NULL);

	return (v->items[i].val);
}

const char *
toml_str(const struct toml_value *v)
{
	if (v == NULL || v->type != TOML_STRING)
		return (NULL);

	return (v->str);
}

int
toml_int(const struct toml_value *v, int64_t *out)
{
	if (v == NULL || v->type != TOML_INT)
		return (-1);
	*out = v->num;

	return (0);
}

int
toml_bool(const struct toml_value *v, int *out)
{
	if (v == NULL || v->type != TOML_BOOL)
		return (-1);
	*out = (int)v->num;

	return (0);
}
