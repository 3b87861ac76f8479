/*
 * pangolin.toml -> struct pgl_config.
 *
 * Order of precedence: built-in defaults, then the file, then the
 * environment (so a container or systemd unit can override one value
 * without editing the file).  Every key the file may contain is listed in
 * one table below; an unknown key is an error, because a typo in a
 * security setting must not silently fall back to a default.
 *
 * Over 600 lines as one file: the key table, the defaults and the
 * environment overrides are one table read top to bottom.
 */
#include <stddef.h>
#include <strings.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config/config.h"
#include "config/config_oidc.h"
#include "config/toml.h"
#include "util/seal.h"

enum kind { K_STR, K_INT, K_BOOL, K_OPTS, K_LIST };

struct key {
	const char	*section;
	const char	*name;
	enum kind	kind;
	size_t		off;		/* offset into struct pgl_config */
	int64_t		min, max;	/* K_INT bounds */
};

#define O(f)	offsetof(struct pgl_config, f)

static const struct key keys[] = {
	{ "server", "bind",		K_STR,  O(server.bind), 0, 0 },
	{ "server", "public_url",	K_STR,  O(auth.public_url), 0, 0 },
	{ "server", "port",		K_INT,  O(server.port), 1, 65535 },
	{ "server", "workers",		K_INT,  O(server.workers), 0, 64 },
	{ "server", "max_body_bytes",	K_INT,  O(server.max_body_bytes),
	    1024, 1024LL * 1024 * 1024 },
	{ "server", "max_management_body_bytes", K_INT,
	    O(server.max_management_body_bytes), 1024, 1024LL * 1024 * 1024 },
	{ "server", "max_metrics_body_bytes", K_INT,
	    O(server.max_metrics_body_bytes), 1024, 1024LL * 1024 * 1024 },
	{ "server", "max_properties_bytes", K_INT,
	    O(server.max_properties_bytes), 1024, 1 << 30 },
	{ "server", "max_properties_entries", K_INT,
	    O(server.max_properties_entries), 1, 1000000 },
	{ "server", "request_timeout_secs", K_INT,
	    O(server.request_timeout_secs), 1, 3600 },
	{ "server", "shutdown_grace_secs", K_INT,
	    O(server.shutdown_grace_secs), 0, 3600 },
	{ "server", "header_timeout_secs", K_INT,
	    O(server.header_timeout_secs), 1, 3600 },
	{ "server", "keepalive_timeout_secs", K_INT,
	    O(server.keepalive_timeout_secs), 1, 3600 },
	{ "server", "max_connections", K_INT,
	    O(server.max_connections), 0, 1 << 20 },
	{ "server", "max_conns_per_addr", K_INT,
	    O(server.max_conns_per_addr), 0, 1 << 20 },
	{ "server", "rate_per_principal", K_INT,
	    O(server.rate_per_principal), 0, 1 << 24 },
	{ "server", "rate_per_tenant", K_INT,
	    O(server.rate_per_tenant), 0, 1 << 24 },
	{ "server", "rate_window_secs", K_INT,
	    O(server.rate_window_secs), 1, 3600 },
	{ "server", "max_page_bytes", K_INT,
	    O(server.max_page_bytes), 1024, 1 << 30 },
	{ "server", "list_slice_rows", K_INT,
	    O(server.list_slice_rows), 1, 1000000 },
	{ "server", "send_timeout_secs", K_INT,
	    O(server.send_timeout_secs), 1, 3600 },
	{ "server", "max_queued_bytes", K_INT,
	    O(server.max_queued_bytes), 0, 1 << 30 },
	{ "server", "max_header_bytes", K_INT,
	    O(server.max_header_bytes), 1024, 65535 },
	{ "server", "cors_allowed_origins", K_STR, O(server.cors_origins), 0, 0 },
	{ "server", "pid_file",		K_STR,  O(server.pid_file), 0, 0 },
	{ "store",  "plugin",		K_STR,  O(store.plugin), 0, 0 },
	{ "store",  "options",		K_OPTS, O(store), 0, 0 },
	{ "cache",  "plugin",		K_STR,  O(cache.plugin), 0, 0 },
	{ "cache",  "options",		K_OPTS, O(cache), 0, 0 },
	{ "cache",  "l2",		K_STR,  O(cache_l2.plugin), 0, 0 },
	{ "cache",  "l2_options",	K_OPTS, O(cache_l2), 0, 0 },
	{ "auth",   "no_auth",		K_BOOL, O(auth.no_auth), 0, 0 },
	{ "auth",   "root_user",	K_STR,  O(auth.root_user), 0, 0 },
	{ "auth",   "root_password",	K_STR,  O(auth.root_password), 0, 0 },
	{ "auth",   "jwt_secret",	K_STR,  O(auth.jwt_secret), 0, 0 },
	{ "auth",   "session_ttl_secs", K_INT, O(auth.session_ttl_secs),
	    60, 86400 * 365 },
	{ "auth",   "token_cache_entries", K_INT,
	    O(auth.token_cache_entries), 0, 1000000 },
	{ "auth",   "rate_limit",	K_INT,  O(auth.rate_limit), 0, 1000000 },
	{ "auth",   "rate_window_secs", K_INT, O(auth.rate_window_secs),
	    1, 86400 },
	{ "auth",   "trust_forwarded_for", K_BOOL,
	    O(auth.trust_forwarded_for), 0, 0 },
	{ "auth",   "root_basic",	K_BOOL, O(auth.root_basic), 0, 0 },
	{ "storage", "local_roots",	K_LIST, O(storage.local_roots), 0, 0 },
	{ "storage", "allowed_endpoints", K_LIST,
	    O(storage.allowed_endpoints), 0, 0 },
	{ "storage", "s3_connect_timeout_ms", K_INT,
	    O(storage.s3_connect_timeout_ms), 100, 600000 },
	{ "storage", "s3_timeout_ms", K_INT, O(storage.s3_timeout_ms),
	    100, 3600000 },
	{ "storage", "s3_breaker_failures", K_INT,
	    O(storage.s3_breaker_failures), 0, 1000000 },
	{ "storage", "s3_breaker_cooldown_secs", K_INT,
	    O(storage.s3_breaker_cooldown_secs), 1, 86400 },
	{ "storage", "s3_max_inflight_per_endpoint", K_INT,
	    O(storage.s3_max_inflight_per_endpoint), 0, 1024 },
	{ "storage", "s3_max_queued_per_endpoint", K_INT,
	    O(storage.s3_max_queued_per_endpoint), 0, 100000 },
	{ "storage", "write_pool_threads", K_INT,
	    O(storage.write_pool_threads), 1, 256 },
	{ "storage", "max_metadata_file_bytes", K_INT,
	    O(storage.max_metadata_file_bytes), 64 * 1024, 1 << 30 },
	{ "storage", "presign_expiry_secs", K_INT,
	    O(storage.presign_expiry_secs), 1, 604800 },
	{ "storage", "sts_cache_entries", K_INT,
	    O(storage.sts_cache_entries), 0, 1000000 },
	{ "storage", "sts_policy_max_bytes", K_INT,
	    O(storage.sts_policy_max_bytes), 256, 2048 },
	{ "tasks",  "enabled",		K_BOOL, O(tasks.enabled), 0, 0 },
	{ "tasks",  "concurrency",	K_INT,  O(tasks.concurrency), 1, 64 },
	{ "tasks",  "poll_interval_ms",	K_INT,  O(tasks.poll_interval_ms),
	    10, 3600000 },
	{ "tasks",  "lease_ms",		K_INT,  O(tasks.lease_ms),
	    1000, 3600000 },
	{ "tasks",  "max_per_tenant",	K_INT,  O(tasks.max_per_tenant),
	    0, 1000000 },
	{ "audit",  "retention_days",	K_INT,  O(audit.retention_days),
	    0, 36500 },
	{ "audit",  "anonymous_failures_per_min", K_INT,
	    O(audit.anonymous_failures_per_min), 0, 1000000 },
	{ "merge",  "inline_max_assets", K_INT, O(merge.inline_max_assets),
	    0, 100000000 },
	{ "branch", "inline_max_assets", K_INT, O(branch.inline_max_assets),
	    0, 100000000 },
	{ "scan",   "sync_max_manifests", K_INT, O(scan.sync_max_manifests),
	    0, 100000 },
	{ "scan",   "tasks_per_part", K_INT, O(scan.tasks_per_part), 1, 100000 },
	{ "scan",   "ttl_secs",	K_INT,  O(scan.ttl_secs), 1, 604800 },
	{ "scan",   "max_delete_files", K_INT, O(scan.max_delete_files),
	    0, 10000000 },
	{ "federation", "connect_timeout_ms", K_INT,
	    O(federation.connect_timeout_ms), 100, 600000 },
	{ "federation", "timeout_ms", K_INT, O(federation.timeout_ms),
	    100, 3600000 },
	{ "federation", "max_response_bytes", K_INT,
	    O(federation.max_response_bytes), 1024, 1 << 30 },
	{ "federation", "config_ttl_secs", K_INT,
	    O(federation.config_ttl_secs), 0, 86400 },
	{ "federation", "max_inflight_per_remote", K_INT,
	    O(federation.max_inflight_per_remote), 1, 1024 },
	{ "federation", "max_queued_per_remote", K_INT,
	    O(federation.max_queued_per_remote), 0, 100000 },
	{ "federation", "breaker_failures", K_INT,
	    O(federation.breaker_failures), 0, 1000000 },
	{ "federation", "breaker_cooldown_secs", K_INT,
	    O(federation.breaker_cooldown_secs), 1, 86400 },
	{ "defaults", "object_store_cache", K_BOOL,
	    O(defaults.object_store_cache), 0, 0 },
	{ "defaults", "tenant_name",	K_STR,  O(defaults.tenant_name), 0, 0 },
	{ "defaults", "warehouse",	K_STR,  O(defaults.warehouse), 0, 0 },
	{ "defaults", "warehouse_root",	K_STR,  O(defaults.warehouse_root), 0, 0 },
	{ "defaults", "catalog",	K_STR,  O(defaults.catalog), 0, 0 },
};

