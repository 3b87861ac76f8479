/*
 * A catalog's storage for its Iceberg files: its storage location, and
 * for an s3:// location the S3 settings of its warehouse (pangolin-api.md
 * §2.2, both key conventions), secrets opened.  Resolved once per request
 * and catalog.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "api/config_cache.h"
#include "api/gate.h"
#include "api/placement/placement.h"
#include "api/storage/storage.h"
#include "api/storage/warehouse_secrets.h"
#include "api/storage/widen.h"
#include "api/target.h"
#include "app/app.h"
#include "storage/objio.h"
#include "storage/sts.h"
#include "util/arena.h"
#include "util/json.h"
#include "util/location.h"
#include "util/log.h"

/* The first of two spellings of a storage_config key that is set. */
static const char *
conf(struct pgl_req *r, const json_t *cfg, const char *dotted,
    const char *plain)
{
	const char	*v = pgl_json_str(cfg, dotted);

	if (v == NULL || *v == '\0')
		v = pgl_json_str(cfg, plain);
	return (v != NULL && *v != '\0' ? pgl_arena_strdup(r->arena, v) :
	    NULL);
}

/*
 * The role to assume for vended credentials: the AwsSts vending strategy,
 * or use_sts with storage_config's role_arn (pangolin-api.md §2.2).
 * sts->role_arn stays NULL when the warehouse vends no STS credentials.
 */
static void
sts_settings(struct pgl_req *r, const struct pgl_warehouse *w,
    const json_t *cfg, struct pgl_sts *sts)
{
	json_t		*vs = api_obj(w->vending_strategy);
	const json_t	*aws = json_object_get(vs, "AwsSts");
	const char	*d;
	long		 secs;

	memset(sts, 0, sizeof(*sts));
	if (json_is_object(aws)) {
		sts->role_arn = conf(r, aws, "role_arn", "role-arn");
		sts->external_id = conf(r, aws, "external_id", "external-id");
	} else if (w->use_sts)
		sts->role_arn = conf(r, cfg, "s3.role-arn", "role_arn");
	json_decref(vs);
	if (sts->role_arn == NULL)
		return;
	if (sts->external_id == NULL)
		sts->external_id = conf(r, cfg, "s3.external-id",
		    "external_id");
	sts->endpoint = conf(r, cfg, "s3.sts-endpoint", "sts_endpoint");
	sts->region = conf(r, cfg, "s3.sts-region", "sts_region");
	d = pgl_json_str(cfg, "sts_duration_secs");
	secs = d != NULL ? strtol(d, NULL, 10) : 0;
	sts->duration_secs = secs > 0 && secs <= PGL_STS_DURATION_MAX ?
	    (int)secs : PGL_STS_DURATION_DEFAULT;
}

/*
 * A warehouse's S3 settings, secrets opened: where its bucket is, its
 * keys, whether they may be handed out (the operator lists its bucket),
 * its STS role when sts is not NULL, and its root
 * s3://<bucket>[/<prefix>] when root is not NULL.
 */
