/*
 * The providers' keys in one worker (idp.h): fetched by a write-pool job,
 * swapped in by the job's done() on the worker's thread, so the verifier
 * never sees a key set change under it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "api/idp.h"
#include "auth/oidc_token.h"
#include "storage/write_pool.h"
#include "util/httpc.h"
#include "util/log.h"

#define DISCOVERY_MAX	(64 * 1024)
#define JWKS_MAX	(256 * 1024)
#define DISCOVERY_PATH	"/.well-known/openid-configuration"

static struct pgl_idp	*idps;
static size_t		 nidps;

/* A fetch: inputs copied in, results out; the idp is only touched by
 * done(), on the worker's thread. */
struct fetch {
	struct pgl_wjob	 w;
	struct pgl_idp	*idp;
	char		*issuer;
	char		*jwks_uri;	/* NULL: discover it */
	int		 want_endpoints;
	char		*found_jwks_uri, *authz_ep, *token_ep;
	struct pgl_jwks	 keys;
	char		 why[192];
};

static int64_t
mono_secs(void)
{
	struct timespec	ts;

	(void)clock_gettime(CLOCK_MONOTONIC, &ts);
	return ((int64_t)ts.tv_sec);
}

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

/* On a pool thread. */
static void
fetch_run(struct pgl_wjob *w)
{
	struct fetch		*f = (struct fetch *)w;
	struct pgl_httpc_reply	 rep;
	const char		*uri;
	char			 why[128];

	w->rc = -1;
	if ((f->jwks_uri == NULL || f->want_endpoints) && discover(f) == -1 &&
	    f->jwks_uri == NULL)
		return;
	uri = f->jwks_uri != NULL ? f->jwks_uri : f->found_jwks_uri;
	if (get_body(f, "jwks", uri, JWKS_MAX, &rep) == -1)
		return;
	if (pgl_jwks_parse(rep.body, rep.len, &f->keys, why,
	    sizeof(why)) == -1)
		(void)snprintf(f->why, sizeof(f->why), "jwks: %s", why);
	else if (f->keys.n == 0)
		(void)snprintf(f->why, sizeof(f->why), "jwks: no usable "
		    "signing key");
	else
		w->rc = 0;
	pgl_httpc_reply_free(&rep);
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

/* The fetch is over: keep what it brought, then wake who waited. */
static void
fetch_done(struct pgl_wjob *w, int stopped)
{
	struct fetch		*f = (struct fetch *)w;
	struct pgl_idp		*idp = f->idp;
	struct pgl_idp_waiter	*list, *next;

	idp->fetching = 0;
	idp->fetches++;
	if (!stopped && w->rc == 0) {
		pgl_jwks_free(&idp->keys);
		idp->keys = f->keys;
		memset(&f->keys, 0, sizeof(f->keys));
		idp->have_keys = 1;
		idp->fetched_at = mono_secs();
		idp->last_error[0] = '\0';
		if (idp->cfg->jwks_uri == NULL)
			take(&idp->jwks_uri, &f->found_jwks_uri);
		take(&idp->authorization_endpoint, &f->authz_ep);
		take(&idp->token_endpoint, &f->token_ep);
	} else {
		idp->failures++;
		(void)snprintf(idp->last_error, sizeof(idp->last_error), "%s",
		    stopped ? "stopped" : f->why);
		pgl_log(PGL_LOG_WARN, "oidc %s: keys not fetched (%s); %s",
		    idp->cfg->name, idp->last_error, idp->have_keys ?
		    "keeping the last good keys" : "its tokens are refused");
	}
	fetch_free(f);
	list = idp->waiters;
	idp->waiters = NULL;
	idp->nwaiters = 0;
	for (; list != NULL; list = next) {
		next = list->next;
		list->fn(list->arg);
	}
}

static int
fetch_start(struct pgl_idp *idp)
{
	struct fetch	*f;

	if ((f = calloc(1, sizeof(*f))) == NULL)
		return (-1);
	f->idp = idp;
	f->issuer = strdup(idp->cfg->issuer);
	f->jwks_uri = dup_or_null(idp->cfg->jwks_uri);
	f->want_endpoints = idp->cfg->client_id != NULL;
	f->w.run = fetch_run;
	f->w.done = fetch_done;
	f->w.arg = f;
	if (f->issuer == NULL || (idp->cfg->jwks_uri != NULL &&
	    f->jwks_uri == NULL) || pgl_wpool_submit(&f->w) == -1) {
		fetch_free(f);
		return (-1);
	}
	idp->fetching = 1;
	idp->tried_at = mono_secs();
	return (0);
}

int
pgl_idp_refetch(struct pgl_idp *idp, struct pgl_idp_waiter *w,
    void (*fn)(void *), void *arg)
{
	if (!idp->fetching) {
		if (idp->tried_at != 0 &&
		    mono_secs() - idp->tried_at < idp->cfg->refetch_secs)
			return (0);
		if (fetch_start(idp) == -1)
			return (0);
	}
	if (fn == NULL || idp->nwaiters >= (size_t)idp->cfg->max_waiting)
		return (0);
	w->fn = fn;
	w->arg = arg;
	w->next = idp->waiters;
	idp->waiters = w;
	idp->nwaiters++;
	return (1);
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
	if (!idp->fetching && mono_secs() - idp->fetched_at >=
	    idp->cfg->jwks_max_age_secs)
		(void)pgl_idp_refetch(idp, NULL, NULL, NULL);
	memset(&e, 0, sizeof(e));
	e.issuer = idp->cfg->issuer;
	e.audience = audience;
	e.now = (int64_t)time(NULL);
	e.leeway = idp->cfg->leeway_secs;
	e.nonce = nonce;
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
	if (pgl_httpc_init() == -1 ||
	    (idps = calloc(cfg->auth.noidc, sizeof(*idps))) == NULL)
		return (-1);
	nidps = cfg->auth.noidc;
	for (i = 0; i < nidps; i++) {
		idps[i].cfg = &cfg->auth.oidc[i];
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
