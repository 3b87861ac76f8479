/*
 * No statement of the roles, assignments and grants, of the scan plan
 * parts, of the change events (but the sweep's usage of every tenant,
 * which reads one index whole by design), of the push sinks (but
 * every tenant's list, likewise), nor the owner of a place, scans a table: the SQLite store's own
 * texts, as it runs them, through EXPLAIN QUERY PLAN.
 *
 * The texts are not copied here.  The test loads store-sqlite.so (from
 * $PGL_PLUGIN_DIR), and an auto-extension of the process's libsqlite3,
 * which the plugin shares, puts a statement trace on the plugin's
 * connection when it opens; every text the methods run is recorded.
 * What the plugin runs without a text of its own is read from the
 * schema: the statements of the triggers on the three tables' behalf,
 * and the child lookups of their foreign keys (a cascade runs one per
 * deleted parent row).  Each is then planned on a connection of the
 * test's own to the same file:
 *
 *  - no step may be a SCAN (of a table, or of a whole index);
 *  - a paged text (LIMIT) may not sort in a temporary B-tree: a page
 *    walks an index in order, so its cost does not grow with the rows
 *    before it.  A principal's roles (a join, no LIMIT) are sorted: they
 *    are few.
 *
 * libsqlite3 is opened with dlopen, so the test links like the others.
 * PGL_PLANS_SHOW=1 prints every step planned, with the start of its text.
 */
#include <ctype.h>
#include <dlfcn.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "store_util.h"

#include "pangolin/store.h"
#include "plugin/loader.h"
#include "util/arena.h"

#define MAX_TEXTS	256

struct fx {
	struct pgl_store	*s;
	struct pgl_arena	*a;
	struct pgl_err		 err;
};

/* The few libsqlite3 entry points used, found at run time. */
static struct {
	void	*dl;
	__typeof__(sqlite3_auto_extension)		*auto_extension;
	__typeof__(sqlite3_reset_auto_extension)	*reset_auto_extension;
	__typeof__(sqlite3_trace_v2)			*trace_v2;
	__typeof__(sqlite3_sql)				*sql;
	__typeof__(sqlite3_open_v2)			*open_v2;
	__typeof__(sqlite3_close)			*close;
	__typeof__(sqlite3_prepare_v2)			*prepare_v2;
	__typeof__(sqlite3_step)			*step;
	__typeof__(sqlite3_column_text)			*column_text;
	__typeof__(sqlite3_finalize)			*finalize;
	__typeof__(sqlite3_errmsg)			*errmsg;
} lib;

static const struct pgl_store_ops	*ops;
static struct pgl_plugin		 plugin;
static char				 db_path[64];

/* What the plugin ran while recording. */
static char	*texts[MAX_TEXTS];
static size_t	 ntexts;
static int	 recording;

static int
on_statement(unsigned what, void *ctx, void *stmt, void *x)
{
	const char	*sql;
	size_t		 i;

	(void)what;
	(void)ctx;
	/* A trigger's program reports "-- TRIGGER name": read from the
	 * schema instead (trigger_statements). */
	if (!recording || ((const char *)x)[0] == '-' ||
	    (sql = lib.sql(stmt)) == NULL)
		return (0);
	/*
	 * FTS5 reads its own shadow tables ('main'.'asset_fts_config', a row
	 * per setting) when a connection first touches the index after a
	 * schema change (the migrations' ALTER TABLE): SQLite's text, not
	 * the plugin's, and only SQLite spells a schema quoted that way.
	 */
	if (strstr(sql, "'main'.'") != NULL)
		return (0);
	for (i = 0; i < ntexts; i++) {
		if (strcmp(texts[i], sql) == 0)
			return (0);
	}
	if (ntexts < MAX_TEXTS && (texts[ntexts] = strdup(sql)) != NULL)
		ntexts++;
	return (0);
}

/* Run by libsqlite3 for every connection opened in the process. */
static int
trace_connection(sqlite3 *db, const char **msg,
    const struct sqlite3_api_routines *api)
{
	(void)msg;
	(void)api;
	(void)lib.trace_v2(db, SQLITE_TRACE_STMT, on_statement, NULL);
	return (SQLITE_OK);
}

static void *
sym(const char *name, int *missing)
{
	void	*p;

	if ((p = dlsym(lib.dl, name)) == NULL) {
		fprintf(stderr, "libsqlite3: %s: %s\n", name, dlerror());
		*missing = 1;
	}
	return (p);
}