int
api_warehouse_s3(struct pgl_req *r, const struct pgl_warehouse *w,
    struct pgl_s3 *s3, int *vend_keys, struct pgl_sts *sts,
    const char **root, struct pgl_err *err)
{
	const char	*ps, *prefix;
	json_t		*cfg;

	if ((cfg = api_secrets_open(r, "storage_config",
	    w->storage_config)) == NULL) {
		err->code = PGL_EINTERNAL;
		(void)snprintf(err->msg, sizeof(err->msg), "warehouse '%s': "
		    "its secrets cannot be opened", w->name);
		return (err->code);
	}
	memset(s3, 0, sizeof(*s3));
	s3->name = pgl_arena_strdup(r->arena, w->name);
	s3->bucket = conf(r, cfg, "s3.bucket", "bucket");
	s3->region = conf(r, cfg, "s3.region", "region");
	s3->endpoint = conf(r, cfg, "s3.endpoint", "endpoint");
	s3->access_key = conf(r, cfg, "s3.access-key-id", "access_key_id");
	s3->secret_key = conf(r, cfg, "s3.secret-access-key",
	    "secret_access_key");
	s3->session_token = conf(r, cfg, "s3.session-token", "session_token");
	ps = conf(r, cfg, "s3.path-style-access", "path_style_access");
	prefix = conf(r, cfg, "s3.prefix", "prefix");
	/* An endpoint of one's own (MinIO, Swift, Ceph) is path-style
	 * unless told otherwise; AWS itself is virtual-hosted. */
	s3->path_style = ps != NULL ? strcmp(ps, "true") == 0 :
	    s3->endpoint != NULL;
	if (s3->region == NULL)
		s3->region = "us-east-1";
	/* Long-term keys leave only where the operator lists the bucket
	 * (widen.h), never on storage_config's word. */
	*vend_keys = api_widen_static_keys(s3->bucket);
	if (sts != NULL)
		sts_settings(r, w, cfg, sts);
	json_decref(cfg);
	if (s3->bucket == NULL || s3->access_key == NULL ||
	    s3->secret_key == NULL) {
		err->code = PGL_EINVAL;
		(void)snprintf(err->msg, sizeof(err->msg), "warehouse '%s': "
		    "storage_config needs a bucket, an access key id and a "
		    "secret access key for S3", w->name);
		return (err->code);
	}
	if (root != NULL)
		*root = prefix != NULL ? pgl_arena_printf(r->arena,
		    "s3://%s/%s", s3->bucket, prefix) : pgl_arena_printf(
		    r->arena, "s3://%s", s3->bucket);
	return (PGL_OK);
}

/* An Azure warehouse's settings into st; its Blob endpoint, in st->s3,
 * keys the endpoint's breaker and the pool's gate. */
static int
azure_settings(struct pgl_req *r, const struct pgl_warehouse *w,
    struct pgl_storage *st, struct pgl_err *err)
{
	struct api_azure_conf	ac;

	if (api_warehouse_azure(r, w, &ac, err) != PGL_OK)
		return (err->code);
	st->az = ac.az;
	st->vend_container_sas = ac.vend_container_sas;
	st->sas_lifetime_secs = ac.sas_lifetime_secs;
	st->s3.endpoint = ac.origin;
	st->s3.region = "azure";
	st->s3.access_key = ac.az.account;
	st->s3.name = ac.az.name;
	if (!pgl_location_within(st->root, ac.root)) {
		err->code = PGL_EINVAL;
		(void)snprintf(err->msg, sizeof(err->msg), "catalog storage "
		    "%.80s lies outside its warehouse '%s' (%.80s)", st->root,
		    w->name, ac.root);
		return (err->code);
	}
	return (PGL_OK);
}

static int
s3_settings(struct pgl_req *r, const struct pgl_catalog *c,
    struct pgl_storage *st, struct pgl_err *err)
{
	struct pgl_warehouse	 w;

	if (c->warehouse_name == NULL) {
		err->code = PGL_EINVAL;
		(void)snprintf(err->msg, sizeof(err->msg), "catalog '%s' "
		    "keeps its files on %s but has no warehouse", c->name,
		    st->is_azure ? "Azure" : "S3");
		return (err->code);
	}
	if (api_get_warehouse(r, r->tenant, c->warehouse_name, &w,
	    err) != PGL_OK) {
		/* The store's own words stay in the log, not the answer. */
		if (err->code == PGL_ENOTFOUND)
			err->code = PGL_EINVAL;
		(void)snprintf(err->msg, sizeof(err->msg), "catalog '%s': its "
		    "warehouse '%s' %s", c->name, c->warehouse_name,
		    err->code == PGL_EINVAL ? "does not exist" :
		    "cannot be read now");
		return (err->code);
	}
	st->warehouse_id = pgl_arena_strdup(r->arena, w.id);
	if (st->is_azure)
		return (azure_settings(r, &w, st, err));
	return (api_warehouse_s3(r, &w, &st->s3, &st->vend_keys, &st->sts,
	    NULL, err));
}

