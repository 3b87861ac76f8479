/*
 * The MongoDB store: options, open/close, ping, transactions and the ops
 * table.  Each Kore worker opens its own handle (ARCHITECTURE.md §2).
 * Kept whole, over 600 lines: the ops table names every operation of the
 * ABI, and the handle's options, pool and session it shares are here.
 *
 * Options ([store.options], or from the environment through the host):
 *   url                         mongodb:// or mongodb+srv:// URI (required;
 *                               DATABASE_URL arrives as this)
 *   database                    default: $MONGO_DB_NAME, else the URI's
 *                               /database, else "pangolin"
 *   max_pool_size               MONGO_MAX_POOL_SIZE; see below
 *   min_pool_size               MONGO_MIN_POOL_SIZE; see below
 *   server_selection_timeout_ms default 3000 (a URI's own
 *                               serverSelectionTimeoutMS wins over the
 *                               default, this option over both)
 *   transactions                auto (default) | on | off
 *
 * Pool sizes under Kore's model.  A handle owns a mongoc client pool and
 * pops one client from it at open, for its lifetime: a worker makes one
 * store call at a time and a transaction must stay on one client, so a
 * worker never holds more than one, and the connections to a server are
 * workers (+ the task runner's handle) times one, plus the pool's
 * monitoring connection per server.  max_pool_size is passed to the pool
 * (maxPoolSize): the cap on clients, at least 1.  min_pool_size is
 * accepted and checked (<= max_pool_size) for compatibility with
 * upstream's MONGO_MIN_POOL_SIZE, but not passed on: the one client is
 * connected at open, which is the floor any worker keeps, and libmongoc
 * 1.x's own minPoolSize is deprecated (it caps idle clients instead).
 *
 * Transactions.  begin/commit/rollback run a multi-document transaction
 * on the handle's session when the deployment has them (a replica set
 * primary or mongos, wire version 7/8+; "auto").  A standalone server has
 * none: then begin and commit are no-ops, every write is applied at
 * once, rollback cannot undo anything and says so at WARN, and the open
 * line says "NON-ATOMIC".  transactions=on uses the session even when the
 * server does not look like it supports them (a proxy that hides its
 * topology); transactions=off never does.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "mongo_store.h"

#define DEFAULT_DATABASE	"pangolin"
#define DEFAULT_SST_MS		3000

struct options {
	const char	*url;
	const char	*database;
	int		max_pool_size;		/* -1: driver default */
	int		min_pool_size;		/* -1: unset */
	int		sst_ms;			/* -1: unset */
	int		tx;
};

static int
parse_int(const char *value, int min, int *out)
{
	char	*end;
	long	v;

	if (value == NULL || *value == '\0')
		return (-1);
	errno = 0;
	v = strtol(value, &end, 10);
	if (errno != 0 || *end != '\0' || v < min || v > INT_MAX)
		return (-1);
	*out = (int)v;
	return (0);
}

static int
parse_tx(const char *value, int *out)
{
	if (value == NULL)
		return (-1);
	if (strcmp(value, "auto") == 0)
		*out = TX_AUTO;
	else if (strcmp(value, "on") == 0)
		*out = TX_ON;
	else if (strcmp(value, "off") == 0)
		*out = TX_OFF;
	else
		return (-1);
	return (0);
}

/* MongoDB's own rules for database names, checked before the server
 * answers with something less clear. */
static int
valid_database(const char *name)
{
	size_t	len = name != NULL ? strlen(name) : 0;

	return (len > 0 && len < 64 && strpbrk(name, "/\\. \"$") == NULL);
}

static int
set_option(struct options *o, const struct pgl_kv *kv, struct pgl_err *err)
{
	const char	*k = kv->key != NULL ? kv->key : "";
	const char	*v = kv->value;
	int		bad = 0;

	if (strcmp(k, "url") == 0) {
		if (v == NULL || *v == '\0')
			bad = 1;
		o->url = v;
	} else if (strcmp(k, "database") == 0) {
		bad = !valid_database(v);
		o->database = v;
	} else if (strcmp(k, "max_pool_size") == 0) {
		bad = parse_int(v, 1, &o->max_pool_size);
	} else if (strcmp(k, "min_pool_size") == 0) {
		bad = parse_int(v, 0, &o->min_pool_size);
	} else if (strcmp(k, "server_selection_timeout_ms") == 0) {
		bad = parse_int(v, 1, &o->sst_ms);
	} else if (strcmp(k, "transactions") == 0) {
		bad = parse_tx(v, &o->tx);
	} else {
		return (mongo_err(err, PGL_EINVAL,
		    STORE_NAME ": unknown option \"%s\"", k));
	}
	if (bad)
		return (mongo_err(err, PGL_EINVAL, STORE_NAME
		    ": invalid value \"%s\" for option \"%s\"",
		    v != NULL ? v : "", k));
	return (PGL_OK);
}