static int
setup(void **state)
{
	struct fx	*f;
	struct pgl_err	 err;
	const char	*dir = getenv("PGL_PLUGIN_DIR");
	char		 path[512];
	struct pgl_kv	 kv[] = { { "path", db_path } };
	int		 fd, missing = 0;

	(void)snprintf(path, sizeof(path), "%s/store-sqlite.so",
	    dir != NULL ? dir : "build/test/plugins");
	if ((ops = pgl_store_plugin_load(path, &plugin, &err)) == NULL) {
		fprintf(stderr, "%s\n", err.msg);
		return (-1);
	}
	/* The plugin's own libsqlite3: the same object, already loaded. */
	if ((lib.dl = dlopen("libsqlite3.so.0", RTLD_NOW | RTLD_LOCAL)) ==
	    NULL) {
		fprintf(stderr, "dlopen libsqlite3: %s\n", dlerror());
		return (-1);
	}
	lib.auto_extension = sym("sqlite3_auto_extension", &missing);
	lib.reset_auto_extension = sym("sqlite3_reset_auto_extension",
	    &missing);
	lib.trace_v2 = sym("sqlite3_trace_v2", &missing);
	lib.sql = sym("sqlite3_sql", &missing);
	lib.open_v2 = sym("sqlite3_open_v2", &missing);
	lib.close = sym("sqlite3_close", &missing);
	lib.prepare_v2 = sym("sqlite3_prepare_v2", &missing);
	lib.step = sym("sqlite3_step", &missing);
	lib.column_text = sym("sqlite3_column_text", &missing);
	lib.finalize = sym("sqlite3_finalize", &missing);
	lib.errmsg = sym("sqlite3_errmsg", &missing);
	if (missing || lib.auto_extension((void (*)(void))trace_connection) !=
	    SQLITE_OK)
		return (-1);

	(void)snprintf(db_path, sizeof(db_path), "/tmp/pgl-plans-XXXXXX");
	if ((fd = mkstemp(db_path)) == -1)
		return (-1);
	(void)close(fd);
	if ((f = calloc(1, sizeof(*f))) == NULL)
		return (-1);
	if (ops->open(pgl_host_api(), kv, 1, &f->s, &f->err) != PGL_OK) {
		fprintf(stderr, "open %s: %s\n", db_path, f->err.msg);
		free(f);
		return (-1);
	}
	f->a = pgl_arena_new();
	*state = f;
	return (0);
}

static int
teardown(void **state)
{
	struct fx	*f = *state;
	char		 side[96];
	size_t		 i;

	if (f->s != NULL)
		ops->close(f->s);
	pgl_arena_free(f->a);
	free(f);
	for (i = 0; i < ntexts; i++)
		free(texts[i]);
	ntexts = 0;
	lib.reset_auto_extension();
	(void)unlink(db_path);
	(void)snprintf(side, sizeof(side), "%s-wal", db_path);
	(void)unlink(side);
	(void)snprintf(side, sizeof(side), "%s-shm", db_path);
	(void)unlink(side);
	(void)dlclose(lib.dl);
	pgl_plugin_unload(&plugin);
	return (0);
}

/* Every method of the group, on rows that make each take its full path
 * (a role to assign, an assignment to revoke, a grant to delete). */
static void
run_the_methods(struct fx *f)
{
	struct pgl_tenant	 t = { "t-a", "acme", "{}" };
	struct pgl_user		 u = { "u1", "t-a", "alice", "a@example.com",
				    "tenant-user", "$argon2id$x", 1, "{}" };
	struct pgl_service_user	 su = { "s1", "t-a", "etl", "k1", "sha256:x",
				    1, 0, "{}" };
	struct pgl_role		 r = { "r1", "t-a", "readers", "{}" }, got;
	struct pgl_role		*roles;
	struct pgl_permission	 p = { "p1", "t-a", "u1", "{}", 0 }, *grants;
	struct pgl_page		 pg = { 10, 0, NULL };
	uint64_t		 total;
	size_t			 n;

	OK(f, ops->create_tenant(f->s, &t, &f->err));
	OK(f, ops->create_user(f->s, &u, &f->err));
	OK(f, ops->create_service_user(f->s, &su, &f->err));

	recording = 1;
	OK(f, ops->create_role(f->s, &r, &f->err));
	OK(f, ops->get_role(f->s, f->a, "t-a", "r1", &got, &f->err));
	OK(f, ops->list_roles(f->s, f->a, "t-a", &pg, &roles, &n, &total,
	    &f->err));
	r.name = "writers";
	OK(f, ops->update_role(f->s, &r, &f->err));
	OK(f, ops->assign_role(f->s, "t-a", "u1", "r1", "{}", &f->err));
	OK(f, ops->assign_role(f->s, "t-a", "s1", "r1", "{}", &f->err));
	OK(f, ops->list_user_roles(f->s, f->a, "t-a", "u1", &roles, &n,
	    &f->err));
	OK(f, ops->revoke_role(f->s, "t-a", "s1", "r1", &f->err));
	OK(f, ops->create_permission(f->s, &p, &f->err));
	p.id = "p2";
	OK(f, ops->create_permission(f->s, &p, &f->err));
	OK(f, ops->list_permissions(f->s, f->a, "t-a", "u1", &pg, &grants,
	    &n, &total, &f->err));
	OK(f, ops->list_permissions(f->s, f->a, "t-a", NULL, &pg, &grants,
	    &n, &total, &f->err));
	OK(f, ops->delete_permission(f->s, "t-a", "p2", &f->err));
	OK(f, ops->delete_user(f->s, "u1", &f->err));
	OK(f, ops->delete_service_user(f->s, "t-a", "s1", &f->err));
	OK(f, ops->delete_role(f->s, "t-a", "r1", &f->err));
	OK(f, ops->delete_tenant(f->s, "t-a", &f->err));
	recording = 0;
}

