/*
 * Table metadata from a file or a request (§1.1): every key resolved
 * to the internal form described in internal.h, with Java's reader
 * defaults (v1 "schema"/"partition-spec" fallbacks, missing sort
 * orders, a synthesized "main" ref, ...).  Invariants are checked
 * separately (table_check.c).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "iceberg/internal.h"

typedef json_t	*(*reader)(const json_t *, struct ice_err *);

/*
 * A v1 table without a uuid gets one (§1.1).  It is derived from the
 * location, not random, so that every load of the same file agrees on
 * it (assert-table-uuid) until a commit writes it down.  RFC 9562
 * version 8: vendor-specific.
 */
static json_t *
derived_uuid(const char *location)
{
	unsigned char	 b[16];
	uint64_t	 h[2] = { 0xcbf29ce484222325ULL, 0x84222325cbf29ce4ULL };
	const char	*p;
	int		 i, k;

	for (k = 0; k < 2; k++) {
		for (p = location; *p != '\0'; p++)
			h[k] = (h[k] ^ (unsigned char)*p) * 0x100000001b3ULL;
		for (i = 0; i < 8; i++)
			b[k * 8 + i] = (unsigned char)(h[k] >> (56 - 8 * i));
	}
	b[6] = (b[6] & 0x0f) | 0x80;
	b[8] = (b[8] & 0x3f) | 0x80;
	return (json_sprintf("%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-"
	    "%02x%02x%02x%02x%02x%02x", b[0], b[1], b[2], b[3], b[4], b[5],
	    b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15]));
}

static int
read_location(const json_t *raw, json_t *md, struct ice_err *e)
{
	const char	*loc, *uuid;
	char		*s, *uri;
	int		 rc;

	if (ice_str(raw, "location", &loc, e) == -1 ||
	    ice_str_or(raw, "table-uuid", &uuid, e) == -1)
		return (-1);
	if (loc[0] == '\0')
		return (ice_invalid(e, "location must not be empty"));
	/* The uuid is derived from the location as the file spells it, so
	 * a v1 table written with a bare path keeps its uuid. */
	if ((s = ice_strip_slash(loc)) == NULL)
		return (ice_oom(e));
	if ((uri = ice_location_norm(s)) == NULL) {
		free(s);
		return (ice_oom(e));
	}
	if (uuid == NULL && ice_get(md, "format-version") > 1)
		rc = ice_invalid(e, "table-uuid is required in format v2+");
	else if ((rc = ice_set(md, "location", json_string(uri), e)) == 0)
		rc = ice_set(md, "table-uuid", uuid ? json_string(uuid) :
		    derived_uuid(s), e);
	free(uri);
	free(s);
	return (rc);
}

static int
read_header(const json_t *raw, json_t *md, struct ice_err *e)
{
	int64_t	v, seq, ts, last, row;

	if (ice_i32(raw, "format-version", &v, e) == -1)
		return (-1);
	if (v < 1 || v > ICE_MAX_FORMAT)
		return (ice_invalid(e, "unsupported format-version %lld",
		    (long long)v));
	if (ice_set_int(md, "format-version", v, e) == -1 ||
	    read_location(raw, md, e) == -1)
		return (-1);
	/* v1 has no sequence numbers: Java ignores the key (§1.1). */
	if (v > 1 && ice_i64_or(raw, "last-sequence-number", 0, &seq, e) == -1)
		return (-1);
	if (v == 1)
		seq = 0;
	if (ice_i64(raw, "last-updated-ms", &ts, e) == -1 ||
	    ice_i32(raw, "last-column-id", &last, e) == -1)
		return (-1);
	if (v >= 3 ? ice_i64(raw, "next-row-id", &row, e) == -1 :
	    ice_i64_or(raw, "next-row-id", 0, &row, e) == -1)
		return (-1);
	if (v < 3)
		row = 0;
	if (row < 0)
		return (ice_invalid(e, "next-row-id must not be negative"));
	if (ice_set_int(md, "last-sequence-number", seq, e) == -1 ||
	    ice_set_int(md, "last-updated-ms", ts, e) == -1 ||
	    ice_set_int(md, "last-column-id", last, e) == -1)
		return (-1);
	return (ice_set_int(md, "next-row-id", row, e));
}

