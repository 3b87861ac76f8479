/*
 * Checks a warehouse's S3 settings and its STS settings share
 * (warehouses.c, warehouse_sts.c): a file of their own, so neither of
 * those two calls the other back.
 */
#include <stdio.h>
#include <string.h>

#include "api/manage/manage.h"
#include "app/app.h"
#include "storage/endpoint.h"

/* Visible ASCII without spaces, 1 to max bytes (keys, ids, regions). */
int
api_warehouse_word_ok(const char *v, size_t max)
{
	size_t	n = strlen(v);

	if (n == 0 || n > max)
		return (0);
	for (; *v != '\0'; v++) {
		if ((unsigned char)*v <= 0x20 || (unsigned char)*v >= 0x7f)
			return (0);
	}
	return (1);
}

/*
 * An endpoint whose host, as written, is loopback, private, link-local or
 * a metadata service, unless the operator listed its origin; field names
 * the storage_config key in the message.  Names are not resolved here
 * (no DNS on the event loop): the S3 client checks every address it
 * connects to (s3.c).
 */
const char *
api_warehouse_endpoint_refused(const char *field, const char *ep)
{
	static char			 msg[256];
	const struct pgl_strlist	*l = &pgl_app.cfg->storage.allowed_endpoints;
	const char			*why;

	if ((why = pgl_endpoint_check(ep, l->v, l->n)) == NULL)
		return (NULL);
	if (strcmp(why, "not an origin") == 0)
		(void)snprintf(msg, sizeof(msg), "storage_config %s must be an "
		    "http:// or https:// URL with no path (http://host:port)",
		    field);
	else
		(void)snprintf(msg, sizeof(msg), "storage_config %s is a %s "
		    "address; the operator must list its origin in [storage] "
		    "allowed_endpoints (PANGOLIN_ALLOWED_ENDPOINTS)", field,
		    why);
	return (msg);
}

/* A prefix: path segments, none empty, "." or "..", no control bytes or
 * '\\', nor any byte of extra (Azure adds "?#": they end a URL's path). */
int
api_warehouse_prefix_ok(const char *p, const char *extra)
{
	const char	*seg;
	size_t		 n;

	for (seg = p; *seg != '\0'; seg += n + (seg[n] == '/')) {
		n = strcspn(seg, "/");
		if (n == 0 || (n == 1 && seg[0] == '.') ||
		    (n == 2 && seg[0] == '.' && seg[1] == '.'))
			return (0);
	}
	for (; *p != '\0'; p++) {
		if ((unsigned char)*p < 0x20 || *p == 0x7f || *p == '\\' ||
		    strchr(extra, *p) != NULL)
			return (0);
	}
	return (1);
}
