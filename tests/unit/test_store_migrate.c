/*
 * A store made by the plugins of before copy-on-write branches (issue 29;
 * commit 08f97dc, store ABI 1.11) opens with today's plugins, which
 * migrate it at open: every branch and asset is intact (same ids, same
 * values), the old branches are roots, the branch made the old way (a
 * copy of main's rows) still takes commits, and it can be forked.
 *
 * A store made by the plugins of before name keys (issue 42; commit
 * 769afef, store ABI 1.13), holding users and service users whose names
 * read alike (`Bob`, `bob`, `BOB `), opens too: every account is intact
 * and still found by its exact name, no new name reading as any of them
 * is given (the holder of the key deleted or not), and the accounts that
 * read alike keep working.  Its fixtures are in tests/fixtures/store-1.13/
 * (make.sh there; `test_store_migrate make-names <expect.txt>` seeds).
 *
 * The fixtures, in tests/fixtures/store-1.11/ (remade by make.sh there):
 *
 *	sqlite.db	a SQLite store file
 *	postgres.sql	a plain pg_dump of a PostgreSQL store (schema "mig")
 *	mongo.json	the documents of a MongoDB store, canonical extended
 *			JSON (mongo_fixture.mjs loads and dumps them)
 *	expect-*.txt	what each holds, as dump() below prints it, written
 *			by the old plugin when the fixture was made
 *
 * Each is opened with $PGL_PLUGIN_DIR/store-<name>.so.  PostgreSQL and
 * MongoDB run on a throwaway server the test starts itself
 * (tests/servers/postgres.sh, mongo.sh); those cases skip when the plugin
 * is not built or no server can be started.  Run from the top of the
 * tree (fixture and script paths are relative to it).
 *
 *	test_store_migrate make <expect.txt>
 *
 * seeds the store PGL_STORE_PLUGIN opens with PGL_STORE_OPTS ("k=v;k=v")
 * the old way and writes what it holds (make.sh runs it with the old
 * plugins).
 */
#include "store_migrate/harness.h"

/*
 * The foreign keys are checked when migrations ran, and only then (the
 * check reads every child row: seconds at each open of a large database,
 * by every worker, for nothing).  A database holding a dangling row,
 * written with the keys off, fails to migrate and stays at its version;
 * once migrated, the same row no longer keeps it from opening.
 */
static void
test_migrations_check_the_keys_only_when_they_run(void **state)
{
	struct fx	*f = *state;
	char		 db[512];
	const char	*dangling = "INSERT INTO tags VALUES ('t-none', 'nocat', "
			    "'x', 'c0', 1)";

	if (f->ops == NULL || f->name == NULL) {
		skip();
		return;
	}
	snprintf(db, sizeof(db), "%s/store.db", f->dir);
	assert_int_equal(sh("sqlite3 %s \"%s\"", db, dangling), 0);
	assert_int_not_equal(open_opts(f, f->opts), PGL_OK);
	assert_non_null(strstr(f->err.msg, "foreign key"));
	f->s = NULL;
	assert_int_equal(sh("test \"$(sqlite3 %s 'SELECT max(version) FROM "
	    "schema_migrations')\" = 11", db), 0);

	assert_int_equal(sh("sqlite3 %s \"DELETE FROM tags WHERE tenant_id = "
	    "'t-none'\"", db), 0);
	OK(f, open_opts(f, f->opts));
	f->ops->close(f->s);
	f->s = NULL;
	assert_int_equal(sh("sqlite3 %s \"%s\"", db, dangling), 0);
	OK(f, open_opts(f, f->opts));
}

