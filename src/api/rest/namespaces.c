/*
 * Iceberg namespaces (spec: /v1/{prefix}/namespaces...).  Namespaces
 * belong to the catalog, not to a branch; a namespace holds a table if any
 * branch has one in it.
 */
#include <stdio.h>
#include <string.h>

#include "api/api.h"
#include "api/gate.h"
#include "api/events/event_note.h"
#include "api/target.h"
#include "api/rest/rest.h"
#include "api/rest/list_walk.h"
#include "util/arena.h"
#include "app/app.h"
#include "util/jw.h"
#include "util/json.h"

static const struct pgl_jfield create_fields[] = {
	{ "namespace", PGL_J_ARRAY, 1 },
	{ "properties", PGL_J_STRMAP, 0 },
	{ NULL, 0, 0 }
};

static const struct pgl_jfield props_fields[] = {
	{ "removals", PGL_J_STRLIST, 0 },
	{ "updates", PGL_J_STRMAP, 0 },
	{ NULL, 0, 0 }
};

/* A tenant user lists the namespaces it may see into. */
static int
ns_visible(struct pgl_req *r, const void *item, void *ctx)
{
	const struct pgl_namespace	*ns = item;
	struct pgl_target		 t = { ctx, ns->name, "", NULL, 0, 0 };

	return (api_sees(r, &t));
}

/* What a namespace list reads: the query of list_namespaces. */
struct ns_query {
	struct pgl_catalog	 c;
	const char		*parent;
};

static int
ns_fetch(struct list_walk *lw, struct pgl_arena *a,
    const struct pgl_page *pg, void **rows, size_t *n, struct pgl_err *err)
{
	struct ns_query		*q = lw->arg;
	struct pgl_namespace	*items;
	int			 rc;

	rc = STORE(list_namespaces, a, lw->r->tenant, q->c.name, q->parent,
	    pg, &items, n, NULL, err);
	*rows = items;
	return (rc);
}

static void
ns_row_write(struct pgl_jw *w, const void *row)
{
	const struct pgl_namespace	*ns = row;

	ice_ns_jw(w, NULL, ns->name);
}

/* A row's key: its name (a level is one range of namespaces_parent,
 * whatever lies below its members: sql_catalogs.c). */
static void
ns_key(const void *row, struct pgl_page_key *k)
{
	const struct pgl_namespace	*ns = row;

	k->s = ns->name;
	k->s2 = NULL;
	k->n = 0;
}

static int
ns_cmp(const void *row, const struct pgl_page_key *k)
{
	const struct pgl_namespace	*ns = row;

	return (strcmp(ns->name, k->s != NULL ? k->s : ""));
}

static const struct list_walk_ops ns_list = {
	sizeof(struct pgl_namespace), "namespaces", ns_fetch, ns_row_write,
	ns_key, ns_cmp
};

void
ice_ns_list(struct pgl_req *r)
{
	struct ns_query		*q;
	struct list_walk	*lw;
	struct pgl_page		 pg;
	const char		*branch = NULL, *raw;
	uint64_t		 scope;
	int			 paged;

	if ((q = pgl_arena_alloc(r->arena, sizeof(*q))) == NULL) {
		pgl_reply_error(r, 503, "out of memory");
		return;
	}
	q->parent = "";
	if (ice_catalog(r, &q->c) == -1)
		return;
	if ((raw = pgl_query(r, "parent")) != NULL && *raw != '\0') {
		if (ice_parse_ns(r, raw, &q->parent, &branch) == -1 ||
		    !ice_ns_exists(r, q->c.name, q->parent))
			return;
	}
	scope = ice_scope(r, "namespaces", &q->c, q->parent, NULL);
	if (ice_page(r, scope, &pg, &paged) == -1)
		return;
	if ((lw = list_walk_new(r, &ns_list, &pg, paged, scope,
	    pgl_store_pages_by_key(pgl_app.db), api_is_admin(r) ? NULL :
	    ns_visible, (void *)q->c.id, q)) != NULL)
		list_walk_run(lw);
}

/* What a namespace's change event says (create: properties; update:
 * the keys updated, removed and missing). */
struct ns_change {
	const json_t	*properties;
	const json_t	*updated;
	const json_t	*removed;
	const json_t	*missing;
};

struct ns_tx {
	struct pgl_req		*r;
	struct pgl_namespace	*ns;
	int			 update;
	const struct ns_change	*change;
};

