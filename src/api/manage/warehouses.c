/*
 * Warehouses (pangolin-api.md §2.2): where a tenant's table data lives.
 * Local-disk warehouses are {"type": "local", "root": "/abs/path"}, S3
 * ones {"type": "s3", "bucket", ...}, Azure ones {"type": "azure",
 * "account_name", "container", ...} (warehouse_azure.c); GCS keys are
 * stored for a later issue.  A tenant
 * admin manages its own; root creates and updates them in the tenant it
 * names, and may place a local one anywhere in a configured root outside
 * other tenants' storage (placement.h; unlike §2.2, where root is 403).
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "api/api.h"
#include "api/manage/manage.h"
#include "api/config_cache.h"
#include "api/placement/placement.h"
#include "api/storage/azure_container.h"
#include "api/storage/warehouse_secrets.h"
#include "api/storage/widen.h"
#include "api/target.h"
#include "app/app.h"
#include "storage/endpoint.h"
#include "util/json.h"
#include "util/location.h"

static const struct pgl_jfield create_fields[] = {
	{ "name", PGL_J_STRING, 1 },
	{ "use_sts", PGL_J_BOOL, 0 },
	{ "storage_config", PGL_J_STRMAP, 0 },
	{ "vending_strategy", PGL_J_ANY, 0 },
	{ NULL, 0, 0 }
};

static const struct pgl_jfield update_fields[] = {
	{ "name", PGL_J_STRING, 0 },
	{ "use_sts", PGL_J_BOOL, 0 },
	{ "storage_config", PGL_J_STRMAP, 0 },
	{ "vending_strategy", PGL_J_ANY, 0 },
	{ NULL, 0, 0 }
};

/* "None", or {"AwsStatic": {...}} with the variant's secrets masked. */
static json_t *
masked_vending(const char *text)
{
	json_t		*vs, *v;
	const char	*k;

	if (text == NULL)
		return (json_string("None"));
	vs = pgl_json_load_or(text, json_string("None"));
	json_object_foreach(vs, k, v)
		api_secrets_mask(v);
	return (vs);
}

static json_t *
warehouse_json(const struct pgl_warehouse *w)
{
	return (json_pack("{s:s,s:s,s:s,s:b,s:o,s:o}", "id", w->id, "name",
	    w->name, "tenant_id", w->tenant_id, "use_sts", w->use_sts,
	    "storage_config", api_secrets_mask(api_obj(w->storage_config)),
	    "vending_strategy", masked_vending(w->vending_strategy)));
}

/* "None" or {"AwsSts"|"AwsStatic"|"AzureSas"|"GcpDownscoped": {...}}. */
static const char *
vending_check(const json_t *v)
{
	static const char *const kinds[] = {
		"AwsSts", "AwsStatic", "AzureSas", "GcpDownscoped"
	};
	const char	*k;
	size_t		 i;

	if (json_is_string(v))
		return (strcmp(json_string_value(v), "None") == 0 ? NULL :
		    "vending_strategy must be \"None\" or a tagged object");
	if (!json_is_object(v) || json_object_size(v) != 1)
		return ("vending_strategy must be \"None\" or an object with "
		    "one of AwsSts, AwsStatic, AzureSas, GcpDownscoped");
	k = json_object_iter_key(json_object_iter((json_t *)v));
	for (i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		if (strcmp(k, kinds[i]) == 0)
			return (json_is_object(json_object_get(v, k)) ? NULL :
			    "vending_strategy variant must be an object");
	}
	return ("unknown vending_strategy variant");
}

/* S3's rules for a bucket name: 3-63 of [a-z0-9.-], ends alphanumeric. */
static int
bucket_ok(const char *b)
{
	size_t	i, len = strlen(b);

	if (len < 3 || len > 63 || !isalnum((unsigned char)b[0]) ||
	    !isalnum((unsigned char)b[len - 1]))
		return (0);
	for (i = 0; i < len; i++) {
		if (!islower((unsigned char)b[i]) &&
		    !isdigit((unsigned char)b[i]) && b[i] != '.' && b[i] != '-')
			return (0);
	}
	return (1);
}

/* Access keys, secrets, tokens and region: visible ASCII, no spaces. */
static int
credentials_ok(const json_t *cfg)
{
	static const char *const keys[] = { "s3.access-key-id",
	    "access_key_id", "s3.secret-access-key", "secret_access_key",
	    "s3.session-token", "session_token", "s3.region", "region" };
	const char	*v;
	size_t		 i;

	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		if ((v = pgl_json_str(cfg, keys[i])) != NULL &&
		    !api_warehouse_word_ok(v, 2048))
			return (0);
	}
	return (1);
}

