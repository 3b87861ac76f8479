/*
 * Discovery search (ABI 1.10): substrings of names and descriptions,
 * renames, tags, catalogs and visibility, and the names of catalogs,
 * namespaces and branches; then column tags in search (ABI 1.19, issue
 * 46).
 */
#include <stdint.h>
#include <string.h>

#include "harness.h"

/* Search: one asset per name in catalog "cat", namespace "db", main. */
static void
seed_named(struct fx *f, const char *tenant, const char *const *names,
    size_t n)
{
	size_t	i;

	for (i = 0; i < n; i++)
		seed_asset(f, tenant, "cat", "main", "db", names[i],
		    "DELTA_TABLE");
}

static size_t
search(struct fx *f, const char *tenant, const struct pgl_asset_query *q,
    const char **names, size_t max)
{
	struct pgl_asset_hit	*hits;
	struct pgl_page		 all = { 0, 0, NULL };
	uint64_t		 total;
	size_t			 n, i;

	OK(f, ops->search_assets(f->s, f->a, tenant, q, &all, &hits, &n,
	    &total, &f->err));
	assert_int_equal(total, n);
	for (i = 0; i < n && i < max; i++)
		names[i] = hits[i].asset.name;
	return (n);
}

#define ASSET_ID(name)	"as-t-a-cat-main-db-" name

static void
test_search_finds_substrings_of_names_and_descriptions(void **state)
{
	static const char *const	 names[] = { "orders", "Customer_Orders",
	    "sales", "100%_done\"x", "a_b", "ab" };
	struct fx			*f = *state;
	struct pgl_business_metadata	 m;
	struct pgl_asset_query		 q;
	struct pgl_asset_hit		*hits;
	struct pgl_page			 page = { 1, 1, NULL };
	const char			*got[8];
	uint64_t			 total;
	size_t				 n;

	seed_catalog_tree(f, "t-a");
	seed_catalog_tree(f, "t-b");
	seed_named(f, "t-a", names, 6);
	seed_branch(f, "t-a", "cat", "dev");
	seed_asset(f, "t-a", "cat", "dev", "db", "orders_dev", "DELTA_TABLE");
	m = metadata(ASSET_ID("sales"), "Monthly REVENUE by region", "[]", 0,
	    "alice");
	OK(f, ops->put_business_metadata(f->s, "t-a", &m, &f->err));
	memset(&q, 0, sizeof(q));
	q.text = "order";
	assert_int_equal(search(f, "t-a", &q, got, 8), 2);
	assert_string_equal(got[0], "Customer_Orders");
	assert_string_equal(got[1], "orders");
	q.text = "ORDERS";
	assert_int_equal(search(f, "t-a", &q, got, 8), 2);
	q.text = "revenue";
	assert_int_equal(search(f, "t-a", &q, got, 8), 1);
	assert_string_equal(got[0], "sales");
	q.text = "r\nm";	/* never across name and description */
	assert_int_equal(search(f, "t-a", &q, got, 8), 0);
	/* LIKE's wildcards and FTS5's quotes are plain characters. */
	q.text = "%_d";
	assert_int_equal(search(f, "t-a", &q, got, 8), 1);
	assert_string_equal(got[0], "100%_done\"x");
	q.text = "e\"x";
	assert_int_equal(search(f, "t-a", &q, got, 8), 1);
	q.text = "a_";
	assert_int_equal(search(f, "t-a", &q, got, 8), 1);
	assert_string_equal(got[0], "a_b");
	/* One and two characters, below the trigram: still answered. */
	q.text = "b";	/* a_b, ab, and sales: "... by region" */
	assert_int_equal(search(f, "t-a", &q, got, 8), 3);
	/* Only main: the dev branch's asset is not found. */
	q.text = "_dev";
	assert_int_equal(search(f, "t-a", &q, got, 8), 0);
	/* Another tenant finds nothing of these. */
	q.text = "order";
	assert_int_equal(search(f, "t-b", &q, got, 8), 0);
	/* Empty text: every asset of main, by name; paged with its total. */
	q.text = "";
	OK(f, ops->search_assets(f->s, f->a, "t-a", &q, &page, &hits, &n,
	    &total, &f->err));
	assert_int_equal(total, 8);
	assert_int_equal(n, 1);
	assert_string_equal(hits[0].asset.name, "Customer_Orders");
	/* No total asked (the unified search): the same page, uncounted. */
	q.text = "order";
	OK(f, ops->search_assets(f->s, f->a, "t-a", &q, &page, &hits, &n,
	    NULL, &f->err));
	assert_int_equal(n, 1);
	assert_string_equal(hits[0].asset.name, "orders");
	q.text = "sales";
	OK(f, ops->search_assets(f->s, f->a, "t-a", &q,
	    &(struct pgl_page){ 0, 0, NULL }, &hits, &n, &total, &f->err));
	assert_int_equal(n, 1);
	assert_int_equal(hits[0].has_metadata, 1);
	assert_string_equal(hits[0].description, "Monthly REVENUE by region");
	assert_string_equal(hits[0].asset.catalog, "cat");
	assert_string_equal(hits[0].asset.ns, "db");
	assert_string_equal(hits[0].asset.kind, "DELTA_TABLE");
}

