/*
 * Branches, tags and commit history (pangolin-api.md §2.5, §4): looking
 * at and deleting branches, their commits, and tags.  Making a branch is
 * branch_create.c's; what a reader sees of a branch (its JSON, its
 * commit log) is branch_view.c's.
 */
#include <stdio.h>
#include <string.h>

#include "api/api.h"
#include "api/branching/merge.h"
#include "api/config_cache.h"
#include "api/gate.h"
#include "api/target.h"
#include "app/app.h"
#include "util/arena.h"
#include "util/json.h"
#include "util/paging.h"

static const struct pgl_jfield tag_fields[] = {
	{ "name", PGL_J_STRING, 1 },
	{ "commit_id", PGL_J_STRING, 1 },
	{ "catalog", PGL_J_STRING, 0 },
	{ NULL, 0, 0 }
};

/*
 * The ?catalog= every branch/tag route needs, into c; its name, or NULL
 * after a reply.
 */
static const char *
catalog_arg(struct pgl_req *r, struct pgl_catalog *c)
{
	struct pgl_err		 err;
	const char		*name = pgl_query(r, "catalog");

	if (name == NULL || *name == '\0') {
		pgl_reply_error(r, 400, "query parameter `catalog` is required");
		return (NULL);
	}
	if (api_get_catalog(r, r->tenant, name, c, &err) != PGL_OK) {
		pgl_reply_missing(r, &err, "Catalog '%.200s' not found", name);
		return (NULL);
	}
	if (api_local_catalog(r, c) == -1)
		return (NULL);
	return (name);
}

static uint64_t
catalog_scope(struct pgl_req *r, const char *list,
    const struct pgl_catalog *c)
{
	return (pgl_page_scope(list, r->tenant, c->id, NULL));
}

void
api_branch_list(struct pgl_req *r)
{
	struct pgl_branch	*items;
	struct pgl_catalog	 c;
	struct api_page		 pg;
	struct pgl_err		 err;
	const char		*cat;
	json_t			*arr;
	uint64_t		 total = 0;
	size_t			 n, i;

	if ((cat = catalog_arg(r, &c)) == NULL)
		return;
	if (api_list_page(r, catalog_scope(r, "branches", &c), &pg) == -1)
		return;
	if (STORE(list_branches, r->arena, r->tenant, cat, &pg.pg, &items, &n,
	    pg.keyed ? NULL : &total, &err) != PGL_OK) {
		pgl_reply_store_error(r, &err);
		return;
	}
	arr = json_array();
	for (i = 0; i < n; i++)
		json_array_append_new(arr, api_branch_seen_json(r, &c,
		    &items[i]));
	api_reply_page(r, arr, items, sizeof(*items),
	    API_KEY_S(struct pgl_branch, name), &pg, total);
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
	struct pgl_catalog	 c;
	struct pgl_branch	 b;
	const char		*cat;

	if ((cat = catalog_arg(r, &c)) != NULL && find_branch(r, cat, &b) == 0)
		pgl_reply_json(r, 200, api_branch_seen_json(r, &c, &b));
}

void
api_branch_delete(struct pgl_req *r)
{
	struct pgl_catalog	 c;
	struct pgl_err		 err;
	const char		*cat;

	if ((cat = catalog_arg(r, &c)) == NULL)
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

/*
 * Newest first, paged like every management list (X-Total-Count, or a
 * page_token: a keyset page of the branch's chain); a reader who may not
 * read the whole catalog sees its part (branch_view.c).
 */
void
api_branch_commits(struct pgl_req *r)
{
	struct pgl_catalog	 c;
	struct pgl_branch	 b;
	struct api_page		 pg;
	const char		*cat;

	if ((cat = catalog_arg(r, &c)) == NULL || find_branch(r, cat, &b) ==
	    -1 || api_list_page(r, pgl_page_scope("commits", r->tenant, c.id,
	    b.name, NULL), &pg) == -1)
		return;
	api_branch_log(r, &c, &b, &pg);
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
	if (api_local_catalog(r, &c) == -1)
		return (-1);
	return (api_require(r, PGL_ACT_CREATE,
	    &(struct pgl_target){ c.id, "", "", NULL, 0, 0 }));
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
	struct pgl_catalog	 c;
	struct pgl_tag		*items;
	struct api_page		 pg;
	struct pgl_err		 err;
	const char		*cat;
	json_t			*arr;
	uint64_t		 total = 0;
	size_t			 n, i;

	if ((cat = catalog_arg(r, &c)) == NULL)
		return;
	if (api_list_page(r, catalog_scope(r, "tags", &c), &pg) == -1)
		return;
	if (STORE(list_tags, r->arena, r->tenant, cat, &pg.pg, &items, &n,
	    pg.keyed ? NULL : &total, &err) != PGL_OK) {
		pgl_reply_store_error(r, &err);
		return;
	}
	arr = json_array();
	for (i = 0; i < n; i++)
		json_array_append_new(arr, json_pack("{s:s,s:s}", "name",
		    items[i].name, "commit_id", items[i].commit_id));
	api_reply_page(r, arr, items, sizeof(*items),
	    API_KEY_S(struct pgl_tag, name), &pg, total);
}

void
api_tag_delete(struct pgl_req *r)
{
	struct pgl_catalog	 c;
	struct pgl_err		 err;
	const char		*cat;

	if ((cat = catalog_arg(r, &c)) == NULL)
		return;
	if (STORE(delete_tag, r->tenant, cat, pgl_param(r, "name"), &err) !=
	    PGL_OK) {
		pgl_reply_missing(r, &err, "Tag not found");
		return;
	}
	pgl_reply_empty(r, 204);
}
