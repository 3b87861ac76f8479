/*
 * What a table's metadata names, held to its place (iceberg/place.h).
 */
#include <stdio.h>
#include <string.h>

#include "iceberg/place.h"

/*
 * The properties whose value is a directory files are written under:
 * data files (write.data.path, and write.object-storage.path and its old
 * name write.folder-storage.path, which Iceberg's object-store layout
 * reads first) and metadata files, manifest lists and manifests
 * (write.metadata.path).
 */
static const char *const path_props[] = {
	"write.data.path",
	"write.metadata.path",
	"write.object-storage.path",
	"write.folder-storage.path",
	NULL
};

int
ice_place_init(struct ice_place *p, const char *location)
{
	int	n;

	p->location = location;
	p->len = 0;
	p->key[0] = '\0';
	if (location == NULL || pgl_location_check(location) != NULL ||
	    (n = pgl_location_key(location, p->key, sizeof(p->key))) <= 0)
		return (-1);
	p->len = (size_t)n;
	return (0);
}

int
ice_place_holds(const struct ice_place *p, const char *path)
{
	char	key[PGL_LOCATION_KEY_MAX];

	if (p->len == 0 || path == NULL || pgl_location_check(path) != NULL ||
	    pgl_location_key(path, key, sizeof(key)) == -1)
		return (0);
	return (strncmp(key, p->key, p->len) == 0);
}

static int
named(struct ice_named *out, const char *what, const char *field,
    const char *path, int64_t id)
{
	out->what = what;
	out->field = field;
	out->path = path;
	out->snapshot_id = id;
	return (1);
}

static int64_t
id_of(const json_t *o)
{
	const json_t	*v = json_object_get(o, "snapshot-id");

	return (json_is_integer(v) ? (int64_t)json_integer_value(v) : -1);
}

/* A snapshot's manifest list, or a v1 snapshot's manifests, outside. */
static int
snapshot_out(const json_t *s, const struct ice_place *p,
    struct ice_named *out)
{
	const json_t	*list = json_object_get(s, "manifest-list"), *m;
	size_t		 i;

	if (json_is_string(list) && !ice_place_holds(p,
	    json_string_value(list)))
		return (named(out, "snapshot", "manifest-list",
		    json_string_value(list), id_of(s)));
	json_array_foreach(json_object_get(s, "manifests"), i, m) {
		if (json_is_string(m) && !ice_place_holds(p,
		    json_string_value(m)))
			return (named(out, "snapshot", "manifests",
			    json_string_value(m), id_of(s)));
	}
	return (0);
}

/* A statistics entry's file outside (what: its kind, for the text). */
static int
stats_out(const json_t *st, const char *what, const char *field,
    const struct ice_place *p, struct ice_named *out)
{
	const json_t	*path = json_object_get(st, "statistics-path");

	if (json_is_string(path) && !ice_place_holds(p,
	    json_string_value(path)))
		return (named(out, what, field, json_string_value(path),
		    id_of(st)));
	return (0);
}

int
ice_named_props(const json_t *props, const json_t *before_props,
    const struct ice_place *p, struct ice_named *out)
{
	const json_t	*v, *was;
	size_t		 i;

	for (i = 0; path_props[i] != NULL; i++) {
		v = json_object_get(props, path_props[i]);
		/* An empty value is none: the default directory. */
		if (!json_is_string(v) || json_string_length(v) == 0 ||
		    ice_place_holds(p, json_string_value(v)))
			continue;
		was = json_object_get(before_props, path_props[i]);
		if (was != NULL && json_equal(v, was))
			continue;	/* not added: the table had it */
		return (named(out, "property", path_props[i],
		    json_string_value(v), -1));
	}
	return (0);
}

int
ice_named_updates(const json_t *updates, const struct ice_place *p,
    struct ice_named *out)
{
	const json_t	*u, *props;
	const char	*action;
	size_t		 i;

