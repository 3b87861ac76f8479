/*
 * A table's schema change against the data policies on it
 * (policy_guard.c), checked by the commit loop.  The policies themselves
 * are read through the read room (read/policies.h).
 */
#ifndef PGL_API_COMMIT_POLICY_GUARD_H
#define PGL_API_COMMIT_POLICY_GUARD_H

#include "http/request.h"

struct ice_change;

/*
 * A change of a table's schema against the policies on it: 0, or -1
 * after replying 400 ValidationException naming the policy it breaks.
 */
int	ice_policy_commit_check(struct pgl_req *, const struct ice_change *);

#endif
