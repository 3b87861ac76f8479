/*
 * An Iceberg list answer (tables, views, namespaces) read and written in
 * slices.  A client that asks for no page gets the whole list, and a
 * namespace may hold 100,000 tables: read and written in one go that
 * would hold the worker's event loop for as long as it takes.  The walk
 * reads [server] list_slice_rows (PANGOLIN_LIST_SLICE_ROWS, 1,000) rows
 * of the store at a time into an arena of their
 * own, writes the ones the caller may see, and between slices lets the
 * worker serve the requests that came meanwhile (pgl_req_later).  A
 * tenant user's list is filtered as it is read, so a page of ten costs
 * the rows up to its eleventh visible one, not the whole namespace.
 *
 * A page is read by key (issue 69): the first slice after the client's
 * token (pageToken, a keyset token of the list's scope), each next one
 * after the last row the one before read, so a page deep into a list of
 * 200,000 reads its own rows, not every row before it, and its
 * next-page-token is the key of its last row.  The list is not one
 * snapshot: a row created or dropped between pages (or slices) is in it
 * or not, but one there throughout is never given twice nor skipped, as
 * an offset would when a row before it comes or goes.  A store that
 * cannot read after a key (an older plugin) is read from the first row
 * and the rows up to the key dropped here: the same answers, at an
 * offset's cost.
 */
#ifndef PGL_API_LIST_WALK_H
#define PGL_API_LIST_WALK_H

#include <stddef.h>
#include <stdint.h>

#include "http/request.h"
#include "pangolin/store.h"
#include "util/jw.h"

struct list_walk;

struct list_walk_ops {
	size_t	 size;		/* of one row */
	const char	*key;	/* the answer's array */
	/* One slice of rows (pg: its length, and the key it starts after,
	 * or its offset), allocated in a. */
	int	(*fetch)(struct list_walk *, struct pgl_arena *a,
		    const struct pgl_page *pg, void **rows, size_t *n,
		    struct pgl_err *);
	/* The row as one member of the array (jw_next done). */
	void	(*write)(struct pgl_jw *, const void *row);
	/* The row's key (its strings the row's). */
	void	(*row_key)(const void *row, struct pgl_page_key *);
	/* <= 0 when the row is at or before the key (a store without keyset
	 * reads). */
	int	(*cmp)(const void *row, const struct pgl_page_key *);
};

struct list_walk {
	const struct list_walk_ops	*ops;
	struct pgl_req			*r;
	/* What the caller may see; NULL: every row (an admin). */
	int		(*visible)(struct pgl_req *, const void *row, void *);
	void		*ctx;		/* visible's */
	void		*arg;		/* fetch's */
	struct pgl_page	 want;		/* the client's page (limit 0: all) */
	int		 paged;
	uint64_t	 scope;		/* of the page tokens */
	int		 keyset;	/* the store reads after a key */
	/* Under way: */
	uint64_t	 at;		/* rows read (an offset: no keyset) */
	struct pgl_page_key	 last;	/* the last row read */
	int		 has_last;
	struct pgl_page_key	 end;	/* the last row written */
	size_t		 kept;		/* rows written */
	int		 more;		/* a visible row past the page */
	struct pgl_jw	 w;
};

/*
 * A walk in r's arena for ops, the client's page (ice_page) and its
 * tokens' scope, and the caller's filter; keyset says whether the store
 * reads this list after a key.  NULL (replied 503) when out of memory.
 */
struct list_walk	*list_walk_new(struct pgl_req *,
			    const struct list_walk_ops *,
			    const struct pgl_page *want, int paged,
			    uint64_t scope, int keyset,
			    int (*visible)(struct pgl_req *, const void *,
			    void *), void *ctx, void *arg);
/* Walk it to its reply, in slices when r has a client. */
void			 list_walk_run(struct list_walk *);

#endif
