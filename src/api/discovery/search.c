/*
 * Discovery search (pangolin-api.md §2.10): /api/v1/assets/search (a
 * management list), /api/v1/search/assets ({results,total,limit,offset})
 * and /api/v1/search (catalogs, namespaces, branches and assets by
 * name).  A query is free text, a case-insensitive substring of an
 * asset's name or description, and `#tag` words, tags the asset must
 * all carry (as must those of tags=a,b), itself or on any of its columns
 * (column tags, issue 46; each asset hit lists its column tags,
 * search_columns.c).  Assets are searched on each
 * catalog's main branch, through the store's text index
 * (store.h, search_assets), and the store applies what the caller may
 * see (api_search_scope: its grants, and the discoverable assets), so
 * totals and pages are exact and a search never reads every asset.
 */
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "api/asset_ref.h"
#include "api/config_cache.h"
#include "api/discovery/discovery.h"
#include "api/gate.h"
#include "app/app.h"
#include "util/arena.h"
#include "util/json.h"
#include "util/names.h"
#include "util/paging.h"

#define SEARCH_PAGE_DEFAULT	50
#define UNIFIED_DEFAULT		20
#define UNIFIED_MAX		100

/* tag into tags unless it is there; -1 after a 400. */
static int
add_tag(struct pgl_req *r, json_t *tags, const char *tag, size_t len)
{
	const char	*why;
	char		*t;
	size_t		 i;

	if ((t = pgl_arena_strndup(r->arena, tag, len)) == NULL)
		return (-1);
	if ((why = disc_tag_check(t)) != NULL) {
		pgl_reply_error(r, 400, "tag '%.64s': %s", t, why);
		return (-1);
	}
	for (i = 0; i < json_array_size(tags); i++) {
		if (strcmp(json_string_value(json_array_get(tags, i)), t) == 0)
			return (0);
	}
	if (json_array_size(tags) == DISC_TAGS_MAX) {
		pgl_reply_error(r, 400, "at most %d tags", DISC_TAGS_MAX);
		return (-1);
	}
	json_array_append_new(tags, json_string(t));
	return (0);
}

static int
query_text_ok(struct pgl_req *r, const char *raw)
{
	size_t	i, len = strlen(raw);

	if (len > DISC_QUERY_MAX || !pgl_utf8_valid(raw, len)) {
		pgl_reply_error(r, 400, "a query is at most %d bytes of UTF-8",
		    DISC_QUERY_MAX);
		return (-1);
	}
	for (i = 0; i < len; i++) {
		if ((unsigned char)raw[i] < 0x20 && raw[i] != '\t') {
			pgl_reply_error(r, 400, "a query must not hold control "
			    "characters");
			return (-1);
		}
	}
	return (0);
}

/*
 * raw's words into q: "#tag" words are tags, the others (joined by one
 * space) the text; tags (a,b) adds tags.  0, or -1 after a 400.
 */
static int
parse_query(struct pgl_req *r, const char *raw, const char *list,
    struct pgl_asset_query *q)
{
	json_t		*tags = json_array();
	const char	*p, *end;
	char		*text;
	size_t		 n = 0, len;
	int		 rc = -1;

	if (query_text_ok(r, raw) == -1 || (list != NULL &&
	    query_text_ok(r, list) == -1) ||
	    (text = pgl_arena_alloc(r->arena, strlen(raw) + 1)) == NULL)
		goto out;
	for (p = raw; *p != '\0'; p = end) {
		p += strspn(p, " \t");
		len = strcspn(p, " \t");
		end = p + len;
		if (len == 0)
			continue;
		if (p[0] == '#' && len > 1) {
			if (add_tag(r, tags, p + 1, len - 1) == -1)
				goto out;
			continue;
		}
		if (n > 0)
			text[n++] = ' ';
		memcpy(text + n, p, len);
		n += len;
	}
	text[n] = '\0';
	for (p = list; p != NULL && *p != '\0'; p = *end == ',' ? end + 1 :
	    end) {
		end = p + strcspn(p, ",");
		if (end > p && add_tag(r, tags, p, (size_t)(end - p)) == -1)
			goto out;
	}
	q->text = n > 0 ? text : NULL;
	q->tags = json_array_size(tags) > 0 ? api_text(r->arena, tags) : NULL;
	rc = 0;
out:
	json_decref(tags);
	return (rc);
}

