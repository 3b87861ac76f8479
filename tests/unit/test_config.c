/* pangolin.toml + environment -> struct pgl_config. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "auth/principal.h"
#include "config/config.h"

static const char *const env_vars[] = {
	"PORT", "PANGOLIN_BIND_ADDRESS", "DATABASE_URL", "PANGOLIN_STORAGE_TYPE",
	"PANGOLIN_NO_AUTH", "DATABASE_MAX_CONNECTIONS", "MONGO_MAX_POOL_SIZE",
	"METADATA_CACHE_TTL_SECONDS", "METADATA_CACHE_MAX_ENTRIES",
	"TASK_WORKER_ENABLED", "TASK_WORKER_CONCURRENCY",
	"TASK_WORKER_POLL_INTERVAL_MS", "OBJECT_STORE_CACHE_ENABLED",
	"PANGOLIN_ROOT_USER", "PANGOLIN_ROOT_PASSWORD", "PANGOLIN_CONFIG",
	"PANGOLIN_JWT_SECRET", "PANGOLIN_SESSION_TTL_SECS",
	"PANGOLIN_ENCRYPTION_KEY", "PANGOLIN_LOCAL_ROOTS",
	"PANGOLIN_ALLOWED_ENDPOINTS", "PANGOLIN_HEADER_TIMEOUT_SECS",
	"PANGOLIN_KEEPALIVE_TIMEOUT_SECS", "PANGOLIN_MAX_CONNECTIONS",
	"PANGOLIN_MAX_CONNS_PER_ADDR", "PANGOLIN_OIDC_ISSUER",
	"PANGOLIN_OIDC_AUDIENCE", "PANGOLIN_OIDC_NAME", "PANGOLIN_OIDC_ROLES",
	"PANGOLIN_OIDC_CLIENT_ID", "PANGOLIN_OIDC_CLIENT_SECRET",
	"PANGOLIN_OIDC_REFETCH_SECS", "PANGOLIN_PUBLIC_URL",
	"PANGOLIN_MAX_HEADER_BYTES", "PANGOLIN_WRITE_POOL_THREADS",
	"PANGOLIN_MAX_METADATA_FILE_BYTES", "PANGOLIN_STORAGE_CA_FILE",
	"PANGOLIN_AUTH_PASSWORD_JOBS", "PANGOLIN_AUTH_RATE_LIMIT",
	"PANGOLIN_AUTH_RATE_WINDOW_SECS", "PANGOLIN_TOKEN_CACHE_ENTRIES",
	"PANGOLIN_COMMIT_WORKERS", "PANGOLIN_AZURE_CONTAINER_SAS",
	"PANGOLIN_STATIC_KEY_BUCKETS", "PANGOLIN_AZURE_CREATE_CONTAINERS",
	"PANGOLIN_LABELS_BUSINESS_KEYS",
	"PANGOLIN_START_WITH_UNREADABLE_SECRETS", "PANGOLIN_LOCATIONS_IN_NAMESPACE",
	"PANGOLIN_METRICS_TOKEN", "PANGOLIN_CONFIG_CACHE_BYTES",
};

#define TEST_JWT_SECRET	"unit-test-jwt-secret-0123456789abcdef"

static char	path[64];

static int
setup(void **state)
{
	size_t	i;

	(void)state;
	for (i = 0; i < sizeof(env_vars) / sizeof(env_vars[0]); i++)
		unsetenv(env_vars[i]);
	/* Auth is on by default, and then a session key is required. */
	setenv("PANGOLIN_JWT_SECRET", TEST_JWT_SECRET, 1);
	return (0);
}

static const char *
write_toml(const char *text)
{
	FILE	*fp;
	int	 fd;

	(void)snprintf(path, sizeof(path), "/tmp/pgl-config-XXXXXX");
	fd = mkstemp(path);
	assert_true(fd >= 0);
	fp = fdopen(fd, "w");
	fputs(text, fp);
	fclose(fp);
	return (path);
}

static struct pgl_config *
load(const char *text, struct pgl_config_error *err)
{
	struct pgl_config	*c;

	c = pgl_config_load(text != NULL ? write_toml(text) : NULL, err);
	if (text != NULL)
		unlink(path);
	/* What main.c does next: the auth settings' own checks. */
	if (c != NULL && pgl_auth_config_check(c, err) == -1) {
		pgl_config_free(c);
		return (NULL);
	}
	return (c);
}

static void
test_defaults_without_a_file(void **state)
{
	struct pgl_config_error	 err;
	struct pgl_config	*c;

	(void)state;
	assert_non_null(c = load(NULL, &err));
	assert_string_equal(c->server.bind, "0.0.0.0");
	assert_int_equal(c->server.port, 8080);
	assert_int_equal(c->server.max_body_bytes, 16 * 1024 * 1024);
	assert_string_equal(c->store.plugin, "store-memory");
	assert_false(c->auth.no_auth);
	pgl_config_free(c);
}

static void
test_file_sections_and_plugin_options(void **state)
{
	struct pgl_config_error	 err;
	struct pgl_config	*c;

	(void)state;
	c = load("[server]\nbind = \"127.0.0.1\"\nport = 9000\nworkers = 3\n"
	    "[store]\nplugin = \"store-sqlite\"\n[store.options]\n"
	    "path = \"/tmp/x.db\"\nbusy_timeout_ms = 2000\n"
	    "[cache]\noptions = { max_entries = 5, ttl_secs = 9 }\n"
	    "[tasks]\nenabled = false\n", &err);
	assert_non_null(c);
	assert_int_equal(c->server.port, 9000);
	assert_int_equal(c->server.workers, 3);
	assert_string_equal(c->store.plugin, "store-sqlite");
	assert_string_equal(pgl_config_opt(&c->store, "path"), "/tmp/x.db");
	assert_string_equal(pgl_config_opt(&c->store, "busy_timeout_ms"),
	    "2000");
	assert_string_equal(pgl_config_opt(&c->cache, "max_entries"), "5");
	assert_false(c->tasks.enabled);
	pgl_config_free(c);
}

static void
test_unknown_key_reports_file_line_and_key(void **state)
{
	struct pgl_config_error	err;
	char			line[512];

	(void)state;
	assert_null(load("[server]\nport = 1\nprot = 2\n", &err));
	assert_int_equal(err.line, 3);
	assert_string_equal(err.key, "server.prot");
	pgl_config_error_format(&err, line, sizeof(line));
	assert_non_null(strstr(line, ":3: server.prot: unknown key"));
}

