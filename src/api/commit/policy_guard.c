/*
 * Data policies as the commit sees them (issue 46): whether a tenant has
 * any (one cached check, so a tenant without policies pays nothing on
 * the hot paths), a catalog's policies, and the check that a table's
 * schema change does not break one.
 *
 * The cached answer is kept in the config cache under the shared config
 * epoch (config_cache.h): every committed management change, a policy's
 * among them, bumps it on every worker, and other replicas hear of it
 * through the store's announcements or within the cache's TTL.
 *
 * A schema change is refused (400 ValidationException naming the
 * policy) when a policy that holds on the table resolved on its old
 * schema and does not on the new one: a row filter that no longer
 * binds, a column action whose field is dropped, renamed out of a
 * namespace policy's name, or retyped so the action no longer applies.
 * Never silently: the writer is told which policy to change first.
 */
#include <stdio.h>
#include <string.h>

#include "api/api.h"
#include "api/commit/commit.h"
#include "api/commit/policy_guard.h"
#include "api/config_cache.h"
#include "app/app.h"
#include "auth/grant_cache.h"
#include "plugin/loader.h"
#include "policy/policy.h"
#include "util/arena.h"

#define WHAT_ANY	"policies-any"
#define MAX_TARGETS	64

int
ice_policies_any(struct pgl_req *r)
{
	struct pgl_policy	*ps;
	struct pgl_page		 one = { 1, 0 };
	struct pgl_err		 err;
	const char		*body;
	size_t			 len, n;
	uint64_t		 total = 0, epoch;

	if (!pgl_store_has_policies(pgl_app.db) || r->tenant[0] == '\0')
		return (0);
	if (api_list_cached(r, r->tenant, WHAT_ANY, &body, &len, &total) == 0)
		return (total > 0);
	/* The epoch first: a change committed meanwhile bumps it past. */
	epoch = pgl_grant_epoch();
	if (STORE(list_policies, r->arena, r->tenant, NULL, &one, &ps, &n,
	    &total, &err) != PGL_OK) {
		pgl_reply_store_error(r, &err);
		return (-1);
	}
	api_list_keep(r->tenant, WHAT_ANY, epoch, "", 0, total);
	return (total > 0);
}

int
ice_policies_of_catalog(struct pgl_req *r, const char *catalog,
    struct pgl_policy **ps, size_t *n)
{
	struct pgl_page	all = { 0, 0 };
	struct pgl_err	err;

	*ps = NULL;
	*n = 0;
	if (STORE(list_policies, r->arena, r->tenant, catalog, &all, ps, n,
	    NULL, &err) != PGL_OK) {
		pgl_reply_store_error(r, &err);
		return (-1);
	}
	return (0);
}

static int
has_target(const struct pgl_pol_target *t, size_t n, int64_t id)
{
	size_t	i;

	for (i = 0; i < n; i++)
		if (t[i].col.id == id && t[i].applicable)
			return (1);
	return (0);
}

/* Why p breaks on the new schema, or NULL. */
static const char *
breaks(struct pgl_req *r, const struct pgl_policy *p, const json_t *doc,
    struct pgl_pol_table *old, struct pgl_pol_table *next)
{
	struct pgl_pol_target	 a[MAX_TARGETS], b[MAX_TARGETS];
	json_t			*f;
	char			 why[256];
	size_t			 na, nb, i;

	if (pgl_pol_is_row_filter(doc)) {
		if ((f = pgl_pol_filter_bind(json_object_get(doc,
		    "row_filter"), old->schema, why, sizeof(why))) == NULL)
			return (NULL);
		json_decref(f);
		if ((f = pgl_pol_filter_bind(json_object_get(doc,
		    "row_filter"), next->schema, why, sizeof(why))) != NULL) {
			json_decref(f);
			return (NULL);
		}
		return (pgl_arena_printf(r->arena, "its row filter would no "
		    "longer bind (%s)", why));
	}
	na = pgl_pol_targets(p, doc, old, a, MAX_TARGETS);
	nb = pgl_pol_targets(p, doc, next, b, MAX_TARGETS);
	for (i = 0; i < na; i++) {
		if (!a[i].applicable || has_target(b, nb, a[i].col.id))
			continue;
		return (pgl_arena_printf(r->arena, "its %s on field %lld "
		    "would no longer apply (the field is dropped, renamed "
		    "away from the policy's column or retyped)",
		    json_string_value(json_object_get(doc, "action")),
		    (long long)a[i].col.id));
	}
	return (NULL);
}

