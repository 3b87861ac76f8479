/*
 * One HTTPS exchange with an Azure service (azure_http.c), on the S3
 * client's machinery (s3_client.h): a kept handle per (origin, "azure",
 * key), the origin's breaker and in-flight cap, the timeouts, the
 * connect-time address check, no redirect, no proxy from the
 * environment, a bounded answer.  It knows nothing of authorization:
 * the Blob calls (azure_call.c) sign their headers before, Entra's token
 * request (entra.h) sends a form.  Below both, so neither calls the
 * other to reach the network.  Private to src/storage.
 */
#ifndef PGL_AZURE_HTTP_H
#define PGL_AZURE_HTTP_H

#include <stddef.h>
#include <stdint.h>

#include "pangolin/plugin.h"

struct az_body {
	char	*data;		/* NUL-ended, malloc'd; NULL when empty */
	size_t	 len, max;
	int	 too_big;
};

struct az_http {
	const char		*service;	/* "Azure", "Entra": messages */
	const char		*name;		/* the warehouse: messages */
	const char		*method;	/* GET PUT POST DELETE HEAD */
	const char		*url;		/* absolute */
	const char		*key;		/* the kept handle's: the account */
	int			 configured;	/* the URL's origin is the
						 * warehouse's own setting, which
						 * the operator may have allowed
						 * a private address; else (Azure's
						 * own hosts) never */
	const char *const	*headers;	/* "Name: value" lines */
	size_t			 nheaders;
	const void		*data;		/* PUT and POST */
	size_t			 len;
	size_t			 max;		/* answer bytes kept */
};

struct az_response {
	long		 status;
	struct az_body	 body;
	uint64_t	 length;	/* Content-Length (HEAD) */
	int64_t		 mtime;		/* Last-Modified, seconds */
	char		 code[72];	/* x-ms-error-code, if it looks like one */
	int		 refused;	/* an address we would not connect to */
};

/* The message of a failed call naming the warehouse; returns code. */
int	pgl_azure_http_err(struct pgl_err *, int code, const char *name,
	    const char *what, const char *detail);
/*
 * The exchange, admitted by its origin's breaker: PGL_OK with r filled
 * (any status; r's body the caller's to free), else PGL_EUNAVAIL (no
 * answer, refused address, breaker open or busy) or PGL_EINVAL (a URL
 * that is not one) in err.
 */
int	pgl_azure_http(const struct az_http *, struct az_response *,
	    struct pgl_err *);

#endif