static void
test_migrated_store_keeps_everything_and_forks(void **state)
{
	struct fx		*f = *state;
	const struct pgl_store_ops *o;
	struct pgl_branch	*bs, feat = { "cat", "feat", NULL,
				    "experimental", "[]", 0, NULL };
	struct pgl_commit	 c3 = { "c3", "cat", "c2", 3000, "bob",
				    "third", "[]", NULL };
	struct pgl_asset	 as;
	char			 path[256], *want, *got, *dev0, *main0;
	size_t			 n, i;

	if (!opened(f))
		return;
	o = f->ops;
	snprintf(path, sizeof(path), "%s/expect-%s.txt", f->fixtures,
	    f->name);
	want = read_file(path);

	/* Everything as the old plugin left it: ids, values, times. */
	got = dump_string(f);
	assert_string_equal(got, want);
	free(got);
	/* A second open finds it migrated and changes nothing. */
	o->close(f->s);
	f->s = NULL;
	OK(f, open_opts(f, f->opts));
	got = dump_string(f);
	assert_string_equal(got, want);
	free(got);
	free(want);

	/* Every old branch is a root. */
	expect_parent(f, "main", NULL);
	expect_parent(f, "dev", NULL);
	expect_parent(f, "part", NULL);
	OK(f, o->list_branches(f->s, f->a, TENANT, "cat", NULL, &bs, &n, NULL,
	    &f->err));
	assert_int_equal(n, 3);
	for (i = 0; i < n; i++)
		assert_null(bs[i].parent);

	/* The old copy-branch takes commits, and they stay on it. */
	main0 = branch_string(f, "main");
	FAILS(f, PGL_ECONFLICT, o->update_metadata_location(f->s, TENANT,
	    "cat", "dev", "db", "t1", "t1-v1", "x", &f->err));
	OK(f, o->update_metadata_location(f->s, TENANT, "cat", "dev", "db",
	    "t1", "t1-dev", "t1-dev2", &f->err));
	OK(f, o->create_commit(f->s, TENANT, &c3, &f->err));
	OK(f, o->update_branch_head(f->s, TENANT, "cat", "dev", "c2", "c3",
	    &f->err));
	seed_asset(f, NULL, "dev", "db2", "t5", "ICEBERG_TABLE", "t5-dev",
	    "{}");
	OK(f, o->delete_asset(f->s, TENANT, "cat", "dev", "db", "v1",
	    &f->err));
	OK(f, o->rename_asset(f->s, TENANT, "cat", "dev", "db", "dev_only",
	    "db2", "renamed", &f->err));
	assert_string_equal(meta(f, "dev", "db", "t1"), "t1-dev2");
	assert_string_equal(meta(f, "dev", "db2", "renamed"), "dev-only-v1");
	assert_string_equal(meta(f, "dev", "db", "v1"), "-");
	got = branch_string(f, "main");
	assert_string_equal(got, main0);
	free(got);
	assert_string_equal(meta(f, "part", "db", "t1"), "t1-v1");
	OK(f, o->update_metadata_location(f->s, TENANT, "cat", "part", "db",
	    "t1", "t1-v1", "t1-part", &f->err));
	assert_string_equal(meta(f, "main", "db", "t1"), "t1-v1");

	if (!pgl_store_has_fork(o)) {
		print_message("  %s: no fork_branch yet (ABI %u.%u): fork "
		    "not tested\n", f->name, o->abi_major, o->abi_minor);
		free(main0);
		return;
	}

	/* A fork of the migrated copy-branch sees it, ids and all. */
	dev0 = branch_string(f, "dev");
	OK(f, o->fork_branch(f->s, TENANT, &feat, "dev", &f->err));
	expect_parent(f, "feat", "dev");
	expect_parent(f, "dev", NULL);
	got = branch_string(f, "feat");
	assert_string_equal(got, dev0);
	free(got);
	OK(f, o->get_asset(f->s, f->a, TENANT, "cat", "feat", "db", "t1", &as,
	    &f->err));
	assert_string_equal(as.branch, "feat");

	/* Its changes stay its own; dev's later ones do not reach it. */
	OK(f, o->update_metadata_location(f->s, TENANT, "cat", "feat", "db",
	    "t1", "t1-dev2", "t1-feat", &f->err));
	OK(f, o->delete_asset(f->s, TENANT, "cat", "feat", "db2", "t4",
	    &f->err));
	OK(f, o->update_metadata_location(f->s, TENANT, "cat", "dev", "db" SEP
	    "sub", "t3", "t3-v1", "t3-dev", &f->err));
	got = branch_string(f, "dev");
	assert_string_not_equal(got, dev0);
	free(got);
	assert_string_equal(meta(f, "dev", "db", "t1"), "t1-dev2");
	assert_string_equal(meta(f, "dev", "db2", "t4"), "t4-v1");
	assert_string_equal(meta(f, "feat", "db", "t1"), "t1-feat");
	assert_string_equal(meta(f, "feat", "db2", "t4"), "-");
	assert_string_equal(meta(f, "feat", "db" SEP "sub", "t3"), "t3-v1");
	assert_string_equal(meta(f, "feat", "db2", "renamed"), "dev-only-v1");

	/* main forks too, and main is still as it was. */
	feat.name = "feat2";
	OK(f, o->fork_branch(f->s, TENANT, &feat, "main", &f->err));
	got = branch_string(f, "feat2");
	assert_string_equal(got, main0);
	free(got);
	/* The migrated dev goes; its fork keeps what it saw. */
	free(dev0);
	OK(f, o->delete_branch(f->s, TENANT, "cat", "dev", &f->err));
	expect_parent(f, "feat", NULL);
	assert_string_equal(meta(f, "feat", "db", "t1"), "t1-feat");
	assert_string_equal(meta(f, "feat", "db" SEP "sub", "t3"), "t3-v1");
	assert_string_equal(meta(f, "feat", "db2", "t5"), "t5-dev");
	assert_string_equal(meta(f, "feat", "db2", "t4"), "-");
	free(main0);
}

