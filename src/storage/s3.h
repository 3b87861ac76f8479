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
 * counted (requests, connections opened) for /metrics.
 */
#ifndef PGL_S3_H
#define PGL_S3_H

#include <stddef.h>
#include <stdint.h>

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

int	pgl_s3_get(const struct pgl_s3 *, const char *key, size_t max,
	    char **data, size_t *len, struct pgl_err *);
int	pgl_s3_put(const struct pgl_s3 *, const char *key, const void *data,
	    size_t len, struct pgl_err *);
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
};
void	pgl_s3_stats(struct pgl_s3_stats *);

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

/* Close this worker's handles (worker exit). */
void	pgl_s3_shutdown(void);

#endif