static void
note_ns(struct pgl_req *r, const char *type, const char *catalog,
    const char *ns, const struct ns_change *ch)
{
	struct pgl_event_input	in;

	memset(&in, 0, sizeof(in));
	in.operation_type = type;
	in.catalog = catalog;
	in.ns = ns;
	if (ch != NULL) {
		in.properties = ch->properties;
		in.ns_updated = ch->updated;
		in.ns_removed = ch->removed;
		in.ns_missing = ch->missing;
	}
	api_event_note(r, &in);
}

static int
ns_write_in_tx(void *arg, struct pgl_err *err)
{
	struct ns_tx	*tx = arg;
	int		 rc;

	rc = tx->update ? STORE(update_namespace, tx->r->tenant, tx->ns,
	    err) : STORE(create_namespace, tx->r->tenant, tx->ns, err);
	if (rc == PGL_OK)
		note_ns(tx->r, tx->update ? "update-namespace-properties" :
		    "create-namespace", tx->ns->catalog, tx->ns->name,
		    tx->change);
	return (rc);
}

/* One statement, in a transaction so its audit event commits with it. */
static int
ns_write(struct pgl_req *r, struct pgl_namespace *ns, int update,
    const struct ns_change *change, struct pgl_err *err)
{
	struct ns_tx	tx = { r, ns, update, change };

	return (api_tx_retry(r, ns_write_in_tx, &tx, err));
}

void
ice_ns_create(struct pgl_req *r)
{
	struct pgl_namespace	 ns;
	struct pgl_catalog	 c;
	struct pgl_err		 err;
	struct ns_change	 change = { NULL, NULL, NULL, NULL };
	json_t			*props;

	if (ice_catalog(r, &c) == -1 || pgl_req_body(r, create_fields) == -1 ||
	    ice_ns_from_json(r, json_object_get(r->body, "namespace"),
	    &ns.name) == -1)
		return;
	ns.catalog = c.name;
	props = json_object_get(r->body, "properties");
	ns.properties = props != NULL && !json_is_null(props) ?
	    api_text(r->arena, props) : "{}";
	api_audit_about(r, NULL, ns.name);
	change.properties = json_is_object(props) ? props : NULL;
	if (ns_write(r, &ns, 0, &change, &err) != PGL_OK) {
		if (err.code == PGL_EEXISTS)
			pgl_reply_ice_error(r, 409, "AlreadyExistsException",
			    "Namespace already exists: %s", ns.name);
		else
			pgl_reply_store_error(r, &err);
		return;
	}
	pgl_reply_json(r, 200, json_pack("{s:O,s:o}", "namespace",
	    json_object_get(r->body, "namespace"), "properties",
	    api_obj(ns.properties)));
}

/* Resolve {prefix}/{namespace} to an existing namespace row. */
static int
find(struct pgl_req *r, struct pgl_catalog *c, struct pgl_namespace *ns)
{
	const char	*name, *branch = NULL;
	struct pgl_err	 err;

	if (ice_catalog(r, c) == -1 ||
	    ice_parse_ns(r, pgl_param(r, "namespace"), &name, &branch) == -1)
		return (-1);
	if (STORE(get_namespace, r->arena, r->tenant, c->name, name, ns,
	    &err) != PGL_OK) {
		if (err.code == PGL_ENOTFOUND)
			pgl_reply_ice_error(r, 404, "NoSuchNamespaceException",
			    "Namespace does not exist: %s", name);
		else
			pgl_reply_store_error(r, &err);
		return (-1);
	}
	return (0);
}

void
ice_ns_load(struct pgl_req *r)
{
	struct pgl_namespace	ns;
	struct pgl_catalog	c;

	if (find(r, &c, &ns) == 0)
		pgl_reply_json(r, 200, json_pack("{s:o,s:o}", "namespace",
		    ice_ns_json(ns.name), "properties",
		    api_obj(ns.properties)));
}

void
ice_ns_head(struct pgl_req *r)
{
	struct pgl_namespace	ns;
	struct pgl_catalog	c;

	if (find(r, &c, &ns) == 0)
		pgl_reply_empty(r, 204);
}

