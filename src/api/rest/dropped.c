/*
 * Undrop's routes (rest/dropped.h).  Who may see and restore a drop is
 * who could create a table in its namespace (a tenant admin always):
 * the list shows a tenant user only the drops of namespaces where it
 * holds create, and a restore needs create both where the table was and
 * where it goes, so that a drop cannot carry a table's data into a
 * namespace its reader could not otherwise have put it in.  Every read
 * is the request's tenant's: another tenant's id is not found, and so
 * is an id of another catalog of the tenant.
 *
 * A restore is one store transaction: the drop's entry deleted (whoever
 * deletes it first wins: a second restore, or the expiry, finds nothing),
 * the asset row made again from it (the same metadata location: it loads
 * exactly as before the drop), its catalog commit and its change event
 * (register-table, x-pangolin.register-view: the catalog takes the table
 * back as it is), and what protected the table at the drop: its column
 * tags and its table policies (commit/dropped.c, policy_follow.c).  The
 * entry is taken first, so that of restores at once
 * exactly one makes a table, also on a store without transactions, where
 * a restore that fails before its row is made gives the entry back.
 */
#include <string.h>

#include "api/api.h"
#include "api/config_cache.h"
#include "api/events/event_note.h"
#include "api/gate.h"
#include "api/commit/commit.h"
#include "api/commit/dropped.h"
#include "api/commit/owners.h"
#include "api/commit/policy_follow.h"
#include "api/read/read.h"
#include "api/rest/dropped.h"
#include "api/tasks/dropped_expiry.h"
#include "api/target.h"
#include "app/app.h"
#include "plugin/loader.h"
#include "tasks/undrop.h"
#include "util/arena.h"
#include "util/json.h"
#include "util/log.h"
#include "util/uuid.h"

#define KIND_VIEW	"VIEW"

static const struct pgl_jfield restore_fields[] = {
	{ "namespace", PGL_J_STRLIST, 0 },
	{ "name", PGL_J_STRING, 0 },
	{ NULL, 0, 0 }
};

/* The route's local catalog of a store that keeps drops; -1 after a reply. */
static int
dropped_catalog(struct pgl_req *r, struct pgl_catalog *c)
{
	const char	*name = pgl_param(r, "name");
	struct pgl_err	 err;

	memset(&err, 0, sizeof(err));
	if (api_get_catalog(r, r->tenant, name, c, &err) != PGL_OK) {
		pgl_reply_missing(r, &err, "Catalog '%.200s' not found", name);
		return (-1);
	}
	if (api_local_catalog(r, c) == -1)
		return (-1);
	if (!pgl_store_has_dropped(pgl_app.db)) {
		pgl_reply_error(r, 501, "the store plugin keeps no dropped "
		    "tables (store ABI 1.18)");
		return (-1);
	}
	return (0);
}

/* May the caller create in namespace ns of c (admins always)? */
static int
may_create(struct pgl_req *r, const struct pgl_catalog *c, const char *ns)
{
	return (api_allowed(r, PGL_ACT_CREATE,
	    &(struct pgl_target){ c->id, ns, "", NULL, 0, 0 }));
}

struct list_ctx {
	const struct pgl_catalog	*c;
	int64_t				 now;
};

/*
 * A drop is listed to whom may bring it back (create in its namespace)
 * and read what it was (issue 67: a list carries only what the caller
 * may read; create alone does not show names).
 */
static int
listed(struct pgl_req *r, const void *item, void *arg)
{
	const struct pgl_dropped	*d = item;
	struct list_ctx			*ctx = arg;

	return (!pgl_undrop_expired(api_dropped_retention_ms(ctx->c),
	    d->dropped_at_ms, ctx->now) && may_create(r, ctx->c, d->ns) &&
	    api_allowed(r, PGL_ACT_READ, &(struct pgl_target){ ctx->c->id,
	    d->ns, "", NULL, 0, 0 }));
}

static json_t *
time_of(struct pgl_arena *a, int64_t ms)
{
	return (json_string(api_rfc3339(a, ms / 1000)));
}

static json_t *
entry_json(struct pgl_req *r, const struct pgl_catalog *c,
    const struct pgl_dropped *d)
{
	int64_t	keep = api_dropped_retention_ms(c);

	return (json_pack("{s:s,s:s,s:o,s:s,s:s,s:o,s:o,s:o}", "id", d->id,
	    "kind", ice_asset_noun(d->kind),
	    "namespace", ice_ns_json(d->ns), "name", d->name, "branch",
	    d->branch, "dropped_at", time_of(r->arena, d->dropped_at_ms),
	    "dropped_by", api_str_or_null(d->dropped_by), "expires_at",
	    keep > 0 ? time_of(r->arena, d->dropped_at_ms + keep) :
	    json_null()));
}

