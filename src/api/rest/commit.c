/*
 * Table commits (iceberg-commit.md §5) through the one commit loop
 * (api/commit/commit.h): what a table does in it, the commit route, create
 * transactions (§2.6), multi-table transactions (§5.5, every pointer or
 * none) and maintenance tasks' commits.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "api/api.h"
#include "api/commit/commit.h"
#include "api/commit/owners.h"
#include "api/gate.h"
#include "api/read/read.h"
#include "api/target.h"
#include "api/rest/rest.h"
#include "app/app.h"
#include "iceberg/iceberg.h"
#include "storage/fileio.h"
#include "util/arena.h"
#include "util/json.h"

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

static json_t *
table_apply(struct ice_change *c, int64_t now_ms, struct ice_err *ierr)
{
	/* The base is normalised once, by the check, for the updates,
	 * unless the commit that wrote it kept its normal form. */
	if (c->read != NULL ? ice_table_check_read(c->read, c->requirements,
	    ierr) == -1 : ice_table_check_base(c->base, c->requirements,
	    &c->read, ierr) == -1)
		return (NULL);
	return (ice_table_apply_read(c->base, c->read, c->read_checked,
	    c->updates, c->asset.metadata_location, now_ms, &c->next_read,
	    ierr));
}

static void
table_no_location(struct pgl_req *r)
{
	pgl_reply_ice_error(r, 400, "BadRequestException",
	    "table metadata has no location");
}

const struct ice_commit_kind ice_kind_table = {
	.asset = "ICEBERG_TABLE",
	.noun = "table",
	.verb = "Commit table",
	.apply = table_apply,
	.unchanged = ice_table_unchanged,
	.location = ice_table_metadata_location,
	.no_location = table_no_location,
	.cleanup = 1,
	.entries_kept = 1,
};

/* A create transaction's table, kept while its first file is written. */
struct tx_create {
	struct ice_target	 t;
	json_t			*md;
	const char		*loc;
	const char		*mdloc;
};

/* The first metadata file is written (or not): record the table. */
static void
tx_created(struct pgl_req *r, int rc, const struct pgl_err *err, void *arg)
{
	struct tx_create	*tc = arg;
	struct pgl_asset	 a;

	if (rc != PGL_OK) {
		ice_reply_file_error(r, err);
		json_decref(tc->md);
		return;
	}
	memset(&a, 0, sizeof(a));
	a.id = json_string_value(json_object_get(tc->md, "table-uuid"));
	a.catalog = tc->t.catalog.name;
	a.branch = tc->t.branch;
	a.ns = tc->t.ns;
	a.name = tc->t.name;
	a.kind = "ICEBERG_TABLE";
	a.location = tc->loc;
	a.metadata_location = tc->mdloc;
	a.properties = "{}";
	if (ice_create_asset(r, &tc->t, &a, "Create", 1) == 0)
		pgl_reply_json(r, 200, json_pack("{s:s,s:O}",
		    "metadata-location", a.metadata_location, "metadata",
		    tc->md));
	json_decref(tc->md);
}

/* 0 when t names no asset yet; else replied. */
static int
tx_target_free(struct pgl_req *r, struct ice_target *t)
{
	struct pgl_asset	 a;
	struct pgl_err		 err;

	if (!ice_ns_exists(r, t->catalog.name, t->ns) ||
	    !ice_branch_exists(r, t))
		return (-1);
	if (STORE(get_asset, r->arena, r->tenant, t->catalog.name, t->branch,
	    t->ns, t->name, &a, &err) != PGL_OK)
		return (0);
	if (strcmp(a.kind, "ICEBERG_TABLE") == 0)
		pgl_reply_ice_error(r, 409, "CommitFailedException",
		    "Requirement failed: table already exists");
	else
		(void)ice_name_free(r, t);
	return (-1);
}

/* §2.6: the commit that completes a create transaction. */
static void
create_transaction(struct pgl_req *r, struct ice_target *t,
    const json_t *reqs, const json_t *ups)
{
	struct tx_create	*tc;
	struct pgl_asset	 probe;
	struct ice_err		 ierr;
	char			 uuid[PGL_UUID_LEN + 1];
	char			*mdloc;
	json_t			*md;

	if (ice_table_check(NULL, reqs, &ierr) == -1) {
		reply_ice(r, &ierr);
		return;
	}
	if (tx_target_free(r, t) == -1)
		return;
	if ((tc = pgl_arena_alloc(r->arena, sizeof(*tc))) == NULL) {
		pgl_reply_error(r, 503, "out of memory");
		return;
	}
	tc->t = *t;
	if ((md = ice_table_apply(NULL, ups, NULL, pgl_now_ms(), &ierr)) ==
	    NULL) {
		reply_ice(r, &ierr);
		return;
	}
	tc->md = md;
	if ((tc->loc = ice_location(r, t, pgl_json_str(md, "location"))) ==
	    NULL) {
		json_decref(md);
		return;
	}
	pgl_uuid_new(uuid);
	if ((mdloc = ice_table_metadata_location(md, NULL, uuid)) == NULL) {
		table_no_location(r);
		json_decref(md);
		return;
	}
	tc->mdloc = pgl_arena_strdup(r->arena, mdloc);
	free(mdloc);
	if (tc->mdloc == NULL) {
		pgl_reply_error(r, 503, "out of memory");
		json_decref(md);
		return;
	}
	memset(&probe, 0, sizeof(probe));
	probe.catalog = t->catalog.name;
	probe.branch = t->branch;
	probe.ns = t->ns;
	probe.name = t->name;
	probe.kind = "ICEBERG_TABLE";
	probe.location = tc->loc;
	/* Its place its own (commit/owners.h), before a file is written. */
	if (ice_location_allowed(r, &t->catalog, tc->mdloc,
	    "the metadata location") == -1 ||
	    ice_place_check(r, &t->catalog, &probe, 409) == -1) {
		json_decref(md);
		return;
	}
	ice_write_metadata_then(r, &t->catalog, tc->mdloc, md, tx_created,
	    tc);
}

void
ice_table_commit(struct pgl_req *r)
{
	struct ice_change	 c;
	const json_t		*reqs, *ups;

	memset(&c, 0, sizeof(c));
	c.kind = &ice_kind_table;
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
	ice_commit_serve(r, &c, 0);
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
	struct ice_change	c;
	int			rc;

	memset(&c, 0, sizeof(c));
	c.kind = &ice_kind_table;
	c.t = *t;
	c.requirements = list_or_empty(NULL, "requirements");
	c.plan = plan;
	c.plan_arg = arg;
	*base = *next = NULL;
	if ((rc = ice_commit_run(r, &c, 1)) == 0) {
		*base = json_incref(c.base);
		*next = json_incref(c.next);
	}
	ice_change_clear(&c);
	return (rc);
}

/* Resolve one entry of table-changes; replies 400/404 on failure. */
static int
tx_change(struct pgl_req *r, const struct pgl_catalog *cat, const json_t *e,
    struct ice_change *c)
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
	c->kind = &ice_kind_table;
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
same_table(const struct ice_change *a, const struct ice_change *b)
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
	struct ice_change	*cs;
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
	ice_commit_serve_many(r, cs, n);
	return;
out:
	for (i = 0; i < n; i++)
		ice_change_clear(&cs[i]);
	free(cs);
}
