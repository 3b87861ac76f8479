/*
 * pangolin.toml -> struct pgl_config.
 *
 * Order of precedence: built-in defaults (here), then the file
 * (config_file.c, by its table of every key), then the environment
 * (config_env.c, so a container or systemd unit can override one value
 * without editing the file), then the checks of the whole
 * (config_check.c).  The parts set values through config_set.c and share
 * config_parts.h.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/config.h"
#include "config/config_oidc.h"
#include "config/config_parts.h"

static void
defaults(struct pgl_config *c)
{
	c->server.bind = pgl_config_strdup("0.0.0.0");
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
	c->server.commit_workers = 1;
	c->server.rate_window_secs = 10;
	c->server.max_page_bytes = 1024 * 1024;
	c->server.list_slice_rows = 1000;
	c->server.list_max_slices = 16;
	c->server.send_timeout_secs = 30;
	c->server.max_queued_bytes = 256 * 1024;
	c->server.max_header_bytes = 8192;
	c->auth.session_ttl_secs = 86400;
	c->auth.token_cache_entries = 1024;
	c->auth.rate_limit = 10;
	c->auth.root_basic = 1;
	c->auth.rate_window_secs = 60;
	c->auth.password_jobs = 32;
	c->server.cors_origins = pgl_config_strdup("*");
	c->store.plugin = pgl_config_strdup("store-memory");
	c->cache.plugin = pgl_config_strdup("cache");
	c->cache_config_bytes = 4 << 20;	/* api/config_cache.h */
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
	c->storage.commit_threads = 1;
	c->storage.max_metadata_file_bytes = 64 * 1024 * 1024;
	c->federation.connect_timeout_ms = 3000;
	c->federation.timeout_ms = 20000;
	c->federation.max_response_bytes = 16 * 1024 * 1024;
	c->federation.config_ttl_secs = 300;
	c->federation.max_inflight_per_remote = 4;
	c->federation.max_queued_per_remote = 64;
	c->federation.max_inflight_per_tenant = 0;
	c->federation.max_remotes_per_tenant = 16;
	c->federation.breaker_failures = 5;
	c->federation.breaker_cooldown_secs = 30;
	c->storage.presign_expiry_secs = 300;
	c->storage.locations_in_namespace = 1;
	c->storage.sts_cache_entries = 1024;
	/* Under AWS's 2,048: Ceph RGW 16.2 dies on an inline policy of
	 * about 1,700 bytes (docs/operator-guide.md). */
	c->storage.sts_policy_max_bytes = 1536;
	c->audit.retention_days = 90;
	c->audit.anonymous_failures_per_min = 60;
	c->events.retention_secs = 604800;
	c->events.max_per_tenant = 1000000;
	c->events.max_event_bytes = 256 * 1024;
	c->events.webhook_pause_after_secs = 3600;
	c->events.webhooks_max_per_tenant = 25;
	c->events.webhook_timeout_ms = 10000;
	c->events.delivery_threads = 4;
	c->events.webhook_inflight_per_tenant = 2;
	c->merge.inline_max_assets = 500;
	c->branch.inline_max_assets = 1000;
	c->policies.max_per_tenant = 1000;
	c->undrop.retention_days = 7;
	c->undrop.max_per_tenant = 1000;
	c->scan.sync_max_manifests = 1000;
	c->scan.tasks_per_part = 1000;
	c->scan.ttl_secs = 3600;
	c->scan.unfetched_ttl_secs = 60;
	c->scan.purge_every_secs = 30;
	c->scan.max_delete_files = 100000;
	c->scan.sync_wait_ms = 2000;
	c->scan.threads = 2;
	c->scan.max_running_per_tenant = 1;
	c->scan.max_waiting_per_tenant = 8;
	c->scan.max_plan_bytes = 64 * 1024 * 1024;
	c->scan.max_plans_per_tenant = 32;
	c->scan.max_bytes_per_tenant = 256 * 1024 * 1024;
	c->defaults.object_store_cache = 1;
	c->defaults.tenant_name = pgl_config_strdup("default");
	pgl_config_quota_defaults(c);
	(void)pgl_config_list_add(&c->labels.business_keys, "*", 1);
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
		c->path = pgl_config_strdup(path);
		if (pgl_config_file_load(c, path, err) == -1)
			goto fail;
	}
	/* Environment errors name the variable, not the file. */
	if (pgl_config_env_apply(c, err) == -1 ||
	    pgl_config_validate(c, err) == -1) {
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
	pgl_config_opts_clear(&c->store);
	free(c->cache.plugin);
	pgl_config_opts_clear(&c->cache);
	free(c->cache_l2.plugin);
	pgl_config_opts_clear(&c->cache_l2);
	pgl_config_oidc_free(c->auth.oidc, &c->auth.noidc);
	free(c->auth.public_url);
	free(c->auth.root_user);
	free(c->auth.root_password);
	free(c->auth.jwt_secret);
	free(c->metrics.token);
	free(c->defaults.tenant_name);
	free(c->defaults.warehouse);
	free(c->defaults.warehouse_root);
	free(c->defaults.catalog);
	free(c->events.nats_url);
	pgl_config_list_clear(&c->storage.local_roots);
	pgl_config_list_clear(&c->storage.allowed_endpoints);
	pgl_config_list_clear(&c->storage.azure_container_sas);
	pgl_config_list_clear(&c->storage.static_key_buckets);
	pgl_config_list_clear(&c->labels.business_keys);
	free(c->storage.ca_file);
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
