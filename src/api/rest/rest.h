/*
 * Iceberg REST (/v1/...) handlers and their shared addressing rules
 * (pangolin-api.md §3.3-3.4): {prefix} is a catalog name in the request's
 * tenant; namespace levels are separated by 0x1F; a branch is selected by
 * `name@branch` on the table, else `ns@branch` on the namespace, default
 * `main`.
 */
#ifndef PGL_ICEBERG_API_H
#define PGL_ICEBERG_API_H

#include <jansson.h>

#include "http/request.h"

#define ICE_DEFAULT_BRANCH	"main"

/* A resolved /v1/{prefix}/namespaces/{namespace}[/tables/{table}]. */
struct ice_target {
	struct pgl_catalog	 catalog;
	const char		*ns;		/* levels joined by PGL_NS_SEP */
	const char		*branch;
	const char		*name;		/* table or view, if any */
};

/* {prefix} -> catalog; replies 404 NoSuchNamespaceException if absent. */
int	ice_catalog(struct pgl_req *, struct pgl_catalog *);

/*
 * Resolve prefix, {namespace} and (when name_param is non-NULL) the
 * table/view name with its branch suffix.  Replies 400/404 on failure.
 */
int	ice_target(struct pgl_req *, const char *name_param, struct ice_target *);

/* Parse a raw namespace string ("a\x1fb[@branch]"); levels validated. */
int	ice_parse_ns(struct pgl_req *, const char *raw, const char **ns,
	    const char **branch);
/* A JSON array of levels -> joined namespace; replies 400 if invalid. */
int	ice_ns_from_json(struct pgl_req *, const json_t *, const char **ns);
/* Joined namespace -> JSON array of levels. */
json_t	*ice_ns_json(const char *ns);
/* The same levels written as "key":[...] (key NULL: an element). */
struct pgl_jw;
void	ice_ns_jw(struct pgl_jw *, const char *key, const char *ns);
/* 1 if the namespace exists (replies 404 NoSuchNamespaceException if not). */
int	ice_ns_exists(struct pgl_req *, const char *catalog, const char *ns);

/*
 * Spec pagination: without pageToken everything is returned and
 * next-page-token is null; with it (even empty), pages of pageSize
 * (default 100, max 1000).  Replies 400 for a bad token or size.
 */
int	ice_page(struct pgl_req *, struct pgl_page *, int *paged);
/* The token for the page after pg, or NULL at the end. */
json_t	*ice_next_token(const struct pgl_page *, size_t got, uint64_t total,
	    int paged);
/* The same written as "next-page-token": ... */
void	ice_next_token_jw(struct pgl_jw *, const struct pgl_page *,
	    size_t got, uint64_t total, int paged);

/* rest/config.c */
void	ice_config(struct pgl_req *);

/* rest/namespaces.c */
void	ice_ns_list(struct pgl_req *);
void	ice_ns_create(struct pgl_req *);
void	ice_ns_load(struct pgl_req *);
void	ice_ns_head(struct pgl_req *);
void	ice_ns_drop(struct pgl_req *);
void	ice_ns_properties(struct pgl_req *);


/*
 * commit/io.c: metadata files and the catalog commit log.  Every file
 * call takes the catalog: its storage (api_storage: local disk confined
 * to the storage location, or its warehouse's S3 bucket) holds the file
 * (storage/objio.h).
 */

/* Read and parse a metadata file (plain or gzip); replies on failure with
 * 404 (missing: missing_status) or 400 (not JSON, refused location). */
int	ice_read_metadata(struct pgl_req *, const struct pgl_catalog *,
	    const char *location, int missing_status, json_t **md);
/* Load and parse a metadata file without replying (PGL_ENOTFOUND,
 * PGL_EINVAL for a corrupt file or a refused location, ...). */
int	ice_metadata_load(struct pgl_req *, const struct pgl_catalog *,
	    const char *location, json_t **md, struct pgl_err *);
/*
 * The file's plain bytes, through the worker's cache, read-only and
 * valid until api_mcache_unref(*ref) (the cache entry pinned, not
 * copied); replies on failure.
 */
int	ice_metadata_ref(struct pgl_req *, const struct pgl_catalog *,
	    const char *location, int missing_status, const char **bytes,
	    size_t *len, void **ref);
/* The same bytes as a gzip segment (http/gzip.h), as above. */
int	ice_metadata_gz(struct pgl_req *, const struct pgl_catalog *,
	    const char *location, int missing, const char **blob,
	    size_t *bloblen, void **ref);
/*
 * Drop this worker's cached copy of a file, so the next read goes to the
 * disk: a path a client names (register) may have been deleted since it
 * was cached, here or by another worker.
 */
void	ice_uncache(const char *location);
/* Serialize and write a metadata file (gzip if its name says so). */
int	ice_write_metadata(struct pgl_req *, const struct pgl_catalog *,
	    const char *location, const json_t *md, struct pgl_err *);
/* The same, handing back the plain bytes written (malloc'd), so a reply
 * or the cache need not serialise md again. */
int	ice_write_metadata_bytes(struct pgl_req *, const struct pgl_catalog *,
	    const char *location, const json_t *md, char **bytes,
	    size_t *len, struct pgl_err *);
/*
 * md as a metadata file's bytes: *text the plain JSON (malloc'd), and
 * *gz its gzip (malloc'd) when the location's name asks for gzip, else
 * NULL.  What ice_write_metadata_bytes writes; the commit loop renders
 * on the worker and hands the writing to the write pool.
 */
int	ice_render_metadata(const char *location, const json_t *md,
	    char **text, size_t *len, char **gz, size_t *gzlen,
	    struct pgl_err *);
