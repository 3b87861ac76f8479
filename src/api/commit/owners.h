/*
 * Every table owns its files (issue 67; docs/security.md): no table's or
 * view's location equals, holds or lies inside another's, live on any
 * branch of any catalog of the tenant or dropped and still recoverable,
 * other than the same asset's (its origin: the same table on another
 * branch, renamed, restored or merged) and the live rows of its own name
 * in its catalog on other branches (one object to the catalog's grants
 * and policies).  So
 * remote signing, vended credentials, presign and maintenance, each
 * scoped to one table's location, reach that table's files alone.
 *
 * Checked in the store transaction that places the location (create,
 * register, restore, rename, merge, a commit's set-location), where the
 * store's claim (store.h, find_location_owner) makes two concurrent
 * placements of one tenant unable to both pass; checked again, without
 * the claim, before anything is written (a create's first metadata
 * file) and where nothing is (stage-create).
 *
 * By default a location also lies under its namespace's: its property
 * `location`, else <catalog storage>/<namespace levels>.  [storage]
 * locations_in_namespace = false relaxes that to the catalog's storage;
 * never the overlap rule.
 */
#ifndef PGL_API_COMMIT_OWNERS_H
#define PGL_API_COMMIT_OWNERS_H

#include "api/target.h"
#include "http/request.h"
#include "pangolin/store.h"

/*
 * Inside the placing transaction, a's location (a: the asset as placed,
 * in catalog c): PGL_OK when no other table or view owns any of it (the
 * tenant's places claimed); PGL_EINUSE after replying 409 (the Iceberg
 * envelope on /v1) naming the owner where the caller may read it; or the
 * store's code, not replied.  A store of before ABI 1.26 checks nothing.
 */
int	ice_place_claim(struct pgl_req *, const struct pgl_catalog *c,
	    const struct pgl_asset *a, struct pgl_err *);
/*
 * The same inside a commit's transaction: PGL_OK, or PGL_ECONFLICT when
 * the place is another's (the loop computes the commit again, and its
 * check, ice_place_check, replies).
 */
int	ice_place_claim_quiet(struct pgl_req *, const struct pgl_catalog *c,
	    const struct pgl_asset *a, struct pgl_err *);
/* Out of any transaction, nothing claimed: 0, or -1 after replying
 * status (409, or 400 for a commit). */
int	ice_place_check(struct pgl_req *, const struct pgl_catalog *c,
	    const struct pgl_asset *a, int status);

/*
 * The default location a of a new table or view of t (ice_location's,
 * none asked for) when it is no other's; else <namespace>/<name>-<8 hex>
 * (the name's own directory is another's: a table renamed away from
 * it).  NULL after a reply.
 */
const char *ice_place_default(struct pgl_req *, const struct ice_target *t,
	    const struct pgl_asset *a);
/*
 * The location of t's namespace (arena): its property `location` as the
 * server spells it (ice_uri), else <catalog storage>/<levels> (on local
 * disk each level escaped, pgl_location_escape); NULL after a reply
 * (404 for a namespace gone, 400 for a catalog without storage).
 */
const char *ice_ns_location(struct pgl_req *, const struct ice_target *t);
/* name's directory in parent (arena): on local disk escaped, as
 * ice_ns_location's levels are; NULL out of memory or for a long name. */
const char *ice_location_child(struct pgl_req *, const char *parent,
	    const char *name);
/*
 * 0 if loc lies under t's namespace's location, or anywhere when the
 * operator relaxed it ([storage] locations_in_namespace = false); else
 * -1 after replying 400 naming field.
 */
int	ice_location_in_namespace(struct pgl_req *, const struct ice_target *t,
	    const char *loc, const char *field);

/*
 * A commit whose next metadata names another location than its row's
 * (a set-location): c->moved_to set, the place checked as a create's,
 * but answered 400 (a commit's 409 reads as "retry").  0, or -1 after a
 * reply.  Run where the attempt is settled, out of the transaction.
 */
struct ice_change;
int	ice_commit_place(struct pgl_req *, struct ice_change *c);
/*
 * In the commit's transaction, before its swap: a moving change's place
 * claimed (PGL_ECONFLICT when it is another's now: the loop runs again
 * and ice_commit_place replies); after the swap, its row's location
 * written.  PGL_OK for a change that does not move.
 */
int	ice_commit_claim(struct pgl_req *, const struct ice_change *c,
	    struct pgl_err *);
int	ice_commit_moved(struct pgl_req *, const struct ice_change *c,
	    struct pgl_err *);

/* 1 when a and b are one place (their keys are equal). */
int	ice_same_place(const char *a, const char *b);

#endif