/* Adds a text to check (the schema's statements). */
static void
add_text(const char *sql)
{
	if (ntexts < MAX_TEXTS && (texts[ntexts] = strdup(sql)) != NULL)
		ntexts++;
}

/* "new.x" or "old.x" (either case) at s, as a reference starts. */
static size_t
row_ref(const char *s, const char *start)
{
	size_t	n;

	if (s > start && (isalnum((unsigned char)s[-1]) || s[-1] == '_'))
		return (0);
	if (strncasecmp(s, "new.", 4) != 0 && strncasecmp(s, "old.", 4) != 0)
		return (0);
	for (n = 4; isalnum((unsigned char)s[n]) || s[n] == '_'; n++)
		;
	return (n > 4 ? n : 0);
}

/*
 * The statements of every trigger whose text matches where (an SQL
 * condition on sql), each column of the row it fires for (OLD.id,
 * new.tenant_id) as a parameter: "... BEGIN s1; s2; END" -> s1, s2.
 */
static void
trigger_statements(sqlite3 *db, const char *where)
{
	sqlite3_stmt	*st;
	const char	*sql;
	char		 buf[8192], one[4096], *body, *end, *s, *o;
	size_t		 ref;

	(void)snprintf(buf, sizeof(buf), "SELECT sql FROM sqlite_master"
	    " WHERE type = 'trigger' AND (%s)", where);
	if (lib.prepare_v2(db, buf, -1, &st, NULL) != SQLITE_OK)
		fail_msg("triggers: %s", lib.errmsg(db));
	while (lib.step(st) == SQLITE_ROW) {
		sql = (const char *)lib.column_text(st, 0);
		(void)snprintf(buf, sizeof(buf), "%s", sql);
		body = strstr(buf, " BEGIN");
		end = body != NULL ? strstr(body, " END") : NULL;
		if (end == NULL) {
			fail_msg("trigger without BEGIN ... END: %s", sql);
			break;
		}
		*end = '\0';
		for (s = strtok(body + 6, ";"); s != NULL;
		    s = strtok(NULL, ";")) {
			while (*s == ' ')
				s++;
			if (*s == '\0')
				continue;
			/* OLD.id, new.tenant_id, ... -> ?1 */
			o = one;
			while (*s != '\0' && o < one + sizeof(one) - 3) {
				if ((ref = row_ref(s, body)) > 0) {
					memcpy(o, "?1", 2);
					o += 2;
					s += ref;
				} else
					*o++ = *s++;
			}
			*o = '\0';
			add_text(one);
		}
	}
	(void)lib.finalize(st);
}

/* A foreign key's child lookup: what a cascade (or a parent's delete
 * check) runs for each parent row. */
static void
foreign_key_lookups(sqlite3 *db)
{
	static const char *const	 tables[] = { "roles", "user_roles",
					    "permissions" };
	sqlite3_stmt			*st;
	char				 q[256], one[256];
	size_t				 i;

	for (i = 0; i < sizeof(tables) / sizeof(tables[0]); i++) {
		(void)snprintf(q, sizeof(q), "SELECT \"from\" FROM"
		    " pragma_foreign_key_list('%s')", tables[i]);
		if (lib.prepare_v2(db, q, -1, &st, NULL) != SQLITE_OK)
			fail_msg("%s: %s", q, lib.errmsg(db));
		while (lib.step(st) == SQLITE_ROW) {
			(void)snprintf(one, sizeof(one), "DELETE FROM %s"
			    " WHERE %s = ?1", tables[i],
			    (const char *)lib.column_text(st, 0));
			add_text(one);
		}
		(void)lib.finalize(st);
	}
}

/* Fails naming the text and the step that scans or sorts a page. */
static int
plan_ok(sqlite3 *db, const char *sql)
{
	sqlite3_stmt	*st;
	const char	*step;
	char		*q;
	int		 ok = 1, paged = strstr(sql, " LIMIT ") != NULL;

	if (asprintf(&q, "EXPLAIN QUERY PLAN %s", sql) == -1)
		fail_msg("out of memory");
	if (lib.prepare_v2(db, q, -1, &st, NULL) != SQLITE_OK)
		fail_msg("%s: %s", sql, lib.errmsg(db));
	free(q);
	while (lib.step(st) == SQLITE_ROW) {
		step = (const char *)lib.column_text(st, 3);
		/* A JSON array the caller gave (json_each) is no table, nor
		 * is a SELECT of values (a usage trigger's upsert). */
		if (strstr(step, "VIRTUAL TABLE") != NULL ||
		    strstr(step, "CONSTANT ROW") != NULL)
			continue;
		/* A branch's lineage (sql_lineage.h): the recursive CTE's
		 * rows, at most PGL_BRANCH_MAX_DEPTH + 1, read whole. */
		if (strcmp(step, "SCAN l") == 0 || strcmp(step, "SCAN l2") == 0)
			continue;
		if (getenv("PGL_PLANS_SHOW") != NULL)
			fprintf(stderr, "%.120s\n  %s\n", sql +
			    (strncmp(sql, "WITH", 4) == 0 ? 360 : 0), step);
		/* A sort of the rows one key of the index holds (the owners
		 * of one place, by id) is run by run, and stops at the
		 * page's LIMIT: not a sort of the list. */
		if (strncmp(step, "SCAN ", 5) == 0 || (paged &&
		    strstr(step, "TEMP B-TREE") != NULL &&
		    strstr(step, "RIGHT PART OF ORDER BY") == NULL)) {
			print_message("  %s\n    -> %s\n", sql, step);
			ok = 0;
		}
	}
	(void)lib.finalize(st);
	return (ok);
}

