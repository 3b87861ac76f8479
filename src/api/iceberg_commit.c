/*
 * Table commits (iceberg-commit.md §5): load the pointer, read the base
 * metadata, check requirements, apply updates, write the next metadata
 * file, then compare-and-swap the pointer and record a catalog commit in
 * one store transaction.  A lost swap retries on the fresh base a bounded
 * number of times, then answers 409.  Also create transactions (§2.6) and
 * multi-table transactions (§5.5), which swap every pointer or none.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "api/api.h"
#include "api/gate.h"
#include "api/iceberg.h"
#include "app.h"
#include "iceberg/iceberg.h"
#include "storage/fileio.h"
#include "util/arena.h"
#include "util/json.h"

#define COMMIT_ATTEMPTS	16
#define MAX_TABLE_CHANGES	100

static const struct pgl_jfield commit_fields[] = {
	{ "identifier", PGL_J_OBJECT, 0 },
	{ "requirements", PGL_J_ARRAY, 0 },
	{ "updates", PGL_J_ARRAY, 0 },
	{ NULL, 0, 0 }
};

static const struct pgl_jfield tx_fields[] = {
	{ "table-changes", PGL_J_ARRAY, 1 },
	{ NULL, 0, 0 }
};

/* One table's part of a commit: base, result, files. */
struct change {
	struct ice_target	 t;
	struct pgl_asset	 asset;		/* as loaded */
	const json_t		*requirements;
	const json_t		*updates;
	json_t			*base;
	json_t			*next;		/* NULL: unchanged */
	char			*next_location;	/* malloc'd */
	/* A task's commit: updates planned afresh from each base. */
	ice_plan_fn		 plan;
	void			*plan_arg;
	json_t			*planned;
};

static void
change_clear(struct change *c)
{
	json_decref(c->base);
	json_decref(c->next);
	json_decref(c->planned);
	free(c->next_location);
	c->base = c->next = c->planned = NULL;
	c->next_location = NULL;
}

static void
reply_ice(struct pgl_req *r, const struct ice_err *e)
{
	pgl_reply_ice_error(r, e->status, e->type, "%s", e->msg);
}

static const json_t *
list_or_empty(const json_t *body, const char *key)
{
	static json_t	*empty;
	const json_t	*v = json_object_get(body, key);

	if (empty == NULL)
		empty = json_array();
	return (v != NULL && json_is_array(v) ? v : empty);
}

/*
 * Load, check and apply one change against the current pointer.  0 on
 * success (c->next NULL when nothing changed); -1 after replying.
 */
static int
prepare(struct pgl_req *r, struct change *c)
{
	struct pgl_err	 err;
	struct ice_err	 ierr;
	char		 uuid[PGL_UUID_LEN + 1];
	int		 rc;

	rc = STORE(get_asset, r->arena, r->tenant, c->t.catalog.name,
	    c->t.branch, c->t.ns, c->t.name, &c->asset, &err);
	if (rc != PGL_OK || strcmp(c->asset.kind, "ICEBERG_TABLE") != 0) {
		if (rc == PGL_OK || err.code == PGL_ENOTFOUND)
			pgl_reply_ice_error(r, 404, "NoSuchTableException",
			    "Table does not exist: %s", ice_dotted(r, c->t.ns,
			    c->t.name));
		else
			pgl_reply_store_error(r, &err);
		return (-1);
	}
	/* A pointer to a file that is gone is corruption, not client error. */
	if (ice_read_metadata(r, &c->t.catalog,
	    c->asset.metadata_location, 500, &c->base) == -1)
		return (-1);
	if (c->plan != NULL && (c->updates = c->planned = c->plan(c->plan_arg,
	    r, c->base)) == NULL)
		return (-1);
	if (ice_table_check(c->base, c->requirements, &ierr) == -1 ||
	    (c->next = ice_table_apply(c->base, c->updates,
	    c->asset.metadata_location, pgl_now_ms(), &ierr)) == NULL) {
		reply_ice(r, &ierr);
		return (-1);
	}
	if (ice_table_unchanged(c->base, c->next)) {
		json_decref(c->next);
		c->next = NULL;
		return (0);
	}
	pgl_uuid_new(uuid);
	c->next_location = ice_table_metadata_location(c->next,
	    c->asset.metadata_location, uuid);
	if (c->next_location == NULL) {
		pgl_reply_ice_error(r, 400, "BadRequestException",
		    "table metadata has no location");
		return (-1);
	}
	/* set-location / write.metadata.path must not escape the catalog. */
	return (ice_location_allowed(r, &c->t.catalog, c->next_location,
	    "the metadata location"));
}

