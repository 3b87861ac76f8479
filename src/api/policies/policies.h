/*
 * The policies room (issue 46): data policies through the management
 * API, the column tags they follow, and the explanation of what a user's
 * policies make of a table.  Above the read room, whose read/policies.h
 * it reads (the tenant's cached "any policy", a catalog's policies); the
 * meaning of a policy is src/policy's.
 *
 * policy_routes.c  create, list, get, update, delete (tenant admins)
 * policy_body.c    a request body into a stored policy, validated
 * policy_conflict.c  two policies that would give a caller two actions
 * policy_table.c   a table as the resolver takes it (schema, tags)
 * policy_explain.c effective-restrictions for a user
 * column_tags.c    column tags of an asset, and the columns of a tag
 */
#ifndef PGL_API_POLICIES_H
#define PGL_API_POLICIES_H

#include "http/request.h"

void	api_policy_create(struct pgl_req *);
void	api_policy_list(struct pgl_req *);
void	api_policy_get(struct pgl_req *);
void	api_policy_update(struct pgl_req *);
void	api_policy_delete(struct pgl_req *);
void	api_policy_explain(struct pgl_req *);
void	api_column_tags_get(struct pgl_req *);
void	api_column_tags_put(struct pgl_req *);
void	api_column_tags_search(struct pgl_req *);

#endif