/*
 * Names of before name keys (ABI 1.13): accounts whose names read alike,
 * which those plugins took.  In byte order `BOB ` < `Bob` < `bob`, so the
 * migration gives `BOB ` the key and keeps the other two beside it;
 * `zoë` is written precomposed and decomposed.
 */
static const struct {
	const char	*id, *tenant, *name;
} old_users[] = {
	{ "u-1", TENANT, "Bob" },
	{ "u-2", TENANT, "bob" },
	{ "u-3", TENANT2, "BOB " },
	{ "u-4", TENANT, "alice" },
	{ "u-5", NULL, "admin" },
	{ "u-6", TENANT2, "zo\xc3\xab" },
	{ "u-7", TENANT, "zoe\xcc\x88" },
};

static const struct {
	const char	*id, *tenant, *name, *key_id;
} old_sus[] = {
	{ "s-1", TENANT, "ETL", "k-1" },
	{ "s-2", TENANT, "etl", "k-2" },
	{ "s-3", TENANT2, "etl", "k-3" },
	{ "s-4", TENANT, "loader", "k-4" },
};

#define NITEMS(a)	(sizeof(a) / sizeof((a)[0]))

static struct pgl_user
named_user(const char *id, const char *tenant, const char *name)
{
	struct pgl_user	u = { id, tenant, name, NULL, tenant != NULL ?
			    "tenant-user" : "root", "$argon2id$x", 1, "{}" };

	return (u);
}

static struct pgl_service_user
named_su(const char *id, const char *tenant, const char *name,
    const char *key_id)
{
	struct pgl_service_user	u = { id, tenant, name, key_id, "sha256:x",
				    1, 0, "{\"role\":\"tenant-user\"}" };

	return (u);
}

static void
seed_names(struct fx *f)
{
	struct pgl_tenant	t1 = { TENANT, "migrated", "{}" };
	struct pgl_tenant	t2 = { TENANT2, "second", "{}" };
	struct pgl_user		u;
	struct pgl_service_user	su;
	size_t			i;

	OK(f, f->ops->create_tenant(f->s, &t1, &f->err));
	OK(f, f->ops->create_tenant(f->s, &t2, &f->err));
	for (i = 0; i < NITEMS(old_users); i++) {
		u = named_user(old_users[i].id, old_users[i].tenant,
		    old_users[i].name);
		OK(f, f->ops->create_user(f->s, &u, &f->err));
	}
	for (i = 0; i < NITEMS(old_sus); i++) {
		su = named_su(old_sus[i].id, old_sus[i].tenant,
		    old_sus[i].name, old_sus[i].key_id);
		OK(f, f->ops->create_service_user(f->s, &su, &f->err));
	}
}

static void
dump_names(struct fx *f, FILE *out)
{
	struct pgl_user		u;
	struct pgl_service_user	su;
	size_t			i;

	for (i = 0; i < NITEMS(old_users); i++) {
		OK(f, f->ops->get_user(f->s, f->a, old_users[i].id, &u,
		    &f->err));
		fprintf(out, "user %s %s [%s] %s %d %s\n", u.id,
		    u.tenant_id != NULL ? u.tenant_id : "-", u.username,
		    u.role, u.active, u.password_hash);
	}
	for (i = 0; i < NITEMS(old_sus); i++) {
		OK(f, f->ops->get_service_user(f->s, f->a, old_sus[i].tenant,
		    old_sus[i].id, &su, &f->err));
		fprintf(out, "service_user %s %s [%s] %s %d %s\n", su.id,
		    su.tenant_id, su.name, su.key_id, su.active,
		    su.api_key_hash);
	}
}

static char *
names_string(struct fx *f)
{
	char	*buf = NULL;
	size_t	 len = 0;
	FILE	*out;

	if ((out = open_memstream(&buf, &len)) == NULL)
		fail_msg("open_memstream: %s", strerror(errno));
	dump_names(f, out);
	fclose(out);
	return (buf);
}

static void
expect_user_create(struct fx *f, const char *id, const char *tenant,
    const char *name, int want)
{
	struct pgl_user	u = named_user(id, tenant, name);
	int		rc = f->ops->create_user(f->s, &u, &f->err);

	if (rc != want)
		fail_msg("%s: create_user '%s': %d, not %d (%s)", f->name,
		    name, rc, want, f->err.msg);
}

