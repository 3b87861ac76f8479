/*
 * Iceberg table and view metadata engine: the rules of
 * /work/shared/spec/iceberg-commit.md (cited below as §N) as pure
 * functions over parsed JSON.  No I/O, no clock, no server state.
 *
 * Integers are jansson integers (long long): ids, timestamps and sizes
 * are exact int64 end to end and never pass through a double (§9-1).
 *
 * Every function that returns a json_t returns a new reference the
 * caller owns (the *_apply functions may return base itself); inputs
 * are never modified (except by ice_table_trim_log).
 * On failure it returns NULL (or -1) and fills the ice_err, which the
 * HTTP edge turns into {"error": {"message", "type", "code"}} (§0).
 */
#ifndef PGL_ICEBERG_H
#define PGL_ICEBERG_H

#include <stdint.h>
#include <jansson.h>

struct ice_err {
	int		 status;	/* 400, 404, 409; 500 only on OOM */
	const char	*type;		/* Iceberg exception simple name */
	char		 msg[256];
};

/* --- tables ------------------------------------------------------------ */

/*
 * §2.3: the initial TableMetadata for a CreateTableRequest body, with
 * every id reassigned by the server.  location is the resolved table
 * location (trailing '/' is stripped), uuid the new table uuid.
 */
json_t	*ice_table_new(const json_t *create_req, const char *location,
	    const char *uuid, int64_t now_ms, struct ice_err *);

/* 1 if the requirements contain assert-create (a create transaction). */
int	 ice_table_is_create(const json_t *requirements);

/*
 * §3: check a CommitTableRequest's requirements against the current
 * metadata (NULL: the table does not exist).  0 if they hold; else -1
 * with 400 (malformed, unknown type, assert-create mixed with others),
 * 404 (no table and no assert-create) or 409 CommitFailedException.
 */
int	 ice_table_check(const json_t *metadata, const json_t *requirements,
	    struct ice_err *);

/*
 * §4: apply updates to base (NULL only for a create transaction, §2.6).
 * base_location is the metadata file base was read from; it goes into
 * the metadata-log (NULL for new tables: no entry).  Returns the new
 * metadata, already trimmed per §4.Z-2; when no change was recorded it
 * returns base itself, with a new reference (see ice_table_unchanged).
 * NULL + 400/409 on failure.
 */
json_t	*ice_table_apply(const json_t *base, const json_t *updates,
	    const char *base_location, int64_t now_ms, struct ice_err *);

/*
 * One commit attempt reads its base once (§1.1 reader defaults):
 * ice_table_check_base checks the requirements against the file's JSON
 * and hands the normalised base (*read, a new reference; NULL for a
 * create or on failure) to ice_table_apply_base, which then does not
 * read it again.  ice_table_check and ice_table_apply are the same with
 * the base read by each; results and errors are identical.
 */
int	 ice_table_check_base(const json_t *metadata,
	    const json_t *requirements, json_t **read, struct ice_err *);
json_t	*ice_table_apply_base(const json_t *base, const json_t *read,
	    const json_t *updates, const char *base_location, int64_t now_ms,
	    struct ice_err *);
/*
 * The same two steps when the normalised base is at hand (kept from the
 * commit that wrote the file: api/cache/tree_cache.c), so that nothing
 * is read again: the check against read, and the apply, which also
 * hands back the next metadata's normalised form (*next_read, a new
 * reference; NULL when unchanged or refused): what reading the result
 * would give (test builds check it).  checked: read is such a form, which
 * the engine validated as it built it (§1.3), so the apply does not
 * validate it again; 0 for a form only read from a file (test builds
 * check that a form said to be checked passes).
 */
int	 ice_table_check_read(const json_t *read, const json_t *requirements,
	    struct ice_err *);
json_t	*ice_table_apply_read(const json_t *base, const json_t *read,
	    int checked, const json_t *updates, const char *base_location,
	    int64_t now_ms, json_t **next_read, struct ice_err *);

/*
 * 1 if next (from ice_table_apply) is base itself: nothing to write,
 * answer with the base file (§4.0).  Equal JSON is not enough: a
 * set-properties of values already set is still a change (§9-9).
 */
int	 ice_table_unchanged(const json_t *base, const json_t *next);

/*
 * Trim metadata's metadata-log in place to
 * max(1, write.metadata.previous-versions-max (default 100)) entries and
 * return the metadata files dropped (a JSON array of strings, possibly
 * empty).  ice_table_apply already does this, so on its result this
 * returns []; use ice_table_log_dropped to learn what a commit dropped.
 */
json_t	*ice_table_trim_log(json_t *metadata);

/*
 * The metadata files that were in base's metadata-log but are not in
 * next's: what to delete after a successful commit when
 * write.metadata.delete-after-commit.enabled is true (§4.Z-2).
 */
json_t	*ice_table_log_dropped(const json_t *base, const json_t *next);

/* 1 if write.metadata.delete-after-commit.enabled is "true". */
int	 ice_table_delete_after_commit(const json_t *metadata);

