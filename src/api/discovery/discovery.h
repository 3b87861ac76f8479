/*
 * The discovery room (pangolin-api.md §2.4, §2.10, §2.11; issue 26): the
 * governance half of the catalog.  Generic assets (Delta, Hudi, Paimon,
 * files, models, ...) registered, listed and read on branches, each
 * change a catalog commit like a table's; their business metadata
 * (description, tags, properties, discoverable) on any asset; discovery
 * search through each store's text index; access requests and their
 * review; bulk deletes and name checks.  It writes commits through the
 * commit room (commit/commit.h); what it offers the rest of the server
 * is its routes, and the JSON of an asset for whoever lists them.
 */
#ifndef PGL_API_DISCOVERY_H
#define PGL_API_DISCOVERY_H

#include <jansson.h>

#include "http/request.h"
#include "pangolin/store.h"

/* Tags (business metadata, search filters): at most this many, each
 * 1-255 bytes of UTF-8, no control characters, no ',', not starting '#'. */
#define DISC_TAGS_MAX		64
#define DISC_DESCRIPTION_MAX	4096
#define DISC_QUERY_MAX		1024
#define DISC_REASON_MAX		4096
#define DISC_BULK_MAX		100

/* discovery/assets.c: generic assets of a namespace, on a branch. */
void	api_asset_register(struct pgl_req *);
void	api_asset_list(struct pgl_req *);
void	api_asset_get(struct pgl_req *);
/* {id, name, kind, location, properties, namespace:[..], branch}. */
json_t	*disc_asset_json(struct pgl_req *, const struct pgl_asset *);
/*
 * The same for a caller who may see the asset (a grant, or it is
 * discoverable) but not read it (issue 67): its name, never where it is
 * (location null, no metadata_location, no properties).
 */
json_t	*disc_asset_seen_json(struct pgl_req *, const struct pgl_asset *,
	    const struct pgl_catalog *);
/* 1 if the caller may read a (of catalog c): admins, or a read grant. */
int	disc_reads(struct pgl_req *, const struct pgl_asset *,
	    const struct pgl_catalog *);

/* discovery/metadata.c: business metadata, and an asset by id. */
void	api_metadata_put(struct pgl_req *);
void	api_metadata_get(struct pgl_req *);
void	api_metadata_delete(struct pgl_req *);
void	api_asset_by_id_get(struct pgl_req *);
/* NULL if tag is acceptable, else why. */
const char	*disc_tag_check(const char *tag);

/* discovery/search.c: /assets/search, /search/assets, /search. */
void	api_search_assets(struct pgl_req *);
void	api_search_assets_paged(struct pgl_req *);
void	api_search(struct pgl_req *);

/* discovery/search_columns.c: the column tags of a page of hits (ABI
 * 1.19): an object of asset id -> [{"field_id", "tags"}], or NULL after a
 * reply; and one hit's entry (a new reference, [] when none). */
json_t	*disc_hit_column_tags(struct pgl_req *, const struct pgl_asset_hit *,
	    size_t);
json_t	*disc_column_tags_of(json_t *, const struct pgl_asset_hit *);

/* discovery/access.c: access requests and their review. */
void	api_access_request_create(struct pgl_req *);
void	api_access_request_list(struct pgl_req *);
void	api_access_request_get(struct pgl_req *);
void	api_access_request_review(struct pgl_req *);

/* discovery/bulk.c: bulk delete of assets, name availability. */
void	api_bulk_delete_assets(struct pgl_req *);
void	api_validate_names(struct pgl_req *);

#endif
