/*
 * One S3 call as the operations (s3_objects.c) make it (s3_call.c):
 * what to send, what came back, and what a failed answer means.  Private
 * to src/storage.
 */
#ifndef PGL_S3_CALL_H
#define PGL_S3_CALL_H

#include <stddef.h>
#include <stdint.h>

#include "pangolin/plugin.h"
#include "storage/s3.h"

#define KEY_MAX		1024		/* S3's own limit on key bytes */
#define ERR_BODY_MAX	(64 * 1024)
#define LIST_BODY_MAX	(16 * 1024 * 1024)

struct body {
	char	*data;
	size_t	 len, max;
	int	 too_big;
};

struct request {
	const char	*method;	/* GET PUT POST DELETE HEAD */
	const char	*key;		/* "" for the bucket */
	const char	*query;		/* sorted, encoded; or NULL */
	const void	*data;
	size_t		 len;
	size_t		 max;		/* response bytes kept */
	const char	*content_md5;	/* base64, or NULL */
	const char	*service;	/* signed for; NULL: "s3" */
	int		 root;		/* the endpoint's "/" (STS) */
};

struct response {
	long		 status;
	struct body	 body;
	uint64_t	 length;	/* Content-Length (HEAD) */
	int64_t		 mtime;		/* Last-Modified, seconds */
	int		 refused;	/* an address we would not connect to */
};

/* RFC 3986 unreserved bytes stay; '/' stays in a path, not in a query. */
void	pgl_s3_encode(char *out, size_t len, const char *in, int keep_slash);
/* The call, admitted by its endpoint's breaker; PGL_OK with r filled
 * (any status), else the store code in err. */
int	pgl_s3_perform(const struct pgl_s3 *, const struct request *,
	    struct response *, struct pgl_err *);
/* The store code for an S3 answer that is not a success (frees r's
 * body). */
int	pgl_s3_failed(const struct pgl_s3 *, const char *key,
	    struct response *, struct pgl_err *);
/* S3's <Code> of an error body into buf, for the message; or NULL. */
const char *pgl_s3_error_code(struct response *, char *buf, size_t len);

#endif
