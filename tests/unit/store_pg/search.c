/*
 * The search text index without GIN's fast update (migration 24,
 * pg_schema_search.c; issue 69): a pending list is read whole by every
 * search, and on a big catalog nothing merged it (1,000,000 assets: 349
 * pending pages, search p50 24 ms against 1.8 ms at 1,000).  A new
 * schema's index has no fast update; an index of before that had
 * pending entries has none left after the migration, and finds the same.
 */
#include "harness.h"

/* Whether this test's schema's index has fastupdate=off, 1 or 0. */
static long
no_fast_update(void)
{
	return (psql_long("SELECT count(*) FROM pg_class WHERE oid ="
	    " to_regclass($q$%s.asset_search_trgm$q$)"
	    " AND $q$fastupdate=off$q$ = ANY(reloptions)",
	    ext_value("schema")));
}

static size_t
hits(struct fx *f, const char *text)
{
	struct pgl_asset_query	 q;
	struct pgl_asset_hit	*items;
	struct pgl_page		 all = { 0, 0, NULL };
	uint64_t		 total;
	size_t			 n;

	memset(&q, 0, sizeof(q));
	q.text = text;
	OK(f, ops->search_assets(f->s, f->a, "t-a", &q, &all, &items, &n,
	    &total, &f->err));
	assert_int_equal(total, n);
	return (n);
}

void
test_search_index_of_a_new_schema_has_no_fast_update(void **state)
{
	struct fx	*f = *state;

	if (!needs_server())
		return;
	seed_tree(f);
	assert_int_equal(no_fast_update(), 1);
	assert_int_equal(hits(f, "t1"), 1);
}

void
test_migration_24_merges_an_old_index_pending_list(void **state)
{
	struct fx		*f = *state;
	struct pgl_asset	 as = { "a2", "cat", "main", "db", "orders_2",
				    "ICEBERG_TABLE", "l2", "m2", "{}", 0, 0,
				    NULL };
	const char		*sc;

	if (!needs_server())
		return;
	sc = ext_value("schema");
	/* The index as migration 9 made it, the schema at version 23, and
	 * assets written since pending. */
	psql_long("ALTER INDEX %s.asset_search_trgm RESET (fastupdate);"
	    " DELETE FROM %s.schema_migrations WHERE version = 24;"
	    " SELECT 0", sc, sc);
	assert_int_equal(no_fast_update(), 0);
	seed_tree(f);
	OK(f, ops->create_asset(f->s, "t-a", &as, &f->err));
	ops->close(f->s);
	f->s = NULL;

	OK(f, open_with(&f->s, &f->err, NULL, NULL, 0));
	assert_int_equal(psql_long("SELECT count(*) FROM %s.schema_migrations"
	    " WHERE version = 24", sc), 1);
	assert_int_equal(no_fast_update(), 1);
	/* Nothing pending: cleaning it now finds no page to merge. */
	assert_int_equal(psql_long("SELECT gin_clean_pending_list("
	    "to_regclass($q$%s.asset_search_trgm$q$))", sc), 0);
	assert_int_equal(hits(f, "orders"), 1);
	assert_int_equal(hits(f, "t1"), 1);
}
