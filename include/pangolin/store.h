/*
 * The metadata store plugin ABI: the method table (struct pgl_store_ops),
 * each method's contract, the version gates and the one symbol a plugin
 * exports.  The entities the methods carry are in pangolin/store-t.h
 * (types only), included here.
 *
 * A store plugin is a shared object exporting pangolin_store_plugin(),
 * which returns a const struct pgl_store_ops: one descriptor, everything
 * else of the plugin static (nginx's ngx_module_t, SQLite's
 * sqlite3_io_methods).  The table mirrors the upstream CatalogStore
 * trait (pangolin-api.md §6) plus tasks and idempotency keys, and each
 * minor of the ABI appended a few methods after it.
 *
 * A method's contract is commented once, at its declaration, and says
 * only where it differs from these rules, which every method follows:
 *
 * returns	an enum pgl_status; on failure *err (E) holds the code and
 *		a one-line message.  Any method may also fail PGL_EUNAVAIL
 *		(the backend is away), PGL_ENOMEM or PGL_EINTERNAL.
 * inputs	the handle (S), then, for an entity, its tenant's id: no
 *		call sees or changes another tenant's rows (another
 *		tenant's row is PGL_ENOTFOUND).  A method that looks across
 *		tenants says so ("any tenant").  A struct argument's
 *		required fields are its key; NULL there is PGL_EINVAL.
 * outputs	copied into the caller's arena (A): the caller never frees
 *		plugin memory.  A list takes a page (P: limit 0 = all,
 *		offset) and fills an arena array, its count and, when total
 *		is non-NULL, the number of matches before paging; nothing
 *		found is an empty list, not an error.  From ABI 1.28 a
 *		page may start after a key instead (keyset pages, below).
 * errors	by verb:
 *		create_*  PGL_EEXISTS: its id or natural key is taken.
 *			  PGL_ENOTFOUND: what it belongs to (its tenant,
 *			  catalog, branch, ...) does not exist.
 *		get_*	  PGL_ENOTFOUND: there is none (of the tenant).
 *		update_*  PGL_ENOTFOUND: there is none.  PGL_EEXISTS: a
 *			  name it takes is another's.
 *		delete_*  PGL_ENOTFOUND: there was none.  What the row
 *			  holds goes with it, in the same transaction.
 * transaction	begin ... commit (or rollback) groups calls: a method
 *		called inside runs in that transaction and its writes land
 *		or vanish with it.  Called outside one, a method is a
 *		transaction of its own: what it writes (a cascade, a copy,
 *		a rename) lands whole or not at all.  Transactions do not
 *		nest.
 * retry	PGL_ERETRY (ABI 1.14, plugin.h): the transaction lost a
 *		race with another over the same rows, at whichever
 *		statement, or at commit (then nothing was committed).  The
 *		host rolls back and runs the whole work again, not the call
 *		(api_tx_retry: up to API_TX_ATTEMPTS runs).  PGL_ECONFLICT
 *		is only a compare-and-swap's answer (marked CAS below: the
 *		expected value no longer holds) or a row that has left the
 *		state the call needs: the caller reads again and decides;
 *		it is never retried blindly.
 * handles	one per process (Kore worker), used by one thread at a
 *		time, so handles need no locking: concurrency is between
 *		processes and replicas on one database.
 * presence	a method is required unless its comment says "May be
 *		NULL": the loader refuses a plugin that leaves a core one
 *		NULL, and the host calls the others without asking.  An
 *		optional one the host reads only through the version gates
 *		at the end of this file.
 *
 * Keyset pages (ABI 1.28): a page whose after is set (struct pgl_page,
 * struct pgl_page_key) holds the rows strictly after that key in the
 * list's order, read by an index from the key on (WHERE key > after
 * ORDER BY key LIMIT n), so that a page deep into a long list costs what
 * the first does, where an offset reads every row before it; and a row
 * created or deleted before the key between two pages neither repeats
 * nor hides another.  The key is the columns of the list's order, given
 * at each list: by name (s), by namespace then name (s, s2), by a time
 * or a sequence number then id (n, s).  search_assets (its own index),
 * list_merge_conflicts (bounded by a merge) and list_commit_ancestry
 * take none (the host walks a chain from a commit's parent).
 *
 * Changing the ABI: a method (or a struct field) is only ever appended,
 * at the end, under a comment naming its minor (PGL_STORE_ABI_MINOR + 1),
 * with a gate below and a line in the loader's layout checks
 * (src/plugin/loader.c).  Nothing moves or changes type: a plugin built
 * against an older minor loads unchanged.
 *
 * The methods by entity (the table is in ABI order: 1.0's by entity,
 * then each minor's appended, [minor]):
 *  lifecycle	open close ping, round_trips [1], atomic [13]
 *  transaction	begin commit rollback, announce_change changes_seen [4],
 *		defer_log_sync [21], begin_tenant [22], try_begin [23],
 *		defer_writes [24], commit_send commit_poll [25],
 *		read_after [29]
 *  tenants	create/get/list/update/delete_tenant, count_tenant [10],
 *		usage usage_recount [27]; warehouses, catalogs (and
 *		count_catalog), namespaces: create/get/list/update/delete
 *  assets	create/get/list/update/delete/rename_asset, get_asset_by_id,
 *		list_all_assets_for_branch, copy_assets_bulk,
 *		update_metadata_location, list_assets_after [9],
 *		find_location_owner list_location_owners [26]
 *  branches	create/get/list/delete_branch, update_branch_head,
 *		fork_branch [12]; tags: create/get/list/delete_tag
 *  commits	create/get_commit, get_commit_ancestry,
 *		list_commit_ancestry [2], get_merge_base [6]; merges:
 *		create/get/list/update_merge_op, create/list/
 *		update_merge_conflict, get_merge_conflict [6]
 *  identity	users, roles, assignments, grants, service users, tokens,
 *		get_token [3], revoke_user_tokens [7]
 *  audit	log/list/get_audit_event, delete_audit_events_before [8],
 *		trim_audit [27]
 *  governance	get/put_settings; business metadata, access requests,
 *		search_assets search_names [10], list_column_tags_of [19];
 *		policies and column tags [17], labels_any [30]
 *  operations	tasks; idempotency keys; plan parts [11, 14]; events
 *		[15, 16]; webhooks [16]; drops [18]
 */
#ifndef PANGOLIN_STORE_H
#define PANGOLIN_STORE_H

#include "pangolin/plugin.h"
#include "pangolin/store-t.h"

#define PGL_STORE_ABI_MAJOR	1
#define PGL_STORE_ABI_MINOR	30

#define S	struct pgl_store *
#define A	struct pgl_arena *
#define E	struct pgl_err *
#define P	const struct pgl_page *

struct pgl_store_ops {
	uint16_t	abi_major;
	uint16_t	abi_minor;	/* fields are only ever appended */
	const char	*name;

	/* --- ABI 1.0: the CatalogStore trait, by entity --- */

