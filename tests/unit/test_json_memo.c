/*
 * pgl_json_out_memo (util/json_memo.h): the very bytes of pgl_json_out
 * whatever the memo holds, and the runs it copies.  A "table" here is a
 * top object of lists whose entries the next version shares, as a
 * table metadata's next file does: the oldest log entry dropped, one
 * appended, entries removed in the middle, lists rebuilt, another
 * table's lists met in between, a memo too small to keep them.
 */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "util/json_memo.h"
#include "util/json_out.h"

/* With m and key: the same text as without; the entries copied. */
static uint64_t
render_same(struct pgl_json_memo *m, const char *key, const json_t *md)
{
	char		*want, *got;
	size_t		 wlen, glen;
	uint64_t	 copied0, copied, kept;

	pgl_json_memo_counts(m, &copied0, &kept);
	want = pgl_json_out(md, 17, &wlen);
	got = pgl_json_out_memo(md, 17, &glen, m, key);
	assert_non_null(want);
	assert_non_null(got);
	if (wlen != glen || strcmp(want, got) != 0)
		fail_msg("memo's text differs:\n  want %.400s\n  got  %.400s",
		    want, got);
	free(want);
	free(got);
	pgl_json_memo_counts(m, &copied, &kept);
	return (copied - copied0);
}

static json_t *
log_entry(int i)
{
	char	file[96];

	(void)snprintf(file, sizeof(file), "/w/t/metadata/%05d-%08x."
	    "metadata.json", i, (unsigned)i * 2654435761u);
	return (json_pack("{s:I,s:s}", "timestamp-ms", (json_int_t)1700000000000
	    + i, "metadata-file", file));
}

/* A table's first version: n log entries, a schema, a property. */
static json_t *
table(const char *uuid, int n)
{
	json_t	*md, *log;
	int	 i;

	md = json_pack("{s:i,s:s,s:[{s:i,s:s,s:[]}],s:{s:s}}",
	    "format-version", 2, "table-uuid", uuid, "schemas", "schema-id", 0,
	    "type", "struct", "fields", "properties", "k", "v");
	log = json_array();
	for (i = 0; i < n; i++)
		json_array_append_new(log, log_entry(i));
	json_object_set_new(md, "metadata-log", log);
	return (md);
}

/* The next version: its lists new arrays of the same entries (as
 * iceberg/update.c's list_copy), drop the first `drop` log entries,
 * append entry `add` (if >= 0), a property changed. */
static json_t *
next(const json_t *md, size_t drop, int add)
{
	json_t		*out = json_object(), *v, *list;
	const char	*k;
	size_t		 i;

	json_object_foreach((json_t *)md, k, v) {
		if (!json_is_array(v)) {
			json_object_set_new(out, k, json_deep_copy(v));
			continue;
		}
		list = json_array();
		for (i = strcmp(k, "metadata-log") == 0 ? drop : 0;
		    i < json_array_size(v); i++)
			json_array_append(list, json_array_get(v, i));
		if (strcmp(k, "metadata-log") == 0 && add >= 0)
			json_array_append_new(list, log_entry(add));
		json_object_set_new(out, k, list);
	}
	json_object_set_new(json_object_get(out, "properties"), "k",
	    json_integer(add));
	return (out);
}

static void
test_a_table_s_versions(void **state)
{
	struct pgl_json_memo	*m;
	json_t			*md, *nx;
	int			 i;

	(void)state;
	assert_non_null(m = pgl_json_memo_new(16, 1 << 20, 17));
	md = table("u-1", 5);
	/* Nothing kept yet: all rendered. */
	assert_int_equal(render_same(m, "u-1", md), 0);
	/* One appended: the 5 log entries and the schema copied. */
	nx = next(md, 0, 5);
	json_decref(md);
	md = nx;
	assert_int_equal(render_same(m, "u-1", md), 6);
	/* The oldest dropped, one appended: 5 copied (4 + schema). */
	for (i = 6; i < 40; i++) {
		nx = next(md, 1, i);
		json_decref(md);
		md = nx;
		assert_int_equal(render_same(m, "u-1", md), 6);
	}
	/* Three dropped at once, none appended: the rest still found. */
	nx = next(md, 3, -1);
	json_decref(md);
	md = nx;
	assert_int_equal(render_same(m, "u-1", md), 4);
	/* Under another key: nothing of u-1's is used. */
	assert_int_equal(render_same(m, "u-2", md), 0);
	json_decref(md);
	pgl_json_memo_free(m);
}

