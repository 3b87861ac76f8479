/*
 * json_dumps(COMPACT | PRESERVE_ORDER | ENCODE_ANY | REAL_PRECISION(p))
 * without jansson's cost: it hands every token to a callback that appends
 * it to a strbuffer, formats every integer with snprintf and walks every
 * string code point by code point; a metadata file is ~18 KB of that on
 * each commit.  Here: one buffer that grows by doubling, runs of plain
 * bytes copied at once, integers converted by hand.  The output is
 * jansson 2.14's to the byte (tests/unit/test_json_out.c compares them):
 *
 *   - members in the object's own order (json_object_iter: insertion
 *     order), "key":value joined by ',' with no spaces;
 *   - strings: '"' and '\\' escaped, \b \f \n \r \t, any other byte
 *     below 0x20 as \u00XX in upper-case hex; everything else (0x7f, '/',
 *     UTF-8) as it is; a string that is not well-formed UTF-8 (a stray
 *     continuation byte, an overlong form, a surrogate, past U+10FFFF, a
 *     cut sequence) fails the whole text, as in jansson.  So does such a
 *     key, where jansson differs: it ignores the failure and writes text
 *     that is not JSON ({":null}).  Only jansson's *_nocheck setters make
 *     either, and src/ calls none;
 *   - integers as %lld;
 *   - reals as jansson's dtostr: "%.<p>g", the locale's decimal point
 *     made '.', ".0" added when there is neither '.' nor 'e', and the
 *     exponent's '+' and leading zeros dropped (1e+300 -> 1e300, 1e-05 ->
 *     1e-5); a real that is not finite fails.
 */
#include <locale.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/json_bytes.h"
#include "util/json_memo.h"
#include "util/json_out.h"

#define OUT_FIRST_CAP	1024

struct out {
	char			*buf;
	size_t			 len;
	size_t			 cap;
	int			 precision;
	struct pgl_json_memo	*memo;	/* NULL: every entry rendered */
	const char		*key;	/* the memo's key for j's lists */
};

static const char	digit_pairs[201] =
    "00010203040506070809101112131415161718192021222324252627282930313233"
    "34353637383940414243444546474849505152535455565758596061626364656667"
    "6869707172737475767778798081828384858687888990919293949596979899";

static const char	hex_upper[] = "0123456789ABCDEF";

/* Room for n more bytes (and the final NUL), doubling; -1 out of memory. */
static int
grow(struct out *o, size_t n)
{
	size_t	 cap = o->cap;
	char	*p;

	if (n > SIZE_MAX / 4 - o->len)
		return (-1);
	while (cap - o->len <= n)
		cap *= 2;
	if ((p = realloc(o->buf, cap)) == NULL)
		return (-1);
	o->buf = p;
	o->cap = cap;
	return (0);
}

static inline int
room(struct out *o, size_t n)
{
	return (o->cap - o->len > n ? 0 : grow(o, n));
}

static inline int
put_char(struct out *o, char c)
{
	if (room(o, 1) == -1)
		return (-1);
	o->buf[o->len++] = c;
	return (0);
}

/* true, false, null. */
static int
put_literal(struct out *o, const char *word, size_t n)
{
	if (room(o, n) == -1)
		return (-1);
	memcpy(o->buf + o->len, word, n);
	o->len += n;
	return (0);
}

/* s[0..n) as a JSON string; -1 when not UTF-8 or out of memory. */
static int
put_string(struct out *o, const char *s, size_t n)
{
	const unsigned char	*p = (const unsigned char *)s, *end = p + n;
	const unsigned char	*run;
	char			*d;
	size_t			 k;
	int			 cls;

	/* The plain case's room: every byte as it is, and the quotes. */
	if (room(o, n + 2) == -1)
		return (-1);
	o->buf[o->len++] = '"';
	while (p < end) {
		run = p;
		while (end - p >= 8 && !pgl_json_word_special(p))
			p += 8;
		while (p < end && pgl_json_byte[*p] == PGL_JB_PLAIN)
			p++;
		if (p != run) {
			memcpy(o->buf + o->len, run, (size_t)(p - run));
			o->len += (size_t)(p - run);
			if (p == end)
				break;
		}
		cls = pgl_json_byte[*p];
		if (cls == PGL_JB_BAD)
			return (-1);
		if (cls != PGL_JB_ESC) {
			if ((k = pgl_utf8_seq(p, end, cls)) == 0)
				return (-1);
			memcpy(o->buf + o->len, p, k);
			o->len += k;
			p += k;
			continue;
		}
		/* Up to 6 bytes for this one, then the rest and the quote. */
		if (room(o, (size_t)(end - p) + 6) == -1)
			return (-1);
		d = o->buf + o->len;
		d[0] = '\\';
		switch (*p) {
		case '"':	d[1] = '"'; k = 2; break;
		case '\\':	d[1] = '\\'; k = 2; break;
		case '\b':	d[1] = 'b'; k = 2; break;
		case '\f':	d[1] = 'f'; k = 2; break;
		case '\n':	d[1] = 'n'; k = 2; break;
		case '\r':	d[1] = 'r'; k = 2; break;
		case '\t':	d[1] = 't'; k = 2; break;
		default:
			d[1] = 'u';
			d[2] = '0';
			d[3] = '0';
			d[4] = hex_upper[*p >> 4];
			d[5] = hex_upper[*p & 0xf];
			k = 6;
			break;
		}
		o->len += k;
		p++;
	}
	o->buf[o->len++] = '"';
	return (0);
}