/* A page of hits for the caller (what it may see, by the store). */
static int
run_search(struct pgl_req *r, struct pgl_asset_query *q,
    const struct pgl_page *pg, struct pgl_asset_hit **hits, size_t *n,
    uint64_t *total)
{
	struct pgl_err	err;

	if (pgl_app.db->search_assets == NULL) {
		pgl_reply_error(r, 501, "not supported by this store plugin");
		return (-1);
	}
	if (api_search_scope(r, q) == -1)
		return (-1);
	if (STORE(search_assets, r->arena, r->tenant, q, pg, hits, n, total,
	    &err) != PGL_OK) {
		pgl_reply_store_error(r, &err);
		return (-1);
	}
	return (0);
}

/* Whether the caller may read the hit (its tags decide tag grants). */
static int
has_access(struct pgl_req *r, const struct pgl_asset_hit *h)
{
	struct pgl_catalog	c;
	struct pgl_target	t;
	struct pgl_err		err;

	if (api_is_admin(r))
		return (1);
	if (api_get_catalog(r, r->tenant, h->asset.catalog, &c, &err) !=
	    PGL_OK)
		return (0);
	api_asset_target(&h->asset, &c, &t);
	t.ntags = api_tags_parse(r, h->tags, &t.tags);
	return (api_allowed(r, PGL_ACT_READ, &t));
}

static const char *
dotted(struct pgl_req *r, const char *ns)
{
	char	*d = pgl_arena_strdup(r->arena, ns), *p;

	for (p = d; p != NULL && *p != '\0'; p++) {
		if (*p == PGL_NS_SEP)
			*p = '.';
	}
	return (d);
}

/* A hit the caller may not read (discoverable) shows no location. */
static json_t *
hit_json(struct pgl_req *r, const struct pgl_asset_hit *h, json_t *ctags)
{
	int	access = has_access(r, h);

	return (json_pack("{s:s,s:s,s:s,s:o,s:o,s:o,s:o,s:b,s:b,s:s,s:s,s:s}",
	    "id", h->asset.id, "name", h->asset.name, "kind", h->asset.kind,
	    "location", access ? api_str_or_null(h->asset.location) :
	    json_null(), "description",
	    api_str_or_null(h->description), "tags", pgl_json_load_or(h->tags,
	    json_array()), "column_tags", disc_column_tags_of(ctags, h),
	    "has_access", access, "discoverable", h->discoverable,
	    "catalog", h->asset.catalog, "namespace", dotted(r, h->asset.ns),
	    "branch", h->asset.branch));
}

/* GET /api/v1/assets/search?query=&tags=a,b[&catalog=]: a paged list. */
void
api_search_assets(struct pgl_req *r)
{
	struct pgl_asset_query	 q;
	struct pgl_asset_hit	*hits;
	struct pgl_page		 pg;
	const char		*raw = pgl_query(r, "query");
	uint64_t		 total;
	size_t			 n, i;
	json_t			*arr, *ctags;

	memset(&q, 0, sizeof(q));
	if (raw == NULL) {
		pgl_reply_error(r, 400, "query is required (it may be empty)");
		return;
	}
	q.catalog = pgl_query(r, "catalog");
	if (pgl_req_page(r, &pg) == -1 || parse_query(r, raw, pgl_query(r,
	    "tags"), &q) == -1 || run_search(r, &q, &pg, &hits, &n,
	    &total) == -1 || (ctags = disc_hit_column_tags(r, hits, n)) ==
	    NULL)
		return;
	arr = json_array();
	for (i = 0; i < n; i++)
		json_array_append_new(arr, hit_json(r, &hits[i], ctags));
	json_decref(ctags);
	pgl_reply_list(r, arr, total);
}

