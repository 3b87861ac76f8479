/*
 * The Iceberg REST (/v1/...) handlers, named by the route table
 * (routes.c), and the one thing the room offers below it: a task's table
 * commit (maintenance's kinds).  What a request points at is target.h;
 * the metadata files and asset rows the handlers write are the commit
 * room's (commit/commit.h).
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

/* rest/table_load.c: loadTable, tableExists, and the LoadTableResult that
 * create and register answer with (md stolen), its ETag and the form of
 * its answer the tag depends on. */
void	ice_table_load(struct pgl_req *);
void	ice_table_head(struct pgl_req *);
json_t	*ice_load_result(struct pgl_req *, const struct pgl_catalog *c,
	    const char *table_location, const char *location, json_t *md);
/* Create's and register's answer for asset a of table t (md stolen):
 * the caller's restrictions, the ETag, the LoadTableResult. */
void	ice_reply_created(struct pgl_req *, const struct ice_target *t,
	    const struct pgl_asset *a, const char *table_location,
	    json_t *md);
/* A staged create's answer (no file, no asset; md stolen). */
void	ice_reply_staged(struct pgl_req *, const struct ice_target *t,
	    const char *table_location, json_t *md);
void	ice_set_etag(struct pgl_req *, const char *location,
	    const char *mode);
const char *ice_tag_mode(struct pgl_req *, const struct pgl_catalog *c,
	    const char *mode);


/* rest/views.c */
void	ice_view_create(struct pgl_req *);
void	ice_view_load(struct pgl_req *);
void	ice_view_head(struct pgl_req *);
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
