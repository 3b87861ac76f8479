/*
 * Vended SAS tokens for Azure warehouses (azure_vend.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "api/api.h"
#include "api/gate.h"
#include "api/request/fetch.h"
#include "api/storage/azure_vend.h"
#include "api/storage/storage.h"
#include "api/storage/widen.h"
#include "app/app.h"
#include "storage/obj_job.h"
#include "storage/sts_cache.h"
#include "util/arena.h"
#include "util/hash.h"
#include "util/json.h"
#include "util/location.h"
#include "util/log.h"
#include "util/str.h"

/* Started this long ago: a client's clock a little behind Azure's still
 * finds the token valid. */
#define SAS_SKEW_SECS	300

/* A user-delegation SAS made by the write pool: Entra's token and the
 * delegation key are network calls.  Its strings are its own. */
struct sas_job {
	struct api_fetch_call	 c;
	struct pgl_storage	 st;
	struct pgl_azure_sas_req q;
	char			*dir;
};

static void
sas_run(struct pgl_wjob *w)
{
	struct sas_job		*j = (struct sas_job *)w;
	struct pgl_sts_creds	*c;

	if ((c = calloc(1, sizeof(*c))) == NULL) {
		w->rc = w->err.code = PGL_ENOMEM;
		(void)snprintf(w->err.msg, sizeof(w->err.msg),
		    "out of memory");
		return;
	}
	j->q.directory = j->dir;
	w->rc = pgl_azure_sas(&j->st.az, &j->q, c->token, sizeof(c->token),
	    &w->err);
	if (w->rc != PGL_OK) {
		free(c);
		return;
	}
	c->expires_ms = (int64_t)j->q.expiry * 1000;
	j->c.out = (char *)c;
	j->c.outlen = sizeof(*c);
}

static void
sas_free(struct api_fetch_call *c)
{
	struct sas_job	*j = (struct sas_job *)c;

	if (c->out != NULL)
		explicit_bzero(c->out, c->outlen);
	free(c->out);
	free(c->key);
	free(j->dir);
	pgl_storage_release(&j->st);
	free(j);
}

/* A failure to make the SAS, as the Iceberg error its cause calls for. */
static int
refuse(struct pgl_req *r, const struct pgl_err *err)
{
	switch (err->code) {
	case PGL_EUNAVAIL:
		pgl_set_header(r, "retry-after", "1");
		pgl_reply_ice_error(r, 503, "ServiceUnavailableException",
		    "%s", err->msg);
		break;
	case PGL_EINVAL:
		pgl_reply_ice_error(r, 400, "BadRequestException", "%s",
		    err->msg);
		break;
	case PGL_ENOMEM:
		pgl_reply_ice_error(r, 503, "ServiceUnavailableException",
		    "out of memory");
		break;
	default:
		/* Azure or Entra said no: the warehouse's settings, not the
		 * caller, are at fault. */
		pgl_reply_ice_error(r, 502, "ServiceFailureException", "%s",
		    err->msg);
	}
	return (-1);
}

/* Made by the pool for this request (or being made: a wait). */
static int
delegated(struct pgl_req *r, const struct pgl_storage *st, const char *key,
    const struct pgl_azure_sas_req *q, struct pgl_sts_creds *out)
{
	struct sas_job	*j;
	struct pgl_err	 err;
	char		*data = NULL;
	size_t		 len = 0;

	if ((j = calloc(1, sizeof(*j))) == NULL ||
	    pgl_storage_copy(&j->st, st) == -1) {
		free(j);
		pgl_reply_error(r, 503, "out of memory");
		return (-1);
	}
	j->c.w.run = sas_run;
	j->c.free = sas_free;
	j->q = *q;
	if ((j->c.key = strdup(key)) == NULL || (q->directory != NULL &&
	    (j->dir = strdup(q->directory)) == NULL)) {
		sas_free(&j->c);
		pgl_reply_error(r, 503, "out of memory");
		return (-1);
	}
	if (api_fetch_call(r, &j->c, &data, &len, &err) != PGL_OK)
		return (refuse(r, &err));
	if (len != sizeof(*out)) {
		free(data);
		pgl_reply_error(r, 500, "credentials lost");
		return (-1);
	}
	memcpy(out, data, sizeof(*out));
	explicit_bzero(data, len);
	free(data);
	return (0);
}

static void
hold(struct pgl_req *r, const struct pgl_sts_creds *c)
{
	struct api_sas	*s = r->app->sas;

	(void)pgl_strlcpy(s->token, c->token, sizeof(s->token));
	s->expires_ms = c->expires_ms;
	s->held = 1;
}

/*
 * The table's directory in its container: location's path without its
 * trailing '/'; NULL after a reply.  A table at the container's root
 * cannot be given a directory of its own.
 */
static const char *
table_dir(struct pgl_req *r, const struct pgl_storage *st,
    const char *location, int container_wide)
{
	char		 container[64], account[64];
	const char	*path;
	char		*dir;
	size_t		 n;

	if (location == NULL || pgl_azure_split(location, container,
	    sizeof(container), account, sizeof(account), &path) == -1 ||
	    strcmp(container, st->az.container) != 0 ||
	    strcasecmp(account, st->az.account) != 0 ||
	    (dir = pgl_arena_strdup(r->arena, path)) == NULL) {
		pgl_reply_ice_error(r, 400, "BadRequestException", "warehouse "
		    "'%s': the table's location is not in its container",
		    st->az.name);
		return (NULL);
	}
	for (n = strlen(dir); n > 0 && dir[n - 1] == '/'; n--)
		dir[n - 1] = '\0';
	if (n == 0 && !container_wide) {
		pgl_reply_ice_error(r, 400, "BadRequestException", "warehouse "
		    "'%s': a table at the container's root cannot be given a "
		    "SAS for itself alone", st->az.name);
		return (NULL);
	}
	return (dir);
}