static int
parse_options(const struct pgl_kv *kv, size_t n, struct options *o,
    struct pgl_err *err)
{
	size_t	i;
	int	rc;

	memset(o, 0, sizeof(*o));
	o->max_pool_size = o->min_pool_size = o->sst_ms = -1;
	o->tx = TX_AUTO;
	for (i = 0; i < n; i++) {
		if ((rc = set_option(o, &kv[i], err)) != PGL_OK)
			return (rc);
	}
	if (o->url == NULL)
		return (mongo_err(err, PGL_EINVAL,
		    STORE_NAME ": option \"url\" is required"));
	if (o->min_pool_size > 0 && o->max_pool_size > 0 &&
	    o->min_pool_size > o->max_pool_size)
		return (mongo_err(err, PGL_EINVAL, STORE_NAME ": min_pool_size "
		    "%d is above max_pool_size %d", o->min_pool_size,
		    o->max_pool_size));
	return (PGL_OK);
}

/* option, then $MONGO_DB_NAME, then the URI's /database, then default. */
static int
pick_database(struct options *o, const mongoc_uri_t *uri,
    struct pgl_err *err)
{
	const char	*env = getenv("MONGO_DB_NAME");
	const char	*from = "MONGO_DB_NAME";

	if (o->database != NULL)
		return (PGL_OK);
	if (env == NULL || *env == '\0') {
		env = mongoc_uri_get_database(uri);
		from = "the url";
	}
	if (env == NULL || *env == '\0') {
		o->database = DEFAULT_DATABASE;
		return (PGL_OK);
	}
	if (!valid_database(env))
		return (mongo_err(err, PGL_EINVAL, STORE_NAME
		    ": invalid database name \"%s\" (from %s)", env, from));
	o->database = env;
	return (PGL_OK);
}

static int
make_uri(struct pgl_store *s, struct options *o, struct pgl_err *err)
{
	bson_error_t	e;

	/* The driver's message quotes the URI's syntax error, not the
	 * URI itself, so a password never reaches a log line. */
	if ((s->uri = mongoc_uri_new_with_error(o->url, &e)) == NULL)
		return (mongo_err(err, PGL_EINVAL,
		    STORE_NAME ": invalid url: %s", e.message));
	if (o->sst_ms > 0 || !mongoc_uri_has_option(s->uri,
	    MONGOC_URI_SERVERSELECTIONTIMEOUTMS))
		(void)mongoc_uri_set_option_as_int32(s->uri,
		    MONGOC_URI_SERVERSELECTIONTIMEOUTMS,
		    o->sst_ms > 0 ? o->sst_ms : DEFAULT_SST_MS);
	if (o->max_pool_size > 0)
		(void)mongoc_uri_set_option_as_int32(s->uri,
		    MONGOC_URI_MAXPOOLSIZE, o->max_pool_size);
	return (pick_database(o, s->uri, err));
}

/* "host:port" of the first seed, for log lines (never the password). */
static const char *
first_host(const mongoc_uri_t *uri)
{
	const mongoc_host_list_t	*h = mongoc_uri_get_hosts(uri);

	return (h != NULL ? h->host_and_port : "?");
}

static int32_t
max_wire_version(const mongoc_server_description_t *sd)
{
	const bson_t	*hello = mongoc_server_description_hello_response(sd);
	bson_iter_t	it;

	if (hello != NULL && bson_iter_init_find(&it, hello, "maxWireVersion"))
		return ((int32_t)bson_iter_as_int64(&it));
	return (0);
}

/* Multi-document transactions: replica sets from 4.0 (wire 7), sharded
 * clusters from 4.2 (wire 8); never on a standalone server. */
