/*
 * Snapshot updates: add-snapshot (§4.9), set-snapshot-ref (§4.10),
 * remove-snapshot-ref (§4.11), remove-snapshots (§4.12).  Only refs
 * move "main", and "main" is what current-snapshot-id follows (§9-6).
 */
#include <string.h>

#include "iceberg/internal.h"

/* §4.9: 400 for what can never work, 409 for what a retry may fix. */
static int
check_snapshot(struct ice_tb *b, const json_t *snap)
{
	int64_t	v = ice_get(b->md, "format-version");
	int64_t	seq = ice_get(snap, "sequence-number");
	int64_t	last = ice_get(b->md, "last-sequence-number");

	if (json_array_size(json_object_get(b->md, "schemas")) == 0 ||
	    json_array_size(json_object_get(b->md, "partition-specs")) == 0 ||
	    json_array_size(json_object_get(b->md, "sort-orders")) == 0)
		return (ice_invalid(b->err, "add a schema, partition spec and "
		    "sort order before a snapshot"));
	/* Clients draw ids from [1, 2^63 - 1]; -1 means "none" (§1.1). */
	if (ice_get(snap, "snapshot-id") <= 0)
		return (ice_invalid(b->err, "snapshot-id must be positive, "
		    "got %lld", (long long)ice_get(snap, "snapshot-id")));
	if (seq > ICE_SEQ_MAX && !(last < INT64_MAX && seq == last + 1))
		return (ice_invalid(b->err, "sequence-number %lld leaves no "
		    "room for later commits (past 2^62 = %lld only "
		    "last-sequence-number + 1)", (long long)seq,
		    (long long)ICE_SEQ_MAX));
	if (ice_find(json_object_get(b->md, "snapshots"), "snapshot-id",
	    ice_get(snap, "snapshot-id")) != NULL)
		return (ice_invalid(b->err, "snapshot %lld already exists",
		    (long long)ice_get(snap, "snapshot-id")));
	if (v >= 2 && json_object_get(snap, "parent-snapshot-id") != NULL &&
	    seq <= last)
		return (ice_conflict(b->err, "Cannot add snapshot with sequence "
		    "number %lld older than last sequence number %lld",
		    (long long)seq, (long long)last));
	return (0);
}

/*
 * §4.9, v3: row ids are handed out in order, without overlap.  A
 * first-row-id behind next-row-id is a stale commit (409, retryable).
 * Past next-row-id it leaves a gap, and next-row-id moves to the end of
 * this snapshot's ids: the spec's next-row-id += added-rows would stay
 * behind them, and the next snapshot could be given the same ids.  No
 * snapshot already there may hold any of them (a table written before
 * this was checked may have next-row-id behind its own snapshots).
 */
static int
advance_row_id(struct ice_tb *b, const json_t *snap)
{
	int64_t	next = ice_get(b->md, "next-row-id"), first, end;

	if (json_object_get(snap, "first-row-id") == NULL)
		return (ice_invalid(b->err, "a v3 snapshot needs first-row-id"));
	first = ice_get(snap, "first-row-id");
	if (first < next)
		return (ice_conflict(b->err, "Cannot add a snapshot, "
		    "first-row-id is behind table next-row-id: %lld < %lld",
		    (long long)first, (long long)next));
	if (__builtin_add_overflow(first, ice_get(snap, "added-rows"), &end))
		return (ice_invalid(b->err, "next-row-id overflows"));
	if (ice_lineage_free(b->md, first, end, b->err) == -1)
		return (-1);
	return (ice_set_int(b->md, "next-row-id", end, b->err));
}

/* Does not touch refs, current-snapshot-id or the snapshot-log. */
int
ice_tb_add_snapshot(struct ice_tb *b, const json_t *u)
{
	json_t	*in, *snap;
	int	 rc = -1;

	if ((in = ice_need(u, "snapshot", b->err)) == NULL ||
	    (snap = ice_snapshot_read(in, b->err)) == NULL)
		return (-1);
	if (check_snapshot(b, snap) == -1 || (ice_get(b->md,
	    "format-version") >= 3 && advance_row_id(b, snap) == -1))
		goto done;
	if (ice_set_int(b->md, "last-sequence-number", ice_get(snap,
	    "sequence-number"), b->err) == -1 ||
	    ice_push(json_object_get(b->md, "snapshots"), json_incref(snap),
	    b->err) == -1 ||
	    ice_ids_add(&b->new_snaps, ice_get(snap, "snapshot-id"),
	    b->err) == -1)
		goto done;
	b->changes++;
	rc = 0;
done:
	json_decref(snap);
	return (rc);
}

/*
 * main moved: current follows, and the snapshot-log gets the snapshot's
 * own timestamp if this request added it, else now (§4.10-5).
 */