static int
check_all(struct pgl_req *r, const struct ice_change *c,
    const struct pgl_policy *ps, size_t n, struct pgl_pol_table *old,
    struct pgl_pol_table *next)
{
	const char	*why;
	json_t		*doc;
	size_t		 i;

	for (i = 0; i < n; i++) {
		if (!pgl_pol_holds(&ps[i], c->t.catalog.name, c->t.ns,
		    c->t.name, c->asset.id) ||
		    (doc = api_obj(ps[i].doc)) == NULL)
			continue;
		why = breaks(r, &ps[i], doc, old, next);
		json_decref(doc);
		if (why == NULL)
			continue;
		pgl_reply_ice_error(r, 400, "ValidationException", "this "
		    "schema change would break data policy %s (id %s): %s; "
		    "change or delete the policy first", ps[i].name, ps[i].id,
		    why);
		return (-1);
	}
	return (0);
}

int
ice_policy_commit_check(struct pgl_req *r, const struct ice_change *c)
{
	struct pgl_pol_table	 old, next;
	struct pgl_policy	*ps;
	struct pgl_column_tag	*tags = NULL;
	struct pgl_err		 err;
	size_t			 n, ntags = 0;
	int			 any;

	if (c->next == NULL || c->base == NULL ||
	    strcmp(c->kind->asset, "ICEBERG_TABLE") != 0)
		return (0);
	memset(&old, 0, sizeof(old));
	old.schema = pgl_pol_current_schema(c->base);
	memset(&next, 0, sizeof(next));
	next.schema = pgl_pol_current_schema(c->next);
	/* The common commit (a snapshot) leaves the schema alone. */
	if (old.schema == NULL || next.schema == NULL ||
	    json_equal((json_t *)old.schema, (json_t *)next.schema))
		return (0);
	if ((any = ice_policies_any(r)) <= 0)
		return (any);
	if (ice_policies_of_catalog(r, c->t.catalog.name, &ps, &n) == -1)
		return (-1);
	if (n > 0 && STORE(list_column_tags, r->arena, r->tenant,
	    c->asset.id, NULL, &tags, &ntags, &err) != PGL_OK) {
		pgl_reply_store_error(r, &err);
		return (-1);
	}
	old.catalog = next.catalog = c->t.catalog.name;
	old.ns = next.ns = c->t.ns;
	old.name = next.name = c->t.name;
	old.tags = next.tags = tags;
	old.ntags = next.ntags = ntags;
	return (check_all(r, c, ps, n, &old, &next));
}

int
ice_policy_resolve(struct pgl_req *r, const char *catalog, const char *ns,
    const char *name, const char *asset_id, const json_t *md,
    const struct pgl_pol_principal *who, struct pgl_pol_result *res)
{
	struct pgl_pol_table	 t;
	struct pgl_policy	*ps = NULL;
	struct pgl_column_tag	*tags = NULL;
	struct pgl_err		 err;
	size_t			 n = 0, ntags = 0;
	int			 any;

	memset(res, 0, sizeof(*res));
	if ((any = ice_policies_any(r)) == -1)
		return (-1);
	if (any == 1 && ice_policies_of_catalog(r, catalog, &ps, &n) == -1)
		return (-1);
	if (n > 0 && asset_id != NULL && STORE(list_column_tags, r->arena,
	    r->tenant, asset_id, NULL, &tags, &ntags, &err) != PGL_OK) {
		pgl_reply_store_error(r, &err);
		return (-1);
	}
	memset(&t, 0, sizeof(t));
	t.catalog = catalog;
	t.ns = ns;
	t.name = name;
	t.schema = pgl_pol_current_schema(md);
	t.tags = tags;
	t.ntags = ntags;
	t.uuid = asset_id;
	if (pgl_pol_resolve(ps, n, who, &t, res) == -1) {
		pgl_reply_error(r, 503, "out of memory");
		return (-1);
	}
	return (0);
}