static int
has_transactions(const mongoc_server_description_t *sd)
{
	const char	*type = mongoc_server_description_type(sd);
	int32_t		wire = max_wire_version(sd);

	if (strcmp(type, "RSPrimary") == 0)
		return (wire >= 7);
	if (strcmp(type, "Mongos") == 0 || strcmp(type, "LoadBalancer") == 0)
		return (wire >= 8);
	return (0);
}

static void
log_open(struct pgl_store *s, const struct options *o, const char *type)
{
	static int	warned;

	s->host->log(PGL_LOG_INFO, STORE_NAME ": database %s on %s (%s); "
	    "transactions: %s", o->database, first_host(s->uri), type,
	    s->tx_real ? "multi-document (session)" :
	    "none, NON-ATOMIC fallback");
	if (!s->tx_real && !warned) {
		warned = 1;
		s->host->log(PGL_LOG_WARN, STORE_NAME ": %s has no "
		    "multi-document transactions%s: multi-row writes (branch "
		    "create + copy, cascades, multi-table commits) are not "
		    "atomic and a rollback cannot undo them",
		    first_host(s->uri), o->tx == TX_OFF ?
		    " (transactions=off)" :
		    " (a standalone server; use a replica set)");
	}
}

/* Waits for the server (serverSelectionTimeoutMS) and looks at what it
 * is; an unreachable server fails the open here, with the reason. */
/* Command monitoring sees every command the handle's client sends
 * (getMore and commitTransaction included; not the handshakes and
 * heartbeats of server monitoring): round_trips, ABI 1.1. */
static void
command_started(const mongoc_apm_command_started_t *event)
{
	struct pgl_store	*s;

	s = mongoc_apm_command_started_get_context(event);
	s->round_trips++;
}

static int
count_commands(struct pgl_store *s)
{
	mongoc_apm_callbacks_t	*cbs;
	bool			ok;

	if ((cbs = mongoc_apm_callbacks_new()) == NULL)
		return (-1);
	mongoc_apm_set_command_started_cb(cbs, command_started);
	ok = mongoc_client_pool_set_apm_callbacks(s->pool, cbs, s);
	mongoc_apm_callbacks_destroy(cbs);
	return (ok ? 0 : -1);
}

static int
connect_server(struct pgl_store *s, const struct options *o,
    struct pgl_err *err)
{
	mongoc_server_description_t	*sd;
	bson_error_t			e;
	char				type[32];

	if ((s->pool = mongoc_client_pool_new_with_error(s->uri, &e)) == NULL)
		return (mongo_err(err, PGL_EINVAL,
		    STORE_NAME ": invalid url: %s", e.message));
	(void)mongoc_client_pool_set_error_api(s->pool,
	    MONGOC_ERROR_API_VERSION_2);
	(void)mongoc_client_pool_set_appname(s->pool, "pangolin");
	if (count_commands(s) == -1)
		return (mongo_err(err, PGL_EINTERNAL,
		    STORE_NAME ": cannot set up command monitoring"));
	if ((s->client = mongoc_client_pool_pop(s->pool)) == NULL)
		return (mongo_err(err, PGL_ENOMEM,
		    STORE_NAME ": cannot create a client"));
	if ((sd = mongoc_client_select_server(s->client, true, NULL, &e))
	    == NULL)
		return (mongo_err(err, PGL_EUNAVAIL, STORE_NAME
		    ": cannot reach %s: %s", first_host(s->uri), e.message));
	(void)snprintf(type, sizeof(type), "%s",
	    mongoc_server_description_type(sd));
	s->tx_real = o->tx == TX_ON || (o->tx == TX_AUTO &&
	    has_transactions(sd));
	s->wire = max_wire_version(sd);
	mongoc_server_description_destroy(sd);
	log_open(s, o, type);
	return (PGL_OK);
}

/*
 * The driver's own warnings and errors go to the host's log; its info,
 * debug and trace lines (a slow heartbeat, say) are dropped.  The handler
 * is process-wide, as libmongoc's logging is; every handle of a process
 * is opened by the same host.
 */
static const struct pgl_host	*log_host;

static void
driver_log(mongoc_log_level_t level, const char *domain, const char *msg,
    void *arg)
{
	(void)arg;
	if (level > MONGOC_LOG_LEVEL_WARNING || log_host == NULL)
		return;
	log_host->log(level == MONGOC_LOG_LEVEL_WARNING ? PGL_LOG_WARN :
	    PGL_LOG_ERR, STORE_NAME ": driver (%s): %s", domain, msg);
}