void
api_dropped_list(struct pgl_req *r)
{
	struct pgl_catalog	 c;
	struct pgl_page		 pg, all = { 0, 0, NULL };
	struct pgl_dropped	*ds;
	struct pgl_err		 err;
	struct list_ctx		 ctx;
	json_t			*arr;
	uint64_t		 total;
	size_t			 n, i;

	if (pgl_req_page(r, &pg) == -1 || dropped_catalog(r, &c) == -1)
		return;
	/* What has expired goes first (its purge queued), then the rest is
	 * read: the list never shows a drop that can no longer come back. */
	api_dropped_expire(r, &c);
	memset(&err, 0, sizeof(err));
	if (STORE(list_dropped, r->arena, r->tenant, c.name, &all, &ds, &n,
	    NULL, &err) != PGL_OK) {
		pgl_reply_store_error(r, &err);
		return;
	}
	/* Read whole (a tenant holds at most [undrop] max_per_tenant) and
	 * filtered by what the caller may create, then paged. */
	ctx.c = &c;
	ctx.now = pgl_now_ms();
	n = api_filter_page(r, ds, n, sizeof(*ds), listed, &ctx, &pg, &total);
	if ((arr = json_array()) == NULL) {
		pgl_reply_error(r, 503, "out of memory");
		return;
	}
	for (i = 0; i < n; i++)
		json_array_append_new(arr, entry_json(r, &c, &ds[i]));
	pgl_reply_list(r, arr, total);
}

/* Where a restore puts the table: the body's, else where it was. */
struct restore {
	struct pgl_req			*r;
	const struct pgl_catalog	*c;
	const struct pgl_dropped	*d;
	const char			*ns;
	const char			*name;
	struct pgl_asset		 a;
	char				 asset_id[PGL_UUID_LEN + 1];
	int				 gone;	/* the entry was taken */
	int				 taken;	/* we deleted it once */
	int				 made;	/* our asset row was written */
};

static int
restore_in_tx(void *arg, struct pgl_err *err)
{
	struct restore		*rs = arg;
	struct pgl_req		*r = rs->r;
	struct pgl_event_input	 in;
	struct pgl_asset	 had;
	int			 view = strcmp(rs->d->kind, KIND_VIEW) == 0;
	int			 rc;
	json_t			*payload = NULL;

	/*
	 * Whoever deletes the entry first restores it (or expires it), and
	 * it is taken before anything is made: of restores racing (each
	 * may name another table) the losers make nothing, on a store
	 * whose rollback undoes nothing too (MongoDB without transactions:
	 * two restores made two tables).  There a failure gives the entry
	 * back (give_back); a store with transactions takes it again on
	 * each attempt, the rollback having given it back.
	 */
	rs->gone = 0;
	if (!rs->taken || api_store_atomic()) {
		if ((rc = STORE(delete_dropped, r->tenant, rs->d->id,
		    err)) != PGL_OK) {
			rs->gone = rc == PGL_ENOTFOUND;
			return (rc);
		}
		rs->taken = 1;
	}
	/*
	 * Tables and views share one identifier space.  A row of our own
	 * id is an earlier attempt's that a store without transactions
	 * kept (it lost the branch head): only the rest is left to do.
	 */
	rc = STORE(get_asset, r->arena, r->tenant, rs->c->name,
	    rs->d->branch, rs->ns, rs->name, &had, err);
	if (rc == PGL_OK && strcmp(had.id, rs->a.id) != 0) {
		err->code = PGL_EEXISTS;
		(void)snprintf(err->msg, sizeof(err->msg), "%s with same name "
		    "already exists: %s", strcmp(had.kind, KIND_VIEW) == 0 ?
		    "View" : strcmp(had.kind, "FUNCTION") == 0 ? "Function" :
		    "Table", ice_dotted(r, rs->ns, rs->name));
		return (PGL_EEXISTS);
	}
	/* Its place must still be its own (commit/owners.h): no table has
	 * taken it meanwhile (one can only where the drop was made final,
	 * or the place another's before). */
	if (rc == PGL_ENOTFOUND &&
	    (rc = ice_place_claim(r, rs->c, &rs->a, err)) == PGL_OK)
		rc = STORE(create_asset, r->tenant, &rs->a, err);
	if (rc != PGL_OK)
		return (rc);
	rs->made = 1;
	/* What protected the table protects it again: its column tags (a
	 * tag policy's mask) on the new row, and on main its table
	 * policies, under a new name too (commit/dropped.c,
	 * commit/policy_follow.c). */
	if ((rc = ice_undrop_retag(r, rs->d, rs->a.id, err)) != PGL_OK ||
	    (rc = ice_policies_follow_restore(r, rs->c->name, rs->d, rs->ns,
	    rs->name, rs->a.id, err)) != PGL_OK)
		return (rc);
	memset(&in, 0, sizeof(in));
	in.operation_type = view ? "x-pangolin.register-view" :
	    "register-table";
	/* A function comes back as it was created (its uuid the payload). */
	if (strcmp(rs->d->kind, "FUNCTION") == 0) {
		in.operation_type = "x-pangolin.create-function";
		in.payload = payload = json_pack("{s:s}", "function-uuid",
		    rs->a.origin != NULL ? rs->a.origin : rs->a.id);
	}
	in.catalog = rs->c->name;
	in.branch = rs->d->branch;
	in.ns = rs->ns;
	in.name = rs->name;
	in.uuid = rs->a.id;
	in.metadata_location = rs->a.metadata_location;
	api_event_note(r, &in);
	json_decref(payload);
	return (ice_log_commit(r, rs->c->name, rs->d->branch,
	    pgl_arena_printf(r->arena, "Restore %s %s",
	    ice_asset_noun(rs->d->kind), ice_dotted(r, rs->ns, rs->name)),
	    json_pack("[o]", ice_op_put(&rs->a)), err));
}

