/*
 * The read room (ARCHITECTURE.md §14): finding a table or view, reading
 * and caching its metadata, and answering a load.  It uses the store,
 * the metadata cache (api/cache), the storage a catalog names
 * (api/storage) and the Iceberg engine, and nothing of commits: the
 * commit room reads its bases here, never the reverse.  Data policies,
 * for the read restrictions a load answers with, are read/policies.h.
 *
 * assets.c: an asset found (404 of its kind); metadata.c: metadata files
 * read through the worker's cache, an I/O error's reply, a location as
 * answered; table_load.c, view_load.c: loadTable and loadView, and the
 * results create and register answer with.
 */
#ifndef PGL_API_READ_H
#define PGL_API_READ_H

#include <stddef.h>

#include <jansson.h>

#include "api/target.h"
#include "http/request.h"
#include "pangolin/store.h"

/* read/assets.c */

/* The asset of that kind (the authorization step's read of it will do);
 * replies 404 of the kind's type. */
int	ice_find_asset(struct pgl_req *, const struct ice_target *,
	    const char *kind, struct pgl_asset *);
/* The same, always read from the store (a retry after a lost race). */
int	ice_reload_asset(struct pgl_req *, const struct ice_target *,
	    const char *kind, struct pgl_asset *);
/* An asset kind's noun in messages and events: "table", "view" or
 * "function" (issue 70: SQL functions are assets of kind FUNCTION). */
const char *ice_asset_noun(const char *kind);
/* 1 if t's branch exists; else 0 after replying (404 if it is absent). */
int	ice_branch_exists(struct pgl_req *, const struct ice_target *);

/*
 * read/metadata.c.  Every file call takes the catalog: its storage
 * (api_storage: local disk confined to the storage location, or its
 * warehouse's bucket) holds the file (storage/objio.h).
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
/* Put a file's plain bytes in the metadata cache (a file a swap just
 * made current: the next load of it is a hit). */
void	ice_cache_metadata(const char *location, const char *bytes,
	    size_t len);
/* A failed metadata read or write: 400 refused location, 503 (with
 * Retry-After) when the object store cannot be reached or refuses. */
void	ice_reply_file_error(struct pgl_req *, const struct pgl_err *);
/* loc spelled as the server answers it: local ones as file:// URIs. */
const char *ice_uri(struct pgl_req *, const char *loc);

/* read/table_load.c: loadTable, tableExists, and the LoadTableResult that
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

/*
 * read/labels.c: the Labels (iceberg-labels.yaml) of asset a as the
 * request's caller may have them: its business metadata and column tags
 * as [labels] business_keys lets through, less secret keys and the
 * fields the caller's read restrictions rr project (md: the table's
 * metadata, for nested fields; may be NULL).  ice_labels_text: their
 * JSON text (arena; *text NULL when there are none), as kept when rr is
 * NULL (no parse); ice_labels: a new object (*out NULL when none).  0,
 * or -1 after replying.
 */
int	ice_labels_text(struct pgl_req *, const struct pgl_asset *a,
	    const json_t *rr, const json_t *md, const char **text);
int	ice_labels(struct pgl_req *, const struct pgl_asset *a,
	    const json_t *rr, const json_t *md, json_t **out);
/* An ETag's mode naming labels of that text (mode itself when NULL). */
const char *ice_labels_mode(struct pgl_req *, const char *mode,
	    const char *text);

/* read/view_load.c: loadView, viewExists, and the LoadViewResult (md
 * and labels, or NULL, stolen; config empty) that create and register
 * answer with. */
void	ice_view_load(struct pgl_req *);
void	ice_view_head(struct pgl_req *);
json_t	*ice_view_result(const char *location, json_t *md,
	    json_t *labels);

#endif