/* limit (default def, at most max; 0 is the default) and offset. */
static int
limit_offset(struct pgl_req *r, uint32_t def, uint32_t max,
    struct pgl_page *pg)
{
	const char	*l = pgl_query(r, "limit"), *o = pgl_query(r, "offset");
	uint64_t	 v = 0;

	pg->limit = def;
	pg->offset = 0;
	pg->after = NULL;
	if (l != NULL && pgl_parse_u64(l, UINT64_MAX, &v) == -1) {
		pgl_reply_error(r, 400, "limit must be a non-negative integer");
		return (-1);
	}
	if (v > 0)
		pg->limit = v > max ? max : (uint32_t)v;
	if (o != NULL && pgl_parse_u64(o, UINT64_MAX / 2, &pg->offset) == -1) {
		pgl_reply_error(r, 400, "offset must be a non-negative integer");
		return (-1);
	}
	return (0);
}

static const char *
asset_type(struct pgl_req *r, const char *kind)
{
	char	*t, *p;

	if (strcmp(kind, "ICEBERG_TABLE") == 0)
		return ("table");
	if (strcmp(kind, "VIEW") == 0)
		return ("view");
	for (p = t = pgl_arena_strdup(r->arena, kind); p != NULL && *p != '\0';
	    p++) {
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p - 'A' + 'a');
	}
	return (t);
}

/* GET /api/v1/search/assets?q=&catalog=&limit=&offset= */
void
api_search_assets_paged(struct pgl_req *r)
{
	struct pgl_asset_query	 q;
	struct pgl_asset_hit	*hits;
	struct pgl_page		 pg;
	const char		*raw = pgl_query(r, "q");
	uint64_t		 total;
	size_t			 n, i;
	json_t			*arr, *ctags;

	memset(&q, 0, sizeof(q));
	if (raw == NULL || *raw == '\0') {
		pgl_reply_error(r, 400, "q is required");
		return;
	}
	q.catalog = pgl_query(r, "catalog");
	if (limit_offset(r, SEARCH_PAGE_DEFAULT, PGL_PAGE_MAX, &pg) == -1 ||
	    parse_query(r, raw, NULL, &q) == -1 || run_search(r, &q, &pg,
	    &hits, &n, &total) == -1 || (ctags = disc_hit_column_tags(r, hits,
	    n)) == NULL)
		return;
	arr = json_array();
	for (i = 0; i < n; i++)
		json_array_append_new(arr, json_pack("{s:s,s:s,s:o,s:s,s:s,s:s,"
		    "s:b,s:o,s:o}", "id", hits[i].asset.id, "name",
		    hits[i].asset.name, "namespace", ice_ns_json(hits[i].asset.ns),
		    "catalog", hits[i].asset.catalog, "asset_type",
		    asset_type(r, hits[i].asset.kind), "kind", hits[i].asset.kind,
		    "has_access", has_access(r, &hits[i]), "description",
		    api_str_or_null(hits[i].description), "column_tags",
		    disc_column_tags_of(ctags, &hits[i])));
	json_decref(ctags);
	pgl_reply_json(r, 200, json_pack("{s:o,s:I,s:I,s:I}", "results", arr,
	    "total", (json_int_t)total, "limit", (json_int_t)pg.limit,
	    "offset", (json_int_t)pg.offset));
}