static void
expect_su_create(struct fx *f, const char *id, const char *tenant,
    const char *name, int want)
{
	struct pgl_service_user	u = named_su(id, tenant, name, id);
	int			rc = f->ops->create_service_user(f->s, &u,
				    &f->err);

	if (rc != want)
		fail_msg("%s: create_service_user '%s' in %s: %d, not %d (%s)",
		    f->name, name, tenant, rc, want, f->err.msg);
}

/*
 * A store of before change events (ABI 1.15: SQLite migration 15,
 * PostgreSQL 14, MongoDB schema 7) takes them once migrated: an event
 * appended in a transaction is listed, in its catalog's stream and the
 * tenant's, and nothing was ever purged.
 */
static void
test_migrated_store_takes_change_events(void **state)
{
	struct fx		*f = *state;
	struct pgl_event	 e = { "e-1", TENANT, "cat", 0, 1000, "alice",
				    "create-namespace", "namespace", "db9",
				    NULL, "main", NULL, "{}" }, *items;
	struct pgl_event_filter	 flt = { .catalog = "cat", .limit = 10 };
	uint64_t		 s1, s2, horizon;
	size_t			 n;

	if (!opened(f))
		return;
	assert_true(pgl_store_has_events(f->ops));
	OK(f, f->ops->begin(f->s, &f->err));
	OK(f, f->ops->append_event(f->s, &e, &s1, &f->err));
	e.id = "e-2";
	e.catalog = "";
	OK(f, f->ops->append_event(f->s, &e, &s2, &f->err));
	OK(f, f->ops->commit(f->s, &f->err));
	assert_true(s2 > s1);
	OK(f, f->ops->list_events(f->s, f->a, TENANT, &flt, &items, &n,
	    &f->err));
	assert_int_equal(n, 1);
	assert_string_equal(items[0].id, "e-1");
	flt.catalog = NULL;
	OK(f, f->ops->list_events(f->s, f->a, TENANT, &flt, &items, &n,
	    &f->err));
	assert_int_equal(n, 2);
	OK(f, f->ops->event_horizon(f->s, TENANT, NULL, &horizon, &f->err));
	assert_int_equal(horizon, 0);
}

/*
 * A store of before push sinks (ABI 1.16: SQLite migration 16,
 * PostgreSQL 15, MongoDB schema 8) keeps them once migrated: a
 * subscription is created, read back, claimed and its state written.
 */
static void
test_migrated_store_takes_webhooks(void **state)
{
	struct fx		*f = *state;
	struct pgl_webhook	 w, got, *items;
	size_t			 n;
	int			 lease = 0;

	if (!opened(f))
		return;
	assert_true(pgl_store_has_webhooks(f->ops));
	memset(&w, 0, sizeof(w));
	w.id = "wh-1";
	w.tenant_id = TENANT;
	w.kind = "webhook";
	w.url = "https://example.com/hook";
	w.status = "active";
	w.created_ms = 1000;
	w.updated_ms = 1000;
	OK(f, f->ops->put_webhook(f->s, &w, 1, &f->err));
	OK(f, f->ops->claim_webhook(f->s, TENANT, "wh-1", "d-1", 1000, 5000,
	    &lease, &f->err));
	assert_true(lease);
	w.cursor = 9;
	OK(f, f->ops->set_webhook_state(f->s, &w, "d-1", &f->err));
	OK(f, f->ops->get_webhook(f->s, f->a, TENANT, "wh-1", &got,
	    &f->err));
	assert_int_equal(got.cursor, 9);
	assert_string_equal(got.lease_owner, "d-1");
	OK(f, f->ops->list_webhooks(f->s, f->a, NULL, &items, &n, &f->err));
	assert_int_equal(n, 1);
}

/*
 * A store of before data policies (ABI 1.17: SQLite migration 17,
 * PostgreSQL 16, MongoDB schema 9) keeps them once migrated: a policy on
 * the migrated catalog is created and listed, and a migrated table's
 * columns are tagged.
 */
static void
test_migrated_store_takes_policies(void **state)
{
	struct fx		*f = *state;
	struct pgl_policy	 p, *items;
	struct pgl_column_tag	 t = { "as-t1", 2, "pii" }, *tags;
	struct pgl_page		 all = { 0, 0, NULL };
	uint64_t		 total = 0;
	size_t			 n;

	if (!opened(f))
		return;
	assert_true(pgl_store_has_policies(f->ops));
	memset(&p, 0, sizeof(p));
	p.id = "pol-1";
	p.tenant_id = TENANT;
	p.name = "mask";
	p.catalog = "cat";
	p.ns = "db";
	p.table_name = "t1";
	p.doc = "{}";
	OK(f, f->ops->put_policy(f->s, &p, 1, &f->err));
	OK(f, f->ops->list_policies(f->s, f->a, TENANT, "cat", &all, &items,
	    &n, &total, &f->err));
	assert_int_equal(total, 1);
	OK(f, f->ops->set_column_tags(f->s, TENANT, "as-t1", &t, 1, &f->err));
	OK(f, f->ops->list_column_tags(f->s, f->a, TENANT, NULL, "pii", &tags,
	    &n, &f->err));
	assert_int_equal(n, 1);
	assert_string_equal(tags[0].asset_id, "as-t1");
}