	/*
	 * Lifecycle.  open connects (and migrates the schema, once, however
	 * many processes open at once) with the [store.options] key/values:
	 * an unknown key or a bad value is PGL_EINVAL naming it.  Once per
	 * process.  close ends what open began; ping answers PGL_OK while
	 * the backend answers.
	 */
	int	(*open)(const struct pgl_host *, const struct pgl_kv *opts,
		    size_t nopts, struct pgl_store **, E);
	void	(*close)(S);
	int	(*ping)(S, E);
	/*
	 * Transactions.  begin inside one, or commit outside one, is
	 * PGL_EINVAL; rollback outside one does nothing.  commit may
	 * answer PGL_ERETRY (nothing committed).
	 */
	int	(*begin)(S, E);
	int	(*commit)(S, E);
	int	(*rollback)(S, E);

	/*
	 * Tenants, keyed by id; the name is unique too.  A tenant method
	 * takes no tenant argument: it names the tenant.  list: by name.
	 * delete takes every row the tenant owns but its change events,
	 * push sinks (the host deletes its webhooks) and audit events,
	 * which outlive it until purged.
	 */
	int	(*create_tenant)(S, const struct pgl_tenant *, E);
	int	(*get_tenant)(S, A, const char *id, struct pgl_tenant *, E);
	int	(*list_tenants)(S, A, P, struct pgl_tenant **, size_t *,
		    uint64_t *total, E);
	int	(*update_tenant)(S, const struct pgl_tenant *, E);
	int	(*delete_tenant)(S, const char *id, E);

	/*
	 * Warehouses, keyed by (tenant, name).  list: by name.
	 * update_warehouse replaces the row named old_name, and a new name
	 * follows into its catalogs' warehouse_name.  delete: PGL_EINUSE
	 * while a catalog names it.
	 */
	int	(*create_warehouse)(S, const struct pgl_warehouse *, E);
	int	(*get_warehouse)(S, A, const char *tenant, const char *name,
		    struct pgl_warehouse *, E);
	int	(*list_warehouses)(S, A, const char *tenant, P,
		    struct pgl_warehouse **, size_t *, uint64_t *, E);
	int	(*update_warehouse)(S, const char *old_name,
		    const struct pgl_warehouse *, E);
	int	(*delete_warehouse)(S, const char *tenant, const char *name,
		    E);

	/*
	 * Catalogs, keyed by (tenant, name).  create: PGL_ENOTFOUND for a
	 * warehouse_name that is not the tenant's.  list: by name.  delete
	 * takes everything inside: namespaces, assets on every branch,
	 * branches, tags, commits, merges, drops, policies.  count_catalog
	 * counts what the catalog holds (struct pgl_catalog_counts).
	 */
	int	(*create_catalog)(S, const struct pgl_catalog *, E);
	int	(*get_catalog)(S, A, const char *tenant, const char *name,
		    struct pgl_catalog *, E);
	int	(*list_catalogs)(S, A, const char *tenant, P,
		    struct pgl_catalog **, size_t *, uint64_t *, E);
	int	(*update_catalog)(S, const char *tenant,
		    const struct pgl_catalog *, E);
	int	(*delete_catalog)(S, const char *tenant, const char *name, E);
	int	(*count_catalog)(S, const char *tenant, const char *catalog,
		    struct pgl_catalog_counts *, E);

	/*
	 * Namespaces, keyed by (tenant, catalog, name).  list: by name;
	 * parent NULL lists the whole catalog, "" the top level, else the
	 * direct children of parent.  delete takes the namespace's assets
	 * on every branch, not its child namespaces.
	 */
	int	(*create_namespace)(S, const char *tenant,
		    const struct pgl_namespace *, E);
	int	(*get_namespace)(S, A, const char *tenant, const char *catalog,
		    const char *ns, struct pgl_namespace *, E);
	int	(*list_namespaces)(S, A, const char *tenant,
		    const char *catalog, const char *parent, P,
		    struct pgl_namespace **, size_t *, uint64_t *, E);
	int	(*update_namespace)(S, const char *tenant,
		    const struct pgl_namespace *, E);
	int	(*delete_namespace)(S, const char *tenant, const char *catalog,
		    const char *ns, E);

	/*
	 * Assets (tables, views, generic), keyed by (tenant, catalog,
	 * branch, ns, name); on a forked branch as fork_branch (1.12)
	 * says.  create: PGL_ENOTFOUND without the branch or the
	 * namespace; a.origin as struct pgl_asset says.  update writes
	 * the row of a's key.  list (kind NULL: any) and
	 * list_all_assets_for_branch (every asset of a branch in one
	 * round trip, for conflict detection): by namespace, then name
	 * (list's key: s the namespace, s2 the name).
	 * rename_asset moves src_ns.src to dst_ns.dst on one branch:
	 * PGL_EEXISTS when the destination is taken.
	 */
	int	(*create_asset)(S, const char *tenant, const struct pgl_asset *,
		    E);
	int	(*get_asset)(S, A, const char *tenant, const char *catalog,
		    const char *branch, const char *ns, const char *name,
		    struct pgl_asset *, E);
	int	(*get_asset_by_id)(S, A, const char *tenant, const char *id,
		    struct pgl_asset *, E);
	int	(*list_assets)(S, A, const char *tenant, const char *catalog,
		    const char *branch, const char *ns, const char *kind, P,
		    struct pgl_asset **, size_t *, uint64_t *, E);
	int	(*update_asset)(S, const char *tenant, const struct pgl_asset *,
		    E);
	int	(*delete_asset)(S, const char *tenant, const char *catalog,
		    const char *branch, const char *ns, const char *name, E);
	int	(*rename_asset)(S, const char *tenant, const char *catalog,
		    const char *branch, const char *src_ns, const char *src,
		    const char *dst_ns, const char *dst, E);
	int	(*list_all_assets_for_branch)(S, A, const char *tenant,
		    const char *catalog, const char *branch,
		    struct pgl_asset **, size_t *, E);
	/*
	 * Copy the assets of branch src into dst in one statement, giving
	 * the copies new ids (and keeping their origins); *copied says how
	 * many.  ns_filter (NULL: all) keeps one namespace and its
	 * children; names_json (NULL: all) is a JSON array of "ns.table"
	 * names to keep.  All or nothing.
	 */
	int	(*copy_assets_bulk)(S, const char *tenant, const char *catalog,
		    const char *src, const char *dst, const char *ns_filter,
		    const char *names_json, uint64_t *copied, E);
	/*
	 * CAS of a table's pointer: metadata_location becomes new_location
	 * where it is expected, else PGL_ECONFLICT (the commit loop reads
	 * the table again).
	 */
	int	(*update_metadata_location)(S, const char *tenant,
		    const char *catalog, const char *branch, const char *ns,
		    const char *name, const char *expected,
		    const char *new_location, E);

