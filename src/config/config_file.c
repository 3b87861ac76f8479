/*
 * pangolin.toml read into struct pgl_config by one table of every key the
 * file may contain (its section, name, kind, bounds and field).  An
 * unknown key or section is an error, because a typo in a security
 * setting must not silently fall back to a default.  [[auth.oidc]]
 * blocks are config_oidc.c's.
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/config.h"
#include "config/config_oidc.h"
#include "config/config_parts.h"
#include "config/toml.h"
enum kind { K_STR, K_INT, K_I64, K_BOOL, K_OPTS, K_LIST };

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
	{ "server", "commit_workers",	K_INT,  O(server.commit_workers),
	    0, 64 },
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
	{ "server", "list_max_slices", K_INT,
	    O(server.list_max_slices), 1, 1000000 },
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
	{ "cache",  "config_bytes",	K_INT,  O(cache_config_bytes),
	    65536, 1 << 30 },
	{ "auth",   "no_auth",		K_BOOL, O(auth.no_auth), 0, 0 },
	{ "auth",   "root_user",	K_STR,  O(auth.root_user), 0, 0 },
	{ "auth",   "root_password",	K_STR,  O(auth.root_password), 0, 0 },
	{ "auth",   "jwt_secret",	K_STR,  O(auth.jwt_secret), 0, 0 },
	{ "auth",   "session_ttl_secs", K_INT, O(auth.session_ttl_secs),
	    60, 86400 * 365 },
	{ "auth",   "token_cache_entries", K_INT,
	    O(auth.token_cache_entries), 0, 1000000 },
	{ "auth",   "rate_limit",	K_INT,  O(auth.rate_limit), 0, 1000000 },
	{ "auth",   "password_jobs",	K_INT,  O(auth.password_jobs), 1, 4096 },
	{ "auth",   "rate_window_secs", K_INT, O(auth.rate_window_secs),
	    1, 86400 },
	{ "auth",   "trust_forwarded_for", K_BOOL,
	    O(auth.trust_forwarded_for), 0, 0 },
	{ "auth",   "root_basic",	K_BOOL, O(auth.root_basic), 0, 0 },
	{ "auth",   "start_with_unreadable_secrets", K_BOOL,
	    O(auth.start_with_unreadable_secrets), 0, 0 },
	{ "metrics", "token",		K_STR,  O(metrics.token), 0, 0 },
	{ "storage", "local_roots",	K_LIST, O(storage.local_roots), 0, 0 },
	{ "storage", "allowed_endpoints", K_LIST,
	    O(storage.allowed_endpoints), 0, 0 },
	{ "storage", "ca_file",		K_STR,  O(storage.ca_file), 0, 0 },
	{ "storage", "azure_container_sas", K_LIST,
	    O(storage.azure_container_sas), 0, 0 },
	{ "storage", "static_key_buckets", K_LIST,
	    O(storage.static_key_buckets), 0, 0 },
	{ "storage", "azure_create_containers", K_BOOL,
	    O(storage.azure_create_containers), 0, 0 },
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
	{ "storage", "commit_threads", K_INT,
	    O(storage.commit_threads), 0, 64 },
	{ "storage", "max_metadata_file_bytes", K_INT,
	    O(storage.max_metadata_file_bytes), 64 * 1024, 1 << 30 },
	{ "storage", "presign_expiry_secs", K_INT,
	    O(storage.presign_expiry_secs), 1, 604800 },
	{ "storage", "sts_cache_entries", K_INT,
	    O(storage.sts_cache_entries), 0, 1000000 },
	{ "storage", "sts_policy_max_bytes", K_INT,
	    O(storage.sts_policy_max_bytes), 256, 2048 },
	{ "storage", "locations_in_namespace", K_BOOL,
	    O(storage.locations_in_namespace), 0, 0 },
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
	{ "events", "retention_secs",	K_INT,  O(events.retention_secs),
	    0, 315360000 },
	{ "events", "max_per_tenant",	K_INT,  O(events.max_per_tenant),
	    0, 1000000000 },
	{ "events", "max_event_bytes",	K_INT,  O(events.max_event_bytes),
	    1024, 16 * 1024 * 1024 },
	{ "events", "nats_url",		K_STR,  O(events.nats_url), 0, 0 },
	{ "events", "webhook_pause_after_secs", K_INT,
	    O(events.webhook_pause_after_secs), 1, 31536000 },
	{ "events", "webhooks_max_per_tenant", K_INT,
	    O(events.webhooks_max_per_tenant), 0, 10000 },
	{ "events", "webhook_timeout_ms", K_INT,
	    O(events.webhook_timeout_ms), 100, 120000 },
	{ "events", "delivery_threads",	K_INT,  O(events.delivery_threads),
	    1, 64 },
	{ "events", "webhook_inflight_per_tenant", K_INT,
	    O(events.webhook_inflight_per_tenant), 1, 64 },
	{ "merge",  "inline_max_assets", K_INT, O(merge.inline_max_assets),
	    0, 100000000 },
	{ "undrop", "retention_days", K_INT, O(undrop.retention_days),
	    0, 36500 },
	{ "undrop", "max_per_tenant", K_INT, O(undrop.max_per_tenant),
	    0, 1000000 },
	{ "branch", "inline_max_assets", K_INT, O(branch.inline_max_assets),
	    0, 100000000 },
	{ "policies", "max_per_tenant", K_INT, O(policies.max_per_tenant),
	    0, 100000 },
#define QK(name, f) \
	{ "quota", name, K_I64, O(quota.f), 0, PGL_QUOTA_MAX }
	QK("max_bytes", max_bytes),
	QK("namespaces", count[PGL_Q_NAMESPACES]),
	QK("namespaces_bytes", bytes[PGL_Q_NAMESPACES]),
	QK("tables", count[PGL_Q_TABLES]),
	QK("tables_bytes", bytes[PGL_Q_TABLES]),
	QK("views", count[PGL_Q_VIEWS]),
	QK("views_bytes", bytes[PGL_Q_VIEWS]),
	QK("assets", count[PGL_Q_ASSETS]),
	QK("assets_bytes", bytes[PGL_Q_ASSETS]),
	QK("metadata_bytes", bytes[PGL_Q_METADATA]),
	QK("commits", count[PGL_Q_COMMITS]),
	QK("commits_bytes", bytes[PGL_Q_COMMITS]),
	QK("dropped_bytes", bytes[PGL_Q_DROPPED]),
	QK("policies_bytes", bytes[PGL_Q_POLICIES]),
	QK("webhooks_bytes", bytes[PGL_Q_WEBHOOKS]),
	QK("events_bytes", bytes[PGL_Q_EVENTS]),
	QK("audit", count[PGL_Q_AUDIT]),
	QK("audit_bytes", bytes[PGL_Q_AUDIT]),
	QK("other", count[PGL_Q_OTHER]),
	QK("other_bytes", bytes[PGL_Q_OTHER]),
#undef QK
	{ "scan",   "sync_max_manifests", K_INT, O(scan.sync_max_manifests),
	    0, 100000 },
	{ "scan",   "tasks_per_part", K_INT, O(scan.tasks_per_part), 1, 100000 },
	{ "scan",   "ttl_secs",	K_INT,  O(scan.ttl_secs), 1, 604800 },
	{ "scan",   "max_delete_files", K_INT, O(scan.max_delete_files),
	    0, 10000000 },
	{ "scan",   "unfetched_ttl_secs", K_INT, O(scan.unfetched_ttl_secs),
	    1, 604800 },
	{ "scan",   "purge_every_secs", K_INT, O(scan.purge_every_secs),
	    1, 3600 },
	{ "scan",   "sync_wait_ms", K_INT, O(scan.sync_wait_ms), 0, 600000 },
	{ "scan",   "threads",	K_INT,  O(scan.threads), 1, 64 },
	{ "scan",   "max_running_per_tenant", K_INT,
	    O(scan.max_running_per_tenant), 1, 64 },
	{ "scan",   "max_waiting_per_tenant", K_INT,
	    O(scan.max_waiting_per_tenant), 0, 10000 },
	{ "scan",   "max_plan_bytes", K_INT, O(scan.max_plan_bytes),
	    1 << 20, 1 << 30 },
	{ "scan",   "max_plans_per_tenant", K_INT,
	    O(scan.max_plans_per_tenant), 0, 1000000 },
	{ "scan",   "max_bytes_per_tenant", K_INT,
	    O(scan.max_bytes_per_tenant), 0, 2147483647 },
	{ "scan",   "max_bytes_total", K_I64, O(scan.max_bytes_total),
	    0, PGL_QUOTA_MAX },
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
	{ "federation", "max_inflight_per_tenant", K_INT,
	    O(federation.max_inflight_per_tenant), 0, 256 },
	{ "federation", "max_remotes_per_tenant", K_INT,
	    O(federation.max_remotes_per_tenant), 1, 1024 },
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
	{ "labels", "business_keys",	K_LIST,
	    O(labels.business_keys), 0, 0 },
};

/* A TOML array of strings replaces whatever the list held. */
static int
load_list(struct pgl_strlist *l, const struct toml_value *v,
    const char *full, struct pgl_config_error *err)
{
	const char	*s;
	size_t		 i;

	if (toml_type(v) != TOML_ARRAY) {
		pgl_config_seterr(err, toml_line(v), full,
		    "expected an array of strings, got %s",
		    toml_type_name(toml_type(v)));
		return (-1);
	}
	pgl_config_list_clear(l);
	for (i = 0; i < toml_count(v); i++) {
		if ((s = toml_str(toml_value_at(v, i))) == NULL || *s == '\0') {
			pgl_config_seterr(err, toml_line(v), full,
			    "element %zu is not a non-empty string", i + 1);
			return (-1);
		}
		if (pgl_config_list_add(l, s, strlen(s)) == -1) {
			pgl_config_seterr(err, toml_line(v), full,
			    "more than %d elements", PGL_MAX_LIST);
			return (-1);
		}
	}
	return (0);
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
		pgl_config_seterr(err, toml_line(t), section,
		    "must be a table");
		return (-1);
	}
	for (i = 0; i < toml_count(t); i++) {
		k = toml_key_at(t, i);
		v = toml_value_at(t, i);
		(void)snprintf(full, sizeof(full), "%s.options.%s", section, k);
		if (toml_str(v) != NULL) {
			if (pgl_config_opt_set(p, k, toml_str(v)) == -1)
				goto full;
		} else if (toml_int(v, &i64) == 0) {
			(void)snprintf(buf, sizeof(buf), "%lld", (long long)i64);
			if (pgl_config_opt_set(p, k, buf) == -1)
				goto full;
		} else if (toml_bool(v, &b) == 0) {
			if (pgl_config_opt_set(p, k, b ? "true" : "false") ==
			    -1)
				goto full;
		} else {
			pgl_config_seterr(err, toml_line(v), full,
			    "plugin options must be strings, integers or "
			    "booleans");
			return (-1);
		}
	}
	return (0);