/*
 * A store of before recoverable drops (ABI 1.18: SQLite migration 18,
 * PostgreSQL 17, MongoDB schema 10) keeps them once migrated: an entry of
 * the fixture's catalog is put, read, listed and deleted.
 */
static void
test_migrated_store_takes_dropped(void **state)
{
	struct fx		*f = *state;
	struct pgl_dropped	 d, got, *items;
	struct pgl_page		 all = { 0, 0, NULL };
	size_t			 n;
	uint64_t		 total;

	if (!opened(f))
		return;
	assert_true(pgl_store_has_dropped(f->ops));
	memset(&d, 0, sizeof(d));
	d.id = "d-1";
	d.tenant_id = TENANT;
	d.catalog = "cat";
	d.branch = "main";
	d.ns = "db";
	d.name = "gone";
	d.kind = "ICEBERG_TABLE";
	d.metadata_location = "s3://b/gone/00001.metadata.json";
	d.dropped_at_ms = 1000;
	/* ABI 1.20 (SQLite migration 19, PostgreSQL 18, MongoDB schema
	 * 11): the entry keeps the asset's column tags. */
	d.column_tags = "[{\"field_id\":3,\"tag\":\"pii:email\"}]";
	OK(f, f->ops->put_dropped(f->s, &d, &f->err));
	OK(f, f->ops->get_dropped(f->s, f->a, TENANT, "d-1", &got, &f->err));
	assert_string_equal(got.metadata_location, d.metadata_location);
	assert_string_equal(got.properties, "{}");
	assert_non_null(got.column_tags);
	assert_string_equal(got.column_tags, d.column_tags);
	OK(f, f->ops->list_dropped(f->s, f->a, TENANT, "cat", &all, &items,
	    &n, &total, &f->err));
	assert_int_equal(total, 1);
	OK(f, f->ops->delete_dropped(f->s, TENANT, "d-1", &f->err));
}

/*
 * A store of before the owners of locations (ABI 1.26: SQLite migration
 * 21, PostgreSQL 19, MongoDB schema 12) knows them once migrated: every
 * table and view of before has its location's key, and the rows of one
 * table on every branch (main, the fork dev, the copied branch part)
 * are one asset, so a place is owned by another asset only where one
 * is.
 */
static void
test_migrated_store_knows_the_owners_of_places(void **state)
{
	struct fx			*f = *state;
	struct pgl_location_probe	 q;
	struct pgl_location_owner	 o;
	struct pgl_asset		 main_t1, dev_t1, part_t1;

	if (!opened(f))
		return;
	assert_true(pgl_store_has_owners(f->ops));
	OK(f, f->ops->get_asset(f->s, f->a, TENANT, "cat", "main", "db", "t1",
	    &main_t1, &f->err));
	OK(f, f->ops->get_asset(f->s, f->a, TENANT, "cat", "dev", "db", "t1",
	    &dev_t1, &f->err));
	OK(f, f->ops->get_asset(f->s, f->a, TENANT, "cat", "part", "db", "t1",
	    &part_t1, &f->err));
	assert_non_null(main_t1.origin);
	assert_string_equal(dev_t1.origin, main_t1.origin);
	assert_string_equal(part_t1.origin, main_t1.origin);
	memset(&q, 0, sizeof(q));
	q.location = "s3://wh/db/t1/data";
	OK(f, f->ops->find_location_owner(f->s, f->a, TENANT, &q, &o,
	    &f->err));
	assert_string_equal(o.key, "s3://wh/db/t1/");
	q.origin = main_t1.origin;
	assert_int_equal(f->ops->find_location_owner(f->s, f->a, TENANT, &q,
	    &o, &f->err), PGL_ENOTFOUND);
	/* The directory holding them: t2, v1 own places in it. */
	q.location = "s3://wh/db";
	OK(f, f->ops->find_location_owner(f->s, f->a, TENANT, &q, &o,
	    &f->err));
	q.location = "s3://wh/db/t10";
	q.origin = NULL;
	assert_int_equal(f->ops->find_location_owner(f->s, f->a, TENANT, &q,
	    &o, &f->err), PGL_ENOTFOUND);
}