static void
test_search_follows_renames_and_descriptions(void **state)
{
	struct fx			*f = *state;
	struct pgl_business_metadata	 m;
	struct pgl_asset_query		 q;
	const char			*got[4];

	seed_catalog_tree(f, "t-a");
	memset(&q, 0, sizeof(q));
	OK(f, ops->rename_asset(f->s, "t-a", "cat", "main", "db", "t1", "db",
	    "renamed_tbl", &f->err));
	q.text = "renamed";
	assert_int_equal(search(f, "t-a", &q, got, 4), 1);
	q.text = "t1";
	assert_int_equal(search(f, "t-a", &q, got, 4), 0);
	m = metadata(T1, "quarterly numbers", "[]", 0, "alice");
	OK(f, ops->put_business_metadata(f->s, "t-a", &m, &f->err));
	q.text = "quarterly";
	assert_int_equal(search(f, "t-a", &q, got, 4), 1);
	m.description = "yearly numbers";
	OK(f, ops->put_business_metadata(f->s, "t-a", &m, &f->err));
	assert_int_equal(search(f, "t-a", &q, got, 4), 0);
	q.text = "yearly";
	assert_int_equal(search(f, "t-a", &q, got, 4), 1);
	/* A rename keeps the description searchable. */
	OK(f, ops->rename_asset(f->s, "t-a", "cat", "main", "db",
	    "renamed_tbl", "db", "again", &f->err));
	assert_int_equal(search(f, "t-a", &q, got, 4), 1);
	assert_string_equal(got[0], "again");
	OK(f, ops->delete_business_metadata(f->s, "t-a", T1, &f->err));
	assert_int_equal(search(f, "t-a", &q, got, 4), 0);
	OK(f, ops->delete_asset(f->s, "t-a", "cat", "main", "db", "again",
	    &f->err));
	q.text = "again";
	assert_int_equal(search(f, "t-a", &q, got, 4), 0);
}

static void
test_search_filters_by_tags_catalog_and_visibility(void **state)
{
	struct fx			*f = *state;
	struct pgl_business_metadata	 m;
	struct pgl_asset_query		 q;
	const char			*got[8];

	seed_catalog_tree(f, "t-a");
	seed_catalog(f, "t-a", "other", "wh");
	seed_branch(f, "t-a", "other", "main");
	seed_ns(f, "t-a", "other", "db");
	seed_ns(f, "t-a", "cat", "db" SEP "sub");
	seed_asset(f, "t-a", "other", "main", "db", "o1", "ML_MODEL");
	seed_asset(f, "t-a", "cat", "main", "db" SEP "sub", "deep",
	    "CSV_TABLE");
	m = metadata(T1, NULL, "[\"pii\",\"finance\"]", 0, "alice");
	OK(f, ops->put_business_metadata(f->s, "t-a", &m, &f->err));
	m = metadata(V1, NULL, "[\"pii\"]", 1, "alice");
	OK(f, ops->put_business_metadata(f->s, "t-a", &m, &f->err));
	memset(&q, 0, sizeof(q));
	q.tags = "[\"pii\"]";
	assert_int_equal(search(f, "t-a", &q, got, 8), 2);
	q.tags = "[\"pii\",\"finance\"]";
	assert_int_equal(search(f, "t-a", &q, got, 8), 1);
	assert_string_equal(got[0], "t1");
	q.text = "v1";
	assert_int_equal(search(f, "t-a", &q, got, 8), 0);
	q.text = "t";
	assert_int_equal(search(f, "t-a", &q, got, 8), 1);
	q.text = NULL;
	q.tags = NULL;
	q.catalog = "other";
	assert_int_equal(search(f, "t-a", &q, got, 8), 1);
	assert_string_equal(got[0], "o1");
	/* Restricted: the discoverable, and what the lists name. */
	q.catalog = NULL;
	q.restricted = 1;
	assert_int_equal(search(f, "t-a", &q, got, 8), 1);
	assert_string_equal(got[0], "v1");
	q.vis_catalogs = "[\"other\"]";
	assert_int_equal(search(f, "t-a", &q, got, 8), 2);
	q.vis_catalogs = NULL;
	/* JSON text: the separators escaped, as jansson writes them. */
	q.vis_namespaces = "[\"cat\\u001edb\"]";
	assert_int_equal(search(f, "t-a", &q, got, 8), 3);
	q.vis_namespaces = "[\"cat\\u001edb\\u001fsub\"]";
	assert_int_equal(search(f, "t-a", &q, got, 8), 2);
	assert_string_equal(got[0], "deep");
	q.vis_namespaces = "[\"other\\u001ed\"]";
	assert_int_equal(search(f, "t-a", &q, got, 8), 1);
	q.vis_namespaces = NULL;
	q.vis_assets = "[\"" T1 "\"]";
	assert_int_equal(search(f, "t-a", &q, got, 8), 2);
	q.vis_assets = NULL;
	q.vis_tags = "[\"finance\"]";
	assert_int_equal(search(f, "t-a", &q, got, 8), 2);
	assert_string_equal(got[0], "t1");
}

