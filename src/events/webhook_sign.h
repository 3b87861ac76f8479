/*
 * Standard Webhooks 1.0 symmetric signatures (standardwebhooks.com,
 * spec/standard-webhooks.md "Signature scheme" and "Webhook headers"):
 *
 *	secret		"whsec_" + base64 of the key; a new one is 32 random
 *			bytes (the spec asks at least 24)
 *	webhook-id	the event id: the same on every retry, no '.'
 *	webhook-timestamp
 *			the attempt's time, integer seconds since the epoch
 *	webhook-signature
 *			"v1," + base64(HMAC-SHA256(key, id "." timestamp "."
 *			body)), one per secret, space-separated: while a
 *			rotated secret overlaps the old one both sign, so a
 *			receiver holding either verifies
 *
 * The body signed is the body sent, byte for byte (the CloudEvents text of
 * events/cloudevent.h): never re-serialised in between.
 */
#ifndef PGL_EVENTS_WEBHOOK_SIGN_H
#define PGL_EVENTS_WEBHOOK_SIGN_H

#include <stddef.h>
#include <stdint.h>

#define PGL_WEBHOOK_SECRET_PREFIX	"whsec_"
#define PGL_WEBHOOK_KEY_NEW		32	/* bytes of a new secret */
#define PGL_WEBHOOK_KEY_MIN		24	/* the spec's floor */
#define PGL_WEBHOOK_KEY_MAX		64	/* the spec's 512-bit ceiling */
/* "whsec_" + base64 of 32 bytes (44) + NUL. */
#define PGL_WEBHOOK_SECRET_LEN		(6 + 44 + 1)
/* A replay window a receiver allows by default (the libraries' 5 min). */
#define PGL_WEBHOOK_TOLERANCE_SECS	300

/* A new secret into out.  Returns 0, or -1 when the RNG failed. */
int		 pgl_webhook_secret_new(char out[PGL_WEBHOOK_SECRET_LEN]);

/* NULL when secret is well formed ("whsec_" + base64 of 24 to 64
 * bytes), else the reason. */
const char	*pgl_webhook_secret_check(const char *secret);

/*
 * The webhook-signature value of one attempt: one "v1,..." per secret
 * (n of them, the newest first), space-separated, into *header
 * (malloc'd).  msg_id must be non-empty without '.' and timestamp >= 0
 * (the spec: neither may smuggle a '.' into the signed text).  Returns 0,
 * or -1 with *why.
 */
int		 pgl_webhook_sign(const char *const *secrets, size_t n,
		    const char *msg_id, int64_t timestamp, const void *body,
		    size_t len, char **header, const char **why);

/*
 * A receiver's check: 0 when a v1 signature of sig_header (others, "v1a"
 * and the like, are skipped) is secret's over msg_id, timestamp and body,
 * compared in constant time, and timestamp (the header's decimal text)
 * is within tolerance seconds of now either way.  Else -1 with *why.
 */
int		 pgl_webhook_verify(const char *secret, const char *msg_id,
		    const char *timestamp, const char *sig_header,
		    const void *body, size_t len, int64_t now,
		    int64_t tolerance, const char **why);

#endif