/* A row's bytes from its strings' total (store.h). */
#define ROW_BYTES(text)	((int64_t)(text) * PGL_USAGE_TEXT_NUM / \
			    PGL_USAGE_TEXT_DEN + PGL_USAGE_ROW_BYTES)

static size_t
len_of(const char *s)
{
	return (s != NULL ? strlen(s) : 0);
}

/* Every kind of the tenant's figures, "kind=count/bytes ..." (malloc'd). */
static char *
usage_string(struct fx *f)
{
	struct pgl_usage	*u;
	char			*buf = NULL;
	size_t			 len = 0, n, i;
	FILE			*out;

	OK(f, f->ops->usage(f->s, f->a, TENANT, NULL, 0, &u, &n, &f->err));
	if ((out = open_memstream(&buf, &len)) == NULL)
		fail_msg("open_memstream: %s", strerror(errno));
	for (i = 0; i < n; i++)
		fprintf(out, "%s=%lld/%lld ", u[i].kind,
		    (long long)u[i].count, (long long)u[i].bytes);
	fclose(out);
	return (buf);
}

/*
 * A store of before the usage ledger (ABI 1.27: SQLite migration 22,
 * PostgreSQL 20, MongoDB schema 13, run after the owners' of ABI 1.26)
 * counts its rows of before once migrated: every table and view row of
 * every branch, each of its bytes with the location's key and the origin
 * the migration before gave it, and the figures are those a recount
 * makes from the rows.
 */
static void
test_migrated_store_counts_its_rows_of_before(void **state)
{
	static const char *const branches[] = { "main", "dev", "part" };
	struct fx		*f = *state;
	struct pgl_asset	*as;
	struct pgl_usage	*u;
	char			 key[PGL_LOCATION_KEY_LEN], *before, *after;
	int64_t			 tables = 0, views = 0, nt = 0, nv = 0, text;
	int64_t			 got_t = -1, got_v = -1, got_nt = 0, got_nv = 0;
	size_t			 n, i, b;

	if (!opened(f))
		return;
	assert_true(pgl_store_has_usage(f->ops));
	for (b = 0; b < NITEMS(branches); b++) {
		OK(f, f->ops->list_all_assets_for_branch(f->s, f->a, TENANT,
		    "cat", branches[b], &as, &n, &f->err));
		for (i = 0; i < n; i++) {
			assert_non_null(as[i].origin);
			assert_true(pgl_location_key(as[i].location, key,
			    sizeof(key)) > 0);
			text = (int64_t)(len_of(as[i].catalog) +
			    len_of(as[i].branch) + len_of(as[i].ns) +
			    len_of(as[i].name) + len_of(as[i].id) +
			    len_of(as[i].kind) + len_of(as[i].location) +
			    len_of(as[i].metadata_location) +
			    len_of(as[i].properties) + strlen(key) +
			    len_of(as[i].origin));
			if (strcmp(as[i].kind, "VIEW") == 0) {
				views += ROW_BYTES(text);
				nv++;
			} else {
				tables += ROW_BYTES(text);
				nt++;
			}
		}
	}
	assert_int_equal(nt, 9);
	assert_int_equal(nv, 2);
	OK(f, f->ops->usage(f->s, f->a, TENANT, NULL, 0, &u, &n, &f->err));
	for (i = 0; i < n; i++) {
		if (strcmp(u[i].kind, "tables") == 0) {
			got_nt = u[i].count;
			got_t = u[i].bytes;
		} else if (strcmp(u[i].kind, "views") == 0) {
			got_nv = u[i].count;
			got_v = u[i].bytes;
		}
	}
	assert_int_equal(got_nt, nt);
	assert_int_equal(got_t, tables);
	assert_int_equal(got_nv, nv);
	assert_int_equal(got_v, views);

	/* The same figures, kind by kind, as a recount of the rows. */
	before = usage_string(f);
	OK(f, f->ops->usage_recount(f->s, NULL, &f->err));
	after = usage_string(f);
	assert_string_equal(after, before);
	free(after);
	free(before);
}

