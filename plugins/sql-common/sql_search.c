/*
 * Discovery (store ABI 1.10): assets by text, tags and visibility, names
 * of catalogs, namespaces and branches, and the dashboard's counts.
 *
 * The text index: asset_search holds one row per asset of a `main`
 * branch (its name, then a newline and its business metadata's
 * description), kept by triggers on assets and business_metadata (the
 * migrations).  SQLite indexes it with an FTS5 trigram table (a phrase
 * of three or more characters is a substring match through the index;
 * shorter text falls back to LIKE over the tenant's rows), PostgreSQL
 * with a pg_trgm GIN index that ILIKE uses at any length.  Tags filter
 * through asset_tags and column_tags (ABI 1.19: a tag on one of the
 * asset's columns counts as on the asset), each by its key, no new table
 * nor trigger.  Three shapes of the same query, so the planner
 * starts from what narrows most: the text index, the tag index, or the
 * tenant's rows in name order.  Every text binds the same parameters:
 *
 *	?1 tenant  ?2 text (an FTS5 phrase or a LIKE pattern)  ?3 catalog  ?4 tags
 *	?5 restricted  ?6-?9 visible catalogs, namespaces, assets, tags
 *	?10, ?11 limit and offset
 */
#include <stdlib.h>
#include <string.h>

#include "sql_store.h"

#define HIT_COLS \
	"SELECT a.id, a.catalog_name, a.branch_name, a.namespace, a.name," \
	" a.kind, a.location, a.metadata_location, a.properties," \
	" a.created_at, a.updated_at," \
	" CASE WHEN b.asset_id IS NULL THEN 0 ELSE 1 END, b.description," \
	" coalesce(b.tags, '[]'), coalesce(b.discoverable, 0)"

/* The namespace key "<catalog>\x1e<ns>" of a visibility entry. */
#define NS_KEY	"s.catalog_name || " SQL_CHR "(30) || s.namespace"

/*
 * Whether the asset s carries the tag w.v, on itself (asset_tags' key)
 * or on a column (column_tags_tag: tenant, tag, asset).
 */
#define HAS_TAG \
	"EXISTS (SELECT 1 FROM asset_tags t" \
	"  WHERE t.asset_id = s.asset_id AND t.tag = w.v)" \
	" OR EXISTS (SELECT 1 FROM column_tags c WHERE c.tenant_id = ?1" \
	"  AND c.tag = w.v AND c.asset_id = s.asset_id)"

/* On asset_search alone: what is found, filtered and paged is read from
 * that one table; the page's assets and metadata are joined after.  The
 * tags of ?4 are distinct (the host's parse), so counting those the asset
 * carries tells whether it carries all. */
#define TAGS_HELD \
	"(SELECT count(*) FROM (" SQL_JSON_VALUES("?4") \
	") w WHERE " HAS_TAG ") = " SQL_JSON_LENGTH("?4")
#define VISIBLE \
	" AND (?5 = 0 OR s.discoverable = 1" \
	"  OR s.catalog_name IN (" SQL_JSON_VALUES("?6") ")" \
	"  OR EXISTS (SELECT 1 FROM (" SQL_JSON_VALUES("?7") ") n" \
	"   WHERE " NS_KEY " = n.v" \
	"   OR " SQL_STARTS_WITH(NS_KEY, "n.v || " SQL_CHR "(31)") ")" \
	"  OR s.asset_id IN (" SQL_JSON_VALUES("?8") ")" \
	"  OR EXISTS (SELECT 1 FROM asset_tags t" \
	"   WHERE t.asset_id = s.asset_id AND t.tag IN (" \
	SQL_JSON_VALUES("?9") ")))"
#define FILTER \
	" AND (?3 IS NULL OR s.catalog_name = ?3)" \
	" AND (?4 IS NULL OR " TAGS_HELD ")" VISIBLE
/*
 * From the tag indexes (BY_TAGS) every row carries the first tag: one
 * tag asks nothing more of a row (a tag on 2,000 of 1,000,000 assets:
 * each row's JSON parse and two lookups were half the search's time on
 * SQLite, 43 of 80 ms on PostgreSQL), more ask the others as FILTER does.
 */