static void
test_search_names_of_catalogs_namespaces_and_branches(void **state)
{
	struct fx		*f = *state;
	struct pgl_name_hit	*hits;
	size_t			 n;

	seed_catalog_tree(f, "t-a");
	seed_catalog_tree(f, "t-b");
	seed_catalog(f, "t-a", "Sales_Cat", "wh");
	seed_ns(f, "t-a", "cat", "db" SEP "sales");
	seed_branch(f, "t-a", "cat", "sales-fix");
	OK(f, ops->search_names(f->s, f->a, "t-a", PGL_NAMES_CATALOG, "SALES",
	    10, &hits, &n, &f->err));
	assert_int_equal(n, 1);
	assert_string_equal(hits[0].catalog, "Sales_Cat");
	assert_string_equal(hits[0].name, "Sales_Cat");
	OK(f, ops->search_names(f->s, f->a, "t-a", PGL_NAMES_NAMESPACE,
	    "db.sal", 10, &hits, &n, &f->err));
	assert_int_equal(n, 1);
	assert_string_equal(hits[0].catalog, "cat");
	assert_string_equal(hits[0].name, "db" SEP "sales");
	OK(f, ops->search_names(f->s, f->a, "t-a", PGL_NAMES_BRANCH, "fix", 10,
	    &hits, &n, &f->err));
	assert_int_equal(n, 1);
	assert_string_equal(hits[0].name, "sales-fix");
	OK(f, ops->search_names(f->s, f->a, "t-a", PGL_NAMES_BRANCH, "a", 1,
	    &hits, &n, &f->err));
	assert_int_equal(n, 1);
	OK(f, ops->search_names(f->s, f->a, "t-b", PGL_NAMES_CATALOG, "sales",
	    10, &hits, &n, &f->err));
	assert_int_equal(n, 0);
}


/*
 * Column tags in discovery search (ABI 1.19, issue 46).  A tag of a
 * search is on an asset when its business metadata or one of its columns
 * carries it; visibility, totals and pages are unchanged by where the tag
 * is.  Each of the three shapes of the SQL query (text index, tag index,
 * the tenant's rows) is asked: tags alone, tags with text of three
 * characters or more, tags with one character.
 */
static void
tag_columns(struct fx *f, const char *tenant, const char *asset,
    const struct pgl_column_tag *t, size_t n)
{
	OK(f, ops->set_column_tags(f->s, tenant, asset, t, n, &f->err));
}

static void
test_column_search_is_offered_from_abi_1_19(void **state)
{
	struct pgl_store_ops	o = *ops;

	(void)state;
	assert_true(pgl_store_has_column_search(&o));
	o.abi_minor = 18;
	assert_false(pgl_store_has_column_search(&o));
	o = *ops;
	o.list_column_tags_of = NULL;
	assert_false(pgl_store_has_column_search(&o));
}

/* A tag no asset's metadata holds finds the table whose column does,
 * once (two of its columns hold it), in every shape of the query. */
static void
test_search_finds_an_asset_by_a_tag_only_a_column_holds(void **state)
{
	struct fx		*f = *state;
	struct pgl_column_tag	 t[] = { { T1, 3, "pii:email" },
				    { T1, 2, "pii:email" }, { T1, 2, "gdpr" } };
	struct pgl_asset_query	 q;
	const char		*got[4];

	seed_catalog_tree(f, "t-a");
	seed_catalog_tree(f, "t-b");
	memset(&q, 0, sizeof(q));
	q.tags = "[\"pii:email\"]";
	assert_int_equal(search(f, "t-a", &q, got, 4), 0);
	tag_columns(f, "t-a", T1, t, 3);
	assert_int_equal(search(f, "t-a", &q, got, 4), 1);
	assert_string_equal(got[0], "t1");
	q.text = "t1";			/* from the text index */
	assert_int_equal(search(f, "t-a", &q, got, 4), 1);
	q.text = "t";			/* from the tag index, then LIKE */
	assert_int_equal(search(f, "t-a", &q, got, 4), 1);
	q.text = "v1";
	assert_int_equal(search(f, "t-a", &q, got, 4), 0);
	q.text = NULL;
	q.tags = "[\"gdpr\",\"pii:email\"]";	/* two columns, one each */
	assert_int_equal(search(f, "t-a", &q, got, 4), 1);
	/* Another tenant's same-named table has no column tags. */
	q.tags = "[\"pii:email\"]";
	assert_int_equal(search(f, "t-b", &q, got, 4), 0);
}

/* Every tag must be on the asset or a column: one on each is a hit,
 * two of which one is nowhere is not. */
