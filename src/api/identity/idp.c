/*
 * The providers' keys in one worker (idp.h): fetched, or taken from the
 * slot another worker's fetch filled (auth/idp_share.h), by a write-pool
 * job, and swapped in by the job's done() on the worker's thread, so the
 * verifier never sees a key set change under it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "api/identity/idp.h"
#include "auth/idp_share.h"
#include "auth/oidc_token.h"
#include "storage/write_pool.h"
#include "util/httpc.h"
#include "util/log.h"

#define DISCOVERY_MAX	(64 * 1024)
#define JWKS_MAX	PGL_IDP_SHARE_JWKS_MAX
#define DISCOVERY_PATH	"/.well-known/openid-configuration"

static struct pgl_idp	*idps;
static size_t		 nidps;

/*
 * A job: fetch the keys from the provider (step FETCH), or take those
 * another worker fetched (TAKE), after waiting for its fetch (WAIT).
 * Inputs copied in, results out; the idp is only touched by done(), on
 * the worker's thread.
 */
struct fetch {
	struct pgl_wjob		 w;
	struct pgl_idp		*idp;
	enum pgl_idp_step	 step;
	size_t			 slot;
	uint64_t		 gen;	/* in: the worker's; out: the new */
	uint64_t		 seen;	/* the slot's, when taking */
	int64_t			 fetched_ms;
	char			*issuer;
	char			*jwks_uri;	/* NULL: discover it */
	int			 want_endpoints;
	char			*found_jwks_uri, *authz_ep, *token_ep;
	struct pgl_jwks		 keys;
	int			 ran;
	int			 episode;	/* this failure began one */
	char			 why[192];
};

static char *
dup_or_null(const char *s)
{
	return (s != NULL ? strdup(s) : NULL);
}

/* GET url within max: 0 with rep (HTTP 200), or -1 with f->why. */
static int
get_body(struct fetch *f, const char *what, const char *url, size_t max,
    struct pgl_httpc_reply *rep)
{
	char	why[128];

	if (pgl_httpc_call(url, NULL, NULL, NULL, max, rep, why,
	    sizeof(why)) == -1) {
		(void)snprintf(f->why, sizeof(f->why), "%s: %s", what, why);
		return (-1);
	}
	if (rep->status != 200) {
		(void)snprintf(f->why, sizeof(f->why), "%s: HTTP %ld", what,
		    rep->status);
		pgl_httpc_reply_free(rep);
		return (-1);
	}
	return (0);
}

static const char *
str_of(const json_t *j, const char *key)
{
	return (json_string_value(json_object_get(j, key)));
}

/*
 * The discovery document must name the issuer it was asked for (OpenID
 * Connect Discovery §4.3): a document that names another is not this
 * provider's, and its keys are not taken.
 */
static int
discover(struct fetch *f)
{
	struct pgl_httpc_reply	 rep;
	json_error_t		 jerr;
	char			*url;
	json_t			*d;
	int			 rc;

	if (asprintf(&url, "%s%s", f->issuer, DISCOVERY_PATH) == -1) {
		(void)snprintf(f->why, sizeof(f->why), "out of memory");
		return (-1);
	}
	rc = get_body(f, "discovery", url, DISCOVERY_MAX, &rep);
	free(url);
	if (rc == -1)
		return (-1);
	rc = -1;
	d = json_loadb(rep.body, rep.len, JSON_REJECT_DUPLICATES, &jerr);
	pgl_httpc_reply_free(&rep);
	if (!json_is_object(d))
		(void)snprintf(f->why, sizeof(f->why), "discovery: not a JSON "
		    "object");
	else if (str_of(d, "issuer") == NULL ||
	    strcmp(str_of(d, "issuer"), f->issuer) != 0)
		(void)snprintf(f->why, sizeof(f->why), "discovery: the "
		    "document names another issuer");
	else if (f->jwks_uri == NULL && str_of(d, "jwks_uri") == NULL)
		(void)snprintf(f->why, sizeof(f->why), "discovery: no "
		    "jwks_uri");
	else {
		f->found_jwks_uri = dup_or_null(str_of(d, "jwks_uri"));
		f->authz_ep = dup_or_null(str_of(d, "authorization_endpoint"));
		f->token_ep = dup_or_null(str_of(d, "token_endpoint"));
		rc = 0;
	}
	json_decref(d);
	return (rc);
}

