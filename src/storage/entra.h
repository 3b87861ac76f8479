/*
 * Microsoft Entra ID service principals for Azure warehouses without an
 * account key (issue 44): an OAuth 2.0 client-credentials token for Azure
 * Storage, which the Blob client (azure.c) sends as "Authorization: Bearer",
 * and the user-delegation SAS a client is vended in place of a service SAS
 * (azure_sas.c).
 *
 * The token comes from <authority>/<tenant>/oauth2/v2.0/token (the
 * authority is https://login.microsoftonline.com unless the warehouse names
 * another: a sovereign cloud, or a test's server), scope
 * https://storage.azure.com/.default.  The user delegation key from the
 * Blob service's Get User Delegation Key, made with that token.  Both are
 * kept by this process (under a lock: write-pool threads call in) per the
 * principal they were issued to, the token until five minutes before it
 * expires (half its life if that is shorter), the key until half its life.
 *
 * The calls block: made on a write-pool thread, never on a worker's event
 * loop.  They run with the S3 client's timeouts, breaker per origin and
 * connect-time address check: an authority whose address is loopback or
 * private is refused unless its origin is in [storage] allowed_endpoints.
 * Messages name the warehouse and Entra's or Azure's error code, never a
 * secret.
 */
#ifndef PGL_ENTRA_H
#define PGL_ENTRA_H

#include <stddef.h>
#include <stdint.h>

#include "pangolin/plugin.h"

struct pgl_azure;
struct pgl_azure_sas_req;

#define PGL_ENTRA_AUTHORITY	"https://login.microsoftonline.com"
#define PGL_ENTRA_TOKEN_MAX	8192	/* an access token is 1 to 4 KB */

/*
 * A token for https://storage.azure.com/.default into out (NUL-ended);
 * PGL_OK, or PGL_EINVAL (settings missing or malformed, out too small),
 * PGL_EUNAVAIL (Entra not reached, refused the request, or answered no
 * token): "warehouse 'w': Entra refused the token request: invalid_client
 * (HTTP 401)".
 */
int	pgl_entra_token(const struct pgl_azure *, char *out, size_t len,
	    struct pgl_err *);

/*
 * A user-delegation SAS query string (no '?') for r into out: sr=c, or
 * sr=d with sdd on an account with a hierarchical namespace.  Signed for
 * sv=PGL_AZURE_SAS_VERSION with the warehouse's user delegation key (Get
 * User Delegation Key, made with its token); errors as above.
 */
int	pgl_entra_user_delegation_sas(const struct pgl_azure *,
	    const struct pgl_azure_sas_req *, char *out, size_t len,
	    struct pgl_err *);

/* A user delegation key, as Get User Delegation Key answers it. */
struct pgl_entra_udk {
	char	oid[64];	/* SignedOid: skoid */
	char	tid[64];	/* SignedTid: sktid */
	char	start[32];	/* SignedStart: skt, "2026-11-26T19:00:00Z" */
	char	expiry[32];	/* SignedExpiry: ske */
	char	service[8];	/* SignedService: sks, "b" */
	char	version[16];	/* SignedVersion: skv */
	char	value[128];	/* Value: the base64 signing key */
	int64_t	expires_ms;	/* expiry, since the epoch */
};

/* The answer's key; -1 if a field is missing, empty or too long. */
int	pgl_entra_udk_parse(const char *xml, struct pgl_entra_udk *);

/*
 * The string a user-delegation SAS signs ("Create a user delegation SAS",
 * version 2020-12-06 and later): twenty-four fields, '\n' between them.
 * -1 if r is not a request this server makes (a directory that is empty
 * or starts or ends with '/') or it does not fit.  For tests.
 */
int	pgl_entra_sas_string(const struct pgl_azure *,
	    const struct pgl_azure_sas_req *, const struct pgl_entra_udk *,
	    char *out, size_t len);

/* The SAS query string signed with k; -1 as above, or a key that is not
 * base64.  Pure code: the clock and the key are the caller's. */
int	pgl_entra_sas_sign(const struct pgl_azure *,
	    const struct pgl_azure_sas_req *, const struct pgl_entra_udk *,
	    char *out, size_t len);

/* Forget every token and key kept (tests; a worker's exit). */
void	pgl_entra_forget(void);

/*
 * Private to src/storage (entra.c for entra_sas.c): what is kept, by a
 * key that names the principal (pgl_entra_principal: -1 if its settings
 * are missing or malformed), until a refresh time; the wall clock in ms.
 */
int	pgl_entra_principal(const struct pgl_azure *, char *out, size_t len);
int	pgl_entra_kept_get(const char *key, void *out, size_t len,
	    int64_t now_ms);
void	pgl_entra_kept_put(const char *key, const void *value, size_t len,
	    int64_t refresh_ms, int64_t now_ms);
int64_t	pgl_entra_now_ms(void);

#endif
