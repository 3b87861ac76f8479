/*
 * Reading S3's and STS's flat XML answers (s3xml.h).
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "storage/s3xml.h"

static const struct {
	const char	*e;
	char		 c;
} entities[] = {
	{ "&amp;", '&' }, { "&lt;", '<' }, { "&gt;", '>' }, { "&quot;", '"' },
	{ "&apos;", '\'' }
};

/* The entity at a, its character in *c and its length; 0 if none. */
static size_t
entity(const char *a, char *c)
{
	size_t	i, n;

	for (i = 0; i < sizeof(entities) / sizeof(entities[0]); i++) {
		n = strlen(entities[i].e);
		if (strncmp(a, entities[i].e, n) == 0) {
			*c = entities[i].c;
			return (n);
		}
	}
	return (0);
}

int
pgl_xml_next(const char **p, const char *tag, char *out, size_t len)
{
	char		 open[64], close[64];
	const char	*a, *b;
	size_t		 o = 0, n;
	char		 c;

	(void)snprintf(open, sizeof(open), "<%s>", tag);
	(void)snprintf(close, sizeof(close), "</%s>", tag);
	if ((a = strstr(*p, open)) == NULL ||
	    (b = strstr(a, close)) == NULL)
		return (0);
	for (a += strlen(open); a < b && o + 1 < len; a++) {
		if (*a == '&' && (n = entity(a, &c)) > 0) {
			out[o++] = c;
			a += n - 1;
			continue;
		}
		out[o++] = *a;
	}
	out[o] = '\0';
	*p = b + strlen(close);
	return (1);
}

int64_t
pgl_iso8601_ms(const char *s)
{
	struct tm	tm;
	const char	*rest;
	int64_t		ms = 0;
	int		i, digits = 1;

	memset(&tm, 0, sizeof(tm));
	if ((rest = strptime(s, "%Y-%m-%dT%H:%M:%S", &tm)) == NULL)
		return (0);
	/* The fraction's first three digits, however many follow. */
	if (rest[0] == '.') {
		for (i = 1; i <= 3; i++) {
			digits = digits && isdigit((unsigned char)rest[i]);
			ms = ms * 10 + (digits ? rest[i] - '0' : 0);
		}
	}
	return ((int64_t)timegm(&tm) * 1000 + ms);
}

int
pgl_xml_code_ok(const char *a, size_t n)
{
	size_t	i;

	if (n == 0 || n > 64)
		return (0);
	for (i = 0; i < n; i++) {
		if (!isalnum((unsigned char)a[i]) && a[i] != '.')
			return (0);
	}
	return (1);
}
