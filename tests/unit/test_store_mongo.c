/*
 * What the shared store suite (test_store.c) cannot show about the
 * MongoDB plugin: its options, an unreachable server, the transaction
 * modes and what the open line says about them, and what it leaves in
 * the database (ObjectId _ids, a unique index on every natural key).
 *
 *	PGL_STORE_PLUGIN=build/test/plugins/store-mongo.so \
 *	PGL_STORE_OPTS='url=mongodb://127.0.0.1:PORT/;database=pgl_m{n}' \
 *	[PGL_MONGO_CMD='node tests/servers/mongo_cmd.mjs PORT'] \
 *	[PGL_MONGO_TEST_SERVER=congodb] \
 *	    test_store_mongo
 *
 * {n} becomes a number that changes for every test, so each test starts
 * in a fresh database.  PGL_MONGO_CMD runs one command against the server
 * without the plugin (tests/servers/mongo_cmd.mjs); the tests that need
 * it are skipped without it.  PGL_MONGO_TEST_SERVER=congodb names the
 * test server of ../shared/testing/INFRA.md, which does not enforce
 * unique indexes: the race that only the unique index can settle is then
 * skipped, and says why.  Without PGL_STORE_OPTS every test is skipped.
 */
#include <sys/wait.h>

#include <dlfcn.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "store_util.h"

#include "pangolin/store.h"
#include "util/arena.h"
#include "util/location.h"
#include "util/name_fold.h"

#define NCHILDREN	8
#define MAX_KV		24

struct fx {
	struct pgl_store	*s;
	struct pgl_arena	*a;
	struct pgl_err		 err;
};

static const struct pgl_store_ops	*ops;
static const char			*ext_opts;	/* PGL_STORE_OPTS */
static const char			*mongo_cmd;	/* PGL_MONGO_CMD */
static int				 congodb;
static unsigned				 test_seq;	/* {n} in ext_opts */
static char				 ext_buf[4096];
static struct pgl_kv			 ext_kv[16];
static size_t				 ext_n;
static char				 logged[16384];	/* since log_reset */

static void	host_log(int, const char *, ...)
		    __attribute__((format(printf, 2, 3)));

/* Keeps what was logged (for the tests to read); shows warnings. */
static void
host_log(int level, const char *fmt, ...)
{
	char	line[1024];
	size_t	len = strlen(logged);
	va_list	ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	snprintf(logged + len, sizeof(logged) - len, "%d %s\n", level, line);
	if (level <= PGL_LOG_WARN)
		fprintf(stderr, "log(%d): %s\n", level, line);
}

static void
log_reset(void)
{
	logged[0] = '\0';
}

static const struct pgl_host host = STORE_TEST_HOST(host_log);



/* ext_opts as key/values, with {n} replaced by test_seq. */
static void
ext_options(void)
{
	ext_n = store_opts_parse(ext_opts, test_seq, ext_buf, sizeof(ext_buf),
	    ext_kv, sizeof(ext_kv) / sizeof(ext_kv[0]));
}

static const char *
ext_value(const char *key)
{
	size_t	i;

	for (i = 0; i < ext_n; i++) {
		if (strcmp(ext_kv[i].key, key) == 0)
			return (ext_kv[i].value);
	}
	return (NULL);
}

/* This test's options plus extra ones (later ones win). */
static int
open_with(struct pgl_store **s, struct pgl_err *err,
    const struct pgl_kv *extra, size_t nextra)
{
	struct pgl_kv	kv[MAX_KV];
	size_t		i, n = 0;

	ext_options();
	for (i = 0; i < ext_n; i++)
		kv[n++] = ext_kv[i];
	for (i = 0; i < nextra && n < MAX_KV; i++)
		kv[n++] = extra[i];
	return (ops->open(&host, kv, n, s, err));
}

static int
needs_server(void)
{
	if (ext_opts != NULL)
		return (1);
	skip();
	return (0);
}