static void
test_roles_and_grants_never_scan_a_table(void **state)
{
	struct fx	*f = *state;
	sqlite3		*db;
	size_t		 i, ours = 0, bad = 0;

	run_the_methods(f);
	/* The group's own texts were seen (the trace is on). */
	for (i = 0; i < ntexts; i++) {
		if (strstr(texts[i], "roles") != NULL ||
		    strstr(texts[i], "permissions") != NULL)
			ours++;
	}
	assert_true(ours >= 11);
	if (lib.open_v2(db_path, &db, SQLITE_OPEN_READONLY, NULL) !=
	    SQLITE_OK)
		fail_msg("open %s", db_path);
	trigger_statements(db, "sql LIKE '%user_roles%' OR"
	    " sql LIKE '%permissions%'");
	foreign_key_lookups(db);
	for (i = 0; i < ntexts; i++) {
		if (!plan_ok(db, texts[i]))
			bad++;
	}
	(void)lib.close(db);
	print_message("  %zu statements planned, %zu scan\n", ntexts, bad);
	assert_int_equal(bad, 0);
}

/*
 * Scan plan parts (ABI 1.11): every method, and the trigger that takes a
 * deleted tenant's parts.  The purge is paged (LIMIT): it walks the
 * expiry index, oldest first, without sorting.
 */
static void
run_the_plan_part_methods(struct fx *f)
{
	struct pgl_tenant	 t = { "t-a", "acme", "{}" };
	struct pgl_plan_part	 p = { "plan-1", 0, "cat", "{}", 10 }, got;
	uint64_t		 n;

	recording = 1;
	OK(f, ops->create_tenant(f->s, &t, &f->err));
	OK(f, ops->put_plan_part(f->s, "t-a", &p, &f->err));
	OK(f, ops->put_plan_part(f->s, "t-a", &p, &f->err));	/* expired */
	OK(f, ops->get_plan_part(f->s, f->a, "t-a", "plan-1", 0, 0, &got,
	    &f->err));
	OK(f, ops->delete_plan_parts(f->s, "t-a", "plan-1", &f->err));
	OK(f, ops->put_plan_part(f->s, "t-a", &p, &f->err));
	OK(f, ops->purge_plan_parts(f->s, 100, 1000, &n, &f->err));
	assert_int_equal(n, 1);
	OK(f, ops->delete_tenant(f->s, "t-a", &f->err));
	recording = 0;
}

static void
test_plan_parts_never_scan_a_table(void **state)
{
	struct fx	*f = *state;
	sqlite3		*db;
	size_t		 i, ours = 0, bad = 0;

	run_the_plan_part_methods(f);
	for (i = 0; i < ntexts; i++) {
		if (strstr(texts[i], "plan_parts") != NULL)
			ours++;
	}
	assert_true(ours >= 4);
	if (lib.open_v2(db_path, &db, SQLITE_OPEN_READONLY, NULL) !=
	    SQLITE_OK)
		fail_msg("open %s", db_path);
	trigger_statements(db, "sql LIKE '%plan_parts%'");
	for (i = 0; i < ntexts; i++) {
		if (!plan_ok(db, texts[i]))
			bad++;
	}
	(void)lib.close(db);
	print_message("  %zu statements planned, %zu scan\n", ntexts, bad);
	assert_int_equal(bad, 0);
}

/*
 * Change events (ABI 1.15): append (the clock, the insert), both lists
 * with every filter, the horizons, the purge and the trim (and the rows
 * they delete, by the primary key), one tenant's usage.  Paged texts
 * walk an index in seq or time order, without sorting.
 */
