/*
 * Overlaps of before (issue 67): tables and views that share a place
 * with another asset's, from before every table owned its files, found
 * in the store's owners of places (store.h, ABI 1.26) and reported:
 * logged at start-up (ICE_OVERLAPS_LOGGED lines at most) and listed to
 * an admin (GET /api/v1/catalogs/{name}/location-overlaps).
 */
#ifndef PGL_API_COMMIT_OVERLAPS_H
#define PGL_API_COMMIT_OVERLAPS_H

#include <stdint.h>

#include "pangolin/store.h"

#define ICE_OVERLAPS_LOGGED	100

/*
 * Called for each owner o lying in (or at) the place of another asset's
 * owner up: 0 to go on, else the walk stops there.
 */
typedef int	(*ice_overlap_fn)(void *arg,
		    const struct pgl_location_owner *up,
		    const struct pgl_location_owner *o);

/*
 * Every overlap of tenant's (NULL: of every tenant) to fn, each owner
 * reported against the nearest owner holding it that is another asset;
 * *found how many.  PGL_OK (nothing on a store before 1.26), or the
 * store's error.  On this process's store handle (STORE).
 */
int	ice_overlaps_walk(const char *tenant, ice_overlap_fn fn, void *arg,
	    uint64_t *found, struct pgl_err *);

#endif
