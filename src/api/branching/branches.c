/*
 * Branches, tags and commit history (pangolin-api.md §2.5, §4).
 * Branching is copy-on-branch: the new branch starts at the source's head
 * commit and gets a copy of its asset rows in one statement, inside the
 * same transaction as the branch row.
 */
#include <stdio.h>
#include <string.h>

#include "api/api.h"
#include "api/branching/merge.h"
#include "api/config_cache.h"
#include "api/gate.h"
#include "api/commit/commit.h"
#include "app/app.h"
#include "util/arena.h"
#include "util/json.h"
#include "util/paging.h"


static const struct pgl_jfield branch_fields[] = {
	{ "name", PGL_J_STRING, 1 },
	{ "catalog", PGL_J_STRING, 1 },
	{ "branch_type", PGL_J_STRING, 0 },
	{ "from_branch", PGL_J_STRING, 0 },
	{ "assets", PGL_J_STRLIST, 0 },
	{ NULL, 0, 0 }
};

static const struct pgl_jfield tag_fields[] = {
	{ "name", PGL_J_STRING, 1 },
	{ "commit_id", PGL_J_STRING, 1 },
	{ "catalog", PGL_J_STRING, 0 },
	{ NULL, 0, 0 }
};

json_t *
api_branch_json(const struct pgl_branch *b)
{
	return (json_pack("{s:s,s:o,s:s,s:o}", "name", b->name,
	    "head_commit_id", api_str_or_null(b->head_commit_id),
	    "branch_type", b->branch_type,
	    "assets", pgl_json_load_or(b->assets, json_array())));
}

static json_t *
commit_json(const struct pgl_commit *c)
{
	json_t	*j;

	j = json_pack("{s:s,s:o,s:I,s:s,s:s,s:o}", "id", c->id,
	    "parent_id", api_str_or_null(c->parent_id),
	    "timestamp", (json_int_t)c->timestamp_ms, "author", c->author,
	    "message", c->message,
	    "operations", pgl_json_load_or(c->operations, json_array()));
	/* A merge commit also names the merged source's head. */
	if (j != NULL && c->merge_parent_id != NULL)
		json_object_set_new(j, "merge_parent_id",
		    json_string(c->merge_parent_id));
	return (j);
}

/* The ?catalog= every branch/tag route needs; replies if missing. */
static const char *
catalog_arg(struct pgl_req *r)
{
	struct pgl_catalog	 c;
	struct pgl_err		 err;
	const char		*name = pgl_query(r, "catalog");

	if (name == NULL || *name == '\0') {
		pgl_reply_error(r, 400, "query parameter `catalog` is required");
		return (NULL);
	}
	if (api_get_catalog(r, r->tenant, name, &c, &err) != PGL_OK) {
		pgl_reply_missing(r, &err, "Catalog '%.200s' not found", name);
		return (NULL);
	}
	return (name);
}

struct branch_tx {
	struct pgl_req		*r;
	struct pgl_branch	*b;
	const char		*from;
	const char		*names_json;
	uint64_t		 copied;
};

/*
 * A partial branch names assets of its source: PGL_ENOTFOUND listing the
 * names the source does not have (issue 13, item 6).  One round trip.
 */
static int
names_exist(struct branch_tx *tx, struct pgl_err *err)
{
	struct pgl_asset	*items;
	json_t			*names, *e;
	char			*missing = NULL, *dotted;
	size_t			 n, i, j;
	int			 rc;

	if (tx->names_json == NULL)
		return (PGL_OK);
	if ((rc = STORE(list_all_assets_for_branch, tx->r->arena,
	    tx->r->tenant, tx->b->catalog, tx->from, &items, &n, err)) !=
	    PGL_OK)
		return (rc);
	names = pgl_json_load_or(tx->names_json, json_array());
	json_array_foreach(names, i, e) {
		for (j = 0; j < n; j++) {
			dotted = ice_dotted(tx->r, items[j].ns, items[j].name);
			if (dotted != NULL && strcmp(dotted,
			    json_string_value(e)) == 0)
				break;
		}
		if (j == n)
			missing = pgl_arena_printf(tx->r->arena, "%s%s%s",
			    missing != NULL ? missing : "", missing != NULL ?
			    ", " : "", json_string_value(e));
	}
	json_decref(names);
	if (missing == NULL)
		return (PGL_OK);
	err->code = PGL_ENOTFOUND;
	(void)snprintf(err->msg, sizeof(err->msg), "Assets not found on "
	    "branch '%.60s': %.150s", tx->from, missing);
	return (PGL_ENOTFOUND);
}

