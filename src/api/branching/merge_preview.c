/*
 * What a merge would do, before it is started (issue 27):
 * GET /api/v1/branches/merge/preview?catalog=C&source=S&target=T.
 *
 * The merge planner itself (merge_plan) runs as a dry run: the same
 * merge base, the same three-way rules, the same conflicts, but no
 * metadata or manifest list written (merge_inputs.dry) and no operation
 * recorded.  A GET, not a POST with the merge body: it changes nothing,
 * so it runs outside the gate's store transaction and records no audit
 * event, and a read-only handler may wait for an object store's files
 * by fetch and replay (api/request/fetch.h) instead of holding the event loop:
 * the reason the merge itself hands tables on S3 to a task.
 *
 * For every asset either side changed since the base: what each side
 * did (added, modified, deleted, unchanged) and, for tables and views,
 * what changed in their metadata (current snapshot, schema or version,
 * property keys); the plan's action for it and its conflict, if any.
 * Branches over [merge] inline_max_assets are refused (422): their
 * plan is a task's work, and a preview is not worth one.
 */
#include <string.h>

#include "api/api.h"
#include "api/gate.h"
#include "api/branching/merge.h"
#include "api/read/read.h"
#include "api/target.h"
#include "app/app.h"
#include "util/arena.h"
#include "util/json.h"

/* What one side did to an asset: base version b, side version x. */
static const char *
change_of(const json_t *b, const json_t *x)
{
	if (json_is_null(b))
		return (json_is_null(x) ? "unchanged" : "added");
	if (json_is_null(x))
		return ("deleted");
	return (merge_ver_equal(b, x) ? "unchanged" : "modified");
}

/* The keys of side added, changed and removed relative to base. */
static json_t *
props_diff(const json_t *base, const json_t *side)
{
	json_t		*added = json_array(), *changed = json_array();
	json_t		*removed = json_array(), *v;
	const char	*k;

	json_object_foreach((json_t *)side, k, v) {
		if (json_object_get(base, k) == NULL)
			json_array_append_new(added, json_string(k));
		else if (!json_equal(json_object_get(base, k), v))
			json_array_append_new(changed, json_string(k));
	}
	json_object_foreach((json_t *)base, k, v) {
		if (json_object_get(side, k) == NULL)
			json_array_append_new(removed, json_string(k));
	}
	return (json_pack("{s:o,s:o,s:o}", "added", added, "changed",
	    changed, "removed", removed));
}

/* {from, to}: a metadata field before and after, null when absent. */
static json_t *
from_to(const json_t *b, const json_t *x, const char *field)
{
	const json_t	*f = json_object_get(b, field);
	const json_t	*t = json_object_get(x, field);

	/* Iceberg writes -1 for "no current snapshot". */
	if (json_is_integer(f) && json_integer_value(f) == -1)
		f = NULL;
	if (json_is_integer(t) && json_integer_value(t) == -1)
		t = NULL;
	return (json_pack("{s:O?,s:O?}", "from", f, "to", t));
}

/*
 * A version's metadata file, or NULL (absent, or not readable: then
 * *why says so).  A read that waits on an object store fails here like
 * any other; the handler's reply is then taken back and it runs again.
 */
static json_t *
metadata_of(struct pgl_req *r, const struct pgl_catalog *c,
    const json_t *ver, const char **why)
{
	const char	*loc = pgl_json_str(ver, "metadata_location");
	struct pgl_err	 err;
	json_t		*md = NULL;

	if (loc == NULL)
		return (NULL);
	memset(&err, 0, sizeof(err));
	if (ice_metadata_load(r, c, loc, &md, &err) != PGL_OK) {
		*why = pgl_arena_printf(r->arena, "%s: %s", loc, err.msg);
		return (NULL);
	}
	return (md);
}