	/*
	 * Branches and tags, keyed by (tenant, catalog, name).  list: by
	 * name.  delete_branch takes the branch and every asset it owns;
	 * a branch forked from it keeps what it saw (1.12).
	 * update_branch_head: CAS of the head (expected NULL: no head
	 * yet), PGL_ECONFLICT when it moved.
	 */
	int	(*create_branch)(S, const char *tenant,
		    const struct pgl_branch *, E);
	int	(*get_branch)(S, A, const char *tenant, const char *catalog,
		    const char *name, struct pgl_branch *, E);
	int	(*list_branches)(S, A, const char *tenant, const char *catalog,
		    P, struct pgl_branch **, size_t *, uint64_t *, E);
	int	(*delete_branch)(S, const char *tenant, const char *catalog,
		    const char *name, E);
	int	(*update_branch_head)(S, const char *tenant,
		    const char *catalog, const char *name,
		    const char *expected, const char *new_head, E);
	int	(*create_tag)(S, const char *tenant, const struct pgl_tag *, E);
	int	(*get_tag)(S, A, const char *tenant, const char *catalog,
		    const char *name, struct pgl_tag *, E);
	int	(*list_tags)(S, A, const char *tenant, const char *catalog, P,
		    struct pgl_tag **, size_t *, uint64_t *, E);
	int	(*delete_tag)(S, const char *tenant, const char *catalog,
		    const char *name, E);

	/*
	 * Commits, keyed by (tenant, id); they go with their catalog.
	 * get_commit_ancestry: head first, following parent_id, at most
	 * limit commits; PGL_ENOTFOUND when head is not the tenant's.
	 */
	int	(*create_commit)(S, const char *tenant,
		    const struct pgl_commit *, E);
	int	(*get_commit)(S, A, const char *tenant, const char *id,
		    struct pgl_commit *, E);
	int	(*get_commit_ancestry)(S, A, const char *tenant,
		    const char *head, uint32_t limit, struct pgl_commit **,
		    size_t *, E);

	/*
	 * Idempotency keys (Iceberg REST Idempotency-Key), keyed by
	 * (tenant, key).  put: PGL_EEXISTS while the key is live (a
	 * concurrent request got there first); an expired one is
	 * replaced.  get: PGL_ENOTFOUND for none or one expired at
	 * now_ms.  purge: the expired keys of any tenant.
	 */
	int	(*put_idempotent)(S, const char *tenant,
		    const struct pgl_idempotent *, E);
	int	(*get_idempotent)(S, A, const char *tenant, const char *key,
		    int64_t now_ms, struct pgl_idempotent *, E);
	int	(*purge_idempotent)(S, int64_t now_ms, uint64_t *purged, E);

	/*
	 * Users, keyed by id, with usernames unique store-wide (login
	 * finds a user before it knows a tenant): get_user,
	 * get_user_by_username, update_user and delete_user look in any
	 * tenant, and a root user has no tenant.  ABI 1.14: a name is
	 * unique by its key as well (host->name_key, plugin.h), so `Bob`
	 * and `bob`, or `bob` and `bob<U+200B>`, are one name: create and
	 * update answer PGL_EEXISTS for a name whose key another user's
	 * has (service users: within their tenant).  Rows of before get
	 * their keys at the first open (docs/architecture.md, ABI 1.14).
	 * list_users: the tenant's, by username.  delete_user takes the
	 * user's tokens (revoked), role assignments and grants.
	 */
	int	(*create_user)(S, const struct pgl_user *, E);
	int	(*get_user)(S, A, const char *id, struct pgl_user *, E);
	int	(*get_user_by_username)(S, A, const char *username,
		    struct pgl_user *, E);
	int	(*list_users)(S, A, const char *tenant, P, struct pgl_user **,
		    size_t *, uint64_t *, E);
	int	(*update_user)(S, const struct pgl_user *, E);
	int	(*delete_user)(S, const char *id, E);
	/*
	 * Roles, keyed by (tenant, id), names unique per tenant; doc comes
	 * back byte for byte.  list_roles: by name.  delete_role takes its
	 * assignments.  assign_role gives user_id (a user or a service
	 * user: the host checks which) the role, PGL_ENOTFOUND without the
	 * role; assigning again keeps the first assignment and its doc.
	 * revoke_role: PGL_ENOTFOUND when not assigned.  list_user_roles:
	 * the principal's roles, by name.
	 */
	int	(*create_role)(S, const struct pgl_role *, E);
	int	(*get_role)(S, A, const char *tenant, const char *id,
		    struct pgl_role *, E);
	int	(*list_roles)(S, A, const char *tenant, P, struct pgl_role **,
		    size_t *, uint64_t *, E);
	int	(*update_role)(S, const struct pgl_role *, E);
	int	(*delete_role)(S, const char *tenant, const char *id, E);
	int	(*assign_role)(S, const char *tenant, const char *user_id,
		    const char *role_id, const char *doc, E);
	int	(*revoke_role)(S, const char *tenant, const char *user_id,
		    const char *role_id, E);
	int	(*list_user_roles)(S, A, const char *tenant,
		    const char *user_id, struct pgl_role **, size_t *, E);
	/*
	 * Direct grants, keyed by (tenant, id).  list_permissions: of
	 * user_id (NULL: the tenant's), in creation order (key: seq, id;
	 * struct pgl_permission).  They go with
	 * their principal and their tenant.
	 */
	int	(*create_permission)(S, const struct pgl_permission *, E);
	int	(*delete_permission)(S, const char *tenant, const char *id, E);
	int	(*list_permissions)(S, A, const char *tenant,
		    const char *user_id, P, struct pgl_permission **, size_t *,
		    uint64_t *, E);

	/*
	 * Service users, keyed by (tenant, id), names (and their keys, as
	 * users') unique per tenant, key_id unique store-wide:
	 * get_service_user_by_key_id looks in any tenant (it runs on every
	 * API call).  list: by name.  delete takes its assignments and
	 * grants.
	 */
	int	(*create_service_user)(S, const struct pgl_service_user *, E);
	int	(*get_service_user)(S, A, const char *tenant, const char *id,
		    struct pgl_service_user *, E);
	int	(*get_service_user_by_key_id)(S, A, const char *key_id,
		    struct pgl_service_user *, E);
	int	(*list_service_users)(S, A, const char *tenant, P,
		    struct pgl_service_user **, size_t *, uint64_t *, E);
	int	(*update_service_user)(S, const struct pgl_service_user *, E);
	int	(*delete_service_user)(S, const char *tenant, const char *id,
		    E);
	/*
	 * Session tokens: the store keeps a token's id (jti) and metadata,
	 * never the token.  list_active_tokens: user_id's tokens of tenant
	 * (NULL: a root user's) not expired at now_ms nor revoked, the
	 * latest expiry first, then by id (key: expires_at_ms, id).  revoke_token records the revocation by
	 * jti (any tenant) until expires_at_ms (again: the later expiry).
	 * is_token_revoked sets *revoked; any failure must fail closed
	 * (the host then refuses the token).  cleanup_expired_tokens
	 * removes the tokens and revocations of any tenant expired at
	 * now_ms.
	 */
	int	(*store_token)(S, const struct pgl_token *, E);
	int	(*list_active_tokens)(S, A, const char *tenant,
		    const char *user_id, int64_t now_ms, P, struct pgl_token **,
		    size_t *, uint64_t *, E);
	int	(*revoke_token)(S, const char *jti, int64_t expires_at_ms,
		    const char *reason, E);
	int	(*is_token_revoked)(S, const char *jti, int *revoked, E);
	int	(*cleanup_expired_tokens)(S, int64_t now_ms, uint64_t *removed,
		    E);