/* Put a file's plain bytes in the metadata cache (a file a swap just
 * made current: the next load of it is a hit). */
void	ice_cache_metadata(const char *location, const char *bytes,
	    size_t len);
/* A commit whose pointer swap may or may not have landed (PGL_TX_UNKNOWN). */
void	ice_reply_unknown(struct pgl_req *, const struct pgl_err *);
/* A failed metadata read or write: 400 refused location, 503 (with
 * Retry-After) when the object store cannot be reached or refuses. */
void	ice_reply_file_error(struct pgl_req *, const struct pgl_err *);
/* Delete a file of the catalog's, best effort (cleanup after a loss). */
void	ice_delete_file(struct pgl_req *, const struct pgl_catalog *,
	    const char *location);
/*
 * What runs once ice_write_metadata_then's file is written: rc PGL_OK, or
 * the error (err).  On the worker's thread; it makes r's reply.
 */
typedef void	(*ice_written_fn)(struct pgl_req *, int rc,
		    const struct pgl_err *, void *arg);
/*
 * Write md at location off the worker's thread (commit/write.c): r
 * waits meanwhile and then() replies.  Without a pool, or for a task's
 * request, the write is inline and then() runs before this returns.
 */
void	ice_write_metadata_then(struct pgl_req *, const struct pgl_catalog *,
	    const char *location, const json_t *md, ice_written_fn then,
	    void *arg);
/* ice_delete_file, on S3 off the worker's thread and not waited for. */
void	ice_delete_file_later(struct pgl_req *, const struct pgl_catalog *,
	    const char *location);
/* Delete many, in batches where the storage has them, best effort. */
void	ice_delete_files(struct pgl_req *, const struct pgl_catalog *,
	    const char *const *locations, size_t n);
/* The serialized bytes of md exactly as ice_write_metadata writes them
 * (before compression), malloc'd. */
char	*ice_dump(const json_t *md);

/*
 * Append a catalog commit to branch's history and move its head, inside
 * the caller's store transaction (pangolin-api.md decision 2).  ops is a
 * JSON array of {"Put":{"asset":..}} / {"Delete":{"name":..}} (stolen).
 */
int	ice_log_commit(struct pgl_req *, const char *catalog,
	    const char *branch, const char *message, json_t *ops,
	    struct pgl_err *);
json_t	*ice_op_put(const struct pgl_asset *);
json_t	*ice_op_delete(const char *ns, const char *name);
/* "a.b.table" for messages and Delete operations. */
char	*ice_dotted(struct pgl_req *, const char *ns, const char *name);

/* commit/assets.c: the asset rows, shared by tables, views, commits. */
int	ice_name_free(struct pgl_req *, const struct ice_target *);
/* The body's `name` (may carry @branch; else ?branch=) in an existing
 * namespace and branch; replies 400/404. */
int	ice_body_target(struct pgl_req *, struct ice_target *);
/* The asset of that kind (the authorization step's read of it will do);
 * replies 404 of the kind's type. */
int	ice_find_asset(struct pgl_req *, const struct ice_target *,
	    const char *kind, struct pgl_asset *);
/* The same, always read from the store (a retry after a lost race). */
int	ice_reload_asset(struct pgl_req *, const struct ice_target *,
	    const char *kind, struct pgl_asset *);
/* 1 if a is the asset t names (catalog, branch, namespace, name). */
int	ice_same_asset(const struct pgl_asset *a, const struct ice_target *t);
int	ice_branch_exists(struct pgl_req *, const struct ice_target *);
/* loc spelled as the server answers it: local ones as file:// URIs. */
const char *ice_uri(struct pgl_req *, const char *loc);
const char *ice_location(struct pgl_req *, const struct ice_target *,
	    const char *requested);
int	ice_location_allowed(struct pgl_req *, const struct pgl_catalog *,
	    const char *location, const char *field);
int	ice_create_asset(struct pgl_req *, const struct ice_target *,
	    struct pgl_asset *, const char *verb, int delete_on_conflict);
int	ice_drop_asset(struct pgl_req *, const struct pgl_asset *);

/* rest/commit.c: a task's commit, planned from each fresh base. */
typedef json_t	*(*ice_plan_fn)(void *arg, struct pgl_req *, const json_t *base);
int	ice_table_commit_planned(struct pgl_req *, const struct ice_target *,
	    ice_plan_fn, void *arg, json_t **base, json_t **next);

/* commit/io.c: what this process's S3 clients did since before, counted. */

/* maintenance/route.c: queue a maintenance task (202). */
void	ice_table_maintenance(struct pgl_req *);

/* rest/tables.c */
void	ice_table_list(struct pgl_req *);
void	ice_table_create(struct pgl_req *);
void	ice_table_load(struct pgl_req *);
void	ice_table_head(struct pgl_req *);
void	ice_table_drop(struct pgl_req *);
void	ice_table_register(struct pgl_req *);
void	ice_table_unregister(struct pgl_req *);
void	ice_table_rename(struct pgl_req *);
void	ice_table_metrics(struct pgl_req *);
void	ice_table_credentials(struct pgl_req *);

/* rest/views.c */
void	ice_view_create(struct pgl_req *);
void	ice_view_load(struct pgl_req *);
void	ice_view_head(struct pgl_req *);
void	ice_view_drop(struct pgl_req *);
void	ice_view_commit(struct pgl_req *);
void	ice_view_register(struct pgl_req *);

/* rest/sign.c */
void	ice_table_sign(struct pgl_req *);

/* rest/commit.c */
void	ice_table_commit(struct pgl_req *);
void	ice_transactions_commit(struct pgl_req *);

#endif
