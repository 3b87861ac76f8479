/*
 * The list of a namespace's assets of one kind on its branch (tables,
 * views, functions), by name: a list walk (list_walk.h) whose rows are
 * struct pgl_asset.  Each list keeps only how a row is written; reading
 * the rows, their keys and what a tenant user may see are the same for
 * every kind, so they live here once.
 */
#ifndef PGL_API_LIST_ASSETS_H
#define PGL_API_LIST_ASSETS_H

#include "api/rest/list_walk.h"

/* The row reader, key and key compare of an asset list's ops. */
int	list_assets_fetch(struct list_walk *, struct pgl_arena *,
	    const struct pgl_page *, void **rows, size_t *n,
	    struct pgl_err *);
void	list_assets_key(const void *row, struct pgl_page_key *);
int	list_assets_cmp(const void *row, const struct pgl_page_key *);

/*
 * Answer r with the list of its namespace's assets of kind (a
 * pgl_asset kind), paged by tokens of the scope named scope_name
 * ("tables", "views", "functions"), each row written by ops->write.
 * Replies itself on every error (no namespace: 404).
 */
void	list_assets_run(struct pgl_req *r, const struct list_walk_ops *ops,
	    const char *kind, const char *scope_name);

#endif
