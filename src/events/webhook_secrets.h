/*
 * A webhook subscription's signing secrets as the store keeps them
 * (struct pgl_webhook.secrets, text the store never reads): the current
 * secret, and after a rotation the one before it until its overlap ends,
 * so that a receiver that has not yet switched still verifies.  While
 * both are live every delivery carries both signatures (the newest
 * first: events/webhook_sign.h).
 *
 * The text is JSON, {"current": "whsec_...", "previous": "whsec_...",
 * "previous_until_ms": N}, sealed whole with PANGOLIN_ENCRYPTION_KEY
 * (util/seal.h, aad "webhook.secrets") when the server has one, as
 * warehouse secrets are; plain otherwise (the server warns at start).
 */
#ifndef PGL_EVENTS_WEBHOOK_SECRETS_H
#define PGL_EVENTS_WEBHOOK_SECRETS_H

#include <stdint.h>

#include "util/seal.h"
#include "events/webhook_sign.h"

/* How long a rotated-out secret still signs by default: a day. */
#define PGL_WEBHOOK_OVERLAP_MS	(24LL * 3600 * 1000)

struct pgl_webhook_secrets {
	char	current[PGL_WEBHOOK_SECRET_LEN];
	char	previous[PGL_WEBHOOK_SECRET_LEN];	/* "" when none */
	int64_t	previous_until_ms;
};

/*
 * The stored text of s (malloc'd), sealed under key when key is not
 * NULL.  Returns 0, or -1 (out of memory, RNG).
 */
int	pgl_webhook_secrets_text(const struct pgl_webhook_secrets *s,
	    const unsigned char *key, char **out);

/*
 * s from stored text (key: the server's; a sealed text without a key is
 * refused, a plain one, written before the key was set, still read).
 * Returns 0, or -1 with *why.
 */
int	pgl_webhook_secrets_parse(const char *text, const unsigned char *key,
	    struct pgl_webhook_secrets *s, const char **why);

/*
 * The secrets that sign at now_ms, newest first, into v[2] (pointers
 * into s); their number (1 or 2).
 */
size_t	pgl_webhook_secrets_live(const struct pgl_webhook_secrets *s,
	    int64_t now_ms, const char *v[2]);

/*
 * Rotate: a new current secret, the old one signing until now_ms +
 * overlap_ms (0: at once, no overlap).  Returns 0, or -1 (RNG).
 */
int	pgl_webhook_secrets_rotate(struct pgl_webhook_secrets *s,
	    int64_t now_ms, int64_t overlap_ms);

#endif
