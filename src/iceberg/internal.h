/*
 * Shared by the files of the Iceberg engine; not for callers.
 *
 * Internally a table's metadata is one JSON object holding every §1.1
 * key (v1 fallbacks resolved, "current-snapshot-id" always an integer,
 * -1 for none, "location" absent only while a create transaction is
 * being built).  ice_md_read() makes it from anything, ice_md_write()
 * turns it into the JSON Pangolin writes for its format-version.
 * Nested objects (schemas, specs, snapshots, ...) are already in their
 * canonical written form inside it.
 */
#ifndef PGL_ICEBERG_INTERNAL_H
#define PGL_ICEBERG_INTERNAL_H

#include <stddef.h>
#include <stdint.h>
#include <jansson.h>

#include "iceberg/iceberg.h"

#define ICE_MAX_FORMAT		3	/* table format-version (§1.1) */
#define ICE_VIEW_FORMAT		1	/* view format-version (§7.1) */
#define ICE_ONE_MINUTE		60000	/* clock-skew tolerance (§1.3-5) */
#define ICE_MAX_DEPTH		64	/* nesting of schema types */
#define ICE_PART_START		1000	/* first partition field id (§1.4) */
#define ICE_NO_SNAPSHOT		(-1)
/*
 * Every commit adds one to the sequence number, so a table at 2^63 - 1
 * takes no further append.  Past 2^62 a snapshot may only take the next
 * number (no jump), and a registered file's last-sequence-number may not
 * lie past it: 2^62 more commits than any table makes stay free.
 */
#define ICE_SEQ_MAX		(INT64_C(1) << 62)
#define ICE_NONE		INT64_MIN	/* a "null" id in the builder */
#define ICE_LAST_ADDED		(-1)	/* "-1 = last added" (§4.0) */

#define ICE_PRINTF(a, b)	__attribute__((format(printf, a, b)))

/* err.c: fill the error and return -1, so callers can `return (ice_bad())`. */
int	 ice_bad(struct ice_err *, const char *, ...) ICE_PRINTF(2, 3);
int	 ice_invalid(struct ice_err *, const char *, ...) ICE_PRINTF(2, 3);
int	 ice_conflict(struct ice_err *, const char *, ...) ICE_PRINTF(2, 3);
int	 ice_fail(struct ice_err *, int, const char *, const char *, ...)
	    ICE_PRINTF(4, 5);
int	 ice_oom(struct ice_err *);
void	 ice_err_prefix(struct ice_err *, const char *);

/*
 * field.c: typed access to untrusted objects.  Each returns 0 or -1
 * with a 400 naming the key.  "_or" variants accept an absent or null
 * key (default value, or NULL); the others require it.  i32 is Java's
 * int: ids that Java keeps in an int must fit one.
 */
int	 ice_i64(const json_t *, const char *, int64_t *, struct ice_err *);
int	 ice_i64_or(const json_t *, const char *, int64_t, int64_t *,
	    struct ice_err *);
int	 ice_i32(const json_t *, const char *, int64_t *, struct ice_err *);
int	 ice_i32_or(const json_t *, const char *, int64_t, int64_t *,
	    struct ice_err *);
int	 ice_str(const json_t *, const char *, const char **,
	    struct ice_err *);
int	 ice_str_or(const json_t *, const char *, const char **,
	    struct ice_err *);
int	 ice_bool(const json_t *, const char *, int *, struct ice_err *);
int	 ice_arr_or(const json_t *, const char *, json_t **,
	    struct ice_err *);
int	 ice_obj_or(const json_t *, const char *, json_t **,
	    struct ice_err *);
json_t	*ice_strmap_copy(const json_t *, const char *, struct ice_err *);
json_t	*ice_strlist_copy(const json_t *, const char *, struct ice_err *);
int	 ice_is_i32(const json_t *);
json_t	*ice_need(const json_t *, const char *, struct ice_err *);

/* field.c: trusted internal objects and small list utilities. */
int64_t	 ice_get(const json_t *, const char *);
json_t	*ice_find(const json_t *, const char *, int64_t);
size_t	 ice_index(const json_t *, const char *, int64_t);
int64_t	 ice_max(const json_t *, const char *, int64_t);
int	 ice_set(json_t *, const char *, json_t *, struct ice_err *);
int	 ice_set_int(json_t *, const char *, int64_t, struct ice_err *);
int	 ice_push(json_t *, json_t *, struct ice_err *);
const char *ice_prop(const json_t *, const char *);
int	 ice_prop_int(const json_t *, const char *, int64_t, int64_t *);
int	 ice_parse_int(const char *, int64_t *);
int	 ice_strieq(const char *, const char *);
char	*ice_strip_slash(const char *);
char	*ice_location_norm(const char *);