static int
setup(void **state)
{
	struct fx	*f;

	if (ext_opts == NULL)
		return (0);
	test_seq++;
	if ((f = calloc(1, sizeof(*f))) == NULL)
		return (-1);
	if (open_with(&f->s, &f->err, NULL, 0) != PGL_OK) {
		fprintf(stderr, "open: %s\n", f->err.msg);
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

	if (f == NULL)
		return (0);
	if (f->s != NULL)
		ops->close(f->s);
	pgl_arena_free(f->a);
	free(f);
	return (0);
}

/*
 * One command to the server, not through the plugin: its output (one
 * document per line for a cursor) into out.  The database is this
 * test's.  Neither may hold a single quote.
 */
static void
server_cmd(char *out, size_t len, const char *json)
{
	char	cmd[2048];
	FILE	*p;
	size_t	n;

	assert_null(strchr(json, '\''));
	snprintf(cmd, sizeof(cmd), "%s %s '%s'", mongo_cmd,
	    ext_value("database"), json);
	assert_non_null(p = popen(cmd, "r"));
	n = fread(out, 1, len - 1, p);
	out[n] = '\0';
	assert_int_equal(pclose(p), 0);
}

static void
seed_tenant(struct fx *f, const char *id, const char *name)
{
	struct pgl_tenant	t = { id, name, "{}" };

	OK(f, ops->create_tenant(f->s, &t, &f->err));
}

/* Options, checked before anything is connected. */

static void
test_bad_options_are_einval_naming_the_option(void **state)
{
	static const struct pgl_kv	bad[] = {
		{ "max_pool_size", "0" },
		{ "max_pool_size", "many" },
		{ "min_pool_size", "-1" },
		{ "server_selection_timeout_ms", "0" },
		{ "server_selection_timeout_ms", "3s" },
		{ "transactions", "sometimes" },
		{ "database", "a.b" },
		{ "database", "" },
		{ "url", "" },
		{ "bogus", "1" },
	};
	struct pgl_kv		kv[2] = { { "url", "mongodb://127.0.0.1:1/" } };
	struct pgl_store	*s = (void *)1;
	struct pgl_err		err;
	size_t			i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		kv[1] = bad[i];
		assert_int_equal(ops->open(&host, kv, 2, &s, &err),
		    PGL_EINVAL);
		assert_null(s);
		assert_non_null(strstr(err.msg, bad[i].key));
	}
}

static void
test_url_is_required_and_checked(void **state)
{
	struct pgl_kv		none[] = { { "database", "x" } };
	struct pgl_kv		http[] = { { "url", "http://127.0.0.1/" } };
	struct pgl_kv		pools[] = { { "url", "mongodb://127.0.0.1:1/" },
				    { "max_pool_size", "2" },
				    { "min_pool_size", "3" } };
	struct pgl_store	*s;
	struct pgl_err		err;

	(void)state;
	assert_int_equal(ops->open(&host, none, 1, &s, &err), PGL_EINVAL);
	assert_non_null(strstr(err.msg, "url"));
	assert_int_equal(ops->open(&host, http, 1, &s, &err), PGL_EINVAL);
	assert_non_null(strstr(err.msg, "url"));
	assert_int_equal(ops->open(&host, pools, 3, &s, &err), PGL_EINVAL);
	assert_non_null(strstr(err.msg, "min_pool_size"));
}

/* Nothing listens on port 1: the open waits server_selection_timeout_ms,
 * then says why, in the driver's words, naming the host. */
static void
test_unreachable_server_is_eunavail_with_driver_message(void **state)
{
	struct pgl_kv		kv[] = { { "url", "mongodb://127.0.0.1:1/" },
				    { "server_selection_timeout_ms", "300" } };
	struct pgl_store	*s = (void *)1;
	struct pgl_err		err;
	double			t0 = now_ms();

	(void)state;
	assert_int_equal(ops->open(&host, kv, 2, &s, &err), PGL_EUNAVAIL);
	assert_null(s);
	assert_true(now_ms() - t0 < 3000);
	assert_non_null(strstr(err.msg, "127.0.0.1:1"));
	assert_non_null(strstr(err.msg, "No suitable servers"));
}