static void
test_search_needs_every_tag_on_the_asset_or_its_columns(void **state)
{
	struct fx			*f = *state;
	struct pgl_business_metadata	 m;
	struct pgl_column_tag		 c1[] = { { T1, 3, "pii:email" } };
	struct pgl_column_tag		 c2[] = {
					    { ASSET_ID("t2"), 1, "finance" } };
	struct pgl_asset_query		 q;
	const char			*got[4];

	seed_catalog_tree(f, "t-a");
	seed_asset(f, "t-a", "cat", "main", "db", "t2", "ICEBERG_TABLE");
	m = metadata(T1, NULL, "[\"finance\"]", 0, "alice");
	OK(f, ops->put_business_metadata(f->s, "t-a", &m, &f->err));
	m = metadata(V1, NULL, "[\"finance\"]", 0, "alice");
	OK(f, ops->put_business_metadata(f->s, "t-a", &m, &f->err));
	m = metadata(ASSET_ID("t2"), NULL, "[\"pii:email\"]", 0, "alice");
	OK(f, ops->put_business_metadata(f->s, "t-a", &m, &f->err));
	tag_columns(f, "t-a", T1, c1, 1);
	tag_columns(f, "t-a", ASSET_ID("t2"), c2, 1);
	memset(&q, 0, sizeof(q));
	/* t1: finance on itself, pii on a column; t2 the other way. */
	q.tags = "[\"finance\",\"pii:email\"]";
	assert_int_equal(search(f, "t-a", &q, got, 4), 2);
	assert_string_equal(got[0], "t1");
	assert_string_equal(got[1], "t2");
	q.tags = "[\"pii:email\",\"finance\"]";	/* the other first */
	assert_int_equal(search(f, "t-a", &q, got, 4), 2);
	q.text = "t2";
	assert_int_equal(search(f, "t-a", &q, got, 4), 1);
	assert_string_equal(got[0], "t2");
	q.text = NULL;
	q.tags = "[\"finance\"]";	/* v1 carries it itself */
	assert_int_equal(search(f, "t-a", &q, got, 4), 3);
	q.tags = "[\"finance\",\"pii:email\",\"gdpr\"]";
	assert_int_equal(search(f, "t-a", &q, got, 4), 0);
	q.text = "t";
	assert_int_equal(search(f, "t-a", &q, got, 4), 0);
}

/* A restricted search finds by a column tag only what it may see; a
 * column tag is no tag grant. */
static void
test_search_by_a_column_tag_keeps_visibility(void **state)
{
	struct fx			*f = *state;
	struct pgl_business_metadata	 m;
	struct pgl_column_tag		 c1[] = { { T1, 3, "pii:email" } };
	struct pgl_column_tag		 c2[] = { { V1, 1, "pii:email" } };
	struct pgl_asset_query		 q;
	const char			*got[4];

	seed_catalog_tree(f, "t-a");
	tag_columns(f, "t-a", T1, c1, 1);
	tag_columns(f, "t-a", V1, c2, 1);
	memset(&q, 0, sizeof(q));
	q.tags = "[\"pii:email\"]";
	q.restricted = 1;
	assert_int_equal(search(f, "t-a", &q, got, 4), 0);
	q.vis_tags = "[\"pii:email\"]";
	assert_int_equal(search(f, "t-a", &q, got, 4), 0);
	q.text = "t1";
	assert_int_equal(search(f, "t-a", &q, got, 4), 0);
	q.text = NULL;
	q.vis_tags = NULL;
	m = metadata(V1, NULL, "[]", 1, "alice");	/* discoverable */
	OK(f, ops->put_business_metadata(f->s, "t-a", &m, &f->err));
	assert_int_equal(search(f, "t-a", &q, got, 4), 1);
	assert_string_equal(got[0], "v1");
	q.vis_assets = "[\"" T1 "\"]";
	assert_int_equal(search(f, "t-a", &q, got, 4), 2);
	assert_string_equal(got[0], "t1");
}

/* Totals and pages are the hits', each once, whichever way it holds
 * the tag (on itself and on two columns is one hit). */
