/*
 * A table (or view) reads and names only files in its own place (issue
 * 67; iceberg/place.h, docs/security.md "Every table owns its files"):
 * what each write would make a table's current metadata name is held to
 * the table's location.  A commit checks what it adds (its updates:
 * add-snapshot, set-statistics, set-partition-statistics,
 * set-properties), never the whole metadata, on the worker's thread after
 * the commit thread computed it; a commit that moves the table
 * (set-location) is checked whole against the new place, as are a
 * create, a create transaction and a register (the file, once).  Refused
 * 400, naming the field and the file.
 */
#ifndef PGL_API_COMMIT_NAMES_H
#define PGL_API_COMMIT_NAMES_H

#include <stddef.h>
#include <jansson.h>

#include "http/request.h"

struct ice_change;

/*
 * 1 with why (n bytes) saying what md names outside its own location,
 * that before (NULL: nothing) does not; else 0.  noun: "table", "view".
 */
int	ice_names_outside(const json_t *before, const json_t *md,
	    const char *noun, char *why, size_t n);
/* The same for a write on /v1: 0, or -1 after replying 400. */
int	ice_names_check(struct pgl_req *, const char *noun,
	    const json_t *md);
/* A commit's change, computed (c->next set): 0, or -1 after replying
 * 400. */
int	ice_commit_names(struct pgl_req *, const struct ice_change *c);

#endif
