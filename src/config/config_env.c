/*
 * The environment over the file (config.c's order of precedence), so a
 * container or systemd unit can override one value without editing the
 * file: PANGOLIN_* for the server's own keys, DATABASE_URL and
 * PANGOLIN_STORAGE_TYPE for the store, the numeric variables that become
 * a plugin's options, PANGOLIN_OIDC_* (config_oidc.c).  An error names
 * the variable.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "config/config.h"
#include "config/config_oidc.h"
#include "config/config_parts.h"
#include "util/seal.h"
static int
env_bool(const char *v)
{
	return (strcasecmp(v, "true") == 0 || strcmp(v, "1") == 0 ||
	    strcasecmp(v, "yes") == 0 || strcasecmp(v, "on") == 0);
}

static int
env_int(const char *name, int64_t min, int64_t max, int64_t *out,
    struct pgl_config_error *err)
{
	const char	*v = getenv(name);
	char		*end;
	long long	 n;

	if (v == NULL || *v == '\0')
		return (0);
	errno = 0;
	n = strtoll(v, &end, 10);
	if (errno != 0 || *end != '\0' || end == v || n < min || n > max) {
		pgl_config_seterr(err, 0, name,
		    "must be an integer between %lld and %lld",
		    (long long)min, (long long)max);
		return (-1);
	}
	*out = n;
	return (1);
}

/* An environment list: elements split on sep, empty ones skipped. */
static int
env_list(const char *name, char sep, struct pgl_strlist *l,
    struct pgl_config_error *err)
{
	const char	*v = getenv(name), *p, *end;

	if (v == NULL || *v == '\0')
		return (0);
	pgl_config_list_clear(l);
	for (p = v; *p != '\0'; p = *end != '\0' ? end + 1 : end) {
		if ((end = strchr(p, sep)) == NULL)
			end = p + strlen(p);
		if (end == p)
			continue;
		if (pgl_config_list_add(l, p, (size_t)(end - p)) == -1) {
			pgl_config_seterr(err, 0, name, "more than %d elements",
			    PGL_MAX_LIST);
			return (-1);
		}
	}
	return (0);
}

/* Map a storage type name to its plugin; NULL if unknown. */
static const char *
storage_plugin(const char *type)
{
	if (strcasecmp(type, "memory") == 0)
		return ("store-memory");
	if (strcasecmp(type, "sqlite") == 0)
		return ("store-sqlite");
	if (strcasecmp(type, "postgres") == 0 ||
	    strcasecmp(type, "postgresql") == 0)
		return ("store-postgres");
	if (strcasecmp(type, "mongo") == 0 || strcasecmp(type, "mongodb") == 0)
		return ("store-mongo");
	return (NULL);
}

/*
 * DATABASE_URL picks the plugin by scheme, as upstream does:
 * sqlite://path or *.db -> SQLite, postgres*:// -> PostgreSQL,
 * mongodb*:// -> MongoDB.  The SQLite path becomes the `path` option;
 * the others keep the whole URL as `url`.
 */
static int
apply_database_url(struct pgl_config *c, const char *url,
    struct pgl_config_error *err)
{
	const char	*plugin;
	size_t		 n = strlen(url);

	pgl_config_opts_clear(&c->store);
	if (strncmp(url, "sqlite://", 9) == 0 ||
	    (n > 3 && strcmp(url + n - 3, ".db") == 0)) {
		plugin = "store-sqlite";
		if (strncmp(url, "sqlite://", 9) == 0)
			url += 9;
		(void)pgl_config_opt_set(&c->store, "path", url);
	} else if (strncmp(url, "postgres://", 11) == 0 ||
	    strncmp(url, "postgresql://", 13) == 0) {
		plugin = "store-postgres";
		(void)pgl_config_opt_set(&c->store, "url", url);
	} else if (strncmp(url, "mongodb://", 10) == 0 ||
	    strncmp(url, "mongodb+srv://", 14) == 0) {
		plugin = "store-mongo";
		(void)pgl_config_opt_set(&c->store, "url", url);
	} else {
		pgl_config_seterr(err, 0, "DATABASE_URL",
		    "unsupported scheme (expected sqlite://, postgresql:// or "
		    "mongodb://)");
		return (-1);
	}
	pgl_config_setstr(&c->store.plugin, plugin);
	return (0);
}