/* With a server. */

static void
test_pool_and_timeout_options_open(void **state)
{
	struct fx		*f = *state;
	struct pgl_kv		kv[] = { { "max_pool_size", "2" },
				    { "min_pool_size", "1" },
				    { "server_selection_timeout_ms", "2000" } };
	struct pgl_store	*s;

	if (!needs_server())
		return;
	OK(f, open_with(&s, &f->err, kv, 3));
	OK(f, ops->ping(s, &f->err));
	ops->close(s);
}

static void
test_open_line_says_whether_transactions_are_real(void **state)
{
	struct fx		*f = *state;
	struct pgl_kv		off[] = { { "transactions", "off" } };
	struct pgl_kv		on[] = { { "transactions", "on" } };
	struct pgl_store	*s;

	if (!needs_server())
		return;
	log_reset();
	OK(f, open_with(&s, &f->err, off, 1));
	ops->close(s);
	assert_non_null(strstr(logged, "transactions: none, NON-ATOMIC"));
	log_reset();
	OK(f, open_with(&s, &f->err, on, 1));
	ops->close(s);
	assert_non_null(strstr(logged, "transactions: multi-document"));
	/* CongoDB looks like a standalone server: no transactions. */
	if (congodb) {
		log_reset();
		OK(f, open_with(&s, &f->err, NULL, 0));
		ops->close(s);
		assert_non_null(strstr(logged, "(Standalone)"));
		assert_non_null(strstr(logged, "NON-ATOMIC"));
	}
}

static void
test_databases_do_not_see_each_other(void **state)
{
	struct fx		*f = *state;
	struct pgl_kv		kv[] = { { "database", NULL } };
	struct pgl_store	*other;
	struct pgl_tenant	t;
	char			db[64];

	if (!needs_server())
		return;
	snprintf(db, sizeof(db), "%s_other", ext_value("database"));
	kv[0].value = db;
	OK(f, open_with(&other, &f->err, kv, 1));
	seed_tenant(f, "t-a", "acme");
	FAILS(f, PGL_ENOTFOUND, ops->get_tenant(other, f->a, "t-a", &t,
	    &f->err));
	OK(f, ops->get_tenant(f->s, f->a, "t-a", &t, &f->err));
	ops->close(other);
}

/* Without a database option: $MONGO_DB_NAME, else the url's /database. */
static void
test_mongo_db_name_then_url_pick_the_database(void **state)
{
	struct fx		*f = *state;
	struct pgl_kv		kv[2];
	struct pgl_store	*s;
	struct pgl_tenant	t;
	char			url[512], env_db[64], url_db[64];
	const char		*base = ext_value("url");

	if (!needs_server())
		return;
	snprintf(env_db, sizeof(env_db), "%s_env", ext_value("database"));
	snprintf(url_db, sizeof(url_db), "%s_url", ext_value("database"));
	/* The url with our database as its path (before any ?options). */
	snprintf(url, sizeof(url), "%.*s/%s%s",
	    (int)(strchr(base + 10, '/') != NULL ?
	    strchr(base + 10, '/') - base : (ptrdiff_t)strlen(base)), base,
	    url_db, strchr(base, '?') != NULL ? strchr(base, '?') : "");
	kv[0].key = "url";
	kv[0].value = url;

	setenv("MONGO_DB_NAME", env_db, 1);
	OK(f, ops->open(&host, kv, 1, &s, &f->err));
	seed_tenant(&(struct fx){ s, f->a, { 0 } }, "t-env", "env");
	ops->close(s);
	unsetenv("MONGO_DB_NAME");
	OK(f, ops->open(&host, kv, 1, &s, &f->err));
	seed_tenant(&(struct fx){ s, f->a, { 0 } }, "t-url", "url");
	ops->close(s);

	kv[1].key = "database";
	kv[1].value = env_db;
	OK(f, ops->open(&host, kv, 2, &s, &f->err));
	OK(f, ops->get_tenant(s, f->a, "t-env", &t, &f->err));
	FAILS(f, PGL_ENOTFOUND, ops->get_tenant(s, f->a, "t-url", &t,
	    &f->err));
	ops->close(s);
	kv[1].value = url_db;
	OK(f, ops->open(&host, kv, 2, &s, &f->err));
	OK(f, ops->get_tenant(s, f->a, "t-url", &t, &f->err));
	ops->close(s);
}