	/*
	 * The audit log, append-only; events outlive their tenant.  tenant
	 * NULL (root's view) lists and gets across tenants.  list: the
	 * filter's (struct pgl_audit_filter; NULL fields match any),
	 * newest first (key: timestamp_ms then id, both descending).
	 */
	int	(*log_audit_event)(S, const struct pgl_audit_event *, E);
	int	(*list_audit_events)(S, A, const char *tenant,
		    const struct pgl_audit_filter *, P,
		    struct pgl_audit_event **, size_t *, uint64_t *, E);
	int	(*get_audit_event)(S, A, const char *tenant, const char *id,
		    struct pgl_audit_event *, E);

	/*
	 * Merge operations and their conflicts (implemented since ABI
	 * 1.6), keyed by (tenant, id); they go with their catalog.
	 * create_merge_op: PGL_ENOTFOUND without the catalog.
	 * list_merge_ops: the catalog's, newest first (key:
	 * initiated_at_ms then id, both descending).
	 * create_merge_conflict: PGL_ENOTFOUND without its operation.
	 * list_merge_conflicts: the operation's, in creation order (by
	 * offset only: an operation's conflicts are bounded by its tables).
	 * update_merge_op writes status and doc, update_merge_conflict
	 * doc.
	 */
	int	(*create_merge_op)(S, const struct pgl_merge_op *, E);
	int	(*get_merge_op)(S, A, const char *tenant, const char *id,
		    struct pgl_merge_op *, E);
	int	(*list_merge_ops)(S, A, const char *tenant, const char *catalog,
		    P, struct pgl_merge_op **, size_t *, uint64_t *, E);
	int	(*update_merge_op)(S, const struct pgl_merge_op *, E);
	int	(*create_merge_conflict)(S, const char *tenant,
		    const struct pgl_merge_conflict *, E);
	int	(*list_merge_conflicts)(S, A, const char *tenant,
		    const char *merge_op_id, P, struct pgl_merge_conflict **,
		    size_t *, uint64_t *, E);
	int	(*update_merge_conflict)(S, const char *tenant,
		    const struct pgl_merge_conflict *, E);

	/*
	 * Settings: one JSON document per tenant (implemented since ABI
	 * 1.10).  get: PGL_ENOTFOUND when none was put; put replaces it
	 * (PGL_ENOTFOUND without the tenant).  They go with the tenant.
	 */
	int	(*get_settings)(S, A, const char *tenant, const char **doc, E);
	int	(*put_settings)(S, const char *tenant, const char *doc, E);

	/*
	 * Background tasks (struct pgl_task; implemented since ABI 1.5).
	 * create: queued, attempts 0.  list_tasks: the filter's, newest
	 * first (key: created_at_ms then id, both descending).
	 */
	int	(*create_task)(S, const struct pgl_task *, E);
	int	(*get_task)(S, A, const char *tenant, const char *id,
		    struct pgl_task *, E);
	int	(*list_tasks)(S, A, const char *tenant,
		    const struct pgl_task_filter *, P, struct pgl_task **,
		    size_t *, uint64_t *, E);
	/*
	 * Takes one task of any tenant, atomically (two runners never get
	 * one task): a running task whose lease expired, else a queued one
	 * with tenants in turn (issue 23): the oldest queued task of the
	 * tenant whose last claim is the oldest (tenants never claimed
	 * first, then the longest waiting), so one tenant's backlog delays
	 * another's task by at most one claim per runner.  The task is
	 * then running for lease_owner until now_ms + lease_ms, attempts +
	 * 1, started_at set once.  PGL_ENOTFOUND: nothing to claim.
	 */
	int	(*claim_task)(S, A, const char *lease_owner, int64_t now_ms,
		    int64_t lease_ms, struct pgl_task *, E);
	/*
	 * Writes progress, phase, message, status, result, error and the
	 * lease of a task still held by t->lease_owner: PGL_ECONFLICT once
	 * another runner holds it, or it ended.  Status "queued" hands it
	 * back (the lease released).
	 */
	int	(*update_task)(S, const struct pgl_task *, E);
	/*
	 * A queued task is cancelled at once, a running one gets
	 * cancel_requested for its runner to see; PGL_ECONFLICT when it
	 * has already ended.
	 */
	int	(*cancel_task)(S, const char *tenant, const char *id, E);

	/* --- ABI 1.1 and later: appended, one minor at a time --- */

	/*
	 * ABI 1.1: statements or commands sent to the backend since open
	 * (one libpq round trip, one mongoc command, one SQLite statement
	 * execution), so that benchmarks prove the single-query methods
	 * stay constant in round trips.  May be NULL.
	 */
	uint64_t	(*round_trips)(S);

	/*
	 * ABI 1.2: one page of head's ancestry (head first) and the length
	 * of the whole chain in total.  PGL_ENOTFOUND when head does not
	 * exist; an offset past the end is an empty page.  Required: the
	 * commit history route pages with it.
	 */
	int	(*list_commit_ancestry)(S, A, const char *tenant,
		    const char *head, P, struct pgl_commit **, size_t *,
		    uint64_t *, E);

	/*
	 * ABI 1.3: one recorded session token by id (its jti), of any
	 * tenant: the caller checks the tenant.  PGL_ENOTFOUND when there
	 * is none (never stored, expired and cleaned up, or revoked by a
	 * store that drops the active row).  Required.
	 */
	int	(*get_token)(S, A, const char *id, struct pgl_token *, E);

	/*
	 * ABI 1.4: configuration changes between servers on one store.
	 * announce_change, called inside a transaction, tells every other
	 * handle on the same database, once (and only if) the transaction
	 * commits, that configuration changed.  changes_seen sets *seen when
	 * another handle announced a change since the last call; it never
	 * blocks, and a handle that may have missed one (it reconnected)
	 * reports it as seen.  May be NULL (both): the host then relies on
	 * its caches' TTL for other servers' changes.
	 */
	int	(*announce_change)(S, E);
	int	(*changes_seen)(S, int *seen, E);

	/*
	 * ABI 1.6: the merge base of two commits, in one query: of the
	 * commits reachable from both a and b (a commit reaches itself, and
	 * both parent_id and merge_parent_id are followed), the newest
	 * (timestamp, then the smallest sum of distances from a and b).
	 * *base NULL when they share no ancestor; PGL_ENOTFOUND when a or b
	 * is not a commit of the tenant.
	 */
	int	(*get_merge_base)(S, A, const char *tenant, const char *a,
		    const char *b, const char **base, E);
	/* ABI 1.6: one conflict by id (resolve names only the conflict). */
	int	(*get_merge_conflict)(S, A, const char *tenant, const char *id,
		    struct pgl_merge_conflict *, E);

