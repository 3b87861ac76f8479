/*
 * Two changes to one Iceberg table since the merge base, merged the
 * Iceberg way where they do not collide (api/branching/merge.h):
 *  - schema, partition spec, sort order, snapshots, refs, statistics
 *    (anything but the properties): a change on one side is taken (that
 *    side's metadata is the body of the result); other changes on both
 *    sides merge only when they are the same;
 *    identical changes on both merge; divergent schema, spec or sort
 *    order is a SchemaChange; data changes on both sides become one
 *    snapshot when both only appended or their partitions are disjoint
 *    (branching/merge_append.c), else a DataOverlap listing the partitions;
 *  - properties: changes to different keys merge, onto the body, through
 *    the commit engine (ice_table_apply with set-properties and
 *    remove-properties), written as the table's next metadata file; one
 *    key changed differently on each side is a MetadataConflict.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "api/commit/commit.h"
#include "api/branching/merge.h"
#include "api/read/read.h"
#include "api/tasks/task.h"
#include "iceberg/iceberg.h"
#include "util/json.h"
#include "util/uuid.h"

/* The element of md[list] whose id_key equals md[current_key]. */
static const json_t *
current(const json_t *md, const char *list, const char *id_key,
    const char *current_key)
{
	const json_t	*arr = json_object_get(md, list), *e;
	const json_t	*want = json_object_get(md, current_key);
	size_t		 i;

	json_array_foreach(arr, i, e) {
		if (json_equal(json_object_get(e, id_key), want))
			return (e);
	}
	return (NULL);
}

/* What a table is made of, apart from its properties. */
struct shape {
	const json_t	*schema, *spec, *sort, *snapshot;
};

static void
shape_of(const json_t *md, struct shape *s)
{
	const json_t	*sc = current(md, "schemas", "schema-id",
			    "current-schema-id");
	const json_t	*sp = current(md, "partition-specs", "spec-id",
			    "default-spec-id");
	const json_t	*so = current(md, "sort-orders", "order-id",
			    "default-sort-order-id");

	s->schema = sc != NULL ? json_object_get(sc, "fields") : NULL;
	s->spec = sp != NULL ? json_object_get(sp, "fields") : NULL;
	s->sort = so != NULL ? json_object_get(so, "fields") : NULL;
	s->snapshot = json_object_get(md, "current-snapshot-id");
	/* -1 and absent both mean "no snapshot". */
	if (json_is_integer(s->snapshot) &&
	    json_integer_value(s->snapshot) == -1)
		s->snapshot = NULL;
}

static int
same(const json_t *a, const json_t *b)
{
	if (a == NULL || json_is_null(a))
		return (b == NULL || json_is_null(b));
	return (b != NULL && json_equal(a, b));
}

static int
same_layout(const struct shape *a, const struct shape *b)
{
	return (same(a->schema, b->schema) && same(a->spec, b->spec) &&
	    same(a->sort, b->sort));
}

/*
 * 1 if a and b are the same table apart from what a merge of properties
 * rewrites anyway (properties, last-updated-ms, metadata-log): a side
 * that changed anything else (schema, snapshots, refs, statistics, ...)
 * is the body of the result.
 */
static int
same_rest(const json_t *a, const json_t *b)
{
	static const char *const skip[] = { "properties", "last-updated-ms",
	    "metadata-log" };
	json_t	*x = json_copy((json_t *)a), *y = json_copy((json_t *)b);
	size_t	 i;
	int	 eq;

	for (i = 0; i < sizeof(skip) / sizeof(skip[0]); i++) {
		json_object_del(x, skip[i]);
		json_object_del(y, skip[i]);
	}
	eq = json_equal(x, y);
	json_decref(x);
	json_decref(y);
	return (eq);
}

static void	conflict(struct merge_outcome *, json_t *, const char *, ...)
		    __attribute__((format(printf, 3, 4)));

static void
conflict(struct merge_outcome *out, json_t *type, const char *fmt, ...)
{
	va_list	ap;

	out->conflict_type = type;
	va_start(ap, fmt);
	(void)vsnprintf(out->description, sizeof(out->description), fmt, ap);
	va_end(ap);
}

/*
 * The properties both sides leave, into updates relative to body's;
 * conflicting keys into keys.
 */