static void
seterr(struct pgl_config_error *err, int line, const char *key,
    const char *fmt, ...)
{
	va_list		ap;

	err->line = line;
	(void)snprintf(err->key, sizeof(err->key), "%s", key ? key : "");
	va_start(ap, fmt);
	(void)vsnprintf(err->reason, sizeof(err->reason), fmt, ap);
	va_end(ap);
}

static char *
xstrdup(const char *s)
{
	char	*p;

	if ((p = strdup(s)) == NULL) {
		fprintf(stderr, "pangolin: out of memory\n");
		exit(2);
	}
	return (p);
}

static void
setstr(char **dst, const char *v)
{
	free(*dst);
	*dst = xstrdup(v);
}

static void
defaults(struct pgl_config *c)
{
	c->server.bind = xstrdup("0.0.0.0");
	c->server.port = 8080;
	c->server.workers = 0;
	c->server.max_body_bytes = 16 * 1024 * 1024;
	c->server.max_management_body_bytes = 1024 * 1024;
	c->server.max_metrics_body_bytes = 1024 * 1024;
	c->server.max_properties_bytes = 64 * 1024;
	c->server.max_properties_entries = 1000;
	c->server.request_timeout_secs = 30;
	c->server.shutdown_grace_secs = 25;
	c->server.header_timeout_secs = 10;
	c->server.keepalive_timeout_secs = 60;
	c->server.max_connections = 0;
	c->server.max_conns_per_addr = 0;
	c->server.rate_window_secs = 10;
	c->server.max_page_bytes = 1024 * 1024;
	c->server.list_slice_rows = 1000;
	c->server.send_timeout_secs = 30;
	c->server.max_queued_bytes = 256 * 1024;
	c->server.max_header_bytes = 8192;
	c->auth.session_ttl_secs = 86400;
	c->auth.token_cache_entries = 1024;
	c->auth.rate_limit = 10;
	c->auth.root_basic = 1;
	c->auth.rate_window_secs = 60;
	c->server.cors_origins = xstrdup("*");
	c->store.plugin = xstrdup("store-memory");
	c->cache.plugin = xstrdup("cache");
	c->tasks.enabled = 1;
	c->tasks.concurrency = 2;
	c->tasks.poll_interval_ms = 1000;
	c->tasks.lease_ms = 30000;
	c->tasks.max_per_tenant = 100;
	c->storage.s3_connect_timeout_ms = 3000;
	c->storage.s3_timeout_ms = 15000;
	c->storage.s3_breaker_failures = 5;
	c->storage.s3_breaker_cooldown_secs = 30;
	c->storage.s3_max_inflight_per_endpoint = 4;
	c->storage.s3_max_queued_per_endpoint = 64;
	c->storage.write_pool_threads = 16;
	c->storage.max_metadata_file_bytes = 64 * 1024 * 1024;
	c->federation.connect_timeout_ms = 3000;
	c->federation.timeout_ms = 20000;
	c->federation.max_response_bytes = 16 * 1024 * 1024;
	c->federation.config_ttl_secs = 300;
	c->federation.max_inflight_per_remote = 4;
	c->federation.max_queued_per_remote = 64;
	c->federation.breaker_failures = 5;
	c->federation.breaker_cooldown_secs = 30;
	c->storage.presign_expiry_secs = 300;
	c->storage.sts_cache_entries = 1024;
	/* Under AWS's 2,048: Ceph RGW 16.2 dies on an inline policy of
	 * about 1,700 bytes (docs/operator-guide.md). */
	c->storage.sts_policy_max_bytes = 1536;
	c->audit.retention_days = 90;
	c->audit.anonymous_failures_per_min = 60;
	c->merge.inline_max_assets = 500;
	c->branch.inline_max_assets = 1000;
	c->scan.sync_max_manifests = 16;
	c->scan.tasks_per_part = 1000;
	c->scan.ttl_secs = 3600;
	c->scan.max_delete_files = 100000;
	c->defaults.object_store_cache = 1;
	c->defaults.tenant_name = xstrdup("default");
}