/* An S3 warehouse: a bucket S3 accepts, an http(s) endpoint if any. */
static const char *
s3_check(const json_t *cfg)
{
	const char	*bucket = pgl_json_str(cfg, "s3.bucket");
	const char	*ep = pgl_json_str(cfg, "s3.endpoint");
	const char	*prefix = pgl_json_str(cfg, "s3.prefix");
	const char	*why;

	if (bucket == NULL)
		bucket = pgl_json_str(cfg, "bucket");
	if (ep == NULL)
		ep = pgl_json_str(cfg, "endpoint");
	if (prefix == NULL)
		prefix = pgl_json_str(cfg, "prefix");
	if (bucket == NULL)
		return ("an s3 warehouse needs storage_config.bucket "
		    "(or s3.bucket)");
	if (!bucket_ok(bucket))
		return ("storage_config bucket is not a name S3 accepts (3 to "
		    "63 of a-z, 0-9, '.' and '-')");
	if (ep != NULL && ((strncmp(ep, "http://", 7) != 0 &&
	    strncmp(ep, "https://", 8) != 0) || strlen(ep) > 200 ||
	    strpbrk(ep, " \t\r\n?#@") != NULL ||
	    ep[strlen(ep) - 1] == '/' || strchr(strstr(ep, "//") + 2, '/')))
		return ("storage_config endpoint must be an http:// or "
		    "https:// URL with no path (http://host:port)");
	if (ep != NULL &&
	    (why = api_warehouse_endpoint_refused("endpoint", ep)) != NULL)
		return (why);
	if (prefix != NULL && !api_warehouse_prefix_ok(prefix, ""))
		return ("storage_config prefix must be key segments without "
		    "'.', '..' or control bytes");
	if (!credentials_ok(cfg))
		return ("storage_config keys and region must be printable "
		    "text without spaces (they go into signed headers)");
	return (NULL);
}

/*
 * Validate storage_config; a local warehouse's root must follow the
 * placement rule (placement.h) for r's principal, and is created there.
 */
static const char *
storage_check(struct pgl_req *r, const json_t *cfg)
{
	const char	*type = pgl_json_str(cfg, "type");
	const char	*root = pgl_json_str(cfg, "root");
	const char	*why;

	if (type == NULL)
		type = "s3";
	if (strcmp(type, "s3") == 0)
		return (s3_check(cfg));
	if (strcmp(type, "azure") == 0)
		return (api_warehouse_azure_check(r, cfg));
	if (strcmp(type, "local") != 0 && strcmp(type, "filesystem") != 0) {
		if (strcmp(type, "gcs") != 0 && strcmp(type, "gcp") != 0)
			return ("storage_config.type must be local, s3, azure "
			    "or gcs");
		return (NULL);
	}
	if (root == NULL)
		root = pgl_json_str(cfg, "path");
	if (root == NULL)
		return ("a local warehouse needs storage_config.root");
	if (!pgl_location_is_local(root))
		return ("storage_config.root must be an absolute path");
	if ((why = pgl_location_check(root)) != NULL)
		return (why);
	return (api_placement_warehouse(r, root));
}

/* A local warehouse created without a root: <local root>/<tenant>/<name>. */
static void
default_root(struct pgl_req *r)
{
	json_t		*cfg = json_object_get(r->body, "storage_config");
	const char	*type;

	if (cfg == NULL || !json_is_object(cfg))
		return;
	type = pgl_json_str(cfg, "type");
	if (type == NULL || (strcmp(type, "local") != 0 &&
	    strcmp(type, "filesystem") != 0) ||
	    json_object_get(cfg, "root") != NULL ||
	    json_object_get(cfg, "path") != NULL)
		return;
	json_object_set_new(cfg, "root", json_string(api_placement_default(r,
	    pgl_json_str(r->body, "name"))));
}

/*
 * 400 for a bad vending_strategy and, when check_storage is set, a bad
 * storage_config.  An update checks its storage_config after merging it
 * into the stored one (a new root alone must be checked too).
 */
