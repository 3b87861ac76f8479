/*
 * Locations come from API callers and end up as paths the server writes
 * to, so traversal is refused by segment, not by substring.
 */
#include <ctype.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util/location.h"
#include "util/names.h"

static const char *const schemes[] = {
	"file://", "s3://", "s3a://", "gs://", "abfss://", "abfs://",
	"wasbs://", "wasb://"
};

/*
 * Local locations are spelled three ways by clients: a bare path, the
 * RFC 8089 URI "file:///a" (what this server writes) and Hadoop's
 * "file:/a" (what Iceberg Java writes).  All name the same file.
 */
int
pgl_location_is_local(const char *loc)
{
	return (loc[0] == '/' || strncmp(loc, "file:/", 6) == 0);
}

const char *
pgl_location_path(const char *loc)
{
	if (strncmp(loc, "file://", 7) == 0)
		return (loc + 7);
	if (strncmp(loc, "file:/", 6) == 0)
		return (loc + 5);
	return (loc);
}

/*
 * The path is kept raw, not percent-decoded: Iceberg Java (Hadoop's
 * Path) and PyIceberg (urlparse) both take the bytes after "file://" as
 * the file name, so the server must too or the files would differ.
 */
char *
pgl_location_to_uri(const char *loc)
{
	size_t	 n;
	char	*out;

	if (!pgl_location_is_local(loc))
		return (strdup(loc));
	loc = pgl_location_path(loc);
	n = strlen(loc);
	if ((out = malloc(n + 8)) == NULL)
		return (NULL);
	memcpy(out, "file://", 7);
	memcpy(out + 7, loc, n + 1);
	return (out);
}

/*
 * Azure names one blob four ways: abfss:// and abfs:// through the DFS
 * host (<container>@<account>.dfs.<suffix>), wasbs:// and wasb://
 * through the Blob host (...@<account>.blob.<suffix>).  The server
 * writes abfss://; the others are read as that place, so a client
 * cannot reach past a check by spelling a location another way.
 */
static int
azure_scheme(const char *loc, size_t *n)
{
	static const char *const az[] = { "abfss://", "abfs://", "wasbs://",
	    "wasb://" };
	size_t	i;

	for (i = 0; i < sizeof(az) / sizeof(az[0]); i++) {
		*n = strlen(az[i]);
		if (strncmp(loc, az[i], *n) == 0)
			return (1);
	}
	return (0);
}

const char *
pgl_location_canon(const char *loc, char *buf, size_t n)
{
	const char	*auth, *end, *host;
	size_t		 skip, alen, w;

	if (!azure_scheme(loc, &skip))
		return (loc);
	auth = loc + skip;
	end = auth + strcspn(auth, "/");
	alen = (size_t)(end - auth);
	if ((host = memchr(auth, '@', alen)) == NULL ||
	    8 + alen + strlen(end) + 1 > n)
		return (loc);
	host = strchr(host, '.');
	w = (size_t)snprintf(buf, n, "abfss://%.*s", (int)(host != NULL &&
	    host < end ? host - auth : (ptrdiff_t)alen), auth);
	if (host != NULL && host < end) {
		if ((size_t)(end - host) > 6 && strncasecmp(host, ".blob.",
		    6) == 0) {
			w += (size_t)snprintf(buf + w, n - w, ".dfs.");
			host += 6;
		}
		w += (size_t)snprintf(buf + w, n - w, "%.*s", (int)(end -
		    host), host);
	}
	/* Host names are not case-sensitive; paths are. */
	for (skip = 8; skip < w; skip++)
		buf[skip] = (char)tolower((unsigned char)buf[skip]);
	(void)snprintf(buf + w, n - w, "%s", end);
	return (buf);
}

int
pgl_location_same(const char *a, const char *b)
{
	char	ab[PGL_LOCATION_MAX + 16], bb[PGL_LOCATION_MAX + 16];

	if (pgl_location_is_local(a) && pgl_location_is_local(b))
		return (strcmp(pgl_location_path(a),
		    pgl_location_path(b)) == 0);
	return (strcmp(pgl_location_canon(a, ab, sizeof(ab)),
	    pgl_location_canon(b, bb, sizeof(bb))) == 0);
}

/* RFC 3986 pchar without '%': unreserved, sub-delims, ':' and '@'. */
static int
pchar(unsigned char c)
{
	return ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || strchr("-._~!$&'()*+,;=:@", c) != NULL);
}