/* The fallback is honest: the write stays, and the log says so. */
static void
test_rollback_without_transactions_keeps_writes_and_warns(void **state)
{
	struct fx		*f = *state;
	struct pgl_kv		off[] = { { "transactions", "off" } };
	struct pgl_store	*s;
	struct pgl_tenant	t;

	if (!needs_server())
		return;
	OK(f, open_with(&s, &f->err, off, 1));
	OK(f, ops->begin(s, &f->err));
	FAILS(f, PGL_EINVAL, ops->begin(s, &f->err));
	seed_tenant(&(struct fx){ s, f->a, { 0 } }, "t-a", "acme");
	log_reset();
	OK(f, ops->rollback(s, &f->err));
	assert_non_null(strstr(logged, "NOT undone"));
	OK(f, ops->get_tenant(s, f->a, "t-a", &t, &f->err));
	FAILS(f, PGL_EINVAL, ops->commit(s, &f->err));
	ops->close(s);
}

/*
 * transactions=on runs every call between begin and commit, and each
 * cascade, in a session transaction.  CongoDB accepts them without
 * making them atomic, so this shows the calls are well formed there;
 * atomicity is test_store.c's rollback test, on a replica set.
 */
static void
test_session_transactions_carry_writes_and_cascades(void **state)
{
	struct fx		*f = *state;
	struct pgl_kv		on[] = { { "transactions", "on" } };
	struct pgl_catalog	c = { "c1", "t-a", "cat", NULL, NULL, NULL,
				    NULL, NULL };
	struct pgl_store	*s;
	struct pgl_tenant	t;

	if (!needs_server())
		return;
	OK(f, open_with(&s, &f->err, on, 1));
	OK(f, ops->begin(s, &f->err));
	seed_tenant(&(struct fx){ s, f->a, { 0 } }, "t-a", "acme");
	OK(f, ops->create_catalog(s, &c, &f->err));
	OK(f, ops->get_tenant(s, f->a, "t-a", &t, &f->err));
	OK(f, ops->commit(s, &f->err));
	OK(f, ops->delete_tenant(s, "t-a", &f->err));
	FAILS(f, PGL_ENOTFOUND, ops->get_tenant(s, f->a, "t-a", &t,
	    &f->err));
	OK(f, ops->begin(s, &f->err));
	OK(f, ops->rollback(s, &f->err));
	ops->close(s);
}

static void
test_names_json_must_be_one_array(void **state)
{
	struct fx		*f = *state;
	static const char	*bad[] = { "[\"a.t1\"] {}", "[], \"x\": 1",
				    "\"a.t1\"", "", "null" };
	uint64_t		copied;
	size_t			i;

	if (!needs_server())
		return;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		FAILS(f, PGL_EINVAL, ops->copy_assets_bulk(f->s, "t-a", "cat",
		    "main", "dev", NULL, bad[i], &copied, &f->err));
	/* Elements that are not strings match nothing. */
	OK(f, ops->copy_assets_bulk(f->s, "t-a", "cat", "main", "dev", NULL,
	    "[1, null, {\"a\": 2}]", &copied, &f->err));
	assert_int_equal(copied, 0);
}