static void
mongo_close(struct pgl_store *s)
{
	struct pgl_err	ignored;
	int		i;

	if (s == NULL)
		return;
	if (s->tx_active)
		(void)mg_tx_abort(s, &ignored);
	if (s->session != NULL)
		mongoc_client_session_destroy(s->session);
	for (i = 0; i < NCOLLS; i++) {
		if (s->coll[i] != NULL)
			mongoc_collection_destroy(s->coll[i]);
	}
	if (s->db != NULL)
		mongoc_database_destroy(s->db);
	if (s->client != NULL)
		mongoc_client_pool_push(s->pool, s->client);
	if (s->pool != NULL)
		mongoc_client_pool_destroy(s->pool);
	if (s->uri != NULL)
		mongoc_uri_destroy(s->uri);
	free(s->usage);
	free(s);
}

static int
mongo_open(const struct pgl_host *host, const struct pgl_kv *opts,
    size_t nopts, struct pgl_store **out, struct pgl_err *err)
{
	struct options		o;
	struct pgl_store	*s;
	int			i, rc;

	*out = NULL;
	if (host == NULL || host->abi_major != PGL_HOST_ABI_MAJOR)
		return (mongo_err(err, PGL_EINVAL,
		    STORE_NAME ": host ABI major %d, expected %d",
		    host != NULL ? host->abi_major : -1, PGL_HOST_ABI_MAJOR));
	if ((rc = parse_options(opts, nopts, &o, err)) != PGL_OK)
		return (rc);
	if ((s = calloc(1, sizeof(*s))) == NULL)
		return (mongo_err(err, PGL_ENOMEM,
		    STORE_NAME ": out of memory"));
	s->host = host;
	/* Its slot of the usage ledger (mongo_usage.c): handles of one
	 * server (workers, runners) and of its replicas spread out. */
	s->usage_slot = (int)(((uint32_t)getpid() * 2654435761u ^
	    (uint32_t)time(NULL)) % 64);
	mongoc_init();		/* once per process; later calls are no-ops */
	log_host = host;
	mongoc_log_set_handler(driver_log, NULL);
	if ((rc = make_uri(s, &o, err)) == PGL_OK)
		rc = connect_server(s, &o, err);
	if (rc == PGL_OK) {
		s->db = mongoc_client_get_database(s->client, o.database);
		for (i = 0; i < NCOLLS; i++)
			s->coll[i] = mongoc_database_get_collection(s->db,
			    mongo_coll_names[i]);
		rc = mongo_schema(s, err);
	}
	if (rc != PGL_OK) {
		mongo_close(s);
		return (rc);
	}
	s->round_trips = 0;	/* what open sent does not count */
	*out = s;
	return (PGL_OK);
}

static int
mongo_ping(struct pgl_store *s, struct pgl_err *err)
{
	bson_error_t	e;
	bson_t		*cmd = BCON_NEW("ping", BCON_INT32(1));
	bson_t		reply;
	int		rc = PGL_OK;

	if (!mongoc_client_command_simple(s->client, "admin", cmd, NULL,
	    &reply, &e))
		rc = mongo_error(err, &e, &reply);
	bson_destroy(&reply);
	bson_destroy(cmd);
	return (rc);
}

static int
mongo_begin(struct pgl_store *s, struct pgl_err *err)
{
	int	rc;

	if (s->in_tx)
		return (mongo_err(err, PGL_EINVAL,
		    STORE_NAME ": a transaction is already open (no nesting)"));
	if (s->tx_real && (rc = mg_tx_start(s, err)) != PGL_OK)
		return (rc);
	s->in_tx = 1;
	return (PGL_OK);
}

static int
mongo_commit(struct pgl_store *s, struct pgl_err *err)
{
	if (!s->in_tx)
		return (mongo_err(err, PGL_EINVAL,
		    STORE_NAME ": commit without a transaction"));
	s->in_tx = 0;
	if (s->tx_active)
		return (mg_tx_commit(s, err));
	return (PGL_OK);
}

/* Rolling back with nothing open is not an error: the caller's cleanup
 * path must always succeed. */
static int
mongo_rollback(struct pgl_store *s, struct pgl_err *err)
{
	if (!s->in_tx)
		return (PGL_OK);
	s->in_tx = 0;
	if (s->tx_active)
		return (mg_tx_abort(s, err));
	s->host->log(PGL_LOG_WARN, STORE_NAME ": rollback without "
	    "transactions: the writes made since begin were NOT undone");
	return (PGL_OK);
}