static void
merge_properties(const json_t *b, const json_t *s, const json_t *t,
    const json_t *body, json_t *set, json_t *removals, json_t *keys)
{
	const json_t	*sides[3] = { b, s, t }, *bv, *sv, *tv, *want;
	const char	*k;
	json_t		*v, *all = json_object();
	size_t		 i;

	for (i = 0; i < 3; i++) {
		json_object_foreach((json_t *)sides[i], k, v)
			json_object_set(all, k, json_true());
	}
	json_object_foreach(all, k, v) {
		bv = json_object_get(b, k);
		sv = json_object_get(s, k);
		tv = json_object_get(t, k);
		if (!same(sv, bv) && !same(tv, bv) && !same(sv, tv)) {
			json_array_append_new(keys, json_string(k));
			continue;
		}
		want = !same(sv, bv) ? sv : tv;
		if (same(want, json_object_get(body, k)))
			continue;
		if (want == NULL)
			json_array_append_new(removals, json_string(k));
		else
			json_object_set(set, k, (json_t *)want);
	}
	json_decref(all);
}

/*
 * 1 if body's properties with set and removals applied stay within the
 * stored-map ceiling (PANGOLIN_MAX_PROPERTIES_BYTES/_ENTRIES); else 0
 * with why naming the limit.
 */
static int
props_fit(const json_t *body, const json_t *set, const json_t *removals,
    char *why, size_t whylen)
{
	json_t	*m, *v;
	size_t	 i;
	char	 msg[256];
	int	 fits;

	m = json_is_object(body) ? json_copy((json_t *)body) : json_object();
	json_object_update(m, (json_t *)set);
	json_array_foreach(removals, i, v) {
		if (json_is_string(v))
			json_object_del(m, json_string_value(v));
	}
	fits = pgl_json_map_fits(m, "properties", msg, sizeof(msg)) == 0;
	json_decref(m);
	if (!fits)
		(void)snprintf(why, whylen, "the merged properties are over the "
		    "limit: %s", msg);
	return (fits);
}

static int
load(struct pgl_req *r, const struct pgl_catalog *c, const json_t *ver,
    json_t **md)
{
	struct pgl_err	 err;
	const char	*loc = pgl_json_str(ver, "metadata_location");

	*md = NULL;
	memset(&err, 0, sizeof(err));
	return (loc != NULL && ice_metadata_load(r, c, loc, md, &err) ==
	    PGL_OK ? 0 : -1);
}

/* Write body + updates as the table's next metadata file. */
static int
write_merged(struct pgl_req *r, const struct pgl_catalog *c,
    const json_t *body_ver, const json_t *body, json_t *updates,
    struct merge_outcome *out)
{
	struct ice_err	 ierr;
	struct pgl_err	 err;
	const char	*body_loc = pgl_json_str(body_ver, "metadata_location");
	char		 uuid[PGL_UUID_LEN + 1], *loc;
	json_t		*next;

	if ((next = ice_table_apply(body, updates, body_loc, pgl_now_ms(),
	    &ierr)) == NULL) {
		pgl_reply_error(r, 409, "cannot merge the properties: %s",
		    ierr.msg);
		return (-1);
	}
	pgl_uuid_new(uuid);
	if ((loc = ice_table_metadata_location(next, body_loc, uuid)) ==
	    NULL) {
		json_decref(next);
		pgl_reply_error(r, 500, "merged table has no location");
		return (-1);
	}
	memset(&err, 0, sizeof(err));
	if (ice_write_metadata(r, c, loc, next, &err) != PGL_OK) {
		free(loc);
		json_decref(next);
		pgl_reply_store_error(r, &err);
		return (-1);
	}
	json_decref(next);
	out->merged = json_deep_copy(body_ver);
	json_object_set_new(out->merged, "metadata_location",
	    json_string(loc));
	free(loc);
	return (0);
}