#define FILTER_TAGS \
	" AND (?3 IS NULL OR s.catalog_name = ?3)" \
	" AND (" SQL_JSON_LENGTH("?4") " = 1 OR " TAGS_HELD ")" VISIBLE
#define ORDER	" ORDER BY s.name, s.catalog_name, s.namespace"

#if SQL_TEXT_INDEX_FTS5
/*
 * ?2: an FTS5 phrase of 3+ characters.  CROSS JOIN keeps the text index
 * the outer loop: left to itself the planner started from the tenant's
 * rows and asked the index once per row (100,000 assets: 10 s, not 2 ms).
 */
#define BY_TEXT \
	" FROM asset_fts CROSS JOIN asset_search s" \
	" ON s.seq = asset_fts.rowid" \
	" WHERE asset_fts MATCH ?2 AND s.tenant_id = ?1"
/* ?2: a LIKE pattern of 1-2 characters (case-insensitive for ASCII, as
 * SQLite's LIKE is), or NULL. */
#define TEXT_SCAN	" AND (?2 IS NULL OR s.text LIKE ?2 ESCAPE '\\')"
#else
/*
 * ?2: an ILIKE pattern, or NULL; pg_trgm serves either shape.  The
 * pattern alone is a subquery PostgreSQL cannot flatten (OFFSET 0), so
 * it is answered from the trigram index first: with the tenant and the
 * page's order beside it, the planner preferred the tenant's rows in name
 * order, filtered one by one (100,000 assets: a rare word read them all).
 */
#define BY_TEXT \
	" FROM (SELECT * FROM asset_search WHERE text ILIKE ?2 ESCAPE '\\'" \
	" OFFSET 0) s WHERE s.tenant_id = ?1"
#define TEXT_SCAN	" AND (?2 IS NULL OR s.text ILIKE ?2 ESCAPE '\\')"
#endif
/*
 * From the assets carrying the first tag, on themselves or on a column
 * (FILTER asks for the others): the tag indexes are the outer loop, not
 * the tenant's rows (a tag on 200 of 100,000 assets: 2 ms, not 0.9 s).
 * UNION: an asset with the tag on both, or on two columns, is one hit.
 */
#define BY_TAGS \
	" FROM (SELECT asset_id FROM asset_tags" \
	" WHERE tenant_id = ?1 AND tag = " SQL_JSON_FIRST("?4") \
	" UNION SELECT asset_id FROM column_tags" \
	" WHERE tenant_id = ?1 AND tag = " SQL_JSON_FIRST("?4") ") t0 " \
	SQL_JOIN_IN_ORDER " asset_search s ON s.asset_id = t0.asset_id" \
	" WHERE s.tenant_id = ?1" TEXT_SCAN
#define BY_NAME	" FROM asset_search s WHERE s.tenant_id = ?1" TEXT_SCAN

/*
 * The page (?10, ?11) chosen on asset_search, then its assets and their
 * metadata: a join of 50 rows by key, whatever the number of hits (the
 * join before the page cost PostgreSQL a hash of every asset).
 */
#define PAGE_OF(by, filter) \
	HIT_COLS " FROM (SELECT s.asset_id, s.name, s.catalog_name," \
	" s.namespace" by filter ORDER " LIMIT ?10 OFFSET ?11) s" \
	" JOIN assets a ON a.id = s.asset_id" \
	" LEFT JOIN business_metadata b ON b.asset_id = s.asset_id" ORDER

static const char SEARCH_TEXT[] = PAGE_OF(BY_TEXT, FILTER);
static const char COUNT_TEXT[] = "SELECT count(*)" BY_TEXT FILTER;
static const char SEARCH_TAGS[] = PAGE_OF(BY_TAGS, FILTER_TAGS);
static const char COUNT_TAGS[] = "SELECT count(*)" BY_TAGS FILTER_TAGS;
static const char SEARCH_NAME[] = PAGE_OF(BY_NAME, FILTER);
static const char COUNT_NAME[] = "SELECT count(*)" BY_NAME FILTER;