static int
apply_store_env(struct pgl_config *c, struct pgl_config_error *err)
{
	const char	*type = getenv("PANGOLIN_STORAGE_TYPE");
	const char	*url = getenv("DATABASE_URL");
	const char	*want = NULL;

	if (type != NULL && *type != '\0' &&
	    (want = storage_plugin(type)) == NULL) {
		pgl_config_seterr(err, 0, "PANGOLIN_STORAGE_TYPE",
		    "unknown storage type '%s' (memory, sqlite, postgres, "
		    "mongodb)", type);
		return (-1);
	}
	if (url != NULL && *url != '\0') {
		if (apply_database_url(c, url, err) == -1)
			return (-1);
		if (want != NULL && strcmp(want, c->store.plugin) != 0) {
			pgl_config_seterr(err, 0, "PANGOLIN_STORAGE_TYPE",
			    "'%s' contradicts the scheme of DATABASE_URL",
			    type);
			return (-1);
		}
	} else if (want != NULL && strcmp(want, c->store.plugin) != 0) {
		pgl_config_setstr(&c->store.plugin, want);
		pgl_config_opts_clear(&c->store);
	}
	return (0);
}

/* Numeric env vars that become plugin options for the matching plugin. */
struct env_opt {
	const char	*env;
	const char	*plugin;	/* NULL: the cache plugin */
	const char	*opt;
	int64_t		 min, max;
};

static const struct env_opt env_opts[] = {
	{ "DATABASE_MAX_CONNECTIONS", "store-postgres", "max_connections",
	    1, 10000 },
	{ "DATABASE_MIN_CONNECTIONS", "store-postgres", "min_connections",
	    0, 10000 },
	{ "DATABASE_CONNECT_TIMEOUT", "store-postgres", "connect_timeout",
	    1, 3600 },
	{ "MONGO_MAX_POOL_SIZE", "store-mongo", "max_pool_size", 1, 10000 },
	{ "MONGO_MIN_POOL_SIZE", "store-mongo", "min_pool_size", 0, 10000 },
	{ "METADATA_CACHE_TTL_SECONDS", NULL, "ttl_secs", 1, 86400 * 7 },
	{ "METADATA_CACHE_MAX_ENTRIES", NULL, "max_entries", 1, 100000000 },
};

static int
apply_env_opts(struct pgl_config *c, struct pgl_config_error *err)
{
	const struct env_opt	*e;
	struct pgl_plugin_conf	*p;
	char			 buf[32];
	int64_t			 v;
	size_t			 i;
	int			 rc;

	for (i = 0; i < sizeof(env_opts) / sizeof(env_opts[0]); i++) {
		e = &env_opts[i];
		if ((rc = env_int(e->env, e->min, e->max, &v, err)) <= 0) {
			if (rc == -1)
				return (-1);
			continue;
		}
		p = e->plugin == NULL ? &c->cache : &c->store;
		/* Only meaningful for that backend; validated regardless. */
		if (e->plugin != NULL && strcmp(e->plugin, c->store.plugin) != 0)
			continue;
		(void)snprintf(buf, sizeof(buf), "%lld", (long long)v);
		if (pgl_config_opt_set(p, e->opt, buf) == -1) {
			pgl_config_seterr(err, 0, e->env,
			    "too many plugin options");
			return (-1);
		}
	}
	return (0);
}

/* An integer setting read from the environment within [min, max]. */
struct env_int_setting {
	const char	*env;
	int		*dst;
	int64_t		 min, max;
};

/* Each of the n settings that is set is checked and stored; -1 at the
 * first bad one. */
static int
apply_int_settings(const struct env_int_setting *e, size_t n,
    struct pgl_config_error *err)
{
	int64_t	v;
	size_t	i;
	int	rc;

	for (i = 0; i < n; i++) {
		if ((rc = env_int(e[i].env, e[i].min, e[i].max, &v, err)) ==
		    -1)
			return (-1);
		if (rc == 1)
			*e[i].dst = (int)v;
	}
	return (0);
}