int
merge_table(struct pgl_req *r, const struct pgl_catalog *c,
    const char *display, const json_t *bver, const json_t *sver,
    const json_t *tver, int dry, struct merge_outcome *out)
{
	struct shape	 bs, ss, ts;
	json_t		*b = NULL, *s = NULL, *t = NULL, *set, *rm, *keys;
	json_t		*updates, *appended = json_array();
	json_t		*parts = json_array();
	const json_t	*body, *body_ver;
	int		 rc = 0;

	memset(out, 0, sizeof(*out));
	if (json_is_null(bver) || load(r, c, bver, &b) == -1 ||
	    load(r, c, sver, &s) == -1 || load(r, c, tver, &t) == -1) {
		json_decref(b);
		json_decref(s);
		json_decref(t);
		json_decref(appended);
		json_decref(parts);
		conflict(out, json_pack("{s:{s:s,s:n,s:n,s:n}}", "SchemaChange",
		    "table_name", display, "base_schema", "source_schema",
		    "target_schema"), "table %s changed on both branches "
		    "without a common version to merge from", display);
		return (0);
	}
	shape_of(b, &bs);
	shape_of(s, &ss);
	shape_of(t, &ts);
	body = t;
	body_ver = tver;
	if (!same_rest(s, b) && !same_rest(t, b)) {
		if (!same_layout(&ss, &ts)) {
			conflict(out, json_pack("{s:{s:s,s:O?,s:O?,s:O?}}",
			    "SchemaChange", "table_name", display,
			    "base_schema", bs.schema, "source_schema",
			    ss.schema, "target_schema", ts.schema),
			    "both branches changed the schema, partition spec "
			    "or sort order of %s differently", display);
			goto done;
		}
		if (!same(ss.snapshot, ts.snapshot) && (rc = merge_appends(r,
		    c, b, s, t, dry, appended, parts)) != 1) {
			if (rc == 0)
				conflict(out, json_pack("{s:{s:s,s:O}}",
				    "DataOverlap", "table_name", display,
				    "overlapping_partitions", parts),
				    "both branches changed data of %s in "
				    "partitions that meet", display);
			rc = rc == -1 ? -1 : 0;
			goto done;
		}
		/* Both changed something else (refs, statistics, ...):
		 * only the same change merges. */
		if (same(ss.snapshot, ts.snapshot) && !same_rest(s, t)) {
			conflict(out, json_pack("{s:{s:s,s:[]}}",
			    "MetadataConflict", "asset_name", display,
			    "conflicting_properties"), "both branches changed "
			    "the metadata of %s (refs, statistics, ...) "
			    "differently", display);
			goto done;
		}
		rc = 0;
	} else if (!same_rest(s, b)) {
		body = s;
		body_ver = sver;
	}
	set = json_object();
	rm = json_array();
	keys = json_array();
	merge_properties(json_object_get(b, "properties"),
	    json_object_get(s, "properties"), json_object_get(t, "properties"),
	    json_object_get(body, "properties"), set, rm, keys);
	if (json_array_size(keys) > 0) {
		conflict(out, json_pack("{s:{s:s,s:O}}", "MetadataConflict",
		    "asset_name", display, "conflicting_properties", keys),
		    "both branches set the same properties of %s differently",
		    display);
	} else if (json_object_size(set) > 0 && !props_fit(
	    json_object_get(body, "properties"), set, rm, out->description,
	    sizeof(out->description))) {
		/* Each side fits; both sides' keys together may not. */
		out->conflict_type = json_pack("{s:{s:s,s:[]}}",
		    "MetadataConflict", "asset_name", display,
		    "conflicting_properties");
	} else if (dry || (json_object_size(set) == 0 &&
	    json_array_size(rm) == 0 && json_array_size(appended) == 0)) {
		/* A preview stops here: it merges; nothing is written. */
		out->merged = json_deep_copy(body_ver);
	} else {
		updates = json_deep_copy(appended);
		if (json_object_size(set) > 0)
			json_array_append_new(updates, json_pack("{s:s,s:O}",
			    "action", "set-properties", "updates", set));
		if (json_array_size(rm) > 0)
			json_array_append_new(updates, json_pack("{s:s,s:O}",
			    "action", "remove-properties", "removals", rm));
		rc = write_merged(r, c, body_ver, body, updates, out);
		json_decref(updates);
	}
	json_decref(set);
	json_decref(rm);
	json_decref(keys);
done:
	json_decref(appended);
	json_decref(parts);
	json_decref(b);
	json_decref(s);
	json_decref(t);
	return (rc);
}