/* Inside the transaction: swap one pointer and record its commit. */
static int
swap(struct pgl_req *r, const struct change *c, struct pgl_err *err)
{
	struct pgl_asset	a = c->asset;
	int			rc;

	if ((rc = STORE(update_metadata_location, r->tenant, a.catalog,
	    a.branch, a.ns, a.name, a.metadata_location, c->next_location,
	    err)) != PGL_OK)
		return (rc);
	a.metadata_location = c->next_location;
	return (ice_log_commit(r, a.catalog, a.branch,
	    pgl_arena_printf(r->arena, "Commit table %s",
	    ice_dotted(r, a.ns, a.name)), json_pack("[o]", ice_op_put(&a)),
	    err));
}

struct swap_tx {
	struct pgl_req	*r;
	struct change	*changes;
	size_t		 n;
};

static int
swap_in_tx(void *arg, struct pgl_err *err)
{
	struct swap_tx	*tx = arg;
	size_t		 i;
	int		 rc;

	for (i = 0; i < tx->n; i++) {
		if (tx->changes[i].next == NULL)
			continue;
		if ((rc = swap(tx->r, &tx->changes[i], err)) != PGL_OK)
			return (rc);
	}
	return (PGL_OK);
}

/* Write every new file; on failure delete those written. */
static int
write_all(struct pgl_req *r, struct change *cs, size_t n,
    struct pgl_err *err)
{
	size_t		i, j;

	for (i = 0; i < n; i++) {
		if (cs[i].next == NULL)
			continue;
		if (ice_write_metadata(r, &cs[i].t.catalog,
		    cs[i].next_location, cs[i].next, err) != PGL_OK) {
			for (j = 0; j < i; j++) {
				if (cs[j].next != NULL)
					ice_delete_file(r, &cs[j].t.catalog,
					    cs[j].next_location);
			}
			return (err->code);
		}
	}
	return (PGL_OK);
}

static void
delete_written(struct pgl_req *r, struct change *cs, size_t n)
{
	size_t	i;

	for (i = 0; i < n; i++) {
		if (cs[i].next != NULL)
			ice_delete_file(r, &cs[i].t.catalog,
			    cs[i].next_location);
	}
}

/* After a successful swap: old metadata files the log no longer lists. */
static void
cleanup_old(struct pgl_req *r, const struct change *c)
{
	json_t		*gone, *f;
	size_t		 i;

	if (c->next == NULL || !ice_table_delete_after_commit(c->next))
		return;
	gone = ice_table_log_dropped(c->base, c->next);
	json_array_foreach(gone, i, f)
		ice_delete_file(r, &c->t.catalog, json_string_value(f));
	json_decref(gone);
}

/*
 * Prepare, write, swap; retry the whole sequence when another writer
 * moved a pointer first.  0 on success; -1 after replying.
 */
static int
commit_changes(struct pgl_req *r, struct change *cs, size_t n)
{
	struct swap_tx	tx = { r, cs, n };
	struct pgl_err	err;
	size_t		i;
	int		attempt, rc, any;

	for (attempt = 0; attempt < COMMIT_ATTEMPTS; attempt++) {
		for (i = 0, any = 0; i < n; i++) {
			change_clear(&cs[i]);
			if (prepare(r, &cs[i]) == -1)
				return (-1);
			any |= cs[i].next != NULL;
		}
		if (!any)
			return (0);
		if (write_all(r, cs, n, &err) != PGL_OK) {
			ice_reply_file_error(r, &err);
			return (-1);
		}
		if ((rc = api_tx(r, swap_in_tx, &tx, &err)) == PGL_OK) {
			for (i = 0; i < n; i++)
				cleanup_old(r, &cs[i]);
			return (0);
		}
		/* The pointers may point at the new files: keep them. */
		if (rc == PGL_TX_UNKNOWN) {
			ice_reply_unknown(r, &err);
			return (-1);
		}
		delete_written(r, cs, n);
		if (rc != PGL_ECONFLICT) {
			pgl_reply_store_error(r, &err);
			return (-1);
		}
		/*
		 * Lost the race to another writer of the same table.  The
		 * winner has just finished, so the fresh base is ready: retry
		 * at once.  No sleep: a worker serves many requests, and a
		 * sleep here would stall every one queued behind this commit.
		 * Each lost race means another writer won, so the attempts
		 * bound only how long one request may keep losing.
		 */
	}
	pgl_reply_ice_error(r, 409, "CommitFailedException", "Commit failed: "
	    "the table changed concurrently %d times; retry", COMMIT_ATTEMPTS);
	return (-1);
}