/* What is in the database. */

struct unique_key {
	const char	*coll;
	const char	*key;		/* as listIndexes prints it */
};

static const struct unique_key	unique_keys[] = {
	{ "tenants", "{\"id\":1}" },
	{ "tenants", "{\"name\":1}" },
	{ "warehouses", "{\"tenant_id\":1,\"name\":1}" },
	{ "warehouses", "{\"id\":1}" },
	{ "catalogs", "{\"tenant_id\":1,\"name\":1}" },
	{ "catalogs", "{\"id\":1}" },
	{ "namespaces", "{\"tenant_id\":1,\"catalog_name\":1,\"name\":1}" },
	{ "branches", "{\"tenant_id\":1,\"catalog_name\":1,\"name\":1}" },
	{ "tags", "{\"tenant_id\":1,\"catalog_name\":1,\"name\":1}" },
	{ "commits", "{\"id\":1}" },
	{ "assets", "{\"tenant_id\":1,\"catalog_name\":1,\"branch_name\":1,"
	    "\"namespace\":1,\"name\":1}" },
	{ "assets", "{\"id\":1}" },
	{ "idempotency", "{\"tenant_id\":1,\"key\":1}" },
	{ "plan_parts", "{\"tenant_id\":1,\"plan_id\":1,\"seq\":1}" },
};

/* Each natural key has a unique index, made at open; under a race it is
 * the index, not the check before an insert, that says "exists". */
static void
test_every_natural_key_has_a_unique_index(void **state)
{
	char		out[8192], want[512], cmd[128], *line;
	size_t		i;
	int		found;

	(void)state;
	if (!needs_server())
		return;
	if (mongo_cmd == NULL) {
		skip();
		return;
	}
	for (i = 0; i < sizeof(unique_keys) / sizeof(unique_keys[0]); i++) {
		snprintf(cmd, sizeof(cmd), "{\"listIndexes\": \"%s\"}",
		    unique_keys[i].coll);
		server_cmd(out, sizeof(out), cmd);
		snprintf(want, sizeof(want), "\"key\":%s,", unique_keys[i].key);
		found = 0;
		for (line = strtok(out, "\n"); line != NULL;
		    line = strtok(NULL, "\n")) {
			if (strstr(line, want) != NULL &&
			    strstr(line, "\"unique\":true") != NULL)
				found = 1;
		}
		if (!found)
			fail_msg("no unique index %s on %s", unique_keys[i].key,
			    unique_keys[i].coll);
	}
}

/* ObjectId _ids, the natural key in its own fields, JSON kept as text. */
static void
test_documents_have_objectid_ids_and_key_fields(void **state)
{
	struct fx	*f = *state;
	char		out[4096];

	if (!needs_server())
		return;
	if (mongo_cmd == NULL) {
		skip();
		return;
	}
	seed_tenant(f, "t-a", "acme");
	server_cmd(out, sizeof(out), "{\"find\": \"tenants\"}");
	assert_non_null(strstr(out, "\"_id\":{\"$oid\":\""));
	assert_non_null(strstr(out, "\"id\":\"t-a\""));
	assert_non_null(strstr(out, "\"properties\":\"{}\""));
}

static void
race_child(int gate, int i)
{
	struct pgl_store	*s;
	struct pgl_err		err;
	struct pgl_tenant	t = { "t-race", "race", NULL };
	char			c;
	int			rc;

	(void)i;
	if (open_with(&s, &err, NULL, 0) != PGL_OK)
		_exit(100);
	if (read(gate, &c, 1) == -1)	/* EOF when the parent lets go */
		_exit(101);
	rc = ops->create_tenant(s, &t, &err);
	ops->close(s);
	_exit(rc);
}

