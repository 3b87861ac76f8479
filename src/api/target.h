/*
 * Where an Iceberg REST request points (pangolin-api.md §3.3-3.4), read
 * by the rest, commit, branching and maintenance rooms and by the gate's
 * authorization (target.c): {prefix} is a catalog name in the request's
 * tenant; namespace levels are separated by 0x1F; a branch is selected by
 * `name@branch` on the table, else `ns@branch` on the namespace, default
 * `main`.  And the spec's paging of lists.
 */
#ifndef PGL_API_TARGET_H
#define PGL_API_TARGET_H

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
/* "a.b.table" (arena) for messages and Delete operations. */
char	*ice_dotted(struct pgl_req *, const char *ns, const char *name);
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
/* 1 if a is the asset t names (catalog, branch, namespace, name). */
int	ice_same_asset(const struct pgl_asset *a, const struct ice_target *t);

#endif
