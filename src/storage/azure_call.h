/*
 * One Blob service call as the operations (azure_blobs.c, azure_batch.c)
 * make it (azure_call.c): what to send and what a failed answer means.
 * Private to src/storage.
 *
 * The client's public header, azure.h, has no azure.c: its operations
 * are azure_blobs.c's, azure_batch.c's and azure_sas.c's, and the call
 * is here, so Entra's code (entra.c) may read struct pgl_azure while
 * this file calls it for a token without a circle of includes; it
 * reaches the network through azure_http.h, below both.
 */
#ifndef PGL_AZURE_CALL_H
#define PGL_AZURE_CALL_H

#include <stddef.h>
#include <stdint.h>

#include "pangolin/plugin.h"
#include "storage/azure.h"
#include "storage/azure_http.h"
#include "storage/azure_sign.h"

#define AZ_NAME_MAX	1024		/* Azure's own limit on a blob name */
#define AZ_LIST_MAX	(16 * 1024 * 1024)
#define AZ_AUTH_MAX	8192		/* a Bearer token is a few KB */

struct az_request {
	const char	*method;	/* GET PUT POST DELETE HEAD */
	const char	*blob;		/* NULL: the container itself */
	const char	*query;		/* encoded, or NULL */
	const void	*data;
	size_t		 len;
	size_t		 max;		/* response bytes kept */
	const char	*content_type;	/* a body's; NULL: octet-stream */
	const char	*blob_type;	/* x-ms-blob-type, or NULL */
	const char	*if_none_match;	/* or NULL */
};

/* The message of a failed call, naming the warehouse; returns code. */
int	pgl_azure_err(struct pgl_err *, int code, const struct pgl_azure *,
	    const char *what, const char *detail);
/* The URI path of the container (blob NULL) or of a blob, encoded, as a
 * request sends it: "/devstoreaccount1/c/a%20b" on the emulator, "/c/a%20b"
 * on Azure; -1 if it does not fit. */
int	pgl_azure_path(const struct pgl_azure *, const char *blob, char *out,
	    size_t len);
/* The Authorization header's value for a request with these headers:
 * Shared Key, or the Entra token as Bearer. */
int	pgl_azure_authorize(const struct pgl_azure *,
	    const struct pgl_azure_signed *, char *out, size_t len,
	    struct pgl_err *);
/* "Thu, 26 Nov 2026 19:13:59 GMT", now: x-ms-date. */
void	pgl_azure_date(char out[32]);
/* The call, admitted by its endpoint's breaker; PGL_OK with r filled
 * (any status), else the store code in err. */
int	pgl_azure_perform(const struct pgl_azure *, const struct az_request *,
	    struct az_response *, struct pgl_err *);
/* The store code for an answer that is not a success (frees r's body). */
int	pgl_azure_failed(const struct pgl_azure *, const char *blob,
	    struct az_response *, struct pgl_err *);

#endif