/*
 * §5.2: "%05d-<uuid>.metadata.json" (".gz.metadata.json" if gzip), the
 * number following the one in base_location's file name (0 if there is
 * none or base_location is NULL).  malloc'd.
 */
char	*ice_metadata_file_name(const char *base_location, const char *uuid,
	    int gzip);

/*
 * §5.2: the full path of the next metadata file of a table: directory
 * write.metadata.path or <location>/metadata, codec from
 * write.metadata.compression-codec (default none).  malloc'd; NULL if
 * md has no location.
 */
char	*ice_table_metadata_location(const json_t *md,
	    const char *base_location, const char *uuid);

/*
 * Validate metadata read from a file a client hands in (register): reader
 * defaults of §1.1 (v1 fallbacks, synthesized main ref, ...) and the §1.3
 * invariants; its snapshots are read as a request's (a v3 snapshot's
 * added-rows is required).  Returns the metadata as Pangolin writes
 * it, or NULL+400.  A v1 file without table-uuid gets one derived from
 * its location, the same on every read, so assert-table-uuid holds until
 * a commit writes it down.
 */
json_t	*ice_table_parse(const json_t *raw, struct ice_err *);

/*
 * 0 if parsed metadata's last-sequence-number leaves room for later
 * commits (at most 2^62), else -1 and a 400: register refuses a file
 * after which no append could follow.
 */
int	 ice_table_check_room(const json_t *metadata, struct ice_err *);

/*
 * 0 if parsed v3 metadata gives no row id twice: its snapshots' ranges
 * [first-row-id, first-row-id + added-rows) are disjoint and all below
 * next-row-id; else -1 and a 400 naming the snapshots.  Register
 * refuses a file whose rows, or whose next commit's, would share ids.
 */
int	 ice_table_check_lineage(const json_t *metadata, struct ice_err *);

/* §6 load with ?snapshots=refs: only snapshots some ref points at. */
json_t	*ice_table_refs_only(const json_t *metadata);

/* --- views (§7) ---------------------------------------------------------- */

/* §7.2: view metadata from a CreateViewRequest body. */
json_t	*ice_view_new(const json_t *create_req, const char *location,
	    const char *uuid, int64_t now_ms, struct ice_err *);

/* §3: assert-view-uuid is the only view requirement. */
int	 ice_view_check(const json_t *metadata, const json_t *requirements,
	    struct ice_err *);

/*
 * §7.3: apply view updates to base.  base_location is accepted for
 * symmetry with tables; views keep no metadata-log.  base itself comes
 * back (a new reference) when nothing changed (ice_view_unchanged).
 */
json_t	*ice_view_apply(const json_t *base, const json_t *updates,
	    const char *base_location, int64_t now_ms, struct ice_err *);

/* 1 if next (from ice_view_apply) is base itself: nothing to write. */
int	 ice_view_unchanged(const json_t *base, const json_t *next);

/* §7.2: like ice_table_metadata_location, but views default to gzip. */
char	*ice_view_metadata_location(const json_t *md,
	    const char *base_location, const char *uuid);

/* Validate view metadata read from a file; NULL+400 if invalid. */
json_t	*ice_view_parse(const json_t *raw, struct ice_err *);

/* --- functions (the UDF spec; issue 70) --------------------------------- */

/*
 * function.c: a function's metadata from a create request (name,
 * definitions, doc, secure, properties), the server assigning the uuid,
 * format-version, definition-ids, version ids, timestamps and the log;
 * NULL + 400 naming what breaks the spec.
 */
json_t	*ice_function_new(const json_t *create_req, const char *location,
	    const char *uuid, int64_t now_ms, struct ice_err *);
/*
 * A replace: base with the request's definitions appended as new
 * versions (a new signature as a new definition), doc, secure and
 * properties the request's when given, and one log entry, monotonic.
 */
json_t	*ice_function_replace(const json_t *base, const json_t *req,
	    int64_t now_ms, struct ice_err *);
/* <location>/metadata/%05d-<uuid>.metadata.json, after base's number. */
char	*ice_function_metadata_location(const json_t *md,
	    const char *base_location, const char *uuid);

/* --- maintenance ---------------------------------------------------------- */

struct ice_expire_opts {
	int64_t	now_ms;
	int64_t	older_than_ms;	/* an age; -1: the table's, else 5 days */
	int64_t	retain_last;	/* -1: the table's, else 1 */
};

/*
 * expire.c: the updates (remove-snapshot-ref for refs past their
 * max-ref-age-ms, then remove-snapshots) that expire md's old snapshots
 * as Iceberg's ExpireSnapshots does, honouring each ref's
 * max-ref-age-ms, max-snapshot-age-ms and min-snapshots-to-keep and the
 * history.expire.* table properties.  *expired gets the ids removed (a
 * JSON array, maybe empty).  NULL + 400 when a property is not a number.
 */
json_t	*ice_expire_updates(const json_t *md, const struct ice_expire_opts *,
	    json_t **expired, struct ice_err *);

#endif
