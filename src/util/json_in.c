/*
 * A JSON reader that builds jansson trees (json_in.h).  What it accepts
 * and what it builds are jansson 2.14's json_loadb with
 * JSON_REJECT_DUPLICATES | JSON_DECODE_ANY (tests/unit/test_json_in.c
 * compares the two over every JSON file under tests/, generated trees and
 * hand-made refusals; the fuzz target fuzz_request does it on every input):
 *
 *   - whitespace is space, tab, newline and carriage return;
 *   - a string holds no byte below 0x20, only well-formed UTF-8 (the
 *     writer's check, json_bytes.h), the escapes \" \\ \/ \b \f \n \r \t
 *     and \uXXXX, a high surrogate escape only followed by a low one, and
 *     never \u0000;
 *   - a number is -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?; without
 *     a fraction or an exponent it is an integer and must fit in int64,
 *     else a real (strtod) that must not overflow to infinity (underflow
 *     is kept, as jansson keeps it);
 *   - true, false, null; a run of letters that is none of them is refused;
 *   - objects keep their members in order; a key seen twice is refused;
 *   - at most PGL_JSON_IN_MAX_DEPTH values nested, counted as jansson
 *     counts them (every value, a scalar too);
 *   - nothing but whitespace after the value.
 *
 * Plain strings (most of a metadata file) go from the input to the tree in
 * one copy; so do keys without escapes (the object copies them).  The reasons differ from jansson's
 * words; only the accept-or-refuse answer and the tree must be the same.
 * One difference on purpose: a NUL byte is refused wherever it is (RFC
 * 8259 has none outside strings, and in a string it is a control byte);
 * jansson skips one that follows a number or a literal, its reader taking
 * the pushed-back NUL for the end of its buffer ("1\0" reads as 1).
 */
#include <errno.h>
#include <limits.h>
#include <locale.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/json_bytes.h"
#include "util/json_in.h"

/* A real's text up to this size is converted from the stack. */
#define NUM_STACK	64

struct in {
	const unsigned char	*start;
	const unsigned char	*p;
	const unsigned char	*end;
	size_t			 depth;
	/* Escaped strings are decoded here (grown by doubling). */
	char			*scratch;
	size_t			 cap;
	/* The first refusal: what and where. */
	const char		*what;
	const unsigned char	*at;
};

static json_t	*value(struct in *);

/* Refuses at p (the first reason is kept); NULL for the callers. */
static json_t *
refuse(struct in *in, const unsigned char *at, const char *what)
{
	if (in->what == NULL) {
		in->what = what;
		in->at = at;
	}
	return (NULL);
}

static inline void
skip_space(struct in *in)
{
	while (in->p < in->end && (*in->p == ' ' || *in->p == '\n' ||
	    *in->p == '\r' || *in->p == '\t'))
		in->p++;
}

static inline int
is_digit(const struct in *in)
{
	return (in->p < in->end && *in->p >= '0' && *in->p <= '9');
}

/* Room for n more bytes after len in the scratch; -1 out of memory. */
static int
scratch_room(struct in *in, size_t len, size_t n)
{
	size_t	 cap = in->cap != 0 ? in->cap : 256;
	char	*s;

	if (in->scratch != NULL && len + n <= in->cap)
		return (0);
	while (cap < len + n) {
		if (cap > SIZE_MAX / 2)
			return (-1);
		cap *= 2;
	}
	if ((s = realloc(in->scratch, cap)) == NULL)
		return (-1);
	in->scratch = s;
	in->cap = cap;
	return (0);
}

/* The 4 hex digits at p as a code unit, or -1. */
static long
hex4(const unsigned char *p, const unsigned char *end)
{
	long	v = 0;
	int	i, c;

	if (end - p < 4)
		return (-1);
	for (i = 0; i < 4; i++) {
		c = p[i] | 0x20;	/* A-F as a-f; digits stay */
		if (p[i] >= '0' && p[i] <= '9')
			v = v * 16 + (p[i] - '0');
		else if (c >= 'a' && c <= 'f')
			v = v * 16 + (c - 'a' + 10);
		else
			return (-1);
	}
	return (v);
}

/* Code point cp as UTF-8 at d; its length. */
static size_t
put_utf8(char *d, long cp)
{
	size_t	n = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
	size_t	i;

	if (n == 1) {
		d[0] = (char)cp;
		return (1);
	}
	for (i = n - 1; i > 0; i--, cp >>= 6)
		d[i] = (char)(0x80 | (cp & 0x3f));
	d[0] = (char)((0xf00 >> n) | cp);
	return (n);
}