size_t
pgl_location_escape(const char *name, char *buf, size_t n)
{
	static const char	 hex[] = "0123456789ABCDEF";
	const unsigned char	*s = (const unsigned char *)name;
	size_t			 need = 0, w = 0, k;
	int			 full = 0;

	for (; *s != '\0'; s++) {
		k = pchar(*s) ? 1 : 3;
		need += k;
		if (full || w + k >= n) {
			full = 1;
			continue;
		}
		if (k == 1) {
			buf[w++] = (char)*s;
			continue;
		}
		buf[w++] = '%';
		buf[w++] = hex[*s >> 4];
		buf[w++] = hex[*s & 0xf];
	}
	if (n > 0)
		buf[w] = '\0';
	return (need);
}

void
pgl_location_scheme(const char *loc, char *buf, size_t n)
{
	const char	*end = strstr(loc, "://");
	size_t		 len = end != NULL && loc[0] != '/' ?
			     (size_t)(end - loc) : 0;

	if (n == 0)
		return;
	if (len >= n)
		len = n - 1;
	memcpy(buf, loc, len);
	buf[len] = '\0';
}

static const char *
after_scheme(const char *loc)
{
	size_t	i, n;

	if (pgl_location_is_local(loc))
		return (pgl_location_path(loc));
	for (i = 0; i < sizeof(schemes) / sizeof(schemes[0]); i++) {
		n = strlen(schemes[i]);
		if (strncmp(loc, schemes[i], n) == 0)
			return (loc + n);
	}
	return (NULL);
}

const char *
pgl_location_check(const char *loc)
{
	const char	*p, *seg, *end;
	size_t		 len = strlen(loc), i;

	if (len == 0)
		return ("location must not be empty");
	if (len > PGL_LOCATION_MAX)
		return ("location is longer than 4096 bytes");
	if (!pgl_utf8_valid(loc, len))
		return ("location is not valid UTF-8");
	for (i = 0; i < len; i++) {
		if ((unsigned char)loc[i] < 0x20 || loc[i] == 0x7f ||
		    loc[i] == '\\')
			return ("location must not contain control "
			    "characters or '\\'");
	}
	if ((p = after_scheme(loc)) == NULL)
		return ("location must be an absolute path or use file:///, "
		    "s3://, s3a://, gs://, abfss:// or wasbs://");
	if (pgl_location_is_local(loc) && p[0] != '/')
		return ("file:// locations must be absolute and name no host "
		    "(file:///path)");
	if (*p == '\0' || strcmp(p, "/") == 0)
		return ("location has no path");
	for (seg = p; *seg != '\0'; seg = *end ? end + 1 : end) {
		end = strchr(seg, '/');
		if (end == NULL)
			end = seg + strlen(seg);
		if ((end - seg == 1 && seg[0] == '.') ||
		    (end - seg == 2 && seg[0] == '.' && seg[1] == '.'))
			return ("location must not contain '.' or '..' "
			    "segments");
	}
	return (NULL);
}

int
pgl_location_within(const char *child, const char *parent)
{
	char	cb[PGL_LOCATION_MAX + 16], pb[PGL_LOCATION_MAX + 16];
	size_t	n;

	if (pgl_location_is_local(child) && pgl_location_is_local(parent)) {
		child = pgl_location_path(child);
		parent = pgl_location_path(parent);
	}
	child = pgl_location_canon(child, cb, sizeof(cb));
	parent = pgl_location_canon(parent, pb, sizeof(pb));
	n = strlen(parent);

	while (n > 1 && parent[n - 1] == '/')
		n--;
	return (strncmp(child, parent, n) == 0 &&
	    (child[n] == '\0' || child[n] == '/'));
}

int
pgl_location_key(const char *loc, char *out, size_t n)
{
	char		 buf[PGL_LOCATION_MAX + 16];
	const char	*p, *scheme = "";
	size_t		 len;
	int		 w;

	if (pgl_location_is_local(loc)) {
		scheme = "file://";
		p = pgl_location_path(loc);
	} else if (strncmp(loc, "s3a://", 6) == 0) {
		scheme = "s3://";
		p = loc + 6;
	} else
		p = pgl_location_canon(loc, buf, sizeof(buf));
	len = strlen(p);
	while (len > 0 && p[len - 1] == '/')
		len--;
	w = snprintf(out, n, "%s%.*s/", scheme, (int)len, p);
	return (w < 0 || (size_t)w >= n ? -1 : w);
}
