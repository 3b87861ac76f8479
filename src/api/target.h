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

#include <stddef.h>

#include <jansson.h>

#include "http/request.h"
#include "util/page_token.h"

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
 * next-page-token is null; with it (even empty: the first page), pages
 * of pageSize (default 100, max 1000).  A token is a keyset one
 * (util/page_token.h) of the list scope names (ice_scope): pg->after is
 * its key, in r's arena (NULL: the first page), and the list reads from
 * there by an index, never by offset.  Replies 400 for a bad size, or a
 * token that is not one of this list's (another catalog's, branch's,
 * namespace's or tenant's).
 */
int	ice_page(struct pgl_req *, uint64_t scope, struct pgl_page *,
	    int *paged);
/* The scope of an Iceberg list (list: "namespaces", "tables", "views")
 * of r's tenant in catalog c: under parent (namespaces) or in namespace
 * ns on branch (tables, views). */
uint64_t	ice_scope(struct pgl_req *, const char *list,
		    const struct pgl_catalog *c, const char *where,
		    const char *branch);
/*
 * A management list's page (pangolin-api.md decision 6; issue 69): limit
 * and offset or page and page_size (pgl_req_page), or page_token: a
 * keyset token (util/page_token.h) of the list scope names, whose key
 * p->pg.after points at (in r's arena; an empty page_token is the first
 * page).  p->pg.limit is one more than the page, so the row past it says
 * another page follows.  With a token (p->keyed), the list is read from
 * the key by an index and answered without X-Total-Count: a count reads
 * every row.  Replies 400 for bad values, a token that is not one of
 * this list's (another tenant's, catalog's, branch's ...), a token
 * beside an offset, or a token on a store older than ABI 1.28.
 */
struct api_page {
	struct pgl_page	 pg;	/* the store's page */
	uint64_t	 scope;	/* of the list's tokens */
	int		 keyed;	/* a page_token's page */
	/* A filtered page that stopped reading early (api_filter_keyed):
	 * the key of the last row it read, where the next page starts. */
	int			resumed;
	struct pgl_page_key	resume;
};
int	api_list_page(struct pgl_req *, uint64_t scope, struct api_page *);
/*
 * Where a row's key (struct pgl_page_key) is in the row's struct: the
 * offsets of its fields, API_NO_KEY for none.  API_KEY_S(T, name): a
 * list by name; API_KEY_SS(T, ns, name): by namespace then name;
 * API_KEY_NS(T, time, id): by a time or a sequence number, then id.
 */
struct api_row_key {
	size_t	s, s2, n;
};
#define API_NO_KEY		((size_t)-1)
#define API_KEY_S(T, f) \
	(&(const struct api_row_key){ offsetof(T, f), API_NO_KEY, API_NO_KEY })
#define API_KEY_SS(T, f, g) \
	(&(const struct api_row_key){ offsetof(T, f), offsetof(T, g), \
	    API_NO_KEY })
#define API_KEY_NS(T, n, f) \
	(&(const struct api_row_key){ offsetof(T, f), API_NO_KEY, \
	    offsetof(T, n) })
/* The key of row, as rk says where it is (its strings the row's). */
void	api_row_key(const void *row, const struct api_row_key *rk,
	    struct pgl_page_key *);
/*
 * Answers a page read with api_list_page's p: arr's members are
 * items[0..] (size bytes each), as many as the store gave.  The row past
 * the page is dropped, and the page cut to the byte cap (pgl_list_trim);
 * when rows follow, X-Next-Page-Token holds the token of the last row
 * given (its key where rk says), and X-Total-Count total unless keyed.
 */
void	api_reply_page(struct pgl_req *, json_t *arr, const void *items,
	    size_t size, const struct api_row_key *, const struct api_page *,
	    uint64_t total);
/* 1 if a is the asset t names (catalog, branch, namespace, name). */
int	ice_same_asset(const struct pgl_asset *a, const struct ice_target *t);

#endif
