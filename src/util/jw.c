#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/jw.h"

void
jw_init(struct pgl_jw *w)
{
	memset(w, 0, sizeof(*w));
	w->first = 1;
}

void
jw_free(struct pgl_jw *w)
{
	free(w->buf);
	jw_init(w);
}

/* Room for n more bytes and the NUL; 0 after running out of memory. */
void
jw_reset(struct pgl_jw *w)
{
	w->len = 0;
	w->first = 1;
	if (w->buf != NULL)
		w->buf[0] = '\0';
}

static int
reserve(struct pgl_jw *w, size_t n)
{
	size_t	 cap;
	char	*nb;

	if (w->oom)
		return (0);
	if (w->len + n + 1 <= w->cap)
		return (1);
	cap = w->cap ? w->cap : 4096;
	while (cap < w->len + n + 1)
		cap *= 2;
	if ((nb = realloc(w->buf, cap)) == NULL) {
		w->oom = 1;
		return (0);
	}
	w->buf = nb;
	w->cap = cap;
	return (1);
}

static void
put(struct pgl_jw *w, const char *s, size_t n)
{
	if (!reserve(w, n))
		return;
	memcpy(w->buf + w->len, s, n);
	w->len += n;
	w->buf[w->len] = '\0';
}

void
jw_raw(struct pgl_jw *w, const char *s)
{
	put(w, s, strlen(s));
}

/* Bytes RFC 8259 requires escaped: controls, quote, backslash. */
static const unsigned char	needs_escape[256] = {
	[0 ... 0x1f] = 1, ['"'] = 1, ['\\'] = 1,
};

static void
escaped(struct pgl_jw *w, const char *s, const char *end)
{
	static const char	hex[] = "0123456789abcdef";
	const char		*run = s;
	char			 esc[7] = "\\u00";

	for (; s < end; s++) {
		unsigned char	c = (unsigned char)*s;

		if (!needs_escape[c])
			continue;
		put(w, run, (size_t)(s - run));
		if (c == '"' || c == '\\') {
			esc[1] = (char)c;
			put(w, esc, 2);
			esc[1] = 'u';
		} else {
			esc[4] = hex[c >> 4];
			esc[5] = hex[c & 0xf];
			put(w, esc, 6);
		}
		run = s + 1;
	}
	put(w, run, (size_t)(s - run));
}

/*
 * RFC 8259 string escaping; input is valid UTF-8 (checked on the way
 * in).  Names and ids need no escaping: those are copied in one piece,
 * quotes included (the list replies spend their time here).
 */
static void
quoted(struct pgl_jw *w, const char *s, size_t len)
{
	size_t	n = 0;

	while (n < len && !needs_escape[(unsigned char)s[n]])
		n++;
	if (n < len) {
		put(w, "\"", 1);
		escaped(w, s, s + len);
		put(w, "\"", 1);
		return;
	}
	if (!reserve(w, n + 2))
		return;
	w->buf[w->len] = '"';
	memcpy(w->buf + w->len + 1, s, n);
	w->buf[w->len + 1 + n] = '"';
	w->len += n + 2;
	w->buf[w->len] = '\0';
}

static void
member(struct pgl_jw *w, const char *key)
{
	if (!w->first)
		put(w, ",", 1);
	w->first = 0;
	if (key != NULL) {
		quoted(w, key, strlen(key));
		put(w, ":", 1);
	}
}

void
jw_key(struct pgl_jw *w, const char *key)
{
	member(w, key);
}

void
jw_open(struct pgl_jw *w, char brace)
{
	put(w, &brace, 1);
	w->first = 1;
}

void
jw_close(struct pgl_jw *w, char brace)
{
	put(w, &brace, 1);
	w->first = 0;
}

void
jw_next(struct pgl_jw *w)
{
	member(w, NULL);
	w->first = 1;
}

void
jw_str(struct pgl_jw *w, const char *key, const char *value)
{
	member(w, key);
	if (value == NULL)
		jw_raw(w, "null");
	else
		quoted(w, value, strlen(value));
}

void
jw_strn(struct pgl_jw *w, const char *key, const char *value, size_t len)
{
	member(w, key);
	quoted(w, value, len);
}

void
jw_json(struct pgl_jw *w, const char *key, const char *json,
    const char *fallback)
{
	member(w, key);
	jw_raw(w, json != NULL && *json != '\0' ? json : fallback);
}
