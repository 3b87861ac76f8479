/*
 * The caller's read restrictions on a table (issue 46, policy_read.c):
 * what loadTable, createTable's and registerTable's answers and scan
 * planning carry as the spec's `read-restrictions`.
 */
#ifndef PGL_API_COMMIT_POLICY_READ_H
#define PGL_API_COMMIT_POLICY_READ_H

#include <jansson.h>

#include "http/request.h"

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

#endif
