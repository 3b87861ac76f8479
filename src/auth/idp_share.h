/*
 * What the workers of one process share about each identity provider's
 * keys (api/identity/idp.c): one slot per [[auth.oidc]] provider, mapped by the
 * parent before the workers fork, like the rate-limit tables
 * (auth/ratelimit.h).  It holds who may fetch the keys now, and the last
 * key set fetched, as the provider served it, so that one worker's fetch
 * serves every worker.
 *
 * The right to fetch is a compare-and-swap on one word: the time the
 * last fetch was claimed and a bit saying it still runs.  At most one
 * worker wins it per refetch interval, so a flood of unknown kids spread
 * over the workers costs one fetch in all; the others wait for that
 * fetch (on a pool thread, never on the event loop) and take its keys
 * from the slot.  Each published key set bumps the slot's generation; a
 * worker that holds an older one takes the newer before fetching.
 */
#ifndef PGL_AUTH_IDP_SHARE_H
#define PGL_AUTH_IDP_SHARE_H

#include <stddef.h>
#include <stdint.h>

#define PGL_IDP_SHARE_JWKS_MAX	(256 * 1024)	/* the JWKS as served */
#define PGL_IDP_SHARE_URL_MAX	2048		/* each endpoint */
/* A claimed fetch not ended within this is taken as dead (its worker
 * went away): past both httpc calls' total timeouts. */
#define PGL_IDP_SHARE_STALE_MS	15000

/* What a worker holding key set generation gen should do now. */
enum pgl_idp_step {
	PGL_IDP_NOTHING,	/* no newer keys, no fetch allowed yet */
	PGL_IDP_TAKE,		/* newer keys are in the slot: take them */
	PGL_IDP_FETCH,		/* this worker won the fetch: make it */
	PGL_IDP_WAIT		/* another worker fetches: wait, then take */
};

/* A copy of the slot's key set (malloc'd strings; "" when absent). */
struct pgl_idp_keys {
	uint64_t	 gen;
	int64_t		 fetched_ms;	/* monotonic */
	char		*jwks;
	size_t		 len;
	char		*jwks_uri, *authz, *token;
};

/*
 * Map n slots (the parent, before fork; n at most 64).  Again with the
 * same n: nothing (a worker whose parent mapped them).  0, or -1 (errno).
 */
int		 pgl_idp_share_init(size_t n);

/* The generation of provider i's last published key set (0: none). */
uint64_t	 pgl_idp_share_gen(size_t i);

/* Monotonic milliseconds, the slots' clock (shared by every process). */
int64_t		 pgl_idp_share_now(void);

/*
 * The step for a worker holding gen of provider i, at now (ms), with at
 * least interval_ms between fetches.  FETCH claims the fetch: the caller
 * must end it with publish, failed or release.
 */
enum pgl_idp_step pgl_idp_share_step(size_t i, uint64_t gen, int64_t now,
		    int64_t interval_ms);

/*
 * The claimed fetch brought a key set: keep it for every worker, ending
 * the fetch.  Endpoints may be NULL.  0 with *gen, its generation; or -1
 * when it does not fit, the fetch still claimed (end it as failed).
 */
int		 pgl_idp_share_publish(size_t i, const char *jwks, size_t len,
		    const char *jwks_uri, const char *authz, const char *token,
		    int64_t now, uint64_t *gen);
/*
 * The claimed fetch failed with why.  1 when this failure begins an
 * episode (the last fetch had succeeded, or none had been made), else 0:
 * so each episode is reported once, whichever worker meets it.
 */
int		 pgl_idp_share_failed(size_t i, const char *why);
/* The claimed fetch never ran (the worker is stopping). */
void		 pgl_idp_share_release(size_t i);

/* Block (a pool thread only) while another worker's claimed fetch
 * runs and no key set newer than gen is published; at most the stale
 * time. */
void		 pgl_idp_share_wait(size_t i, uint64_t gen);

/*
 * Copy the published key set if newer than gen: 1 with out (free with
 * pgl_idp_keys_free), 0 when there is none newer (why: the last
 * failure, or ""), -1 out of memory.
 */
int		 pgl_idp_share_take(size_t i, uint64_t gen,
		    struct pgl_idp_keys *out, char *why, size_t whylen);
void		 pgl_idp_keys_free(struct pgl_idp_keys *);

#endif
