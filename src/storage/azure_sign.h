/*
 * Azure Storage's Shared Key authorization ("Authorize with Shared Key",
 * Blob service version 2009-09-19 and later): the string a request signs
 * and its HMAC-SHA256 under the account key.  Pure code (OpenSSL),
 * unit-tested by vectors and against Azurite.
 */
#ifndef PGL_AZURE_SIGN_H
#define PGL_AZURE_SIGN_H

#include <stddef.h>

struct pgl_azure_header {
	const char	*name;
	const char	*value;
};

struct pgl_azure_signed {
	const char			*method;	/* "PUT" */
	const char			*path;		/* the URI path as sent,
							 * encoded: "/c/b%20x" */
	const char			*query;		/* encoded, or NULL */
	const struct pgl_azure_header	*headers;	/* every header sent */
	size_t				 nheaders;
};

/*
 * The string to sign: the verb, the eleven standard headers (by name,
 * any case; a Content-Length of "0" signed as ""), the x-ms- headers
 * lower-cased and sorted, and the canonicalized resource "/<account>" +
 * path with the query's parameters (names lower-cased, values decoded,
 * sorted).  -1 if it does not fit (or too many parameters or headers).
 */
int	pgl_azure_string_to_sign(const char *account,
	    const struct pgl_azure_signed *, char *out, size_t len);

/* base64(HMAC-SHA256(base64-decoded key, msg)) into out; -1 if the key
 * is not base64 or out is too small (45 bytes are enough). */
int	pgl_azure_hmac(const char *key, const char *msg, size_t n, char *out,
	    size_t len);

/* "SharedKey <account>:<signature>", the Authorization header's value;
 * -1 as above. */
int	pgl_azure_shared_key(const char *account, const char *key,
	    const struct pgl_azure_signed *, char *out, size_t len);

#endif