/* The key set in body into f->keys: 0, or -1 with f->why. */
static int
parse_keys(struct fetch *f, const char *body, size_t len)
{
	char	why[128];

	if (pgl_jwks_parse(body, len, &f->keys, why, sizeof(why)) == -1)
		(void)snprintf(f->why, sizeof(f->why), "jwks: %s", why);
	else if (f->keys.n == 0)
		(void)snprintf(f->why, sizeof(f->why), "jwks: no usable "
		    "signing key");
	else
		return (0);
	pgl_jwks_free(&f->keys);
	return (-1);
}

/* From the provider, then into the slot for every worker. */
static void
fetch_keys(struct fetch *f)
{
	struct pgl_httpc_reply	 rep;
	const char		*uri;
	int			 got = -1;

	if ((f->jwks_uri == NULL || f->want_endpoints) && discover(f) == -1 &&
	    f->jwks_uri == NULL)
		goto failed;
	uri = f->jwks_uri != NULL ? f->jwks_uri : f->found_jwks_uri;
	if (get_body(f, "jwks", uri, JWKS_MAX, &rep) == -1)
		goto failed;
	f->fetched_ms = pgl_idp_share_now();
	if (parse_keys(f, rep.body, rep.len) == 0) {
		got = pgl_idp_share_publish(f->slot, rep.body, rep.len,
		    f->found_jwks_uri, f->authz_ep, f->token_ep, f->fetched_ms,
		    &f->gen);
		if (got == -1) {
			(void)snprintf(f->why, sizeof(f->why), "discovery: an "
			    "endpoint over %d bytes", PGL_IDP_SHARE_URL_MAX);
			pgl_jwks_free(&f->keys);
		}
	}
	pgl_httpc_reply_free(&rep);
	if (got == 0) {
		f->w.rc = 0;
		return;
	}
failed:
	f->episode = pgl_idp_share_failed(f->slot, f->why);
}

/* s if it says something (taken), else NULL. */
static char *
nonempty(char **s)
{
	char	*p = *s;

	if (p == NULL || *p == '\0')
		return (NULL);
	*s = NULL;
	return (p);
}

/* The key set another worker fetched, newer than ours. */
static void
take_keys(struct fetch *f)
{
	struct pgl_idp_keys	k;
	char			why[192];

	f->seen = pgl_idp_share_gen(f->slot);
	switch (pgl_idp_share_take(f->slot, f->gen, &k, why, sizeof(why))) {
	case -1:
		(void)snprintf(f->why, sizeof(f->why), "out of memory");
		return;
	case 0:
		(void)snprintf(f->why, sizeof(f->why), "%s", why[0] != '\0' ?
		    why : "no newer keys");
		return;
	}
	if (parse_keys(f, k.jwks, k.len) == 0) {
		f->gen = k.gen;
		f->fetched_ms = k.fetched_ms;
		f->found_jwks_uri = nonempty(&k.jwks_uri);
		f->authz_ep = nonempty(&k.authz);
		f->token_ep = nonempty(&k.token);
		f->w.rc = 0;
	}
	pgl_idp_keys_free(&k);
}

/* On a pool thread. */
static void
fetch_run(struct pgl_wjob *w)
{
	struct fetch	*f = (struct fetch *)w;

	f->ran = 1;
	w->rc = -1;
	if (f->step == PGL_IDP_FETCH) {
		fetch_keys(f);
		return;
	}
	if (f->step == PGL_IDP_WAIT)
		pgl_idp_share_wait(f->slot, f->gen);
	take_keys(f);
}

static void
fetch_free(struct fetch *f)
{
	free(f->issuer);
	free(f->jwks_uri);
	free(f->found_jwks_uri);
	free(f->authz_ep);
	free(f->token_ep);
	pgl_jwks_free(&f->keys);
	free(f);
}

static void
take(char **dst, char **src)
{
	if (*src == NULL)
		return;
	free(*dst);
	*dst = *src;
	*src = NULL;
}

/* The job failed: say so, once per worker that fetched. */
static void
fetch_failed(struct pgl_idp *idp, struct fetch *f, int stopped)
{
	(void)snprintf(idp->last_error, sizeof(idp->last_error), "%s",
	    stopped ? "stopped" : f->why);
	if (f->step != PGL_IDP_FETCH || !f->ran)
		return;
	idp->failures++;
	/* Once per episode, in whichever worker met it: the next request
	 * of the provider audits it (api/identity/external.c). */
	if (f->episode && idp->have_keys)
		idp->unreported = 1;
	pgl_log(PGL_LOG_WARN, "oidc %s: keys not fetched (%s); %s",
	    idp->cfg->name, idp->last_error, idp->have_keys ?
	    "keeping the last good keys" : "its tokens are refused");
}

