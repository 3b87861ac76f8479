/*
 * Settings that widen a credential, the operator's (widen.h).
 */
#include <stdio.h>
#include <string.h>

#include "api/api.h"
#include "api/storage/widen.h"
#include "app/app.h"
#include "util/arena.h"
#include "util/json.h"

#define NITEMS(a)	(sizeof(a) / sizeof((a)[0]))

/* The storage_config keys that once asked for a wider credential. */
static const struct {
	const char	*key;
	const char	*setting;
	const char	*why;
} keys[] = {
	{ "vend_container_sas", "[storage] azure_container_sas "
	    "(PANGOLIN_AZURE_CONTAINER_SAS)", "a container-wide SAS reaches "
	    "every prefix of the container, other tenants' too" },
	{ "vend_static_keys", "[storage] static_key_buckets "
	    "(PANGOLIN_STATIC_KEY_BUCKETS)", "the warehouse's long-term keys "
	    "reach the whole bucket and whatever else they open" },
};

const char *
api_widen_refused(struct pgl_req *r, const json_t *cfg)
{
	const json_t	*v;
	size_t		 i;

	for (i = 0; i < NITEMS(keys); i++) {
		v = json_object_get(cfg, keys[i].key);
		/* "false" (or null) asks for nothing: a client that sends
		 * every key it knows keeps working. */
		if (v == NULL || json_is_null(v) || (json_is_string(v) &&
		    strcmp(json_string_value(v), "false") == 0))
			continue;
		return (pgl_arena_printf(r->arena, "storage_config.%s is the "
		    "operator's to set, not a warehouse's: %s; the operator "
		    "grants it in pangolin.toml, %s", keys[i].key, keys[i].why,
		    keys[i].setting));
	}
	return (NULL);
}

void
api_widen_strip(json_t *cfg)
{
	size_t	i;

	for (i = 0; i < NITEMS(keys); i++)
		(void)json_object_del(cfg, keys[i].key);
}

int
api_widen_container_sas(const char *account, const char *container)
{
	const struct pgl_strlist *l = &pgl_app.cfg->storage.azure_container_sas;
	size_t			 i, n;

	if (account == NULL || container == NULL)
		return (0);
	n = strlen(account);
	for (i = 0; i < l->n; i++) {
		if (strncmp(l->v[i], account, n) == 0 && l->v[i][n] == '/' &&
		    (strcmp(l->v[i] + n + 1, container) == 0 ||
		    strcmp(l->v[i] + n + 1, "*") == 0))
			return (1);
	}
	return (0);
}

int
api_widen_static_keys(const char *bucket)
{
	const struct pgl_strlist *l = &pgl_app.cfg->storage.static_key_buckets;
	size_t			 i;

	for (i = 0; bucket != NULL && i < l->n; i++) {
		if (strcmp(l->v[i], bucket) == 0)
			return (1);
	}
	return (0);
}

/* A storage_config's place: "a/c" for Azure, "s3:b" for S3, in a. */
static const char *
place_of(struct pgl_arena *a, const json_t *cfg)
{
	const char	*type = pgl_json_str(cfg, "type"), *b;

	if (type != NULL && strcmp(type, "azure") == 0)
		return (pgl_json_str(cfg, "account_name") == NULL ||
		    pgl_json_str(cfg, "container") == NULL ? NULL :
		    pgl_arena_printf(a, "%s/%s", pgl_json_str(cfg,
		    "account_name"), pgl_json_str(cfg, "container")));
	if (type != NULL && strcmp(type, "s3") != 0)
		return (NULL);
	if ((b = pgl_json_str(cfg, "s3.bucket")) == NULL)
		b = pgl_json_str(cfg, "bucket");
	return (b != NULL ? pgl_arena_printf(a, "s3:%s", b) : NULL);
}

/* The place of cfg when the operator lists it, else NULL. */
static const char *
listed(struct pgl_req *r, const json_t *cfg, const char **name)
{
	const char	*p = place_of(r->arena, cfg), *slash;
	char		 account[32];

	if (p == NULL)
		return (NULL);
	if (strncmp(p, "s3:", 3) == 0) {
		*name = pgl_arena_printf(r->arena, "bucket %s", p + 3);
		return (api_widen_static_keys(p + 3) ? p : NULL);
	}
	slash = strchr(p, '/');
	(void)snprintf(account, sizeof(account), "%.*s", (int)(slash - p), p);
	*name = pgl_arena_printf(r->arena, "container %s of account %s",
	    slash + 1, account);
	return (api_widen_container_sas(account, slash + 1) ? p : NULL);
}

int
api_widen_shared(struct pgl_req *r, const json_t *cfg, const char *self_id,
    const char **name)
{
	struct pgl_page		 all = { 0, 0, NULL };
	struct pgl_tenant	*ts;
	struct pgl_warehouse	*ws;
	struct pgl_err		 err;
	const char		*p, *q;
	json_t			*o;
	size_t			 nt, nw, i, j;

	*name = "";
	if ((p = listed(r, cfg, name)) == NULL)
		return (0);
	/* Every tenant's warehouses, as the placement rule reads them: a
	 * cost paid only where the operator listed the place. */
	if (STORE(list_tenants, r->arena, &all, &ts, &nt, NULL, &err) !=
	    PGL_OK)
		return (-1);
	for (i = 0; i < nt; i++) {
		if (STORE(list_warehouses, r->arena, ts[i].id, &all, &ws, &nw,
		    NULL, &err) != PGL_OK)
			return (-1);
		for (j = 0; j < nw; j++) {
			if (self_id != NULL && strcmp(ws[j].id, self_id) == 0)
				continue;
			o = api_obj(ws[j].storage_config);
			q = place_of(r->arena, o);
			json_decref(o);
			if (q != NULL && strcmp(p, q) == 0)
				return (1);
		}
	}
	return (0);
}