static int
opt_set(struct pgl_plugin_conf *p, const char *key, const char *value)
{
	size_t	i;

	for (i = 0; i < p->nopts; i++) {
		if (strcmp(p->opts[i].key, key) == 0) {
			free((char *)p->opts[i].value);
			p->opts[i].value = xstrdup(value);
			return (0);
		}
	}
	if (p->nopts == PGL_MAX_OPTS)
		return (-1);
	p->opts[p->nopts].key = xstrdup(key);
	p->opts[p->nopts].value = xstrdup(value);
	p->nopts++;
	return (0);
}

static void
list_clear(struct pgl_strlist *l)
{
	size_t	i;

	for (i = 0; i < l->n; i++)
		free(l->v[i]);
	l->n = 0;
}

/* Appends one element; -1 when the list is full. */
static int
list_add(struct pgl_strlist *l, const char *s, size_t len)
{
	if (l->n == PGL_MAX_LIST)
		return (-1);
	if ((l->v[l->n] = strndup(s, len)) == NULL) {
		fprintf(stderr, "pangolin: out of memory\n");
		exit(2);
	}
	l->n++;
	return (0);
}

/* A TOML array of strings replaces whatever the list held. */
static int
load_list(struct pgl_strlist *l, const struct toml_value *v,
    const char *full, struct pgl_config_error *err)
{
	const char	*s;
	size_t		 i;

	if (toml_type(v) != TOML_ARRAY) {
		seterr(err, toml_line(v), full, "expected an array of "
		    "strings, got %s", toml_type_name(toml_type(v)));
		return (-1);
	}
	list_clear(l);
	for (i = 0; i < toml_count(v); i++) {
		if ((s = toml_str(toml_value_at(v, i))) == NULL || *s == '\0') {
			seterr(err, toml_line(v), full, "element %zu is not "
			    "a non-empty string", i + 1);
			return (-1);
		}
		if (list_add(l, s, strlen(s)) == -1) {
			seterr(err, toml_line(v), full, "more than %d "
			    "elements", PGL_MAX_LIST);
			return (-1);
		}
	}
	return (0);
}