/* The entry id names in c, not expired; -1 after a 404 (or a store error). */
static int
find_entry(struct pgl_req *r, const struct pgl_catalog *c,
    struct pgl_dropped *d)
{
	const char	*id = pgl_param(r, "id");
	struct pgl_err	 err;

	memset(&err, 0, sizeof(err));
	if (STORE(get_dropped, r->arena, r->tenant, id, d, &err) != PGL_OK &&
	    err.code != PGL_ENOTFOUND) {
		pgl_reply_store_error(r, &err);
		return (-1);
	}
	if (err.code == PGL_ENOTFOUND || strcmp(d->catalog, c->name) != 0 ||
	    pgl_undrop_expired(api_dropped_retention_ms(c), d->dropped_at_ms,
	    pgl_now_ms())) {
		pgl_reply_error(r, 404, "Dropped table or view '%.200s' not "
		    "found in catalog '%.200s'", id, c->name);
		return (-1);
	}
	return (0);
}

/*
 * Create where it was and where it goes.  One the caller does not even
 * see answers as a missing one, as an asset named by id does (authz.c).
 */
static int
restore_allowed(struct pgl_req *r, const struct pgl_catalog *c,
    const struct pgl_dropped *d, const char *ns)
{
	if (!may_create(r, c, d->ns) && !api_sees(r,
	    &(struct pgl_target){ c->id, d->ns, "", NULL, 0, 0 })) {
		pgl_reply_error(r, 404, "Dropped table or view '%.200s' not "
		    "found in catalog '%.200s'", d->id, c->name);
		return (-1);
	}
	if (!may_create(r, c, d->ns) || !may_create(r, c, ns)) {
		pgl_reply_error(r, 403, "Forbidden: restoring needs create in "
		    "the namespace it was dropped from and in the one it goes "
		    "to");
		return (-1);
	}
	return (0);
}

/* The body's namespace and name, else the entry's; -1 after a 400. */
static int
restore_target(struct pgl_req *r, const struct pgl_dropped *d,
    const char **ns, const char **name)
{
	const json_t	*j;

	*ns = d->ns;
	*name = d->name;
	if (r->body == NULL)
		return (0);
	if (pgl_req_body(r, restore_fields) == -1)
		return (-1);
	if ((j = json_object_get(r->body, "namespace")) != NULL &&
	    ice_ns_from_json(r, j, ns) == -1)
		return (-1);
	if ((j = json_object_get(r->body, "name")) != NULL) {
		*name = json_string_value(j);
		if (pgl_req_name(r, "name", *name) == -1)
			return (-1);
	}
	return (0);
}

/* "a.b" for a message. */
static const char *
ns_dotted(struct pgl_req *r, const char *ns)
{
	char	*s, *p;

	if ((s = pgl_arena_strdup(r->arena, ns)) == NULL)
		return (ns);
	for (p = s; *p != '\0'; p++)
		if (*p == PGL_NS_SEP)
			*p = '.';
	return (s);
}