static void
test_wrong_type_and_range_are_errors(void **state)
{
	struct pgl_config_error	err;

	(void)state;
	assert_null(load("[server]\nport = \"80\"\n", &err));
	assert_non_null(strstr(err.reason, "expected an integer"));
	assert_null(load("[server]\nport = 70000\n", &err));
	assert_non_null(strstr(err.reason, "between 1 and 65535"));
	assert_null(load("[nope]\nx = 1\n", &err));
	assert_non_null(strstr(err.reason, "unknown section"));
	assert_null(load("[server\n", &err));
	assert_int_equal(err.line, 1);
}

static void
test_env_overrides_file(void **state)
{
	struct pgl_config_error	 err;
	struct pgl_config	*c;

	(void)state;
	setenv("PORT", "7001", 1);
	setenv("PANGOLIN_BIND_ADDRESS", "127.0.0.2", 1);
	setenv("METADATA_CACHE_TTL_SECONDS", "42", 1);
	setenv("TASK_WORKER_CONCURRENCY", "5", 1);
	setenv("TASK_WORKER_ENABLED", "no", 1);
	c = load("[server]\nport = 9000\n", &err);
	assert_non_null(c);
	assert_int_equal(c->server.port, 7001);
	assert_string_equal(c->server.bind, "127.0.0.2");
	assert_string_equal(pgl_config_opt(&c->cache, "ttl_secs"), "42");
	assert_int_equal(c->tasks.concurrency, 5);
	assert_false(c->tasks.enabled);
	pgl_config_free(c);
}

static void
test_database_url_scheme_selects_the_plugin(void **state)
{
	struct pgl_config_error	 err;
	struct pgl_config	*c;

	(void)state;
	setenv("DATABASE_URL", "sqlite:///var/lib/p.db", 1);
	assert_non_null(c = load(NULL, &err));
	assert_string_equal(c->store.plugin, "store-sqlite");
	assert_string_equal(pgl_config_opt(&c->store, "path"),
	    "/var/lib/p.db");
	pgl_config_free(c);

	setenv("DATABASE_URL", "postgresql://u@h/db", 1);
	setenv("DATABASE_MAX_CONNECTIONS", "9", 1);
	assert_non_null(c = load(NULL, &err));
	assert_string_equal(c->store.plugin, "store-postgres");
	assert_string_equal(pgl_config_opt(&c->store, "url"),
	    "postgresql://u@h/db");
	assert_string_equal(pgl_config_opt(&c->store, "max_connections"), "9");
	pgl_config_free(c);

	setenv("DATABASE_URL", "mongodb://h:1/", 1);
	setenv("MONGO_MAX_POOL_SIZE", "4", 1);
	assert_non_null(c = load(NULL, &err));
	assert_string_equal(c->store.plugin, "store-mongo");
	assert_string_equal(pgl_config_opt(&c->store, "max_pool_size"), "4");
	assert_null(pgl_config_opt(&c->store, "max_connections"));
	pgl_config_free(c);
}

static void
test_storage_type_and_contradictions(void **state)
{
	struct pgl_config_error	 err;
	struct pgl_config	*c;

	(void)state;
	setenv("PANGOLIN_STORAGE_TYPE", "memory", 1);
	assert_non_null(c = load("[store]\nplugin = \"store-sqlite\"\n",
	    &err));
	assert_string_equal(c->store.plugin, "store-memory");
	pgl_config_free(c);
	setenv("DATABASE_URL", "postgres://x/y", 1);
	assert_null(load(NULL, &err));
	assert_string_equal(err.key, "PANGOLIN_STORAGE_TYPE");
	unsetenv("PANGOLIN_STORAGE_TYPE");
	setenv("DATABASE_URL", "mysql://x/y", 1);
	assert_null(load(NULL, &err));
	assert_string_equal(err.key, "DATABASE_URL");
	unsetenv("DATABASE_URL");
	setenv("PANGOLIN_STORAGE_TYPE", "oracle", 1);
	assert_null(load(NULL, &err));
}

static void
test_connection_limits_defaults_file_and_env(void **state)
{
	struct pgl_config_error	 err;
	struct pgl_config	*c;

	(void)state;
	assert_non_null(c = load(NULL, &err));
	assert_int_equal(c->server.header_timeout_secs, 10);
	assert_int_equal(c->server.keepalive_timeout_secs, 60);
	assert_int_equal(c->server.max_connections, 0);
	assert_int_equal(c->server.max_conns_per_addr, 0);
	assert_int_equal(c->server.request_timeout_secs, 30);
	pgl_config_free(c);

	c = load("[server]\nheader_timeout_secs = 5\n"
	    "keepalive_timeout_secs = 20\nmax_connections = 4096\n", &err);
	assert_non_null(c);
	assert_int_equal(c->server.header_timeout_secs, 5);
	assert_int_equal(c->server.keepalive_timeout_secs, 20);
	assert_int_equal(c->server.max_connections, 4096);
	pgl_config_free(c);

	setenv("PANGOLIN_HEADER_TIMEOUT_SECS", "3", 1);
	setenv("PANGOLIN_KEEPALIVE_TIMEOUT_SECS", "7", 1);
	setenv("PANGOLIN_MAX_CONNECTIONS", "2000", 1);
	setenv("PANGOLIN_MAX_CONNS_PER_ADDR", "50", 1);
	c = load("[server]\nheader_timeout_secs = 5\n"
	    "max_conns_per_addr = 8\n", &err);
	assert_non_null(c);
	assert_int_equal(c->server.header_timeout_secs, 3);
	assert_int_equal(c->server.keepalive_timeout_secs, 7);
	assert_int_equal(c->server.max_connections, 2000);
	assert_int_equal(c->server.max_conns_per_addr, 50);
	pgl_config_free(c);

	assert_null(load("[server]\nheader_timeout_secs = 0\n", &err));
	assert_non_null(strstr(err.reason, "between 1 and 3600"));
	setenv("PANGOLIN_MAX_CONNECTIONS", "-1", 1);
	assert_null(load(NULL, &err));
	assert_string_equal(err.key, "PANGOLIN_MAX_CONNECTIONS");
}

/* How many workers take commits: 1 unless set, the environment over the
 * file, 0-64. */