/* A table's or view's change on one side, from its metadata files. */
static void
metadata_change(struct pgl_req *r, const struct pgl_catalog *c,
    const char *kind, const json_t *b, const json_t *x, json_t *out)
{
	const char	*why = NULL;
	json_t		*bm = metadata_of(r, c, b, &why);
	json_t		*xm = metadata_of(r, c, x, &why);

	if (why != NULL)
		json_object_set_new(out, "error", json_string(why));
	if (strcmp(kind, "VIEW") == 0)
		json_object_set_new(out, "version_id", from_to(bm, xm,
		    "current-version-id"));
	else {
		json_object_set_new(out, "snapshot_id", from_to(bm, xm,
		    "current-snapshot-id"));
		json_object_set_new(out, "schema_id", from_to(bm, xm,
		    "current-schema-id"));
	}
	json_object_set_new(out, "properties", props_diff(
	    json_object_get(bm, "properties"), json_object_get(xm,
	    "properties")));
	json_decref(bm);
	json_decref(xm);
}

/* What one side did, with what changed when it modified the asset. */
static json_t *
side_json(struct pgl_req *r, const struct pgl_catalog *c, const char *kind,
    const json_t *b, const json_t *x)
{
	const char	*what = change_of(b, x);
	json_t		*out = json_pack("{s:s}", "change", what);

	if (strcmp(what, "unchanged") == 0 || strcmp(what, "deleted") == 0)
		return (out);
	if (strcmp(kind, "ICEBERG_TABLE") == 0 || strcmp(kind, "VIEW") == 0)
		metadata_change(r, c, kind, b, x, out);
	else
		json_object_set_new(out, "properties", props_diff(
		    json_object_get(b, "properties"), json_object_get(x,
		    "properties")));
	return (out);
}

/* The plan's entry for key: its action and its conflict's id. */
static const json_t *
plan_for(const json_t *plan, const char *key)
{
	const json_t	*e;
	size_t		 i;

	json_array_foreach((json_t *)plan, i, e) {
		if (strcmp(pgl_json_str(e, "key"), key) == 0)
			return (e);
	}
	return (NULL);
}

/* The conflict of id, without the id (no operation holds it). */
static json_t *
conflict_of(const json_t *conflicts, const char *id)
{
	const json_t	*cf;
	json_t		*out;
	size_t		 i;

	json_array_foreach((json_t *)conflicts, i, cf) {
		if (id == NULL || strcmp(pgl_json_str(cf, "id"), id) != 0)
			continue;
		out = json_deep_copy(cf);
		json_object_del(out, "id");
		return (out);
	}
	return (json_null());
}

static const char *
kind_of(const json_t *b, const json_t *s, const json_t *t)
{
	const char	*k = pgl_json_str(s, "kind");

	if (k == NULL)
		k = pgl_json_str(t, "kind");
	if (k == NULL)
		k = pgl_json_str(b, "kind");
	return (k != NULL ? k : "");
}

/* One touched asset as the preview shows it. */
static json_t *
asset_json(struct pgl_req *r, const struct pgl_catalog *c,
    const json_t *tc, const json_t *plan, const json_t *conflicts)
{
	const json_t	*b = json_object_get(tc, "base");
	const json_t	*s = json_object_get(tc, "source");
	const json_t	*t = json_object_get(tc, "target");
	const json_t	*e = plan_for(plan, pgl_json_str(tc, "key"));
	const char	*kind = kind_of(b, s, t);

	return (json_pack("{s:s,s:O,s:s,s:s,s:o,s:o,s:o}", "name",
	    ice_dotted(r, pgl_json_str(tc, "key"), NULL), "namespace",
	    json_object_get(tc, "ns"), "kind", kind, "action",
	    e != NULL ? pgl_json_str(e, "action") : "none", "source",
	    side_json(r, c, kind, b, s), "target", side_json(r, c, kind, b, t),
	    "conflict", conflict_of(conflicts, e != NULL ?
	    pgl_json_str(e, "conflict") : NULL)));
}

