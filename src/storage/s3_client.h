/*
 * The S3 client's shared state (s3.c) as a call (s3_call.c) uses it: a
 * handle, the endpoint's breaker, the settings.  Private to src/storage;
 * the lock never leaves s3.c.  (Not s3.h, the client's public header,
 * which this does not include: s3.c includes this.)
 */
#ifndef PGL_S3_CLIENT_H
#define PGL_S3_CLIENT_H

#include <curl/curl.h>

#include "pangolin/plugin.h"
#include "storage/breaker.h"

struct pgl_s3;
struct s3_client;
struct s3_endpoint;

/* The message of a failed call, naming the warehouse; returns code. */
int	pgl_s3_err(struct pgl_err *, int code, const struct pgl_s3 *,
	    const char *fmt, const char *detail);

/*
 * A handle for one call: the kept one of its id if idle, a new kept
 * one, or (all taken) one for this call alone (*kept NULL); NULL if
 * none.  Given back with the call's counts (counted: it is an S3 call,
 * not STS's) once the call is over.
 */
CURL	*pgl_s3_client_take(const struct pgl_s3 *, struct s3_client **kept);
void	 pgl_s3_client_give(CURL *, struct s3_client *kept, int counted,
	    long conns);
/* The endpoint's origin is in [storage] allowed_endpoints. */
int	 pgl_s3_listed(const struct pgl_s3 *);
/* Connections are kept alive between calls ([defaults]
 * object_store_cache). */
int	 pgl_s3_keeps_clients(void);

/*
 * Whether a call to s's endpoint may start (then pgl_s3_call_end), or a
 * copy's answer only (check: takes no probe and no slot).  *ep NULL: the
 * endpoint table is full of busy ones, the call goes unguarded.
 */
int	pgl_s3_call_begin(const struct pgl_s3 *, int check,
	    struct s3_endpoint **ep, enum pgl_breaker_admit *how,
	    struct pgl_err *);
void	pgl_s3_call_end(struct s3_endpoint *, enum pgl_breaker_admit how,
	    int failed);

#endif
