/*
 * An S3 client for the files a catalog owns: GET, PUT, DELETE, HEAD and
 * ListObjectsV2, signed with AWS Signature Version 4 by libcurl
 * (CURLOPT_AWS_SIGV4).  libcurl signs what it sends but does not add the
 * payload hash header, sort query parameters or encode '/' in them, so
 * this file does (INFRA.md): every request carries x-amz-content-sha256
 * of its body, and query strings are built sorted and encoded.
 *
 * Each worker keeps one curl handle per (endpoint, region, access key),
 * so requests to one store reuse a kept-alive connection; the handles are
 * counted (requests, connections opened) for /metrics.  Safe to call from
 * the write pool's threads: the handle cache, the counts and the
 * breakers are kept under one lock, a handle is used by one call at once.
 *
 * Every call has a connect timeout and a total timeout, and each endpoint
 * (scheme, host, port) a circuit breaker and a cap on calls under way
 * (breaker.h): refused calls fail at once with PGL_EUNAVAIL whose message
 * names the warehouse and says "retry after N s" (pgl_s3_retry_after).
 */
#ifndef PGL_S3_H
#define PGL_S3_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "pangolin/plugin.h"

struct pgl_file_info;

/* Where and as whom: a warehouse's storage_config, resolved. */
struct pgl_s3 {
	const char	*endpoint;	/* "http://127.0.0.1:9000"; NULL: AWS */
	const char	*region;	/* "us-east-1" */
	const char	*bucket;
	const char	*access_key;
	const char	*secret_key;
	const char	*session_token;	/* or NULL */
	int		 path_style;	/* endpoint/bucket/key */
	const char	*name;		/* the warehouse, for messages */
	unsigned	 max_keys;	/* list page size; 0: S3's 1,000 */
};

/* "s3://bucket/key" (or s3a://): the key (after the bucket's slash) and
 * the bucket into buf; -1 if it is not such a location. */
int	pgl_s3_split(const char *location, char *bucket, size_t len,
	    const char **key);

/*
 * A presigned GET URL of the object key (not empty) into out, valid for
 * expires seconds (1 to 604800) from now; -1 when it does not fit.
 */
int	pgl_s3_presign_get(const struct pgl_s3 *, const char *key,
	    int expires, time_t now, char *out, size_t len);

int	pgl_s3_get(const struct pgl_s3 *, const char *key, size_t max,
	    char **data, size_t *len, struct pgl_err *);
int	pgl_s3_put(const struct pgl_s3 *, const char *key, const void *data,
	    size_t len, struct pgl_err *);
/*
 * A form POSTed to the endpoint's root and signed for service, as STS's
 * AssumeRole is: the answer's status and body (malloc'd, NUL-ended, the
 * caller's; NULL when empty; at most max bytes).  The same timeouts,
 * breaker and address checks as an S3 call; PGL_OK whatever the status.
 */
int	pgl_s3_post_form(const struct pgl_s3 *, const char *service,
	    const char *form, size_t max, long *status, char **body,
	    size_t *len, struct pgl_err *);
/* Create the bucket (tests and first use); one that exists is fine. */
int	pgl_s3_create_bucket(const struct pgl_s3 *, struct pgl_err *);
/* A missing object is not an error (S3 answers 204 either way). */
int	pgl_s3_delete(const struct pgl_s3 *, const char *key,
	    struct pgl_err *);
/*
 * Delete many objects, 1,000 a request (S3's multi-object delete, quiet
 * mode); missing ones are not an error.  An object S3 reports it could
 * not delete is PGL_EUNAVAIL naming it.
 */
int	pgl_s3_delete_keys(const struct pgl_s3 *, const char *const *keys,
	    size_t n, struct pgl_err *);
int	pgl_s3_head(const struct pgl_s3 *, const char *key,
	    struct pgl_file_info *, struct pgl_err *);
/* Every object under prefix, in key order, through every page. */
typedef int	(*pgl_s3_list_fn)(void *arg, const char *key, uint64_t size,
		    int64_t mtime_ms);
int	pgl_s3_list(const struct pgl_s3 *, const char *prefix,
	    pgl_s3_list_fn fn, void *arg, struct pgl_err *);

struct pgl_s3_stats {
	uint64_t	requests;
	uint64_t	connections;	/* opened */
	uint64_t	clients;	/* handles kept */
	uint64_t	trips;		/* breakers opened */
	uint64_t	refused;	/* calls failed fast: open or busy */
};
void	pgl_s3_stats(struct pgl_s3_stats *);

/* [storage] s3_*: set once, before fork. */
struct pgl_s3_limits {
	int	connect_timeout_ms;
	int	timeout_ms;		/* total, per call */
	int	breaker_failures;	/* consecutive; 0: never opens */
	int	breaker_cooldown_secs;
	int	max_inflight;		/* per endpoint; 0: no cap */
	int	max_queued;		/* jobs waiting past it (obj_job.c) */
};
void	pgl_s3_set_limits(const struct pgl_s3_limits *);
const struct pgl_s3_limits	*pgl_s3_limits(void);
/* The endpoint's origin (scheme, host and port): a breaker's key. */
void	pgl_s3_origin(const struct pgl_s3 *, char *out, size_t len);

/*
 * Whether a call to s's endpoint would be refused now (its breaker is
 * open): PGL_OK, or the refusal in err.  Takes nothing: a call made
 * after still asks for itself.  A full in-flight cap is not a refusal
 * here: a pool job waits for a slot (obj_job.c).
 */
int	pgl_s3_check(const struct pgl_s3 *, struct pgl_err *);
/* The seconds a refusal says to wait ("retry after N s"), or 0. */
int	pgl_s3_retry_after(const struct pgl_err *);

/* 0: every request opens its own connection and closes it after
 * (OBJECT_STORE_CACHE_ENABLED=false); 1 (default): handles are kept. */
void	pgl_s3_keep_clients(int);

/*
 * The origins ([storage] allowed_endpoints) whose addresses may be
 * loopback, private, link-local or a metadata service; any other endpoint
 * (and AWS) is never connected to at such an address (endpoint.h).  The
 * list is kept, not copied: set once before fork from the config.
 */
void	pgl_s3_allow_endpoints(char *const *origins, size_t n);

/*
 * [storage] ca_file: the PEM bundle every object-store, STS and Entra
 * call trusts instead of the system's (CURLOPT_CAINFO, no CA path); NULL
 * (the default): the system's.  Kept, not copied: set once before fork.
 */
void		 pgl_s3_set_ca_file(const char *);
const char	*pgl_s3_ca_file(void);

/* Close this worker's handles (worker exit). */
void	pgl_s3_shutdown(void);

#endif