/* raw[key] read element by element into md[key]; [] if absent. */
static int
read_list(const json_t *raw, const char *key, reader fn, json_t *md,
    struct ice_err *e)
{
	json_t	*in, *out, *v;
	size_t	 i;

	if (ice_arr_or(raw, key, &in, e) == -1)
		return (-1);
	if ((out = json_array()) == NULL || ice_set(md, key, out, e) == -1)
		return (ice_oom(e));
	json_array_foreach(in, i, v) {
		if (ice_push(out, fn(v, e), e) == -1) {
			ice_err_prefix(e, key);
			return (-1);
		}
	}
	return (0);
}

/* Java indexes these lists by id: a repeated id is invalid. */
static int
unique(const json_t *md, const char *list, const char *key,
    struct ice_err *e)
{
	struct ice_ids	 ids = { 0 };
	json_t		*v;
	int64_t		 dup;
	size_t		 i;
	int		 rc = 0;

	json_array_foreach(json_object_get(md, list), i, v) {
		if (ice_ids_add(&ids, ice_get(v, key), e) == -1) {
			ice_ids_free(&ids);
			return (-1);
		}
	}
	if (ice_ids_dup(&ids, &dup))
		rc = ice_invalid(e, "%s: %s %lld appears twice", list, key,
		    (long long)dup);
	ice_ids_free(&ids);
	return (rc);
}

/* "schemas" + "current-schema-id", else v1's single "schema". */
static int
read_schemas(const json_t *raw, json_t *md, struct ice_err *e)
{
	json_t	*one;
	int64_t	 cur;

	if (json_object_get(raw, "schemas") != NULL &&
	    !json_is_null(json_object_get(raw, "schemas"))) {
		if (read_list(raw, "schemas", ice_schema_read, md, e) == -1 ||
		    unique(md, "schemas", "schema-id", e) == -1 ||
		    ice_i32(raw, "current-schema-id", &cur, e) == -1)
			return (-1);
		return (ice_set_int(md, "current-schema-id", cur, e));
	}
	if (json_object_get(raw, "schema") == NULL)
		return (ice_bad(e, "missing field `schemas`"));
	if ((one = ice_schema_read(json_object_get(raw, "schema"), e)) == NULL)
		return (-1);
	if (ice_set(md, "schemas", json_pack("[o]", one), e) == -1)
		return (-1);
	return (ice_set_int(md, "current-schema-id", ice_get(one,
	    "schema-id"), e));
}

/* Field ids missing in a stored spec: Java numbers them 1000, 1001, ... */
static json_t *
read_stored_spec(const json_t *in, struct ice_err *e)
{
	json_t	*spec;
	int	 has_ids;

	if ((spec = ice_spec_read(in, 0, &has_ids, e)) != NULL &&
	    ice_spec_number(spec, ICE_PART_START) == -1) {
		json_decref(spec);
		(void)ice_oom(e);
		return (NULL);
	}
	return (spec);
}

/* v1 fallback: "partition-spec" is the default spec's fields (id 0). */
static int
read_v1_spec(const json_t *raw, json_t *md, struct ice_err *e)
{
	json_t	*fields, *spec;
	int	 has_ids;

	if (json_object_get(raw, "partition-spec") == NULL)
		return (ice_bad(e, "missing field `partition-specs`"));
	if ((fields = ice_spec_fields_read(json_object_get(raw,
	    "partition-spec"), 0, &has_ids, e)) == NULL)
		return (-1);
	if ((spec = json_pack("{s:i, s:o}", "spec-id", 0, "fields",
	    fields)) == NULL || ice_spec_number(spec, ICE_PART_START) == -1 ||
	    ice_set(md, "partition-specs", json_pack("[o]", spec), e) == -1)
		return (ice_oom(e));
	return (ice_set_int(md, "default-spec-id", 0, e));
}