/* Sessions' transactions undo on abort; without them nothing does. */
static int
mongo_atomic(struct pgl_store *s)
{
	return (s->tx_real);
}

static uint64_t
mongo_round_trips(struct pgl_store *s)
{
	return (s->round_trips);
}

static const struct pgl_store_ops ops = {
	.abi_major = PGL_STORE_ABI_MAJOR,
	.abi_minor = PGL_STORE_ABI_MINOR,
	.name = STORE_NAME,

	.open = mongo_open,
	.close = mongo_close,
	.ping = mongo_ping,
	.begin = mongo_begin,
	.commit = mongo_commit,
	.rollback = mongo_rollback,

	.create_tenant = mongo_create_tenant,
	.get_tenant = mongo_get_tenant,
	.list_tenants = mongo_list_tenants,
	.update_tenant = mongo_update_tenant,
	.delete_tenant = mongo_delete_tenant,

	.create_warehouse = mongo_create_warehouse,
	.get_warehouse = mongo_get_warehouse,
	.list_warehouses = mongo_list_warehouses,
	.update_warehouse = mongo_update_warehouse,
	.delete_warehouse = mongo_delete_warehouse,

	.create_catalog = mongo_create_catalog,
	.get_catalog = mongo_get_catalog,
	.list_catalogs = mongo_list_catalogs,
	.update_catalog = mongo_update_catalog,
	.delete_catalog = mongo_delete_catalog,
	.count_catalog = mongo_count_catalog,

	.create_namespace = mongo_create_namespace,
	.get_namespace = mongo_get_namespace,
	.list_namespaces = mongo_list_namespaces,
	.update_namespace = mongo_update_namespace,
	.delete_namespace = mongo_delete_namespace,

	.create_asset = mongo_create_asset,
	.get_asset = mongo_get_asset,
	.get_asset_by_id = mongo_get_asset_by_id,
	.list_assets = mongo_list_assets,
	.update_asset = mongo_update_asset,
	.delete_asset = mongo_delete_asset,
	.rename_asset = mongo_rename_asset,
	.list_all_assets_for_branch = mongo_list_all_assets_for_branch,
	.copy_assets_bulk = mongo_copy_assets_bulk,
	.update_metadata_location = mongo_update_metadata_location,

	.create_branch = mongo_create_branch,
	.get_branch = mongo_get_branch,
	.list_branches = mongo_list_branches,
	.delete_branch = mongo_delete_branch,
	.update_branch_head = mongo_update_branch_head,
	.create_tag = mongo_create_tag,
	.get_tag = mongo_get_tag,
	.list_tags = mongo_list_tags,
	.delete_tag = mongo_delete_tag,

	.create_commit = mongo_create_commit,
	.get_commit = mongo_get_commit,
	.get_commit_ancestry = mongo_get_commit_ancestry,
	.list_commit_ancestry = mongo_list_commit_ancestry,
	.create_merge_op = mongo_create_merge_op,
	.get_merge_op = mongo_get_merge_op,
	.list_merge_ops = mongo_list_merge_ops,
	.update_merge_op = mongo_update_merge_op,
	.create_merge_conflict = mongo_create_merge_conflict,
	.list_merge_conflicts = mongo_list_merge_conflicts,
	.update_merge_conflict = mongo_update_merge_conflict,
	.get_merge_base = mongo_get_merge_base,
	.get_merge_conflict = mongo_get_merge_conflict,
	.revoke_user_tokens = mongo_revoke_user_tokens,
	.delete_audit_events_before = mongo_delete_audit_events_before,
	.list_assets_after = mongo_list_assets_after,

	.get_settings = mongo_get_settings,
	.put_settings = mongo_put_settings,
	.put_business_metadata = mongo_put_business_metadata,
	.get_business_metadata = mongo_get_business_metadata,
	.delete_business_metadata = mongo_delete_business_metadata,
	.search_assets = mongo_search_assets,
	.search_names = mongo_search_names,
	.create_access_request = mongo_create_access_request,
	.get_access_request = mongo_get_access_request,
	.list_access_requests = mongo_list_access_requests,
	.review_access_request = mongo_review_access_request,
	.count_tenant = mongo_count_tenant,
	.put_plan_part = mongo_put_plan_part,
	.get_plan_part = mongo_get_plan_part,
	.delete_plan_parts = mongo_delete_plan_parts,
	.purge_plan_parts = mongo_purge_plan_parts,
	.plan_usage = mongo_plan_usage,
	.touch_plan_parts = mongo_touch_plan_parts,
	.fork_branch = mongo_fork_branch,
	.atomic = mongo_atomic,
	.append_event = mongo_append_event,
	.list_events = mongo_list_events,
	.event_horizon = mongo_event_horizon,
	.event_newest = mongo_event_newest,
	.purge_events = mongo_purge_events,
	.trim_events = mongo_trim_events,
	.event_usage = mongo_event_usage,
	.put_webhook = mongo_put_webhook,
	.get_webhook = mongo_get_webhook,
	.list_webhooks = mongo_list_webhooks,
	.delete_webhook = mongo_delete_webhook,
	.set_webhook_state = mongo_set_webhook_state,
	.claim_webhook = mongo_claim_webhook,
	/* Data policies and column tags (ABI 1.17): mongo_policies.c. */
	.put_policy = mongo_put_policy,
	.get_policy = mongo_get_policy,
	.list_policies = mongo_list_policies,
	.delete_policy = mongo_delete_policy,
	.set_column_tags = mongo_set_column_tags,
	.list_column_tags = mongo_list_column_tags,
	/* Recoverable drops (ABI 1.18): mongo_dropped.c. */
	.put_dropped = mongo_put_dropped,
	.get_dropped = mongo_get_dropped,
	.list_dropped = mongo_list_dropped,
	.delete_dropped = mongo_delete_dropped,
	.find_location_owner = mongo_find_location_owner,
	.list_location_owners = mongo_list_location_owners,
	/* Column tags in discovery search (ABI 1.19): mongo_policies.c
	 * (search_assets matches them: mongo_search.c). */
	.list_column_tags_of = mongo_list_column_tags_of,

	.put_idempotent = mongo_put_idempotent,
	.get_idempotent = mongo_get_idempotent,
	.purge_idempotent = mongo_purge_idempotent,

	.create_task = mongo_create_task,
	.get_task = mongo_get_task,
	.list_tasks = mongo_list_tasks,
	.claim_task = mongo_claim_task,
	.update_task = mongo_update_task,
	.cancel_task = mongo_cancel_task,

	/* Users, roles, permissions, service users, tokens, audit, merges,
	 * settings and tasks come with their own issues, as in SQLite. */

	.round_trips = mongo_round_trips,

	.create_user = mongo_create_user,
	.get_user = mongo_get_user,
	.get_user_by_username = mongo_get_user_by_username,
	.list_users = mongo_list_users,
	.update_user = mongo_update_user,
	.delete_user = mongo_delete_user,
	.store_token = mongo_store_token,
	.list_active_tokens = mongo_list_active_tokens,
	.get_token = mongo_get_token,
	.revoke_token = mongo_revoke_token,
	.is_token_revoked = mongo_is_token_revoked,
	.cleanup_expired_tokens = mongo_cleanup_expired_tokens,
	.create_role = mongo_create_role,
	.get_role = mongo_get_role,
	.list_roles = mongo_list_roles,
	.update_role = mongo_update_role,
	.delete_role = mongo_delete_role,
	.assign_role = mongo_assign_role,
	.revoke_role = mongo_revoke_role,
	.list_user_roles = mongo_list_user_roles,
	.create_permission = mongo_create_permission,
	.delete_permission = mongo_delete_permission,
	.list_permissions = mongo_list_permissions,
	.create_service_user = mongo_create_service_user,
	.get_service_user = mongo_get_service_user,
	.get_service_user_by_key_id = mongo_get_service_user_by_key_id,
	.list_service_users = mongo_list_service_users,
	.update_service_user = mongo_update_service_user,
	.delete_service_user = mongo_delete_service_user,
	.log_audit_event = mongo_log_audit_event,
	.list_audit_events = mongo_list_audit_events,
	.get_audit_event = mongo_get_audit_event,
	/* The usage ledger (ABI 1.27, issue 67): mongo_usage*.c. */
	.usage = mongo_usage,
	.usage_recount = mongo_usage_recount,
	.trim_audit = mongo_trim_audit,
};

PGL_EXPORT const struct pgl_store_ops *
pangolin_store_plugin(void)
{
	return (&ops);
}