static void
test_commit_workers_default_file_env_range(void **state)
{
	struct pgl_config_error	 err;
	struct pgl_config	*c;

	(void)state;
	assert_non_null(c = load(NULL, &err));
	assert_int_equal(c->server.commit_workers, 1);
	pgl_config_free(c);
	assert_non_null(c = load("[server]\ncommit_workers = 0\n", &err));
	assert_int_equal(c->server.commit_workers, 0);
	pgl_config_free(c);
	setenv("PANGOLIN_COMMIT_WORKERS", "3", 1);
	assert_non_null(c = load("[server]\ncommit_workers = 0\n", &err));
	assert_int_equal(c->server.commit_workers, 3);
	pgl_config_free(c);
	setenv("PANGOLIN_COMMIT_WORKERS", "65", 1);
	assert_null(load(NULL, &err));
	assert_string_equal(err.key, "PANGOLIN_COMMIT_WORKERS");
	unsetenv("PANGOLIN_COMMIT_WORKERS");
	assert_null(load("[server]\ncommit_workers = -1\n", &err));
}

/* Every table owns its files (issue 67): in its namespace unless relaxed. */
static void
test_locations_in_namespace_default_file_env(void **state)
{
	struct pgl_config_error	 err;
	struct pgl_config	*c;

	(void)state;
	assert_non_null(c = load(NULL, &err));
	assert_int_equal(c->storage.locations_in_namespace, 1);
	pgl_config_free(c);
	assert_non_null(c = load("[storage]\nlocations_in_namespace = false\n",
	    &err));
	assert_int_equal(c->storage.locations_in_namespace, 0);
	pgl_config_free(c);
	setenv("PANGOLIN_LOCATIONS_IN_NAMESPACE", "true", 1);
	assert_non_null(c = load("[storage]\nlocations_in_namespace = false\n",
	    &err));
	assert_int_equal(c->storage.locations_in_namespace, 1);
	pgl_config_free(c);
	setenv("PANGOLIN_LOCATIONS_IN_NAMESPACE", "false", 1);
	assert_non_null(c = load(NULL, &err));
	assert_int_equal(c->storage.locations_in_namespace, 0);
	pgl_config_free(c);
	unsetenv("PANGOLIN_LOCATIONS_IN_NAMESPACE");
}

/* The ceilings that were fixed numbers: a setting each, in range. */
static void
test_head_pool_and_metadata_file_limits_defaults_file_env_range(void **state)
{
	struct pgl_config_error	 err;
	struct pgl_config	*c;

	(void)state;
	assert_non_null(c = load(NULL, &err));
	assert_int_equal(c->server.max_header_bytes, 8192);
	assert_int_equal(c->storage.write_pool_threads, 16);
	assert_int_equal(c->storage.max_metadata_file_bytes, 64 * 1024 * 1024);
	pgl_config_free(c);

	c = load("[server]\nmax_header_bytes = 16384\n"
	    "[storage]\nwrite_pool_threads = 1\n"
	    "max_metadata_file_bytes = 1048576\n", &err);
	assert_non_null(c);
	assert_int_equal(c->server.max_header_bytes, 16384);
	assert_int_equal(c->storage.write_pool_threads, 1);
	assert_int_equal(c->storage.max_metadata_file_bytes, 1048576);
	pgl_config_free(c);

	/* The environment wins over the file. */
	setenv("PANGOLIN_MAX_HEADER_BYTES", "4096", 1);
	setenv("PANGOLIN_WRITE_POOL_THREADS", "4", 1);
	setenv("PANGOLIN_MAX_METADATA_FILE_BYTES", "131072", 1);
	c = load("[server]\nmax_header_bytes = 16384\n"
	    "[storage]\nwrite_pool_threads = 32\n", &err);
	assert_non_null(c);
	assert_int_equal(c->server.max_header_bytes, 4096);
	assert_int_equal(c->storage.write_pool_threads, 4);
	assert_int_equal(c->storage.max_metadata_file_bytes, 131072);
	pgl_config_free(c);
	unsetenv("PANGOLIN_MAX_HEADER_BYTES");
	unsetenv("PANGOLIN_WRITE_POOL_THREADS");
	unsetenv("PANGOLIN_MAX_METADATA_FILE_BYTES");

	/* Kore keeps the head's size in 16 bits; identity providers' keys
	 * are fetched by the pool, so it has a thread at least; a pool past
	 * 256 threads per worker, or a file cap under 64 KiB, is a typo. */
	assert_null(load("[server]\nmax_header_bytes = 65536\n", &err));
	assert_non_null(strstr(err.reason, "between 1024 and 65535"));
	assert_null(load("[server]\nmax_header_bytes = 512\n", &err));
	assert_null(load("[storage]\nwrite_pool_threads = 257\n", &err));
	assert_non_null(strstr(err.reason, "between 1 and 256"));
	assert_null(load("[storage]\nwrite_pool_threads = 0\n", &err));
	assert_null(load("[storage]\nmax_metadata_file_bytes = 1000\n",
	    &err));
	assert_string_equal(err.key, "storage.max_metadata_file_bytes");
	setenv("PANGOLIN_MAX_HEADER_BYTES", "70000", 1);
	assert_null(load(NULL, &err));
	assert_string_equal(err.key, "PANGOLIN_MAX_HEADER_BYTES");
	unsetenv("PANGOLIN_MAX_HEADER_BYTES");
	setenv("PANGOLIN_WRITE_POOL_THREADS", "0", 1);
	assert_null(load(NULL, &err));
	assert_string_equal(err.key, "PANGOLIN_WRITE_POOL_THREADS");
	unsetenv("PANGOLIN_WRITE_POOL_THREADS");
	setenv("PANGOLIN_MAX_METADATA_FILE_BYTES", "2147483648", 1);
	assert_null(load(NULL, &err));
	assert_string_equal(err.key, "PANGOLIN_MAX_METADATA_FILE_BYTES");
}

