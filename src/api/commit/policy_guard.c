/*
 * A table's schema change against the data policies on it (issue 46),
 * checked by the commit loop; the policies are read through the read
 * room (read/policies.h).
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
#include "api/read/policies.h"
#include "app/app.h"
#include "policy/policy.h"
#include "util/arena.h"

#define MAX_TARGETS	64

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