static int
check_body(struct pgl_req *r, int check_storage)
{
	const json_t	*v;
	const char	*why = NULL;

	/* A wider credential is the operator's grant (widen.h): 422. */
	if ((v = json_object_get(r->body, "storage_config")) != NULL &&
	    (why = api_widen_refused(r, v)) != NULL) {
		pgl_reply_error(r, 422, "%s", why);
		return (-1);
	}
	if ((v = json_object_get(r->body, "vending_strategy")) != NULL &&
	    !json_is_null(v))
		why = vending_check(v);
	if (why == NULL && check_storage && (v = json_object_get(r->body,
	    "storage_config")) != NULL && !json_is_null(v))
		why = storage_check(r, v);
	if (why != NULL) {
		pgl_reply_error(r, 400, "%s", why);
		return (-1);
	}
	return (0);
}

/*
 * The body's storage_config, secrets sealed (stored: the values a mask
 * keeps, or NULL on create), as store text; NULL after a reply.
 */
static const char *
sealed_config(struct pgl_req *r, const json_t *upd, const char *stored_text)
{
	json_t		*cfg = api_obj(stored_text), *copy;
	const char	*out = NULL;

	copy = json_deep_copy(upd);
	/* The ceiling applies to the map as stored, secrets sealed. */
	if (api_secrets_seal(r, "storage_config", copy, cfg) == 0) {
		json_object_update(cfg, copy);
		/* "false" sent, or stored before the rule: never kept. */
		api_widen_strip(cfg);
		if (api_map_fits(r, cfg, "storage_config") == 0)
			out = api_text(r->arena, cfg);
	}
	json_decref(copy);
	json_decref(cfg);
	return (out);
}

/* The body's vending_strategy with its variant's secrets sealed. */
static int
sealed_vending(struct pgl_req *r, const char *stored_text, const char **out)
{
	const json_t	*v = json_object_get(r->body, "vending_strategy");
	json_t		*copy, *stored, *variant;
	const char	*kind;
	char		 where[64];
	int		 rc = 0;

	if (v == NULL || json_is_null(v))
		return (0);
	if (!json_is_object(v)) {
		*out = api_text(r->arena, v);
		return (0);
	}
	copy = json_deep_copy(v);
	stored = pgl_json_load_or(stored_text, json_object());
	kind = json_object_iter_key(json_object_iter(copy));
	variant = json_object_get(copy, kind);
	(void)snprintf(where, sizeof(where), "vending_strategy.%s", kind);
	if ((rc = api_secrets_seal(r, where, variant,
	    json_object_get(stored, kind))) == 0)
		*out = api_text(r->arena, copy);
	json_decref(stored);
	json_decref(copy);
	return (rc);
}

/*
 * Root places storage for a tenant (the operator's hand in the API), so
 * it must name that tenant with X-Pangolin-Tenant, as for grants; the
 * default tenant is named by its nil id.  -1 after a reply.
 */
static int
tenant_context(struct pgl_req *r)
{
	struct pgl_tenant	 t;
	struct pgl_err		 err;
	const char		*named = pgl_header(r, "x-pangolin-tenant");

	if (r->who.role != ROLE_ROOT)
		return (0);
	if (strcmp(r->tenant, PGL_NIL_UUID) == 0 && (named == NULL ||
	    strcmp(named, PGL_NIL_UUID) != 0)) {
		pgl_reply_error(r, 400, "root must name a tenant "
		    "(X-Pangolin-Tenant) to create or update its warehouses");
		return (-1);
	}
	if (STORE(get_tenant, r->arena, r->tenant, &t, &err) != PGL_OK) {
		pgl_reply_missing(r, &err, "Tenant not found");
		return (-1);
	}
	return (0);
}

/*
 * w's vending_strategy text with its variant's secrets opened, in r's
 * arena; NULL after a reply.  (An unset one stays NULL: *out.)
 */
static int
opened_vending(struct pgl_req *r, const char *text, const char **out)
{
	json_t		*vs, *plain;
	const char	*kind;
	char		*vtext;

	*out = text;
	if (text == NULL)
		return (0);
	vs = pgl_json_load_or(text, NULL);
	if (!json_is_object(vs) || json_object_size(vs) != 1) {
		json_decref(vs);
		return (0);
	}
	kind = json_object_iter_key(json_object_iter(vs));
	vtext = api_text(r->arena, json_object_get(vs, kind));
	if ((plain = api_secrets_open(r, "vending_strategy", vtext != NULL ?
	    vtext : "{}")) == NULL) {
		json_decref(vs);
		return (-1);
	}
	json_object_set_new(vs, kind, plain);
	*out = api_text(r->arena, vs);
	json_decref(vs);
	return (0);
}