static void
test_events_retention_and_tenant_limit_defaults_file_env_range(void **state)
{
	struct pgl_config_error	 err;
	struct pgl_config	*c;

	(void)state;
	assert_non_null(c = load(NULL, &err));
	assert_int_equal(c->events.retention_secs, 604800);
	assert_int_equal(c->events.max_per_tenant, 1000000);
	assert_int_equal(c->events.max_event_bytes, 256 * 1024);
	pgl_config_free(c);

	c = load("[events]\nretention_secs = 60\nmax_per_tenant = 0\n", &err);
	assert_non_null(c);
	assert_int_equal(c->events.retention_secs, 60);
	assert_int_equal(c->events.max_per_tenant, 0);
	pgl_config_free(c);

	/* The environment wins over the file. */
	setenv("PANGOLIN_EVENTS_RETENTION_SECS", "2", 1);
	setenv("PANGOLIN_EVENTS_MAX_PER_TENANT", "500", 1);
	c = load("[events]\nretention_secs = 60\n", &err);
	assert_non_null(c);
	assert_int_equal(c->events.retention_secs, 2);
	assert_int_equal(c->events.max_per_tenant, 500);
	pgl_config_free(c);
	unsetenv("PANGOLIN_EVENTS_MAX_PER_TENANT");

	/* Out of range or not a number: refused, naming the setting. */
	setenv("PANGOLIN_EVENTS_RETENTION_SECS", "-1", 1);
	assert_null(load(NULL, &err));
	assert_string_equal(err.key, "PANGOLIN_EVENTS_RETENTION_SECS");
	setenv("PANGOLIN_EVENTS_RETENTION_SECS", "week", 1);
	assert_null(load(NULL, &err));
	assert_string_equal(err.key, "PANGOLIN_EVENTS_RETENTION_SECS");
	unsetenv("PANGOLIN_EVENTS_RETENTION_SECS");
	assert_null(load("[events]\nmax_per_tenant = -5\n", &err));
	assert_string_equal(err.key, "events.max_per_tenant");
	/* Under 1 KiB no commit's updates would ever be carried. */
	assert_null(load("[events]\nmax_event_bytes = 100\n", &err));
	assert_string_equal(err.key, "events.max_event_bytes");
	setenv("PANGOLIN_EVENT_MAX_BYTES", "4096", 1);
	assert_non_null(c = load(NULL, &err));
	assert_int_equal(c->events.max_event_bytes, 4096);
	pgl_config_free(c);
	unsetenv("PANGOLIN_EVENT_MAX_BYTES");
}

/* [scan] purge_every_secs: how often runner 0 purges expired plans. */
static void
test_scan_purge_every_default_file_env_range(void **state)
{
	struct pgl_config_error	 err;
	struct pgl_config	*c;

	(void)state;
	assert_non_null(c = load(NULL, &err));
	assert_int_equal(c->scan.purge_every_secs, 30);
	pgl_config_free(c);
	assert_non_null(c = load("[scan]\npurge_every_secs = 5\n", &err));
	assert_int_equal(c->scan.purge_every_secs, 5);
	pgl_config_free(c);
	setenv("PANGOLIN_SCAN_PURGE_EVERY_SECS", "2", 1);
	assert_non_null(c = load("[scan]\npurge_every_secs = 5\n", &err));
	assert_int_equal(c->scan.purge_every_secs, 2);
	pgl_config_free(c);
	setenv("PANGOLIN_SCAN_PURGE_EVERY_SECS", "0", 1);
	assert_null(load(NULL, &err));
	assert_string_equal(err.key, "PANGOLIN_SCAN_PURGE_EVERY_SECS");
	unsetenv("PANGOLIN_SCAN_PURGE_EVERY_SECS");
	assert_null(load("[scan]\npurge_every_secs = 3601\n", &err));
}

/* [quota] (issue 67): 64-bit figures, the file, the environment over it. */
static void
test_quota_defaults_file_env_range(void **state)
{
	struct pgl_config_error	 err;
	struct pgl_config	*c;

	(void)state;
	assert_non_null(c = load(NULL, &err));
	assert_true(c->quota.max_bytes == 2048LL * 1024 * 1024);
	assert_true(c->quota.count[PGL_Q_TABLES] == 100000);
	assert_true(c->quota.bytes[PGL_Q_TABLES] == 0);
	assert_true(c->quota.bytes[PGL_Q_EVENTS] == 256LL * 1024 * 1024);
	assert_true(c->scan.max_bytes_total == 2048LL * 1024 * 1024);
	pgl_config_free(c);

	/* Past 2^31: a whole tenant of 64 GiB. */
	c = load("[quota]\nmax_bytes = 68719476736\ntables_bytes = 5\n"
	    "[scan]\nmax_bytes_total = 0\n", &err);
	assert_non_null(c);
	assert_true(c->quota.max_bytes == 68719476736LL);
	assert_true(c->quota.bytes[PGL_Q_TABLES] == 5);
	assert_true(c->scan.max_bytes_total == 0);
	pgl_config_free(c);

	setenv("PANGOLIN_QUOTA_TABLES", "7", 1);
	setenv("PANGOLIN_QUOTA_AUDIT_BYTES", "4096", 1);
	assert_non_null(c = load("[quota]\ntables = 3\n", &err));
	assert_true(c->quota.count[PGL_Q_TABLES] == 7);
	assert_true(c->quota.bytes[PGL_Q_AUDIT] == 4096);
	pgl_config_free(c);
	unsetenv("PANGOLIN_QUOTA_AUDIT_BYTES");
	setenv("PANGOLIN_QUOTA_TABLES", "-1", 1);
	assert_null(load(NULL, &err));
	assert_string_equal(err.key, "PANGOLIN_QUOTA_TABLES");
	unsetenv("PANGOLIN_QUOTA_TABLES");
	assert_null(load("[quota]\ntablez = 1\n", &err));
	assert_null(load("[quota]\nmax_bytes = -1\n", &err));
	assert_string_equal(err.key, "quota.max_bytes");
}