/*
 * A container-wide SAS where the container holds another warehouse too
 * (a row stored before the rule, or a place listed after both were
 * made): refused, never vended (widen.h).  0 vend, -1 replied.
 */
static int
container_shared(struct pgl_req *r, const struct pgl_storage *st)
{
	const char	*place;
	json_t		*cfg;
	int		 rc;

	if ((cfg = json_pack("{s:s,s:s,s:s}", "type", "azure",
	    "account_name", st->az.account, "container",
	    st->az.container)) == NULL) {
		pgl_reply_error(r, 503, "out of memory");
		return (-1);
	}
	rc = api_widen_shared(r, cfg, st->warehouse_id, &place);
	json_decref(cfg);
	if (rc == 0)
		return (0);
	if (rc == -1) {
		pgl_set_header(r, "retry-after", "1");
		pgl_reply_ice_error(r, 503, "ServiceUnavailableException",
		    "the metadata store cannot be read to check the "
		    "container; retry later");
		return (-1);
	}
	pgl_log(PGL_LOG_WARN, "warehouse '%s': %s holds another warehouse: "
	    "no container-wide SAS vended ([storage] azure_container_sas)",
	    st->az.name, place);
	pgl_reply_ice_error(r, 403, "ForbiddenException", "warehouse '%s': "
	    "a container-wide SAS is refused: %s holds another warehouse's "
	    "prefix, which it would reach", st->az.name, place);
	return (-1);
}

int
api_azure_prepare(struct pgl_req *r, const struct pgl_storage *st,
    const struct pgl_catalog *c, const char *location)
{
	return (api_azure_vend(r, st, location, api_may_write(r, c)));
}

int
api_azure_vend(struct pgl_req *r, const struct pgl_storage *st,
    const char *location, int write)
{
	struct pgl_azure_sas_req q;
	struct pgl_sts_creds	 creds;
	struct pgl_err		 err;
	const char		*dir, *key;
	time_t			 now = time(NULL);
	uint64_t		 signer;
	int			 rc;

	if ((dir = table_dir(r, st, location, st->vend_container_sas)) ==
	    NULL)
		return (-1);
	/* The credential that signs it is part of what it is for: a key
	 * rotated (or a new principal) is never answered an old token. */
	signer = pgl_fnv1a_str(pgl_fnv1a_str(PGL_FNV_BASIS,
	    st->az.account_key != NULL ? st->az.account_key : ""),
	    st->az.client_secret != NULL ? st->az.client_secret : "");
	key = pgl_arena_printf(r->arena, "sas\n%s\n%s\n%s\n%s\n%s\n%s\n%016llx"
	    "\n%s\n%d\n%s\n%s", r->tenant, st->warehouse_id != NULL ?
	    st->warehouse_id : "", st->az.account, st->az.container,
	    st->s3.endpoint, st->az.client_id != NULL ? st->az.client_id : "",
	    (unsigned long long)signer,
	    st->vend_container_sas ? "c" : "d", st->sas_lifetime_secs,
	    write ? "rw" : "r", dir);
	if (key == NULL) {
		pgl_reply_error(r, 503, "out of memory");
		return (-1);
	}
	if (r->app->sas != NULL && strcmp(r->app->sas->key, key) == 0 &&
	    r->app->sas->held)
		return (0);
	if ((r->app->sas = pgl_arena_alloc(r->arena,
	    sizeof(*r->app->sas))) == NULL) {
		pgl_reply_error(r, 503, "out of memory");
		return (-1);
	}
	memset(r->app->sas, 0, sizeof(*r->app->sas));
	r->app->sas->key = key;
	r->app->sas->write = write;
	if (pgl_sts_cache_get(key, pgl_now_ms(), &creds) == 0) {
		hold(r, &creds);
		explicit_bzero(&creds, sizeof(creds));
		return (0);
	}
	/* Asked at each mint, not each load: a second warehouse is
	 * refused where it would be placed (warehouses.c). */
	if (st->vend_container_sas && container_shared(r, st) == -1)
		return (-1);
	memset(&q, 0, sizeof(q));
	q.scope = st->vend_container_sas ? PGL_AZURE_SAS_CONTAINER :
	    PGL_AZURE_SAS_DIRECTORY;
	q.directory = dir;
	q.write = write;
	q.start = now - SAS_SKEW_SECS;
	q.expiry = now + st->sas_lifetime_secs;
	/* The emulator (and any endpoint the operator runs on http) is
	 * reached over http: a token only for https would not work there. */
	q.allow_http = strncmp(st->s3.endpoint, "http://", 7) == 0;
	memset(&creds, 0, sizeof(creds));
	if (st->az.account_key != NULL) {
		/* An HMAC: made here, on the worker's thread. */
		if ((rc = pgl_azure_sas(&st->az, &q, creds.token,
		    sizeof(creds.token), &err)) != PGL_OK)
			return (refuse(r, &err));
		creds.expires_ms = (int64_t)q.expiry * 1000;
	} else if (delegated(r, st, key, &q, &creds) == -1)
		return (-1);
	pgl_sts_cache_put(key, &creds, pgl_sts_cache_refresh_at(&creds,
	    st->sas_lifetime_secs), pgl_now_ms());
	hold(r, &creds);
	explicit_bzero(&creds, sizeof(creds));
	return (0);
}

const struct api_sas *
api_azure_held(struct pgl_req *r)
{
	return (r->app != NULL && r->app->sas != NULL && r->app->sas->held ?
	    r->app->sas : NULL);
}