static int
read_specs(const json_t *raw, json_t *md, struct ice_err *e)
{
	json_t	*spec;
	int64_t	 id, last;
	size_t	 i;

	if (json_object_get(raw, "partition-specs") == NULL ||
	    json_is_null(json_object_get(raw, "partition-specs"))) {
		if (read_v1_spec(raw, md, e) == -1)
			return (-1);
	} else if (read_list(raw, "partition-specs", read_stored_spec, md,
	    e) == -1 || unique(md, "partition-specs", "spec-id", e) == -1 ||
	    ice_i32(raw, "default-spec-id", &id, e) == -1 ||
	    ice_set_int(md, "default-spec-id", id, e) == -1)
		return (-1);
	/* Reader default: the highest field id of any spec, 999 if none. */
	last = ICE_PART_START - 1;
	json_array_foreach(json_object_get(md, "partition-specs"), i, spec) {
		if (ice_spec_last_id(spec) > last)
			last = ice_spec_last_id(spec);
	}
	if (ice_i32_or(raw, "last-partition-id", last, &last, e) == -1)
		return (-1);
	return (ice_set_int(md, "last-partition-id", last, e));
}

static json_t *
read_stored_order(const json_t *in, struct ice_err *e)
{
	return (ice_order_read(in, 0, e));
}

/* Absent: one unsorted order, id 0 (§1.1). */
static int
read_orders(const json_t *raw, json_t *md, struct ice_err *e)
{
	int64_t	id;

	if (json_object_get(raw, "sort-orders") == NULL ||
	    json_is_null(json_object_get(raw, "sort-orders"))) {
		if (ice_set(md, "sort-orders", json_pack("[{s:i, s:[]}]",
		    "order-id", 0, "fields"), e) == -1)
			return (-1);
		return (ice_set_int(md, "default-sort-order-id", 0, e));
	}
	if (read_list(raw, "sort-orders", read_stored_order, md, e) == -1 ||
	    unique(md, "sort-orders", "order-id", e) == -1 ||
	    ice_i32_or(raw, "default-sort-order-id", 0, &id, e) == -1)
		return (-1);
	return (ice_set_int(md, "default-sort-order-id", id, e));
}

/* Absent "refs" with a current snapshot: main points at it (§1.1). */
static int
read_refs(const json_t *raw, json_t *md, struct ice_err *e)
{
	const char	*name;
	json_t		*in, *out, *v;
	int64_t		 cur;

	if (ice_i64_or(raw, "current-snapshot-id", ICE_NO_SNAPSHOT, &cur,
	    e) == -1 || ice_set_int(md, "current-snapshot-id", cur, e) == -1 ||
	    ice_obj_or(raw, "refs", &in, e) == -1)
		return (-1);
	if ((out = json_object()) == NULL || ice_set(md, "refs", out, e) == -1)
		return (ice_oom(e));
	if (in == NULL && cur != ICE_NO_SNAPSHOT)
		return (ice_set(out, "main", json_pack("{s:I, s:s}",
		    "snapshot-id", (json_int_t)cur, "type", "branch"), e));
	json_object_foreach(in, name, v) {
		if (ice_set(out, name, ice_ref_read(v, e), e) == -1) {
			ice_err_prefix(e, "refs");
			return (-1);
		}
	}
	return (0);
}

/*
 * A log entry already in its normal form, two members of these types, is
 * shared, not rebuilt: both trees are never changed (update.c), and a
 * table's metadata log is a hundred of them, read on every commit.
 */
static int
entry_normal(const json_t *in, const char *k1, const char *k2)
{
	return (json_is_object(in) && json_object_size(in) == 2 &&
	    json_is_integer(json_object_get(in, k1)) &&
	    json_object_get(in, k2) != NULL &&
	    (json_is_integer(json_object_get(in, k2)) ||
	    json_is_string(json_object_get(in, k2))));
}

static json_t *
read_snapshot_entry(const json_t *in, struct ice_err *e)
{
	int64_t	ts, id;

	if (entry_normal(in, "timestamp-ms", "snapshot-id") &&
	    json_is_integer(json_object_get(in, "snapshot-id")))
		return (json_incref((json_t *)in));
	if (!json_is_object(in)) {
		(void)ice_bad(e, "log entries must be objects");
		return (NULL);
	}
	if (ice_i64(in, "timestamp-ms", &ts, e) == -1 ||
	    ice_i64(in, "snapshot-id", &id, e) == -1)
		return (NULL);
	return (json_pack("{s:I, s:I}", "timestamp-ms", (json_int_t)ts,
	    "snapshot-id", (json_int_t)id));
}

