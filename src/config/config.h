/*
 * The appliance configuration: pangolin.toml plus environment overrides,
 * resolved once at start-up into one immutable struct.
 */
#ifndef PGL_CONFIG_H
#define PGL_CONFIG_H

#include <stddef.h>
#include <stdint.h>

#include "config/config_error.h"
#include "config/oidc_provider.h"
#include "pangolin/plugin.h"

#define PGL_MAX_OPTS	32
#define PGL_MAX_LIST	64

/* A TOML array of strings, or an environment variable split on a separator. */
struct pgl_strlist {
	char		*v[PGL_MAX_LIST];
	size_t		 n;
};

struct pgl_plugin_conf {
	char		*plugin;	/* name ("store-sqlite") or path */
	struct pgl_kv	opts[PGL_MAX_OPTS];
	size_t		nopts;
};

/*
 * The kinds of what a tenant makes the store hold (store.h, struct
 * pgl_usage; the store's names in api/quota/quota_limits.c), in order.
 */
enum pgl_quota_kind {
	PGL_Q_NAMESPACES,
	PGL_Q_TABLES,
	PGL_Q_VIEWS,
	PGL_Q_ASSETS,
	PGL_Q_METADATA,
	PGL_Q_COMMITS,
	PGL_Q_DROPPED,
	PGL_Q_POLICIES,
	PGL_Q_WEBHOOKS,
	PGL_Q_EVENTS,
	PGL_Q_AUDIT,
	PGL_Q_PLANS,
	PGL_Q_OTHER,
	PGL_QUOTA_KINDS
};
/* The largest quota a setting may name: 1 PiB, or 10^15 rows. */
#define PGL_QUOTA_MAX	(1LL << 50)

struct pgl_config {
	char			*path;		/* file it came from, or NULL */

	struct {
		char		*bind;
		int		port;
		int		workers;	/* 0 = one per CPU */
		int		commit_workers;	/* take the commits; 0: all */
		size_t		max_body_bytes;
		/* Any stored map of strings (properties, storage_config):
		 * bytes of keys and values, and entries. */
		int		max_properties_bytes;
		int		max_properties_entries;
		/* Per route family, within max_body_bytes. */
		size_t		max_management_body_bytes;
		size_t		max_metrics_body_bytes;
		int		request_timeout_secs;
		int		shutdown_grace_secs; /* SIGTERM: finish requests */
		int		header_timeout_secs; /* a request head, from
						      * accept or its first byte */
		int		keepalive_timeout_secs; /* idle between requests */
		int		max_connections; /* per worker; 0: from the
						  * RLIMIT_NOFILE hard limit */
		int		max_conns_per_addr; /* per worker; 0: none */
		/* Requests per rate_window_secs, counted across workers
		 * (api/rate.c); 0: no limit. */
		int		rate_per_principal;
		int		rate_per_tenant;
		int		rate_window_secs;
		int		max_page_bytes;	/* a list page stops past it */
		int		list_slice_rows; /* an Iceberg list's rows
						  * per turn of the loop */
		int		list_max_slices; /* slices a tenant user's
						  * management page reads */
		int		send_timeout_secs; /* output stalled: close */
		int		max_queued_bytes; /* unsent output before the
						   * next request; 0: none */
		int		max_header_bytes; /* a request head (431) */
		char		*cors_origins;	/* "*" or a comma list */
		char		*pid_file;
	} server;

	struct pgl_plugin_conf	store;
	struct pgl_plugin_conf	cache;
	struct pgl_plugin_conf	cache_l2;	/* plugin NULL: no L2 */
	/* [cache] config_bytes: per worker, the catalogs and warehouses
	 * kept (api/config_cache.c), bytes; the count follows from it. */
	int			cache_config_bytes;

