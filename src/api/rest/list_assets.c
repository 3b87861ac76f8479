/*
 * An asset list (list_assets.h): the rows of one kind in a namespace on
 * its branch, read after the last key (list_assets_after, store ABI 1.9)
 * or, from a store without it, by offset.
 */
#include <string.h>

#include "api/api.h"
#include "api/gate.h"
#include "api/rest/list_assets.h"
#include "api/target.h"
#include "app/app.h"
#include "util/arena.h"

/* What the list reads: list_assets's query. */
struct asset_query {
	struct ice_target	 t;
	const char		*kind;
};

/* A tenant user lists the assets it may read. */
static int
asset_visible(struct pgl_req *r, const void *item, void *ctx)
{
	const struct pgl_asset	*a = item;
	struct pgl_target	 t = { ctx, a->ns, a->id, NULL, 0, 0 };

	return (api_allowed(r, PGL_ACT_LIST, &t));
}

/* A slice from the first name ("" is before every one) or after the
 * last one a slice read. */
int
list_assets_fetch(struct list_walk *lw, struct pgl_arena *a,
    const struct pgl_page *pg, void **rows, size_t *n, struct pgl_err *err)
{
	struct asset_query	*q = lw->arg;
	struct pgl_asset	*items;
	int			 rc;

	if (lw->keyset)
		rc = STORE(list_assets_after, a, lw->r->tenant,
		    q->t.catalog.name, q->t.branch, q->t.ns, q->kind, NULL,
		    pg->after != NULL && pg->after->s2 != NULL ?
		    pg->after->s2 : "", pg->limit, &items, n, err);
	else
		rc = STORE(list_assets, a, lw->r->tenant, q->t.catalog.name,
		    q->t.branch, q->t.ns, q->kind, pg, &items, n, NULL, err);
	*rows = items;
	return (rc);
}

/* A row's key: its namespace, then its name. */
void
list_assets_key(const void *row, struct pgl_page_key *k)
{
	const struct pgl_asset	*a = row;

	k->s = a->ns;
	k->s2 = a->name;
	k->n = 0;
}

int
list_assets_cmp(const void *row, const struct pgl_page_key *k)
{
	const struct pgl_asset	*a = row;
	int			 c;

	if ((c = strcmp(a->ns, k->s != NULL ? k->s : "")) != 0)
		return (c);
	return (strcmp(a->name, k->s2 != NULL ? k->s2 : ""));
}

void
list_assets_run(struct pgl_req *r, const struct list_walk_ops *ops,
    const char *kind, const char *scope_name)
{
	struct asset_query	*q;
	struct list_walk	*lw;
	struct pgl_page		 pg;
	uint64_t		 scope;
	int			 paged;

	if ((q = pgl_arena_alloc(r->arena, sizeof(*q))) == NULL) {
		pgl_reply_error(r, 503, "out of memory");
		return;
	}
	memset(q, 0, sizeof(*q));
	q->kind = kind;
	if (ice_target(r, NULL, &q->t) == -1 || !ice_ns_exists(r,
	    q->t.catalog.name, q->t.ns))
		return;
	scope = ice_scope(r, scope_name, &q->t.catalog, q->t.ns,
	    q->t.branch);
	if (ice_page(r, scope, &pg, &paged) == -1 || (lw = list_walk_new(r,
	    ops, &pg, paged, scope, pgl_store_can_list_after(pgl_app.db),
	    api_is_admin(r) ? NULL : asset_visible,
	    (void *)q->t.catalog.id, q)) == NULL)
		return;
	list_walk_run(lw);
}