static void
run_the_event_methods(struct fx *f)
{
	struct pgl_event	 e = { "e-1", "t-a", "cat", 0, 1000, "alice",
				    "create-table", "table", "db.t", NULL,
				    "main", "r-1", "{}" }, *items;
	struct pgl_event_filter	 flt = { .catalog = "cat", .limit = 10 };
	struct pgl_event_usage	*u;
	uint64_t		 seq, n;
	size_t			 nitems;

	recording = 1;
	OK(f, ops->append_event(f->s, &e, &seq, &f->err));
	e.id = "e-2";
	e.catalog = "";
	OK(f, ops->append_event(f->s, &e, &seq, &f->err));
	OK(f, ops->list_events(f->s, f->a, "t-a", &flt, &items, &nitems,
	    &f->err));
	flt.operation_types = "[\"create-table\"]";
	flt.since_ms = 500;
	OK(f, ops->list_events(f->s, f->a, "t-a", &flt, &items, &nitems,
	    &f->err));
	flt.catalog = NULL;
	OK(f, ops->list_events(f->s, f->a, "t-a", &flt, &items, &nitems,
	    &f->err));
	OK(f, ops->event_usage(f->s, f->a, "t-a", 0, &u, &nitems, &f->err));
	OK(f, ops->purge_events(f->s, 1001, 1000, &n, &f->err));
	OK(f, ops->trim_events(f->s, "t-a", 1000, &n, &f->err));
	OK(f, ops->event_horizon(f->s, "t-a", "cat", &seq, &f->err));
	OK(f, ops->event_horizon(f->s, "t-a", NULL, &seq, &f->err));
	recording = 0;
}

static void
test_events_never_scan_a_table(void **state)
{
	struct fx	*f = *state;
	sqlite3		*db;
	size_t		 i, ours = 0, bad = 0;

	run_the_event_methods(f);
	for (i = 0; i < ntexts; i++) {
		if (strstr(texts[i], "event") != NULL)
			ours++;
	}
	assert_true(ours >= 9);
	if (lib.open_v2(db_path, &db, SQLITE_OPEN_READONLY, NULL) !=
	    SQLITE_OK)
		fail_msg("open %s", db_path);
	/* The horizon trigger's upsert, by its primary key. */
	add_text("INSERT INTO event_horizon (tenant_id, catalog, seq)"
	    " VALUES (?1, ?2, ?3) ON CONFLICT (tenant_id, catalog) DO UPDATE"
	    " SET seq = max(event_horizon.seq, excluded.seq)");
	for (i = 0; i < ntexts; i++) {
		if (!plan_ok(db, texts[i]))
			bad++;
	}
	(void)lib.close(db);
	print_message("  %zu statements planned, %zu scan\n", ntexts, bad);
	assert_int_equal(bad, 0);
}

/*
 * Push sinks (ABI 1.16): create, the config edit, get, a tenant's list,
 * the claim, both state writes, delete, and the lookups that tell a
 * missing row from a lease held by another, each by the primary key or
 * webhooks_created.  Every tenant's list (the dispatcher's sweep) reads
 * webhooks_all whole by design and is not recorded.
 */
static void
run_the_webhook_methods(struct fx *f)
{
	struct pgl_webhook	 w, *items;
	size_t			 n;
	int			 got;

	memset(&w, 0, sizeof(w));
	w.id = "wh-1";
	w.tenant_id = "t-a";
	w.kind = "webhook";
	w.url = "https://example.com/hook";
	w.status = "active";
	recording = 1;
	OK(f, ops->put_webhook(f->s, &w, 1, &f->err));
	OK(f, ops->put_webhook(f->s, &w, 0, &f->err));
	OK(f, ops->get_webhook(f->s, f->a, "t-a", "wh-1", &w, &f->err));
	OK(f, ops->list_webhooks(f->s, f->a, "t-a", &items, &n, &f->err));
	OK(f, ops->claim_webhook(f->s, "t-a", "wh-1", "d-1", 1000, 5000,
	    &got, &f->err));
	OK(f, ops->claim_webhook(f->s, "t-a", "wh-1", "d-2", 1000, 5000,
	    &got, &f->err));
	OK(f, ops->set_webhook_state(f->s, &w, "d-1", &f->err));
	if (ops->set_webhook_state(f->s, &w, "d-2", &f->err) !=
	    PGL_ECONFLICT)
		fail_msg("a stale owner's state write was not refused");
	OK(f, ops->set_webhook_state(f->s, &w, NULL, &f->err));
	OK(f, ops->delete_webhook(f->s, "t-a", "wh-1", &f->err));
	recording = 0;
}

static void
test_webhooks_never_scan_a_table(void **state)
{
	struct fx	*f = *state;
	sqlite3		*db;
	size_t		 i, ours = 0, bad = 0;

	run_the_webhook_methods(f);
	for (i = 0; i < ntexts; i++) {
		if (strstr(texts[i], "webhooks") != NULL)
			ours++;
	}
	assert_true(ours >= 8);
	if (lib.open_v2(db_path, &db, SQLITE_OPEN_READONLY, NULL) !=
	    SQLITE_OK)
		fail_msg("open %s", db_path);
	for (i = 0; i < ntexts; i++) {
		if (!plan_ok(db, texts[i]))
			bad++;
	}
	(void)lib.close(db);
	print_message("  %zu statements planned, %zu scan\n", ntexts, bad);
	assert_int_equal(bad, 0);
}

/*
 * The owner of a place (ABI 1.26, issue 67): the four lookups of
 * find_location_owner (live rows and dropped entries; the keys that
 * are prefixes of the place's, and the range of those it begins) and
 * the tenant's claim, each by (tenant_id, location_key) or a primary
 * key, so that placing a table costs the same among a million others.
 */