static int
branch_in_tx(void *arg, struct pgl_err *err)
{
	struct branch_tx	*tx = arg;
	struct pgl_branch	 src;
	int			 rc;

	if ((rc = STORE(get_branch, tx->r->arena, tx->r->tenant,
	    tx->b->catalog, tx->from, &src, err)) != PGL_OK) {
		if (rc == PGL_ENOTFOUND)
			(void)snprintf(err->msg, sizeof(err->msg),
			    "Source branch '%.200s' not found", tx->from);
		return (rc);
	}
	if ((rc = names_exist(tx, err)) != PGL_OK)
		return (rc);
	tx->b->head_commit_id = src.head_commit_id;
	if ((rc = STORE(create_branch, tx->r->tenant, tx->b, err)) != PGL_OK) {
		if (rc == PGL_EEXISTS)
			(void)snprintf(err->msg, sizeof(err->msg),
			    "Branch '%.200s' already exists", tx->b->name);
		return (rc);
	}
	return (STORE(copy_assets_bulk, tx->r->tenant, tx->b->catalog,
	    tx->from, tx->b->name, NULL, tx->names_json, &tx->copied, err));
}

int
api_branch_make(struct pgl_req *r, struct pgl_branch *b, const char *from,
    const char *names_json, uint64_t *copied, struct pgl_err *err)
{
	struct branch_tx	tx = { r, b, from, names_json, 0 };
	int			rc;

	rc = pgl_store_tx(branch_in_tx, &tx, err);
	*copied = tx.copied;
	return (rc);
}

void
api_branch_create(struct pgl_req *r)
{
	struct pgl_branch	 b;
	struct pgl_catalog	 c;
	struct pgl_err		 err;
	const char		*type, *from, *names;
	json_t			*assets;
	uint64_t		 copied;
	int			 large;

	if (pgl_req_body(r, branch_fields) == -1 ||
	    pgl_req_name(r, "name", pgl_json_str(r->body, "name")) == -1)
		return;
	memset(&b, 0, sizeof(b));
	b.name = pgl_json_str(r->body, "name");
	b.catalog = pgl_json_str(r->body, "catalog");
	if (api_get_catalog(r, r->tenant, b.catalog, &c, &err) !=
	    PGL_OK) {
		pgl_reply_missing(r, &err, "Catalog '%.200s' not found",
		    b.catalog);
		return;
	}
	type = pgl_json_str(r->body, "branch_type");
	b.branch_type = type != NULL && strcmp(type, "ingest") == 0 ?
	    "ingest" : "experimental";
	/* The route's rule cannot see the body: the branch type decides. */
	if (api_require(r, strcmp(b.branch_type, "ingest") == 0 ?
	    PGL_ACT_INGEST_BRANCHING : PGL_ACT_EXPERIMENTAL_BRANCHING,
	    &(struct pgl_target){ c.id, "", "", NULL, 0 }) == -1)
		return;
	from = pgl_json_str(r->body, "from_branch");
	assets = json_object_get(r->body, "assets");
	b.assets = assets != NULL && json_array_size(assets) > 0 ?
	    api_text(r->arena, assets) : "[]";
	from = from != NULL ? from : "main";
	names = strcmp(b.assets, "[]") != 0 ? b.assets : NULL;
	if ((large = branch_is_large(r, &c, &b, from, assets)) != 0) {
		if (large == 1)
			branch_queue(r, &c, &b, from);
		return;
	}
	if (api_branch_make(r, &b, from, names, &copied, &err) != PGL_OK) {
		pgl_reply_store_error(r, &err);
		return;
	}
	pgl_reply_json(r, 201, api_branch_json(&b));
}

void
api_branch_list(struct pgl_req *r)
{
	struct pgl_branch	*items;
	struct pgl_page		 pg;
	struct pgl_err		 err;
	const char		*cat;
	json_t			*arr;
	uint64_t		 total;
	size_t			 n, i;

	if ((cat = catalog_arg(r)) == NULL || pgl_req_page(r, &pg) == -1)
		return;
	if (STORE(list_branches, r->arena, r->tenant, cat, &pg, &items, &n,
	    &total, &err) != PGL_OK) {
		pgl_reply_store_error(r, &err);
		return;
	}
	arr = json_array();
	for (i = 0; i < n; i++)
		json_array_append_new(arr, api_branch_json(&items[i]));
	pgl_reply_list(r, arr, total);
}

static int
find_branch(struct pgl_req *r, const char *cat, struct pgl_branch *b)
{
	struct pgl_err	err;

	if (STORE(get_branch, r->arena, r->tenant, cat, pgl_param(r, "name"),
	    b, &err) != PGL_OK) {
		pgl_reply_missing(r, &err, "Branch not found");
		return (-1);
	}
	return (0);
}

void
api_branch_get(struct pgl_req *r)
{
	struct pgl_branch	 b;
	const char		*cat;

	if ((cat = catalog_arg(r)) != NULL && find_branch(r, cat, &b) == 0)
		pgl_reply_json(r, 200, api_branch_json(&b));
}

void
api_branch_delete(struct pgl_req *r)
{
	struct pgl_err	 err;
	const char	*cat;

	if ((cat = catalog_arg(r)) == NULL)
		return;
	if (strcmp(pgl_param(r, "name"), "main") == 0) {
		pgl_reply_error(r, 400, "Cannot delete the main branch");
		return;
	}
	if (STORE(delete_branch, r->tenant, cat, pgl_param(r, "name"), &err) !=
	    PGL_OK) {
		pgl_reply_missing(r, &err, "Branch not found");
		return;
	}
	pgl_reply_empty(r, 204);
}

