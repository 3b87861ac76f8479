/*
 * A table policy (issue 46) is attached to a table, by its catalog,
 * namespace and name (the store's key) and, in its document, the id of
 * the row it was defined on (table_uuid, which the resolver compares to
 * flag a table made again under the name).  So that a table never
 * leaves its protection behind by changing its name or its row:
 *
 *  - a rename on main takes the table policies of the old name along;
 *  - a restore of a drop on main (undrop, which makes a new row for the
 *    same table: the same metadata file, the same field ids) makes the
 *    policies defined on the dropped row name the restored row, and,
 *    restored under another name, takes the table policies that held on
 *    it at the drop to that name, as a rename would.  When another table
 *    holds the old name since, those policies protect it as well (fail
 *    closed, flagged by the resolver): they stay, and the restored table
 *    gets copies of them.
 *
 * A table policy holds on every branch's table of its name, so on
 * another branch a rename, or a restore under another name, leaves
 * main's table (and the policy) where it is: the table under its new
 * name on that branch gets copies of its table policies instead (fail
 * closed: the copies hold on main's table of that name too, if there is
 * one).  Namespace and tag policies follow their own scope (a table moved
 * out of a namespace leaves that namespace's policies, as a file moved
 * out of a folder; its column tags come back with the restore,
 * commit/dropped.c).
 */
#include <stdio.h>
#include <string.h>

#include "api/api.h"
#include "api/commit/policy_follow.h"
#include "api/target.h"
#include "app/app.h"
#include "plugin/loader.h"
#include "util/arena.h"
#include "util/json.h"
#include "util/uuid.h"

#define KIND_TABLE	"ICEBERG_TABLE"

static int
on_main(const char *branch)
{
	return (branch != NULL && strcmp(branch, "main") == 0);
}

static int
names(const struct pgl_policy *p, const char *ns, const char *name)
{
	return (p->table_name != NULL && p->ns != NULL &&
	    strcmp(p->ns, ns) == 0 && strcmp(p->table_name, name) == 0);
}

/*
 * A copy of p for the table now at (to_ns, to_name), row asset_id: a new
 * id, a name of its own ("<name> (<how> ns.name)").  None when one of
 * the catalog's policies (all, n) already does the same there: renaming
 * a table back and forth on a branch must not multiply its policies (a
 * user who may rename would otherwise grow them without bound).
 */
static int
copy_policy(struct pgl_req *r, const struct pgl_policy *all, size_t n,
    struct pgl_policy p, const char *how, const char *to_ns,
    const char *to_name, const char *asset_id, struct pgl_err *err)
{
	char	id[PGL_UUID_LEN + 1];
	size_t	i;
	int	rc;

	for (i = 0; i < n; i++) {
		if (names(&all[i], to_ns, to_name) && all[i].doc != NULL &&
		    p.doc != NULL && strcmp(all[i].doc, p.doc) == 0)
			return (PGL_OK);
	}
	pgl_uuid_new(id);
	p.id = id;
	p.ns = to_ns;
	p.table_name = to_name;
	p.created_ms = p.updated_ms = pgl_now_ms();
	p.name = pgl_arena_printf(r->arena, "%s (%s %s)", p.name, how,
	    ice_dotted(r, to_ns, to_name));
	if ((rc = STORE(put_policy, &p, 1, err)) != PGL_EEXISTS)
		return (rc);
	/* Names are unique per tenant: the row's id makes it so; taken
	 * too, it is an earlier attempt's copy (a store without
	 * transactions keeps what a retried rename wrote). */
	p.name = pgl_arena_printf(r->arena, "%s %s", p.name, asset_id);
	if ((rc = STORE(put_policy, &p, 1, err)) == PGL_EEXISTS) {
		memset(err, 0, sizeof(*err));
		return (PGL_OK);
	}
	return (rc);
}

/* p, on the table now at (to_ns, to_name).  One deleted since it was
 * read (a policy create that lost to this rename takes its policy back,
 * in a store without transactions) is not moved. */
static int
move_policy(struct pgl_policy *p, const char *to_ns, const char *to_name,
    struct pgl_err *err)
{
	int	rc;

	p->ns = to_ns;
	p->table_name = to_name;
	p->updated_ms = pgl_now_ms();
	if ((rc = STORE(put_policy, p, 0, err)) == PGL_ENOTFOUND) {
		memset(err, 0, sizeof(*err));
		return (PGL_OK);
	}
	return (rc);
}

