/*
 * The OpenID providers of [[auth.oidc]], as one worker process sees them:
 * each provider's signing keys (its JWKS), where they came from, and who
 * waits for them.
 *
 * Keys are fetched on a write-pool thread (util/httpc.h), never on the
 * event loop: first the discovery document at
 * <issuer>/.well-known/openid-configuration, unless jwks_uri is set, then
 * the key set.  A token whose kid the keys do not hold asks for them
 * again, at most once per refetch_secs across all the workers (the
 * decision and the key set fetched are shared, auth/idp_share.h): a flood
 * of made-up kids costs one fetch, the workers that did not make it take
 * its keys, and the tokens that asked while it ran wait for it (their
 * requests pending, the worker serving others) and are decided when it
 * ends.  Keys older than jwks_max_age_secs, or older than those another
 * worker fetched, are refreshed in the background on their next use.  A
 * failed fetch keeps the last good keys; with none, every token of the
 * provider is refused (fail closed).
 */
#ifndef PGL_API_IDP_H
#define PGL_API_IDP_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "auth/jwk.h"
#include "config/config.h"

struct pgl_idp_waiter {
	void			(*fn)(void *arg);
	void			*arg;
	struct pgl_idp_waiter	*next;
};

struct pgl_idp {
	const struct pgl_oidc_provider	*cfg;
	struct pgl_jwks			 keys;
	int				 have_keys;
	/* Configured, or from the discovery document (malloc'd). */
	char				*jwks_uri;
	char				*authorization_endpoint;
	char				*token_endpoint;
	size_t				 slot;		/* idp_share.h */
	uint64_t			 gen;		/* of the keys held */
	uint64_t			 seen;		/* newest tried */
	int64_t				 fetched_ms;	/* when, monotonic */
	int				 fetching;	/* a job runs */
	int				 unreported;	/* see below */
	char				 last_error[192];
	struct pgl_idp_waiter		*waiters;
	size_t				 nwaiters;
	uint64_t			 fetches, failures;
};

/* In each worker, after the write pool started (the parent mapped the
 * shared slots: pgl_idp_share_init).  -1: out of memory. */
int		 pgl_idp_start(const struct pgl_config *);
void		 pgl_idp_stop(void);
size_t		 pgl_idp_count(void);
struct pgl_idp	*pgl_idp_at(size_t);
struct pgl_idp	*pgl_idp_by_name(const char *);
/* The provider whose issuer is exactly iss, or NULL. */
struct pgl_idp	*pgl_idp_by_issuer(const char *iss);

/*
 * Ask for the keys (and endpoints) again: from the provider, or from
 * another worker's fetch.  1: a fetch is under way and fn(arg) runs on
 * this thread when it ends (w is the caller's, kept until then); 0: not
 * now (fetched less than refetch_secs ago by any worker, or too many
 * waiting): decide with the keys there are.  fn NULL: start one if
 * allowed, wait for nothing.
 */
int		 pgl_idp_refetch(struct pgl_idp *, struct pgl_idp_waiter *w,
		    void (*fn)(void *), void *arg);

/*
 * 1 once for each episode of failed fetches this worker met while it
 * held keys (one worker per episode: the shared slot decides), so the
 * caller records it in the audit log; the reason is last_error.
 */
int		 pgl_idp_unreported_error(struct pgl_idp *);

/*
 * Verify token as this provider's (auth/oidc_token.h), against the keys
 * held now; nonce NULL for access tokens.  Starts a background refresh
 * when the keys are old.  Returns the verifier's result; *claims on OK.
 */
int		 pgl_idp_verify(struct pgl_idp *, const char *token,
		    const char *nonce, json_t **claims, const char **why);
/*
 * An access token pgl_idp_verify accepted earlier, whose key was kid and
 * claims these, checked again as that would now without verifying its
 * signature again: kid still among the keys held (a key the provider
 * dropped ends its tokens), the times within leeway.  Starts a
 * background refresh when the keys are old.
 */
int		 pgl_idp_recheck(struct pgl_idp *, const char *kid,
		    const json_t *claims, const char **why);
/* An ID token of the page's sign-in: for client_id, with its nonce. */
int		 pgl_idp_verify_id_token(struct pgl_idp *, const char *token,
		    const char *nonce, json_t **claims, const char **why);

#endif