static int
move_main(struct ice_tb *b, const json_t *snap)
{
	int64_t	id = ice_get(snap, "snapshot-id"), ts = b->now;

	if (ice_ids_has(&b->new_snaps, id)) {
		ts = ice_get(snap, "timestamp-ms");
		if (ice_ids_add(&b->main_snaps, id, b->err) == -1)
			return (-1);
	}
	if (ice_set_int(b->md, "current-snapshot-id", id, b->err) == -1)
		return (-1);
	return (ice_push(json_object_get(b->md, "snapshot-log"),
	    json_pack("{s:I, s:I}", "timestamp-ms", (json_int_t)ts,
	    "snapshot-id", (json_int_t)id), b->err));
}

static int
set_ref(struct ice_tb *b, const char *name, json_t *ref)
{
	json_t	*refs = json_object_get(b->md, "refs"), *snap;
	int64_t	 id = ice_get(ref, "snapshot-id");
	int	 main = strcmp(name, "main") == 0;

	if (json_equal(json_object_get(refs, name), ref))
		return (0);
	if ((snap = ice_find(json_object_get(b->md, "snapshots"),
	    "snapshot-id", id)) == NULL)
		return (ice_invalid(b->err, "cannot set %.64s to unknown "
		    "snapshot %lld", name, (long long)id));
	if (main && strcmp(json_string_value(json_object_get(ref, "type")),
	    "tag") == 0)
		return (ice_invalid(b->err, "main must be a branch"));
	if (main && move_main(b, snap) == -1)
		return (-1);
	b->changes++;
	/* Retention values are replaced wholesale (§4.10-6). */
	return (ice_set(refs, name, json_incref(ref), b->err));
}

int
ice_tb_set_ref(struct ice_tb *b, const json_t *u)
{
	const char	*name;
	json_t		*ref;
	int		 rc;

	if (ice_str(u, "ref-name", &name, b->err) == -1 ||
	    (ref = ice_ref_read(u, b->err)) == NULL)
		return (-1);
	if (name[0] == '\0') {
		json_decref(ref);
		return (ice_bad(b->err, "`ref-name` must not be empty"));
	}
	rc = set_ref(b, name, ref);
	json_decref(ref);
	return (rc);
}

/* §4.11: removing main clears the current snapshot. */
static int
remove_ref(struct ice_tb *b, const char *name)
{
	if (strcmp(name, "main") == 0 && ice_set_int(b->md,
	    "current-snapshot-id", ICE_NO_SNAPSHOT, b->err) == -1)
		return (-1);
	if (json_object_del(json_object_get(b->md, "refs"), name) == 0)
		b->changes++;
	return (0);
}

int
ice_tb_remove_ref(struct ice_tb *b, const json_t *u)
{
	const char	*name;

	if (ice_str(u, "ref-name", &name, b->err) == -1)
		return (-1);
	return (remove_ref(b, name));
}

static int
read_ids(const json_t *u, struct ice_ids *ids, struct ice_err *e)
{
	json_t	*arr, *v;
	size_t	 i;

	if ((arr = ice_need(u, "snapshot-ids", e)) == NULL)
		return (-1);
	if (!json_is_array(arr))
		return (ice_bad(e, "`snapshot-ids` must be an array"));
	json_array_foreach(arr, i, v) {
		if (!json_is_integer(v))
			return (ice_bad(e, "`snapshot-ids` must be integers"));
		if (ice_ids_add(ids, json_integer_value(v), e) == -1)
			return (-1);
	}
	ice_ids_sort(ids);
	return (0);
}

/* §4.12: refs left pointing nowhere go, main through remove_ref. */
static int
drop_dangling_refs(struct ice_tb *b)
{
	struct ice_ids	 live = { 0 };
	const char	*name;
	json_t		*s, *ref, *refs = json_object_get(b->md, "refs");
	void		*tmp;
	size_t		 i;
	int		 rc = 0;

	json_array_foreach(json_object_get(b->md, "snapshots"), i, s) {
		if (ice_ids_add(&live, ice_get(s, "snapshot-id"), b->err) ==
		    -1) {
			ice_ids_free(&live);
			return (-1);
		}
	}
	ice_ids_sort(&live);
	json_object_foreach_safe(refs, tmp, name, ref) {
		if (!ice_ids_sorted_has(&live, ice_get(ref, "snapshot-id")) &&
		    (rc = remove_ref(b, name)) == -1)
			break;
	}
	ice_ids_free(&live);
	return (rc);
}

/* Unknown ids are ignored; each removed snapshot is one change. */
int
ice_tb_remove_snapshots(struct ice_tb *b, const json_t *u)
{
	struct ice_ids	 ids = { 0 };
	json_t		*snaps = json_object_get(b->md, "snapshots");
	int64_t		 id;
	size_t		 i;
	int		 rc = -1;

	if (read_ids(u, &ids, b->err) == -1)
		goto done;
	for (i = json_array_size(snaps); i-- > 0;) {
		id = ice_get(json_array_get(snaps, i), "snapshot-id");
		if (!ice_ids_sorted_has(&ids, id))
			continue;
		(void)json_array_remove(snaps, i);
		(void)ice_tb_remove_stats_of(b, id);
		b->changes++;
		b->removed++;
	}
	rc = drop_dangling_refs(b);
done:
	ice_ids_free(&ids);
	return (rc);
}