int
ice_policies_follow_rename(struct pgl_req *r, const char *catalog,
    const char *branch, const char *asset_id, const char *from_ns,
    const char *from_name, const char *to_ns, const char *to_name,
    struct pgl_err *err)
{
	struct pgl_policy	*ps;
	struct pgl_page		 all = { 0, 0, NULL };
	const char		*how;
	size_t			 n, i;
	int			 rc;

	if (!pgl_store_has_policies(pgl_app.db))
		return (PGL_OK);
	if ((rc = STORE(list_policies, r->arena, r->tenant, catalog, &all,
	    &ps, &n, NULL, err)) != PGL_OK)
		return (rc);
	how = pgl_arena_printf(r->arena, "renamed on %s as", branch);
	for (i = 0; i < n; i++) {
		if (!names(&ps[i], from_ns, from_name))
			continue;
		rc = on_main(branch) ? move_policy(&ps[i], to_ns, to_name,
		    err) : copy_policy(r, ps, n, ps[i], how, to_ns, to_name,
		    asset_id, err);
		if (rc != PGL_OK)
			return (rc);
	}
	return (PGL_OK);
}

/* p's document naming the restored row where it named the dropped one;
 * NULL when it did not (or could not be rewritten: then it keeps its
 * flag, and its protection). */
static const char *
doc_of_restored(struct pgl_req *r, const struct pgl_policy *p,
    const char *dropped_id, const char *asset_id)
{
	json_t		*doc;
	const char	*uuid, *out = NULL;

	if (dropped_id == NULL || (doc = pgl_json_load_or(p->doc, NULL)) ==
	    NULL)
		return (NULL);
	uuid = json_string_value(json_object_get(doc, "table_uuid"));
	if (uuid != NULL && strcmp(uuid, dropped_id) == 0 &&
	    json_object_set_new(doc, "table_uuid", json_string(asset_id)) == 0)
		out = api_text(r->arena, doc);
	json_decref(doc);
	return (out);
}

/* 1 when a table other than the restored row holds (ns, name) on main. */
static int
held_by_another(struct pgl_req *r, const char *catalog, const char *ns,
    const char *name, const char *asset_id, int *held, struct pgl_err *err)
{
	struct pgl_asset	a;
	int			rc;

	*held = 0;
	rc = STORE(get_asset, r->arena, r->tenant, catalog, "main", ns, name,
	    &a, err);
	if (rc == PGL_ENOTFOUND) {
		memset(err, 0, sizeof(*err));
		return (PGL_OK);
	}
	if (rc == PGL_OK)
		*held = strcmp(a.kind, KIND_TABLE) == 0 &&
		    strcmp(a.id, asset_id) != 0;
	return (rc);
}

int
ice_policies_follow_restore(struct pgl_req *r, const char *catalog,
    const struct pgl_dropped *d, const char *to_ns, const char *to_name,
    const char *asset_id, struct pgl_err *err)
{
	struct pgl_policy	*ps;
	struct pgl_page		 all = { 0, 0, NULL };
	const char		*doc;
	size_t			 n, i;
	int			 moved, held = 0, rc;

	if (!pgl_store_has_policies(pgl_app.db) ||
	    strcmp(d->kind, KIND_TABLE) != 0)
		return (PGL_OK);
	moved = strcmp(d->ns, to_ns) != 0 || strcmp(d->name, to_name) != 0;
	/* Elsewhere than main, restored under its name, the policies of
	 * that name hold on it already. */
	if (!on_main(d->branch) && !moved)
		return (PGL_OK);
	if ((rc = STORE(list_policies, r->arena, r->tenant, catalog, &all,
	    &ps, &n, NULL, err)) != PGL_OK || (moved && (rc =
	    held_by_another(r, catalog, d->ns, d->name, asset_id, &held,
	    err)) != PGL_OK))
		return (rc);
	for (i = 0; i < n; i++) {
		/* One defined since the drop is another table's (one made
		 * again under the name): it stays with the name. */
		if (!names(&ps[i], d->ns, d->name) ||
		    ps[i].created_ms > d->dropped_at_ms)
			continue;
		doc = doc_of_restored(r, &ps[i], d->asset_id, asset_id);
		if (!moved && doc == NULL)
			continue;
		if (doc != NULL)
			ps[i].doc = doc;
		if (!on_main(d->branch))
			rc = copy_policy(r, ps, n, ps[i],
			    pgl_arena_printf(r->arena, "restored on %s as",
			    d->branch), to_ns, to_name, asset_id, err);
		else if (moved && held)
			rc = copy_policy(r, ps, n, ps[i], "restored as",
			    to_ns, to_name, asset_id, err);
		else
			rc = move_policy(&ps[i], to_ns, to_name, err);
		if (rc != PGL_OK)
			return (rc);
	}
	return (PGL_OK);
}
