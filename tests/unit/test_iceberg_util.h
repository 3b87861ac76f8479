/*
 * Shared by the test_iceberg_*.c suites: readable JSON fixtures (' is
 * written for "), a pool that frees every fixture and result after
 * each test, and a standard table to evolve.
 */
#ifndef TEST_ICEBERG_UTIL_H
#define TEST_ICEBERG_UTIL_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "iceberg/iceberg.h"

#define T(f)		cmocka_unit_test_teardown(f, pool_free)
#define NOW		1700000000000LL
#define UUID		"9c12d441-03fe-4693-9a96-a0705ddf69c1"
#define LOC		"s3://bucket/wh/db/t"
#define BASE_FILE	LOC "/metadata/00003-aaaa.metadata.json"
#define POOL_MAX	512

static json_t	*pool[POOL_MAX];
static size_t	 npool;

/* Freed after the test; NULL passes through. */
static inline json_t *
keep(json_t *j)
{
	if (j != NULL) {
		assert_true(npool < POOL_MAX);
		pool[npool++] = j;
	}
	return (j);
}

static inline int
pool_free(void **state)
{
	(void)state;
	while (npool > 0)
		json_decref(pool[--npool]);
	return (0);
}

/* Parse a fixture where ' stands for ". */
static inline json_t *
J(const char *text)
{
	json_error_t	 e;
	json_t		*j;
	char		*s, *p;

	s = strdup(text);
	assert_non_null(s);
	for (p = s; *p != '\0'; p++) {
		if (*p == '\'')
			*p = '"';
	}
	j = json_loads(s, JSON_DECODE_ANY, &e);
	if (j == NULL)
		fail_msg("bad fixture (%s): %s", e.text, s);
	free(s);
	return (keep(j));
}

/* j[path] where path is "a.b.0.c" (numbers index arrays). */
static inline json_t *
at(const json_t *j, const char *path)
{
	char	 buf[256], *tok, *save = NULL, *end;
	long	 i;

	snprintf(buf, sizeof(buf), "%s", path);
	for (tok = strtok_r(buf, ".", &save); tok != NULL && j != NULL;
	    tok = strtok_r(NULL, ".", &save)) {
		i = strtol(tok, &end, 10);
		if (*end == '\0' && json_is_array(j))
			j = json_array_get(j, (size_t)i);
		else
			j = json_object_get(j, tok);
	}
	return ((json_t *)j);
}

static inline long long
I(const json_t *j, const char *path)
{
	json_t	*v = at(j, path);

	if (!json_is_integer(v))
		fail_msg("%s is not an integer", path);
	return (json_integer_value(v));
}

static inline const char *
S(const json_t *j, const char *path)
{
	json_t	*v = at(j, path);

	if (!json_is_string(v))
		fail_msg("%s is not a string", path);
	return (json_string_value(v));
}

static inline size_t
N(const json_t *j, const char *path)
{
	json_t	*v = at(j, path);

	return (json_is_array(v) ? json_array_size(v) : json_object_size(v));
}

/* A v<version> table: id long, ts timestamptz, data string; day(ts); id asc. */
static inline json_t *
table_v(int version)
{
	struct ice_err	 err;
	json_t		*req, *md;
	char		 buf[1024];

	snprintf(buf, sizeof(buf), "{'name':'t','schema':{'type':'struct',"
	    "'schema-id':7,'fields':[{'id':10,'name':'id','required':true,"
	    "'type':'long'},{'id':11,'name':'ts','required':false,"
	    "'type':'timestamptz'},{'id':12,'name':'data','required':false,"
	    "'type':'string'}]},'partition-spec':{'spec-id':5,'fields':"
	    "[{'name':'ts_day','transform':'day','source-id':11,"
	    "'field-id':1005}]},'write-order':{'order-id':3,'fields':"
	    "[{'transform':'identity','source-id':10,'direction':'asc',"
	    "'null-order':'nulls-first'}]},'properties':{'owner':'me',"
	    "'format-version':'%d'}}", version);
	req = J(buf);
	md = ice_table_new(req, LOC, UUID, NOW - 1000, &err);
	if (md == NULL)
		fail_msg("table_v: %d %s", err.status, err.msg);
	return (keep(md));
}

static inline json_t *
table(void)
{
	return (table_v(2));
}