	struct {
		int		no_auth;
		/* [[auth.oidc]]: identity providers whose tokens count. */
		struct pgl_oidc_provider oidc[PGL_OIDC_MAX];
		size_t		noidc;
		/* PANGOLIN_PUBLIC_URL: how clients reach this server (the
		 * SSO redirect URI); NULL: from the request's Host. */
		char		*public_url;
		char		*root_user;
		char		*root_password;
		/* PANGOLIN_JWT_SECRET: signs session tokens.  Required
		 * when auth is on; random per run in no-auth mode. */
		char		*jwt_secret;
		int		session_ttl_secs;
		/* PANGOLIN_TOKEN_CACHE_ENTRIES: per worker, of each kind
		 * (provider tokens, API keys) checked lately; 0: none. */
		int		token_cache_entries;
		/* Login throttle (§3.6): per window, 0 disables. */
		int		rate_limit;
		int		rate_window_secs;
		int		trust_forwarded_for;
		/* PANGOLIN_AUTH_PASSWORD_JOBS: password hashes and checks
		 * waiting or running at once, per worker (password_job.h). */
		int		password_jobs;
		/* PANGOLIN_ROOT_BASIC: root may use HTTP Basic (default). */
		int		root_basic;
		/* PANGOLIN_ENCRYPTION_KEY: seals warehouse secrets at rest. */
		int		has_encryption_key;
		unsigned char	encryption_key[32];
		/* PANGOLIN_START_WITH_UNREADABLE_SECRETS: a sealed value
		 * of the store that does not open with the key is a
		 * warning, not a refusal to start (sealed_probe.h). */
		int		start_with_unreadable_secrets;
	} auth;

	struct {
		/* Directories local warehouses may live under (operator's
		 * choice; a tenant's warehouses go in <root>/<tenant id>/).
		 * Empty: the default, worked out by the api at start-up. */
		struct pgl_strlist local_roots;
		/* Origins ("http://127.0.0.1:9000") an object-store
		 * endpoint may name although its address is loopback,
		 * private, link-local or a cloud metadata service. */
		struct pgl_strlist allowed_endpoints;
		/* A PEM bundle that object-store (S3, Azure), STS and
		 * Entra calls trust instead of the system's (private CAs
		 * of on-premises endpoints); NULL: the system bundle.
		 * Read at start-up: missing, unreadable or without a
		 * certificate is a configuration error. */
		char		*ca_file;
		/* Object-store calls: timeouts, and per endpoint a circuit
		 * breaker and a cap on calls under way (storage/breaker.h). */
		int		s3_connect_timeout_ms;
		int		s3_timeout_ms;		/* total, per call */
		int		s3_breaker_failures;	/* 0: never opens */
		int		s3_breaker_cooldown_secs;
		int		s3_max_inflight_per_endpoint; /* 0: no cap */
		int		s3_max_queued_per_endpoint; /* then waiting */
		/* Threads per worker writing (and fetching) object-store
		 * and local files, and identity providers' keys, off the
		 * event loop. */
		int		write_pool_threads;
		/* Threads per worker that parse, apply and render commits'
		 * metadata (0: on the event loop). */
		int		commit_threads;
		int		max_metadata_file_bytes; /* read, inflated */
		/* How long a presigned URL (the /presign route) reads its
		 * object: seconds, 1 to S3's 604800. */
		int		presign_expiry_secs;
		/* Per worker, STS credentials kept for reuse (0: none), and
		 * the largest session policy sent to STS. */
		int		sts_cache_entries;
		int		sts_policy_max_bytes;
		/* Where a vended credential may reach past one table
		 * (issue 67), the operator's alone, never a tenant's
		 * storage_config: Azure containers, "<account>/<container>",
		 * whose warehouse vends a container-wide SAS, and S3
		 * buckets whose warehouse vends its long-term keys to
		 * writers.  Either holds one warehouse at most. */
		struct pgl_strlist azure_container_sas;
		struct pgl_strlist static_key_buckets;
		/* An Azure warehouse whose container is missing at its
		 * creation: the container is created (else 400). */
		int		azure_create_containers;
		/* Every table owns its files (issue 67): a table's or
		 * view's location lies under its namespace's (1, the
		 * default), or anywhere in the catalog's storage (0). */
		int		locations_in_namespace;
	} storage;