/*
 * The escape at in->p (just after its backslash) decoded into the scratch
 * at *len; in->p moves past it.  -1 refused.
 */
static int
unescape(struct in *in, size_t *len)
{
	const unsigned char	*at = in->p - 1;
	long			 cp, lo;
	char			 c;

	if (scratch_room(in, *len, 4) == -1) {
		(void)refuse(in, at, "out of memory");
		return (-1);
	}
	if (in->p == in->end) {
		(void)refuse(in, at, "unterminated string");
		return (-1);
	}
	switch (*in->p++) {
	case '"':	c = '"'; break;
	case '\\':	c = '\\'; break;
	case '/':	c = '/'; break;
	case 'b':	c = '\b'; break;
	case 'f':	c = '\f'; break;
	case 'n':	c = '\n'; break;
	case 'r':	c = '\r'; break;
	case 't':	c = '\t'; break;
	case 'u':
		if ((cp = hex4(in->p, in->end)) == -1) {
			(void)refuse(in, at, "invalid \\u escape");
			return (-1);
		}
		in->p += 4;
		if (cp >= 0xdc00 && cp <= 0xdfff) {
			(void)refuse(in, at, "a low surrogate escape alone");
			return (-1);
		}
		if (cp >= 0xd800 && cp <= 0xdbff) {
			if (in->end - in->p < 2 || in->p[0] != '\\' ||
			    in->p[1] != 'u' ||
			    (lo = hex4(in->p + 2, in->end)) == -1 ||
			    lo < 0xdc00 || lo > 0xdfff) {
				(void)refuse(in, at, "a high surrogate escape "
				    "not followed by a low one");
				return (-1);
			}
			in->p += 6;
			cp = ((cp - 0xd800) << 10) + (lo - 0xdc00) + 0x10000;
		}
		if (cp == 0) {
			(void)refuse(in, at, "\\u0000 is not allowed");
			return (-1);
		}
		*len += put_utf8(in->scratch + *len, cp);
		return (0);
	default:
		(void)refuse(in, at, "invalid escape");
		return (-1);
	}
	in->scratch[(*len)++] = c;
	return (0);
}

/*
 * The string whose opening quote in->p is on.  Its bytes in *s and *n:
 * the input itself when it has no escape (*decoded 0), else the scratch
 * (*decoded 1, valid until the next string).  -1 refused.
 */
static int
string(struct in *in, const char **s, size_t *n, int *decoded)
{
	const unsigned char	*open = in->p, *run;
	size_t			 len = 0, k;
	int			 cls, esc = 0;

	run = ++in->p;
	for (;;) {
		while (in->end - in->p >= 8 && !pgl_json_word_special(in->p))
			in->p += 8;
		while (in->p < in->end && pgl_json_byte[*in->p] == PGL_JB_PLAIN)
			in->p++;
		if (in->p == in->end) {
			(void)refuse(in, open, "unterminated string");
			return (-1);
		}
		cls = pgl_json_byte[*in->p];
		if (cls == PGL_JB_BAD) {
			(void)refuse(in, in->p, "a string that is not UTF-8");
			return (-1);
		}
		if (cls != PGL_JB_ESC) {
			if ((k = pgl_utf8_seq(in->p, in->end, cls)) == 0) {
				(void)refuse(in, in->p,
				    "a string that is not UTF-8");
				return (-1);
			}
			in->p += k;
			continue;
		}
		if (*in->p < 0x20) {
			(void)refuse(in, in->p, "a control character in a "
			    "string (escape it)");
			return (-1);
		}
		/* The plain run before this quote or backslash. */
		if (esc) {
			k = (size_t)(in->p - run);
			if (scratch_room(in, len, k) == -1) {
				(void)refuse(in, in->p, "out of memory");
				return (-1);
			}
			memcpy(in->scratch + len, run, k);
			len += k;
		}
		if (*in->p++ == '"')
			break;
		if (!esc) {
			esc = 1;
			len = (size_t)(in->p - 1 - run);
			if (scratch_room(in, 0, len) == -1) {
				(void)refuse(in, in->p, "out of memory");
				return (-1);
			}
			memcpy(in->scratch, run, len);
		}
		if (unescape(in, &len) == -1)
			return (-1);
		run = in->p;
	}
	*decoded = esc;
	if (esc) {
		*s = in->scratch;
		*n = len;
	} else {
		*s = (const char *)run;
		*n = (size_t)(in->p - 1 - run);
	}
	return (0);
}