/* [auth]'s numbers, one table of them in config_env.c. */
static void
test_auth_numbers_defaults_file_env_range(void **state)
{
	struct pgl_config_error	 err;
	struct pgl_config	*c;

	(void)state;
	assert_non_null(c = load(NULL, &err));
	assert_int_equal(c->auth.password_jobs, 32);
	assert_int_equal(c->auth.rate_limit, 10);
	assert_int_equal(c->auth.rate_window_secs, 60);
	assert_int_equal(c->auth.session_ttl_secs, 86400);
	assert_int_equal(c->auth.token_cache_entries, 1024);
	pgl_config_free(c);

	assert_non_null(c = load("[auth]\npassword_jobs = 4\n", &err));
	assert_int_equal(c->auth.password_jobs, 4);
	pgl_config_free(c);
	assert_null(load("[auth]\npassword_jobs = 0\n", &err));
	assert_string_equal(err.key, "auth.password_jobs");

	/* The environment wins over the file, each its own variable. */
	setenv("PANGOLIN_AUTH_PASSWORD_JOBS", "7", 1);
	setenv("PANGOLIN_AUTH_RATE_LIMIT", "0", 1);
	setenv("PANGOLIN_AUTH_RATE_WINDOW_SECS", "5", 1);
	setenv("PANGOLIN_SESSION_TTL_SECS", "120", 1);
	setenv("PANGOLIN_TOKEN_CACHE_ENTRIES", "3", 1);
	assert_non_null(c = load("[auth]\npassword_jobs = 4\n", &err));
	assert_int_equal(c->auth.password_jobs, 7);
	assert_int_equal(c->auth.rate_limit, 0);
	assert_int_equal(c->auth.rate_window_secs, 5);
	assert_int_equal(c->auth.session_ttl_secs, 120);
	assert_int_equal(c->auth.token_cache_entries, 3);
	pgl_config_free(c);
	unsetenv("PANGOLIN_AUTH_RATE_LIMIT");
	unsetenv("PANGOLIN_AUTH_RATE_WINDOW_SECS");
	unsetenv("PANGOLIN_SESSION_TTL_SECS");
	unsetenv("PANGOLIN_TOKEN_CACHE_ENTRIES");

	/* Out of range: refused, naming the variable. */
	setenv("PANGOLIN_AUTH_PASSWORD_JOBS", "0", 1);
	assert_null(load(NULL, &err));
	assert_string_equal(err.key, "PANGOLIN_AUTH_PASSWORD_JOBS");
	setenv("PANGOLIN_AUTH_PASSWORD_JOBS", "4097", 1);
	assert_null(load(NULL, &err));
	assert_string_equal(err.key, "PANGOLIN_AUTH_PASSWORD_JOBS");
	unsetenv("PANGOLIN_AUTH_PASSWORD_JOBS");
	setenv("PANGOLIN_SESSION_TTL_SECS", "59", 1);
	assert_null(load(NULL, &err));
	assert_string_equal(err.key, "PANGOLIN_SESSION_TTL_SECS");
	unsetenv("PANGOLIN_SESSION_TTL_SECS");
}

static void
test_bad_env_number_names_the_variable(void **state)
{
	struct pgl_config_error	err;

	(void)state;
	setenv("PORT", "80x", 1);
	assert_null(load(NULL, &err));
	assert_string_equal(err.key, "PORT");
}

static void
test_no_auth_requires_loopback(void **state)
{
	struct pgl_config_error	 err;
	struct pgl_config	*c;

	(void)state;
	setenv("PANGOLIN_NO_AUTH", "true", 1);
	assert_null(load(NULL, &err));		/* default bind 0.0.0.0 */
	assert_non_null(strstr(err.reason, "loopback"));
	setenv("PANGOLIN_BIND_ADDRESS", "127.0.0.1", 1);
	assert_non_null(c = load(NULL, &err));
	assert_true(c->auth.no_auth);
	pgl_config_free(c);
}

static void
test_weak_or_half_root_credentials_are_refused(void **state)
{
	struct pgl_config_error	 err;
	struct pgl_config	*c;

	(void)state;
	setenv("PANGOLIN_ROOT_USER", "root", 1);
	assert_null(load(NULL, &err));
	setenv("PANGOLIN_ROOT_PASSWORD", "password123", 1);
	assert_null(load(NULL, &err));
	assert_non_null(strstr(err.reason, "weak"));
	setenv("PANGOLIN_ROOT_PASSWORD", "a long enough secret", 1);
	assert_non_null(c = load(NULL, &err));
	pgl_config_free(c);
}

static void
test_auth_on_requires_a_strong_jwt_secret(void **state)
{
	struct pgl_config_error	 err;
	struct pgl_config	*c;

	(void)state;
	unsetenv("PANGOLIN_JWT_SECRET");
	assert_null(c = load(NULL, &err));
	assert_string_equal(err.key, "auth.jwt_secret");
	setenv("PANGOLIN_JWT_SECRET", "changeme", 1);
	assert_null(c = load(NULL, &err));
	assert_non_null(strstr(err.reason, "weak"));
	setenv("PANGOLIN_JWT_SECRET", TEST_JWT_SECRET, 1);
	assert_non_null(c = load(NULL, &err));
	assert_string_equal(c->auth.jwt_secret, TEST_JWT_SECRET);
	assert_int_equal(c->auth.session_ttl_secs, 86400);
	pgl_config_free(c);
}

static void
test_metrics_token_unset_by_default_and_refused_when_short(void **state)
{
	struct pgl_config_error	 err;
	struct pgl_config	*c;

	(void)state;
	assert_non_null(c = load(NULL, &err));
	assert_null(c->metrics.token);
	pgl_config_free(c);
	setenv("PANGOLIN_METRICS_TOKEN", "short-scrape-token", 1);
	assert_null(load(NULL, &err));
	assert_string_equal(err.key, "metrics.token");
	assert_non_null(strstr(err.reason, "PANGOLIN_METRICS_TOKEN"));
	assert_non_null(strstr(err.reason, "at least 32 bytes"));
	setenv("PANGOLIN_METRICS_TOKEN", "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", 1);
	assert_null(load(NULL, &err));
	assert_non_null(strstr(err.reason, "repeated"));
	unsetenv("PANGOLIN_METRICS_TOKEN");
	assert_null(load("[metrics]\ntoken = \"short\"\n", &err));
	assert_string_equal(err.key, "metrics.token");
	assert_non_null(c = load("[metrics]\ntoken = "
	    "\"scrape-0123456789abcdef0123456789abcdef\"\n", &err));
	assert_string_equal(c->metrics.token,
	    "scrape-0123456789abcdef0123456789abcdef");
	pgl_config_free(c);
}

static void
test_no_auth_makes_a_random_jwt_secret(void **state)
{
	struct pgl_config_error	 err;
	struct pgl_config	*a, *b;

	(void)state;
	unsetenv("PANGOLIN_JWT_SECRET");
	a = load("[server]\nbind = \"127.0.0.1\"\n[auth]\nno_auth = true\n",
	    &err);
	b = load("[server]\nbind = \"127.0.0.1\"\n[auth]\nno_auth = true\n",
	    &err);
	assert_non_null(a);
	assert_non_null(b);
	assert_true(strlen(a->auth.jwt_secret) >= 32);
	assert_string_not_equal(a->auth.jwt_secret, b->auth.jwt_secret);
	pgl_config_free(a);
	pgl_config_free(b);
}