/* The job is over: keep what it brought, then wake who waited. */
static void
fetch_done(struct pgl_wjob *w, int stopped)
{
	struct fetch		*f = (struct fetch *)w;
	struct pgl_idp		*idp = f->idp;
	struct pgl_idp_waiter	*list, *next;

	idp->fetching = 0;
	if (f->step == PGL_IDP_FETCH && f->ran)
		idp->fetches++;
	/* Claimed, never run: the claim is not left to go stale. */
	if (f->step == PGL_IDP_FETCH && !f->ran)
		pgl_idp_share_release(idp->slot);
	/* A set that could not be taken is not tried again until a newer
	 * one comes or a token needs it. */
	if (f->seen > idp->seen)
		idp->seen = f->seen;
	if (!stopped && w->rc == 0) {
		pgl_jwks_free(&idp->keys);
		idp->keys = f->keys;
		memset(&f->keys, 0, sizeof(f->keys));
		idp->have_keys = 1;
		idp->gen = idp->seen = f->gen;
		idp->fetched_ms = f->fetched_ms;
		idp->last_error[0] = '\0';
		idp->unreported = 0;
		if (idp->cfg->jwks_uri == NULL)
			take(&idp->jwks_uri, &f->found_jwks_uri);
		take(&idp->authorization_endpoint, &f->authz_ep);
		take(&idp->token_endpoint, &f->token_ep);
	} else
		fetch_failed(idp, f, stopped);
	fetch_free(f);
	list = idp->waiters;
	idp->waiters = NULL;
	idp->nwaiters = 0;
	for (; list != NULL; list = next) {
		next = list->next;
		list->fn(list->arg);
	}
}

/* A job for what the slot says may be done now; -1: nothing may. */
static int
fetch_start(struct pgl_idp *idp)
{
	struct fetch		*f;
	enum pgl_idp_step	 step;

	step = pgl_idp_share_step(idp->slot, idp->gen, pgl_idp_share_now(),
	    (int64_t)idp->cfg->refetch_secs * 1000);
	if (step == PGL_IDP_NOTHING)
		return (-1);
	if ((f = calloc(1, sizeof(*f))) == NULL)
		goto fail;
	f->idp = idp;
	f->step = step;
	f->slot = idp->slot;
	f->gen = idp->gen;
	f->issuer = strdup(idp->cfg->issuer);
	f->jwks_uri = dup_or_null(idp->cfg->jwks_uri);
	f->want_endpoints = idp->cfg->client_id != NULL;
	f->w.run = fetch_run;
	f->w.done = fetch_done;
	f->w.arg = f;
	if (f->issuer == NULL || (idp->cfg->jwks_uri != NULL &&
	    f->jwks_uri == NULL) || pgl_wpool_submit(&f->w) == -1) {
		fetch_free(f);
		goto fail;
	}
	idp->fetching = 1;
	return (0);
fail:
	if (step == PGL_IDP_FETCH)
		pgl_idp_share_release(idp->slot);
	return (-1);
}

int
pgl_idp_refetch(struct pgl_idp *idp, struct pgl_idp_waiter *w,
    void (*fn)(void *), void *arg)
{
	if (!idp->fetching && fetch_start(idp) == -1)
		return (0);
	if (fn == NULL || idp->nwaiters >= (size_t)idp->cfg->max_waiting)
		return (0);
	w->fn = fn;
	w->arg = arg;
	w->next = idp->waiters;
	idp->waiters = w;
	idp->nwaiters++;
	return (1);
}

int
pgl_idp_unreported_error(struct pgl_idp *idp)
{
	int	was = idp->unreported;

	idp->unreported = 0;
	return (was);
}

/* Old keys, or newer ones another worker fetched: in the background,
 * the token at hand decided with the keys held now. */
static void
refresh_if_old(struct pgl_idp *idp)
{
	if (!idp->fetching && (pgl_idp_share_now() - idp->fetched_ms >=
	    (int64_t)idp->cfg->jwks_max_age_secs * 1000 ||
	    pgl_idp_share_gen(idp->slot) > idp->seen))
		(void)pgl_idp_refetch(idp, NULL, NULL, NULL);
}