/* The namespace and the branch must still be there; -1 after a 404. */
static int
restore_place(struct pgl_req *r, const struct pgl_catalog *c,
    const char *branch, const char *ns)
{
	struct pgl_namespace	n;
	struct pgl_branch	b;
	struct pgl_err		err;

	memset(&err, 0, sizeof(err));
	if (STORE(get_namespace, r->arena, r->tenant, c->name, ns, &n,
	    &err) != PGL_OK) {
		pgl_reply_missing(r, &err, "Namespace '%.200s' not found",
		    ns_dotted(r, ns));
		return (-1);
	}
	if (STORE(get_branch, r->arena, r->tenant, c->name, branch, &b,
	    &err) != PGL_OK) {
		pgl_reply_missing(r, &err, "Branch '%.200s' not found", branch);
		return (-1);
	}
	return (0);
}

static void
restore_reply(struct pgl_req *r, const struct restore *rs)
{
	pgl_reply_json(r, 200, json_pack("{s:s,s:s,s:o,s:s,s:s,s:s,s:o}",
	    "id", rs->d->id, "kind", ice_asset_noun(rs->d->kind),
	    "namespace", ice_ns_json(rs->ns), "name",
	    rs->name, "branch", rs->d->branch, "asset_id", rs->a.id,
	    "metadata_location", api_str_or_null(
	    rs->a.metadata_location)));
}

/*
 * A restore that failed after taking the entry, on a store without
 * transactions, before its table was made: the entry goes back, so the
 * drop stays recoverable (a name taken since, a store error).  Once the
 * row is made the table is back and the entry stays gone.
 */
static void
give_back(struct pgl_req *r, const struct restore *rs)
{
	struct pgl_err	err;

	if (!rs->taken || rs->made || api_store_atomic())
		return;
	memset(&err, 0, sizeof(err));
	if (STORE(put_dropped, rs->d, &err) != PGL_OK)
		pgl_log(PGL_LOG_ERR, "undrop: a failed restore could not give "
		    "back drop %s of tenant %s (%s): the table's files stay, "
		    "unlisted", rs->d->id, r->tenant, err.msg);
}

void
api_dropped_restore(struct pgl_req *r)
{
	struct pgl_catalog	c;
	struct pgl_dropped	d;
	struct restore		rs;
	struct pgl_err		err;

	memset(&rs, 0, sizeof(rs));
	if (dropped_catalog(r, &c) == -1 || find_entry(r, &c, &d) == -1 ||
	    restore_target(r, &d, &rs.ns, &rs.name) == -1 ||
	    restore_allowed(r, &c, &d, rs.ns) == -1 ||
	    restore_place(r, &c, d.branch, rs.ns) == -1)
		return;
	api_audit_about(r, d.id, ice_dotted(r, rs.ns, rs.name));
	rs.r = r;
	rs.c = &c;
	rs.d = &d;
	/* A row of its own: on a branch the dropped row's id may be its
	 * parent's, still live there. */
	pgl_uuid_new(rs.asset_id);
	rs.a.id = rs.asset_id;
	rs.a.catalog = c.name;
	rs.a.branch = d.branch;
	rs.a.ns = rs.ns;
	rs.a.name = rs.name;
	rs.a.kind = d.kind;
	rs.a.location = d.location;
	/* The same asset again: its origin (ABI 1.26, commit/owners.h). */
	rs.a.origin = pgl_store_has_owners(pgl_app.db) ? d.origin : NULL;
	rs.a.metadata_location = d.metadata_location;
	rs.a.properties = d.properties != NULL ? d.properties : "{}";
	rs.a.created_at_ms = d.created_at_ms;
	rs.a.updated_at_ms = pgl_now_ms();
	memset(&err, 0, sizeof(err));
	if (ice_tx_on_branch(r, restore_in_tx, &rs, &err) == PGL_OK) {
		restore_reply(r, &rs);
		return;
	}
	give_back(r, &rs);
	if (r->status != 0)
		return;		/* its place is another's: replied */
	if (err.code == PGL_EEXISTS)
		pgl_reply_error(r, 409, "%s", err.msg);
	else if (rs.gone)
		pgl_reply_error(r, 404, "Dropped table or view '%.200s' not "
		    "found in catalog '%.200s'", d.id, c.name);
	else
		pgl_reply_store_error(r, &err);
}
