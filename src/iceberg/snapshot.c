/*
 * Snapshots, refs, statistics files and encryption keys (§1.2), read
 * into the form and key order Java writes.  Every id, timestamp and
 * size is kept as the exact int64 it was sent as.
 */
#include <string.h>

#include "iceberg/internal.h"

/* A fresh object to read into, if in is an object at all. */
static json_t *
start(const json_t *in, const char *what, struct ice_err *e)
{
	json_t	*out;

	if (!json_is_object(in)) {
		(void)ice_bad(e, "%s must be an object", what);
		return (NULL);
	}
	if ((out = json_object()) == NULL)
		(void)ice_oom(e);
	return (out);
}

/* A summary without "operation" reads as "overwrite"; it comes first. */
static int
read_summary(const json_t *in, json_t *snap, struct ice_err *e)
{
	const char	*k, *op;
	json_t		*sum, *v, *out;

	if (ice_obj_or(in, "summary", &sum, e) == -1)
		return (-1);
	if (sum == NULL)
		return (0);
	if (ice_str_or(sum, "operation", &op, e) == -1)
		return (-1);
	if ((out = json_pack("{s:s}", "operation", op ? op : "overwrite")) ==
	    NULL || ice_set(snap, "summary", out, e) == -1)
		return (ice_oom(e));
	json_object_foreach(sum, k, v) {
		if (strcmp(k, "operation") == 0)
			continue;
		if (!json_is_string(v))
			return (ice_bad(e, "snapshot summary values must be "
			    "strings (`%.64s`)", k));
		if (ice_set(out, k, json_string(json_string_value(v)), e) == -1)
			return (-1);
	}
	return (0);
}

/* manifest-list, or v1's embedded "manifests" list. */
static int
read_manifests(const json_t *in, json_t *snap, struct ice_err *e)
{
	const char	*list;
	json_t		*m;

	if (ice_str_or(in, "manifest-list", &list, e) == -1)
		return (-1);
	if (list != NULL)
		return (ice_set(snap, "manifest-list", json_string(list), e));
	if (json_object_get(in, "manifests") == NULL)
		return (ice_bad(e, "snapshot needs `manifest-list`"));
	if ((m = ice_strlist_copy(in, "manifests", e)) == NULL)
		return (-1);
	return (ice_set(snap, "manifests", m, e));
}

static int
set_opt(json_t *o, const char *key, int64_t v, struct ice_err *e)
{
	if (v == ICE_NONE)
		return (0);
	return (ice_set_int(o, key, v, e));
}

/*
 * v3 row lineage: added-rows goes with first-row-id, both >= 0.  A
 * snapshot with first-row-id and no added-rows is refused in a request
 * and in a file a client registers (Java's BaseSnapshot refuses it too):
 * read as 0, as this server once did, next-row-id would not move past
 * the rows the snapshot did add, and the next snapshot would be given
 * their ids.  Deriving the count from the manifest list instead would
 * mean reading it on the commit path, and trusting a count the client
 * left out.  (PyIceberg, whose snapshots leave added-rows out, writes
 * none to a v3 table: through 0.12 it refuses to write a v3 manifest
 * list.)  A stored file, registered before this was refused, is still
 * read as it was, the count as 0 and written so, or its table could
 * never load into a commit again; its next-row-id is what its writer
 * said.
 */
static int
read_lineage(const json_t *in, json_t *snap, int stored, struct ice_err *e)
{
	int64_t	first, added;

	if (ice_i64_or(in, "first-row-id", ICE_NONE, &first, e) == -1 ||
	    ice_i64_or(in, "added-rows", ICE_NONE, &added, e) == -1)
		return (-1);
	if (first == ICE_NONE)
		return (set_opt(snap, "added-rows", added, e));
	if (added == ICE_NONE && !stored)
		return (ice_invalid(e, "snapshot %lld: `added-rows` is "
		    "required with `first-row-id` (v3 row lineage)",
		    (long long)ice_get(snap, "snapshot-id")));
	if (added == ICE_NONE)
		added = 0;
	if (first < 0 || added < 0)
		return (ice_invalid(e, "first-row-id and added-rows must not "
		    "be negative"));
	if (ice_set_int(snap, "first-row-id", first, e) == -1)
		return (-1);
	return (ice_set_int(snap, "added-rows", added, e));
}

static int
read_snapshot(const json_t *in, json_t *out, int stored,
    struct ice_err *e)
{
	const char	*key;
	int64_t		 seq, id, parent, ts, schema;

