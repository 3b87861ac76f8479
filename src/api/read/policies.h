/*
 * Data policies as the read room reads them (issue 46, ARCHITECTURE.md
 * §11): whether a tenant has any, a catalog's, their resolution for a
 * principal (policies.c); and the request's caller's read restrictions
 * on a table (restrictions.c): what loadTable, createTable's and
 * registerTable's answers, a commit's answer, scan planning, storage
 * access and the events feed carry or obey.
 */
#ifndef PGL_API_READ_POLICIES_H
#define PGL_API_READ_POLICIES_H

#include <stddef.h>

#include <jansson.h>

#include "http/request.h"
#include "pangolin/store.h"
#include "policy/policy.h"

/* 1 when the request's tenant has a policy, 0 none (one cached check),
 * -1 after replying on a store error. */
int	ice_policies_any(struct pgl_req *);
/* Every policy of the tenant's catalog: 0, or -1 after replying. */
int	ice_policies_of_catalog(struct pgl_req *, const char *catalog,
	    struct pgl_policy **, size_t *);
/*
 * The read-restrictions of who on the table (catalog, ns, name; its
 * asset id and its metadata md, whose current schema counts): the
 * tenant's policies of the catalog and the table's column tags through
 * the resolver (pgl_pol_resolve).  A tenant without policies costs one
 * cached check and answers an empty result.  A branch's own copy of a
 * table without column tags of its own resolves with its origin's (the
 * row the request's authorization step read names it).  0 (res the
 * caller's: pgl_pol_result_free), or -1 after replying.  The explanation
 * calls it, and restrictions.c for the caller's own answers.
 */
int	ice_policy_resolve(struct pgl_req *, const char *catalog,
	    const char *ns, const char *name, const char *asset_id,
	    const json_t *md, const struct pgl_pol_principal *who,
	    struct pgl_pol_result *res);

/*
 * The restrictions of the request's caller on the table (catalog, ns
 * joined by PGL_NS_SEP, name; asset_id NULL for one not yet created, so
 * without column tags) whose metadata is md.  0 with *out NULL when none
 * apply (a tenant without policies pays one cached check), 0 with *out a
 * new ReadRestrictions object, or -1 after replying.  applied, when not
 * NULL, gets the [{"id","name"}] of the policies applied (a new
 * reference, or NULL with *out).
 */
int	ice_read_restrictions(struct pgl_req *, const char *catalog,
	    const char *ns, const char *name, const char *asset_id,
	    const json_t *md, json_t **out, json_t **applied);

/*
 * Whether the caller may be handed access to the files of the table
 * (catalog c, ns, name; asset a): storage credentials, remote signing,
 * presigned URLs.  A caller whom read restrictions bind on the table
 * may not read its raw files unless it is an enforcing engine (a service
 * user with enforces_read_restrictions).  0 allowed; -1 after replying
 * 403 naming why, or an error.
 */
int	ice_storage_allowed(struct pgl_req *, const struct pgl_catalog *c,
	    const char *ns, const char *name, const struct pgl_asset *a);

/*
 * The same rule for a table about to be made (createTable, stage-create,
 * registerTable) whose request asks for X-Iceberg-Access-Delegation: the
 * policies are resolved against the prospective table (catalog, ns,
 * name, and md's current schema; no column tags: an asset not yet made
 * has none), before anything is created, so that a refused create leaves
 * no table behind.  0 allowed (or no delegation asked for); -1 after
 * replying 403 naming why, or an error.
 */
int	ice_storage_allowed_new(struct pgl_req *, const char *catalog,
	    const char *ns, const char *name, const json_t *md);

/* 1 when some policy of catalog applies to the caller (on any of its
 * tables), 0 none, -1 after replying. */
int	ice_policies_bind_caller(struct pgl_req *, const char *catalog);

/*
 * Table metadata md as a caller with read restrictions rr may have it
 * (issue 67): no statistic of a field they mask (policy.h,
 * pgl_pol_redact_metadata).  0 with *out NULL when nothing is withheld
 * (rr NULL, or md holds nothing to withhold: answer md as it is), 0
 * with *out a new reference, or -1 after replying.
 */
int	ice_restricted_metadata(struct pgl_req *, const json_t *md,
	    const json_t *rr, json_t **out);

/*
 * A table's change event (its JSON, event) as the reader may have it:
 * when some data policy of the event's catalog binds the reader, its
 * updates carry no statistics (set-statistics keeps no blob,
 * add-snapshot's summary no per-partition key): the feed cannot tell
 * which fields a policy masks on a table the event may no longer name.
 * memo keeps the answers for a page's catalogs (zeroed first).
 */
#define ICE_EVENT_MEMO	8
struct ice_event_memo {
	const char	*catalogs[ICE_EVENT_MEMO];
	int		 bound[ICE_EVENT_MEMO];
	size_t		 n;
};
void	ice_event_withhold(struct pgl_req *, const char *catalog,
	    const char *object_type, json_t *event, struct ice_event_memo *);

/* The 403 of a restricted caller that is no enforcing engine; -1. */
int	ice_storage_refused(struct pgl_req *, const char *name);

/* 1 when the caller is a service user the tenant admin marked as an
 * engine that enforces read restrictions, else 0. */
int	ice_caller_enforces(struct pgl_req *);

#endif