int
api_storage(struct pgl_req *r, const struct pgl_catalog *c,
    const struct pgl_storage **out, struct pgl_err *err)
{
	struct pgl_req_app	*a = r->app;
	struct pgl_storage	*st;
	const char		*root = c->storage_location, *why, *path;
	char			 container[64], account[64];

	if (a->storage != NULL && strcmp(a->storage_catalog, c->id) == 0) {
		*out = a->storage;
		return (PGL_OK);
	}
	/* Every file of a catalog is reached through here: one placed
	 * outside the operator's local roots is never touched. */
	if ((why = api_placement_serving(r, c)) != NULL) {
		err->code = PGL_EINVAL;
		(void)snprintf(err->msg, sizeof(err->msg), "%s", why);
		return (err->code);
	}
	if ((st = pgl_arena_alloc(r->arena, sizeof(*st))) == NULL) {
		err->code = PGL_ENOMEM;
		(void)snprintf(err->msg, sizeof(err->msg), "out of memory");
		return (err->code);
	}
	memset(st, 0, sizeof(*st));
	st->root = root;
	st->is_s3 = root != NULL && (strncmp(root, "s3://", 5) == 0 ||
	    strncmp(root, "s3a://", 6) == 0);
	st->is_azure = root != NULL && pgl_azure_split(root, container,
	    sizeof(container), account, sizeof(account), &path) == 0;
	st->remote = st->is_s3 || st->is_azure;
	if (st->remote && s3_settings(r, c, st, err) != PGL_OK)
		return (err->code);
	a->storage = st;
	a->storage_catalog = pgl_arena_strdup(r->arena, c->id);
	*out = st;
	return (PGL_OK);
}

/* Where a client finds the bucket: region, addressing, endpoint. */
static json_t *
bucket_config(const struct pgl_storage *st)
{
	json_t	*cfg = json_object();

	json_object_set_new(cfg, "s3.region", json_string(st->s3.region));
	json_object_set_new(cfg, "s3.path-style-access",
	    json_string(st->s3.path_style ? "true" : "false"));
	if (st->s3.endpoint != NULL)
		json_object_set_new(cfg, "s3.endpoint",
		    json_string(st->s3.endpoint));
	return (cfg);
}

/*
 * Where the client reached this catalog: its Host header, with https when
 * a TLS-terminating proxy says so (the catalog itself speaks plain HTTP).
 * NULL when the Host is not a plain host[:port], so nothing odd is echoed.
 */
static const char *
signer_uri(struct pgl_req *r)
{
	const char	*host = pgl_header(r, "host");
	const char	*proto = pgl_header(r, "x-forwarded-proto");
	const char	*p;

	if (host == NULL || *host == '\0' || strlen(host) > 255)
		return (NULL);
	for (p = host; *p != '\0'; p++) {
		if (!isalnum((unsigned char)*p) && strchr(".-:[]", *p) == NULL)
			return (NULL);
	}
	return (pgl_arena_printf(r->arena, "%s://%s", proto != NULL &&
	    strcmp(proto, "https") == 0 ? "https" : "http", host));
}

/*
 * X-Iceberg-Access-Delegation: remote-signing.  No keys: where the bucket
 * is, and the table's signing endpoint (rest/sign.c): s3.signer.uri is
 * this catalog as the client reached it, s3.signer.endpoint the table's
 * sign route relative to it (the names Iceberg's S3 signer client reads).
 */
