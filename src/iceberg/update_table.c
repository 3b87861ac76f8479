/*
 * The table updates that touch one top-level value: uuid (§4.1),
 * format version (§4.2), location (§4.13), properties (§4.14, §4.15),
 * statistics (§4.16-4.19), encryption keys (§4.22), and the retired
 * enable-row-lineage (§4.23).
 */
#include <stdlib.h>
#include <string.h>

#include "iceberg/internal.h"
#include "util/json.h"
#include "util/location.h"

/*
 * §2.3-2: keys that describe the table rather than configure it; never
 * stored as properties (§4.14).
 */
int
ice_reserved_prop(const char *k)
{
	static const char *const reserved[] = { "format-version", "uuid",
	    "snapshot-count", "current-snapshot-id", "current-snapshot-summary",
	    "current-snapshot-timestamp-ms", "current-schema",
	    "default-partition-spec", "default-sort-order", NULL };
	size_t	i;

	for (i = 0; reserved[i] != NULL; i++) {
		if (strcmp(k, reserved[i]) == 0)
			return (1);
	}
	return (0);
}

/*
 * §4.1: reassigning the uuid of an existing table would break every
 * client's assert-table-uuid, so only a create may set it.  The string
 * is kept as sent: Java compares the returned uuid case-sensitively.
 */
int
ice_tb_assign_uuid(struct ice_tb *b, const json_t *u)
{
	const char	*uuid, *cur;

	if (ice_str(u, "uuid", &uuid, b->err) == -1)
		return (-1);
	if (uuid[0] == '\0')
		return (ice_bad(b->err, "`uuid` must not be empty"));
	cur = json_string_value(json_object_get(b->md, "table-uuid"));
	if (cur != NULL && ice_strieq(cur, uuid))
		return (0);
	if (b->base != NULL)
		return (ice_invalid(b->err, "cannot reassign the uuid of an "
		    "existing table"));
	b->changes++;
	return (ice_set(b->md, "table-uuid", json_string(uuid), b->err));
}

/* §4.2: nothing else changes; next-row-id starts at 0 for v3. */
int
ice_tb_upgrade_format(struct ice_tb *b, const json_t *u)
{
	int64_t	v, cur = ice_get(b->md, "format-version");

	if (ice_i32(u, "format-version", &v, b->err) == -1)
		return (-1);
	if (v > ICE_MAX_FORMAT)
		return (ice_invalid(b->err, "unsupported format-version %lld",
		    (long long)v));
	if (v < cur)
		return (ice_invalid(b->err, "cannot downgrade v%lld to v%lld",
		    (long long)cur, (long long)v));
	if (v == cur)
		return (0);
	b->changes++;
	return (ice_set_int(b->md, "format-version", v, b->err));
}

/* §4.13: compared as sent against the stored, stripped location. */
int
ice_tb_set_location(struct ice_tb *b, const json_t *u)
{
	const char	*loc, *cur;
	char		*s;
	int		 rc;

	if (ice_str(u, "location", &loc, b->err) == -1)
		return (-1);
	if (loc[0] == '\0')
		return (ice_bad(b->err, "`location` must not be empty"));
	cur = json_string_value(json_object_get(b->md, "location"));
	/* As sent, but "/a" and "file:///a" are the same place. */
	if (cur != NULL && pgl_location_same(cur, loc))
		return (0);
	if ((s = ice_location_norm(loc)) == NULL)
		return (ice_oom(b->err));
	rc = ice_set(b->md, "location", json_string(s), b->err);
	free(s);
	b->changes++;
	return (rc);
}

/*
 * §4.14: put every key of updates (object of strings) into props.
 * Reserved keys are refused rather than dropped, so a client asking
 * for format-version learns to use upgrade-format-version.
 */
int
ice_props_set(json_t *props, const json_t *updates, int reserved,
    struct ice_err *e)
{
	const char	*k;
	char		 why[256];
	json_t		*v;

	json_object_foreach((json_t *)updates, k, v) {
		if (!json_is_string(v))
			return (ice_bad(e, "property `%.64s` must be a string",
			    k));
		if (reserved && ice_reserved_prop(k))
			return (ice_invalid(e, "`%.64s` is reserved, not a "
			    "property", k));
	}
	json_object_foreach((json_t *)updates, k, v) {
		if (ice_set(props, k, json_string(json_string_value(v)),
		    e) == -1)
			return (-1);
	}
	/* The stored map, not only this update, stays under the ceiling. */
	if (pgl_json_map_fits(props, "properties", why, sizeof(why)) == -1)
		return (ice_bad(e, "%s", why));
	return (0);
}

/* §4.15: removals is an array of strings; missing keys are fine. */
int
ice_props_remove(json_t *props, const json_t *removals, struct ice_err *e)
{
	json_t	*v;
	size_t	 i;

	json_array_foreach(removals, i, v) {
		if (!json_is_string(v))
			return (ice_bad(e, "`removals` must be strings"));
	}
	json_array_foreach(removals, i, v)
		(void)json_object_del(props, json_string_value(v));
	return (0);
}

/* The current key, else the legacy one (§4.14, §4.15). */
static json_t *
either(const json_t *u, const char *key, const char *legacy,
    struct ice_err *e)
{
	json_t	*v;

	v = json_object_get(u, key);
	if (v == NULL || json_is_null(v))
		v = json_object_get(u, legacy);
	if (v == NULL || json_is_null(v))
		(void)ice_bad(e, "missing field `%s`", key);
	return (v);
}