/* An environment list: elements split on sep, empty ones skipped. */
static int
env_list(const char *name, char sep, struct pgl_strlist *l,
    struct pgl_config_error *err)
{
	const char	*v = getenv(name), *p, *end;

	if (v == NULL || *v == '\0')
		return (0);
	list_clear(l);
	for (p = v; *p != '\0'; p = *end != '\0' ? end + 1 : end) {
		if ((end = strchr(p, sep)) == NULL)
			end = p + strlen(p);
		if (end == p)
			continue;
		if (list_add(l, p, (size_t)(end - p)) == -1) {
			seterr(err, 0, name, "more than %d elements",
			    PGL_MAX_LIST);
			return (-1);
		}
	}
	return (0);
}

static void
opts_clear(struct pgl_plugin_conf *p)
{
	size_t	i;

	for (i = 0; i < p->nopts; i++) {
		free((char *)p->opts[i].key);
		free((char *)p->opts[i].value);
	}
	p->nopts = 0;
}

/* [store.options]: scalars only, handed to the plugin as strings. */
static int
load_opts(struct pgl_plugin_conf *p, const struct toml_value *t,
    const char *section, struct pgl_config_error *err)
{
	const struct toml_value	*v;
	const char		*k;
	char			 buf[32], full[128];
	int64_t			 i64;
	int			 b;
	size_t			 i;

	if (toml_type(t) != TOML_TABLE) {
		seterr(err, toml_line(t), section, "must be a table");
		return (-1);
	}
	for (i = 0; i < toml_count(t); i++) {
		k = toml_key_at(t, i);
		v = toml_value_at(t, i);
		(void)snprintf(full, sizeof(full), "%s.options.%s", section, k);
		if (toml_str(v) != NULL) {
			if (opt_set(p, k, toml_str(v)) == -1)
				goto full;
		} else if (toml_int(v, &i64) == 0) {
			(void)snprintf(buf, sizeof(buf), "%lld", (long long)i64);
			if (opt_set(p, k, buf) == -1)
				goto full;
		} else if (toml_bool(v, &b) == 0) {
			if (opt_set(p, k, b ? "true" : "false") == -1)
				goto full;
		} else {
			seterr(err, toml_line(v), full,
			    "plugin options must be strings, integers or "
			    "booleans");
			return (-1);
		}
	}
	return (0);
full:
	seterr(err, toml_line(t), section, "more than %d options",
	    PGL_MAX_OPTS);
	return (-1);
}

static int
load_key(struct pgl_config *c, const struct key *k,
    const struct toml_value *v, struct pgl_config_error *err)
{
	char		full[128];
	int64_t		i64;
	int		b;
	void		*dst = (char *)c + k->off;

	(void)snprintf(full, sizeof(full), "%s.%s", k->section, k->name);
	switch (k->kind) {
	case K_STR:
		if (toml_str(v) == NULL)
			goto type;
		setstr(dst, toml_str(v));
		return (0);
	case K_BOOL:
		if (toml_bool(v, &b) == -1)
			goto type;
		*(int *)dst = b;
		return (0);
	case K_INT:
		if (toml_int(v, &i64) == -1)
			goto type;
		if (i64 < k->min || i64 > k->max) {
			seterr(err, toml_line(v), full,
			    "must be between %lld and %lld",
			    (long long)k->min, (long long)k->max);
			return (-1);
		}
		if (k->off == O(server.max_body_bytes) ||
		    k->off == O(server.max_management_body_bytes) ||
		    k->off == O(server.max_metrics_body_bytes))
			*(size_t *)dst = (size_t)i64;
		else
			*(int *)dst = (int)i64;
		return (0);
	case K_OPTS:
		return (load_opts(dst, v, k->section, err));
	case K_LIST:
		return (load_list(dst, v, full, err));
	}
type:
	seterr(err, toml_line(v), full, "expected %s, got %s",
	    k->kind == K_STR ? "a string" : k->kind == K_INT ? "an integer" :
	    "a boolean", toml_type_name(toml_type(v)));
	return (-1);
}

static const struct key *
find_key(const char *section, const char *name)
{
	size_t	i;

	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		if (strcmp(keys[i].section, section) == 0 &&
		    strcmp(keys[i].name, name) == 0)
			return (&keys[i]);
	}
	return (NULL);
}

static int
is_section(const char *name)
{
	size_t	i;

	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		if (strcmp(keys[i].section, name) == 0)
			return (1);
	}
	return (0);
}

static int
load_section(struct pgl_config *c, const char *section,
    const struct toml_value *t, struct pgl_config_error *err)
{
	const struct key	*k;
	const char		*name;
	char			 full[128];
	size_t			 i;

	if (toml_type(t) != TOML_TABLE) {
		seterr(err, toml_line(t), section, "must be a table");
		return (-1);
	}
	for (i = 0; i < toml_count(t); i++) {
		name = toml_key_at(t, i);
		if (strcmp(section, "auth") == 0 && strcmp(name, "oidc") == 0) {
			if (pgl_config_oidc_load(c->auth.oidc, &c->auth.noidc,
			    toml_value_at(t, i), err) == -1)
				return (-1);
			continue;
		}
		if ((k = find_key(section, name)) == NULL) {
			(void)snprintf(full, sizeof(full), "%s.%s", section,
			    name);
			seterr(err, toml_line(toml_value_at(t, i)), full,
			    "unknown key");
			return (-1);
		}
		if (load_key(c, k, toml_value_at(t, i), err) == -1)
			return (-1);
	}
	return (0);
}

