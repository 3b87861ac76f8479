/*
 * Undrop (issue 46 part 5), the commit room's part: a table or view
 * dropped without purge is kept recoverable, as a store entry
 * (struct pgl_dropped) written in the drop's own transaction, for the
 * catalog's retention.  The routes that list and restore entries are
 * rest/dropped.c; their expiry (a purge task each) is
 * tasks/dropped_expiry.c; maintenance's reachability counts them
 * (maintenance/share.c).
 */
#ifndef PGL_API_COMMIT_DROPPED_H
#define PGL_API_COMMIT_DROPPED_H

#include <stdint.h>

#include "http/request.h"
#include "pangolin/store.h"

/*
 * How long a drop in catalog c stays recoverable, in ms: its property
 * pangolin.undrop-retention-days (tasks/undrop.h) or else [undrop]
 * retention_days; 0 when drops are final (0 days, or a store without
 * ABI 1.18).
 */
int64_t	ice_undrop_retention_ms(const struct pgl_catalog *c);

/* 1 when d's retention has passed at now_ms in catalog c. */
int	ice_dropped_expired(const struct pgl_catalog *c,
	    const struct pgl_dropped *d, int64_t now_ms);

/*
 * Inside the drop's transaction, before the asset's row goes (its column
 * tags go with it): a's column tags as a kept drop keeps them, *tags a
 * JSON array (arena), NULL when it has none, when drops in its catalog
 * are final or on a store older than ABI 1.20.
 */
int	ice_undrop_tags(struct pgl_req *, const struct pgl_asset *a,
	    const char **tags, struct pgl_err *);
/*
 * Inside the drop's transaction, after the asset's row is gone: keep a
 * (with column_tags, ice_undrop_tags' answer) as a recoverable entry
 * when its catalog keeps drops, *id its id (arena); PGL_OK with *id
 * NULL when drops there are final.
 */
int	ice_undrop_keep(struct pgl_req *, const struct pgl_asset *a,
	    const char *column_tags, const char **id, struct pgl_err *);
/*
 * Inside the restore's transaction, once the restored row (asset_id) is
 * made: d's column tags on its columns again.  An entry whose tags do
 * not read fails the restore (PGL_EINTERNAL): its columns must not come
 * back untagged, which a tag policy would then no longer mask.
 */
int	ice_undrop_retag(struct pgl_req *, const struct pgl_dropped *d,
	    const char *asset_id, struct pgl_err *);

#endif