/* ids.c: a growable set of int64. */
struct ice_ids {
	int64_t	*v;
	size_t	 n;
	size_t	 cap;
};
int	 ice_ids_add(struct ice_ids *, int64_t, struct ice_err *);
int	 ice_ids_has(const struct ice_ids *, int64_t);
int	 ice_ids_sorted_has(const struct ice_ids *, int64_t);
void	 ice_ids_sort(struct ice_ids *);
int	 ice_ids_dup(struct ice_ids *, int64_t *);
void	 ice_ids_free(struct ice_ids *);

/* types.c: primitive type strings and transforms. */
enum ice_xform {
	ICE_X_BAD = -1,
	ICE_X_IDENTITY,
	ICE_X_BUCKET,
	ICE_X_TRUNCATE,
	ICE_X_YEAR,
	ICE_X_MONTH,
	ICE_X_DAY,
	ICE_X_HOUR,
	ICE_X_VOID,
	ICE_X_UNKNOWN	/* from a newer writer: kept, assumed applicable */
};
json_t	*ice_type_primitive(const char *);
int	 ice_type_v3_only(const char *);
int	 ice_type_is_primitive(const json_t *);
enum ice_xform ice_transform(const char *, json_t **);
int	 ice_transform_applies(enum ice_xform, const json_t *);

/* schema.c: schemas (§1.2). */
struct ice_field {
	const json_t	*type;
	int		 required;
	int		 in_structs;	/* every ancestor is a struct */
	int		 parents_required;
};
json_t	*ice_schema_read(const json_t *, struct ice_err *);
int	 ice_schema_check_version(const json_t *, int64_t, struct ice_err *);
int	 ice_schema_same(const json_t *, const json_t *);
int64_t	 ice_schema_max_id(const json_t *);
int	 ice_schema_find(const json_t *, int64_t, struct ice_field *);
int64_t	 ice_schema_find_name(const json_t *, const char *);

/* schema_fresh.c: §2.3-3 id reassignment at create. */
struct ice_idmap {
	int64_t	*from;
	int64_t	*to;
	size_t	 n;
	size_t	 cap;
};
json_t	*ice_schema_fresh(const json_t *, struct ice_idmap *,
	    struct ice_err *);
int64_t	 ice_idmap_get(const struct ice_idmap *, int64_t);
void	 ice_idmap_free(struct ice_idmap *);

/* spec.c: partition specs (§1.2, §4.5). */
json_t	*ice_spec_read(const json_t *, int, int *, struct ice_err *);
json_t	*ice_spec_fields_read(const json_t *, int, int *, struct ice_err *);
int	 ice_spec_bind(const json_t *, const json_t *, int,
	    struct ice_err *);
int	 ice_spec_compatible(const json_t *, const json_t *);
int64_t	 ice_spec_last_id(const json_t *);
int	 ice_spec_number(json_t *, int64_t);

/* order.c: sort orders (§1.2, §4.7). */
json_t	*ice_order_read(const json_t *, int, struct ice_err *);
int	 ice_order_bind(const json_t *, const json_t *, struct ice_err *);
int	 ice_order_same(const json_t *, const json_t *);

/*
 * snapshot.c: snapshots, refs, statistics, encryption keys (§1.2).  A
 * snapshot of a request or of a file a client hands in is read as the
 * spec writes it; _stored reads one of a stored file as it was read when
 * stored (a v3 snapshot without added-rows: 0).
 */
json_t	*ice_snapshot_read(const json_t *, struct ice_err *);
json_t	*ice_snapshot_read_stored(const json_t *, struct ice_err *);
/*
 * row_lineage.c: 0 if no snapshot of md holds a row id in [first, end),
 * else -1 and a 400 naming the one that does.
 */
int	 ice_lineage_free(const json_t *md, int64_t first, int64_t end,
	    struct ice_err *);
json_t	*ice_ref_read(const json_t *, struct ice_err *);
json_t	*ice_stats_read(const json_t *, struct ice_err *);
json_t	*ice_pstats_read(const json_t *, struct ice_err *);
json_t	*ice_key_read(const json_t *, struct ice_err *);

/*
 * table_read.c, table_check.c, table_write.c.  ice_md_read: a stored
 * file (a commit's base); ice_md_read_new: a file a client hands in
 * (register), its snapshots read as a request's.
 */
json_t	*ice_md_read(const json_t *, struct ice_err *);
json_t	*ice_md_read_new(const json_t *, struct ice_err *);
json_t	*ice_md_empty(int64_t, int64_t, struct ice_err *);
int	 ice_md_validate(const json_t *, int, struct ice_err *);
/*
 * The same for md built from base, which passed it: the entries of a
 * log that are base's own (the same nodes, in order) are not read again,
 * since their order was checked; the rest is checked as above.  The
 * answer is ice_md_validate's (test builds check that it is).
 */
int	 ice_md_validate_next(const json_t *md, const json_t *base, int,
	    struct ice_err *);
json_t	*ice_md_write(const json_t *, struct ice_err *);

/* view.c */
json_t	*ice_view_version_read(const json_t *, int, struct ice_err *);
json_t	*ice_view_read(const json_t *, struct ice_err *);
int	 ice_view_validate(const json_t *, struct ice_err *);
json_t	*ice_view_write(const json_t *, struct ice_err *);

