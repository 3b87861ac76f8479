/*
 * TEMPORARY (branch i43-wapi): pgl_webhook_url_refused (webhook_post.h)
 * for the management routes, until the dispatcher's webhook_post.c
 * (branch i43-wdel) lands with its own; the integrator keeps one of the
 * two.  The rules are object storage's (storage/endpoint.h), applied to
 * a URL that may carry a path: https, or http for a listed origin; no
 * credentials, query or fragment; a host of a forbidden class (loopback,
 * private, link-local, metadata) only when its origin is listed.  A name
 * is judged as written; its addresses are the dispatcher's to check at
 * connect.
 */
#include <stdio.h>
#include <string.h>

#include "events/webhook_post.h"
#include "storage/endpoint.h"
#include "util/str.h"

#define URL_MAX		2048

static const char *
refuse(char *why, size_t whylen, const char *msg)
{
	(void)pgl_strlcpy(why, msg, whylen);
	return (why);
}

const char *
pgl_webhook_url_refused(const char *url, char *const *allowed,
    size_t nallowed, char *why, size_t whylen)
{
	struct pgl_origin	 o;
	char			 origin[URL_MAX + 1];
	const char		*host, *path, *cls;
	size_t			 len;
	int			 listed;

	if (url == NULL || *url == '\0')
		return (refuse(why, whylen, "missing"));
	if ((len = strlen(url)) > URL_MAX)
		return (refuse(why, whylen, "longer than 2048 bytes"));
	if (strncmp(url, "https://", 8) == 0)
		host = url + 8;
	else if (strncmp(url, "http://", 7) == 0)
		host = url + 7;
	else
		return (refuse(why, whylen, "not an http(s) URL"));
	if (strpbrk(url, "?#") != NULL)
		return (refuse(why, whylen, "a query or fragment is not "
		    "allowed"));
	if (strpbrk(url, " \t\r\n\"<>\\^`{|}") != NULL)
		return (refuse(why, whylen, "characters not allowed in a URL"));
	path = strchr(host, '/');
	if (memchr(host, '@', path != NULL ? (size_t)(path - host) :
	    strlen(host)) != NULL)
		return (refuse(why, whylen, "credentials in the URL are not "
		    "allowed"));
	/* The origin alone: scheme://host[:port]. */
	len = path != NULL ? (size_t)(path - url) : len;
	memcpy(origin, url, len);
	origin[len] = '\0';
	if (pgl_origin_parse(origin, &o) == -1)
		return (refuse(why, whylen, "not http(s)://host[:port][/path]"));
	listed = pgl_origin_listed(origin, allowed, nallowed);
	if (strcmp(o.scheme, "http") == 0 && !listed)
		return (refuse(why, whylen, "plain http is allowed only for an "
		    "origin in PANGOLIN_ALLOWED_ENDPOINTS; use https"));
	if ((cls = pgl_host_class(o.host)) != NULL && !listed) {
		(void)snprintf(why, whylen, "the host is a %s address, refused "
		    "unless its origin is in PANGOLIN_ALLOWED_ENDPOINTS", cls);
		return (why);
	}
	return (NULL);
}
