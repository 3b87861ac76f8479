/*
 * The feed's continuation token: where a reader of one stream stopped,
 * as opaque text the server alone can make.
 *
 * A token names its stream (the tenant, and one catalog or the tenant's
 * whole stream) and the last seq the reader was given, with the time of
 * that event, and ends in an HMAC-SHA256 keyed from a server secret the
 * host passes in (PANGOLIN_ENCRYPTION_KEY's bytes when set: never a
 * global here).  So a token altered, or made up, is refused, and one of
 * another tenant or catalog is refused by pgl_feed_token_check even
 * though it is genuine: a caller cannot page another tenant's stream by
 * editing or swapping tokens.
 *
 * The text is base64url without padding (RFC 4648 §5: safe in a query
 * string) of
 *	version (1) | scope ('c' catalog, 't' tenant) | seq (8, big end)
 *	| ts_ms (8) | since_ms (8) | tenant length (1) | tenant | catalog
 *	length (1) | catalog | HMAC-SHA256 of all before it (32)
 * The HMAC key is HMAC-SHA256(secret, "pangolin events feed token v1"),
 * so the secret's other uses (sealing) never share a key with this one.
 */
#ifndef PGL_EVENTS_FEED_TOKEN_H
#define PGL_EVENTS_FEED_TOKEN_H

#include <stddef.h>
#include <stdint.h>

#include "util/names.h"

/* The shortest secret taken: 16 bytes (a 32-byte key is usual). */
#define PGL_FEED_TOKEN_KEY_MIN	16

struct pgl_feed_token {
	char		tenant_id[PGL_NAME_MAX + 1];
	int		tenant_wide;	/* 1: GET /api/v1/events */
	char		catalog[PGL_NAME_MAX + 1];	/* "" if tenant_wide */
	uint64_t	seq;		/* the last seq given (0: none yet) */
	int64_t		ts_ms;		/* that event's time (0: none) */
	/*
	 * The first request's since-timestamp-ms, kept while seq is 0
	 * (the reader has been given no event yet: its next request must
	 * still skip what is older), 0 once seq is not.
	 */
	int64_t		since_ms;
};

/*
 * tok as token text, malloc'd; NULL with why: a key shorter than
 * PGL_FEED_TOKEN_KEY_MIN, a name empty or over PGL_NAME_MAX bytes, a
 * catalog with tenant_wide, or out of memory.
 */
char	*pgl_feed_token_encode(const unsigned char *key, size_t keylen,
	    const struct pgl_feed_token *tok, const char **why);

/*
 * Decode and authenticate text into tok.  0, or -1 with why (answer
 * 400): not base64url, truncated, another version, or not made by this
 * server with this secret (tampered with, forged, or made before the
 * secret changed).
 */
int	pgl_feed_token_decode(const unsigned char *key, size_t keylen,
	    const char *text, struct pgl_feed_token *tok, const char **why);

/*
 * 0 if tok is for the stream of tenant_id and catalog (NULL: the
 * tenant's whole stream), else -1 with why (answer 400: the reason says
 * only that the token is another stream's, not whose).
 */
int	pgl_feed_token_check(const struct pgl_feed_token *tok,
	    const char *tenant_id, const char *catalog, const char **why);

/*
 * 1 if events after tok were removed before the reader got them (answer
 * 410 Gone): horizon is the highest seq the retention task or the
 * tenant's limit removed from this stream (the store's event_horizon).
 */
int	pgl_feed_token_gone(const struct pgl_feed_token *tok,
	    uint64_t horizon);

#endif