	/*
	 * ABI 1.7: revoke every recorded token of user_id (a user or a
	 * service user, any tenant) not expired at now_ms, in one write:
	 * is_token_revoked answers 1 for each from then on.  The rows stay
	 * until they expire (get_token still finds them, for a revoke by
	 * id), but no longer list as active.
	 */
	int	(*revoke_user_tokens)(S, const char *user_id, int64_t now_ms,
		    const char *reason, E);

	/*
	 * ABI 1.8: audit retention.  Deletes at most limit (> 0) audit
	 * events of any tenant older than before_ms, oldest first, in one
	 * short write (a is scratch space); *deleted says how many (fewer
	 * than limit: none older is left).  The caller loops outside a
	 * transaction, so no call holds a lock for long.  May be NULL: the
	 * host then keeps every event.
	 */
	int	(*delete_audit_events_before)(S, A, int64_t before_ms,
		    uint32_t limit, uint64_t *deleted, E);

	/*
	 * ABI 1.9: the next limit (> 0) assets of list_assets' order
	 * strictly after the key (after_ns, after_name), reading only id,
	 * catalog, branch, ns, name and kind (the rest NULL or 0): a long
	 * list reads each row once, where OFFSET re-reads every row before
	 * the page.  ns NULL: the whole branch, and after_ns is the key's
	 * namespace; with ns, after_ns is ignored.  May be NULL: the host
	 * pages by offset.
	 */
	int	(*list_assets_after)(S, A, const char *tenant,
		    const char *catalog, const char *branch, const char *ns,
		    const char *kind, const char *after_ns,
		    const char *after_name, uint32_t limit,
		    struct pgl_asset **, size_t *, E);

	/*
	 * ABI 1.10: business metadata, discovery, access requests and the
	 * dashboard (pangolin-api.md §2.10, §2.11).  Each is one round trip
	 * or a fixed few, whatever the number of assets.  Required.
	 *
	 * put_business_metadata upserts by asset_id: PGL_ENOTFOUND when the
	 * asset is not the tenant's; an update keeps id, created_by and
	 * created_at of the first put.  get (one read by key: the
	 * authorization of a tenant user reads an asset's tags this way)
	 * and delete: PGL_ENOTFOUND when the asset has none.
	 */
	int	(*put_business_metadata)(S, const char *tenant,
		    const struct pgl_business_metadata *, E);
	int	(*get_business_metadata)(S, A, const char *tenant,
		    const char *asset_id, struct pgl_business_metadata *, E);
	int	(*delete_business_metadata)(S, const char *tenant,
		    const char *asset_id, E);
	/*
	 * The page of hits of q (struct pgl_asset_query says what matches
	 * and in which order) and their total, through a text index
	 * (SQLite FTS5 trigram, PostgreSQL pg_trgm, MongoDB a trigram
	 * multikey index): a search does not read every asset.  total
	 * may be NULL: the page alone, nothing counted (issue 69).
	 */
	int	(*search_assets)(S, A, const char *tenant,
		    const struct pgl_asset_query *q, P, struct pgl_asset_hit **,
		    size_t *, uint64_t *total, E);
	/*
	 * The first limit catalogs, namespaces or branches of the tenant
	 * whose name holds text as a case-insensitive substring (a
	 * namespace's levels joined by '.' for the match), by name.
	 */
	int	(*search_names)(S, A, const char *tenant, enum pgl_name_kind,
		    const char *text, uint32_t limit, struct pgl_name_hit **,
		    size_t *, E);
	/*
	 * Access requests, keyed by (tenant, id); they go with their
	 * asset.  create: PGL_ENOTFOUND when the asset is not the
	 * tenant's.  list: newest first (key: requested_at_ms then id, both
	 * descending); user_id NULL lists the tenant's.
	 * review writes status, reviewed_by, reviewed_at and
	 * review_comment of a request still pending: PGL_ECONFLICT once it
	 * was reviewed.
	 */
	int	(*create_access_request)(S, const struct pgl_access_request *,
		    E);
	int	(*get_access_request)(S, A, const char *tenant, const char *id,
		    struct pgl_access_request *, E);
	int	(*list_access_requests)(S, A, const char *tenant,
		    const char *user_id, P, struct pgl_access_request **,
		    size_t *, uint64_t *, E);
	int	(*review_access_request)(S, const struct pgl_access_request *,
		    E);
	/* The dashboard's counts (NULL tenant: every tenant's), in one
	 * round trip on SQL stores. */
	int	(*count_tenant)(S, const char *tenant,
		    struct pgl_tenant_counts *, E);

	/*
	 * ABI 1.11: scan plan parts (struct pgl_plan_part), by tenant.
	 * put: PGL_ECONFLICT when (plan_id, seq) exists unexpired.  get:
	 * the part unless it expired at now_ms (PGL_ENOTFOUND, as for
	 * none).  delete_plan_parts removes every part of the plan (none:
	 * PGL_OK).  purge_plan_parts removes at most limit expired parts
	 * of any tenant (expires_at_ms < now_ms) in one short write;
	 * *purged says how many.  May be NULL: see pgl_store_has_plan_parts.
	 */
	int	(*put_plan_part)(S, const char *tenant,
		    const struct pgl_plan_part *, E);
	int	(*get_plan_part)(S, A, const char *tenant, const char *plan_id,
		    uint32_t seq, int64_t now_ms, struct pgl_plan_part *, E);
	int	(*delete_plan_parts)(S, const char *tenant, const char *plan_id,
		    E);
	int	(*purge_plan_parts)(S, int64_t now_ms, uint32_t limit,
		    uint64_t *purged, E);

	/*
	 * ABI 1.12: make branch b (b->head_commit_id set by the caller) a
	 * copy-on-write child of branch from, in time and space independent
	 * of the number of assets: b sees every asset of from as it is now,
	 * and from's later changes stay invisible to it, as b's are to from.
	 * Every asset method answers for a forked branch as if it held
	 * copies (asset.branch is the branch asked about); an asset b has not
	 * changed keeps its source's id until b changes it.  delete_branch
	 * of a parent keeps its children's view.  PGL_ENOTFOUND: no branch
	 * from; PGL_EEXISTS: b exists.  b->parent is ignored (it is from).
	 * May be NULL: the host then copies the rows (copy_assets_bulk).
	 */
	int	(*fork_branch)(S, const char *tenant, const struct pgl_branch *b,
		    const char *from, E);

	/*
	 * ABI 1.13: 1 when rollback undoes every write since begin (the
	 * host then swaps several commits in one transaction); 0 when
	 * writes apply at once (a MongoDB server without sessions).  May
	 * be NULL: taken as 0.
	 */
	int	(*atomic)(S);

	/*
	 * ABI 1.14: the stored plans' usage (struct pgl_plan_usage) of
	 * parts unexpired at now_ms: of tenant (one row, none when it holds
	 * none), or, tenant NULL, of every tenant holding any, the most bytes
	 * first, at most limit rows (0: all).  Each put_plan_part records its
	 * body's length, so neither reads a body.  touch_plan_parts sets the
	 * expiry of every part of the plan still unexpired at now_ms (none:
	 * PGL_OK).  May be NULL: the host then keeps no plan parts, since
	 * it could not bound them.
	 */
	int	(*plan_usage)(S, A, const char *tenant, int64_t now_ms,
		    uint32_t limit, struct pgl_plan_usage **, size_t *, E);
	int	(*touch_plan_parts)(S, const char *tenant, const char *plan_id,
		    int64_t now_ms, int64_t expires_at_ms, E);