/* v as %lld. */
static int
put_integer(struct out *o, json_int_t v)
{
	char			 tmp[24], *t = tmp + sizeof(tmp);
	unsigned long long	 u;
	size_t			 n;

	u = v < 0 ? 0ULL - (unsigned long long)v : (unsigned long long)v;
	while (u >= 100) {
		t -= 2;
		memcpy(t, digit_pairs + (u % 100) * 2, 2);
		u /= 100;
	}
	if (u >= 10) {
		t -= 2;
		memcpy(t, digit_pairs + u * 2, 2);
	} else
		*--t = (char)('0' + u);
	if (v < 0)
		*--t = '-';
	n = (size_t)(tmp + sizeof(tmp) - t);
	if (room(o, n) == -1)
		return (-1);
	memcpy(o->buf + o->len, t, n);
	o->len += n;
	return (0);
}

/* v as jansson's dtostr writes it (see the top of the file). */
static int
put_real(struct out *o, double v)
{
	char		 buf[100], *e, *from, *to;
	const char	*point;
	size_t		 i;
	int		 n;

	if (!isfinite(v))
		return (-1);
	n = snprintf(buf, sizeof(buf), "%.*g", o->precision, v);
	if (n < 0 || (size_t)n >= sizeof(buf) - 3)
		return (-1);
	/* A decimal point other than '.' (a comma under LC_NUMERIC). */
	for (i = 0; i < (size_t)n; i++) {
		if ((buf[i] < '0' || buf[i] > '9') && buf[i] != '-' &&
		    buf[i] != '+' && buf[i] != 'e' && buf[i] != '.') {
			point = localeconv()->decimal_point;
			if (*point != '.' && (e = strchr(buf, *point)) != NULL)
				*e = '.';
			break;
		}
	}
	if (strchr(buf, '.') == NULL && strchr(buf, 'e') == NULL) {
		memcpy(buf + n, ".0", 3);
		n += 2;
	}
	if ((e = strchr(buf, 'e')) != NULL) {
		to = e + 1;
		from = to;
		if (*from == '+')
			from++;
		else if (*from == '-')
			from = ++to;
		while (*from == '0')
			from++;
		if (from != to) {
			memmove(to, from, (size_t)(buf + n + 1 - from));
			n -= (int)(from - to);
		}
	}
	if (room(o, (size_t)n) == -1)
		return (-1);
	memcpy(o->buf + o->len, buf, (size_t)n);
	o->len += (size_t)n;
	return (0);
}

static int	put_value(struct out *, const json_t *, int);

#ifdef PGL_CHECKS
/* What a copy relies on: each entry's text is still what it was. */
static void
copy_check(const struct out *o, const struct pgl_json_memo_list *k,
    size_t from, size_t n)
{
	struct out	fresh;
	size_t		i, len;

	for (i = from; i < from + n; i++) {
		memset(&fresh, 0, sizeof(fresh));
		fresh.precision = o->precision;
		fresh.cap = OUT_FIRST_CAP;
		if ((fresh.buf = malloc(fresh.cap)) == NULL)
			return;
		len = k->off[i + 1] - 1 - k->off[i];
		if (put_value(&fresh, json_array_get(k->list, i), 2) == -1 ||
		    fresh.len != len || memcmp(fresh.buf, k->text + k->off[i],
		    len) != 0) {
			fprintf(stderr, "PGL_CHECKS: a list entry whose text a "
			    "json memo kept was changed in place\n");
			abort();
		}
		free(fresh.buf);
	}
}
#endif

/*
 * Where in k's list entry v of the new list is: at k's cursor (the entry
 * after the last run copied) or a few after (entries dropped), else
 * (size_t)-1.
 */
#define MEMO_LOOK_AHEAD	8

static size_t
kept_at(const struct pgl_json_memo_list *k, size_t cursor, const json_t *v)
{
	size_t	i;

	for (i = cursor; i < k->n && i < cursor + MEMO_LOOK_AHEAD; i++) {
		if (json_array_get(k->list, i) == v)
			return (i);
	}
	return ((size_t)-1);
}

/*
 * A list of the top object, with a memo: each run of entries that are
 * the very nodes of a run of the list's last text is copied from it,
 * each other entry rendered; then this text is kept for the next.
 */