	struct {
		int		enabled;
		int		concurrency;
		int		poll_interval_ms;
		int		lease_ms;	/* a runner silent this long is dead */
		/* Queued plus running tasks a tenant may hold; past it a
		 * new task is refused with 429.  0: no ceiling. */
		int		max_per_tenant;
	} tasks;

	struct {
		/* Events older than this many days are deleted by the task
		 * runners (src/tasks/retention.c).  0: kept for ever. */
		int		retention_days;
		/* Failed anonymous authentications one address may have
		 * recorded per minute; past it they are refused as before
		 * but not recorded.  0: no limit. */
		int		anonymous_failures_per_min;
	} audit;

	struct {
		/* PANGOLIN_EVENTS_RETENTION_SECS: change events older than
		 * this are deleted by task runner 0; 0 keeps them. */
		int		retention_secs;
		/* PANGOLIN_EVENTS_MAX_PER_TENANT: past it a tenant's oldest
		 * are deleted (a change is never refused); 0: no limit. */
		int		max_per_tenant;
		/* PANGOLIN_EVENT_MAX_BYTES: a change's updates larger than
		 * this are left out of its event (the metadata location
		 * says where the change is). */
		int		max_event_bytes;
		/* PANGOLIN_EVENTS_NATS_URL: the operator's NATS server
		 * (JetStream on); NULL: no NATS sink. */
		char		*nats_url;
		/* PANGOLIN_WEBHOOK_PAUSE_AFTER_SECS: a subscription failing
		 * for this long is paused (its admin resumes it). */
		int		webhook_pause_after_secs;
		/* PANGOLIN_WEBHOOKS_MAX_PER_TENANT: subscriptions a tenant
		 * may hold. */
		int		webhooks_max_per_tenant;
		/* PANGOLIN_WEBHOOK_TIMEOUT_MS: one delivery's whole time
		 * (connect, send, answer). */
		int		webhook_timeout_ms;
		/* PANGOLIN_WEBHOOK_THREADS: the dispatcher's delivery
		 * threads. */
		int		delivery_threads;
		/* PANGOLIN_WEBHOOK_MAX_INFLIGHT_PER_TENANT: of those, how
		 * many one tenant's subscriptions may hold at once, so a
		 * tenant's slow endpoints cannot take everyone's. */
		int		webhook_inflight_per_tenant;
	} events;

	struct {
		/* A merge or rebase whose branches hold more assets than
		 * this runs as a task (202), off the event loop; 0: always
		 * inline. */
		int		inline_max_assets;
	} merge;

	/* Undrop (issue 46): a table or view dropped without purge is
	 * kept recoverable this long (a catalog's property
	 * pangolin.undrop-retention-days overrides it; 0: every drop is
	 * final), and a tenant keeps at most max_per_tenant such drops
	 * (past it the oldest becomes final). */
	struct {
		int		retention_days;
		int		max_per_tenant;
	} undrop;

	struct {
		/* A branch whose source holds more assets than this is
		 * made by a task (202): the copy of its asset rows is one
		 * statement whose time grows with them; 0: always inline. */
		int		inline_max_assets;
	} branch;

	/* Server-side scan planning (api/scan/, issues 28 and 42). */
	struct {
		/* A plan reading more manifests than this (after the
		 * manifest list's pruning) runs as a task; 0: every plan. */
		int		sync_max_manifests;
		int		tasks_per_part;	/* file scan tasks per plan task */
		int		ttl_secs;	/* a stored plan's life, fetched */
		int		unfetched_ttl_secs; /* ... until first fetched */
		/* How often task runner 0 deletes expired plans' parts. */
		int		purge_every_secs;
		int		max_delete_files; /* held in a plan's index */
		/* How long a request waits for its plan on the worker's
		 * planning threads before it answers "submitted" (and a
		 * task makes it); 0: every plan a task. */
		int		sync_wait_ms;
		int		threads;	/* planning threads per worker */
		int		max_running_per_tenant;	/* per worker */
		int		max_waiting_per_tenant;	/* per worker; then 429 */
		int		max_plan_bytes;	/* one plan's stored parts */
		int		max_plans_per_tenant;	/* stored; 0: no cap */
		int		max_bytes_per_tenant;	/* stored; 0: no cap */
		/* Every tenant's stored plans together (issue 67); 0: no
		 * cap. */
		int64_t		max_bytes_total;
	} scan;