/* A real: strtod on a copy of [s, in->p), in the locale's form. */
static json_t *
real(struct in *in, const unsigned char *s)
{
	char		 stack[NUM_STACK], *text = stack, *dot;
	size_t		 n = (size_t)(in->p - s);
	const char	*point = localeconv()->decimal_point;
	double		 d;
	json_t		*j;

	if (n >= sizeof(stack) && (text = malloc(n + 1)) == NULL)
		return (refuse(in, s, "out of memory"));
	memcpy(text, s, n);
	text[n] = '\0';
	/* strtod reads the locale's decimal point (one byte, as jansson). */
	if (point != NULL && point[0] != '.' && point[0] != '\0' &&
	    point[1] == '\0' && (dot = strchr(text, '.')) != NULL)
		*dot = point[0];
	errno = 0;
	d = strtod(text, NULL);
	if (text != stack)
		free(text);
	if (errno == ERANGE && isinf(d))
		return (refuse(in, s, "a real number too big"));
	if ((j = json_real(d)) == NULL)
		return (refuse(in, s, "out of memory"));
	return (j);
}

/* The number in->p is on. */
static json_t *
number(struct in *in)
{
	const unsigned char	*s = in->p;
	uint64_t		 u = 0, limit;
	json_t			*j;
	int			 neg, d, is_real = 0;

	if ((neg = *in->p == '-'))
		in->p++;
	if (!is_digit(in))
		return (refuse(in, s, "invalid token"));
	if (*in->p == '0') {
		in->p++;
		if (is_digit(in))
			return (refuse(in, s, "a number with a leading zero"));
	} else {
		while (is_digit(in))
			in->p++;
	}
	if (in->p < in->end && *in->p == '.') {
		in->p++;
		if (!is_digit(in))
			return (refuse(in, s, "a fraction without digits"));
		while (is_digit(in))
			in->p++;
		is_real = 1;
	}
	if (in->p < in->end && (*in->p == 'e' || *in->p == 'E')) {
		in->p++;
		if (in->p < in->end && (*in->p == '+' || *in->p == '-'))
			in->p++;
		if (!is_digit(in))
			return (refuse(in, s, "an exponent without digits"));
		while (is_digit(in))
			in->p++;
		is_real = 1;
	}
	if (is_real)
		return (real(in, s));
	limit = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
	for (const unsigned char *q = s + neg; q < in->p; q++) {
		d = *q - '0';
		if (u > (limit - (uint64_t)d) / 10)
			return (refuse(in, s, neg ? "an integer below int64" :
			    "an integer above int64"));
		u = u * 10 + (uint64_t)d;
	}
	j = json_integer(neg ? (json_int_t)(0 - u) : (json_int_t)u);
	return (j != NULL ? j : refuse(in, s, "out of memory"));
}

/* true, false or null: jansson reads the whole run of letters. */
static json_t *
literal(struct in *in)
{
	const unsigned char	*s = in->p;
	size_t			 n;

	while (in->p < in->end && ((*in->p >= 'a' && *in->p <= 'z') ||
	    (*in->p >= 'A' && *in->p <= 'Z')))
		in->p++;
	n = (size_t)(in->p - s);
	if (n == 4 && memcmp(s, "true", 4) == 0)
		return (json_true());
	if (n == 5 && memcmp(s, "false", 5) == 0)
		return (json_false());
	if (n == 4 && memcmp(s, "null", 4) == 0)
		return (json_null());
	return (refuse(in, s, "invalid token"));
}

static json_t *
array(struct in *in)
{
	json_t	*a, *v;

	if ((a = json_array()) == NULL)
		return (refuse(in, in->p, "out of memory"));
	in->p++;
	skip_space(in);
	if (in->p < in->end && *in->p == ']') {
		in->p++;
		return (a);
	}
	for (;;) {
		if ((v = value(in)) == NULL)
			goto fail;
		if (json_array_append_new(a, v) == -1) {
			(void)refuse(in, in->p, "out of memory");
			goto fail;
		}
		skip_space(in);
		if (in->p < in->end && *in->p == ',') {
			in->p++;
			skip_space(in);
			continue;
		}
		if (in->p < in->end && *in->p == ']') {
			in->p++;
			return (a);
		}
		(void)refuse(in, in->p, "',' or ']' expected");
		goto fail;
	}
fail:
	json_decref(a);
	return (NULL);
}

