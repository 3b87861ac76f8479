/*
 * §1.3: the invariants every table metadata must satisfy, checked when
 * it is read and again whenever the builder produces a new version.
 */
#include <string.h>

#include "iceberg/internal.h"

/* later < earlier - 60 s, without overflowing on hostile timestamps. */
static int
behind(int64_t later, int64_t earlier)
{
	if (earlier < INT64_MIN + ICE_ONE_MINUTE)
		return (0);
	return (later < earlier - ICE_ONE_MINUTE);
}

/* §1.3-1: the current schema, default spec and sort order exist. */
static int
check_defaults(const json_t *md, struct ice_err *e)
{
	if (json_object_get(md, "location") == NULL)
		return (ice_invalid(e, "table has no location"));
	if (ice_find(json_object_get(md, "schemas"), "schema-id",
	    ice_get(md, "current-schema-id")) == NULL)
		return (ice_invalid(e, "current schema %lld does not exist",
		    (long long)ice_get(md, "current-schema-id")));
	if (ice_find(json_object_get(md, "partition-specs"), "spec-id",
	    ice_get(md, "default-spec-id")) == NULL)
		return (ice_invalid(e, "default partition spec %lld does not "
		    "exist", (long long)ice_get(md, "default-spec-id")));
	if (ice_find(json_object_get(md, "sort-orders"), "order-id",
	    ice_get(md, "default-sort-order-id")) == NULL)
		return (ice_invalid(e, "default sort order %lld does not exist",
		    (long long)ice_get(md, "default-sort-order-id")));
	return (0);
}

/* §1.3-2, -3: sequence numbers never pass last-sequence-number. */
static int
check_sequence(const json_t *md, struct ice_err *e)
{
	int64_t	last = ice_get(md, "last-sequence-number");
	json_t	*s;
	size_t	 i;

	if (ice_get(md, "format-version") == 1 && last != 0)
		return (ice_invalid(e, "v1 tables have no sequence numbers"));
	json_array_foreach(json_object_get(md, "snapshots"), i, s) {
		if (ice_get(s, "sequence-number") > last)
			return (ice_invalid(e, "snapshot %lld has sequence "
			    "number %lld > last-sequence-number %lld",
			    (long long)ice_get(s, "snapshot-id"),
			    (long long)ice_get(s, "sequence-number"),
			    (long long)last));
	}
	return (0);
}

/* §1.3-4: refs point at snapshots; main and current agree. */
static int
check_refs(const json_t *md, const struct ice_ids *snaps, struct ice_err *e)
{
	const char	*name;
	json_t		*ref, *main;
	int64_t		 cur = ice_get(md, "current-snapshot-id");

	json_object_foreach(json_object_get(md, "refs"), name, ref) {
		if (!ice_ids_sorted_has(snaps, ice_get(ref, "snapshot-id")))
			return (ice_invalid(e, "ref `%.64s` points at unknown "
			    "snapshot %lld", name,
			    (long long)ice_get(ref, "snapshot-id")));
	}
	main = json_object_get(json_object_get(md, "refs"), "main");
	if (cur == ICE_NO_SNAPSHOT) {
		if (main != NULL)
			return (ice_invalid(e, "main exists but there is no "
			    "current snapshot"));
		return (0);
	}
	if (!ice_ids_sorted_has(snaps, cur))
		return (ice_invalid(e, "current snapshot %lld does not exist",
		    (long long)cur));
	if (main != NULL && ice_get(main, "snapshot-id") != cur)
		return (ice_invalid(e, "current snapshot %lld is not main's "
		    "%lld", (long long)cur,
		    (long long)ice_get(main, "snapshot-id")));
	return (0);
}

/*
 * §1.3-5: a log is ordered (60 s of skew allowed) and not in the future.
 * Entries before from are known to be in order (a validated base's):
 * the check starts at entry from, against the one before it.
 */