/* [server]'s integer settings: timeouts, connections, rates, pages. */
static int
apply_server_ints(struct pgl_config *c, struct pgl_config_error *err)
{
	const struct env_int_setting	e[] = {
		{ "PANGOLIN_MAX_PROPERTIES_BYTES",
		    &c->server.max_properties_bytes, 1024, 1LL << 30 },
		{ "PANGOLIN_MAX_PROPERTIES_ENTRIES",
		    &c->server.max_properties_entries, 1, 1000000 },
		{ "PANGOLIN_REQUEST_TIMEOUT_SECS",
		    &c->server.request_timeout_secs, 1, 3600 },
		{ "PANGOLIN_SHUTDOWN_GRACE_SECS",
		    &c->server.shutdown_grace_secs, 0, 3600 },
		{ "PANGOLIN_HEADER_TIMEOUT_SECS",
		    &c->server.header_timeout_secs, 1, 3600 },
		{ "PANGOLIN_KEEPALIVE_TIMEOUT_SECS",
		    &c->server.keepalive_timeout_secs, 1, 3600 },
		{ "PANGOLIN_MAX_CONNECTIONS",
		    &c->server.max_connections, 0, 1 << 20 },
		{ "PANGOLIN_MAX_CONNS_PER_ADDR",
		    &c->server.max_conns_per_addr, 0, 1 << 20 },
		{ "PANGOLIN_COMMIT_WORKERS", &c->server.commit_workers, 0, 64 },
		{ "PANGOLIN_RATE_PER_PRINCIPAL",
		    &c->server.rate_per_principal, 0, 1 << 24 },
		{ "PANGOLIN_RATE_PER_TENANT",
		    &c->server.rate_per_tenant, 0, 1 << 24 },
		{ "PANGOLIN_RATE_WINDOW_SECS",
		    &c->server.rate_window_secs, 1, 3600 },
		{ "PANGOLIN_MAX_PAGE_BYTES",
		    &c->server.max_page_bytes, 1024, 1 << 30 },
		{ "PANGOLIN_LIST_SLICE_ROWS",
		    &c->server.list_slice_rows, 1, 1000000 },
		{ "PANGOLIN_LIST_MAX_SLICES",
		    &c->server.list_max_slices, 1, 1000000 },
		{ "PANGOLIN_SEND_TIMEOUT_SECS",
		    &c->server.send_timeout_secs, 1, 3600 },
		{ "PANGOLIN_MAX_QUEUED_BYTES",
		    &c->server.max_queued_bytes, 0, 1 << 30 },
		{ "PANGOLIN_MAX_HEADER_BYTES",
		    &c->server.max_header_bytes, 1024, 65535 },
	};
	return (apply_int_settings(e, sizeof(e) / sizeof(e[0]), err));
}

/* PANGOLIN_FEDERATION_*: calls to federated catalogs' remotes. */
static int
apply_federation_env(struct pgl_config *c, struct pgl_config_error *err)
{
	const struct env_int_setting	e[] = {
		{ "PANGOLIN_FEDERATION_CONNECT_TIMEOUT_MS",
		    &c->federation.connect_timeout_ms, 100, 600000 },
		{ "PANGOLIN_FEDERATION_TIMEOUT_MS", &c->federation.timeout_ms,
		    100, 3600000 },
		{ "PANGOLIN_FEDERATION_MAX_RESPONSE_BYTES",
		    &c->federation.max_response_bytes, 1024, 1 << 30 },
		{ "PANGOLIN_FEDERATION_CONFIG_TTL_SECS",
		    &c->federation.config_ttl_secs, 0, 86400 },
		{ "PANGOLIN_FEDERATION_MAX_INFLIGHT_PER_REMOTE",
		    &c->federation.max_inflight_per_remote, 1, 1024 },
		{ "PANGOLIN_FEDERATION_MAX_QUEUED_PER_REMOTE",
		    &c->federation.max_queued_per_remote, 0, 100000 },
		{ "PANGOLIN_FEDERATION_MAX_INFLIGHT_PER_TENANT",
		    &c->federation.max_inflight_per_tenant, 0, 256 },
		{ "PANGOLIN_FEDERATION_MAX_REMOTES_PER_TENANT",
		    &c->federation.max_remotes_per_tenant, 1, 1024 },
		{ "PANGOLIN_FEDERATION_BREAKER_FAILURES",
		    &c->federation.breaker_failures, 0, 1000000 },
		{ "PANGOLIN_FEDERATION_BREAKER_COOLDOWN_SECS",
		    &c->federation.breaker_cooldown_secs, 1, 86400 },
	};
	return (apply_int_settings(e, sizeof(e) / sizeof(e[0]), err));
}