	/*
	 * ABI 1.15: change events, the outbox (struct pgl_event).  May be
	 * NULL (all six): the host then records no events and answers the
	 * feed's routes 501.
	 *
	 * append_event records e in the caller's transaction, so the event
	 * commits or rolls back with its change (outside one, it is a
	 * transaction of its own).  It sets *seq and holds the tenant's
	 * event order until the transaction ends: call it last, just
	 * before commit, so that the tenant's other writers wait the
	 * shortest time.  A store whose rollback does not undo (atomic()
	 * 0) keeps the event of a change rolled back, and its seq follows
	 * the order of appends, not of commits.  PGL_EEXISTS: the id is
	 * taken.
	 */
	int	(*append_event)(S, const struct pgl_event *e, uint64_t *seq, E);
	/* The page the filter names (struct pgl_event_filter), every
	 * field of each event. */
	int	(*list_events)(S, A, const char *tenant,
		    const struct pgl_event_filter *, struct pgl_event **,
		    size_t *, E);
	/*
	 * *seq: the highest seq removed (purged or trimmed) from the stream
	 * a list with the same tenant and catalog reads (catalog NULL: the
	 * tenant's), 0 when none was: a reader whose after_seq is below it
	 * has missed events (410 Gone).  It outlives the events it names.
	 */
	int	(*event_horizon)(S, const char *tenant, const char *catalog,
		    uint64_t *seq, E);
	/*
	 * purge_events deletes at most limit (> 0) events of any tenant
	 * with ts_ms < before_ms, oldest first, in one short write;
	 * trim_events the n oldest of one tenant (its limit).  *purged says
	 * how many went; the caller loops.  Events outlive their tenant
	 * (its deletion is an event too) until purged.
	 */
	int	(*purge_events)(S, int64_t before_ms, uint32_t limit,
		    uint64_t *purged, E);
	int	(*trim_events)(S, const char *tenant, uint32_t n,
		    uint64_t *purged, E);
	/*
	 * The outbox of tenant (one row, none when it has no event) or,
	 * tenant NULL, of every tenant holding any, the most events first,
	 * at most limit rows (0: all).  Each append records the body's
	 * length, so no body is read.
	 */
	int	(*event_usage)(S, A, const char *tenant, uint32_t limit,
		    struct pgl_event_usage **, size_t *, E);

	/*
	 * ABI 1.16: push sinks (struct pgl_webhook: which method writes
	 * which fields), keyed by (tenant_id, id).  May be NULL (all seven,
	 * event_newest with them): the host then answers the webhook routes
	 * 501 and delivers nothing.
	 *
	 * put_webhook with create 1 inserts w whole (config and state; no
	 * lease), PGL_EEXISTS when the key is taken; with create 0 it
	 * writes the config fields and updated_ms of the existing one,
	 * PGL_ENOTFOUND when there is none, and leaves state and lease.
	 */
	int	(*put_webhook)(S, const struct pgl_webhook *w, int create, E);
	int	(*get_webhook)(S, A, const char *tenant, const char *id,
		    struct pgl_webhook *, E);
	/* Those of tenant, or of every tenant when tenant is NULL, oldest
	 * created first (then by id), every field. */
	int	(*list_webhooks)(S, A, const char *tenant,
		    struct pgl_webhook **, size_t *, E);
	int	(*delete_webhook)(S, const char *tenant, const char *id, E);
	/*
	 * Writes the state fields of w's key.  With owner, only while the
	 * lease is owner's (else PGL_ECONFLICT: the dispatcher lost it, or
	 * a route reset the state meanwhile); owner NULL (a route: resume,
	 * replay) writes whatever the lease and clears it, so a dispatcher
	 * halfway through a batch cannot write its older cursor over the
	 * new one.
	 */
	int	(*set_webhook_state)(S, const struct pgl_webhook *w,
		    const char *owner, E);
	/*
	 * Gives the lease to owner until until_ms when it is free (no
	 * owner), owner's already, or expired (lease_until_ms < now_ms):
	 * *got 1, else 0.
	 */
	int	(*claim_webhook)(S, const char *tenant, const char *id,
		    const char *owner, int64_t now_ms, int64_t until_ms,
		    int *got, E);
	/*
	 * *seq: the highest seq of tenant's stream a reader can have been
	 * handed or have missed: its newest event kept, or its horizon
	 * (event_horizon, catalog NULL) when that is higher, as after
	 * every event was purged; 0 when it has neither.  A new
	 * subscription starts there (it receives the changes from now on),
	 * and a reader already there has missed nothing.
	 */
	int	(*event_newest)(S, const char *tenant, uint64_t *seq, E);

	/*
	 * ABI 1.17: data policies (struct pgl_policy) and column tags
	 * (struct pgl_column_tag); issue 46.  May be NULL (all six): the
	 * host then answers the policy routes 501, and a table has no
	 * policies.
	 *
	 * put_policy with create 1 inserts p (PGL_EEXISTS: its id or its
	 * name is the tenant's already; PGL_ENOTFOUND: no such catalog);
	 * with create 0 it writes name, scope, doc and updated_ms of the
	 * existing one (PGL_ENOTFOUND; PGL_EEXISTS for a name taken).
	 * list_policies: the tenant's (of one catalog unless catalog is
	 * NULL), by name.
	 */
	int	(*put_policy)(S, const struct pgl_policy *, int create, E);
	int	(*get_policy)(S, A, const char *tenant, const char *id,
		    struct pgl_policy *, E);
	int	(*list_policies)(S, A, const char *tenant, const char *catalog,
		    P, struct pgl_policy **, size_t *, uint64_t *total, E);
	int	(*delete_policy)(S, const char *tenant, const char *id, E);
	/*
	 * set_column_tags replaces every column tag of the asset with the n
	 * given (0: none left); PGL_ENOTFOUND when the asset is not the
	 * tenant's.  list_column_tags: those of one asset (asset_id), or,
	 * asset_id NULL, every column of the tenant holding tag; by asset,
	 * field id, then tag.
	 */
	int	(*set_column_tags)(S, const char *tenant, const char *asset_id,
		    const struct pgl_column_tag *, size_t n, E);
	int	(*list_column_tags)(S, A, const char *tenant,
		    const char *asset_id, const char *tag,
		    struct pgl_column_tag **, size_t *, E);

