/*
 * v3 row lineage (the spec's "Row Lineage" and "Snapshot Row IDs";
 * iceberg-commit.md §4.9): a snapshot's rows take the ids
 * [first-row-id, first-row-id + added-rows), and the table's next-row-id
 * is where the next snapshot's may start.  No two snapshots of a table,
 * on any branch, may hold one id: a reader would give two rows the same
 * _row_id, and row-level change tracking would join rows that never met.
 */
#include <stdlib.h>

#include "iceberg/internal.h"

struct range {
	int64_t	first;
	int64_t	end;		/* past the last id; INT64_MAX at most */
	int64_t	id;		/* the snapshot's */
};

/* s's range, if it holds any id: 1, else 0 (no first-row-id, no rows). */
static int
range_of(const json_t *s, struct range *r)
{
	const json_t	*first = json_object_get(s, "first-row-id");
	int64_t		 added = ice_get(s, "added-rows");

	if (!json_is_integer(first) || added <= 0)
		return (0);
	r->first = json_integer_value(first);
	r->id = ice_get(s, "snapshot-id");
	if (__builtin_add_overflow(r->first, added, &r->end))
		r->end = INT64_MAX;
	return (1);
}

int
ice_lineage_free(const json_t *md, int64_t first, int64_t end,
    struct ice_err *e)
{
	struct range	r;
	json_t		*s;
	size_t		i;

	if (end <= first)
		return (0);
	json_array_foreach(json_object_get(md, "snapshots"), i, s) {
		if (!range_of(s, &r) || r.end <= first || end <= r.first)
			continue;
		return (ice_invalid(e, "row ids [%lld, %lld) of the new "
		    "snapshot are snapshot %lld's [%lld, %lld): the table's "
		    "next-row-id %lld is behind its own snapshots",
		    (long long)first, (long long)end, (long long)r.id,
		    (long long)r.first, (long long)r.end,
		    (long long)ice_get(md, "next-row-id")));
	}
	return (0);
}

static int
by_first(const void *a, const void *b)
{
	const struct range	*x = a, *y = b;

	return (x->first < y->first ? -1 : x->first > y->first);
}

/*
 * Sorted by first id, each range must end before the next begins, and
 * the last before next-row-id, where the next commit's rows would start.
 */
int
ice_table_check_lineage(const json_t *md, struct ice_err *e)
{
	const json_t	*snaps = json_object_get(md, "snapshots");
	struct range	*v;
	json_t		*s;
	int64_t		 next = ice_get(md, "next-row-id");
	size_t		 i, n = 0;
	int		 rc = 0;

	if (ice_get(md, "format-version") < 3 || json_array_size(snaps) == 0)
		return (0);
	if ((v = calloc(json_array_size(snaps), sizeof(*v))) == NULL)
		return (ice_oom(e));
	json_array_foreach(snaps, i, s) {
		if (range_of(s, &v[n]))
			n++;
	}
	qsort(v, n, sizeof(*v), by_first);
	for (i = 0; i < n && rc == 0; i++) {
		if (i > 0 && v[i].first < v[i - 1].end)
			rc = ice_invalid(e, "snapshots %lld and %lld share row "
			    "ids: [%lld, %lld) and [%lld, %lld)",
			    (long long)v[i - 1].id, (long long)v[i].id,
			    (long long)v[i - 1].first, (long long)v[i - 1].end,
			    (long long)v[i].first, (long long)v[i].end);
		else if (v[i].end > next)
			rc = ice_invalid(e, "snapshot %lld holds row ids [%lld, "
			    "%lld) past next-row-id %lld: the next commit would "
			    "give them again", (long long)v[i].id,
			    (long long)v[i].first, (long long)v[i].end,
			    (long long)next);
	}
	free(v);
	return (rc);
}
