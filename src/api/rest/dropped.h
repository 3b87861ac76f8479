/*
 * Undrop's routes (issue 46 part 5): a catalog's recoverable drops
 * listed, and one restored, with its whole history, under its name or
 * another (rest/dropped.c).  The entries themselves are written by the
 * drop (commit/dropped.h) and expire by tasks/dropped_expiry.h.
 */
#ifndef PGL_API_REST_DROPPED_H
#define PGL_API_REST_DROPPED_H

#include "http/request.h"

/* GET /api/v1/catalogs/{name}/dropped */
void	api_dropped_list(struct pgl_req *);
/* POST /api/v1/catalogs/{name}/dropped/{id}/restore */
void	api_dropped_restore(struct pgl_req *);

#endif