/*
 * One member: its key, ':' and its value, set on o.  A key with escapes
 * is copied out of the scratch first (the value's strings reuse it).
 */
static int
member(struct in *in, json_t *o)
{
	const unsigned char	*at = in->p;
	const char		*key;
	char			*copy = NULL;
	size_t			 n, size;
	int			 decoded, rc;
	json_t			*v;

	if (in->p == in->end || *in->p != '"') {
		(void)refuse(in, in->p, "a string or '}' expected");
		return (-1);
	}
	if (string(in, &key, &n, &decoded) == -1)
		return (-1);
	if (decoded) {
		if ((copy = malloc(n + 1)) == NULL) {
			(void)refuse(in, at, "out of memory");
			return (-1);
		}
		memcpy(copy, key, n);
		key = copy;
	}
	skip_space(in);
	if (in->p == in->end || *in->p != ':') {
		free(copy);
		(void)refuse(in, in->p, "':' expected");
		return (-1);
	}
	in->p++;
	skip_space(in);
	if ((v = value(in)) == NULL) {
		free(copy);
		return (-1);
	}
	size = json_object_size(o);
	rc = json_object_setn_new_nocheck(o, key, n, v);
	free(copy);
	if (rc == -1) {
		(void)refuse(in, at, "out of memory");
		return (-1);
	}
	/* Setting a key that was there replaced its value: a duplicate. */
	if (json_object_size(o) == size) {
		(void)refuse(in, at, "a duplicate object key");
		return (-1);
	}
	return (0);
}

static json_t *
object(struct in *in)
{
	json_t	*o;

	if ((o = json_object()) == NULL)
		return (refuse(in, in->p, "out of memory"));
	in->p++;
	skip_space(in);
	if (in->p < in->end && *in->p == '}') {
		in->p++;
		return (o);
	}
	for (;;) {
		if (member(in, o) == -1)
			break;
		skip_space(in);
		if (in->p < in->end && *in->p == ',') {
			in->p++;
			skip_space(in);
			continue;
		}
		if (in->p < in->end && *in->p == '}') {
			in->p++;
			return (o);
		}
		(void)refuse(in, in->p, "',' or '}' expected");
		break;
	}
	json_decref(o);
	return (NULL);
}

/* The value in->p is on (no space before it). */
static json_t *
value(struct in *in)
{
	const unsigned char	*at;
	const char		*s;
	size_t			 n;
	int			 decoded;
	json_t			*j;

	if (++in->depth > PGL_JSON_IN_MAX_DEPTH)
		return (refuse(in, in->p, "nested too deep"));
	if (in->p == in->end)
		return (refuse(in, in->p, "premature end of input"));
	switch (*in->p) {
	case '{':
		j = object(in);
		break;
	case '[':
		j = array(in);
		break;
	case '"':
		at = in->p;
		if (string(in, &s, &n, &decoded) == -1)
			j = NULL;
		else if ((j = json_stringn_nocheck(s, n)) == NULL)
			j = refuse(in, at, "out of memory");
		break;
	case '-':
	case '0': case '1': case '2': case '3': case '4':
	case '5': case '6': case '7': case '8': case '9':
		j = number(in);
		break;
	default:
		j = literal(in);
		break;
	}
	if (j != NULL)
		in->depth--;
	return (j);
}

/* Line and column (characters, from 1) of at, for the reason. */
static void
position(const struct in *in, int *line, int *column)
{
	const unsigned char	*q;

	*line = 1;
	*column = 1;
	for (q = in->start; q < in->at && q < in->end; q++) {
		if (*q == '\n') {
			(*line)++;
			*column = 1;
		} else if ((*q & 0xc0) != 0x80) {
			(*column)++;
		}
	}
}

json_t *
pgl_json_in(const void *buf, size_t len, char *why, size_t whylen)
{
	struct in	 in;
	json_t		*j;
	int		 line, column;

	memset(&in, 0, sizeof(in));
	in.start = in.p = buf;
	in.end = in.start + (buf != NULL ? len : 0);
	skip_space(&in);
	if ((j = value(&in)) != NULL) {
		skip_space(&in);
		if (in.p != in.end) {
			json_decref(j);
			j = refuse(&in, in.p, "end of input expected");
		}
	}
	free(in.scratch);
	if (j == NULL && why != NULL && whylen > 0) {
		position(&in, &line, &column);
		(void)snprintf(why, whylen, "line %d, column %d: %s", line,
		    column, in.what != NULL ? in.what : "invalid JSON");
	}
	return (j);
}