static void
test_search_by_a_column_tag_pages_exactly(void **state)
{
	static const char *const	 names[] = { "a1", "a2", "a3", "a4",
	    "a5" };
	struct fx			*f = *state;
	struct pgl_business_metadata	 m;
	struct pgl_column_tag		 c1[] = { { ASSET_ID("a1"), 1, "p" },
					    { ASSET_ID("a1"), 2, "p" } };
	struct pgl_column_tag		 c3[] = { { ASSET_ID("a3"), 7, "p" } };
	struct pgl_asset_query		 q;
	struct pgl_asset_hit		*hits;
	struct pgl_page			 page = { 1, 1, NULL };
	uint64_t			 total;
	size_t				 n;

	seed_catalog_tree(f, "t-a");
	seed_named(f, "t-a", names, 5);
	tag_columns(f, "t-a", ASSET_ID("a1"), c1, 2);
	tag_columns(f, "t-a", ASSET_ID("a3"), c3, 1);
	m = metadata(ASSET_ID("a1"), NULL, "[\"p\"]", 0, "alice");
	OK(f, ops->put_business_metadata(f->s, "t-a", &m, &f->err));
	m = metadata(ASSET_ID("a4"), NULL, "[\"p\"]", 0, "alice");
	OK(f, ops->put_business_metadata(f->s, "t-a", &m, &f->err));
	memset(&q, 0, sizeof(q));
	q.tags = "[\"p\"]";
	OK(f, ops->search_assets(f->s, f->a, "t-a", &q, &page, &hits, &n,
	    &total, &f->err));
	assert_int_equal(total, 3);
	assert_int_equal(n, 1);
	assert_string_equal(hits[0].asset.name, "a3");
	page.offset = 2;
	OK(f, ops->search_assets(f->s, f->a, "t-a", &q, &page, &hits, &n,
	    &total, &f->err));
	assert_int_equal(total, 3);
	assert_int_equal(n, 1);
	assert_string_equal(hits[0].asset.name, "a4");
	page.offset = 3;
	OK(f, ops->search_assets(f->s, f->a, "t-a", &q, &page, &hits, &n,
	    &total, &f->err));
	assert_int_equal(total, 3);
	assert_int_equal(n, 0);
	q.text = "a";		/* the LIKE shape counts the same */
	page.offset = 0;
	page.limit = 0;
	OK(f, ops->search_assets(f->s, f->a, "t-a", &q, &page, &hits, &n,
	    &total, &f->err));
	assert_int_equal(total, 3);
	assert_int_equal(n, 3);
	assert_string_equal(hits[0].asset.name, "a1");
}

/* A column tag removed (or its asset dropped) finds the asset no more. */
static void
test_search_forgets_a_column_tag_removed(void **state)
{
	struct fx		*f = *state;
	struct pgl_column_tag	 t[] = { { T1, 3, "pii:email" },
				    { T1, 4, "gdpr" } };
	struct pgl_asset_query	 q;
	const char		*got[4];

	seed_catalog_tree(f, "t-a");
	tag_columns(f, "t-a", T1, t, 2);
	memset(&q, 0, sizeof(q));
	q.tags = "[\"pii:email\"]";
	assert_int_equal(search(f, "t-a", &q, got, 4), 1);
	tag_columns(f, "t-a", T1, &t[1], 1);
	assert_int_equal(search(f, "t-a", &q, got, 4), 0);
	q.text = "t1";
	assert_int_equal(search(f, "t-a", &q, got, 4), 0);
	q.tags = "[\"gdpr\"]";
	assert_int_equal(search(f, "t-a", &q, got, 4), 1);
	OK(f, ops->delete_asset(f->s, "t-a", "cat", "main", "db", "t1",
	    &f->err));
	assert_int_equal(search(f, "t-a", &q, got, 4), 0);
	q.text = NULL;
	assert_int_equal(search(f, "t-a", &q, got, 4), 0);
}

/* The column tags of a page of hits: by asset, field, tag; none of
 * another tenant's, of no asset, or of an asset gone. */
static void
test_column_tags_of_a_page_of_hits(void **state)
{
	struct fx		*f = *state;
	struct pgl_column_tag	 t1[] = { { T1, 3, "pii:email" },
				    { T1, 2, "pii:phone" }, { T1, 2, "gdpr" } };
	struct pgl_column_tag	 v1[] = { { V1, 1, "x" } };
	struct pgl_column_tag	*got;
	size_t			 n;

	seed_catalog_tree(f, "t-a");
	seed_catalog_tree(f, "t-b");
	tag_columns(f, "t-a", T1, t1, 3);
	tag_columns(f, "t-a", V1, v1, 1);
	OK(f, ops->list_column_tags_of(f->s, f->a, "t-a", "[\"" V1 "\",\""
	    T1 "\",\"nope\"]", &got, &n, &f->err));
	assert_int_equal(n, 4);
	assert_string_equal(got[0].asset_id, T1);
	assert_int_equal(got[0].field_id, 2);
	assert_string_equal(got[0].tag, "gdpr");
	assert_string_equal(got[1].tag, "pii:phone");
	assert_int_equal(got[2].field_id, 3);
	assert_string_equal(got[3].asset_id, V1);
	assert_string_equal(got[3].tag, "x");
	OK(f, ops->list_column_tags_of(f->s, f->a, "t-a", "[\"" V1 "\"]",
	    &got, &n, &f->err));
	assert_int_equal(n, 1);
	OK(f, ops->list_column_tags_of(f->s, f->a, "t-a", "[]", &got, &n,
	    &f->err));
	assert_int_equal(n, 0);
	/* t-b's t1 has the same id scheme but another id; and t-a's ids
	 * asked as t-b give nothing. */
	OK(f, ops->list_column_tags_of(f->s, f->a, "t-b", "[\"" T1 "\"]",
	    &got, &n, &f->err));
	assert_int_equal(n, 0);
	OK(f, ops->delete_asset(f->s, "t-a", "cat", "main", "db", "t1",
	    &f->err));
	OK(f, ops->list_column_tags_of(f->s, f->a, "t-a", "[\"" V1 "\",\""
	    T1 "\"]", &got, &n, &f->err));
	assert_int_equal(n, 1);
	assert_string_equal(got[0].asset_id, V1);
}