static json_t *
signing_config(struct pgl_req *r, const struct pgl_catalog *c,
    const char *table)
{
	const struct pgl_storage	*st;
	struct pgl_err			 err;
	const char			*ns = pgl_param(r, "namespace");
	const char			*uri;
	json_t				*cfg;

	if (api_storage(r, c, &st, &err) != PGL_OK || !st->is_s3 ||
	    ns == NULL)
		return (NULL);
	cfg = bucket_config(st);
	json_object_set_new(cfg, "s3.remote-signing-enabled",
	    json_string("true"));
	if ((uri = signer_uri(r)) != NULL)
		json_object_set_new(cfg, "s3.signer.uri", json_string(uri));
	json_object_set_new(cfg, "s3.signer.endpoint", json_string(
	    pgl_arena_printf(r->arena, "v1/%s/namespaces/%s/tables/%s/sign",
	    c->name, ns, table)));
	return (cfg);
}

/*
 * Whether this caller may write the request's table: update on the table
 * (the row authorization looked up), or on its namespace when there is no
 * row yet (create, register).  Admins may.
 */
int
api_may_write(struct pgl_req *r, const struct pgl_catalog *c)
{
	struct pgl_target	 t = { c->id, "", "", NULL, 0, 0 };
	const char		*branch;

	if (api_is_admin(r))
		return (1);
	if (r->app->have_asset) {
		t.ns = r->app->asset.ns;
		t.asset_id = r->app->asset.id;
	} else if (ice_parse_ns(r, pgl_param(r, "namespace"), &t.ns,
	    &branch) == -1)
		return (0);
	return (api_allowed(r, PGL_ACT_UPDATE, &t));
}

/*
 * X-Iceberg-Access-Delegation: vended-credentials.  What a client needs
 * to read and write a table's files on S3 itself.  From a warehouse that
 * vends from STS: the temporary keys api_sts_prepare() got for this
 * request (sts_vend.h), scoped to the table, to any caller who may read it (write
 * actions only for writers).  Otherwise the warehouse's static keys, when
 * the operator lists its bucket and only to a caller who may write the
 * table; anyone else is offered remote signing for a table, nothing
 * otherwise.  NULL when not asked for, or when the catalog's files are on
 * local disk.
 */
json_t *
api_vended_config(struct pgl_req *r, const struct pgl_catalog *c,
    const char *table)
{
	const char	*h = pgl_header(r, "x-iceberg-access-delegation");
	json_t		*cfg;

	if (h == NULL)
		return (NULL);
	if (strstr(h, "vended-credentials") != NULL &&
	    (cfg = api_client_config(r, c)) != NULL)
		return (cfg);
	if (table != NULL && (strstr(h, "remote-signing") != NULL ||
	    strstr(h, "vended-credentials") != NULL))
		return (signing_config(r, c, table));
	return (NULL);
}

/* Temporary keys from STS, their expiry told (clients refresh by it). */
static json_t *
sts_config(struct pgl_req *r, const struct pgl_storage *st)
{
	const struct pgl_sts_creds	*k = r->app->vended;
	json_t				*cfg;
	char				 ms[24];

	if (k == NULL)
		return (NULL);
	cfg = bucket_config(st);
	(void)snprintf(ms, sizeof(ms), "%lld", (long long)k->expires_ms);
	json_object_set_new(cfg, "s3.access-key-id",
	    json_string(k->access_key));
	json_object_set_new(cfg, "s3.secret-access-key",
	    json_string(k->secret_key));
	json_object_set_new(cfg, "s3.session-token", json_string(k->token));
	json_object_set_new(cfg, "s3.session-token-expires-at-ms",
	    json_string(ms));
	return (cfg);
}

/*
 * Where the account is, for a client: Azure's own hosts need nothing;
 * any other endpoint (a sovereign cloud's, the emulator's) is told both
 * the ways Iceberg Java (adls.connection-string.<host>, its endpoint)
 * and PyIceberg (adls.account-host, the storage authorities and
 * schemes) read it.
 */