#define NAME_LIKE(col) \
	" AND " SQL_STRPOS "(lower(" col "), lower(?2)) > 0"
static const char NAMES_CATALOGS[] =
	"SELECT name, name FROM catalogs WHERE tenant_id = ?1"
	NAME_LIKE("name") " ORDER BY name LIMIT ?3";
static const char NAMES_NAMESPACES[] =
	"SELECT catalog_name, name FROM namespaces WHERE tenant_id = ?1"
	NAME_LIKE("replace(name, " SQL_CHR "(31), '.')")
	" ORDER BY name, catalog_name LIMIT ?3";
static const char NAMES_BRANCHES[] =
	"SELECT catalog_name, name FROM branches WHERE tenant_id = ?1"
	NAME_LIKE("name") " ORDER BY name, catalog_name LIMIT ?3";

#define OF_TENANT(t)	" WHERE (?1 IS NULL OR " t " = ?1)"
#define MAIN_ASSETS \
	"(SELECT count(*) FROM assets" OF_TENANT("tenant_id") \
	" AND branch_name = 'main' AND gone = 0"
static const char COUNTS[] =
	"SELECT (SELECT count(*) FROM tenants" OF_TENANT("id") "),"
	" (SELECT count(*) FROM warehouses" OF_TENANT("tenant_id") "),"
	" (SELECT count(*) FROM catalogs" OF_TENANT("tenant_id") "),"
	" (SELECT count(*) FROM namespaces" OF_TENANT("tenant_id") "),"
	" " MAIN_ASSETS " AND kind = 'ICEBERG_TABLE'),"
	" " MAIN_ASSETS " AND kind = 'VIEW'),"
	" " MAIN_ASSETS "),"
	" (SELECT count(*) FROM branches" OF_TENANT("tenant_id") "),"
	" (SELECT count(*) FROM users" OF_TENANT("tenant_id") ")";

static void
hit_fill(struct row *r, void *out)
{
	struct pgl_asset_hit	*h = out;

	h->asset.id = row_text(r);
	h->asset.catalog = row_text(r);
	h->asset.branch = row_text(r);
	h->asset.ns = row_text(r);
	h->asset.name = row_text(r);
	h->asset.kind = row_text(r);
	h->asset.location = row_text(r);
	h->asset.metadata_location = row_text(r);
	h->asset.properties = row_text(r);
	h->asset.created_at_ms = row_int(r);
	h->asset.updated_at_ms = row_int(r);
	h->has_metadata = row_int(r) != 0;
	h->description = row_text(r);
	h->tags = row_text(r);
	h->discoverable = row_int(r) != 0;
}

/* Characters, not bytes: the trigram index works on characters. */
static size_t
utf8_chars(const char *s)
{
	size_t	n = 0;

	for (; *s != '\0'; s++) {
		if (((unsigned char)*s & 0xc0) != 0x80)
			n++;
	}
	return (n);
}

/*
 * The text argument: an FTS5 phrase ("..." with quotes doubled) or an
 * ILIKE pattern (%...% with \, % and _ escaped); malloc'd.
 */
static char *
text_arg(const char *text, int phrase)
{
	const char	*esc = phrase ? "\"" : "\\%_";
	size_t		 i, n = 0;
	char		*out;

	if ((out = malloc(strlen(text) * 2 + 3)) == NULL)
		return (NULL);
	out[n++] = phrase ? '"' : '%';
	for (i = 0; text[i] != '\0'; i++) {
		if (strchr(esc, text[i]) != NULL)
			out[n++] = phrase ? '"' : '\\';
		out[n++] = text[i];
	}
	out[n++] = phrase ? '"' : '%';
	out[n] = '\0';
	return (out);
}