static void
run_the_owner_methods(struct fx *f)
{
	struct pgl_tenant		 t = { "t-a", "acme", "{}" };
	struct pgl_warehouse		 w = { "wh-1", "t-a", "wh",
					    "{\"type\":\"s3\"}", NULL, 0 };
	struct pgl_catalog		 c = { "cat-1", "t-a", "cat", "Local",
					    "wh", "s3://b/wh", NULL, "{}" };
	struct pgl_branch		 b = { "cat", "main", NULL, "ingest",
					    "[]", 0, NULL };
	struct pgl_namespace		 ns = { "cat", "db", "{}" };
	struct pgl_asset		 a;
	struct pgl_location_probe	 q;
	struct pgl_location_owner	 o, *page;
	size_t				 n;

	OK(f, ops->create_tenant(f->s, &t, &f->err));
	OK(f, ops->create_warehouse(f->s, &w, &f->err));
	OK(f, ops->create_catalog(f->s, &c, &f->err));
	OK(f, ops->create_branch(f->s, "t-a", &b, &f->err));
	OK(f, ops->create_namespace(f->s, "t-a", &ns, &f->err));
	memset(&a, 0, sizeof(a));
	a.id = "as-1";
	a.catalog = "cat";
	a.branch = "main";
	a.ns = "db";
	a.name = "t1";
	a.kind = "ICEBERG_TABLE";
	a.location = "s3://b/wh/db/t1";
	a.properties = "{}";
	OK(f, ops->create_asset(f->s, "t-a", &a, &f->err));
	memset(&q, 0, sizeof(q));
	q.location = "s3://b/wh/db/t2";
	q.origin = "as-9";
	q.catalog = "cat";
	q.ns = "db";
	q.name = "t2";
	q.claim = 1;
	recording = 1;
	OK(f, ops->begin(f->s, &f->err));
	if (ops->find_location_owner(f->s, f->a, "t-a", &q, &o, &f->err) !=
	    PGL_ENOTFOUND)
		fail_msg("a free place has an owner: %s", f->err.msg);
	OK(f, ops->commit(f->s, &f->err));
	/* The walk of every owner (the report of overlaps), a page after a
	 * key, and the first. */
	OK(f, ops->list_location_owners(f->s, f->a, NULL, "t-a",
	    "s3://b/wh/db/", "as-0", 500, &page, &n, &f->err));
	OK(f, ops->list_location_owners(f->s, f->a, NULL, NULL, NULL, NULL,
	    500, &page, &n, &f->err));
	recording = 0;
}

/*
 * 1 when every step of sql's plan that reads assets or dropped_assets
 * reads it by its location index: a search by the primary key's tenant
 * alone is no scan, yet reads every row of the tenant (at 1,000,000
 * tables a createTable's owner query took 6.5 s so, issue 69).
 */
static int
plan_by_location(sqlite3 *db, const char *sql)
{
	sqlite3_stmt	*st;
	const char	*step;
	char		*q;
	int		 ok = 1;

	if (asprintf(&q, "EXPLAIN QUERY PLAN %s", sql) == -1)
		fail_msg("out of memory");
	if (lib.prepare_v2(db, q, -1, &st, NULL) != SQLITE_OK)
		fail_msg("%s: %s", sql, lib.errmsg(db));
	free(q);
	while (lib.step(st) == SQLITE_ROW) {
		step = (const char *)lib.column_text(st, 3);
		if ((strstr(step, " assets ") != NULL || strstr(step,
		    " dropped_assets ") != NULL) && strstr(step,
		    "_location") == NULL) {
			print_message("  %s\n    -> %s\n", sql, step);
			ok = 0;
		}
	}
	(void)lib.finalize(st);
	return (ok);
}

static void
test_the_owner_of_a_place_is_found_without_a_scan(void **state)
{
	struct fx	*f = *state;
	sqlite3		*db;
	size_t		 i, ours = 0, bad = 0;

	run_the_owner_methods(f);
	for (i = 0; i < ntexts; i++) {
		if (strstr(texts[i], "location_") != NULL)
			ours++;
	}
	assert_true(ours >= 2);
	if (lib.open_v2(db_path, &db, SQLITE_OPEN_READONLY, NULL) !=
	    SQLITE_OK)
		fail_msg("open %s", db_path);
	for (i = 0; i < ntexts; i++) {
		if (!plan_ok(db, texts[i]) || (strstr(texts[i],
		    "location_key") != NULL && !plan_by_location(db, texts[i])))
			bad++;
	}
	(void)lib.close(db);
	print_message("  %zu statements planned, %zu scan\n", ntexts, bad);
	assert_int_equal(bad, 0);
}

/*
 * Keyset pages (ABI 1.28, issue 69): every list a page of which starts
 * after a key reads a range of an index from the key on, in the list's
 * order: no scan, no sort, whatever the rows before the key.  Without a
 * key the same texts run from the first row ("" is before every name).
 */
