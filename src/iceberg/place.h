/*
 * A table reads and names only files in its own place (issue 67,
 * docs/security.md "Every table owns its files").  Its place is its
 * location, which no other table's or view's overlaps; remote signing,
 * vended credentials, presign and maintenance reach that place alone.
 * A file its metadata names elsewhere is another table's (whose manifests
 * a plan would read past that table's grants and data policies, and
 * answer its data files and column statistics), or no table's (never
 * cleaned, and an orphan to whichever table is later placed there).  So
 * what a table's metadata names must lie in its place: each snapshot's
 * manifest list (and a v1 snapshot's manifests), statistics and
 * partition-statistics files, and the directories its properties
 * write.data.path, write.metadata.path, write.object-storage.path and
 * write.folder-storage.path (the old name) send writes to.  Manifests,
 * data and delete files are named inside manifest lists and manifests,
 * which only the readers see (scan planning, merges, maintenance).
 *
 * Pure: no I/O, no server state.  A place compares by its location's key
 * (util/location.h, pgl_location_key): one spelling of a place, exactly
 * one '/' at its end, so "s3://b/t1/" holds nothing of "s3://b/t10/".
 */
#ifndef PGL_ICEBERG_PLACE_H
#define PGL_ICEBERG_PLACE_H

#include <stddef.h>
#include <stdint.h>
#include <jansson.h>

#include "util/location.h"

struct ice_place {
	const char	*location;	/* as given (borrowed) */
	size_t		 len;		/* of key; 0: no place, nothing in it */
	char		 key[PGL_LOCATION_KEY_MAX];
};

/* The place of location: 0, or -1 (no place: location NULL, not a valid
 * location, or too long), nothing lying in it then. */
int	ice_place_init(struct ice_place *, const char *location);
/*
 * 1 if path is a valid location (pgl_location_check: no "." or ".."
 * segment, no control byte) lying in the place, the place itself
 * included; else 0.
 */
int	ice_place_holds(const struct ice_place *, const char *path);

/* A path metadata names outside its place: the first one found. */
struct ice_named {
	const char	*field;		/* "manifest-list", "write.data.path" */
	const char	*what;		/* "snapshot", "statistics file", ... */
	const char	*path;		/* as named (borrowed from the JSON) */
	int64_t		 snapshot_id;	/* its snapshot, or -1 */
};

/*
 * What a commit's updates (a JSON array of table or view updates) would
 * name outside place: add-snapshot's manifest-list (or v1 manifests),
 * set-statistics' and set-partition-statistics' statistics-path, and
 * set-properties' path properties.  Only the updates are read, never the
 * metadata they apply to: a commit checks what it adds.  1 with *out
 * filled, else 0.  Values of the wrong type are the engine's to refuse.
 */
int	ice_named_updates(const json_t *updates, const struct ice_place *,
	    struct ice_named *out);
/*
 * What metadata (a table's or a view's) names outside place and before
 * (NULL: nothing) does not: snapshots by id and manifest list,
 * statistics entries by path, path properties by value.  A file
 * registered, a table created or moved (before NULL), or a merge's
 * result against the target's table.  1 with *out filled, else 0.
 */
int	ice_named_added(const json_t *before, const json_t *metadata,
	    const struct ice_place *, struct ice_named *out);
/* The same for a properties object alone (a create's, a merge's). */
int	ice_named_props(const json_t *props, const json_t *before_props,
	    const struct ice_place *, struct ice_named *out);
/*
 * out as a phrase naming the file: "snapshot 12's manifest-list
 * s3://b/x.avro", "property write.data.path s3://b/d"; into buf (n bytes,
 * cut to fit).
 */
void	ice_named_text(const struct ice_named *, char *buf, size_t n);

#endif