static int
load_file(struct pgl_config *c, const char *path, struct pgl_config_error *err)
{
	struct toml_error	 terr;
	struct toml_value	*root;
	const char		*name;
	char			*buf;
	FILE			*fp;
	long			 len;
	size_t			 i;
	int			 rc = -1;

	if ((fp = fopen(path, "rb")) == NULL) {
		seterr(err, 0, "", "cannot open: %s", strerror(errno));
		return (-1);
	}
	if (fseek(fp, 0, SEEK_END) == -1 || (len = ftell(fp)) < 0 ||
	    len > 1024 * 1024 || fseek(fp, 0, SEEK_SET) == -1) {
		fclose(fp);
		seterr(err, 0, "", "unreadable or larger than 1 MiB");
		return (-1);
	}
	buf = malloc((size_t)len + 1);
	if (buf == NULL || fread(buf, 1, (size_t)len, fp) != (size_t)len) {
		free(buf);
		fclose(fp);
		seterr(err, 0, "", "read failed");
		return (-1);
	}
	fclose(fp);

	if ((root = toml_parse(buf, (size_t)len, &terr)) == NULL) {
		seterr(err, terr.line, terr.key, "%s", terr.reason);
		free(buf);
		return (-1);
	}
	for (i = 0; i < toml_count(root); i++) {
		name = toml_key_at(root, i);
		if (!is_section(name)) {
			seterr(err, toml_line(toml_value_at(root, i)), name,
			    "unknown section");
			goto out;
		}
		if (load_section(c, name, toml_value_at(root, i), err) == -1)
			goto out;
	}
	rc = 0;
out:
	toml_free(root);
	free(buf);
	return (rc);
}

/* --- environment ---------------------------------------------------------- */

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
		seterr(err, 0, name, "must be an integer between %lld and %lld",
		    (long long)min, (long long)max);
		return (-1);
	}
	*out = n;
	return (1);
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

	opts_clear(&c->store);
	if (strncmp(url, "sqlite://", 9) == 0 ||
	    (n > 3 && strcmp(url + n - 3, ".db") == 0)) {
		plugin = "store-sqlite";
		if (strncmp(url, "sqlite://", 9) == 0)
			url += 9;
		(void)opt_set(&c->store, "path", url);
	} else if (strncmp(url, "postgres://", 11) == 0 ||
	    strncmp(url, "postgresql://", 13) == 0) {
		plugin = "store-postgres";
		(void)opt_set(&c->store, "url", url);
	} else if (strncmp(url, "mongodb://", 10) == 0 ||
	    strncmp(url, "mongodb+srv://", 14) == 0) {
		plugin = "store-mongo";
		(void)opt_set(&c->store, "url", url);
	} else {
		seterr(err, 0, "DATABASE_URL", "unsupported scheme (expected "
		    "sqlite://, postgresql:// or mongodb://)");
		return (-1);
	}
	setstr(&c->store.plugin, plugin);
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
		seterr(err, 0, "PANGOLIN_STORAGE_TYPE", "unknown storage type "
		    "'%s' (memory, sqlite, postgres, mongodb)", type);
		return (-1);
	}
	if (url != NULL && *url != '\0') {
		if (apply_database_url(c, url, err) == -1)
			return (-1);
		if (want != NULL && strcmp(want, c->store.plugin) != 0) {
			seterr(err, 0, "PANGOLIN_STORAGE_TYPE", "'%s' contradicts "
			    "the scheme of DATABASE_URL", type);
			return (-1);
		}
	} else if (want != NULL && strcmp(want, c->store.plugin) != 0) {
		setstr(&c->store.plugin, want);
		opts_clear(&c->store);
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
		if (opt_set(p, e->opt, buf) == -1) {
			seterr(err, 0, e->env, "too many plugin options");
			return (-1);
		}
	}
	return (0);
}

/* PANGOLIN_FEDERATION_*: calls to federated catalogs' remotes. */
static int
apply_federation_env(struct pgl_config *c, struct pgl_config_error *err)
{
	const struct {
		const char	*env;
		int		*dst;
		int64_t		 min, max;
	} e[] = {
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
		{ "PANGOLIN_FEDERATION_BREAKER_FAILURES",
		    &c->federation.breaker_failures, 0, 1000000 },
		{ "PANGOLIN_FEDERATION_BREAKER_COOLDOWN_SECS",
		    &c->federation.breaker_cooldown_secs, 1, 86400 },
	};
	int64_t	n;
	size_t	i;
	int	rc;

	for (i = 0; i < sizeof(e) / sizeof(e[0]); i++) {
		if ((rc = env_int(e[i].env, e[i].min, e[i].max, &n, err)) ==
		    -1)
			return (-1);
		if (rc == 1)
			*e[i].dst = (int)n;
	}
	return (0);
}

/*
 * PANGOLIN_S3_*: the object-store call limits ([storage] s3_*), and the
 * write pool and metadata file ceilings of [storage].
 */
