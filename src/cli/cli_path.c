/*
 * Request paths: an id is one escaped segment (a name may hold '/' or
 * '?'), and query values are escaped too.  Both refuse to truncate: a
 * cut path would address another resource.
 */
#include <stdio.h>
#include <string.h>

#include <curl/curl.h>

#include "cli/cli.h"

/* pre/<id>post, id escaped; -1 when it does not fit. */
int
cli_path(char *buf, size_t len, const char *pre, const char *id,
    const char *post)
{
	char	*e;
	int	 n;

	if ((e = curl_easy_escape(NULL, id, 0)) == NULL)
		return (-1);
	n = snprintf(buf, len, "%s/%s%s", pre, e, post != NULL ? post : "");
	curl_free(e);
	return (n < 0 || (size_t)n >= len ? -1 : 0);
}

/* Appends ?key=value or &key=value; a NULL value appends nothing. */
int
cli_query(char *buf, size_t len, const char *key, const char *val)
{
	size_t	 used = strlen(buf);
	char	*e;
	int	 n;

	if (val == NULL)
		return (0);
	if ((e = curl_easy_escape(NULL, val, 0)) == NULL)
		return (-1);
	n = snprintf(buf + used, len - used, "%c%s=%s",
	    strchr(buf, '?') != NULL ? '&' : '?', key, e);
	curl_free(e);
	return (n < 0 || (size_t)n >= len - used ? -1 : 0);
}