static void
test_migrated_names_keep_working_and_no_new_name_reads_as_one(void **state)
{
	struct fx		*f = *state;
	struct pgl_user		 u;
	struct pgl_service_user	 su;
	char			 path[256], *want, *got;
	size_t			 i;

	if (!opened(f))
		return;
	snprintf(path, sizeof(path), "%s/expect-%s.txt", f->fixtures,
	    f->name);
	want = read_file(path);
	/* Every account as the old plugin left it, twice (a second open
	 * finds the store migrated and changes nothing). */
	got = names_string(f);
	assert_string_equal(got, want);
	free(got);
	f->ops->close(f->s);
	f->s = NULL;
	OK(f, open_opts(f, f->opts));
	got = names_string(f);
	assert_string_equal(got, want);
	free(got);
	free(want);
	/* Each signs in by its exact name, the look-alikes too. */
	for (i = 0; i < NITEMS(old_users); i++) {
		OK(f, f->ops->get_user_by_username(f->s, f->a,
		    old_users[i].name, &u, &f->err));
		assert_string_equal(u.id, old_users[i].id);
	}

	/* No new name reads as one of them, in any tenant. */
	expect_user_create(f, "n-1", TENANT, "BOB", PGL_EEXISTS);
	expect_user_create(f, "n-1", TENANT2, "bob", PGL_EEXISTS);
	expect_user_create(f, "n-1", TENANT2, "Alice", PGL_EEXISTS);
	expect_user_create(f, "n-1", TENANT, "ZO\xc3\x8b", PGL_EEXISTS);
	expect_user_create(f, "n-1", TENANT, "carol", PGL_OK);
	/* Not once the holder of the key is gone: `Bob` and `bob` remain. */
	OK(f, f->ops->delete_user(f->s, "u-3", &f->err));
	expect_user_create(f, "n-2", TENANT2, "BOB", PGL_EEXISTS);
	/* The ones that read alike keep working: changed, renamed apart. */
	u = named_user("u-2", TENANT, "bob");
	u.active = 0;
	OK(f, f->ops->update_user(f->s, &u, &f->err));
	u = named_user("u-7", TENANT, "zoe\xcc\x88");
	u.email = "zoe@example.com";
	OK(f, f->ops->update_user(f->s, &u, &f->err));
	u = named_user("u-2", TENANT, "robert");
	OK(f, f->ops->update_user(f->s, &u, &f->err));
	u = named_user("u-4", TENANT, "ROBERT");
	FAILS(f, PGL_EEXISTS, f->ops->update_user(f->s, &u, &f->err));
	/* `Bob` is the last that reads so; once it goes, the name is free. */
	expect_user_create(f, "n-2", TENANT2, "BOB", PGL_EEXISTS);
	OK(f, f->ops->delete_user(f->s, "u-1", &f->err));
	expect_user_create(f, "n-2", TENANT2, "BOB", PGL_OK);

	/* Service users: the same, per tenant. */
	expect_su_create(f, "n-s1", TENANT, "Etl", PGL_EEXISTS);
	expect_su_create(f, "n-s1", TENANT2, "ETL", PGL_EEXISTS);
	expect_su_create(f, "n-s1", TENANT2, "LOADER", PGL_OK);
	su = named_su("s-2", TENANT, "etl", "k-2");
	su.active = 0;
	OK(f, f->ops->update_service_user(f->s, &su, &f->err));
	OK(f, f->ops->delete_service_user(f->s, TENANT, "s-1", &f->err));
	expect_su_create(f, "n-s2", TENANT, "eTl", PGL_EEXISTS);
}

/* make-names <expect.txt>: seed names with PGL_STORE_PLUGIN's plugin. */
static int
make_names_fixture(const char *expect)
{
	struct fx	 f = { 0 };
	const char	*plugin = getenv("PGL_STORE_PLUGIN");
	const char	*opts = getenv("PGL_STORE_OPTS");
	FILE		*out;

	if (plugin == NULL || opts == NULL) {
		fprintf(stderr, "make-names: set PGL_STORE_PLUGIN and "
		    "PGL_STORE_OPTS\n");
		return (2);
	}
	if ((f.ops = load(plugin, &f.dl)) == NULL)
		return (1);
	f.a = pgl_arena_new();
	if (open_opts(&f, opts) != PGL_OK) {
		fprintf(stderr, "open: %s\n", f.err.msg);
		return (1);
	}
	seed_names(&f);
	if ((out = fopen(expect, "w")) == NULL) {
		perror(expect);
		return (1);
	}
	dump_names(&f, out);
	fclose(out);
	f.ops->close(f.s);
	pgl_arena_free(f.a);
	return (0);
}

/* make <expect.txt>: seed with the plugin of PGL_STORE_PLUGIN. */
static int
make_fixture(const char *expect)
{
	struct fx	 f = { 0 };
	const char	*plugin = getenv("PGL_STORE_PLUGIN");
	const char	*opts = getenv("PGL_STORE_OPTS");
	FILE		*out;

	if (plugin == NULL || opts == NULL) {
		fprintf(stderr, "make: set PGL_STORE_PLUGIN and "
		    "PGL_STORE_OPTS\n");
		return (2);
	}
	if ((f.ops = load(plugin, &f.dl)) == NULL)
		return (1);
	f.a = pgl_arena_new();
	if (open_opts(&f, opts) != PGL_OK) {
		fprintf(stderr, "open: %s\n", f.err.msg);
		return (1);
	}
	seed_old(&f);
	if ((out = fopen(expect, "w")) == NULL) {
		perror(expect);
		return (1);
	}
	dump(&f, out);
	fclose(out);
	f.ops->close(f.s);
	pgl_arena_free(f.a);
	return (0);
}