static void
run_the_keyed_lists(struct fx *f)
{
	struct pgl_tenant	 t = { "t-a", "acme", "{}" };
	struct pgl_warehouse	 w = { "wh-1", "t-a", "wh", "{\"type\":\"s3\"}",
				    NULL, 0 };
	struct pgl_catalog	 c = { "cat-1", "t-a", "cat", "Local", "wh",
				    "s3://b/wh", NULL, "{}" };
	struct pgl_branch	 b = { "cat", "main", NULL, "ingest", "[]", 0,
				    NULL };
	struct pgl_namespace	 ns = { "cat", "db", "{}" };
	struct pgl_page_key	 k = { "db", "t1", 5 };
	struct pgl_page		 pg = { 10, 0, &k };
	struct pgl_audit_filter	 af;
	struct pgl_task_filter	 tf;
	void			*items;
	struct pgl_asset	*as;
	struct pgl_namespace	*nss;
	size_t			 n;

	OK(f, ops->create_tenant(f->s, &t, &f->err));
	OK(f, ops->create_warehouse(f->s, &w, &f->err));
	OK(f, ops->create_catalog(f->s, &c, &f->err));
	OK(f, ops->create_branch(f->s, "t-a", &b, &f->err));
	OK(f, ops->create_namespace(f->s, "t-a", &ns, &f->err));
	memset(&af, 0, sizeof(af));
	memset(&tf, 0, sizeof(tf));
	recording = 1;
	OK(f, ops->list_tenants(f->s, f->a, &pg, (struct pgl_tenant **)&items,
	    &n, NULL, &f->err));
	OK(f, ops->list_warehouses(f->s, f->a, "t-a", &pg,
	    (struct pgl_warehouse **)&items, &n, NULL, &f->err));
	OK(f, ops->list_catalogs(f->s, f->a, "t-a", &pg,
	    (struct pgl_catalog **)&items, &n, NULL, &f->err));
	OK(f, ops->list_namespaces(f->s, f->a, "t-a", "cat", NULL, &pg, &nss,
	    &n, NULL, &f->err));
	OK(f, ops->list_namespaces(f->s, f->a, "t-a", "cat", "", &pg, &nss,
	    &n, NULL, &f->err));
	OK(f, ops->list_namespaces(f->s, f->a, "t-a", "cat", "db", &pg, &nss,
	    &n, NULL, &f->err));
	OK(f, ops->list_assets(f->s, f->a, "t-a", "cat", "main", "db", NULL,
	    &pg, &as, &n, NULL, &f->err));
	OK(f, ops->list_assets(f->s, f->a, "t-a", "cat", "main", "db", "VIEW",
	    &pg, &as, &n, NULL, &f->err));
	OK(f, ops->list_assets(f->s, f->a, "t-a", "cat", "main", NULL, NULL,
	    &pg, &as, &n, NULL, &f->err));
	OK(f, ops->list_assets_after(f->s, f->a, "t-a", "cat", "main", "db",
	    "VIEW", NULL, "t1", 10, &as, &n, &f->err));
	OK(f, ops->list_branches(f->s, f->a, "t-a", "cat", &pg,
	    (struct pgl_branch **)&items, &n, NULL, &f->err));
	OK(f, ops->list_tags(f->s, f->a, "t-a", "cat", &pg,
	    (struct pgl_tag **)&items, &n, NULL, &f->err));
	OK(f, ops->list_users(f->s, f->a, "t-a", &pg,
	    (struct pgl_user **)&items, &n, NULL, &f->err));
	OK(f, ops->list_roles(f->s, f->a, "t-a", &pg,
	    (struct pgl_role **)&items, &n, NULL, &f->err));
	OK(f, ops->list_service_users(f->s, f->a, "t-a", &pg,
	    (struct pgl_service_user **)&items, &n, NULL, &f->err));
	OK(f, ops->list_permissions(f->s, f->a, "t-a", "u1", &pg,
	    (struct pgl_permission **)&items, &n, NULL, &f->err));
	OK(f, ops->list_permissions(f->s, f->a, "t-a", NULL, &pg,
	    (struct pgl_permission **)&items, &n, NULL, &f->err));
	OK(f, ops->list_active_tokens(f->s, f->a, "t-a", "u1", 0, &pg,
	    (struct pgl_token **)&items, &n, NULL, &f->err));
	OK(f, ops->list_audit_events(f->s, f->a, "t-a", &af, &pg,
	    (struct pgl_audit_event **)&items, &n, NULL, &f->err));
	OK(f, ops->list_audit_events(f->s, f->a, NULL, &af, &pg,
	    (struct pgl_audit_event **)&items, &n, NULL, &f->err));
	OK(f, ops->list_merge_ops(f->s, f->a, "t-a", "cat", &pg,
	    (struct pgl_merge_op **)&items, &n, NULL, &f->err));
	OK(f, ops->list_tasks(f->s, f->a, "t-a", &tf, &pg,
	    (struct pgl_task **)&items, &n, NULL, &f->err));
	OK(f, ops->list_access_requests(f->s, f->a, "t-a", NULL, &pg,
	    (struct pgl_access_request **)&items, &n, NULL, &f->err));
	OK(f, ops->list_access_requests(f->s, f->a, "t-a", "u1", &pg,
	    (struct pgl_access_request **)&items, &n, NULL, &f->err));
	OK(f, ops->list_policies(f->s, f->a, "t-a", NULL, &pg,
	    (struct pgl_policy **)&items, &n, NULL, &f->err));
	OK(f, ops->list_policies(f->s, f->a, "t-a", "cat", &pg,
	    (struct pgl_policy **)&items, &n, NULL, &f->err));
	OK(f, ops->list_dropped(f->s, f->a, "t-a", "cat", &pg,
	    (struct pgl_dropped **)&items, &n, NULL, &f->err));
	OK(f, ops->list_dropped(f->s, f->a, "t-a", NULL, &pg,
	    (struct pgl_dropped **)&items, &n, NULL, &f->err));
	OK(f, ops->list_dropped(f->s, f->a, NULL, NULL, &pg,
	    (struct pgl_dropped **)&items, &n, NULL, &f->err));
	recording = 0;
}

