/*
 * Locations come from API callers and end up as paths the server writes
 * to, so traversal is refused by segment, not by substring.
 */
#include <string.h>

#include "util/location.h"
#include "util/names.h"

static const char *const schemes[] = {
	"file://", "s3://", "s3a://", "gs://", "abfss://"
};

int
pgl_location_is_local(const char *loc)
{
	return (loc[0] == '/' || strncmp(loc, "file://", 7) == 0);
}

const char *
pgl_location_path(const char *loc)
{
	return (strncmp(loc, "file://", 7) == 0 ? loc + 7 : loc);
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

	if (loc[0] == '/')
		return (loc);
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
	if (len > 4096)
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
		return ("location must be an absolute path or use file://, "
		    "s3://, s3a://, gs:// or abfss://");
	if (strncmp(loc, "file://", 7) == 0 && p[0] != '/')
		return ("file:// locations must be absolute");
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
	size_t	n = strlen(parent);

	while (n > 1 && parent[n - 1] == '/')
		n--;
	return (strncmp(child, parent, n) == 0 &&
	    (child[n] == '\0' || child[n] == '/'));
}