/* metadata_log.c */
int64_t	 ice_file_version(const char *);
char	*ice_metadata_path(const json_t *, const char *, const char *,
	    const char *);

/*
 * The table builder of §4.0: a working copy plus what this request has
 * done so far.  The ice_tb_* update handlers live in update_*.c.
 */
struct ice_tb {
	json_t		*md;		/* metadata being built */
	json_t		*base;		/* base as read, NULL for a create */
	int		 changes;	/* recorded changes */
	int		 removed;	/* snapshots removed (§4.Z-3) */
	int64_t		 now;
	int64_t		 last_schema;	/* lastAdded*Id, ICE_NONE if null */
	int64_t		 last_spec;
	int64_t		 last_order;
	struct ice_ids	 new_schemas;	/* ids added by this request */
	struct ice_ids	 new_specs;
	struct ice_ids	 new_orders;
	struct ice_ids	 new_snaps;
	struct ice_ids	 main_snaps;	/* added here and set as main */
	struct ice_err	*err;
#ifdef PGL_CHECKS
	json_t		*witness;	/* a copy of base, to compare */
#endif
};

typedef int	(*ice_tb_fn)(struct ice_tb *, const json_t *);

int	 ice_tb_assign_uuid(struct ice_tb *, const json_t *);
int	 ice_tb_upgrade_format(struct ice_tb *, const json_t *);
int	 ice_tb_set_location(struct ice_tb *, const json_t *);
int	 ice_tb_set_properties(struct ice_tb *, const json_t *);
int	 ice_tb_remove_properties(struct ice_tb *, const json_t *);
int	 ice_tb_enable_row_lineage(struct ice_tb *, const json_t *);
int	 ice_tb_add_schema(struct ice_tb *, const json_t *);
int	 ice_tb_set_current_schema(struct ice_tb *, const json_t *);
int	 ice_tb_remove_schemas(struct ice_tb *, const json_t *);
int	 ice_tb_add_spec(struct ice_tb *, const json_t *);
int	 ice_tb_set_default_spec(struct ice_tb *, const json_t *);
int	 ice_tb_remove_specs(struct ice_tb *, const json_t *);
int	 ice_tb_add_order(struct ice_tb *, const json_t *);
int	 ice_tb_set_default_order(struct ice_tb *, const json_t *);
int	 ice_tb_add_snapshot(struct ice_tb *, const json_t *);
int	 ice_tb_set_ref(struct ice_tb *, const json_t *);
int	 ice_tb_remove_ref(struct ice_tb *, const json_t *);
int	 ice_tb_remove_snapshots(struct ice_tb *, const json_t *);
int	 ice_tb_set_stats(struct ice_tb *, const json_t *);
int	 ice_tb_remove_stats(struct ice_tb *, const json_t *);
int	 ice_tb_set_pstats(struct ice_tb *, const json_t *);
int	 ice_tb_remove_pstats(struct ice_tb *, const json_t *);
int	 ice_tb_add_key(struct ice_tb *, const json_t *);
int	 ice_tb_remove_key(struct ice_tb *, const json_t *);
int	 ice_tb_remove_stats_of(struct ice_tb *, int64_t);
int	 ice_tb_remove_ids(struct ice_tb *, const json_t *, const char *,
	    const char *, const char *, const char *);
int	 ice_tb_fix_snapshot_log(struct ice_tb *);
int	 ice_tb_append_metadata_log(struct ice_tb *, const char *);

/* The view builder (§7.3): view_update.c applies, view_build.c builds. */
struct ice_vb {
	json_t		*md;
	json_t		*base;		/* NULL for a create */
	int		 changes;
	int64_t		 now;
	int64_t		 last_schema;	/* ICE_NONE if null */
	int64_t		 last_version;
	struct ice_ids	 new_versions;
	json_t		*history;	/* the pending version-log entry */
	struct ice_err	*err;
};

int	 ice_vb_apply_all(struct ice_vb *, const json_t *);
int	 ice_vb_add_schema(struct ice_vb *, const json_t *);
int	 ice_vb_add_version(struct ice_vb *, const json_t *);
int	 ice_vb_set_current(struct ice_vb *, const json_t *);

/* Shared by table and view updates. */
int	 ice_props_set(json_t *, const json_t *, int, struct ice_err *);
int	 ice_props_remove(json_t *, const json_t *, struct ice_err *);
int	 ice_reserved_prop(const char *);

/* function_types.c: a bounded text buffer, and the UDF spec's types. */
struct ice_sbuf {
	char	*p;
	size_t	 len, cap;
};
/* Append s: 0, or -1 once the buffer is full. */
int	 ice_sbuf_put(struct ice_sbuf *, const char *s);
/*
 * t is a FunctionDataType (where names it in the message): its canonical
 * string (int, list<int>, struct<id:int>) appended to b; -1 with a 400.
 */
int	 ice_fn_type(const json_t *t, const char *where, int depth,
	    struct ice_sbuf *b, struct ice_err *);

#endif