/* Newest first, paged like every management list (X-Total-Count). */
void
api_branch_commits(struct pgl_req *r)
{
	struct pgl_commit	*items = NULL;
	struct pgl_branch	 b;
	struct pgl_page		 pg;
	struct pgl_err		 err;
	const char		*cat;
	json_t			*arr;
	uint64_t		 total = 0;
	size_t			 n = 0, i;

	if ((cat = catalog_arg(r)) == NULL || pgl_req_page(r, &pg) == -1 ||
	    find_branch(r, cat, &b) == -1)
		return;
	if (b.head_commit_id != NULL && STORE(list_commit_ancestry, r->arena,
	    r->tenant, b.head_commit_id, &pg, &items, &n, &total, &err) !=
	    PGL_OK) {
		pgl_reply_store_error(r, &err);
		return;
	}
	arr = json_array();
	for (i = 0; i < n; i++)
		json_array_append_new(arr, commit_json(&items[i]));
	pgl_reply_list(r, arr, total);
}

/* A tenant user needs `create` on the catalog (the rule cannot see the
 * body); a catalog it cannot find answers as the commit lookup does. */
static int
tag_allowed(struct pgl_req *r, const char *catalog)
{
	struct pgl_catalog	c;
	struct pgl_err		err;

	if (api_get_catalog(r, r->tenant, catalog, &c, &err) !=
	    PGL_OK) {
		pgl_reply_missing(r, &err, "Catalog '%.200s' not found",
		    catalog);
		return (-1);
	}
	return (api_require(r, PGL_ACT_CREATE,
	    &(struct pgl_target){ c.id, "", "", NULL, 0 }));
}

void
api_tag_create(struct pgl_req *r)
{
	struct pgl_commit	 commit;
	struct pgl_tag		 t;
	struct pgl_err		 err;
	const char		*cat;

	if (pgl_req_body(r, tag_fields) == -1 ||
	    pgl_req_name(r, "name", pgl_json_str(r->body, "name")) == -1)
		return;
	memset(&t, 0, sizeof(t));
	memset(&err, 0, sizeof(err));
	t.name = pgl_json_str(r->body, "name");
	t.commit_id = pgl_json_str(r->body, "commit_id");
	cat = pgl_json_str(r->body, "catalog");
	t.catalog = cat != NULL ? cat : "default";
	if (!pgl_uuid_valid(t.commit_id)) {
		pgl_reply_error(r, 422, "field `commit_id` must be a UUID");
		return;
	}
	if (!api_is_admin(r) && tag_allowed(r, t.catalog) == -1)
		return;
	/* A tag must point at a real commit of this catalog. */
	if (STORE(get_commit, r->arena, r->tenant, t.commit_id, &commit,
	    &err) != PGL_OK || strcmp(commit.catalog, t.catalog) != 0) {
		if (err.code == PGL_ENOTFOUND || err.code == PGL_OK)
			pgl_reply_error(r, 404, "Commit '%s' not found in "
			    "catalog '%.200s'", t.commit_id, t.catalog);
		else
			pgl_reply_store_error(r, &err);
		return;
	}
	if (STORE(create_tag, r->tenant, &t, &err) != PGL_OK) {
		if (err.code == PGL_EEXISTS)
			(void)snprintf(err.msg, sizeof(err.msg),
			    "Tag '%.200s' already exists", t.name);
		pgl_reply_store_error(r, &err);
		return;
	}
	pgl_reply_json(r, 200, json_pack("{s:s,s:s}", "name", t.name,
	    "commit_id", t.commit_id));
}

void
api_tag_list(struct pgl_req *r)
{
	struct pgl_tag	*items;
	struct pgl_page	 pg;
	struct pgl_err	 err;
	const char	*cat;
	json_t		*arr;
	uint64_t	 total;
	size_t		 n, i;

	if ((cat = catalog_arg(r)) == NULL || pgl_req_page(r, &pg) == -1)
		return;
	if (STORE(list_tags, r->arena, r->tenant, cat, &pg, &items, &n, &total,
	    &err) != PGL_OK) {
		pgl_reply_store_error(r, &err);
		return;
	}
	arr = json_array();
	for (i = 0; i < n; i++)
		json_array_append_new(arr, json_pack("{s:s,s:s}", "name",
		    items[i].name, "commit_id", items[i].commit_id));
	pgl_reply_list(r, arr, total);
}

void
api_tag_delete(struct pgl_req *r)
{
	struct pgl_err	 err;
	const char	*cat;

	if ((cat = catalog_arg(r)) == NULL)
		return;
	if (STORE(delete_tag, r->tenant, cat, pgl_param(r, "name"), &err) !=
	    PGL_OK) {
		pgl_reply_missing(r, &err, "Tag not found");
		return;
	}
	pgl_reply_empty(r, 204);
}