static void
test_keyset_pages_read_an_index_from_the_key(void **state)
{
	struct fx	*f = *state;
	sqlite3		*db;
	size_t		 i, bad = 0;

	run_the_keyed_lists(f);
	assert_true(ntexts >= 28);
	if (lib.open_v2(db_path, &db, SQLITE_OPEN_READONLY, NULL) !=
	    SQLITE_OK)
		fail_msg("open %s", db_path);
	for (i = 0; i < ntexts; i++) {
		if (!plan_ok(db, texts[i]))
			bad++;
	}
	(void)lib.close(db);
	print_message("  %zu statements planned, %zu scan\n", ntexts, bad);
	assert_int_equal(bad, 0);
}

/*
 * A search below a trigram (one or two characters: no FTS5 phrase) reads
 * the tenant's rows from asset_search_tenant alone, which holds the text
 * (migration 24, issue 69): in name order for the page, and no lookup
 * of each row by rowid for the total (1,000,000 assets: 4.2 s of CPU
 * through the index and the table, 0.3 s through the index alone).
 */
static void
run_a_short_search(struct fx *f)
{
	struct pgl_tenant	 t = { "t-a", "acme", "{}" };
	struct pgl_warehouse	 w = { "wh-1", "t-a", "wh", "{\"type\":\"s3\"}",
				    NULL, 0 };
	struct pgl_catalog	 c = { "cat-1", "t-a", "cat", "Local", "wh",
				    "s3://b/wh", NULL, "{}" };
	struct pgl_asset_query	 q;
	struct pgl_asset_hit	*hits;
	struct pgl_page		 pg = { 50, 0, NULL };
	uint64_t		 total;
	size_t			 n;

	OK(f, ops->create_tenant(f->s, &t, &f->err));
	OK(f, ops->create_warehouse(f->s, &w, &f->err));
	OK(f, ops->create_catalog(f->s, &c, &f->err));
	memset(&q, 0, sizeof(q));
	q.text = "t";
	recording = 1;
	OK(f, ops->search_assets(f->s, f->a, "t-a", &q, &pg, &hits, &n,
	    &total, &f->err));
	recording = 0;
}

static void
test_a_search_below_a_trigram_reads_the_names_index_alone(void **state)
{
	struct fx	*f = *state;
	sqlite3		*db;
	sqlite3_stmt	*st;
	const char	*step;
	char		*sql;
	size_t		 i, ours = 0, covered = 0;

	run_a_short_search(f);
	if (lib.open_v2(db_path, &db, SQLITE_OPEN_READONLY, NULL) !=
	    SQLITE_OK)
		fail_msg("open %s", db_path);
	for (i = 0; i < ntexts; i++) {
		if (strstr(texts[i], "FROM asset_search s WHERE") == NULL)
			continue;
		ours++;
		if (asprintf(&sql, "EXPLAIN QUERY PLAN %s", texts[i]) == -1 ||
		    lib.prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
			fail_msg("%s: %s", texts[i], lib.errmsg(db));
		free(sql);
		while (lib.step(st) == SQLITE_ROW) {
			step = (const char *)lib.column_text(st, 3);
			/* "SCAN s" is also the page's 50 rows, read after;
			 * a scan of the table has no covering step. */
			if (strncmp(step, "SEARCH s USING INDEX", 20) == 0)
				fail_msg("%.60s ...\n  -> %s", texts[i], step);
			if (strncmp(step, "SEARCH s USING COVERING INDEX "
			    "asset_search_tenant", 49) == 0)
				covered++;
		}
		(void)lib.finalize(st);
	}
	(void)lib.close(db);
	assert_int_equal(ours, 2);		/* the page and the total */
	assert_int_equal(covered, 2);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(
		    test_roles_and_grants_never_scan_a_table, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_plan_parts_never_scan_a_table, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_events_never_scan_a_table, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_webhooks_never_scan_a_table, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_the_owner_of_a_place_is_found_without_a_scan, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(
		    test_keyset_pages_read_an_index_from_the_key, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(
		    test_a_search_below_a_trigram_reads_the_names_index_alone,
		    setup, teardown),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