int
main(int argc, char **argv)
{
	const struct CMUnitTest	tests[] = {
		cmocka_unit_test_setup_teardown(
		    test_migrations_check_the_keys_only_when_they_run,
		    setup_sqlite, teardown),
		cmocka_unit_test_setup_teardown(
		    test_migrated_store_keeps_everything_and_forks,
		    setup_sqlite, teardown),
		cmocka_unit_test_setup_teardown(
		    test_migrated_store_takes_change_events,
		    setup_sqlite, teardown),
		cmocka_unit_test_setup_teardown(
		    test_migrated_store_takes_webhooks,
		    setup_sqlite, teardown),
		cmocka_unit_test_setup_teardown(
		    test_migrated_store_takes_policies,
		    setup_sqlite, teardown),
		cmocka_unit_test_setup_teardown(
		    test_migrated_store_takes_dropped,
		    setup_sqlite, teardown),
		cmocka_unit_test_setup_teardown(
		    test_migrated_store_knows_the_owners_of_places,
		    setup_sqlite, teardown),
		cmocka_unit_test_setup_teardown(
		    test_migrated_store_counts_its_rows_of_before,
		    setup_sqlite, teardown),
		cmocka_unit_test_setup_teardown(
		    test_migrated_names_keep_working_and_no_new_name_reads_as_one,
		    setup_sqlite_names, teardown),
	};
	const struct CMUnitTest	pg_tests[] = {
		cmocka_unit_test_setup_teardown(
		    test_migrated_store_keeps_everything_and_forks,
		    setup_postgres, teardown),
		cmocka_unit_test_setup_teardown(
		    test_migrated_store_takes_change_events,
		    setup_postgres, teardown),
		cmocka_unit_test_setup_teardown(
		    test_migrated_store_takes_webhooks,
		    setup_postgres, teardown),
		cmocka_unit_test_setup_teardown(
		    test_migrated_store_takes_policies,
		    setup_postgres, teardown),
		cmocka_unit_test_setup_teardown(
		    test_migrated_store_takes_dropped,
		    setup_postgres, teardown),
		cmocka_unit_test_setup_teardown(
		    test_migrated_store_knows_the_owners_of_places,
		    setup_postgres, teardown),
		cmocka_unit_test_setup_teardown(
		    test_migrated_store_counts_its_rows_of_before,
		    setup_postgres, teardown),
		cmocka_unit_test_setup_teardown(
		    test_migrated_names_keep_working_and_no_new_name_reads_as_one,
		    setup_postgres_names, teardown),
	};
	const struct CMUnitTest	mongo_tests[] = {
		cmocka_unit_test_setup_teardown(
		    test_migrated_store_keeps_everything_and_forks,
		    setup_mongo, teardown),
		cmocka_unit_test_setup_teardown(
		    test_migrated_store_takes_change_events,
		    setup_mongo, teardown),
		cmocka_unit_test_setup_teardown(
		    test_migrated_store_takes_webhooks,
		    setup_mongo, teardown),
		cmocka_unit_test_setup_teardown(
		    test_migrated_store_takes_policies,
		    setup_mongo, teardown),
		cmocka_unit_test_setup_teardown(
		    test_migrated_store_takes_dropped,
		    setup_mongo, teardown),
		cmocka_unit_test_setup_teardown(
		    test_migrated_store_knows_the_owners_of_places,
		    setup_mongo, teardown),
		cmocka_unit_test_setup_teardown(
		    test_migrated_store_counts_its_rows_of_before,
		    setup_mongo, teardown),
		cmocka_unit_test_setup_teardown(
		    test_migrated_names_keep_working_and_no_new_name_reads_as_one,
		    setup_mongo_names, teardown),
	};
	int			 rc;

	if (argc == 3 && strcmp(argv[1], "make") == 0)
		return (make_fixture(argv[2]));
	if (argc == 3 && strcmp(argv[1], "make-names") == 0)
		return (make_names_fixture(argv[2]));
	rc = cmocka_run_group_tests_name("migrate sqlite", tests, NULL, NULL);
	rc |= cmocka_run_group_tests_name("migrate postgres", pg_tests, NULL,
	    NULL);
	rc |= cmocka_run_group_tests_name("migrate mongo", mongo_tests, NULL,
	    NULL);
	return (rc);
}