	json_array_foreach(updates, i, u) {
		if ((action = json_string_value(json_object_get(u,
		    "action"))) == NULL)
			continue;
		if (strcmp(action, "add-snapshot") == 0) {
			if (snapshot_out(json_object_get(u, "snapshot"), p,
			    out))
				return (1);
		} else if (strcmp(action, "set-statistics") == 0) {
			if (stats_out(json_object_get(u, "statistics"),
			    "statistics file", "statistics", p, out))
				return (1);
		} else if (strcmp(action, "set-partition-statistics") == 0) {
			if (stats_out(json_object_get(u,
			    "partition-statistics"), "partition statistics "
			    "file", "partition-statistics", p, out))
				return (1);
		} else if (strcmp(action, "set-properties") == 0) {
			/* "updated" is the old spelling (update_table.c). */
			if ((props = json_object_get(u, "updates")) == NULL)
				props = json_object_get(u, "updated");
			if (ice_named_props(props, NULL, p, out))
				return (1);
		}
	}
	return (0);
}

/* 1 if a and b are equal, or both absent (json_equal: 0 for NULL). */
static int
same(const json_t *a, const json_t *b)
{
	return (a == NULL || b == NULL ? a == b : json_equal(a, b));
}

/* 1 if before has the snapshot s (its id, with the same list). */
static int
had_snapshot(const json_t *before, const json_t *s)
{
	const json_t	*b;
	int64_t		 id = id_of(s);
	size_t		 i;

	json_array_foreach(json_object_get(before, "snapshots"), i, b) {
		if (id_of(b) == id)
			return (same(json_object_get(b, "manifest-list"),
			    json_object_get(s, "manifest-list")) &&
			    same(json_object_get(b, "manifests"),
			    json_object_get(s, "manifests")));
	}
	return (0);
}

/* 1 if before's list key has an entry of the same statistics-path. */
static int
had_stats(const json_t *before, const char *key, const char *path)
{
	const json_t	*b;
	size_t		 i;

	json_array_foreach(json_object_get(before, key), i, b) {
		if (json_is_string(json_object_get(b, "statistics-path")) &&
		    strcmp(json_string_value(json_object_get(b,
		    "statistics-path")), path) == 0)
			return (1);
	}
	return (0);
}

/*
 * Every entry is checked, and only one outside is looked up in before:
 * a merge's table of 10,000 snapshots costs 10,000 prefix compares, not
 * 10^8 lookups.
 */
int
ice_named_added(const json_t *before, const json_t *md,
    const struct ice_place *p, struct ice_named *out)
{
	static const char *const	 keys[] = { "statistics",
					    "partition-statistics" };
	static const char *const	 whats[] = { "statistics file",
					    "partition statistics file" };
	const json_t			*e;
	size_t				 i, k;

	json_array_foreach(json_object_get(md, "snapshots"), i, e) {
		if (snapshot_out(e, p, out) && (before == NULL ||
		    !had_snapshot(before, e)))
			return (1);
	}
	for (k = 0; k < 2; k++) {
		json_array_foreach(json_object_get(md, keys[k]), i, e) {
			if (stats_out(e, whats[k], keys[k], p, out) &&
			    (before == NULL || !had_stats(before, keys[k],
			    out->path)))
				return (1);
		}
	}
	return (ice_named_props(json_object_get(md, "properties"),
	    before != NULL ? json_object_get(before, "properties") : NULL, p,
	    out));
}

void
ice_named_text(const struct ice_named *n, char *buf, size_t len)
{
	int	w;

	if (strcmp(n->what, "property") == 0)
		w = snprintf(buf, len, "property %s %.300s", n->field,
		    n->path);
	else if (strcmp(n->what, "snapshot") == 0)
		w = snprintf(buf, len, "snapshot %lld's %s %.300s",
		    (long long)n->snapshot_id, n->field, n->path);
	else
		w = snprintf(buf, len, "%s %.300s (%s of snapshot %lld)",
		    n->what, n->path, n->field, (long long)n->snapshot_id);
	if (w < 0 && len > 0)
		buf[0] = '\0';
}
