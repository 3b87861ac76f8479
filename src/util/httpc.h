/*
 * A small outbound HTTP client for calls the catalog makes to services an
 * operator configured (an identity provider's discovery document, keys
 * and token endpoint).  Blocking: run it on a write-pool thread, never on
 * a worker's event loop.  Every call is bounded: a connect timeout, a
 * total timeout, a cap on the body, no redirects, http and https only.
 */
#ifndef PGL_UTIL_HTTPC_H
#define PGL_UTIL_HTTPC_H

#include <stddef.h>

#define PGL_HTTPC_CONNECT_MS	2000
#define PGL_HTTPC_TOTAL_MS	5000

struct pgl_httpc_reply {
	long	 status;	/* HTTP status; 0 if none came */
	char	*body;		/* malloc'd, NUL terminated */
	size_t	 len;
};

/* Once per process, before any thread calls. */
int	pgl_httpc_init(void);

/*
 * GET url, or POST form (application/x-www-form-urlencoded) when form is
 * not NULL, with HTTP Basic user:password when user is not NULL.  0 with
 * out filled (any status), or -1 with why (transport failure, timeout,
 * body over max).
 */
int	pgl_httpc_call(const char *url, const char *form, const char *user,
	    const char *password, size_t max, struct pgl_httpc_reply *out,
	    char *why, size_t whylen);
void	pgl_httpc_reply_free(struct pgl_httpc_reply *);

/* s, application/x-www-form-urlencoded-escaped, malloc'd (NULL: ENOMEM). */
char	*pgl_httpc_escape(const char *s);

#endif
