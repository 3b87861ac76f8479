/*
 * What the api layer keeps per request (r->app): the route's rule, the
 * caller's grants, what authorization already looked up, the catalog's
 * storage, the audit event, and the objects fetched off the worker's
 * thread.  Written by the gate (gate.c, authn.c, authz.c) and read by
 * the helpers of the shared layer and the rooms (target.c,
 * storage/storage.c, fetch.c): it sits below all of them, in the request
 * room under the shared layer, so none needs another's header for it.
 */
#ifndef PGL_API_REQ_APP_H
#define PGL_API_REQ_APP_H

#include <stddef.h>

#include "auth/rbac.h"
#include "pangolin/store.h"

struct api_event_notes;
struct api_fetch;
struct api_vend;

/* An Azure SAS a request asked for and holds (api/storage/azure_vend.c),
 * for the answer's config (storage.c). */
struct api_sas {
	const char	*key;		/* what it is for */
	int		 held;
	int		 write;
	char		 token[4096];
	int64_t		 expires_ms;
};
struct pgl_sts_creds;
struct pgl_rule;
struct pgl_storage;

/* What the api layer keeps per request (r->app). */
struct pgl_req_app {
	const struct pgl_rule	*rule;
	const char		*idem_key;

	/* A tenant user's grants, loaded once (authz.c). */
	int			 grants_loaded;
	struct pgl_grant	*grants;
	size_t			 ngrants;

	/*
	 * What the authorization step looked up for a tenant user, for the
	 * handler's first lookup of the same (target.c): the
	 * {prefix} catalog and the table or view it decided on.
	 */
	int			 have_catalog;
	struct pgl_catalog	 catalog;
	int			 have_asset;
	struct pgl_asset	 asset;
	/* An asset id the caller does not see: every lookup of it in this
	 * request finds nothing (authz.c, asset_ref.c). */
	const char		*hidden_asset;
	/*
	 * The asset's business metadata as the authorization step read it
	 * (asset_ref.c): have_bm once read, bm_found if there is one.
	 */
	int			 have_bm;
	int			 bm_found;
	struct pgl_business_metadata bm;

	/*
	 * The groups an identity provider's token named for the caller
	 * (identity/external.c), as data policies match them; none for a
	 * local account.  Arena strings.
	 */
	const char *const	*idp_groups;
	size_t			 nidp_groups;

	/* The storage of the catalog last resolved (storage.c). */
	const struct pgl_storage *storage;
	const char		*storage_catalog;

	/* The audit event of this request's mutation. */
	const char		*audit_id;	/* resource id, if known */
	const char		*audit_name;	/* resource name */
	int			 audited;
	/*
	 * A management mutation whose refusal is itself a record to keep
	 * (a merge that stops on conflicts stores the operation and answers
	 * 409): its transaction commits, with a failure event.
	 */
	int			 keep_on_error;

	/* The change events noted in this attempt (api/events/). */
	struct api_event_notes	*events;

	/* Objects fetched off the worker's thread (fetch.c), or NULL. */
	struct api_fetch	*fetch;

	/* STS credentials asked for (sts_vend.c), or NULL; those held,
	 * for the answer's config (storage.c), or NULL. */
	struct api_vend		*vend;
	const struct pgl_sts_creds *vended;
	/* An Azure SAS asked for and held (azure_vend.c), or NULL. */
	struct api_sas		*sas;
};

#endif
