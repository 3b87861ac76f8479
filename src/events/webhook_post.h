/*
 * One webhook delivery: a signed POST of an event's CloudEvents text to a
 * subscriber's URL, held to the rules object storage's endpoints are
 * (storage/endpoint.h): https, or http only for an origin on the
 * operator's allow-list (PANGOLIN_ALLOWED_ENDPOINTS); no loopback,
 * private, link-local or metadata address unless its origin is listed,
 * checked when the URL is given and again for every address connected
 * to (a name may resolve elsewhere later); no redirects; the whole call
 * bounded by a timeout and the answer's body read no further than a
 * few KiB.  Blocking: run it on a dispatcher thread, never on a worker's
 * event loop.
 */
#ifndef PGL_EVENTS_WEBHOOK_POST_H
#define PGL_EVENTS_WEBHOOK_POST_H

#include <stddef.h>
#include <stdint.h>

/* What one attempt sends. */
struct pgl_webhook_post {
	const char		*url;
	char *const		*allowed;	/* allow-list origins */
	size_t			 nallowed;
	int64_t			 timeout_ms;
	const char		*msg_id;	/* webhook-id: the event id */
	const char *const	*secrets;	/* newest first */
	size_t			 nsecrets;
	const char		*body;		/* CloudEvents JSON */
	size_t			 len;
};

/* How it went. */
struct pgl_webhook_result {
	long		status;		/* HTTP status; 0 when none came */
	int64_t		ms;		/* the attempt's time */
	char		error[256];	/* "" when answered 2xx */
};

/* One keep-alive connection, used by one thread at a time. */
struct pgl_webhook_client;

struct pgl_webhook_client	*pgl_webhook_client_new(void);
void				 pgl_webhook_client_free(
				    struct pgl_webhook_client *);

/*
 * POST p through client (NULL: a one-off connection).  0 when the
 * receiver answered 2xx, else -1: result says why (refused address,
 * connect failure, timeout, or the status).
 */
int	pgl_webhook_post(struct pgl_webhook_client *client,
	    const struct pgl_webhook_post *p, struct pgl_webhook_result *res);

/*
 * NULL if url may be subscribed under the allow-list; else why not,
 * written into why: not http(s)://host[:port][/path] without
 * credentials, query or fragment; plain http for an origin not listed;
 * or a host that is loopback, private, metadata (its class) and not
 * listed.  A name is checked as written; its addresses at connect.
 */
const char	*pgl_webhook_url_refused(const char *url, char *const *allowed,
		    size_t nallowed, char *why, size_t whylen);

#endif