/*
 * The text index at any size (issue 69): what the index answers is what
 * a scan of every asset would, on all four stores.  Ties in name are
 * ordered by catalog then namespace, and a page of one at each offset
 * walks the same order as the whole list; a drop and an undrop, a rename
 * or a move, a description put or removed are seen by the next search,
 * by a query through the index (three characters or more) and by one
 * below it (one or two characters) alike; tenants with the same names
 * never see each other's.  On MongoDB these run on CongoDB, which shows
 * the answers (the gram $all, the $regex on stext, the order, skip,
 * limit and count) but not the index: its find reads the whole
 * collection and filters it, whatever index was created, so that a
 * search is answered from the (tenant_id, branch_name, grams) multikey
 * index, and how fast, is not shown here.
 */
static void
names_of_page(struct fx *f, const char *tenant,
    const struct pgl_asset_query *q, uint32_t limit, uint64_t offset,
    char *out, size_t len, uint64_t *total)
{
	struct pgl_asset_hit	*hits;
	struct pgl_page		 page = { limit, offset, NULL };
	size_t			 n, i;

	OK(f, ops->search_assets(f->s, f->a, tenant, q, &page, &hits, &n,
	    total, &f->err));
	out[0] = '\0';
	for (i = 0; i < n; i++)
		snprintf(out + strlen(out), len - strlen(out), "%s/%s/%s ",
		    hits[i].asset.catalog, hits[i].asset.ns,
		    hits[i].asset.name);
}

static void
test_search_orders_ties_by_catalog_then_namespace(void **state)
{
	static const char	*const want =
	    "alpha/db/orders cat/db/orders cat/db\x1f" "sub/orders "
	    "cat/db/orders_2 ";
	struct fx		*f = *state;
	struct pgl_asset_query	 q;
	char			 all[512], one[128], walked[512];
	uint64_t		 total, t;
	uint64_t		 i;

	seed_catalog_tree(f, "t-a");
	seed_catalog(f, "t-a", "alpha", "wh");
	seed_branch(f, "t-a", "alpha", "main");
	seed_ns(f, "t-a", "alpha", "db");
	seed_ns(f, "t-a", "cat", "db" SEP "sub");
	/* Created out of order: the order is the names', not the rows'. */
	seed_asset(f, "t-a", "cat", "main", "db", "orders_2", "VIEW");
	seed_asset(f, "t-a", "cat", "main", "db" SEP "sub", "orders",
	    "ICEBERG_TABLE");
	seed_asset(f, "t-a", "cat", "main", "db", "orders", "ICEBERG_TABLE");
	seed_asset(f, "t-a", "alpha", "main", "db", "orders",
	    "ICEBERG_TABLE");
	memset(&q, 0, sizeof(q));
	q.text = "orders";		/* through the index */
	names_of_page(f, "t-a", &q, 0, 0, all, sizeof(all), &total);
	assert_string_equal(all, want);
	assert_int_equal(total, 4);
	walked[0] = '\0';
	for (i = 0; i < 5; i++) {
		names_of_page(f, "t-a", &q, 1, i, one, sizeof(one), &t);
		assert_int_equal(t, 4);
		strcat(walked, one);
	}
	assert_string_equal(walked, want);
	names_of_page(f, "t-a", &q, 3, 2, one, sizeof(one), &t);
	assert_string_equal(one, "cat/db\x1f" "sub/orders cat/db/orders_2 ");
	q.text = "rs";			/* below the index: the same order */
	names_of_page(f, "t-a", &q, 0, 0, all, sizeof(all), &total);
	assert_string_equal(all, want);
	q.text = "ORDERS_";
	names_of_page(f, "t-a", &q, 0, 0, all, sizeof(all), &total);
	assert_string_equal(all, "cat/db/orders_2 ");
	q.text = NULL;			/* every asset, the same order */
	q.catalog = "cat";
	names_of_page(f, "t-a", &q, 2, 1, one, sizeof(one), &t);
	assert_int_equal(t, 5);
	assert_string_equal(one,
	    "cat/db\x1f" "sub/orders cat/db/orders_2 ");
}

/* A drop (the asset row deleted, its entry kept) is not found by any
 * shape of the query; an undrop (the asset created again, same id) is,
 * at once, without the metadata the drop removed. */
