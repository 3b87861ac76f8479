/*
 * The Iceberg REST (/v1/...) handlers, named by the route table
 * (routes.c), and the one thing the room offers below it: a task's table
 * commit (maintenance's kinds).  What a request points at is target.h;
 * the metadata files and asset rows the handlers write are the commit
 * room's (commit/commit.h); loads and what they read, the read room's
 * (read/read.h).
 */
#ifndef PGL_API_REST_H
#define PGL_API_REST_H

#include <jansson.h>

#include "api/commit/commit.h"
#include "api/target.h"
#include "api/tasks/dropped_expiry.h"
#include "http/request.h"

/* rest/config.c */
void	ice_config(struct pgl_req *);

/* rest/namespaces.c */
void	ice_ns_list(struct pgl_req *);
void	ice_ns_create(struct pgl_req *);
void	ice_ns_load(struct pgl_req *);
void	ice_ns_head(struct pgl_req *);
void	ice_ns_drop(struct pgl_req *);
void	ice_ns_properties(struct pgl_req *);

/* rest/commit.c: a task's commit, planned from each fresh base. */
int	ice_table_commit_planned(struct pgl_req *, const struct ice_target *,
	    ice_plan_fn, void *arg, json_t **base, json_t **next);

/* rest/tables.c */
void	ice_table_list(struct pgl_req *);
void	ice_table_create(struct pgl_req *);
void	ice_table_drop(struct pgl_req *);
void	ice_table_register(struct pgl_req *);
void	ice_table_unregister(struct pgl_req *);
void	ice_table_rename(struct pgl_req *);
void	ice_table_metrics(struct pgl_req *);
void	ice_table_credentials(struct pgl_req *);

/* rest/views.c */
void	ice_view_create(struct pgl_req *);
void	ice_view_drop(struct pgl_req *);
void	ice_view_commit(struct pgl_req *);
void	ice_view_register(struct pgl_req *);

/* rest/sign.c, and what presign.c checks the same way: a table's key
 * prefix in its bucket ("<key>/", NULL if the location is not in it) and
 * whether a decoded key lies inside it as S3 reads it. */
void	ice_table_sign(struct pgl_req *);
const char *ice_table_key_prefix(struct pgl_req *, const char *location,
	    const char *bucket);
int	ice_key_inside(const char *key, const char *want, int trailing_slash);

/* rest/presign.c */
void	ice_table_presign(struct pgl_req *);

/* rest/commit.c */
void	ice_table_commit(struct pgl_req *);
void	ice_transactions_commit(struct pgl_req *);

#endif