static json_t *
commit_response(const struct change *c)
{
	if (c->next != NULL)
		return (json_pack("{s:s,s:O}", "metadata-location",
		    c->next_location, "metadata", c->next));
	return (json_pack("{s:s,s:O}", "metadata-location",
	    c->asset.metadata_location, "metadata", c->base));
}

/* §2.6: the commit that completes a create transaction. */
static void
create_transaction(struct pgl_req *r, struct ice_target *t,
    const json_t *reqs, const json_t *ups)
{
	struct pgl_asset	 a;
	struct pgl_err		 err;
	struct ice_err		 ierr;
	char			 uuid[PGL_UUID_LEN + 1];
	const char		*loc;
	char			*mdloc;
	json_t			*md;

	if (ice_table_check(NULL, reqs, &ierr) == -1) {
		reply_ice(r, &ierr);
		return;
	}
	if (!ice_ns_exists(r, t->catalog.name, t->ns) ||
	    !ice_branch_exists(r, t))
		return;
	if (STORE(get_asset, r->arena, r->tenant, t->catalog.name, t->branch,
	    t->ns, t->name, &a, &err) == PGL_OK) {
		if (strcmp(a.kind, "ICEBERG_TABLE") == 0)
			pgl_reply_ice_error(r, 409, "CommitFailedException",
			    "Requirement failed: table already exists");
		else
			(void)ice_name_free(r, t);
		return;
	}
	if ((md = ice_table_apply(NULL, ups, NULL, pgl_now_ms(), &ierr)) ==
	    NULL) {
		reply_ice(r, &ierr);
		return;
	}
	if ((loc = ice_location(r, t, pgl_json_str(md, "location"))) == NULL) {
		json_decref(md);
		return;
	}
	pgl_uuid_new(uuid);
	mdloc = ice_table_metadata_location(md, NULL, uuid);
	if (mdloc != NULL && ice_location_allowed(r, &t->catalog, mdloc,
	    "the metadata location") == -1) {
		free(mdloc);
		json_decref(md);
		return;
	}
	if (mdloc == NULL || ice_write_metadata(r, &t->catalog, mdloc, md,
	    &err) != PGL_OK) {
		if (mdloc == NULL)
			pgl_reply_ice_error(r, 400, "BadRequestException",
			    "table metadata has no location");
		else
			ice_reply_file_error(r, &err);
		free(mdloc);
		json_decref(md);
		return;
	}
	memset(&a, 0, sizeof(a));
	a.id = json_string_value(json_object_get(md, "table-uuid"));
	a.catalog = t->catalog.name;
	a.branch = t->branch;
	a.ns = t->ns;
	a.name = t->name;
	a.kind = "ICEBERG_TABLE";
	a.location = loc;
	a.metadata_location = pgl_arena_strdup(r->arena, mdloc);
	a.properties = "{}";
	free(mdloc);
	if (ice_create_asset(r, t, &a, "Create", 1) == 0)
		pgl_reply_json(r, 200, json_pack("{s:s,s:O}",
		    "metadata-location", a.metadata_location, "metadata", md));
	json_decref(md);
}

void
ice_table_commit(struct pgl_req *r)
{
	struct change	 c;
	const json_t	*reqs, *ups;

	memset(&c, 0, sizeof(c));
	if (pgl_req_body(r, commit_fields) == -1 ||
	    ice_target(r, "table", &c.t) == -1)
		return;
	reqs = list_or_empty(r->body, "requirements");
	ups = list_or_empty(r->body, "updates");
	if (ice_table_is_create(reqs)) {
		create_transaction(r, &c.t, reqs, ups);
		return;
	}
	c.requirements = reqs;
	c.updates = ups;
	if (commit_changes(r, &c, 1) == 0)
		pgl_reply_json(r, 200, commit_response(&c));
	change_clear(&c);
}