static int
check_log(const json_t *md, const char *key, size_t from, struct ice_err *e)
{
	const json_t	*log = json_object_get(md, key);
	int64_t		 ts, prev = INT64_MIN;
	size_t		 i, n = json_array_size(log);

	for (i = from > 0 ? from - 1 : 0; i < n; i++) {
		ts = ice_get(json_array_get(log, i), "timestamp-ms");
		if (i > 0 && i >= from && behind(ts, prev))
			return (ice_invalid(e, "%s is not in time order", key));
		prev = ts;
	}
	if (prev != INT64_MIN && behind(ice_get(md, "last-updated-ms"), prev))
		return (ice_invalid(e, "last-updated-ms %lld is before the "
		    "last %s entry %lld", (long long)ice_get(md,
		    "last-updated-ms"), key, (long long)prev));
	return (0);
}

/*
 * How many of log's first entries are base_log's own, the same nodes in
 * the same order (a run of base's, some dropped from its head): the
 * builder shares them, so pointers tell, without reading an entry.  0
 * when the log starts otherwise.
 */
static size_t
kept_of(const json_t *log, const json_t *base_log)
{
	size_t	n = json_array_size(log), m = json_array_size(base_log);
	size_t	i, k;

	if (n == 0)
		return (0);
	for (k = 0; k < m && json_array_get(base_log, k) !=
	    json_array_get(log, 0); k++)
		;
	for (i = 0; i < n && k + i < m; i++) {
		if (json_array_get(log, i) != json_array_get(base_log, k + i))
			return (0);
	}
	return (i);
}

/* §1.3-6: default spec and sort order fit the current schema. */
static int
check_binding(const json_t *md, struct ice_err *e)
{
	const json_t	*schema, *spec, *order;

	schema = ice_find(json_object_get(md, "schemas"), "schema-id",
	    ice_get(md, "current-schema-id"));
	spec = ice_find(json_object_get(md, "partition-specs"), "spec-id",
	    ice_get(md, "default-spec-id"));
	order = ice_find(json_object_get(md, "sort-orders"), "order-id",
	    ice_get(md, "default-sort-order-id"));
	if (ice_spec_bind(spec, schema, 0, e) == -1) {
		ice_err_prefix(e, "default partition spec");
		return (-1);
	}
	if (ice_order_bind(order, schema, e) == -1) {
		ice_err_prefix(e, "default sort order");
		return (-1);
	}
	return (0);
}

/*
 * All of §1.3; bind adds -6, which Java checks only when it builds new
 * metadata, not when it reads a file.
 */
static int
validate(const json_t *md, const json_t *base, int bind, struct ice_err *e)
{
	struct ice_ids	 snaps = { 0 };
	json_t		*s;
	size_t		 i, kept_s = 0, kept_m = 0;
	int		 rc = -1;

	if (base != NULL) {
		kept_s = kept_of(json_object_get(md, "snapshot-log"),
		    json_object_get(base, "snapshot-log"));
		kept_m = kept_of(json_object_get(md, "metadata-log"),
		    json_object_get(base, "metadata-log"));
	}
	if (check_defaults(md, e) == -1 || check_sequence(md, e) == -1 ||
	    check_log(md, "snapshot-log", kept_s, e) == -1 ||
	    check_log(md, "metadata-log", kept_m, e) == -1 ||
	    (bind && check_binding(md, e) == -1))
		return (-1);
	json_array_foreach(json_object_get(md, "snapshots"), i, s) {
		if (ice_ids_add(&snaps, ice_get(s, "snapshot-id"), e) == -1)
			goto done;
	}
	ice_ids_sort(&snaps);
	rc = check_refs(md, &snaps, e);
done:
	ice_ids_free(&snaps);
	return (rc);
}

int
ice_md_validate(const json_t *md, int bind, struct ice_err *e)
{
	return (validate(md, NULL, bind, e));
}

int
ice_md_validate_next(const json_t *md, const json_t *base, int bind,
    struct ice_err *e)
{
	return (validate(md, base, bind, e));
}

int
ice_table_check_room(const json_t *md, struct ice_err *e)
{
	int64_t	last = ice_get(md, "last-sequence-number");

	if (last > ICE_SEQ_MAX)
		return (ice_invalid(e, "last-sequence-number %lld leaves no "
		    "room for later commits (at most 2^62 = %lld)",
		    (long long)last, (long long)ICE_SEQ_MAX));
	return (0);
}
