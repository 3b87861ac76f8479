/*
 * A table's row as this worker's last commit of it left it: the base of
 * its next commit, which then reads nothing from the store before it
 * computes (on PostgreSQL a round trip on the event loop, which also
 * waited for a group's COMMIT in flight).
 *
 * Only a hint.  Another writer (a worker, a replica, a rename, a drop)
 * may have moved the row since: the swap's compare-and-swap on the
 * pointer then fails, and the retry reads the row (and forgets the
 * hint, and takes none of that table for a few seconds: another writer
 * of it would make the next one stale too).  Not taken where the row's
 * id decides more than the event's label: a commit that changes the
 * schema (the data policies' check reads the column tags by the table's
 * id), or one whose request has the row from its authorization already.
 */
#ifndef PGL_API_COMMIT_ROWS_H
#define PGL_API_COMMIT_ROWS_H

#include "api/commit/commit.h"

/* 1: c->asset is the hint (its strings in r's arena); 0: none. */
int	commit_row_get(struct pgl_req *, struct ice_change *);
/* c landed: its row now names c->next_location. */
void	commit_row_put(struct pgl_req *, const struct ice_change *);
void	commit_row_forget(struct pgl_req *, const struct ice_change *);

#endif