static void
test_storage_lists_from_file_and_env(void **state)
{
	struct pgl_config_error	 err;
	struct pgl_config	*c;

	(void)state;
	c = load("[storage]\nlocal_roots = [\"/srv/a\", \"/srv/b\"]\n"
	    "allowed_endpoints = [\"http://127.0.0.1:9000\"]\n", &err);
	assert_non_null(c);
	assert_int_equal(c->storage.local_roots.n, 2);
	assert_string_equal(c->storage.local_roots.v[1], "/srv/b");
	assert_int_equal(c->storage.allowed_endpoints.n, 1);
	pgl_config_free(c);

	/* The environment replaces the file's list; empty pieces vanish. */
	setenv("PANGOLIN_LOCAL_ROOTS", "/x::/y/z:", 1);
	setenv("PANGOLIN_ALLOWED_ENDPOINTS", "https://s3.lan:443,http://[::1]:9", 1);
	c = load("[storage]\nlocal_roots = [\"/srv/a\"]\n", &err);
	assert_non_null(c);
	assert_int_equal(c->storage.local_roots.n, 2);
	assert_string_equal(c->storage.local_roots.v[0], "/x");
	assert_string_equal(c->storage.local_roots.v[1], "/y/z");
	assert_int_equal(c->storage.allowed_endpoints.n, 2);
	assert_string_equal(c->storage.allowed_endpoints.v[1], "http://[::1]:9");
	pgl_config_free(c);
}

static void
test_storage_lists_refuse_bad_elements(void **state)
{
	struct pgl_config_error	 err;

	(void)state;
	assert_null(load("[storage]\nlocal_roots = \"/srv\"\n", &err));
	assert_string_equal(err.key, "storage.local_roots");
	assert_null(load("[storage]\nlocal_roots = [1]\n", &err));
	assert_null(load("[storage]\nlocal_roots = [\"rel/dir\"]\n", &err));
	assert_null(load("[storage]\nlocal_roots = [\"/a/../etc\"]\n", &err));
	assert_null(load("[storage]\nallowed_endpoints = "
	    "[\"http://h:1/path\"]\n", &err));
	assert_string_equal(err.key, "storage.allowed_endpoints");
	assert_null(load("[storage]\nallowed_endpoints = [\"ftp://h\"]\n",
	    &err));
	setenv("PANGOLIN_LOCAL_ROOTS", "/ok:relative", 1);
	assert_null(load(NULL, &err));
}

/*
 * The operator's grants of a wider credential (issue 67): containers as
 * "<account>/<container>" (or every one of an account), buckets by
 * name; the environment replaces the file's lists; bad names refused.
 */
static void
test_operator_only_storage_settings(void **state)
{
	struct pgl_config_error	 err;
	struct pgl_config	*c;

	(void)state;
	c = load("[storage]\nazure_container_sas = [\"acct1/lake\", "
	    "\"acct2/*\"]\nstatic_key_buckets = [\"team-lake\"]\n"
	    "azure_create_containers = true\n[auth]\n"
	    "start_with_unreadable_secrets = true\n", &err);
	assert_non_null(c);
	assert_int_equal(c->storage.azure_container_sas.n, 2);
	assert_string_equal(c->storage.azure_container_sas.v[1], "acct2/*");
	assert_int_equal(c->storage.static_key_buckets.n, 1);
	assert_true(c->storage.azure_create_containers);
	assert_true(c->auth.start_with_unreadable_secrets);
	pgl_config_free(c);
	c = load(NULL, &err);
	assert_non_null(c);
	assert_int_equal(c->storage.azure_container_sas.n, 0);
	assert_int_equal(c->storage.static_key_buckets.n, 0);
	assert_false(c->storage.azure_create_containers);
	assert_false(c->auth.start_with_unreadable_secrets);
	pgl_config_free(c);
	setenv("PANGOLIN_AZURE_CONTAINER_SAS", "a1b/c-1,a2c/c22", 1);
	setenv("PANGOLIN_STATIC_KEY_BUCKETS", "b.one,b-two", 1);
	setenv("PANGOLIN_START_WITH_UNREADABLE_SECRETS", "true", 1);
	c = load("[storage]\nstatic_key_buckets = [\"file-bucket\"]\n", &err);
	assert_non_null(c);
	assert_int_equal(c->storage.azure_container_sas.n, 2);
	assert_string_equal(c->storage.static_key_buckets.v[0], "b.one");
	assert_int_equal(c->storage.static_key_buckets.n, 2);
	assert_true(c->auth.start_with_unreadable_secrets);
	pgl_config_free(c);
	unsetenv("PANGOLIN_AZURE_CONTAINER_SAS");
	unsetenv("PANGOLIN_STATIC_KEY_BUCKETS");
	unsetenv("PANGOLIN_START_WITH_UNREADABLE_SECRETS");
	assert_null(load("[storage]\nazure_container_sas = [\"lake\"]\n",
	    &err));
	assert_string_equal(err.key, "storage.azure_container_sas");
	assert_null(load("[storage]\nazure_container_sas = "
	    "[\"Acct/lake\"]\n", &err));
	assert_null(load("[storage]\nazure_container_sas = "
	    "[\"acct/la--ke\"]\n", &err));
	assert_null(load("[storage]\nstatic_key_buckets = [\"Bad_Bucket\"]\n",
	    &err));
	assert_string_equal(err.key, "storage.static_key_buckets");
}

/*
 * [labels] business_keys (issue 70): every key ("*") by default; the
 * file's list, [] (labels off), the environment's comma list over the
 * file's; "*" beside another key refused.
 */
static void
test_labels_business_keys_default_file_env(void **state)
{
	struct pgl_config_error	 err;
	struct pgl_config	*c;

	(void)state;
	c = load(NULL, &err);
	assert_non_null(c);
	assert_int_equal(c->labels.business_keys.n, 1);
	assert_string_equal(c->labels.business_keys.v[0], "*");
	pgl_config_free(c);
	c = load("[labels]\nbusiness_keys = [\"owner\", \"pii\"]\n", &err);
	assert_non_null(c);
	assert_int_equal(c->labels.business_keys.n, 2);
	assert_string_equal(c->labels.business_keys.v[1], "pii");
	pgl_config_free(c);
	c = load("[labels]\nbusiness_keys = []\n", &err);
	assert_non_null(c);
	assert_int_equal(c->labels.business_keys.n, 0);
	pgl_config_free(c);
	setenv("PANGOLIN_LABELS_BUSINESS_KEYS", "team,cost-center", 1);
	c = load("[labels]\nbusiness_keys = [\"owner\"]\n", &err);
	assert_non_null(c);
	assert_int_equal(c->labels.business_keys.n, 2);
	assert_string_equal(c->labels.business_keys.v[0], "team");
	pgl_config_free(c);
	unsetenv("PANGOLIN_LABELS_BUSINESS_KEYS");
	assert_null(load("[labels]\nbusiness_keys = [\"*\", \"owner\"]\n",
	    &err));
	assert_string_equal(err.key, "labels.business_keys");
}