static int
apply_storage_env(struct pgl_config *c, struct pgl_config_error *err)
{
	const struct {
		const char	*env;
		int		*dst;
		int64_t		 min, max;
	} e[] = {
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
		{ "PANGOLIN_MAX_METADATA_FILE_BYTES",
		    &c->storage.max_metadata_file_bytes, 64 * 1024, 1 << 30 },
		{ "PANGOLIN_PRESIGN_EXPIRY_SECS",
		    &c->storage.presign_expiry_secs, 1, 604800 },
		{ "PANGOLIN_STS_CACHE_ENTRIES",
		    &c->storage.sts_cache_entries, 0, 1000000 },
		{ "PANGOLIN_STS_POLICY_MAX_BYTES",
		    &c->storage.sts_policy_max_bytes, 256, 2048 },
	};
	int64_t	n;
	size_t	i;
	int	rc;

	for (i = 0; i < sizeof(e) / sizeof(e[0]); i++) {
		if ((rc = env_int(e[i].env, e[i].min, e[i].max, &n, err)) ==
		    -1)
			return (-1);
		if (rc == 1)
			*e[i].dst = (int)n;
	}
	return (0);
}

static int
apply_env(struct pgl_config *c, struct pgl_config_error *err)
{
	const char	*v, *why;
	int64_t		 n;
	int		 rc;

	if ((v = getenv("PANGOLIN_BIND_ADDRESS")) != NULL && *v != '\0')
		setstr(&c->server.bind, v);
	if ((rc = env_int("PORT", 1, 65535, &n, err)) == -1)
		return (-1);
	if (rc == 1)
		c->server.port = (int)n;
	if ((v = getenv("PANGOLIN_NO_AUTH")) != NULL && *v != '\0')
		c->auth.no_auth = env_bool(v);
	if ((v = getenv("PANGOLIN_ROOT_USER")) != NULL && *v != '\0')
		setstr(&c->auth.root_user, v);
	if ((v = getenv("PANGOLIN_ROOT_PASSWORD")) != NULL && *v != '\0')
		setstr(&c->auth.root_password, v);
	if ((v = getenv("PANGOLIN_JWT_SECRET")) != NULL && *v != '\0')
		setstr(&c->auth.jwt_secret, v);
	if ((rc = env_int("PANGOLIN_SESSION_TTL_SECS", 60, 86400 * 365, &n,
	    err)) == -1)
		return (-1);
	if (rc == 1)
		c->auth.session_ttl_secs = (int)n;
	if ((rc = env_int("PANGOLIN_TOKEN_CACHE_ENTRIES", 0, 1000000, &n,
	    err)) == -1)
		return (-1);
	if (rc == 1)
		c->auth.token_cache_entries = (int)n;
	if ((rc = env_int("PANGOLIN_AUTH_RATE_LIMIT", 0, 1000000, &n,
	    err)) == -1)
		return (-1);
	if (rc == 1)
		c->auth.rate_limit = (int)n;
	if ((rc = env_int("PANGOLIN_AUTH_RATE_WINDOW_SECS", 1, 86400, &n,
	    err)) == -1)
		return (-1);
	if (rc == 1)
		c->auth.rate_window_secs = (int)n;
	if ((v = getenv("PANGOLIN_TRUST_FORWARDED_FOR")) != NULL && *v != '\0')
		c->auth.trust_forwarded_for = env_bool(v);
	if ((v = getenv("PANGOLIN_ROOT_BASIC")) != NULL && *v != '\0')
		c->auth.root_basic = env_bool(v);
	if ((v = getenv("PANGOLIN_ENCRYPTION_KEY")) != NULL && *v != '\0') {
		if ((why = pgl_seal_key_parse(v, c->auth.encryption_key)) !=
		    NULL) {
			seterr(err, 0, "PANGOLIN_ENCRYPTION_KEY", "%s", why);
			return (-1);
		}
		c->auth.has_encryption_key = 1;
	}
	if ((v = getenv("PANGOLIN_CORS_ALLOWED_ORIGINS")) != NULL && *v != '\0')
		setstr(&c->server.cors_origins, v);
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
	if ((rc = env_int("PANGOLIN_MAX_PROPERTIES_BYTES", 1024, 1LL << 30, &n,
	    err)) == -1)
		return (-1);
	if (rc == 1)
		c->server.max_properties_bytes = (int)n;
	if ((rc = env_int("PANGOLIN_MAX_PROPERTIES_ENTRIES", 1, 1000000, &n,
	    err)) == -1)
		return (-1);
	if (rc == 1)
		c->server.max_properties_entries = (int)n;
	if ((rc = env_int("PANGOLIN_REQUEST_TIMEOUT_SECS", 1, 3600, &n,
	    err)) == -1)
		return (-1);
	if (rc == 1)
		c->server.request_timeout_secs = (int)n;
	if ((rc = env_int("PANGOLIN_SHUTDOWN_GRACE_SECS", 0, 3600, &n,
	    err)) == -1)
		return (-1);
	if (rc == 1)
		c->server.shutdown_grace_secs = (int)n;
	if ((rc = env_int("PANGOLIN_HEADER_TIMEOUT_SECS", 1, 3600, &n,
	    err)) == -1)
		return (-1);
	if (rc == 1)
		c->server.header_timeout_secs = (int)n;
	if ((rc = env_int("PANGOLIN_KEEPALIVE_TIMEOUT_SECS", 1, 3600, &n,
	    err)) == -1)
		return (-1);
	if (rc == 1)
		c->server.keepalive_timeout_secs = (int)n;
	if ((rc = env_int("PANGOLIN_MAX_CONNECTIONS", 0, 1 << 20, &n,
	    err)) == -1)
		return (-1);
	if (rc == 1)
		c->server.max_connections = (int)n;
	if ((rc = env_int("PANGOLIN_MAX_CONNS_PER_ADDR", 0, 1 << 20, &n,
	    err)) == -1)
		return (-1);
	if (rc == 1)
		c->server.max_conns_per_addr = (int)n;
	if ((rc = env_int("PANGOLIN_RATE_PER_PRINCIPAL", 0, 1 << 24, &n,
	    err)) == -1)
		return (-1);
	if (rc == 1)
		c->server.rate_per_principal = (int)n;
	if ((rc = env_int("PANGOLIN_RATE_PER_TENANT", 0, 1 << 24, &n,
	    err)) == -1)
		return (-1);
	if (rc == 1)
		c->server.rate_per_tenant = (int)n;
	if ((rc = env_int("PANGOLIN_RATE_WINDOW_SECS", 1, 3600, &n,
	    err)) == -1)
		return (-1);
	if (rc == 1)
		c->server.rate_window_secs = (int)n;
	if ((rc = env_int("PANGOLIN_MAX_PAGE_BYTES", 1024, 1 << 30, &n,
	    err)) == -1)
		return (-1);
	if (rc == 1)
		c->server.max_page_bytes = (int)n;
	if ((rc = env_int("PANGOLIN_LIST_SLICE_ROWS", 1, 1000000, &n,
	    err)) == -1)
		return (-1);
	if (rc == 1)
		c->server.list_slice_rows = (int)n;
	if ((rc = env_int("PANGOLIN_SEND_TIMEOUT_SECS", 1, 3600, &n,
	    err)) == -1)
		return (-1);
	if (rc == 1)
		c->server.send_timeout_secs = (int)n;
	if ((rc = env_int("PANGOLIN_MAX_QUEUED_BYTES", 0, 1 << 30, &n,
	    err)) == -1)
		return (-1);
	if (rc == 1)
		c->server.max_queued_bytes = (int)n;
	if ((rc = env_int("PANGOLIN_MAX_HEADER_BYTES", 1024, 65535, &n,
	    err)) == -1)
		return (-1);
	if (rc == 1)
		c->server.max_header_bytes = (int)n;
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
	if ((rc = env_int("PANGOLIN_SCAN_SYNC_MAX_MANIFESTS", 0, 100000, &n,
	    err)) == -1)
		return (-1);
	if (rc == 1)
		c->scan.sync_max_manifests = (int)n;
	if ((rc = env_int("PANGOLIN_SCAN_TASKS_PER_PART", 1, 100000, &n,
	    err)) == -1)
		return (-1);
	if (rc == 1)
		c->scan.tasks_per_part = (int)n;
	if ((rc = env_int("PANGOLIN_SCAN_TTL_SECS", 1, 604800, &n, err)) == -1)
		return (-1);
	if (rc == 1)
		c->scan.ttl_secs = (int)n;
	if ((rc = env_int("PANGOLIN_SCAN_MAX_DELETE_FILES", 0, 10000000, &n,
	    err)) == -1)
		return (-1);
	if (rc == 1)
		c->scan.max_delete_files = (int)n;
	if (env_list("PANGOLIN_LOCAL_ROOTS", ':', &c->storage.local_roots,
	    err) == -1 || env_list("PANGOLIN_ALLOWED_ENDPOINTS", ',',
	    &c->storage.allowed_endpoints, err) == -1)
		return (-1);
	if (apply_storage_env(c, err) == -1 ||
	    apply_federation_env(c, err) == -1)
		return (-1);
	if ((v = getenv("PANGOLIN_PUBLIC_URL")) != NULL && *v != '\0')
		setstr(&c->auth.public_url, v);
	if (apply_store_env(c, err) == -1 ||
	    pgl_config_oidc_env(c->auth.oidc, &c->auth.noidc, err) == -1)
		return (-1);
	return (apply_env_opts(c, err));
}