static json_t *
read_metadata_entry(const json_t *in, struct ice_err *e)
{
	const char	*file;
	int64_t		 ts;

	if (entry_normal(in, "timestamp-ms", "metadata-file") &&
	    json_is_string(json_object_get(in, "metadata-file")))
		return (json_incref((json_t *)in));
	if (!json_is_object(in)) {
		(void)ice_bad(e, "log entries must be objects");
		return (NULL);
	}
	if (ice_i64(in, "timestamp-ms", &ts, e) == -1 ||
	    ice_str(in, "metadata-file", &file, e) == -1)
		return (NULL);
	return (json_pack("{s:I, s:s}", "timestamp-ms", (json_int_t)ts,
	    "metadata-file", file));
}

static int
read_properties(const json_t *raw, json_t *md, struct ice_err *e)
{
	return (ice_set(md, "properties", ice_strmap_copy(raw, "properties",
	    e), e));
}

static int
read_rest(const json_t *raw, json_t *md, reader snapshots, struct ice_err *e)
{
	if (read_properties(raw, md, e) == -1 ||
	    read_list(raw, "snapshots", snapshots, md, e) == -1 ||
	    unique(md, "snapshots", "snapshot-id", e) == -1 ||
	    read_refs(raw, md, e) == -1 ||
	    read_list(raw, "statistics", ice_stats_read, md, e) == -1 ||
	    read_list(raw, "partition-statistics", ice_pstats_read, md,
	    e) == -1 ||
	    read_list(raw, "encryption-keys", ice_key_read, md, e) == -1 ||
	    read_list(raw, "snapshot-log", read_snapshot_entry, md, e) == -1)
		return (-1);
	return (read_list(raw, "metadata-log", read_metadata_entry, md, e));
}

/* Any JSON value to internal metadata, or NULL + 400. */
static json_t *
md_read(const json_t *raw, reader snapshots, struct ice_err *e)
{
	json_t	*md;

	if (!json_is_object(raw)) {
		(void)ice_bad(e, "table metadata must be an object");
		return (NULL);
	}
	if ((md = json_object()) == NULL) {
		(void)ice_oom(e);
		return (NULL);
	}
	if (read_header(raw, md, e) == -1 || read_schemas(raw, md, e) == -1 ||
	    read_specs(raw, md, e) == -1 || read_orders(raw, md, e) == -1 ||
	    read_rest(raw, md, snapshots, e) == -1) {
		json_decref(md);
		return (NULL);
	}
	return (md);
}

json_t *
ice_md_read(const json_t *raw, struct ice_err *e)
{
	return (md_read(raw, ice_snapshot_read_stored, e));
}

json_t *
ice_md_read_new(const json_t *raw, struct ice_err *e)
{
	return (md_read(raw, ice_snapshot_read, e));
}

/*
 * §2.6-2: the empty builder of a create transaction.  No location yet,
 * no schema, spec or sort order: the updates must supply them.
 */
json_t *
ice_md_empty(int64_t version, int64_t now, struct ice_err *e)
{
	json_t	*md;

	md = json_pack("{s:I, s:I, s:I, s:i, s:i, s:[], s:i, s:[], s:i, s:i,"
	    " s:[], s:{}, s:i, s:i, s:[], s:{}, s:[], s:[], s:[], s:[], s:[]}",
	    "format-version", (json_int_t)version,
	    "last-sequence-number", (json_int_t)0,
	    "last-updated-ms", (json_int_t)now,
	    "last-column-id", 0, "current-schema-id", 0, "schemas",
	    "default-spec-id", 0, "partition-specs", "last-partition-id", 0,
	    "default-sort-order-id", 0, "sort-orders", "properties",
	    "current-snapshot-id", ICE_NO_SNAPSHOT, "next-row-id", 0,
	    "encryption-keys", "refs", "snapshots", "statistics",
	    "partition-statistics", "snapshot-log", "metadata-log");
	if (md == NULL)
		(void)ice_oom(e);
	return (md);
}
