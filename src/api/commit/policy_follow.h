/*
 * A table's data policies follow the table (policy_follow.c): across a
 * rename, and across a drop and its restore (undrop).
 */
#ifndef PGL_API_COMMIT_POLICY_FOLLOW_H
#define PGL_API_COMMIT_POLICY_FOLLOW_H

#include "http/request.h"
#include "pangolin/store.h"

/*
 * A table (row asset_id) renamed: on main its table policies follow it,
 * on another branch it gets copies of them (the rename's transaction;
 * nothing replied).  PGL_OK or the store's code.
 */
int	ice_policies_follow_rename(struct pgl_req *, const char *catalog,
	    const char *branch, const char *asset_id, const char *from_ns,
	    const char *from_name, const char *to_ns, const char *to_name,
	    struct pgl_err *);
/*
 * The table of drop d restored as (to_ns, to_name), its new row
 * asset_id: the table policies that held on it at the drop hold on it
 * again (on another branch than main, as copies when the name changed;
 * the restore's transaction; nothing replied).  PGL_OK or the
 * store's code.
 */
int	ice_policies_follow_restore(struct pgl_req *, const char *catalog,
	    const struct pgl_dropped *d, const char *to_ns,
	    const char *to_name, const char *asset_id, struct pgl_err *);

#endif