static void
test_search_forgets_a_drop_and_finds_an_undrop(void **state)
{
	struct fx			*f = *state;
	struct pgl_business_metadata	 m;
	struct pgl_asset_query		 q;
	struct pgl_asset		 a = { T1, "cat", "main", "db",
					    "t1", "ICEBERG_TABLE",
					    "s3://bucket/t", NULL, "{}", 0,
					    0, NULL };
	const char			*got[4];

	seed_catalog_tree(f, "t-a");
	m = metadata(T1, "ledger of refunds", "[\"pii\"]", 1, "alice");
	OK(f, ops->put_business_metadata(f->s, "t-a", &m, &f->err));
	memset(&q, 0, sizeof(q));
	q.text = "refunds";
	assert_int_equal(search(f, "t-a", &q, got, 4), 1);
	OK(f, ops->delete_asset(f->s, "t-a", "cat", "main", "db", "t1",
	    &f->err));
	assert_int_equal(search(f, "t-a", &q, got, 4), 0);
	q.text = "t1";
	assert_int_equal(search(f, "t-a", &q, got, 4), 0);
	q.text = "1";
	assert_int_equal(search(f, "t-a", &q, got, 4), 1);	/* v1 */
	assert_string_equal(got[0], "v1");
	q.text = NULL;
	q.tags = "[\"pii\"]";
	assert_int_equal(search(f, "t-a", &q, got, 4), 0);
	q.tags = NULL;
	q.restricted = 1;		/* it was discoverable */
	assert_int_equal(search(f, "t-a", &q, got, 4), 0);
	q.restricted = 0;
	assert_int_equal(search(f, "t-a", &q, got, 4), 1);
	OK(f, ops->create_asset(f->s, "t-a", &a, &f->err));
	assert_int_equal(search(f, "t-a", &q, got, 4), 2);
	assert_string_equal(got[0], "t1");
	q.text = "t1";
	assert_int_equal(search(f, "t-a", &q, got, 4), 1);
	q.text = "1";
	assert_int_equal(search(f, "t-a", &q, got, 4), 2);
	q.text = "refunds";		/* the drop took its metadata */
	assert_int_equal(search(f, "t-a", &q, got, 4), 0);
	m = metadata(T1, "ledger of refunds", "[]", 0, "alice");
	OK(f, ops->put_business_metadata(f->s, "t-a", &m, &f->err));
	assert_int_equal(search(f, "t-a", &q, got, 4), 1);
}

/* A move to another namespace (a rename) is found at once under the new
 * name and namespace, by every shape, and not under the old. */
static void
test_search_finds_a_move_under_its_new_name_at_once(void **state)
{
	struct fx		*f = *state;
	struct pgl_asset_query	 q;
	char			 page[128];
	uint64_t		 total;

	seed_catalog_tree(f, "t-a");
	seed_ns(f, "t-a", "cat", "gold");
	OK(f, ops->rename_asset(f->s, "t-a", "cat", "main", "db", "t1",
	    "gold", "zz_revenue", &f->err));
	memset(&q, 0, sizeof(q));
	q.text = "zz_rev";
	names_of_page(f, "t-a", &q, 0, 0, page, sizeof(page), &total);
	assert_string_equal(page, "cat/gold/zz_revenue ");
	q.text = "zz";
	names_of_page(f, "t-a", &q, 0, 0, page, sizeof(page), &total);
	assert_string_equal(page, "cat/gold/zz_revenue ");
	q.text = "t1";
	names_of_page(f, "t-a", &q, 0, 0, page, sizeof(page), &total);
	assert_int_equal(total, 0);
	q.text = NULL;			/* the name order moved it last */
	names_of_page(f, "t-a", &q, 0, 0, page, sizeof(page), &total);
	assert_string_equal(page, "cat/db/v1 cat/gold/zz_revenue ");
	q.vis_namespaces = "[\"cat\\u001egold\"]";	/* its new place */
	q.restricted = 1;
	names_of_page(f, "t-a", &q, 0, 0, page, sizeof(page), &total);
	assert_string_equal(page, "cat/gold/zz_revenue ");
	q.vis_namespaces = "[\"cat\\u001edb\"]";
	names_of_page(f, "t-a", &q, 0, 0, page, sizeof(page), &total);
	assert_string_equal(page, "cat/db/v1 ");
}

/* Two tenants with the same catalogs, names, descriptions and tags: each
 * finds its own, counts its own, pages its own. */