/*
 * Apply updates (a fixture) and expect success.  The normal form the
 * engine hands back for the next commit (ice_table_apply_read) must be
 * what reading the result gives, and a next commit from it, taken as
 * checked (not validated again), must give what the same commit from the
 * file gives: every fixture checks both.
 */
static inline json_t *
apply(const json_t *base, const char *updates)
{
	struct ice_err	 err;
	json_t		*md, *next_read, *rd = NULL, *x, *y, *next;
	char		*xs, *ys;

	md = ice_table_apply_read(base, NULL, 0, J(updates), base ? BASE_FILE :
	    NULL, NOW, &next_read, &err);
	if (md == NULL)
		fail_msg("apply: %d %s: %s", err.status, err.type, err.msg);
	if (next_read != NULL) {
		if (ice_table_check_base(md, J("[]"), &rd, &err) != 0 ||
		    !json_equal(rd, next_read))
			fail_msg("apply: the kept normal form is not the file's");
		json_decref(rd);
		next = json_loads("[{\"action\":\"set-properties\","
		    "\"updates\":{\"next\":\"commit\"}}]", 0, NULL);
		x = ice_table_apply_read(md, next_read, 1, next, BASE_FILE,
		    NOW + 1, NULL, &err);
		y = ice_table_apply_read(md, NULL, 0, next, BASE_FILE,
		    NOW + 1, NULL, &err);
		json_decref(next);
		xs = x ? json_dumps(x, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
		ys = y ? json_dumps(y, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
		if (xs == NULL || ys == NULL || strcmp(xs, ys) != 0)
			fail_msg("apply: a commit from the checked normal form "
			    "differs from one from the file");
		free(xs);
		free(ys);
		json_decref(x);
		json_decref(y);
		json_decref(next_read);
	}
	return (keep(md));
}

/* Apply updates and expect failure: the status (and err for details). */
static inline int
apply_err(const json_t *base, const char *updates, struct ice_err *err)
{
	json_t	*md;

	md = ice_table_apply(base, J(updates), base ? BASE_FILE : NULL, NOW,
	    err);
	if (md != NULL) {
		keep(md);
		fail_msg("apply unexpectedly succeeded: %s", updates);
	}
	assert_non_null(err->type);
	assert_true(err->msg[0] != '\0');
	return (err->status);
}

static inline int
apply_status(const json_t *base, const char *updates)
{
	struct ice_err	err;

	return (apply_err(base, updates, &err));
}

/* A snapshot fixture: id, parent (-1: none), sequence number, time. */
static inline const char *
snap(char *buf, size_t len, long long id, long long parent, long long seq,
    long long ts)
{
	char	p[64] = "";

	if (parent != -1)
		snprintf(p, sizeof(p), "'parent-snapshot-id':%lld,", parent);
	snprintf(buf, len, "{'action':'add-snapshot','snapshot':{"
	    "'snapshot-id':%lld,%s'sequence-number':%lld,'timestamp-ms':%lld,"
	    "'summary':{'operation':'append'},'manifest-list':'s3://m/%lld'}}",
	    id, p, seq, ts, id);
	return (buf);
}

static inline const char *
main_ref(char *buf, size_t len, long long id)
{
	snprintf(buf, len, "{'action':'set-snapshot-ref','ref-name':'main',"
	    "'type':'branch','snapshot-id':%lld}", id);
	return (buf);
}

/* The updates change nothing: ice_table_unchanged says so, and the
 * metadata is equal to base. */
static inline void
unchanged(const json_t *base, const char *updates)
{
	json_t	*md = apply(base, updates);

	assert_true(ice_table_unchanged(base, md));
	assert_true(json_equal(base, md));
}

/* The updates change the table, and ice_table_unchanged says so. */
static inline void
changed(const json_t *base, const char *updates)
{
	json_t	*md = apply(base, updates);

	assert_false(ice_table_unchanged(base, md));
}

/* The table after two appends: snapshot 1 (seq 1) then 2 (seq 2). */
static inline json_t *
table_with_snapshots(void)
{
	char	 a[512], b[512], c[512], d[512], u[2200];
	json_t	*t;

	snprintf(u, sizeof(u), "[%s,%s]", snap(a, sizeof(a), 1, -1, 1,
	    NOW - 5000), main_ref(b, sizeof(b), 1));
	t = apply(table(), u);
	snprintf(u, sizeof(u), "[%s,%s]", snap(c, sizeof(c), 2, 1, 2,
	    NOW - 4000), main_ref(d, sizeof(d), 2));
	return (apply(t, u));
}

#endif