/* A change even when every value is already set (§9-9). */
int
ice_tb_set_properties(struct ice_tb *b, const json_t *u)
{
	json_t	*m;

	if ((m = either(u, "updates", "updated", b->err)) == NULL)
		return (-1);
	if (!json_is_object(m))
		return (ice_bad(b->err, "`updates` must be an object"));
	if (json_object_size(m) == 0)
		return (0);
	b->changes++;
	return (ice_props_set(json_object_get(b->md, "properties"), m, 1,
	    b->err));
}

/* A change even when none of the keys existed (§9-9). */
int
ice_tb_remove_properties(struct ice_tb *b, const json_t *u)
{
	json_t	*a;

	if ((a = either(u, "removals", "removed", b->err)) == NULL)
		return (-1);
	if (!json_is_array(a))
		return (ice_bad(b->err, "`removals` must be an array"));
	if (json_array_size(a) == 0)
		return (0);
	b->changes++;
	return (ice_props_remove(json_object_get(b->md, "properties"), a,
	    b->err));
}

/* §4.23: Java 1.8 only; v3 tables always have row lineage now. */
int
ice_tb_enable_row_lineage(struct ice_tb *b, const json_t *u)
{
	if (ice_get(b->md, "format-version") >= 3)
		return (0);
	return (ice_bad(b->err, "unknown table update `enable-row-lineage`"));
}

/* Replace the entry of list with in's snapshot-id, else append it. */
static int
put_by_snapshot(struct ice_tb *b, const char *list, json_t *in)
{
	json_t	*arr = json_object_get(b->md, list);
	size_t	 at;

	b->changes++;
	at = ice_index(arr, "snapshot-id", ice_get(in, "snapshot-id"));
	if (at != (size_t)-1) {
		if (json_array_set_new(arr, at, in) == -1)
			return (ice_oom(b->err));
		return (0);
	}
	return (ice_push(arr, in, b->err));
}

/* Remove list's entries for one snapshot; 1 if there was one. */
static int
drop_by_snapshot(struct ice_tb *b, const char *list, int64_t id)
{
	json_t	*arr = json_object_get(b->md, list);
	size_t	 at;
	int	 found = 0;

	while ((at = ice_index(arr, "snapshot-id", id)) != (size_t)-1) {
		(void)json_array_remove(arr, at);
		found = 1;
	}
	return (found);
}

/* §4.12: a removed snapshot takes its statistics along. */
int
ice_tb_remove_stats_of(struct ice_tb *b, int64_t id)
{
	(void)drop_by_snapshot(b, "statistics", id);
	(void)drop_by_snapshot(b, "partition-statistics", id);
	return (0);
}

/* §4.16: the snapshot need not exist; always a change. */
int
ice_tb_set_stats(struct ice_tb *b, const json_t *u)
{
	json_t	*in, *stats;

	if ((in = ice_need(u, "statistics", b->err)) == NULL ||
	    (stats = ice_stats_read(in, b->err)) == NULL)
		return (-1);
	return (put_by_snapshot(b, "statistics", stats));
}

static int
remove_from(struct ice_tb *b, const json_t *u, const char *list)
{
	int64_t	id;

	if (ice_i64(u, "snapshot-id", &id, b->err) == -1)
		return (-1);
	if (drop_by_snapshot(b, list, id))
		b->changes++;
	return (0);
}

/* §4.17 */
int
ice_tb_remove_stats(struct ice_tb *b, const json_t *u)
{
	return (remove_from(b, u, "statistics"));
}

/* §4.18 */
int
ice_tb_set_pstats(struct ice_tb *b, const json_t *u)
{
	json_t	*in, *stats;

	if ((in = ice_need(u, "partition-statistics", b->err)) == NULL ||
	    (stats = ice_pstats_read(in, b->err)) == NULL)
		return (-1);
	return (put_by_snapshot(b, "partition-statistics", stats));
}

/* §4.19 */
int
ice_tb_remove_pstats(struct ice_tb *b, const json_t *u)
{
	return (remove_from(b, u, "partition-statistics"));
}

static size_t
key_index(const json_t *keys, const char *id)
{
	json_t	*k;
	size_t	 i;

	json_array_foreach(keys, i, k) {
		if (strcmp(json_string_value(json_object_get(k, "key-id")),
		    id) == 0)
			return (i);
	}
	return ((size_t)-1);
}

/* §4.22: a key id already present is a no-op. */
int
ice_tb_add_key(struct ice_tb *b, const json_t *u)
{
	json_t	*in, *key, *keys = json_object_get(b->md, "encryption-keys");

	if ((in = ice_need(u, "encryption-key", b->err)) == NULL ||
	    (key = ice_key_read(in, b->err)) == NULL)
		return (-1);
	if (key_index(keys, json_string_value(json_object_get(key,
	    "key-id"))) != (size_t)-1) {
		json_decref(key);
		return (0);
	}
	b->changes++;
	return (ice_push(keys, key, b->err));
}

int
ice_tb_remove_key(struct ice_tb *b, const json_t *u)
{
	const char	*id;
	json_t		*keys = json_object_get(b->md, "encryption-keys");
	size_t		 at;

	if (ice_str(u, "key-id", &id, b->err) == -1)
		return (-1);
	if ((at = key_index(keys, id)) == (size_t)-1)
		return (0);
	b->changes++;
	(void)json_array_remove(keys, at);
	return (0);
}