static void
test_search_keeps_tenants_with_the_same_names_apart(void **state)
{
	static const char *const	 names[] = { "orders", "orders_eu",
	    "ab" };
	struct fx			*f = *state;
	struct pgl_business_metadata	 m;
	struct pgl_asset_query		 q;
	struct pgl_asset_hit		*hits;
	struct pgl_page			 all = { 0, 0, NULL };
	uint64_t			 total;
	size_t				 n, i;
	const char			*t[] = { "t-a", "t-b" };
	char				 id[64];

	for (i = 0; i < 2; i++) {
		seed_catalog_tree(f, t[i]);
		seed_named(f, t[i], names, 3);
		snprintf(id, sizeof(id), "as-%s-cat-main-db-orders", t[i]);
		m = metadata(id, "shared words", "[\"pii\"]", 1, "alice");
		OK(f, ops->put_business_metadata(f->s, t[i], &m, &f->err));
	}
	seed_asset(f, "t-b", "cat", "main", "db", "orders_us", "VIEW");
	memset(&q, 0, sizeof(q));
	for (i = 0; i < 2; i++) {
		snprintf(id, sizeof(id), "as-%s-cat-main-db-orders", t[i]);
		q.text = "shared";
		OK(f, ops->search_assets(f->s, f->a, t[i], &q, &all, &hits,
		    &n, &total, &f->err));
		assert_int_equal(n, 1);
		assert_int_equal(total, 1);
		assert_string_equal(hits[0].asset.id, id);
		q.text = "orders";
		OK(f, ops->search_assets(f->s, f->a, t[i], &q, &all, &hits,
		    &n, &total, &f->err));
		assert_int_equal(total, 2 + i);
		q.text = "b";		/* below the index */
		OK(f, ops->search_assets(f->s, f->a, t[i], &q, &all, &hits,
		    &n, &total, &f->err));
		assert_int_equal(total, 1);
		snprintf(id, sizeof(id), "as-%s-cat-main-db-ab", t[i]);
		assert_string_equal(hits[0].asset.id, id);
		q.text = NULL;
		q.tags = "[\"pii\"]";
		OK(f, ops->search_assets(f->s, f->a, t[i], &q, &all, &hits,
		    &n, &total, &f->err));
		assert_int_equal(total, 1);
		q.tags = NULL;
		q.restricted = 1;
		OK(f, ops->search_assets(f->s, f->a, t[i], &q, &all, &hits,
		    &n, &total, &f->err));
		assert_int_equal(total, 1);
		q.restricted = 0;
		OK(f, ops->search_assets(f->s, f->a, t[i], &q, &all, &hits,
		    &n, &total, &f->err));
		assert_int_equal(total, 5 + i);
	}
	OK(f, ops->search_assets(f->s, f->a, "t-c", &q, &all, &hits, &n,
	    &total, &f->err));
	assert_int_equal(total, 0);
}

/* Names of namespaces by any level, catalogs and branches: the tenant's
 * alone, a namespace dropped is not found, the limit keeps the first. */
static void
test_search_names_follow_drops_and_tenants(void **state)
{
	struct fx		*f = *state;
	struct pgl_name_hit	*hits;
	size_t			 n;

	seed_catalog_tree(f, "t-a");
	seed_catalog_tree(f, "t-b");
	seed_ns(f, "t-a", "cat", "sales");
	seed_ns(f, "t-a", "cat", "sales" SEP "emea");
	seed_ns(f, "t-b", "cat", "sales");
	OK(f, ops->search_names(f->s, f->a, "t-a", PGL_NAMES_NAMESPACE,
	    "EMEA", 10, &hits, &n, &f->err));
	assert_int_equal(n, 1);
	assert_string_equal(hits[0].name, "sales" SEP "emea");
	OK(f, ops->search_names(f->s, f->a, "t-a", PGL_NAMES_NAMESPACE,
	    "sales", 10, &hits, &n, &f->err));
	assert_int_equal(n, 2);
	assert_string_equal(hits[0].name, "sales");
	assert_string_equal(hits[1].name, "sales" SEP "emea");
	OK(f, ops->search_names(f->s, f->a, "t-a", PGL_NAMES_NAMESPACE,
	    "sales", 1, &hits, &n, &f->err));
	assert_int_equal(n, 1);
	assert_string_equal(hits[0].name, "sales");
	OK(f, ops->delete_namespace(f->s, "t-a", "cat", "sales" SEP "emea",
	    &f->err));
	OK(f, ops->search_names(f->s, f->a, "t-a", PGL_NAMES_NAMESPACE,
	    "emea", 10, &hits, &n, &f->err));
	assert_int_equal(n, 0);
	OK(f, ops->search_names(f->s, f->a, "t-b", PGL_NAMES_NAMESPACE,
	    "s.e", 10, &hits, &n, &f->err));
	assert_int_equal(n, 0);
}

static const struct CMUnitTest	tests[] = {
	T(test_search_finds_substrings_of_names_and_descriptions),
	T(test_search_follows_renames_and_descriptions),
	T(test_search_filters_by_tags_catalog_and_visibility),
	T(test_search_names_of_catalogs_namespaces_and_branches),
	cmocka_unit_test(test_column_search_is_offered_from_abi_1_19),
	T(test_search_finds_an_asset_by_a_tag_only_a_column_holds),
	T(test_search_needs_every_tag_on_the_asset_or_its_columns),
	T(test_search_by_a_column_tag_keeps_visibility),
	T(test_search_by_a_column_tag_pages_exactly),
	T(test_search_forgets_a_column_tag_removed),
	T(test_column_tags_of_a_page_of_hits),
	T(test_search_orders_ties_by_catalog_then_namespace),
	T(test_search_forgets_a_drop_and_finds_an_undrop),
	T(test_search_finds_a_move_under_its_new_name_at_once),
	T(test_search_keeps_tenants_with_the_same_names_apart),
	T(test_search_names_follow_drops_and_tenants),
};

STORE_FAMILY(search, tests);