/* Any child namespace, or any asset on any branch?  (inside the tx) */
static int
ns_in_use(struct pgl_req *r, const char *catalog, const char *ns,
    int *used, struct pgl_err *err)
{
	const struct pgl_page	 one = { 1, 0, NULL };
	const struct pgl_page	 all = { 0, 0, NULL };
	struct pgl_namespace	*kids;
	struct pgl_branch	*branches;
	struct pgl_asset	*assets;
	uint64_t		 total;
	size_t			 n, nb, i;
	int			 rc;

	*used = 0;
	if ((rc = STORE(list_namespaces, r->arena, r->tenant, catalog, ns, &one,
	    &kids, &n, NULL, err)) != PGL_OK || (*used = n > 0))
		return (rc);
	if ((rc = STORE(list_branches, r->arena, r->tenant, catalog, &all,
	    &branches, &nb, &total, err)) != PGL_OK)
		return (rc);
	for (i = 0; i < nb && !*used; i++) {
		if ((rc = STORE(list_assets, r->arena, r->tenant, catalog,
		    branches[i].name, ns, NULL, &one, &assets, &n, NULL, err)) !=
		    PGL_OK)
			return (rc);
		*used = n > 0;
	}
	return (PGL_OK);
}

struct drop_tx {
	struct pgl_req		*r;
	const char		*catalog;
	const char		*ns;
	int			 used;
};

static int
drop_in_tx(void *arg, struct pgl_err *err)
{
	struct drop_tx	*tx = arg;
	int		 rc;

	if ((rc = ns_in_use(tx->r, tx->catalog, tx->ns, &tx->used, err)) !=
	    PGL_OK)
		return (rc);
	if (tx->used)
		return (PGL_EINUSE);
	if ((rc = STORE(delete_namespace, tx->r->tenant, tx->catalog,
	    tx->ns, err)) == PGL_OK)
		note_ns(tx->r, "drop-namespace", tx->catalog, tx->ns, NULL);
	return (rc);
}

void
ice_ns_drop(struct pgl_req *r)
{
	struct pgl_namespace	ns;
	struct pgl_catalog	c;
	struct pgl_err		err;
	struct drop_tx		tx;

	if (find(r, &c, &ns) == -1)
		return;
	tx = (struct drop_tx){ r, c.name, ns.name, 0 };
	if (api_tx_retry(r, drop_in_tx, &tx, &err) == PGL_OK) {
		pgl_reply_empty(r, 204);
	} else if (tx.used) {
		pgl_reply_ice_error(r, 409, "NamespaceNotEmptyException",
		    "Namespace is not empty: %s", ns.name);
	} else if (err.code == PGL_ENOTFOUND) {
		pgl_reply_ice_error(r, 404, "NoSuchNamespaceException",
		    "Namespace does not exist: %s", ns.name);
	} else {
		pgl_reply_store_error(r, &err);
	}
}

/* POST .../properties: removals and updates; a key in both is a 400. */
void
ice_ns_properties(struct pgl_req *r)
{
	struct pgl_namespace	 ns;
	struct pgl_catalog	 c;
	struct pgl_err		 err;
	json_t			*props, *rem, *upd, *v, *removed, *missing;
	json_t			*updated;
	struct ns_change	 change;
	const char		*k;
	size_t			 i;

	if (pgl_req_body(r, props_fields) == -1 || find(r, &c, &ns) == -1)
		return;
	rem = json_object_get(r->body, "removals");
	upd = json_object_get(r->body, "updates");
	json_array_foreach(rem, i, v) {
		if (json_object_get(upd, json_string_value(v)) != NULL) {
			pgl_reply_ice_error(r, 400, "ValidationException",
			    "key in both removals and updates: %s",
			    json_string_value(v));
			return;
		}
	}
	props = api_obj(ns.properties);
	removed = json_array();
	missing = json_array();
	json_array_foreach(rem, i, v) {
		k = json_string_value(v);
		json_array_append(json_object_del(props, k) == 0 ? removed :
		    missing, v);
	}
	if (json_is_object(upd))
		json_object_update(props, upd);
	if (api_map_fits(r, props, "properties") == -1) {
		json_decref(props);
		json_decref(removed);
		json_decref(missing);
		return;
	}
	ns.properties = api_text(r->arena, props);
	json_decref(props);
	updated = json_array();
	if (json_is_object(upd)) {
		json_object_foreach(upd, k, v)
			json_array_append_new(updated, json_string(k));
	}
	change = (struct ns_change){ NULL, updated, removed, missing };
	if (ns_write(r, &ns, 1, &change, &err) != PGL_OK) {
		json_decref(updated);
		json_decref(removed);
		json_decref(missing);
		pgl_reply_store_error(r, &err);
		return;
	}
	pgl_reply_json(r, 200, json_pack("{s:o,s:o,s:o}", "updated", updated,
	    "removed", removed, "missing", missing));
}
