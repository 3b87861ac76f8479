/*
 * Kore 4.1 matches routes by running regexec on each in turn; we route once
 * (kore.conf sends everything here) and compare path segments against
 * templates, which is a handful of strcmp calls per route.
 */
#include <string.h>
#include <strings.h>

#include "http/router.h"

static const struct {
	int		 m;
	const char	*name;
} methods[] = {
	{ PGL_GET, "GET" }, { PGL_POST, "POST" }, { PGL_PUT, "PUT" },
	{ PGL_DELETE, "DELETE" }, { PGL_HEAD, "HEAD" }, { PGL_PATCH, "PATCH" },
	{ PGL_OPTIONS, "OPTIONS" },
};

int
pgl_method_parse(const char *s)
{
	size_t	i;

	for (i = 0; i < sizeof(methods) / sizeof(methods[0]); i++) {
		if (strcasecmp(s, methods[i].name) == 0)
			return (methods[i].m);
	}
	return (0);
}

const char *
pgl_method_name(int m)
{
	size_t	i;

	for (i = 0; i < sizeof(methods) / sizeof(methods[0]); i++) {
		if (methods[i].m == m)
			return (methods[i].name);
	}
	return ("OTHER");
}

static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return (c - '0');
	if (c >= 'a' && c <= 'f')
		return (c - 'a' + 10);
	if (c >= 'A' && c <= 'F')
		return (c - 'A' + 10);
	return (-1);
}

int
pgl_url_decode(char *s)
{
	char	*out = s;
	int	 hi, lo;

	while (*s != '\0') {
		if (*s != '%') {
			*out++ = *s++;
			continue;
		}
		if ((hi = hexval(s[1])) < 0 || (lo = hexval(s[2])) < 0)
			return (-1);
		if (hi == 0 && lo == 0)
			return (-1);
		*out++ = (char)(hi << 4 | lo);
		s += 3;
	}
	*out = '\0';
	return (0);
}

/* Split in place on '/', dropping empty segments (as upstream does). */
static size_t
split(char *path, char *segs[], size_t max)
{
	size_t	 n = 0;
	char	*p = path, *s;

	while ((s = strsep(&p, "/")) != NULL) {
		if (*s == '\0')
			continue;
		if (n == max)
			return (max + 1);
		segs[n++] = s;
	}
	return (n);
}

/* Does template t match the request segments?  Collects {params}. */
static int
template_match(const char *t, char *segs[], size_t nsegs, struct pgl_match *m)
{
	const char	*end;
	size_t		 i = 0, len;

	m->nparams = 0;
	while (*t == '/')
		t++;
	while (*t != '\0') {
		if (i == nsegs)
			return (0);
		end = strchr(t, '/');
		len = end != NULL ? (size_t)(end - t) : strlen(t);
		if (t[0] == '{') {
			if (m->nparams == PGL_MAX_PARAMS)
				return (0);
			m->names[m->nparams] = t + 1;
			m->name_len[m->nparams] = len - 2;
			m->values[m->nparams++] = segs[i];
		} else if (strlen(segs[i]) != len ||
		    strncmp(segs[i], t, len) != 0) {
			return (0);
		}
		i++;
		t += len;
		while (*t == '/')
			t++;
	}
	return (i == nsegs);
}

enum pgl_match_result
pgl_router_match(const struct pgl_route *table, size_t n, int method,
    const char *path, struct pgl_match *m)
{
	char	*segs[PGL_MAX_SEGS + 1];
	size_t	 nsegs, i, p;

	memset(m, 0, sizeof(*m) - sizeof(m->buf));
	if (strlen(path) >= sizeof(m->buf))
		return (PGL_MATCH_BAD_PATH);
	strcpy(m->buf, path);
	if ((nsegs = split(m->buf, segs, PGL_MAX_SEGS)) > PGL_MAX_SEGS)
		return (PGL_MATCH_NOT_FOUND);
	for (i = 0; i < n; i++) {
		if (!template_match(table[i].path, segs, nsegs, m))
			continue;
		m->allowed |= table[i].method;
		if (table[i].method & method) {
			m->route = &table[i];
			break;
		}
	}
	/* HEAD is GET without a body unless a route says otherwise. */
	if (m->route == NULL && method == PGL_HEAD && (m->allowed & PGL_GET))
		return (pgl_router_match(table, n, PGL_GET, path, m));
	if (m->route == NULL) {
		m->nparams = 0;
		return (m->allowed ? PGL_MATCH_BAD_METHOD :
		    PGL_MATCH_NOT_FOUND);
	}
	for (p = 0; p < m->nparams; p++) {
		if (pgl_url_decode(m->values[p]) == -1)
			return (PGL_MATCH_BAD_PATH);
	}
	return (PGL_MATCH_OK);
}

const char *
pgl_match_param(const struct pgl_match *m, const char *name)
{
	size_t	i;

	for (i = 0; i < m->nparams; i++) {
		if (strlen(name) == m->name_len[i] &&
		    strncmp(m->names[i], name, m->name_len[i]) == 0)
			return (m->values[i]);
	}
	return (NULL);
}