/* Entries removed in the middle, the order changed, lists emptied. */
static void
test_runs_broken_anywhere(void **state)
{
	struct pgl_json_memo	*m;
	json_t			*md, *log, *nx, *e;
	uint64_t		 copied;
	size_t			 i;

	(void)state;
	assert_non_null(m = pgl_json_memo_new(16, 1 << 20, 17));
	md = table("u", 20);
	(void)render_same(m, "u", md);
	/* 5 and 6 removed: two runs, 18 entries copied + the schema. */
	nx = next(md, 0, -1);
	log = json_object_get(nx, "metadata-log");
	json_array_remove(log, 5);
	json_array_remove(log, 5);
	assert_int_equal(render_same(m, "u", nx), 19);
	json_decref(md);
	md = nx;
	/* Reversed: each entry is sought near the last run's end only, so
	 * a few are copied, and the text is still the same. */
	nx = next(md, 0, -1);
	log = json_object_get(nx, "metadata-log");
	for (i = 0; i < json_array_size(log) / 2; i++) {
		e = json_incref(json_array_get(log, i));
		json_array_set(log, i, json_array_get(log,
		    json_array_size(log) - 1 - i));
		json_array_set_new(log, json_array_size(log) - 1 - i, e);
	}
	copied = render_same(m, "u", nx);
	assert_true(copied >= 1 && copied < 18);
	json_decref(md);
	md = nx;
	/* Emptied, then filled anew: nothing copied, same text. */
	nx = next(md, 0, -1);
	json_array_clear(json_object_get(nx, "metadata-log"));
	(void)render_same(m, "u", nx);
	json_decref(md);
	md = nx;
	nx = next(md, 0, 77);
	assert_int_equal(render_same(m, "u", nx), 1);	/* the schema */
	json_decref(nx);
	json_decref(md);
	pgl_json_memo_free(m);
}

/* Lists that do not fit: not kept, and every text is still right. */
static void
test_small_memos(void **state)
{
	struct pgl_json_memo	*m;
	json_t			*a, *b, *na, *nb;
	uint64_t		 copied, kept;
	int			 i;

	(void)state;
	/* Room for two lists: two tables' two lists each replace each
	 * other, and the text stays right. */
	assert_non_null(m = pgl_json_memo_new(2, 1 << 20, 17));
	a = table("a", 30);
	b = table("b", 30);
	for (i = 0; i < 20; i++) {
		(void)render_same(m, "a", a);
		(void)render_same(m, "b", b);
		na = next(a, 1, 100 + i);
		nb = next(b, 1, 200 + i);
		json_decref(a);
		json_decref(b);
		a = na;
		b = nb;
	}
	pgl_json_memo_free(m);
	/* 16 bytes: nothing is kept, nothing copied. */
	assert_non_null(m = pgl_json_memo_new(64, 16, 17));
	(void)render_same(m, "a", a);
	na = next(a, 1, 300);
	assert_int_equal(render_same(m, "a", na), 0);
	pgl_json_memo_counts(m, &copied, &kept);
	assert_int_equal(kept, 0);
	json_decref(na);
	pgl_json_memo_free(m);
	/* Another precision than the memo's: rendered without it. */
	assert_non_null(m = pgl_json_memo_new(64, 1 << 20, 6));
	free(pgl_json_out_memo(a, 17, NULL, m, "a"));
	pgl_json_memo_counts(m, &copied, &kept);
	assert_int_equal(kept, 0);
	pgl_json_memo_free(m);
	json_decref(a);
	json_decref(b);
}

/* Not an object at the top, no key: pgl_json_out's text, no memo. */
static void
test_not_a_table(void **state)
{
	struct pgl_json_memo	*m;
	json_t			*j = json_loads("[[1,2],[3]]", 0, NULL);
	char			*got, *want;
	uint64_t		 copied, kept;

	(void)state;
	assert_non_null(m = pgl_json_memo_new(16, 1 << 20, 17));
	want = pgl_json_out(j, 17, NULL);
	got = pgl_json_out_memo(j, 17, NULL, m, "k");
	assert_string_equal(want, got);
	free(got);
	free(want);
	assert_null(pgl_json_out_memo(NULL, 17, NULL, m, "k"));
	free(pgl_json_out_memo(j, 17, NULL, m, NULL));
	pgl_json_memo_counts(m, &copied, &kept);
	assert_int_equal(kept, 0);
	json_decref(j);
	pgl_json_memo_free(m);
}

#ifdef PGL_CHECKS
/* Test builds: an entry changed in place after its text was kept is a
 * broken promise, and the render aborts rather than write stale text. */
static void
test_a_change_in_place_aborts(void **state)
{
	pid_t	pid;
	int	status;

	(void)state;
	if ((pid = fork()) == 0) {
		struct pgl_json_memo	*m = pgl_json_memo_new(16, 1 << 20, 17);
		json_t			*md = table("u", 3), *nx;

		free(pgl_json_out_memo(md, 17, NULL, m, "u"));
		nx = next(md, 0, 3);
		json_object_set_new(json_array_get(json_object_get(nx,
		    "metadata-log"), 1), "timestamp-ms", json_integer(1));
		(void)freopen("/dev/null", "w", stderr);
		free(pgl_json_out_memo(nx, 17, NULL, m, "u"));
		_exit(0);
	}
	assert_true(pid > 0);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFSIGNALED(status));
	assert_int_equal(WTERMSIG(status), SIGABRT);
}
#endif

int
main(void)
{
	const struct CMUnitTest	tests[] = {
		cmocka_unit_test(test_a_table_s_versions),
		cmocka_unit_test(test_runs_broken_anywhere),
		cmocka_unit_test(test_small_memos),
		cmocka_unit_test(test_not_a_table),
#ifdef PGL_CHECKS
		cmocka_unit_test(test_a_change_in_place_aborts),
#endif
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