/* A file of text under /tmp; its path in p. */
static void
write_file(char *p, size_t len, const char *text)
{
	FILE	*fp;
	int	 fd;

	(void)snprintf(p, len, "/tmp/pgl-ca-XXXXXX");
	fd = mkstemp(p);
	assert_true(fd >= 0);
	fp = fdopen(fd, "w");
	fputs(text, fp);
	fclose(fp);
}

static void
test_storage_ca_file_from_file_and_env_and_checked(void **state)
{
	struct pgl_config_error	 err;
	struct pgl_config	*c;
	char			 pem[64], txt[64], toml[256];
	char			 big[12000];

	(void)state;
	/* A certificate split across the first two read blocks. */
	memset(big, '#', sizeof(big));
	(void)snprintf(big + 4110, sizeof(big) - 4110, "\n-----BEGIN "
	    "CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n");
	write_file(pem, sizeof(pem), big);
	write_file(txt, sizeof(txt), "not a certificate\n");

	c = load(NULL, &err);
	assert_non_null(c);
	assert_null(c->storage.ca_file);		/* the system's */
	pgl_config_free(c);

	(void)snprintf(toml, sizeof(toml), "[storage]\nca_file = \"%s\"\n",
	    pem);
	c = load(toml, &err);
	assert_non_null(c);
	assert_string_equal(c->storage.ca_file, pem);
	pgl_config_free(c);

	/* The environment wins over the file. */
	setenv("PANGOLIN_STORAGE_CA_FILE", pem, 1);
	c = load("[storage]\nca_file = \"/nowhere/ca.pem\"\n", &err);
	assert_non_null(c);
	assert_string_equal(c->storage.ca_file, pem);
	pgl_config_free(c);

	/* Missing, a directory, no certificate, empty: start-up errors that
	 * name the file. */
	setenv("PANGOLIN_STORAGE_CA_FILE", "/nowhere/ca.pem", 1);
	assert_null(load(NULL, &err));
	assert_string_equal(err.key, "storage.ca_file");
	assert_non_null(strstr(err.reason, "cannot read '/nowhere/ca.pem'"));
	assert_non_null(strstr(err.reason, "No such file"));
	setenv("PANGOLIN_STORAGE_CA_FILE", "/tmp", 1);
	assert_null(load(NULL, &err));
	assert_string_equal(err.key, "storage.ca_file");
	assert_non_null(strstr(err.reason, "'/tmp'"));
	setenv("PANGOLIN_STORAGE_CA_FILE", txt, 1);
	assert_null(load(NULL, &err));
	assert_string_equal(err.key, "storage.ca_file");
	assert_non_null(strstr(err.reason, "holds no PEM certificate"));
	assert_non_null(strstr(err.reason, txt));
	unsetenv("PANGOLIN_STORAGE_CA_FILE");
	assert_null(load("[storage]\nca_file = \"\"\n", &err));
	assert_string_equal(err.key, "storage.ca_file");
	assert_null(load("[storage]\nca_file = 1\n", &err));
	assert_string_equal(err.key, "storage.ca_file");
	unlink(pem);
	unlink(txt);
}

#define OIDC_ONE \
	"[[auth.oidc]]\nname = \"kc\"\n" \
	"issuer = \"https://kc.example.com/realms/data\"\n" \
	"audience = \"pangolin\"\n" \
	"roles = { \"data-admins\" = \"tenant-admin\" }\n"

static void
test_oidc_providers_from_the_file(void **state)
{
	struct pgl_config_error	 err;
	struct pgl_config	*c;

	(void)state;
	c = load(OIDC_ONE "[[auth.oidc]]\nname = \"entra\"\n"
	    "issuer = \"https://login.microsoftonline.com/t/v2.0\"\n"
	    "audience = \"api://pangolin\"\ntenant = \"acme\"\n"
	    "client_id = \"ui\"\nclient_secret = \"s3cret\"\n"
	    "[auth.oidc.roles]\n\"a b\" = \"readers\"\n"
	    "[server]\npublic_url = \"https://cat.example.com/\"\n", &err);
	assert_non_null(c);
	assert_int_equal(c->auth.noidc, 2);
	assert_string_equal(c->auth.oidc[0].name, "kc");
	assert_string_equal(c->auth.oidc[0].tenant_claim, "tenant");
	assert_string_equal(c->auth.oidc[0].groups_claim, "groups");
	assert_string_equal(c->auth.oidc[0].scopes, "openid profile email");
	assert_int_equal(c->auth.oidc[0].leeway_secs, 60);
	assert_int_equal(c->auth.oidc[0].refetch_secs, 60);
	assert_int_equal(c->auth.oidc[0].jwks_max_age_secs, 3600);
	assert_int_equal(c->auth.oidc[0].nroles, 1);
	assert_string_equal(c->auth.oidc[0].roles[0].group, "data-admins");
	assert_string_equal(c->auth.oidc[1].tenant, "acme");
	assert_string_equal(c->auth.oidc[1].roles[0].group, "a b");
	assert_string_equal(c->auth.oidc[1].roles[0].role, "readers");
	assert_string_equal(c->auth.public_url, "https://cat.example.com");
	pgl_config_free(c);
}

static void
test_oidc_env_makes_or_overrides_one_provider(void **state)
{
	struct pgl_config_error	 err;
	struct pgl_config	*c;

	(void)state;
	setenv("PANGOLIN_OIDC_ISSUER", "http://127.0.0.1:9000", 1);
	setenv("PANGOLIN_OIDC_AUDIENCE", "cat", 1);
	setenv("PANGOLIN_OIDC_ROLES", "ops=root,eng=tenant-admin", 1);
	c = load(NULL, &err);
	assert_non_null(c);
	assert_int_equal(c->auth.noidc, 1);
	assert_string_equal(c->auth.oidc[0].name, "oidc");
	assert_int_equal(c->auth.oidc[0].nroles, 2);
	assert_string_equal(c->auth.oidc[0].roles[1].role, "tenant-admin");
	pgl_config_free(c);
	setenv("PANGOLIN_OIDC_REFETCH_SECS", "5", 1);
	c = load(OIDC_ONE, &err);
	assert_non_null(c);
	assert_int_equal(c->auth.noidc, 1);
	assert_string_equal(c->auth.oidc[0].name, "kc");
	assert_string_equal(c->auth.oidc[0].issuer, "http://127.0.0.1:9000");
	assert_int_equal(c->auth.oidc[0].refetch_secs, 5);
	pgl_config_free(c);
	c = load(OIDC_ONE "[[auth.oidc]]\nname = \"b\"\nissuer = "
	    "\"https://b\"\naudience = \"x\"\n", &err);
	assert_null(c);
	assert_non_null(strstr(err.reason, "has 2 [[auth.oidc]]"));
}

