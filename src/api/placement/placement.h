/*
 * Where local storage may live (issue 22): only below the roots the
 * operator configures ([storage] local_roots, PANGOLIN_LOCAL_ROOTS;
 * default <data dir>/warehouses), a tenant's below <root>/<tenant id>/,
 * and never inside, or around, another tenant's storage.  The bootstrap
 * warehouse ([defaults] warehouse_root) is the operator's too: the nil
 * tenant's storage may also lie inside it.
 */
#ifndef PGL_API_PLACEMENT_H
#define PGL_API_PLACEMENT_H

#include "http/request.h"
#include "pangolin/store.h"

/* Start-up, idempotent: work out and log the effective roots. */
void		 api_placement_init(void);
/* Start-up: the bootstrap warehouse's (resolved) root is the operator's. */
void		 api_placement_bootstrap(const char *root);
/* Start-up, once: log every stored warehouse and catalog that breaks the
 * rule and remember them, so requests that touch them are refused while
 * they stay where they were (a row moved since is judged where it is). */
void		 api_placement_scan(void);

/* The default root of a new local warehouse: <first root>/<tenant>/<name>. */
const char	*api_placement_default(struct pgl_req *, const char *name);
/*
 * A local warehouse root for r's tenant, given by r's principal (only
 * root, acting in that tenant, may leave <root>/<tenant id>/, and never
 * into another tenant's): NULL if it may be used (its directory then
 * exists), else why not.
 */
const char	*api_placement_warehouse(struct pgl_req *, const char *root);
/* A local catalog storage location with no warehouse: the same rule,
 * nothing created. */
const char	*api_placement_catalog(struct pgl_req *, const char *loc);
/*
 * An Azure location (a warehouse's root, a catalog's storage) for r's
 * tenant: NULL, or why not.  In one account and container no tenant's
 * place may equal, contain or lie inside another tenant's (a warehouse
 * of the whole container keeps every other tenant out of it), whichever
 * way its locations are spelled (abfss://, wasbs://).
 */
const char	*api_placement_azure(struct pgl_req *, const char *loc);
/* A stored warehouse (storage_config text) may be used: NULL or why. */
const char	*api_placement_stored_warehouse(struct pgl_req *,
		    const struct pgl_warehouse *);

/*
 * Serving: a catalog whose local storage lies outside the rule (stored
 * before, or under other roots) is refused.  NULL, or the message.
 */
const char	*api_placement_serving(struct pgl_req *,
		    const struct pgl_catalog *);

/*
 * 1 unless loc is a local path outside c's local storage location: what
 * a client names for the server to read (register) must lie inside it,
 * and is answered like a missing file otherwise, so no probe learns what
 * exists elsewhere on the machine.
 */
int		 api_placement_readable(const struct pgl_catalog *,
		    const char *loc);

#endif
