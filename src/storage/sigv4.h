/*
 * AWS Signature Version 4 for a request the catalog does not send itself:
 * remote signing (the Iceberg REST /sign route) signs a client's S3
 * request with the warehouse's keys, which never leave the server, and
 * presign (the /presign route) a URL that reads one object for a while.  Pure
 * code (OpenSSL HMAC-SHA256), unit-tested against AWS's own example.
 */
#ifndef PGL_SIGV4_H
#define PGL_SIGV4_H

#include <stddef.h>
#include <stdint.h>

struct pgl_sigv4_header {
	const char	*name;
	const char	*value;
};

struct pgl_sigv4_request {
	const char			*method;	/* "GET" */
	const char			*host;		/* "bucket.s3.amazonaws.com" */
	const char			*path;		/* encoded, "/key" */
	const char			*query;		/* encoded, or "" */
	const struct pgl_sigv4_header	*headers;	/* signed as given */
	size_t				 nheaders;
	const char			*payload_hash;	/* hex, or UNSIGNED-PAYLOAD */
};

struct pgl_sigv4_key {
	const char	*access_key;
	const char	*secret_key;
	const char	*region;
	const char	*service;	/* "s3" */
};

/*
 * The Authorization header value for the request at time amz_date
 * ("20130524T000000Z").  The request's headers must already hold every
 * header that is to be signed, x-amz-date and x-amz-content-sha256
 * included; host is signed from req->host.  out gets at most len bytes.
 * Returns 0, or -1 when something does not fit.
 */
int	pgl_sigv4_authorization(const struct pgl_sigv4_request *,
	    const struct pgl_sigv4_key *, const char *amz_date, char *out,
	    size_t len);

/*
 * A presigned request (query-string authentication): the query to append
 * to the request's URL, X-Amz-Signature last, valid for expires seconds
 * (1 to 604800, S3's limit) from amz_date.  The request carries no
 * headers of its own and its query is ignored; only host is signed and
 * the payload is UNSIGNED-PAYLOAD.  session_token may be NULL.  Returns
 * 0, or -1 when something does not fit.
 */
int	pgl_sigv4_presign(const struct pgl_sigv4_request *,
	    const struct pgl_sigv4_key *, const char *amz_date, int expires,
	    const char *session_token, char *out, size_t len);

#endif