	/*
	 * ABI 1.18: recoverable drops (struct pgl_dropped), keyed by
	 * (tenant_id, id); they go with their catalog (and tenant).  May
	 * be NULL (all four): the host then makes every drop final.  ABI
	 * 1.20: column_tags is kept and given back (an older plugin keeps
	 * none, and a restored table's columns come back untagged).
	 *
	 * put_dropped inserts d whole, in the caller's transaction (the
	 * drop's): PGL_EEXISTS when its key is taken, PGL_ENOTFOUND when
	 * the catalog is not the tenant's.
	 */
	int	(*put_dropped)(S, const struct pgl_dropped *d, E);
	int	(*get_dropped)(S, A, const char *tenant, const char *id,
		    struct pgl_dropped *, E);
	/* Those of tenant (NULL: every tenant's, for the expiry sweep) in
	 * catalog (NULL: every catalog), newest drop first, then by id
	 * (key: dropped_at_ms then id, both descending). */
	int	(*list_dropped)(S, A, const char *tenant, const char *catalog,
		    P, struct pgl_dropped **, size_t *, uint64_t *total, E);
	/* PGL_ENOTFOUND when there is none, so that of two restores (or a
	 * restore and an expiry) racing only one goes on. */
	int	(*delete_dropped)(S, const char *tenant, const char *id, E);

	/*
	 * ABI 1.19: column tags in discovery (issue 46).  search_assets
	 * matches a tag on an asset's columns as on the asset (struct
	 * pgl_asset_query), and list_column_tags_of answers the column tags
	 * of the assets whose ids the JSON array ids names (a page of hits),
	 * by asset, field id, then tag, in one round trip through the
	 * asset's key; ids of no asset (or another tenant's) add nothing.
	 * May be NULL (an older plugin, whose search matches the asset's
	 * own tags alone): hits then show no column tags.
	 */
	int	(*list_column_tags_of)(S, A, const char *tenant,
		    const char *ids, struct pgl_column_tag **, size_t *, E);

	/*
	 * ABI 1.21: the log's sync off the caller's thread.  Outside a
	 * transaction, on = 1: the commits that follow may return before
	 * they are durable; *fd is a descriptor whose fdatasync() makes
	 * every commit before it durable (the host syncs it on another
	 * thread before it answers them), or -1 when there is nothing to
	 * sync (commits were never synced here: the operator's setting).
	 * on = 0 (fd NULL) ends it: commits are durable when they return
	 * again.  The descriptor stays the store's.  May be NULL (a store
	 * whose commits wait on a server): commits are durable when they
	 * return.
	 */
	int	(*defer_log_sync)(S, int on, int *fd, E);

	/*
	 * ABI 1.22: begin, one at a time with the tenant's other writers.
	 * As begin, but the transaction starts only once no other handle
	 * on the database (another worker, another replica) is inside one
	 * begun so for the same tenant, nor holds the tenant's event lock
	 * (append_event), and it keeps that place until its commit or
	 * rollback: the later of two writers of a tenant waits and sees
	 * the earlier one's commit, where a snapshot store (PostgreSQL)
	 * would fail it PGL_ERETRY.  May be NULL (a store that serializes
	 * its writers anyway): begin.
	 */
	int	(*begin_tenant)(S, const char *tenant, E);

	/*
	 * ABI 1.23: begin without waiting for another handle's writer.  As
	 * begin_tenant (begin where tenant is NULL or begin_tenant is
	 * NULL), but where another handle on the database holds what a
	 * writer must take first (SQLite's write lock), the answer is
	 * PGL_EUNAVAIL at once and nothing is begun, where begin would
	 * wait on the caller's thread.  The host then serves its other
	 * work and tries again.  May be NULL (a store whose begin waits on
	 * a server, or never waits): the host begins as usual.
	 */
	int	(*try_begin)(S, const char *tenant, E);

	/*
	 * ABI 1.24: inside a transaction, until it ends, writes whose only
	 * answer is whether they took (update_metadata_location's swap of
	 * a table's own row, create_commit, update_branch_head,
	 * append_event, log_audit_event) may go to the database without
	 * waiting for that answer, so that a commit group's writes cost one
	 * round trip, not one each.  Such a write answers PGL_OK at once (a
	 * CAS as if it matched; append_event's *seq is 0).  The first that
	 * did not take (an error, or a CAS that matched nothing:
	 * PGL_ECONFLICT, also where the method would have looked further)
	 * fails the transaction: every later call in it answers that
	 * failure, and commit answers it and commits nothing.  The host
	 * then runs the work again without deferring.  May be NULL: every
	 * write waits for its answer.
	 */
	int	(*defer_writes)(S, E);

	/*
	 * ABI 1.25: commit without waiting on the caller's thread for the
	 * server's answer.  As commit, but where that answer would be
	 * waited for, what is to be answered goes out and the answer is
	 * PGL_OK with *fd a descriptor that turns readable as answers come:
	 * the transaction is over, its outcome not known yet.  *fd -1: the
	 * answer is commit's, given now.  commit_poll then takes in what
	 * has come, without waiting (wait 0) or until all has (1): PGL_OK
	 * with *fd not -1, not yet (watch it again); *fd -1, the outcome as
	 * commit would answer it.  Any other method called meanwhile first
	 * waits for the outcome, which commit_poll still answers; but
	 * changes_seen (called before every request) reads what has come
	 * and does not wait.  May be NULL (either): the host commits.
	 */
	int	(*commit_send)(S, int *fd, E);
	int	(*commit_poll)(S, int wait, int *fd, E);

	/*
	 * ABI 1.26: every table owns its files (issue 67; struct
	 * pgl_location_owner, pgl_location_probe).  May be NULL (both):
	 * the host then checks nothing (and says so at start-up).
	 *
	 * find_location_owner: one owner of tenant's whose location
	 * overlaps q's (equal, inside it, or holding it), any one, or
	 * PGL_ENOTFOUND when there is none.  An index on the key answers
	 * it: the keys that are prefixes of q's (one per '/' of it) and
	 * the range of keys q's is a prefix of.  With q->claim, inside a
	 * transaction: may answer PGL_ERETRY (struct pgl_location_probe).
	 */
	int	(*find_location_owner)(S, A, const char *tenant,
		    const struct pgl_location_probe *q,
		    struct pgl_location_owner *, E);
	/*
	 * Every owner of tenant (NULL: of every tenant), by tenant, key,
	 * then id, after the owner (after_tenant, after_key, after_id;
	 * NULLs: from the first), at most limit; so that overlapping ones
	 * come one after another (a key is right after its prefixes).  For
	 * the report of overlaps of before.
	 */
	int	(*list_location_owners)(S, A, const char *tenant,
		    const char *after_tenant, const char *after_key,
		    const char *after_id, uint32_t limit,
		    struct pgl_location_owner **, size_t *, E);

	/*
	 * ABI 1.27: the usage ledger (struct pgl_usage; issue 67, quotas).
	 * The store keeps each tenant's figures itself, changed in the
	 * transaction of every write to a row it counts, cascades
	 * included, so a rollback takes its change back; reading them is
	 * one short read whatever the tenant holds.  May be NULL (all
	 * three): the host then keeps only its count limits.
	 *
	 * usage: the rows of tenant (one per kind it holds; kind NULL:
	 * every kind, else that one), by kind; or, tenant NULL, those of
	 * the limit tenants holding the most bytes of the kind (kind NULL:
	 * of every kind together; limit 0: every tenant), by tenant then
	 * kind.
	 */
	int	(*usage)(S, A, const char *tenant, const char *kind,
		    uint32_t limit, struct pgl_usage **, size_t *, E);
	/*
	 * Makes tenant's figures again (NULL: every tenant's) from the rows
	 * they count, in one transaction: for a store whose writes cannot
	 * share one with the ledger (atomic() 0), after a crash between
	 * the two, and for an operator's repair.  Afterwards usage answers
	 * what the rows hold.
	 */
	int	(*usage_recount)(S, const char *tenant, E);
	/* Deletes the n oldest audit events of tenant (its limit, as
	 * trim_events for events); *purged how many went. */
	int	(*trim_audit)(S, const char *tenant, uint32_t n,
		    uint64_t *purged, E);

