/*
 * Which mutations add to a tenant's store, and what they add: the
 * gate's check before the handler, by the route's audit action
 * (routes.c names one for every mutation).  An action not named here
 * adds nothing the ledger counts (users, roles, tokens, warehouses,
 * settings...) or removes (delete_*, drop_*, unregister_*, revoke_*,
 * cancel_*, abort_*, bulk_delete_*): never refused.
 *
 * What a write stores is unknown before it is made; its body bounds
 * it.  A change keeps its body's content at most twice in all (the row,
 * and the catalog commit that records it: a generic asset's properties
 * are in both; an Iceberg commit's updates in its change event, the file
 * itself in the object store) and a little more (the audit record, the
 * keys), measured in docs/limits.md: STORED_FACTOR and STORED_EXTRA;
 * in one kind's rows, once (ROW_EXTRA: the key).  The ledger counts
 * what was really stored afterwards; the estimate only decides whether
 * a write near a limit still fits.
 */
#include <string.h>

#include "api/quota/quota.h"

#define STORED_FACTOR	2
#define STORED_EXTRA	1024
#define ROW_EXTRA	512

#define K(k)	API_QUOTA_KIND(PGL_Q_##k)
#define ASSETS	(K(TABLES) | K(VIEWS) | K(ASSETS) | K(METADATA))

static const struct act {
	const char	*action;
	unsigned	 grows;		/* kinds whose bytes it may add to */
	unsigned	 adds;		/* kinds it adds one row of */
} acts[] = {
	{ "create_namespace",	K(NAMESPACES), K(NAMESPACES) },
	{ "update_namespace",	K(NAMESPACES), 0 },
	{ "create_table",	K(TABLES) | K(COMMITS), K(TABLES) | K(COMMITS) },
	{ "register_table",	K(TABLES) | K(COMMITS), K(TABLES) | K(COMMITS) },
	{ "update_table",	K(TABLES) | K(COMMITS), K(COMMITS) },
	{ "commit_transaction",	K(TABLES) | K(VIEWS) | K(COMMITS), K(COMMITS) },
	{ "rename_table",	K(TABLES) | K(COMMITS), K(COMMITS) },
	{ "create_view",	K(VIEWS) | K(COMMITS), K(VIEWS) | K(COMMITS) },
	{ "register_view",	K(VIEWS) | K(COMMITS), K(VIEWS) | K(COMMITS) },
	{ "update_view",	K(VIEWS) | K(COMMITS), K(COMMITS) },
	{ "rename_view",	K(VIEWS) | K(COMMITS), K(COMMITS) },
	{ "create_asset",	K(ASSETS) | K(COMMITS), K(ASSETS) | K(COMMITS) },
	/* A SQL function (issue 70) is an asset row (kind FUNCTION). */
	{ "create_function",	K(ASSETS) | K(COMMITS), K(ASSETS) | K(COMMITS) },
	{ "update_business_metadata", K(METADATA), 0 },
	{ "update_column_tags",	K(OTHER), 0 },
	{ "restore_dropped",	ASSETS | K(COMMITS), K(COMMITS) },
	{ "create_catalog",	K(COMMITS) | K(OTHER), K(COMMITS) | K(OTHER) },
	{ "update_catalog",	K(OTHER), 0 },
	{ "create_branch",	ASSETS | K(COMMITS) | K(OTHER), K(OTHER) },
	{ "merge_branch",	ASSETS | K(COMMITS) | K(OTHER),
	    K(COMMITS) | K(OTHER) },
	{ "rebase_branch",	ASSETS | K(COMMITS), K(COMMITS) },
	{ "resolve_conflict",	ASSETS | K(COMMITS) | K(OTHER), 0 },
	{ "complete_merge",	ASSETS | K(COMMITS), K(COMMITS) },
	/* The rest a tenant makes (kind other, sql_usage.h). */
	{ "create_warehouse",	K(OTHER), K(OTHER) },
	{ "update_warehouse",	K(OTHER), 0 },
	{ "create_tag",		K(OTHER), K(OTHER) },
	{ "create_role",	K(OTHER), K(OTHER) },
	{ "update_role",	K(OTHER), 0 },
	{ "assign_role",	K(OTHER), K(OTHER) },
	{ "grant_permission",	K(OTHER), K(OTHER) },
	{ "create_user",	K(OTHER), K(OTHER) },
	{ "update_user",	K(OTHER), 0 },
	{ "create_service_user", K(OTHER), K(OTHER) },
	{ "update_service_user", K(OTHER), 0 },
	{ "rotate_api_key",	K(OTHER), 0 },
	{ "create_access_request", K(OTHER), K(OTHER) },
	{ "review_access_request", K(OTHER), 0 },
	{ "update_settings",	K(OTHER), 0 },
	/* Their counts are their handlers' (policy_routes.c, webhooks.c). */
	{ "create_policy",	K(POLICIES), 0 },
	{ "update_policy",	K(POLICIES), 0 },
	{ "create_webhook",	K(WEBHOOKS), 0 },
	{ "update_webhook",	K(WEBHOOKS), 0 },
};

int
api_quota_route(struct pgl_req *r, const char *action)
{
	struct api_quota_need	 need;
	size_t			 i;
	int			 k;

	if (action == NULL)
		return (0);
	for (i = 0; i < sizeof(acts) / sizeof(acts[0]); i++) {
		if (strcmp(acts[i].action, action) == 0)
			break;
	}
	if (i == sizeof(acts) / sizeof(acts[0]))
		return (0);
	memset(&need, 0, sizeof(need));
	need.kinds = acts[i].grows;
	for (k = 0; k < PGL_QUOTA_KINDS; k++) {
		if (acts[i].adds & API_QUOTA_KIND(k))
			need.count[k] = 1;
	}
	need.kind_bytes = (int64_t)pgl_req_body_len(r) + ROW_EXTRA;
	need.bytes = STORED_FACTOR * (int64_t)pgl_req_body_len(r) +
	    STORED_EXTRA;
	return (api_quota_admit(r, &need));
}