static void
expect(const struct pgl_idp *idp, const char *audience, const char *nonce,
    struct pgl_oidc_expect *e)
{
	memset(e, 0, sizeof(*e));
	e->issuer = idp->cfg->issuer;
	e->audience = audience;
	e->now = (int64_t)time(NULL);
	e->leeway = idp->cfg->leeway_secs;
	e->nonce = nonce;
}

int
pgl_idp_recheck(struct pgl_idp *idp, const char *kid, const json_t *claims,
    const char **why)
{
	struct pgl_oidc_expect	e;

	if (!idp->have_keys || pgl_jwks_find(&idp->keys, kid) == NULL) {
		*why = "The token's key is not the provider's";
		return (PGL_OIDC_UNKNOWN_KID);
	}
	refresh_if_old(idp);
	expect(idp, idp->cfg->audience, NULL, &e);
	return (pgl_oidc_times_ok(claims, &e, why));
}

static int
verify_for(struct pgl_idp *idp, const char *token, const char *audience,
    const char *nonce, json_t **claims, const char **why)
{
	struct pgl_oidc_expect	e;

	*claims = NULL;
	if (!idp->have_keys) {
		*why = "the identity provider's keys are not available";
		return (PGL_OIDC_UNKNOWN_KID);
	}
	refresh_if_old(idp);
	expect(idp, audience, nonce, &e);
	if (nonce != NULL)
		return (pgl_oidc_verify(token, &idp->keys, &e, claims, why));
	return (pgl_oidc_verify_cached(token, &idp->keys, &e, claims, why));
}

int
pgl_idp_verify(struct pgl_idp *idp, const char *token, const char *nonce,
    json_t **claims, const char **why)
{
	return (verify_for(idp, token, idp->cfg->audience, nonce, claims,
	    why));
}

int
pgl_idp_verify_id_token(struct pgl_idp *idp, const char *token,
    const char *nonce, json_t **claims, const char **why)
{
	*claims = NULL;
	if (idp->cfg->client_id == NULL) {
		*why = "the provider has no client for sign-in";
		return (PGL_OIDC_BAD_AUDIENCE);
	}
	return (verify_for(idp, token, idp->cfg->client_id, nonce, claims,
	    why));
}

int
pgl_idp_start(const struct pgl_config *cfg)
{
	size_t	i;

	if (cfg->auth.noidc == 0)
		return (0);
	/* Mapped by the parent already; here only if it did not. */
	if (pgl_idp_share_init(cfg->auth.noidc) == -1 ||
	    pgl_httpc_init() == -1 ||
	    (idps = calloc(cfg->auth.noidc, sizeof(*idps))) == NULL)
		return (-1);
	nidps = cfg->auth.noidc;
	for (i = 0; i < nidps; i++) {
		idps[i].cfg = &cfg->auth.oidc[i];
		idps[i].slot = i;
		idps[i].jwks_uri = dup_or_null(cfg->auth.oidc[i].jwks_uri);
		/* Early, so the first token finds the keys there. */
		(void)pgl_idp_refetch(&idps[i], NULL, NULL, NULL);
	}
	return (0);
}

void
pgl_idp_stop(void)
{
	size_t	i;

	for (i = 0; i < nidps; i++) {
		pgl_jwks_free(&idps[i].keys);
		free(idps[i].jwks_uri);
		free(idps[i].authorization_endpoint);
		free(idps[i].token_endpoint);
	}
	free(idps);
	idps = NULL;
	nidps = 0;
}

size_t
pgl_idp_count(void)
{
	return (nidps);
}

struct pgl_idp *
pgl_idp_at(size_t i)
{
	return (i < nidps ? &idps[i] : NULL);
}

struct pgl_idp *
pgl_idp_by_name(const char *name)
{
	size_t	i;

	for (i = 0; i < nidps; i++) {
		if (strcmp(idps[i].cfg->name, name) == 0)
			return (&idps[i]);
	}
	return (NULL);
}

struct pgl_idp *
pgl_idp_by_issuer(const char *iss)
{
	size_t	i;

	for (i = 0; i < nidps; i++) {
		if (strcmp(idps[i].cfg->issuer, iss) == 0)
			return (&idps[i]);
	}
	return (NULL);
}