/*
 * Eight processes create the same tenant at once: exactly one wins, the
 * others get PGL_EEXISTS.  The check before each insert cannot settle
 * this (every process may look before any inserts); the unique index
 * does, with E11000.  CongoDB does not enforce unique indexes, so there
 * this property cannot be shown, and the test says so.
 */
static void
test_racing_creates_of_one_tenant_have_one_winner(void **state)
{
	struct fx	*f = *state;
	pid_t		pids[NCHILDREN];
	int		gate[2], i, st, wins = 0;

	if (!needs_server())
		return;
	if (congodb) {
		print_message("  SKIPPED: CongoDB does not enforce unique "
		    "indexes (no E11000), so a race of creates is not "
		    "settled by the server there\n");
		skip();
		return;
	}
	ops->close(f->s);	/* a connection must not cross fork() */
	f->s = NULL;
	assert_int_equal(pipe(gate), 0);
	for (i = 0; i < NCHILDREN; i++) {
		if ((pids[i] = fork()) == 0) {
			close(gate[1]);
			race_child(gate[0], i);
		}
	}
	close(gate[0]);
	usleep(300 * 1000);
	close(gate[1]);
	for (i = 0; i < NCHILDREN; i++) {
		assert_int_equal(waitpid(pids[i], &st, 0), pids[i]);
		assert_true(WIFEXITED(st));
		if (WEXITSTATUS(st) == PGL_OK)
			wins++;
		else
			assert_int_equal(WEXITSTATUS(st), PGL_EEXISTS);
	}
	assert_int_equal(wins, 1);
}

int
main(void)
{
	const struct CMUnitTest	tests[] = {
		cmocka_unit_test(test_bad_options_are_einval_naming_the_option),
		cmocka_unit_test(test_url_is_required_and_checked),
		cmocka_unit_test(
		    test_unreachable_server_is_eunavail_with_driver_message),
#define T(fn)	cmocka_unit_test_setup_teardown(fn, setup, teardown)
		T(test_pool_and_timeout_options_open),
		T(test_open_line_says_whether_transactions_are_real),
		T(test_databases_do_not_see_each_other),
		T(test_mongo_db_name_then_url_pick_the_database),
		T(test_rollback_without_transactions_keeps_writes_and_warns),
		T(test_session_transactions_carry_writes_and_cascades),
		T(test_names_json_must_be_one_array),
		T(test_every_natural_key_has_a_unique_index),
		T(test_documents_have_objectid_ids_and_key_fields),
		T(test_racing_creates_of_one_tenant_have_one_winner),
#undef T
	};
	const char		*plugin = getenv("PGL_STORE_PLUGIN");
	const char		*server = getenv("PGL_MONGO_TEST_SERVER");
	pgl_store_plugin_fn	fn;
	void			*dl;

	if (plugin == NULL) {
		printf("test_store_mongo: skipped (set PGL_STORE_PLUGIN to "
		    "store-mongo.so and PGL_STORE_OPTS)\n");
		return (0);
	}
	if ((dl = dlopen(plugin, RTLD_NOW | RTLD_LOCAL)) == NULL ||
	    (fn = (pgl_store_plugin_fn)dlsym(dl, PGL_STORE_SYMBOL)) == NULL) {
		fprintf(stderr, "%s: %s\n", plugin, dlerror());
		return (2);
	}
	ops = fn();
	if (strcmp(ops->name, "mongo") != 0) {
		printf("test_store_mongo: skipped (%s is the %s store)\n",
		    plugin, ops->name);
		return (0);
	}
	mongo_cmd = getenv("PGL_MONGO_CMD");
	congodb = server != NULL && strcmp(server, "congodb") == 0;
	if ((ext_opts = getenv("PGL_STORE_OPTS")) != NULL) {
		srand((unsigned)getpid());
		test_seq = (unsigned)rand() % 100000 * 1000;
	}
	return (cmocka_run_group_tests_name("mongo", tests, NULL, NULL));
}