/* Which shape of the query, and its ?2 (malloc'd, or NULL). */
static int
shape(const struct pgl_asset_query *q, const char **list,
    const char **count, char **arg)
{
	const char	*text = q->text != NULL && *q->text != '\0' ?
			    q->text : NULL;
	int		 indexed = text != NULL &&
			    (!SQL_TEXT_INDEX_FTS5 || utf8_chars(text) >= 3);

	*arg = NULL;
	if (indexed) {
		*list = SEARCH_TEXT;
		*count = COUNT_TEXT;
	} else if (q->tags != NULL) {
		*list = SEARCH_TAGS;
		*count = COUNT_TAGS;
	} else {
		*list = SEARCH_NAME;
		*count = COUNT_NAME;
	}
	if (text == NULL)
		return (0);
	*arg = text_arg(text, indexed && SQL_TEXT_INDEX_FTS5);
	return (*arg == NULL ? -1 : 0);
}

int
sql_search_assets(struct pgl_store *s, struct pgl_arena *a,
    const char *tenant, const struct pgl_asset_query *q,
    const struct pgl_page *page, struct pgl_asset_hit **items, size_t *n,
    uint64_t *total, struct pgl_err *err)
{
	const char	*list, *count;
	char		*arg;
	void		*p = NULL;
	int		 rc;

	*items = NULL;
	*n = 0;
	if (shape(q, &list, &count, &arg) == -1)
		return (store_err(err, PGL_ENOMEM, "out of memory"));
	rc = store_list(s, a, err, list, hit_fill, sizeof(**items), &p, n,
	    "ssssdssssp", tenant, arg, q->catalog, q->tags, q->restricted != 0,
	    q->vis_catalogs, q->vis_namespaces, q->vis_assets, q->vis_tags,
	    page);
	*items = p;
	if (rc == PGL_OK && total != NULL)
		rc = store_count(s, err, count, total, "ssssdssss", tenant, arg,
		    q->catalog, q->tags, q->restricted != 0, q->vis_catalogs,
		    q->vis_namespaces, q->vis_assets, q->vis_tags);
	free(arg);
	return (rc);
}

static void
name_fill(struct row *r, void *out)
{
	struct pgl_name_hit	*h = out;

	h->catalog = row_text(r);
	h->name = row_text(r);
}

int
sql_search_names(struct pgl_store *s, struct pgl_arena *a,
    const char *tenant, enum pgl_name_kind kind, const char *text,
    uint32_t limit, struct pgl_name_hit **items, size_t *n,
    struct pgl_err *err)
{
	const char	*sql;
	void		*p = NULL;
	int		 rc;

	switch (kind) {
	case PGL_NAMES_CATALOG:
		sql = NAMES_CATALOGS;
		break;
	case PGL_NAMES_NAMESPACE:
		sql = NAMES_NAMESPACES;
		break;
	case PGL_NAMES_BRANCH:
		sql = NAMES_BRANCHES;
		break;
	default:
		return (store_err(err, PGL_EINVAL, "unknown name kind %d",
		    (int)kind));
	}
	rc = store_list(s, a, err, sql, name_fill, sizeof(**items), &p, n,
	    "ssi", tenant, text != NULL ? text : "", (int64_t)(limit != 0 ?
	    limit : 1000));
	*items = p;
	return (rc);
}

static void
counts_fill(struct row *r, void *out)
{
	struct pgl_tenant_counts	*c = out;

	c->tenants = (uint64_t)row_int(r);
	c->warehouses = (uint64_t)row_int(r);
	c->catalogs = (uint64_t)row_int(r);
	c->namespaces = (uint64_t)row_int(r);
	c->tables = (uint64_t)row_int(r);
	c->views = (uint64_t)row_int(r);
	c->assets = (uint64_t)row_int(r);
	c->branches = (uint64_t)row_int(r);
	c->users = (uint64_t)row_int(r);
}

int
sql_count_tenant(struct pgl_store *s, const char *tenant,
    struct pgl_tenant_counts *out, struct pgl_err *err)
{
	memset(out, 0, sizeof(*out));
	return (store_get(s, NULL, err, COUNTS, counts_fill, out, "s",
	    tenant));
}