static void
endpoint_config(struct pgl_req *r, const struct pgl_storage *st,
    const char *host, json_t *cfg)
{
	const char	*ep = st->az.endpoint, *auth, *end;
	int		 http;

	if (ep == NULL)
		return;
	http = strncmp(ep, "http://", 7) == 0;
	auth = ep + (http ? 7 : 8);
	end = auth + strcspn(auth, "/");
	json_object_set_new(cfg, pgl_arena_printf(r->arena,
	    "adls.connection-string.%s", host), json_string(ep));
	json_object_set_new(cfg, "adls.account-host", json_string(auth));
	json_object_set_new(cfg, "adls.blob-storage-scheme",
	    json_string(http ? "http" : "https"));
	json_object_set_new(cfg, "adls.dfs-storage-scheme",
	    json_string(http ? "http" : "https"));
	json_object_set_new(cfg, "adls.blob-storage-authority",
	    json_string(pgl_arena_printf(r->arena, "%.*s", (int)(end - auth),
	    auth)));
	json_object_set_new(cfg, "adls.dfs-storage-authority",
	    json_string(pgl_arena_printf(r->arena, "%.*s", (int)(end - auth),
	    auth)));
}

static json_t *
azure_config(struct pgl_req *r, const struct pgl_storage *st)
{
	const struct api_sas	*s = r->app->sas != NULL && r->app->sas->held ?
				    r->app->sas : NULL;
	const char		*host, *dfs;
	json_t			*cfg;
	char			 ms[24], canon[PGL_LOCATION_MAX + 16];

	if (s == NULL)
		return (NULL);
	/* The account's DFS host as the server spells locations. */
	dfs = strchr(pgl_location_canon(st->root, canon, sizeof(canon)), '@');
	host = dfs != NULL ? pgl_arena_printf(r->arena, "%.*s", (int)strcspn(
	    dfs + 1, "/"), dfs + 1) : NULL;
	if (host == NULL)
		return (NULL);
	cfg = json_object();
	(void)snprintf(ms, sizeof(ms), "%lld", (long long)s->expires_ms);
	json_object_set_new(cfg, pgl_arena_printf(r->arena,
	    "adls.sas-token.%s", host), json_string(s->token));
	json_object_set_new(cfg, pgl_arena_printf(r->arena,
	    "adls.sas-token-expires-at-ms.%s", host), json_string(ms));
	json_object_set_new(cfg, "adls.account-name",
	    json_string(st->az.account));
	json_object_set_new(cfg, "adls.sas-token", json_string(s->token));
	endpoint_config(r, st, host, cfg);
	return (cfg);
}

int
api_keys_shared(struct pgl_req *r, const struct pgl_s3 *s3,
    const char *warehouse_id)
{
	const char	*place;
	json_t		*cfg;
	int		 rc;

	if ((cfg = json_pack("{s:s,s:s}", "type", "s3", "bucket",
	    s3->bucket)) == NULL)
		return (-1);
	rc = api_widen_shared(r, cfg, warehouse_id, &place);
	json_decref(cfg);
	if (rc == 1)
		pgl_log(PGL_LOG_WARN, "warehouse '%s': %s holds another "
		    "warehouse: its keys are not vended ([storage] "
		    "static_key_buckets)", s3->name, place);
	return (rc);
}

json_t *
api_client_config(struct pgl_req *r, const struct pgl_catalog *c)
{
	const struct pgl_storage	*st;
	struct pgl_err			 err;
	json_t				*cfg;

	if (api_storage(r, c, &st, &err) != PGL_OK)
		return (NULL);
	if (st->is_azure)
		return (azure_config(r, st));
	if (!st->is_s3)
		return (NULL);
	/* Never the static keys from a warehouse that vends from STS. */
	if (st->sts.role_arn != NULL)
		return (sts_config(r, st));
	if (!st->vend_keys || !api_may_write(r, c) ||
	    api_keys_shared(r, &st->s3, st->warehouse_id) != 0)
		return (NULL);
	cfg = bucket_config(st);
	json_object_set_new(cfg, "s3.access-key-id",
	    json_string(st->s3.access_key));
	json_object_set_new(cfg, "s3.secret-access-key",
	    json_string(st->s3.secret_key));
	if (st->s3.session_token != NULL)
		json_object_set_new(cfg, "s3.session-token",
		    json_string(st->s3.session_token));
	return (cfg);
}