/* PANGOLIN_SCAN_*: server-side scan planning ([scan]). */
static int
apply_scan_env(struct pgl_config *c, struct pgl_config_error *err)
{
	const struct env_int_setting	e[] = {
		{ "PANGOLIN_SCAN_SYNC_MAX_MANIFESTS",
		    &c->scan.sync_max_manifests, 0, 100000 },
		{ "PANGOLIN_SCAN_TASKS_PER_PART", &c->scan.tasks_per_part,
		    1, 100000 },
		{ "PANGOLIN_SCAN_TTL_SECS", &c->scan.ttl_secs, 1, 604800 },
		{ "PANGOLIN_SCAN_UNFETCHED_TTL_SECS",
		    &c->scan.unfetched_ttl_secs, 1, 604800 },
		{ "PANGOLIN_SCAN_PURGE_EVERY_SECS",
		    &c->scan.purge_every_secs, 1, 3600 },
		{ "PANGOLIN_SCAN_MAX_DELETE_FILES", &c->scan.max_delete_files,
		    0, 10000000 },
		{ "PANGOLIN_SCAN_SYNC_WAIT_MS", &c->scan.sync_wait_ms,
		    0, 600000 },
		{ "PANGOLIN_SCAN_THREADS", &c->scan.threads, 1, 64 },
		{ "PANGOLIN_SCAN_MAX_RUNNING_PER_TENANT",
		    &c->scan.max_running_per_tenant, 1, 64 },
		{ "PANGOLIN_SCAN_MAX_WAITING_PER_TENANT",
		    &c->scan.max_waiting_per_tenant, 0, 10000 },
		{ "PANGOLIN_SCAN_MAX_PLAN_BYTES", &c->scan.max_plan_bytes,
		    1 << 20, 1 << 30 },
		{ "PANGOLIN_SCAN_MAX_PLANS_PER_TENANT",
		    &c->scan.max_plans_per_tenant, 0, 1000000 },
		{ "PANGOLIN_SCAN_MAX_BYTES_PER_TENANT",
		    &c->scan.max_bytes_per_tenant, 0, 2147483647 },
	};
	return (apply_int_settings(e, sizeof(e) / sizeof(e[0]), err));
}

/*
 * PANGOLIN_S3_*: the object-store call limits ([storage] s3_*), and the
 * write pool and metadata file ceilings of [storage].
 */
static int
apply_storage_env(struct pgl_config *c, struct pgl_config_error *err)
{
	const struct env_int_setting	e[] = {
		{ "PANGOLIN_S3_CONNECT_TIMEOUT_MS",
		    &c->storage.s3_connect_timeout_ms, 100, 600000 },
		{ "PANGOLIN_S3_TIMEOUT_MS", &c->storage.s3_timeout_ms,
		    100, 3600000 },
		{ "PANGOLIN_S3_BREAKER_FAILURES",
		    &c->storage.s3_breaker_failures, 0, 1000000 },
		{ "PANGOLIN_S3_BREAKER_COOLDOWN_SECS",
		    &c->storage.s3_breaker_cooldown_secs, 1, 86400 },
		{ "PANGOLIN_S3_MAX_INFLIGHT_PER_ENDPOINT",
		    &c->storage.s3_max_inflight_per_endpoint, 0, 1024 },
		{ "PANGOLIN_S3_MAX_QUEUED_PER_ENDPOINT",
		    &c->storage.s3_max_queued_per_endpoint, 0, 100000 },
		{ "PANGOLIN_WRITE_POOL_THREADS",
		    &c->storage.write_pool_threads, 1, 256 },
		{ "PANGOLIN_COMMIT_THREADS",
		    &c->storage.commit_threads, 0, 64 },
		{ "PANGOLIN_MAX_METADATA_FILE_BYTES",
		    &c->storage.max_metadata_file_bytes, 64 * 1024, 1 << 30 },
		{ "PANGOLIN_PRESIGN_EXPIRY_SECS",
		    &c->storage.presign_expiry_secs, 1, 604800 },
		{ "PANGOLIN_STS_CACHE_ENTRIES",
		    &c->storage.sts_cache_entries, 0, 1000000 },
		{ "PANGOLIN_STS_POLICY_MAX_BYTES",
		    &c->storage.sts_policy_max_bytes, 256, 2048 },
	};
	return (apply_int_settings(e, sizeof(e) / sizeof(e[0]), err));
}