/*
 * 1 after a 400 for STS settings that cannot vend as stored.  Checked on
 * the values as they will be used, secrets opened: sealed (with
 * PANGOLIN_ENCRYPTION_KEY set) an external_id with a space once passed
 * the check (issue 67's encryption pass found it).
 */
static int
sts_refused(struct pgl_req *r, const struct pgl_warehouse *w)
{
	const char	*why, *cfg = NULL, *vending;
	json_t		*plain;

	if ((plain = api_secrets_open(r, "storage_config",
	    w->storage_config)) == NULL)
		return (1);
	cfg = api_text(r->arena, plain);
	json_decref(plain);
	if (opened_vending(r, w->vending_strategy, &vending) == -1)
		return (1);
	if ((why = api_warehouse_sts_check(w->use_sts, cfg,
	    vending)) == NULL)
		return (0);
	pgl_reply_error(r, 400, "%s", why);
	return (1);
}

/*
 * The place w's storage_config names, checked where it is made or moved:
 * a container or bucket the operator lists for a wider credential holds
 * it alone (widen.h), and an Azure container exists (or is made where
 * the operator allows: azure_container.h).  -1 after a reply.
 */
static int
place_ready(struct pgl_req *r, const struct pgl_warehouse *w, int self)
{
	json_t		*cfg = api_obj(w->storage_config);
	const char	*type = pgl_json_str(cfg, "type"), *place;
	int		 rc, azure = type != NULL && strcmp(type, "azure") == 0;

	rc = api_widen_shared(r, cfg, self ? w->id : NULL, &place);
	json_decref(cfg);
	if (rc != 0) {
		if (rc == -1)
			pgl_set_header(r, "retry-after", "1");
		pgl_reply_error(r, rc == -1 ? 503 : 400, rc == -1 ? "the "
		    "metadata store cannot be read to check the place; retry "
		    "later" : "%s holds another warehouse: the operator lets "
		    "its warehouse vend credentials that reach all of it "
		    "([storage] azure_container_sas, static_key_buckets), so "
		    "it holds one warehouse only", place);
		return (-1);
	}
	return (azure ? api_azure_container_ready(r, w) : 0);
}

/*
 * A warehouse is where its catalogs keep their tables: without a
 * storage_config none of them could hold one (the first create fails
 * with nowhere to write), so it is refused where the mistake is made.
 * {"type": "local"} alone takes the default root.  -1 after a reply.
 */
static int
storage_given(struct pgl_req *r)
{
	const json_t	*cfg = json_object_get(r->body, "storage_config");

	if (cfg != NULL && !json_is_null(cfg))
		return (0);
	pgl_reply_error(r, 400, "storage_config is required: where the "
	    "warehouse's tables live, {\"type\": \"local\"} (the default "
	    "root) or {\"type\": \"s3\", \"bucket\": ...}");
	return (-1);
}

void
api_warehouse_create(struct pgl_req *r)
{
	struct pgl_warehouse	 w;
	struct pgl_err		 err;
	const json_t		*upd;
	char			 id[PGL_UUID_LEN + 1];

	if (tenant_context(r) == -1 || pgl_req_body(r, create_fields) == -1 ||
	    pgl_req_name(r, "name", pgl_json_str(r->body, "name")) == -1 ||
	    storage_given(r) == -1)
		return;
	default_root(r);
	if (check_body(r, 1) == -1)
		return;
	pgl_uuid_new(id);
	w.id = id;
	w.tenant_id = r->tenant;
	w.name = pgl_json_str(r->body, "name");
	w.use_sts = json_is_true(json_object_get(r->body, "use_sts"));
	w.storage_config = "{}";
	w.vending_strategy = NULL;
	upd = json_object_get(r->body, "storage_config");
	if ((upd != NULL && !json_is_null(upd) &&
	    (w.storage_config = sealed_config(r, upd, NULL)) == NULL) ||
	    sealed_vending(r, NULL, &w.vending_strategy) == -1 ||
	    sts_refused(r, &w) || place_ready(r, &w, 0) == -1)
		return;
	if (STORE(create_warehouse, &w, &err) != PGL_OK) {
		if (err.code == PGL_EEXISTS)
			(void)snprintf(err.msg, sizeof(err.msg),
			    "Warehouse '%s' already exists", w.name);
		pgl_reply_store_error(r, &err);
		return;
	}
	pgl_reply_json(r, 201, warehouse_json(&w));
}