	/*
	 * ABI 1.29: read-your-writes across servers for a store that keeps
	 * copies (issue 69, the PostgreSQL asset cache).  The host calls it
	 * before a request's first store call with the time the request
	 * arrived (CLOCK_MONOTONIC, ms; 0: this instant, as a retry after
	 * a lost race needs): every read after it must see each commit
	 * acknowledged before then, by any server on the same database.
	 * May be NULL: the store's reads always do (SQLite's copies are
	 * dropped through shared memory before a commit returns).
	 */
	void	(*read_after)(S, uint64_t arrived_ms);

	/*
	 * ABI 1.30: whether the tenant has any business metadata or any
	 * column tag (*any 1) or neither (0), one round trip (issue 69: a
	 * load of a table whose labels no worker kept read both for it, two
	 * more statements a load at a million tables).  May be NULL: the
	 * host reads each asset's.
	 */
	int	(*labels_any)(S, const char *tenant, int *any, E);
};

#undef S
#undef A
#undef E
#undef P

/*
 * Version gates: does this plugin have method m?  A table built against
 * minor n ends after n's methods, so a host reads a later field only
 * once abi_minor says it is there, then checks that it is set (SQLite's
 * iVersion).  PGL_STORE_HAS is that test; the gates below are the
 * groups the host calls together (what it does without one: the
 * method's "May be NULL").  Plan parts are kept only by a store that
 * can also count them (1.14), since stored plans are bounded per
 * tenant; a drop keeps its column tags (1.20) on a store of both drops
 * and policies; is_atomic asks the handle; keyset pages (1.28) are a
 * field of the page, not a method, so their gate is the minor alone.
 */
#define PGL_STORE_HAS(o, minor, m)	((o)->abi_minor >= (minor) && \
					    (o)->m != NULL)

static inline int
pgl_store_can_announce(const struct pgl_store_ops *o)
{
	return (PGL_STORE_HAS(o, 4, announce_change) &&
	    o->changes_seen != NULL);
}

static inline int
pgl_store_can_purge_audit(const struct pgl_store_ops *o)
{
	return (PGL_STORE_HAS(o, 8, delete_audit_events_before));
}

static inline int
pgl_store_can_list_after(const struct pgl_store_ops *o)
{
	return (PGL_STORE_HAS(o, 9, list_assets_after));
}

static inline int
pgl_store_has_plan_parts(const struct pgl_store_ops *o)
{
	return (PGL_STORE_HAS(o, 14, put_plan_part) &&
	    o->get_plan_part != NULL && o->delete_plan_parts != NULL &&
	    o->purge_plan_parts != NULL && o->plan_usage != NULL &&
	    o->touch_plan_parts != NULL);
}

static inline int
pgl_store_has_fork(const struct pgl_store_ops *o)
{
	return (PGL_STORE_HAS(o, 12, fork_branch));
}

static inline int
pgl_store_is_atomic(const struct pgl_store_ops *o, struct pgl_store *s)
{
	return (PGL_STORE_HAS(o, 13, atomic) && s != NULL && o->atomic(s));
}

static inline int
pgl_store_has_events(const struct pgl_store_ops *o)
{
	return (PGL_STORE_HAS(o, 15, append_event) &&
	    o->list_events != NULL && o->event_horizon != NULL &&
	    o->purge_events != NULL && o->trim_events != NULL &&
	    o->event_usage != NULL);
}

static inline int
pgl_store_has_webhooks(const struct pgl_store_ops *o)
{
	return (PGL_STORE_HAS(o, 16, put_webhook) &&
	    o->get_webhook != NULL && o->list_webhooks != NULL &&
	    o->delete_webhook != NULL && o->set_webhook_state != NULL &&
	    o->claim_webhook != NULL && o->event_newest != NULL);
}

static inline int
pgl_store_has_policies(const struct pgl_store_ops *o)
{
	return (PGL_STORE_HAS(o, 17, put_policy) && o->get_policy != NULL &&
	    o->list_policies != NULL && o->delete_policy != NULL &&
	    o->set_column_tags != NULL && o->list_column_tags != NULL);
}

static inline int
pgl_store_has_dropped(const struct pgl_store_ops *o)
{
	return (PGL_STORE_HAS(o, 18, put_dropped) &&
	    o->get_dropped != NULL && o->list_dropped != NULL &&
	    o->delete_dropped != NULL);
}

static inline int
pgl_store_has_column_search(const struct pgl_store_ops *o)
{
	return (PGL_STORE_HAS(o, 19, list_column_tags_of));
}

static inline int
pgl_store_has_dropped_tags(const struct pgl_store_ops *o)
{
	return (o->abi_minor >= 20 && pgl_store_has_dropped(o) &&
	    pgl_store_has_policies(o));
}

static inline int
pgl_store_can_defer_sync(const struct pgl_store_ops *o)
{
	return (PGL_STORE_HAS(o, 21, defer_log_sync));
}

static inline int
pgl_store_can_begin_tenant(const struct pgl_store_ops *o)
{
	return (PGL_STORE_HAS(o, 22, begin_tenant));
}

static inline int
pgl_store_can_try_begin(const struct pgl_store_ops *o)
{
	return (PGL_STORE_HAS(o, 23, try_begin));
}

static inline int
pgl_store_can_defer_writes(const struct pgl_store_ops *o)
{
	return (PGL_STORE_HAS(o, 24, defer_writes));
}

static inline int
pgl_store_can_send_commit(const struct pgl_store_ops *o)
{
	return (PGL_STORE_HAS(o, 25, commit_send) && o->commit_poll != NULL);
}

static inline int
pgl_store_has_owners(const struct pgl_store_ops *o)
{
	return (PGL_STORE_HAS(o, 26, find_location_owner) &&
	    o->list_location_owners != NULL);
}

static inline int
pgl_store_pages_by_key(const struct pgl_store_ops *o)
{
	return (o != NULL && o->abi_minor >= 28);
}

static inline int
pgl_store_has_usage(const struct pgl_store_ops *o)
{
	return (o != NULL && PGL_STORE_HAS(o, 27, usage) &&
	    o->usage_recount != NULL && o->trim_audit != NULL);
}

/* The one symbol every store plugin exports. */
typedef const struct pgl_store_ops *(*pgl_store_plugin_fn)(void);
#define PGL_STORE_SYMBOL	"pangolin_store_plugin"

const struct pgl_store_ops	*pangolin_store_plugin(void);

#endif