/* --- validation ----------------------------------------------------------- */

int
pgl_config_is_loopback(const char *bind)
{
	return (strcmp(bind, "127.0.0.1") == 0 || strcmp(bind, "::1") == 0 ||
	    strcmp(bind, "localhost") == 0 || strncmp(bind, "127.", 4) == 0);
}

/* An absolute path without "." or ".." segments. */
static int
root_ok(const char *p)
{
	const char	*seg, *end;

	if (p[0] != '/')
		return (0);
	for (seg = p + 1; *seg != '\0'; seg = *end != '\0' ? end + 1 : end) {
		if ((end = strchr(seg, '/')) == NULL)
			end = seg + strlen(seg);
		if ((end - seg == 1 && seg[0] == '.') ||
		    (end - seg == 2 && seg[0] == '.' && seg[1] == '.'))
			return (0);
	}
	return (1);
}

/* An origin: http(s)://host[:port], nothing after it. */
static int
origin_ok(const char *o)
{
	const char	*host;

	if (strncmp(o, "http://", 7) == 0)
		host = o + 7;
	else if (strncmp(o, "https://", 8) == 0)
		host = o + 8;
	else
		return (0);
	return (*host != '\0' && strlen(o) <= 255 &&
	    strpbrk(host, "/?#@ \t\r\n\\") == NULL);
}