void
api_warehouse_list(struct pgl_req *r)
{
	struct pgl_warehouse	*items;
	struct api_page		 pg;
	struct pgl_err		 err;
	json_t			*arr;
	uint64_t		 total = 0;
	size_t			 n, i;

	if (api_list_page(r, pgl_page_scope("warehouses", r->tenant, NULL),
	    &pg) == -1)
		return;
	if (STORE(list_warehouses, r->arena, r->tenant, &pg.pg, &items, &n,
	    pg.keyed ? NULL : &total, &err) != PGL_OK) {
		pgl_reply_store_error(r, &err);
		return;
	}
	arr = json_array();
	for (i = 0; i < n; i++)
		json_array_append_new(arr, warehouse_json(&items[i]));
	api_reply_page(r, arr, items, sizeof(*items),
	    API_KEY_S(struct pgl_warehouse, name), &pg, total);
}

static int
find(struct pgl_req *r, struct pgl_warehouse *w)
{
	const char	*name = pgl_param(r, "name");
	struct pgl_err	 err;

	if (api_get_warehouse(r, r->tenant, name, w, &err) !=
	    PGL_OK) {
		pgl_reply_missing(r, &err, "Warehouse '%.200s' not found",
		    name);
		return (-1);
	}
	return (0);
}

void
api_warehouse_get(struct pgl_req *r)
{
	struct pgl_warehouse	w;

	if (find(r, &w) == 0)
		pgl_reply_json(r, 200, warehouse_json(&w));
}

void
api_warehouse_update(struct pgl_req *r)
{
	struct pgl_warehouse	 w;
	struct pgl_err		 err;
	const char		*old, *name, *why;
	json_t			*cfg, *upd, *v;

	if (tenant_context(r) == -1 || pgl_req_body(r, update_fields) == -1 ||
	    check_body(r, 0) == -1 || find(r, &w) == -1)
		return;
	old = w.name;
	if ((name = pgl_json_str(r->body, "name")) != NULL) {
		if (pgl_req_name(r, "name", name) == -1)
			return;
		w.name = name;
	}
	if ((v = json_object_get(r->body, "use_sts")) != NULL &&
	    !json_is_null(v))
		w.use_sts = json_is_true(v);
	upd = json_object_get(r->body, "storage_config");
	if (upd != NULL && !json_is_null(upd)) {
		/* Root, the operator's hand, may move a warehouse with the
		 * secrets it holds; a tenant admin sends them again. */
		cfg = api_obj(w.storage_config);
		why = r->who.role != ROLE_ROOT ? api_secrets_moved(r, cfg,
		    upd) : NULL;
		json_decref(cfg);
		if (why != NULL) {
			pgl_reply_error(r, 422, "%s", why);
			return;
		}
		if ((w.storage_config = sealed_config(r, upd,
		    w.storage_config)) == NULL)
			return;
		/* Checked as used, secrets opened: a new secret sealed
		 * would pass any check of its text. */
		if ((cfg = api_secrets_open(r, "storage_config",
		    w.storage_config)) == NULL)
			return;
		why = storage_check(r, cfg);
		json_decref(cfg);
		if (why != NULL) {
			pgl_reply_error(r, 400, "%s", why);
			return;
		}
	}
	if (sealed_vending(r, w.vending_strategy, &w.vending_strategy) == -1 ||
	    sts_refused(r, &w) || (upd != NULL && !json_is_null(upd) &&
	    place_ready(r, &w, 1) == -1))
		return;
	if (STORE(update_warehouse, old, &w, &err) != PGL_OK) {
		pgl_reply_store_error(r, &err);
		return;
	}
	pgl_reply_json(r, 200, warehouse_json(&w));
}

void
api_warehouse_delete(struct pgl_req *r)
{
	const char	*name = pgl_param(r, "name");
	struct pgl_err	 err;

	if (STORE(delete_warehouse, r->tenant, name, &err) != PGL_OK) {
		if (err.code == PGL_EINUSE)
			pgl_reply_error(r, 409, "Warehouse '%.200s' is used by "
			    "a catalog", name);
		else
			pgl_reply_missing(r, &err, "Warehouse '%.200s' not "
			    "found", name);
		return;
	}
	pgl_reply_empty(r, 204);
}