	if (ice_i64_or(in, "sequence-number", 0, &seq, e) == -1 ||
	    ice_i64(in, "snapshot-id", &id, e) == -1 ||
	    ice_i64_or(in, "parent-snapshot-id", ICE_NONE, &parent, e) == -1 ||
	    ice_i64(in, "timestamp-ms", &ts, e) == -1 ||
	    ice_i32_or(in, "schema-id", ICE_NONE, &schema, e) == -1 ||
	    ice_str_or(in, "key-id", &key, e) == -1)
		return (-1);
	if (id == ICE_NO_SNAPSHOT)
		return (ice_invalid(e, "snapshot id -1 means no snapshot"));
	if (seq < 0)
		return (ice_invalid(e, "negative sequence-number"));
	if ((seq != 0 && ice_set_int(out, "sequence-number", seq, e) == -1) ||
	    ice_set_int(out, "snapshot-id", id, e) == -1 ||
	    set_opt(out, "parent-snapshot-id", parent, e) == -1 ||
	    ice_set_int(out, "timestamp-ms", ts, e) == -1 ||
	    read_summary(in, out, e) == -1 || read_manifests(in, out, e) == -1 ||
	    set_opt(out, "schema-id", schema, e) == -1 ||
	    read_lineage(in, out, stored, e) == -1)
		return (-1);
	if (key != NULL)
		return (ice_set(out, "key-id", json_string(key), e));
	return (0);
}

static json_t *
snapshot_read(const json_t *in, int stored, struct ice_err *e)
{
	json_t	*out;

	if ((out = start(in, "a snapshot", e)) == NULL)
		return (NULL);
	if (read_snapshot(in, out, stored, e) == -1) {
		json_decref(out);
		return (NULL);
	}
	return (out);
}

json_t *
ice_snapshot_read(const json_t *in, struct ice_err *e)
{
	return (snapshot_read(in, 0, e));
}

json_t *
ice_snapshot_read_stored(const json_t *in, struct ice_err *e)
{
	return (snapshot_read(in, 1, e));
}

/* An optional retention value; present means > 0 (§1.2). */
static int
positive(const json_t *in, const char *key, int i32, json_t *out,
    struct ice_err *e)
{
	int64_t	v;

	if ((i32 ? ice_i32_or(in, key, 0, &v, e) :
	    ice_i64_or(in, key, 0, &v, e)) == -1)
		return (-1);
	if (json_object_get(in, key) == NULL ||
	    json_is_null(json_object_get(in, key)))
		return (0);
	if (v <= 0)
		return (ice_invalid(e, "`%s` must be positive", key));
	return (ice_set_int(out, key, v, e));
}

static int
read_ref(const json_t *in, json_t *out, struct ice_err *e)
{
	const char	*type;
	int64_t		 id;
	int		 tag;

	if (ice_i64(in, "snapshot-id", &id, e) == -1 ||
	    ice_str(in, "type", &type, e) == -1)
		return (-1);
	if (!ice_strieq(type, "branch") && !ice_strieq(type, "tag"))
		return (ice_bad(e, "ref type must be branch or tag"));
	tag = ice_strieq(type, "tag");
	if (ice_set_int(out, "snapshot-id", id, e) == -1 ||
	    ice_set(out, "type", json_string(tag ? "tag" : "branch"), e) ==
	    -1 || positive(in, "min-snapshots-to-keep", 1, out, e) == -1 ||
	    positive(in, "max-snapshot-age-ms", 0, out, e) == -1 ||
	    positive(in, "max-ref-age-ms", 0, out, e) == -1)
		return (-1);
	if (tag && (json_object_get(out, "min-snapshots-to-keep") != NULL ||
	    json_object_get(out, "max-snapshot-age-ms") != NULL))
		return (ice_invalid(e, "tags do not take min-snapshots-to-keep "
		    "or max-snapshot-age-ms"));
	return (0);
}

/* A ref object, or a set-snapshot-ref update (extra keys ignored). */
json_t *
ice_ref_read(const json_t *in, struct ice_err *e)
{
	json_t	*out;

	if ((out = start(in, "a ref", e)) == NULL)
		return (NULL);
	if (read_ref(in, out, e) == -1) {
		json_decref(out);
		return (NULL);
	}
	return (out);
}

static int
copy_int(const json_t *in, const char *key, json_t *out, struct ice_err *e)
{
	int64_t	v;

	if (ice_i64(in, key, &v, e) == -1)
		return (-1);
	return (ice_set_int(out, key, v, e));
}