static int
storage_validate(struct pgl_config *c, struct pgl_config_error *err)
{
	size_t	i;

	for (i = 0; i < c->storage.local_roots.n; i++) {
		if (!root_ok(c->storage.local_roots.v[i])) {
			seterr(err, 0, "storage.local_roots", "'%s' is not an "
			    "absolute path without '.' or '..' segments",
			    c->storage.local_roots.v[i]);
			return (-1);
		}
	}
	for (i = 0; i < c->storage.allowed_endpoints.n; i++) {
		if (!origin_ok(c->storage.allowed_endpoints.v[i])) {
			seterr(err, 0, "storage.allowed_endpoints", "'%s' is "
			    "not an origin (http://host[:port] or "
			    "https://host[:port])",
			    c->storage.allowed_endpoints.v[i]);
			return (-1);
		}
	}
	return (0);
}

/* An absolute http(s) URL, kept without its trailing slashes. */
static int
public_url_validate(struct pgl_config *c, struct pgl_config_error *err)
{
	char	*u = c->auth.public_url;
	size_t	 len;

	if (u == NULL)
		return (0);
	if ((strncmp(u, "https://", 8) != 0 && strncmp(u, "http://", 7) != 0) ||
	    strpbrk(u, "?# \t") != NULL) {
		seterr(err, 0, "server.public_url", "must be an http(s) URL "
		    "without query or fragment");
		return (-1);
	}
	for (len = strlen(u); len > 0 && u[len - 1] == '/'; len--)
		u[len - 1] = '\0';
	return (0);
}

static int
validate(struct pgl_config *c, struct pgl_config_error *err)
{
	if (c->auth.no_auth && !pgl_config_is_loopback(c->server.bind)) {
		seterr(err, 0, "auth.no_auth", "no-auth mode is only allowed "
		    "on a loopback bind address, not '%s'", c->server.bind);
		return (-1);
	}
	if (c->defaults.warehouse_root != NULL &&
	    c->defaults.warehouse_root[0] == '\0') {
		seterr(err, 0, "defaults.warehouse_root", "must not be empty");
		return (-1);
	}
	if (public_url_validate(c, err) == -1 ||
	    pgl_config_oidc_validate(c->auth.oidc, c->auth.noidc, err) == -1)
		return (-1);
	return (storage_validate(c, err));
}

struct pgl_config *
pgl_config_load(const char *path, struct pgl_config_error *err)
{
	struct pgl_config	*c;

	memset(err, 0, sizeof(*err));
	(void)snprintf(err->file, sizeof(err->file), "%s",
	    path != NULL ? path : "(environment)");
	if ((c = calloc(1, sizeof(*c))) == NULL)
		return (NULL);
	defaults(c);
	if (path != NULL) {
		c->path = xstrdup(path);
		if (load_file(c, path, err) == -1)
			goto fail;
	}
	/* Environment errors name the variable, not the file. */
	if (apply_env(c, err) == -1 || validate(c, err) == -1) {
		if (err->line == 0)
			(void)snprintf(err->file, sizeof(err->file), "%s",
			    path != NULL ? path : "(environment)");
		goto fail;
	}
	return (c);
fail:
	pgl_config_free(c);
	return (NULL);
}

void
pgl_config_free(struct pgl_config *c)
{
	if (c == NULL)
		return;
	free(c->path);
	free(c->server.bind);
	free(c->server.cors_origins);
	free(c->server.pid_file);
	free(c->store.plugin);
	opts_clear(&c->store);
	free(c->cache.plugin);
	opts_clear(&c->cache);
	free(c->cache_l2.plugin);
	opts_clear(&c->cache_l2);
	pgl_config_oidc_free(c->auth.oidc, &c->auth.noidc);
	free(c->auth.public_url);
	free(c->auth.root_user);
	free(c->auth.root_password);
	free(c->auth.jwt_secret);
	free(c->defaults.tenant_name);
	free(c->defaults.warehouse);
	free(c->defaults.warehouse_root);
	free(c->defaults.catalog);
	list_clear(&c->storage.local_roots);
	list_clear(&c->storage.allowed_endpoints);
	free(c);
}

/* "file:line: key: reason", the one line --check-config prints. */
void
pgl_config_error_format(const struct pgl_config_error *e, char *buf,
    size_t len)
{
	if (e->line > 0 && e->key[0] != '\0')
		(void)snprintf(buf, len, "%s:%d: %s: %s", e->file, e->line,
		    e->key, e->reason);
	else if (e->line > 0)
		(void)snprintf(buf, len, "%s:%d: %s", e->file, e->line,
		    e->reason);
	else if (e->key[0] != '\0')
		(void)snprintf(buf, len, "%s: %s: %s", e->file, e->key,
		    e->reason);
	else
		(void)snprintf(buf, len, "%s: %s", e->file, e->reason);
}

const char *
pgl_config_opt(const struct pgl_plugin_conf *p, const char *key)
{
	size_t	i;

	for (i = 0; i < p->nopts; i++) {
		if (strcmp(p->opts[i].key, key) == 0)
			return (p->opts[i].value);
	}
	return (NULL);
}