full:
	pgl_config_seterr(err, toml_line(t), section, "more than %d options",
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
		pgl_config_setstr(dst, toml_str(v));
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
			pgl_config_seterr(err, toml_line(v), full,
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
	case K_I64:
		if (toml_int(v, &i64) == -1)
			goto type;
		if (i64 < k->min || i64 > k->max) {
			pgl_config_seterr(err, toml_line(v), full,
			    "must be between %lld and %lld",
			    (long long)k->min, (long long)k->max);
			return (-1);
		}
		*(int64_t *)dst = i64;
		return (0);
	case K_OPTS:
		return (load_opts(dst, v, k->section, err));
	case K_LIST:
		return (load_list(dst, v, full, err));
	}
type:
	pgl_config_seterr(err, toml_line(v), full, "expected %s, got %s",
	    k->kind == K_STR ? "a string" : k->kind == K_INT ||
	    k->kind == K_I64 ? "an integer" :
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
		pgl_config_seterr(err, toml_line(t), section,
		    "must be a table");
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
			pgl_config_seterr(err, toml_line(toml_value_at(t, i)),
			    full, "unknown key");
			return (-1);
		}
		if (load_key(c, k, toml_value_at(t, i), err) == -1)
			return (-1);
	}
	return (0);
}

int
pgl_config_file_load(struct pgl_config *c, const char *path,
    struct pgl_config_error *err)
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
		pgl_config_seterr(err, 0, "", "cannot open: %s",
		    strerror(errno));
		return (-1);
	}
	if (fseek(fp, 0, SEEK_END) == -1 || (len = ftell(fp)) < 0 ||
	    len > 1024 * 1024 || fseek(fp, 0, SEEK_SET) == -1) {
		fclose(fp);
		pgl_config_seterr(err, 0, "",
		    "unreadable or larger than 1 MiB");
		return (-1);
	}
	buf = malloc((size_t)len + 1);
	if (buf == NULL || fread(buf, 1, (size_t)len, fp) != (size_t)len) {
		free(buf);
		fclose(fp);
		pgl_config_seterr(err, 0, "", "read failed");
		return (-1);
	}
	fclose(fp);

	if ((root = toml_parse(buf, (size_t)len, &terr)) == NULL) {
		pgl_config_seterr(err, terr.line, terr.key, "%s", terr.reason);
		free(buf);
		return (-1);
	}
	for (i = 0; i < toml_count(root); i++) {
		name = toml_key_at(root, i);
		if (!is_section(name)) {
			pgl_config_seterr(err,
			    toml_line(toml_value_at(root, i)), name,
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
