/*
 * What the page's sign-in hands the browser (api/identity/sso.c): the
 * flow's secrets in a cookie between the redirect and the callback, and
 * the one-time code between the callback and the exchange.  Each is a
 * JSON object sealed (util/seal.h, AES-256-GCM) under a key derived from
 * PANGOLIN_JWT_SECRET, with the kind as the authenticated data, so a flow
 * cookie never opens as a code, and with its end "e" (seconds) inside, so
 * nothing is kept on the server to expire it.
 */
#ifndef PGL_AUTH_SSO_SEAL_H
#define PGL_AUTH_SSO_SEAL_H

#include <stdint.h>

#include <jansson.h>

enum pgl_sso_kind {
	PGL_SSO_FLOW,	/* from the redirect to the callback: 600 s */
	PGL_SSO_CODE	/* from the callback to the exchange: 120 s */
};

/* How long a sealed value of kind opens, in seconds. */
int	 pgl_sso_lifetime(enum pgl_sso_kind);

/*
 * j (taken: decref'd) with "e" = now + the kind's lifetime, sealed with
 * the key of secret; malloc'd text, or NULL (no secret, out of memory).
 */
char	*pgl_sso_seal(enum pgl_sso_kind, const char *secret, json_t *j,
	    int64_t now);

/*
 * The object sealed in text as kind with the key of secret, if now is
 * not past its "e"; else NULL (forged, tampered, another kind, expired).
 */
json_t	*pgl_sso_open(enum pgl_sso_kind, const char *secret, const char *text,
	    int64_t now);

#endif