static int
put_list(struct out *o, const char *name, const json_t *list)
{
	const struct pgl_json_memo_list	*k;
	struct pgl_json_memo_list	 next;
	size_t				 n = json_array_size(list), i, at, run;
	size_t				 start = o->len, cursor = 0, span;

	k = pgl_json_memo_find(o->memo, o->key, name);
	if ((next.off = malloc((n + 1) * sizeof(*next.off))) == NULL)
		return (put_value(o, list, 1));
	if (put_char(o, '[') == -1)
		goto fail;
	for (i = 0; i < n; ) {
		if (i > 0 && put_char(o, ',') == -1)
			goto fail;
		next.off[i] = o->len - start;
		at = k != NULL ? kept_at(k, cursor, json_array_get(list, i)) :
		    (size_t)-1;
		if (at == (size_t)-1) {
			if (put_value(o, json_array_get(list, i), 2) == -1)
				goto fail;
			i++;
			continue;
		}
		for (run = 1; i + run < n && at + run < k->n &&
		    json_array_get(list, i + run) ==
		    json_array_get(k->list, at + run); run++)
			next.off[i + run] = next.off[i] +
			    (k->off[at + run] - k->off[at]);
#ifdef PGL_CHECKS
		copy_check(o, k, at, run);
#endif
		span = k->off[at + run] - 1 - k->off[at];
		if (put_literal(o, k->text + k->off[at], span) == -1)
			goto fail;
		pgl_json_memo_copied(o->memo, run);
		i += run;
		cursor = at + run;
	}
	if (put_char(o, ']') == -1)
		goto fail;
	next.off[n] = o->len - start;
	next.list = (json_t *)(uintptr_t)list;
	next.n = n;
	next.len = o->len - start;
	if ((next.text = malloc(next.len)) == NULL) {
		free(next.off);
		return (0);
	}
	memcpy(next.text, o->buf + start, next.len);
	pgl_json_memo_keep(o->memo, o->key, name, &next);
	return (0);
fail:
	free(next.off);
	return (-1);
}

static int
put_value(struct out *o, const json_t *j, int depth)
{
	void		*it;
	size_t		 i, n;
	json_t		*obj = (json_t *)(uintptr_t)j, *v;

	if (j == NULL)
		return (-1);
	switch (json_typeof(j)) {
	case JSON_OBJECT:
		if (depth >= PGL_JSON_OUT_MAX_DEPTH || put_char(o, '{') == -1)
			return (-1);
		for (it = json_object_iter(obj), i = 0; it != NULL;
		    it = json_object_iter_next(obj, it), i++) {
			v = json_object_iter_value(it);
			if ((i > 0 && put_char(o, ',') == -1) ||
			    put_string(o, json_object_iter_key(it),
			    json_object_iter_key_len(it)) == -1 ||
			    put_char(o, ':') == -1)
				return (-1);
			if (depth == 0 && o->memo != NULL && json_is_array(v) ?
			    put_list(o, json_object_iter_key(it), v) :
			    put_value(o, v, depth + 1))
				return (-1);
		}
		return (put_char(o, '}'));
	case JSON_ARRAY:
		if (depth >= PGL_JSON_OUT_MAX_DEPTH || put_char(o, '[') == -1)
			return (-1);
		n = json_array_size(j);
		for (i = 0; i < n; i++) {
			if ((i > 0 && put_char(o, ',') == -1) ||
			    put_value(o, json_array_get(j, i), depth + 1) == -1)
				return (-1);
		}
		return (put_char(o, ']'));
	case JSON_STRING:
		return (put_string(o, json_string_value(j),
		    json_string_length(j)));
	case JSON_INTEGER:
		return (put_integer(o, json_integer_value(j)));
	case JSON_REAL:
		return (put_real(o, json_real_value(j)));
	case JSON_TRUE:
		return (put_literal(o, "true", 4));
	case JSON_FALSE:
		return (put_literal(o, "false", 5));
	case JSON_NULL:
		return (put_literal(o, "null", 4));
	}
	return (-1);
}

static char *
render(const json_t *j, int precision, size_t *lenp, struct pgl_json_memo *m,
    const char *key)
{
	struct out	 o;
	char		*p;

	if (j == NULL)
		return (NULL);
	/* As JSON_REAL_PRECISION(n) keeps it: five bits, 0 the default. */
	precision &= 0x1f;
	o.precision = precision == 0 ? 17 : precision;
	o.len = 0;
	o.cap = OUT_FIRST_CAP;
	o.key = key;
	o.memo = m != NULL && key != NULL && json_is_object(j) &&
	    pgl_json_memo_precision(m) == o.precision ? m : NULL;
	if ((o.buf = malloc(o.cap)) == NULL)
		return (NULL);
	if (put_value(&o, j, 0) == -1) {
		free(o.buf);
		return (NULL);
	}
	/* room() always leaves one byte over: the NUL. */
	o.buf[o.len] = '\0';
	/* Give back a doubling's slack: the text may be kept (a cache). */
	if (o.cap - o.len > o.len / 8 + 64 &&
	    (p = realloc(o.buf, o.len + 1)) != NULL)
		o.buf = p;
	if (lenp != NULL)
		*lenp = o.len;
	return (o.buf);
}

char *
pgl_json_out(const json_t *j, int precision, size_t *lenp)
{
	return (render(j, precision, lenp, NULL, NULL));
}

char *
pgl_json_out_memo(const json_t *j, int precision, size_t *lenp,
    struct pgl_json_memo *m, const char *key)
{
	return (render(j, precision, lenp, m, key));
}