/*
 * A commit that is not a client's (a maintenance task): the same loop,
 * with the updates planned from each fresh base, so a concurrent client
 * commit is never lost, only planned around.  *base and *next get the
 * base it committed on and the result (next NULL: nothing changed), new
 * references.  0, or -1 after replying to r.
 */
int
ice_table_commit_planned(struct pgl_req *r, const struct ice_target *t,
    ice_plan_fn plan, void *arg, json_t **base, json_t **next)
{
	struct change	c;
	int		rc;

	memset(&c, 0, sizeof(c));
	c.t = *t;
	c.requirements = list_or_empty(NULL, "requirements");
	c.plan = plan;
	c.plan_arg = arg;
	*base = *next = NULL;
	if ((rc = commit_changes(r, &c, 1)) == 0) {
		*base = json_incref(c.base);
		*next = json_incref(c.next);
	}
	change_clear(&c);
	return (rc);
}

/* Resolve one entry of table-changes; replies 400/404 on failure. */
static int
tx_change(struct pgl_req *r, const struct pgl_catalog *cat, const json_t *e,
    struct change *c)
{
	const json_t	*id = json_object_get(e, "identifier");
	char		 why[256];
	const char	*name;
	char		*copy, *at;

	if (pgl_json_check(e, commit_fields, why, sizeof(why)) == -1) {
		pgl_reply_ice_error(r, 400, "BadRequestException", "%s", why);
		return (-1);
	}
	if (!json_is_object(id) || (name = pgl_json_str(id, "name")) == NULL) {
		pgl_reply_ice_error(r, 400, "BadRequestException",
		    "every table change needs an identifier");
		return (-1);
	}
	c->t.catalog = *cat;
	if (ice_ns_from_json(r, json_object_get(id, "namespace"), &c->t.ns) ==
	    -1 || (copy = pgl_arena_strdup(r->arena, name)) == NULL)
		return (-1);
	c->t.branch = ICE_DEFAULT_BRANCH;
	if ((at = strrchr(copy, '@')) != NULL) {
		*at++ = '\0';
		c->t.branch = at;
	}
	if (pgl_req_name(r, "name", copy) == -1 ||
	    pgl_req_name(r, "branch", c->t.branch) == -1)
		return (-1);
	c->t.name = copy;
	c->requirements = list_or_empty(e, "requirements");
	c->updates = list_or_empty(e, "updates");
	if (ice_table_is_create(c->requirements)) {
		pgl_reply_ice_error(r, 400, "BadRequestException",
		    "create transactions cannot be part of a multi-table "
		    "commit");
		return (-1);
	}
	return (0);
}

static int
same_table(const struct change *a, const struct change *b)
{
	return (strcmp(a->t.ns, b->t.ns) == 0 &&
	    strcmp(a->t.name, b->t.name) == 0 &&
	    strcmp(a->t.branch, b->t.branch) == 0);
}

/* POST /v1/{prefix}/transactions/commit: all tables or none (§5.5). */
void
ice_transactions_commit(struct pgl_req *r)
{
	struct pgl_catalog	 cat;
	struct change		*cs;
	const json_t		*list;
	size_t			 n, i, j;

	if (pgl_req_body(r, tx_fields) == -1 || ice_catalog(r, &cat) == -1)
		return;
	list = json_object_get(r->body, "table-changes");
	if ((n = json_array_size(list)) == 0 || n > MAX_TABLE_CHANGES) {
		pgl_reply_ice_error(r, 400, "BadRequestException",
		    "table-changes must hold 1 to %d changes",
		    MAX_TABLE_CHANGES);
		return;
	}
	if ((cs = calloc(n, sizeof(*cs))) == NULL) {
		pgl_reply_error(r, 503, "out of memory");
		return;
	}
	for (i = 0; i < n; i++) {
		if (tx_change(r, &cat, json_array_get(list, i), &cs[i]) == -1)
			goto out;
		for (j = 0; j < i; j++) {
			if (!same_table(&cs[i], &cs[j]))
				continue;
			pgl_reply_ice_error(r, 400, "BadRequestException",
			    "table %s appears twice in table-changes",
			    ice_dotted(r, cs[i].t.ns, cs[i].t.name));
			goto out;
		}
	}
	if (commit_changes(r, cs, n) == 0)
		pgl_reply_empty(r, 204);
out:
	for (i = 0; i < n; i++)
		change_clear(&cs[i]);
	free(cs);
}
