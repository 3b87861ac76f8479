/*
 * Internal metadata to the JSON Pangolin writes (§1.1): Java's key
 * order and the per-version rules (v1 copies of the current schema and
 * default spec, last-sequence-number from v2, next-row-id and a null
 * current-snapshot-id from v3, encryption-keys only when there are
 * some).
 */
#include "iceberg/internal.h"

/*
 * Shared, not copied: every caller frees md right after writing it, and
 * nothing changes a written metadata in place, so a deep copy of every
 * key (a tenth of a commit's CPU) bought nothing.
 */
static int
copy(json_t *out, const json_t *md, const char *key, struct ice_err *e)
{
	json_t	*v;

	if ((v = json_object_get(md, key)) == NULL)
		return (0);
	return (ice_set(out, key, json_incref(v), e));
}

static int
copy_all(json_t *out, const json_t *md, const char *const *keys,
    struct ice_err *e)
{
	for (; *keys != NULL; keys++) {
		if (copy(out, md, *keys, e) == -1)
			return (-1);
	}
	return (0);
}

static int
write_head(json_t *out, const json_t *md, int64_t v, struct ice_err *e)
{
	static const char *const head[] = { "format-version", "table-uuid",
	    "location", NULL };
	static const char *const columns[] = { "last-updated-ms",
	    "last-column-id", NULL };

	if (copy_all(out, md, head, e) == -1)
		return (-1);
	if (v > 1 && copy(out, md, "last-sequence-number", e) == -1)
		return (-1);
	if (copy_all(out, md, columns, e) == -1)
		return (-1);
	if (v == 1 && ice_set(out, "schema", json_deep_copy(ice_find(
	    json_object_get(md, "schemas"), "schema-id",
	    ice_get(md, "current-schema-id"))), e) == -1)
		return (-1);
	return (0);
}

static int
write_specs(json_t *out, const json_t *md, int64_t v, struct ice_err *e)
{
	json_t	*spec;

	if (copy(out, md, "current-schema-id", e) == -1 ||
	    copy(out, md, "schemas", e) == -1)
		return (-1);
	if (v == 1) {
		spec = ice_find(json_object_get(md, "partition-specs"),
		    "spec-id", ice_get(md, "default-spec-id"));
		if (ice_set(out, "partition-spec", json_deep_copy(
		    json_object_get(spec, "fields")), e) == -1)
			return (-1);
	}
	return (0);
}

static int
write_snapshots(json_t *out, const json_t *md, int64_t v, struct ice_err *e)
{
	static const char *const tail[] = { "refs", "snapshots",
	    "statistics", "partition-statistics", "snapshot-log",
	    "metadata-log", NULL };
	int64_t	cur = ice_get(md, "current-snapshot-id");

	/* v3 writes "no current snapshot" as null, older versions -1. */
	if (ice_set(out, "current-snapshot-id", v >= 3 &&
	    cur == ICE_NO_SNAPSHOT ? json_null() : json_integer(cur), e) == -1)
		return (-1);
	if (v >= 3 && copy(out, md, "next-row-id", e) == -1)
		return (-1);
	if (json_array_size(json_object_get(md, "encryption-keys")) > 0 &&
	    copy(out, md, "encryption-keys", e) == -1)
		return (-1);
	return (copy_all(out, md, tail, e));
}

json_t *
ice_md_write(const json_t *md, struct ice_err *e)
{
	static const char *const middle[] = { "default-spec-id",
	    "partition-specs", "last-partition-id", "default-sort-order-id",
	    "sort-orders", "properties", NULL };
	json_t	*out;
	int64_t	 v = ice_get(md, "format-version");

	if ((out = json_object()) == NULL) {
		(void)ice_oom(e);
		return (NULL);
	}
	if (write_head(out, md, v, e) == -1 || write_specs(out, md, v, e) ==
	    -1 || copy_all(out, md, middle, e) == -1 ||
	    write_snapshots(out, md, v, e) == -1) {
		json_decref(out);
		return (NULL);
	}
	return (out);
}