/* The unified search's name hits of one kind the caller may see. */
static int
names_of(struct pgl_req *r, enum pgl_name_kind kind, const char *text,
    uint32_t limit, json_t *out)
{
	static const char *const kinds[] = { "Catalog", "Namespace",
	    "Branch" };
	struct pgl_name_hit	*hits;
	struct pgl_catalog	 c;
	struct pgl_target	 t;
	struct pgl_err		 err;
	size_t			 n, i;

	if (STORE(search_names, r->arena, r->tenant, kind, text, limit,
	    &hits, &n, &err) != PGL_OK) {
		pgl_reply_store_error(r, &err);
		return (-1);
	}
	for (i = 0; i < n; i++) {
		if (api_get_catalog(r, r->tenant, hits[i].catalog, &c, &err) !=
		    PGL_OK)
			continue;
		memset(&t, 0, sizeof(t));
		t.catalog_id = c.id;
		t.ns = kind == PGL_NAMES_NAMESPACE ? hits[i].name : "";
		t.asset_id = "";
		if (!api_sees(r, &t))
			continue;
		json_array_append_new(out, kind == PGL_NAMES_CATALOG ?
		    json_pack("{s:s,s:s,s:s}", "id", c.id, "name", c.name,
		    "kind", kinds[kind]) : json_pack("{s:s,s:s,s:s}", "name",
		    kind == PGL_NAMES_NAMESPACE ? dotted(r, hits[i].name) :
		    hits[i].name, "kind", kinds[kind], "context", c.name));
	}
	return (0);
}

/* Shorter names first (the closest matches), then by name. */
static int
by_length(const void *a, const void *b)
{
	const char	*x = json_string_value(json_object_get(*(json_t *const *)
			    a, "name"));
	const char	*y = json_string_value(json_object_get(*(json_t *const *)
			    b, "name"));
	size_t		 lx = strlen(x), ly = strlen(y);

	if (lx != ly)
		return (lx < ly ? -1 : 1);
	return (strcmp(x, y));
}

static json_t *
sorted_first(json_t *all, size_t limit)
{
	json_t	**v, *out = json_array();
	size_t	  n = json_array_size(all), i;

	if ((v = calloc(n + 1, sizeof(*v))) == NULL)
		return (out);
	for (i = 0; i < n; i++)
		v[i] = json_array_get(all, i);
	qsort(v, n, sizeof(*v), by_length);
	for (i = 0; i < n && i < limit; i++)
		json_array_append(out, v[i]);
	free(v);
	return (out);
}

/* GET /api/v1/search?q=&limit=: catalogs, namespaces, branches, assets. */
void
api_search(struct pgl_req *r)
{
	struct pgl_asset_query	 q;
	struct pgl_asset_hit	*hits;
	struct pgl_page		 pg;
	const char		*raw = pgl_query(r, "q");
	size_t			 n, i;
	json_t			*all;

	memset(&q, 0, sizeof(q));
	if (raw == NULL || *raw == '\0') {
		pgl_reply_error(r, 400, "q is required");
		return;
	}
	if (limit_offset(r, UNIFIED_DEFAULT, UNIFIED_MAX, &pg) == -1 ||
	    parse_query(r, raw, NULL, &q) == -1)
		return;
	pg.offset = 0;		/* the unified search has one page */
	/* and no total: a count is O(hits), the page is not (a console
	 * searching as the user types asks this at every pause: "t0" of a
	 * 1,000,000-asset catalog on PostgreSQL counted 1,000,000 hits). */
	if (run_search(r, &q, &pg, &hits, &n, NULL) == -1)
		return;
	all = json_array();
	for (i = 0; i < n; i++)
		json_array_append_new(all, json_pack("{s:s,s:s,s:s,s:o,s:s}",
		    "id", hits[i].asset.id, "name", hits[i].asset.name, "kind",
		    "Asset", "description", api_str_or_null(hits[i].description),
		    "context", pgl_arena_printf(r->arena, "%s.%s",
		    hits[i].asset.catalog, dotted(r, hits[i].asset.ns))));
	if (q.text != NULL && (names_of(r, PGL_NAMES_CATALOG, q.text,
	    pg.limit, all) == -1 || names_of(r, PGL_NAMES_NAMESPACE, q.text,
	    pg.limit, all) == -1 || names_of(r, PGL_NAMES_BRANCH, q.text,
	    pg.limit, all) == -1)) {
		json_decref(all);
		return;
	}
	pgl_reply_json(r, 200, json_pack("{s:o}", "results",
	    sorted_first(all, pg.limit)));
	json_decref(all);
}