	struct {
		/* Calls to a federated catalog's remote Iceberg catalog
		 * (api/federation/): timeouts, the largest answer relayed,
		 * how long its /v1/config is kept, and per tenant and remote
		 * origin a cap on calls under way and a circuit breaker. */
		int		connect_timeout_ms;
		int		timeout_ms;		/* total, per call; below
							 * the SIGTERM grace */
		int		max_response_bytes;
		int		config_ttl_secs;
		int		max_inflight_per_remote; /* per worker and
							  * tenant */
		int		max_queued_per_remote;	/* then 503 */
		int		max_inflight_per_tenant; /* 0: half the
							  * write pool */
		int		max_remotes_per_tenant;	/* gates kept */
		int		breaker_failures;	/* 0: never opens */
		int		breaker_cooldown_secs;
	} federation;

	struct {
		int		object_store_cache;
		char		*tenant_name;	/* the nil-uuid tenant's name */
		char		*warehouse;	/* bootstrap local warehouse */
		char		*warehouse_root;
		char		*catalog;	/* bootstrap catalog */
	} defaults;

	/* Data policies (issue 46). */
	struct {
		/* PANGOLIN_POLICIES_MAX_PER_TENANT: policies a tenant may
		 * hold (a table's resolution reads them all); 0: none. */
		int		max_per_tenant;
	} policies;

	/*
	 * Per-tenant quotas (issue 67, api/quota/): what one tenant may
	 * make the metadata store hold, by kind, checked against the
	 * store's usage ledger.  [quota] <kind> and <kind>_bytes
	 * (PANGOLIN_QUOTA_<KIND>, ..._BYTES); a tenant's property
	 * pangolin.quota.<key> wins (root's to set).  The counts of
	 * dropped, policies, webhooks, events and plans are their own
	 * sections' settings (api/quota/quota_limits.c).  0: none (a
	 * kind's bytes: max_bytes alone).  config_quota.c.
	 */
	struct {
		int64_t		max_bytes;	/* every kind together */
		int64_t		count[PGL_QUOTA_KINDS];
		int64_t		bytes[PGL_QUOTA_KINDS];
	} quota;

	/*
	 * [metrics] token (PANGOLIN_METRICS_TOKEN): a scrape credential,
	 * sent as Authorization: Bearer, that sees /metrics' lines naming
	 * a tenant or what it owns, as root does (api/manage/
	 * metrics_scope.c).  NULL: only root sees them.  32 bytes at least
	 * (auth/settings.c).
	 */
	struct {
		char		*token;
	} metrics;

	/*
	 * [labels] business_keys (PANGOLIN_LABELS_BUSINESS_KEYS, split on
	 * ','; issue 70, api/read/labels.c): the label keys a table's or
	 * view's load carries, from its business metadata (properties,
	 * tags) and its column tags.  ["*"] (the default): every key;
	 * []: no labels at all (and no read for them).  A key the secret
	 * rule names (util/secret_key.h) is never carried, listed or not.
	 */
	struct {
		struct pgl_strlist	business_keys;
	} labels;
};


/*
 * Load path (NULL: built-in defaults only), then apply the environment
 * (envp style lookup through getenv).  Returns NULL and fills err.
 */
struct pgl_config	*pgl_config_load(const char *path,
			    struct pgl_config_error *);
void			 pgl_config_free(struct pgl_config *);
void			 pgl_config_error_format(const struct pgl_config_error *,
			    char *, size_t);
const char		*pgl_config_opt(const struct pgl_plugin_conf *,
			    const char *key);
int			 pgl_config_is_loopback(const char *bind);

#endif