/* [auth]'s numbers. */
static int
apply_auth_ints(struct pgl_config *c, struct pgl_config_error *err)
{
	const struct env_int_setting	e[] = {
		{ "PANGOLIN_SESSION_TTL_SECS", &c->auth.session_ttl_secs,
		    60, 86400 * 365 },
		{ "PANGOLIN_TOKEN_CACHE_ENTRIES", &c->auth.token_cache_entries,
		    0, 1000000 },
		{ "PANGOLIN_CONFIG_CACHE_BYTES", &c->cache_config_bytes,
		    65536, 1 << 30 },
		{ "PANGOLIN_AUTH_RATE_LIMIT", &c->auth.rate_limit, 0, 1000000 },
		{ "PANGOLIN_AUTH_RATE_WINDOW_SECS", &c->auth.rate_window_secs,
		    1, 86400 },
		{ "PANGOLIN_AUTH_PASSWORD_JOBS", &c->auth.password_jobs,
		    1, 4096 },
	};
	return (apply_int_settings(e, sizeof(e) / sizeof(e[0]), err));
}

int
pgl_config_env_apply(struct pgl_config *c, struct pgl_config_error *err)
{
	const char	*v, *why;
	int64_t		 n;
	int		 rc;

	if ((v = getenv("PANGOLIN_BIND_ADDRESS")) != NULL && *v != '\0')
		pgl_config_setstr(&c->server.bind, v);
	if ((rc = env_int("PORT", 1, 65535, &n, err)) == -1)
		return (-1);
	if (rc == 1)
		c->server.port = (int)n;
	if ((v = getenv("PANGOLIN_NO_AUTH")) != NULL && *v != '\0')
		c->auth.no_auth = env_bool(v);
	if ((v = getenv("PANGOLIN_ROOT_USER")) != NULL && *v != '\0')
		pgl_config_setstr(&c->auth.root_user, v);
	if ((v = getenv("PANGOLIN_ROOT_PASSWORD")) != NULL && *v != '\0')
		pgl_config_setstr(&c->auth.root_password, v);
	if ((v = getenv("PANGOLIN_JWT_SECRET")) != NULL && *v != '\0')
		pgl_config_setstr(&c->auth.jwt_secret, v);
	if ((v = getenv("PANGOLIN_METRICS_TOKEN")) != NULL && *v != '\0')
		pgl_config_setstr(&c->metrics.token, v);
	if (apply_auth_ints(c, err) == -1)
		return (-1);
	if ((v = getenv("PANGOLIN_TRUST_FORWARDED_FOR")) != NULL && *v != '\0')
		c->auth.trust_forwarded_for = env_bool(v);
	if ((v = getenv("PANGOLIN_ROOT_BASIC")) != NULL && *v != '\0')
		c->auth.root_basic = env_bool(v);
	if ((v = getenv("PANGOLIN_START_WITH_UNREADABLE_SECRETS")) != NULL &&
	    *v != '\0')
		c->auth.start_with_unreadable_secrets = env_bool(v);
	if ((v = getenv("PANGOLIN_ENCRYPTION_KEY")) != NULL && *v != '\0') {
		if ((why = pgl_seal_key_parse(v, c->auth.encryption_key)) !=
		    NULL) {
			pgl_config_seterr(err, 0, "PANGOLIN_ENCRYPTION_KEY",
			    "%s", why);
			return (-1);
		}
		c->auth.has_encryption_key = 1;
	}
	if ((v = getenv("PANGOLIN_CORS_ALLOWED_ORIGINS")) != NULL && *v != '\0')
		pgl_config_setstr(&c->server.cors_origins, v);
	if ((rc = env_int("PANGOLIN_MAX_BODY_BYTES", 1024, 1LL << 30, &n,
	    err)) == -1)
		return (-1);
	if (rc == 1)
		c->server.max_body_bytes = (size_t)n;
	if ((rc = env_int("PANGOLIN_MAX_MANAGEMENT_BODY_BYTES", 1024,
	    1LL << 30, &n, err)) == -1)
		return (-1);
	if (rc == 1)
		c->server.max_management_body_bytes = (size_t)n;
	if ((rc = env_int("PANGOLIN_MAX_METRICS_BODY_BYTES", 1024, 1LL << 30,
	    &n, err)) == -1)
		return (-1);
	if (rc == 1)
		c->server.max_metrics_body_bytes = (size_t)n;
	if (apply_server_ints(c, err) == -1)
		return (-1);
	if ((v = getenv("OBJECT_STORE_CACHE_ENABLED")) != NULL && *v != '\0')
		c->defaults.object_store_cache = env_bool(v);
	if ((v = getenv("TASK_WORKER_ENABLED")) != NULL && *v != '\0')
		c->tasks.enabled = env_bool(v);
	if ((rc = env_int("TASK_WORKER_CONCURRENCY", 1, 64, &n, err)) == -1)
		return (-1);
	if (rc == 1)
		c->tasks.concurrency = (int)n;
	if ((rc = env_int("TASK_WORKER_POLL_INTERVAL_MS", 10, 3600000, &n,
	    err)) == -1)
		return (-1);
	if (rc == 1)
		c->tasks.poll_interval_ms = (int)n;
	if ((rc = env_int("TASK_WORKER_LEASE_MS", 1000, 3600000, &n,
	    err)) == -1)
		return (-1);
	if (rc == 1)
		c->tasks.lease_ms = (int)n;
	if ((rc = env_int("PANGOLIN_MAX_TASKS_PER_TENANT", 0, 1000000, &n,
	    err)) == -1)
		return (-1);
	if (rc == 1)
		c->tasks.max_per_tenant = (int)n;
	if ((rc = env_int("PANGOLIN_AUDIT_RETENTION_DAYS", 0, 36500, &n,
	    err)) == -1)
		return (-1);
	if (rc == 1)
		c->audit.retention_days = (int)n;
	if ((rc = env_int("PANGOLIN_EVENTS_RETENTION_SECS", 0, 315360000,
	    &n, err)) == -1)
		return (-1);
	if (rc == 1)
		c->events.retention_secs = (int)n;
	if ((rc = env_int("PANGOLIN_EVENTS_MAX_PER_TENANT", 0, 1000000000,
	    &n, err)) == -1)
		return (-1);
	if (rc == 1)
		c->events.max_per_tenant = (int)n;
	if ((rc = env_int("PANGOLIN_EVENT_MAX_BYTES", 1024, 16 * 1024 * 1024,
	    &n, err)) == -1)
		return (-1);
	if (rc == 1)
		c->events.max_event_bytes = (int)n;
	if ((v = getenv("PANGOLIN_EVENTS_NATS_URL")) != NULL && *v != '\0')
		pgl_config_setstr(&c->events.nats_url, v);
	if ((rc = env_int("PANGOLIN_WEBHOOK_PAUSE_AFTER_SECS", 1, 31536000,
	    &n, err)) == -1)
		return (-1);
	if (rc == 1)
		c->events.webhook_pause_after_secs = (int)n;
	if ((rc = env_int("PANGOLIN_WEBHOOKS_MAX_PER_TENANT", 0, 10000,
	    &n, err)) == -1)
		return (-1);
	if (rc == 1)
		c->events.webhooks_max_per_tenant = (int)n;
	if ((rc = env_int("PANGOLIN_WEBHOOK_TIMEOUT_MS", 100, 120000,
	    &n, err)) == -1)
		return (-1);
	if (rc == 1)
		c->events.webhook_timeout_ms = (int)n;
	if ((rc = env_int("PANGOLIN_WEBHOOK_THREADS", 1, 64, &n, err)) == -1)
		return (-1);
	if (rc == 1)
		c->events.delivery_threads = (int)n;
	if ((rc = env_int("PANGOLIN_WEBHOOK_MAX_INFLIGHT_PER_TENANT", 1, 64,
	    &n, err)) == -1)
		return (-1);
	if (rc == 1)
		c->events.webhook_inflight_per_tenant = (int)n;
	if ((rc = env_int("PANGOLIN_AUDIT_ANON_FAILURES_PER_MIN", 0, 1000000,
	    &n, err)) == -1)
		return (-1);
	if (rc == 1)
		c->audit.anonymous_failures_per_min = (int)n;
	if ((rc = env_int("PANGOLIN_MERGE_INLINE_MAX_ASSETS", 0, 100000000,
	    &n, err)) == -1)
		return (-1);
	if (rc == 1)
		c->merge.inline_max_assets = (int)n;
	if ((rc = env_int("PANGOLIN_BRANCH_INLINE_MAX_ASSETS", 0, 100000000,
	    &n, err)) == -1)
		return (-1);
	if (rc == 1)
		c->branch.inline_max_assets = (int)n;
	if ((rc = env_int("PANGOLIN_POLICIES_MAX_PER_TENANT", 0, 100000,
	    &n, err)) == -1)
		return (-1);
	if (rc == 1)
		c->policies.max_per_tenant = (int)n;
	if ((rc = env_int("PANGOLIN_UNDROP_RETENTION_DAYS", 0, 36500, &n,
	    err)) == -1)
		return (-1);
	if (rc == 1)
		c->undrop.retention_days = (int)n;
	if ((rc = env_int("PANGOLIN_UNDROP_MAX_PER_TENANT", 0, 1000000, &n,
	    err)) == -1)
		return (-1);
	if (rc == 1)
		c->undrop.max_per_tenant = (int)n;
	if (env_list("PANGOLIN_LOCAL_ROOTS", ':', &c->storage.local_roots,
	    err) == -1 || env_list("PANGOLIN_ALLOWED_ENDPOINTS", ',',
	    &c->storage.allowed_endpoints, err) == -1 ||
	    env_list("PANGOLIN_AZURE_CONTAINER_SAS", ',',
	    &c->storage.azure_container_sas, err) == -1 ||
	    env_list("PANGOLIN_STATIC_KEY_BUCKETS", ',',
	    &c->storage.static_key_buckets, err) == -1 ||
	    env_list("PANGOLIN_LABELS_BUSINESS_KEYS", ',',
	    &c->labels.business_keys, err) == -1)
		return (-1);
	if ((v = getenv("PANGOLIN_AZURE_CREATE_CONTAINERS")) != NULL &&
	    *v != '\0')
		c->storage.azure_create_containers = env_bool(v);
	if ((v = getenv("PANGOLIN_STORAGE_CA_FILE")) != NULL && *v != '\0')
		pgl_config_setstr(&c->storage.ca_file, v);
	if ((v = getenv("PANGOLIN_LOCATIONS_IN_NAMESPACE")) != NULL &&
	    *v != '\0')
		c->storage.locations_in_namespace = env_bool(v);
	if (apply_storage_env(c, err) == -1 ||
	    apply_federation_env(c, err) == -1 ||
	    apply_scan_env(c, err) == -1 ||
	    pgl_config_quota_env(c, err) == -1)
		return (-1);
	if ((v = getenv("PANGOLIN_PUBLIC_URL")) != NULL && *v != '\0')
		pgl_config_setstr(&c->auth.public_url, v);
	if (apply_store_env(c, err) == -1 ||
	    pgl_config_oidc_env(c->auth.oidc, &c->auth.noidc, err) == -1)
		return (-1);
	return (apply_env_opts(c, err));
}
