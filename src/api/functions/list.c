/*
 * listFunctions (GET .../namespaces/{namespace}/functions): the
 * namespace's functions on its branch, by name, as the spec's
 * ListFunctionsResponse, whose identifiers are CatalogObjectIdentifiers
 * (the namespace's levels, then the name, in one array).  Read and
 * written in slices, paged by key (pageToken, pageSize), a tenant user
 * given the functions it may list, as the table and view lists are
 * (rest/list_walk.h).
 */
#include <string.h>

#include "api/api.h"
#include "api/functions/functions.h"
#include "api/gate.h"
#include "api/rest/list_walk.h"
#include "api/target.h"
#include "app/app.h"
#include "util/arena.h"
#include "util/jw.h"

struct fn_query {
	struct ice_target	t;
};

static int
fn_visible(struct pgl_req *r, const void *item, void *ctx)
{
	const struct pgl_asset	*a = item;
	struct pgl_target	 t = { ctx, a->ns, a->id, NULL, 0, 0 };

	return (api_allowed(r, PGL_ACT_LIST, &t));
}

static int
fn_fetch(struct list_walk *lw, struct pgl_arena *a,
    const struct pgl_page *pg, void **rows, size_t *n, struct pgl_err *err)
{
	struct fn_query		*q = lw->arg;
	struct pgl_asset	*items;
	int			 rc;

	if (lw->keyset)
		rc = STORE(list_assets_after, a, lw->r->tenant,
		    q->t.catalog.name, q->t.branch, q->t.ns, FN_KIND, NULL,
		    pg->after != NULL && pg->after->s2 != NULL ?
		    pg->after->s2 : "", pg->limit, &items, n, err);
	else
		rc = STORE(list_assets, a, lw->r->tenant, q->t.catalog.name,
		    q->t.branch, q->t.ns, FN_KIND, pg, &items, n, NULL, err);
	*rows = items;
	return (rc);
}

static void
fn_key(const void *row, struct pgl_page_key *k)
{
	const struct pgl_asset	*a = row;

	k->s = a->ns;
	k->s2 = a->name;
	k->n = 0;
}

static int
fn_cmp(const void *row, const struct pgl_page_key *k)
{
	const struct pgl_asset	*a = row;
	int			 c;

	if ((c = strcmp(a->ns, k->s != NULL ? k->s : "")) != 0)
		return (c);
	return (strcmp(a->name, k->s2 != NULL ? k->s2 : ""));
}

/* ["level", ..., "name"] */
static void
fn_write(struct pgl_jw *w, const void *row)
{
	const struct pgl_asset	*a = row;
	const char		*p, *sep;

	jw_open(w, '[');
	for (p = a->ns; *p != '\0'; p = *sep != '\0' ? sep + 1 : sep) {
		if ((sep = strchr(p, PGL_NS_SEP)) == NULL)
			sep = p + strlen(p);
		jw_strn(w, NULL, p, (size_t)(sep - p));
	}
	jw_str(w, NULL, a->name);
	jw_close(w, ']');
}

static const struct list_walk_ops fn_list = {
	sizeof(struct pgl_asset), "identifiers", fn_fetch, fn_write, fn_key,
	fn_cmp
};

void
ice_function_list(struct pgl_req *r)
{
	struct fn_query		*q;
	struct list_walk	*lw;
	struct pgl_page		 pg;
	uint64_t		 scope;
	int			 paged;

	if ((q = pgl_arena_alloc(r->arena, sizeof(*q))) == NULL) {
		pgl_reply_error(r, 503, "out of memory");
		return;
	}
	memset(q, 0, sizeof(*q));
	if (ice_target(r, NULL, &q->t) == -1 || !ice_ns_exists(r,
	    q->t.catalog.name, q->t.ns))
		return;
	scope = ice_scope(r, "functions", &q->t.catalog, q->t.ns,
	    q->t.branch);
	if (ice_page(r, scope, &pg, &paged) == -1 || (lw = list_walk_new(r,
	    &fn_list, &pg, paged, scope,
	    pgl_store_can_list_after(pgl_app.db), api_is_admin(r) ? NULL :
	    fn_visible, (void *)q->t.catalog.id, q)) == NULL)
		return;
	list_walk_run(lw);
}