static void
test_oidc_bad_providers_are_refused(void **state)
{
	static const struct {
		const char	*toml, *why;
	} cases[] = {
		{ "issuer = \"http://kc.example.com\"\naudience = \"a\"\n",
		    "https://" },
		{ "issuer = \"https://kc\"\n", "issuer and audience" },
		{ "issuer = \"https://kc\"\naudience = \"a\"\nnope = 1\n",
		    "unknown key" },
		{ "issuer = \"https://kc\"\naudience = \"a\"\n"
		    "client_id = \"x\"\n", "client_secret" },
		{ "issuer = \"https://kc\"\naudience = \"a\"\n"
		    "leeway_secs = 9999\n", "between 0 and 300" },
		{ "issuer = \"https://kc\"\naudience = \"a\"\n"
		    "roles = { g = 1 }\n", "role name" },
		{ "issuer = \"https://kc\"\naudience = \"a\"\n"
		    "jwks_uri = \"ftp://x\"\n", "jwks_uri" },
	};
	struct pgl_config_error	 err;
	struct pgl_config	*c;
	char			 text[512];
	size_t			 i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		(void)snprintf(text, sizeof(text), "[[auth.oidc]]\nname = "
		    "\"p\"\n%s", cases[i].toml);
		c = load(text, &err);
		if (c != NULL || strstr(err.reason, cases[i].why) == NULL)
			fail_msg("case %zu: %s: %s", i, cases[i].toml,
			    c != NULL ? "accepted" : err.reason);
	}
	c = load(OIDC_ONE OIDC_ONE, &err);
	assert_null(c);
	assert_non_null(strstr(err.reason, "used twice"));
	c = load("[[auth.oidc]]\nname = \"Bad Name\"\n", &err);
	assert_null(c);
	assert_non_null(strstr(err.reason, "name"));
}

/* [cache] config_bytes: the config cache's bytes (issue 69 item 1). */
static void
test_config_cache_bytes_default_file_env_range(void **state)
{
	struct pgl_config_error	 err;
	struct pgl_config	*c;

	(void)state;
	assert_non_null(c = load(NULL, &err));
	assert_int_equal(c->cache_config_bytes, 4 << 20);
	pgl_config_free(c);
	assert_non_null(c = load("[cache]\nconfig_bytes = 1048576\n", &err));
	assert_int_equal(c->cache_config_bytes, 1 << 20);
	pgl_config_free(c);
	/* Less than 64 KiB, or more than 1 GiB: refused, named. */
	assert_null(load("[cache]\nconfig_bytes = 1000\n", &err));
	assert_string_equal(err.key, "cache.config_bytes");
	assert_null(load("[cache]\nconfig_bytes = 2147483647\n", &err));
	assert_string_equal(err.key, "cache.config_bytes");
	setenv("PANGOLIN_CONFIG_CACHE_BYTES", "131072", 1);
	assert_non_null(c = load("[cache]\nconfig_bytes = 1048576\n", &err));
	assert_int_equal(c->cache_config_bytes, 131072);
	pgl_config_free(c);
	setenv("PANGOLIN_CONFIG_CACHE_BYTES", "0", 1);
	assert_null(load(NULL, &err));
	assert_string_equal(err.key, "PANGOLIN_CONFIG_CACHE_BYTES");
	unsetenv("PANGOLIN_CONFIG_CACHE_BYTES");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_defaults_without_a_file, setup),
		cmocka_unit_test_setup(test_file_sections_and_plugin_options,
		    setup),
		cmocka_unit_test_setup(test_unknown_key_reports_file_line_and_key,
		    setup),
		cmocka_unit_test_setup(test_wrong_type_and_range_are_errors,
		    setup),
		cmocka_unit_test_setup(test_env_overrides_file, setup),
		cmocka_unit_test_setup(test_database_url_scheme_selects_the_plugin,
		    setup),
		cmocka_unit_test_setup(test_storage_type_and_contradictions,
		    setup),
		cmocka_unit_test_setup(test_auth_numbers_defaults_file_env_range,
		    setup),
		cmocka_unit_test_setup(test_bad_env_number_names_the_variable,
		    setup),
		cmocka_unit_test_setup(test_no_auth_requires_loopback, setup),
		cmocka_unit_test_setup(test_auth_on_requires_a_strong_jwt_secret,
		    setup),
		cmocka_unit_test_setup(test_no_auth_makes_a_random_jwt_secret,
		    setup),
		cmocka_unit_test_setup(
		    test_metrics_token_unset_by_default_and_refused_when_short,
		    setup),
		cmocka_unit_test_setup(test_weak_or_half_root_credentials_are_refused,
		    setup),
		cmocka_unit_test_setup(test_connection_limits_defaults_file_and_env,
		    setup),
		cmocka_unit_test_setup(test_commit_workers_default_file_env_range,
		    setup),
		cmocka_unit_test_setup(
		    test_head_pool_and_metadata_file_limits_defaults_file_env_range,
		    setup),
		cmocka_unit_test_setup(test_storage_lists_from_file_and_env, setup),
		cmocka_unit_test_setup(test_storage_lists_refuse_bad_elements,
		    setup),
		cmocka_unit_test_setup(test_operator_only_storage_settings,
		    setup),
		cmocka_unit_test_setup(
		    test_events_retention_and_tenant_limit_defaults_file_env_range,
		    setup),
		cmocka_unit_test_setup(test_quota_defaults_file_env_range,
		    setup),
		cmocka_unit_test_setup(
		    test_storage_ca_file_from_file_and_env_and_checked, setup),
		cmocka_unit_test_setup(test_locations_in_namespace_default_file_env,
		    setup),
		cmocka_unit_test_setup(test_oidc_providers_from_the_file, setup),
		cmocka_unit_test_setup(
		    test_oidc_env_makes_or_overrides_one_provider, setup),
		cmocka_unit_test_setup(test_oidc_bad_providers_are_refused,
		    setup),
		cmocka_unit_test_setup(
		    test_scan_purge_every_default_file_env_range, setup),
		cmocka_unit_test_setup(test_labels_business_keys_default_file_env,
		    setup),
		cmocka_unit_test_setup(
		    test_config_cache_bytes_default_file_env_range, setup),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
