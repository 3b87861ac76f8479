/*
 * The rows a SQL store's connection keeps (plugins/sql-common/
 * sql_asset_rows.c, issue 69): bounded by bytes, whatever the rows'
 * width, and an eviction (by its slot or by the budget) or a change of
 * tags only ever makes a lookup miss, never answer an older row.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "sql_asset_rows.h"
#include "util/arena.h"

static void *
t_alloc(struct pgl_arena *a, size_t n)
{
	return (pgl_arena_alloc(a, n));
}

static struct pgl_host	host;

static int
setup(void **state)
{
	(void)state;
	host.arena_alloc = t_alloc;
	return (0);
}

/* Table i's row, its metadata location "m-<version>", props wide bytes. */
static void
put(struct sql_rows *t, int i, uint64_t a, uint64_t b, int version,
    size_t wide)
{
	char		 key[64], id[32], loc[32], *props;
	const char	*text[SQL_ROW_TEXTS] = { NULL };

	(void)snprintf(key, sizeof(key), "t\x1f" "c\x1f" "main\x1f" "db\x1f"
	    "t%d\x1f", i);
	(void)snprintf(id, sizeof(id), "id-%d", i);
	(void)snprintf(loc, sizeof(loc), "m-%d", version);
	assert_non_null(props = malloc(wide + 1));
	memset(props, 'p', wide);
	props[wide] = '\0';
	text[0] = id;
	text[4] = "t";
	text[7] = loc;
	text[8] = props;
	sql_rows_put(t, key, a, b, 0, text, 1, 2);
	free(props);
}

/* Table i's metadata location as kept under tags (a, b), or NULL. */
static const char *
got(struct sql_rows *t, struct pgl_arena *ar, int i, uint64_t a, uint64_t b)
{
	struct pgl_asset	as;
	char			key[64];

	(void)snprintf(key, sizeof(key), "t\x1f" "c\x1f" "main\x1f" "db\x1f"
	    "t%d\x1f", i);
	memset(&as, 0, sizeof(as));
	if (sql_rows_get_asset(t, &host, ar, key, a, b, 10, &as) == -1)
		return (NULL);
	assert_null(as.catalog);	/* kept NULL, answered NULL */
	assert_int_equal(as.created_at_ms, 1);
	return (as.metadata_location);
}

/* Whatever is put, the table holds at most its budget. */
static void
test_rows_stay_within_their_byte_budget(void **state)
{
	struct sql_rows	*t;
	int		 i;

	(void)state;
	assert_null(sql_rows_new(0));
	assert_non_null(t = sql_rows_new(64 * 1024));
	for (i = 0; i < 5000; i++) {
		/* Narrow rows and wide ones (a table's properties). */
		put(t, i, 1, 1, 0, i % 7 == 0 ? 6000 : 40);
		assert_true(sql_rows_bytes(t) <= 64 * 1024);
	}
	assert_true(sql_rows_bytes(t) > 32 * 1024);
	/* A row wider than the whole budget is not kept. */
	put(t, 99999, 1, 1, 0, 70 * 1024);
	assert_true(sql_rows_bytes(t) <= 64 * 1024);
	sql_rows_clear(t);
	assert_true(sql_rows_bytes(t) < 4096);	/* the slots alone */
	sql_rows_free(t);
}

/*
 * Rows pushed out by the budget are read again (a miss), and a row kept
 * under older tags is never the answer: a store's row that changed is
 * looked up with new tags.
 */
static void
test_evicted_or_retagged_rows_are_misses_never_stale(void **state)
{
	struct pgl_arena	*ar = pgl_arena_new();
	struct sql_rows		*t;
	const char		*loc;
	int			 i, kept = 0;

	(void)state;
	/* Room for a few wide rows, slots for many more. */
	assert_non_null(t = sql_rows_new(16 * 1024));
	for (i = 0; i < 10; i++)
		put(t, i, 1, 1, 1, 3000);
	for (i = 0; i < 10; i++) {
		if ((loc = got(t, ar, i, 1, 1)) != NULL) {
			assert_string_equal(loc, "m-1");
			kept++;
		}
	}
	assert_true(kept >= 1 && kept <= 5);
	/* The last put is there: room is made before a row goes in. */
	assert_string_equal(got(t, ar, 9, 1, 1), "m-1");
	/* Table 9 changed: its tags moved, its old row answers nothing. */
	assert_null(got(t, ar, 9, 1, 2));
	assert_null(got(t, ar, 9, 2, 1));
	put(t, 9, 1, 2, 2, 3000);
	assert_string_equal(got(t, ar, 9, 1, 2), "m-2");
	assert_null(got(t, ar, 9, 1, 1));
	/* A narrow row in the same table: kept beside. */
	put(t, 100, 1, 1, 5, 10);
	assert_string_equal(got(t, ar, 100, 1, 1), "m-5");
	sql_rows_free(t);
	pgl_arena_free(ar);
}

/* An entry past its end (SQLite's writers behind Pangolin's back). */
static void
test_an_expired_row_is_a_miss(void **state)
{
	struct pgl_arena	*ar = pgl_arena_new();
	struct sql_rows		*t;
	struct pgl_asset	 as;
	const char		*text[SQL_ROW_TEXTS] = { "id", NULL };
	char			 key[] = "k\x1f";

	(void)state;
	assert_non_null(t = sql_rows_new(4096));
	sql_rows_put(t, key, 0, 0, 10, text, 0, 0);
	assert_int_equal(sql_rows_get_asset(t, &host, ar, key, 0, 0, 9, &as),
	    0);
	assert_string_equal(as.id, "id");
	assert_int_equal(sql_rows_get_asset(t, &host, ar, key, 0, 0, 10,
	    &as), -1);
	sql_rows_free(t);
	pgl_arena_free(ar);
}

int
main(void)
{
	const struct CMUnitTest	tests[] = {
		cmocka_unit_test_setup(test_rows_stay_within_their_byte_budget,
		    setup),
		cmocka_unit_test_setup(
		    test_evicted_or_retagged_rows_are_misses_never_stale, setup),
		cmocka_unit_test_setup(test_an_expired_row_is_a_miss, setup),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