static int
copy_str(const json_t *in, const char *key, int req, json_t *out,
    struct ice_err *e)
{
	const char	*v;

	if ((req ? ice_str(in, key, &v, e) : ice_str_or(in, key, &v,
	    e)) == -1)
		return (-1);
	return (v == NULL ? 0 : ice_set(out, key, json_string(v), e));
}

static int
copy_strmap(const json_t *in, const char *key, json_t *out,
    struct ice_err *e)
{
	json_t	*m;

	if (json_object_get(in, key) == NULL ||
	    json_is_null(json_object_get(in, key)))
		return (0);
	if ((m = ice_strmap_copy(in, key, e)) == NULL)
		return (-1);
	return (ice_set(out, key, m, e));
}

static int
read_blob_fields(const json_t *in, json_t *out, struct ice_err *e)
{
	json_t	*fields, *v;
	size_t	 i;

	if (ice_arr_or(in, "fields", &fields, e) == -1)
		return (-1);
	if (fields == NULL)
		return (ice_bad(e, "missing field `fields`"));
	json_array_foreach(fields, i, v) {
		if (!ice_is_i32(v))
			return (ice_bad(e, "blob `fields` must be integers"));
	}
	return (ice_set(out, "fields", json_deep_copy(fields), e));
}

static json_t *
read_blob(const json_t *in, struct ice_err *e)
{
	json_t	*out;

	if ((out = start(in, "blob metadata", e)) == NULL)
		return (NULL);
	if (copy_str(in, "type", 1, out, e) == -1 ||
	    copy_int(in, "snapshot-id", out, e) == -1 ||
	    copy_int(in, "sequence-number", out, e) == -1 ||
	    read_blob_fields(in, out, e) == -1 ||
	    copy_strmap(in, "properties", out, e) == -1) {
		json_decref(out);
		return (NULL);
	}
	return (out);
}

static int
read_blobs(const json_t *in, json_t *out, struct ice_err *e)
{
	json_t	*arr, *blobs, *b;
	size_t	 i;

	if (ice_arr_or(in, "blob-metadata", &arr, e) == -1)
		return (-1);
	if (arr == NULL)
		return (ice_bad(e, "missing field `blob-metadata`"));
	if ((blobs = json_array()) == NULL || ice_set(out, "blob-metadata",
	    blobs, e) == -1)
		return (ice_oom(e));
	json_array_foreach(arr, i, b) {
		if (ice_push(blobs, read_blob(b, e), e) == -1)
			return (-1);
	}
	return (0);
}

/* A statistics file; Java drops key-metadata, keeping it is harmless. */
json_t *
ice_stats_read(const json_t *in, struct ice_err *e)
{
	json_t	*out;

	if ((out = start(in, "statistics", e)) == NULL)
		return (NULL);
	if (copy_int(in, "snapshot-id", out, e) == -1 ||
	    copy_str(in, "statistics-path", 1, out, e) == -1 ||
	    copy_int(in, "file-size-in-bytes", out, e) == -1 ||
	    copy_int(in, "file-footer-size-in-bytes", out, e) == -1 ||
	    copy_str(in, "key-metadata", 0, out, e) == -1 ||
	    read_blobs(in, out, e) == -1) {
		json_decref(out);
		return (NULL);
	}
	return (out);
}

json_t *
ice_pstats_read(const json_t *in, struct ice_err *e)
{
	json_t	*out;

	if ((out = start(in, "partition statistics", e)) == NULL)
		return (NULL);
	if (copy_int(in, "snapshot-id", out, e) == -1 ||
	    copy_str(in, "statistics-path", 1, out, e) == -1 ||
	    copy_int(in, "file-size-in-bytes", out, e) == -1) {
		json_decref(out);
		return (NULL);
	}
	return (out);
}

/* {"key-id","encrypted-key-metadata","encrypted-by-id"?,"properties"?} */
json_t *
ice_key_read(const json_t *in, struct ice_err *e)
{
	json_t	*out;

	if ((out = start(in, "an encryption key", e)) == NULL)
		return (NULL);
	if (copy_str(in, "key-id", 1, out, e) == -1 ||
	    copy_str(in, "encrypted-key-metadata", 1, out, e) == -1 ||
	    copy_str(in, "encrypted-by-id", 0, out, e) == -1 ||
	    copy_strmap(in, "properties", out, e) == -1) {
		json_decref(out);
		return (NULL);
	}
	return (out);
}