/* The query's three names; 400 when one is missing. */
static int
preview_names(struct pgl_req *r, const char **cat, const char **src,
    const char **tgt)
{
	static const char *const names[] = { "catalog", "source", "target" };
	const char	*v[3];
	size_t		 i;

	for (i = 0; i < 3; i++) {
		v[i] = pgl_query(r, names[i]);
		if (v[i] == NULL || *v[i] == '\0') {
			pgl_reply_error(r, 400, "query parameter `%s` is "
			    "required", names[i]);
			return (-1);
		}
	}
	*cat = v[0];
	*src = v[1];
	*tgt = v[2];
	return (0);
}

/* The merge base and the dry plan, with every asset either side touched. */
static int
preview_plan(struct pgl_req *r, const struct pgl_catalog *c,
    const struct pgl_branch *s, const struct pgl_branch *t,
    struct merge_prepared *p, json_t *touched)
{
	struct merge_inputs	in;
	struct pgl_err		err;

	memset(&err, 0, sizeof(err));
	memset(p, 0, sizeof(*p));
	if (s->head_commit_id != NULL && t->head_commit_id != NULL &&
	    STORE(get_merge_base, r->arena, r->tenant, s->head_commit_id,
	    t->head_commit_id, &p->base, &err) != PGL_OK) {
		pgl_reply_store_error(r, &err);
		return (-1);
	}
	memset(&in, 0, sizeof(in));
	in.catalog = c;
	in.source = s;
	in.target = t;
	in.base_commit = p->base;
	in.dry = 1;
	in.touched = touched;
	return (merge_plan(r, &in, &p->plan, &p->conflicts) == 0 ? 0 : -1);
}

static json_t *
preview_json(struct pgl_req *r, const struct pgl_catalog *c,
    const struct pgl_branch *s, const struct pgl_branch *t,
    const struct merge_prepared *p, const json_t *touched)
{
	json_t		*assets = json_array(), *cfs = json_array(), *cf;
	const json_t	*tc;
	size_t		 i;

	json_array_foreach((json_t *)touched, i, tc)
		json_array_append_new(assets, asset_json(r, c, tc, p->plan,
		    p->conflicts));
	json_array_foreach(p->conflicts, i, tc) {
		cf = json_deep_copy(tc);
		json_object_del(cf, "id");
		json_array_append_new(cfs, cf);
	}
	return (json_pack("{s:s,s:s,s:s,s:o,s:o,s:o,s:o,s:o}", "catalog",
	    c->name, "source_branch", s->name, "target_branch", t->name,
	    "base_commit_id", api_str_or_null(p->base), "source_head",
	    api_str_or_null(s->head_commit_id), "target_head",
	    api_str_or_null(t->head_commit_id), "assets", assets, "conflicts",
	    cfs));
}

void
api_merge_preview(struct pgl_req *r)
{
	struct merge_prepared	 p;
	struct pgl_catalog	 c;
	struct pgl_branch	 s, t;
	const char		*cat, *src, *tgt;
	json_t			*touched;
	int			 large;

	if (preview_names(r, &cat, &src, &tgt) == -1 ||
	    merge_catalog_for(r, cat, PGL_ACT_READ, &c) == -1 ||
	    merge_find_branch(r, c.name, src, &s) == -1 ||
	    merge_find_branch(r, c.name, tgt, &t) == -1)
		return;
	if (strcmp(s.name, t.name) == 0) {
		pgl_reply_error(r, 400, "Cannot merge branch '%.200s' into "
		    "itself", s.name);
		return;
	}
	if ((large = merge_is_large(r, &c, &s, &t)) == -1)
		return;
	if (large) {
		pgl_reply_error(r, 422, "too many assets to preview: a branch "
		    "holds more than %d (PANGOLIN_MERGE_INLINE_MAX_ASSETS); "
		    "start the merge (it runs as a task) and review its "
		    "conflicts", pgl_app.cfg->merge.inline_max_assets);
		return;
	}
	touched = json_array();
	if (preview_plan(r, &c, &s, &t, &p, touched) == 0)
		pgl_reply_json(r, 200, preview_json(r, &c, &s, &t, &p,
		    touched));
	json_decref(p.plan);
	json_decref(p.conflicts);
	json_decref(touched);
}
