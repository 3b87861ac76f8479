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

static void
put(struct pgl_jw *w, const char *s, size_t n)
{
	size_t	 cap;
	char	*nb;

	if (w->oom)
		return;
	if (w->len + n + 1 > w->cap) {
		cap = w->cap ? w->cap : 4096;
		while (cap < w->len + n + 1)
			cap *= 2;
		if ((nb = realloc(w->buf, cap)) == NULL) {
			w->oom = 1;
			return;
		}
		w->buf = nb;
		w->cap = cap;
	}
	memcpy(w->buf + w->len, s, n);
	w->len += n;
	w->buf[w->len] = '\0';
}

void
jw_raw(struct pgl_jw *w, const char *s)
{
	put(w, s, strlen(s));
}

/* RFC 8259 string escaping; input is valid UTF-8 (checked on the way in). */
static void
quoted(struct pgl_jw *w, const char *s)
{
	const char	*run = s;
	char		 esc[8];

	put(w, "\"", 1);
	for (; *s != '\0'; s++) {
		unsigned char	c = (unsigned char)*s;

		if (c >= 0x20 && c != '"' && c != '\\')
			continue;
		put(w, run, (size_t)(s - run));
		if (c == '"' || c == '\\')
			(void)snprintf(esc, sizeof(esc), "\\%c", c);
		else
			(void)snprintf(esc, sizeof(esc), "\\u%04x", c);
		jw_raw(w, esc);
		run = s + 1;
	}
	put(w, run, (size_t)(s - run));
	put(w, "\"", 1);
}

static void
member(struct pgl_jw *w, const char *key)
{
	if (!w->first)
		put(w, ",", 1);
	w->first = 0;
	if (key != NULL) {
		quoted(w, key);
		put(w, ":", 1);
	}
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
		quoted(w, value);
}

void
jw_json(struct pgl_jw *w, const char *key, const char *json,
    const char *fallback)
{
	member(w, key);
	jw_raw(w, json != NULL && *json != '\0' ? json : fallback);
}
