/*
 * The two logs build() maintains (§4.Z-2, -3) and the name of the next
 * metadata file (§5.2).
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "iceberg/internal.h"
#include "util/location.h"

/* max(1, write.metadata.previous-versions-max), default 100. */
static size_t
log_max(const json_t *md)
{
	int64_t	max;

	if (ice_prop_int(md, "write.metadata.previous-versions-max", 100,
	    &max) == -1)
		max = 100;
	if (max < 1)
		max = 1;
	return ((size_t)max);
}

/* NULL only when out of memory (the log may then be partly trimmed). */
json_t *
ice_table_trim_log(json_t *md)
{
	json_t	*log, *dropped, *file;
	size_t	 max, n;

	if ((dropped = json_array()) == NULL)
		return (NULL);
	log = json_object_get(md, "metadata-log");
	if (!json_is_array(log))
		return (dropped);
	max = log_max(md);
	for (n = json_array_size(log); n > max; n--) {
		file = json_object_get(json_array_get(log, 0), "metadata-file");
		if (json_is_string(file) &&
		    json_array_append(dropped, file) == -1) {
			json_decref(dropped);
			return (NULL);
		}
		(void)json_array_remove(log, 0);
	}
	return (dropped);
}

static int
in_log(const json_t *log, const char *file)
{
	const char	*f;
	json_t		*v;
	size_t		 i;

	json_array_foreach(log, i, v) {
		f = json_string_value(json_object_get(v, "metadata-file"));
		if (f != NULL && strcmp(f, file) == 0)
			return (1);
	}
	return (0);
}

json_t *
ice_table_log_dropped(const json_t *base, const json_t *next)
{
	json_t		*out, *v, *nlog;
	const char	*file;
	size_t		 i;

	if ((out = json_array()) == NULL)
		return (NULL);
	nlog = json_object_get(next, "metadata-log");
	json_array_foreach(json_object_get(base, "metadata-log"), i, v) {
		file = json_string_value(json_object_get(v, "metadata-file"));
		if (file != NULL && !in_log(nlog, file) &&
		    json_array_append_new(out, json_string(file)) == -1) {
			json_decref(out);
			return (NULL);
		}
	}
	return (out);
}

int
ice_table_delete_after_commit(const json_t *md)
{
	return (ice_strieq(ice_prop(md, "write.metadata.delete-after-commit."
	    "enabled"), "true"));
}

/*
 * §4.Z-2: the base file joins the log, which keeps the newest max
 * entries under the properties as they are after this commit.
 */
int
ice_tb_append_metadata_log(struct ice_tb *b, const char *base_location)
{
	json_t	*log = json_object_get(b->md, "metadata-log"), *dropped;
	char	*file;
	int	 rc;

	/* A table from before locations were URIs: its entry as one. */
	if ((file = pgl_location_to_uri(base_location)) == NULL)
		return (ice_oom(b->err));
	rc = ice_push(log, json_pack("{s:I, s:s}", "timestamp-ms",
	    (json_int_t)ice_get(b->base, "last-updated-ms"), "metadata-file",
	    file), b->err);
	free(file);
	if (rc == -1)
		return (-1);
	if ((dropped = ice_table_trim_log(b->md)) == NULL)
		return (ice_oom(b->err));
	json_decref(dropped);
	return (0);
}

/*
 * Snapshots this request added and set as main, but which main no
 * longer points at: their log entries go (§4.Z-3).
 */
static int
intermediate(const struct ice_tb *b, int64_t id)
{
	return (ice_ids_has(&b->main_snaps, id) &&
	    id != ice_get(b->md, "current-snapshot-id"));
}

static int
has_intermediates(const struct ice_tb *b)
{
	size_t	i;

	for (i = 0; i < b->main_snaps.n; i++) {
		if (intermediate(b, b->main_snaps.v[i]))
			return (1);
	}
	return (0);
}

static json_t *
fixed_log(struct ice_tb *b, const struct ice_ids *live)
{
	json_t	*out, *v;
	int64_t	 id;
	size_t	 i;

	if ((out = json_array()) == NULL)
		return (NULL);
	json_array_foreach(json_object_get(b->md, "snapshot-log"), i, v) {
		id = ice_get(v, "snapshot-id");
		if (!ice_ids_sorted_has(live, id)) {
			/* History before a gap would lie to time travel. */
			if (b->removed)
				json_array_clear(out);
		} else if (!intermediate(b, id) &&
		    json_array_append(out, v) == -1) {
			json_decref(out);
			return (NULL);
		}
	}
	return (out);
}

/*
 * §4.Z-3, only when this request removed snapshots or has intermediate
 * ones.  Entries of snapshots that do not exist are dropped; after a
 * removal they also drop everything before them.  An empty log is accepted even with a current snapshot (Java
 * fails on it, but only for logs some other writer left incomplete).
 */
int
ice_tb_fix_snapshot_log(struct ice_tb *b)
{
	struct ice_ids	 live = { 0 };
	json_t		*s, *log = NULL;
	int64_t		 cur = ice_get(b->md, "current-snapshot-id");
	size_t		 i, n;
	int		 rc = -1;

	if (!b->removed && !has_intermediates(b))
		return (0);
	json_array_foreach(json_object_get(b->md, "snapshots"), i, s) {
		if (ice_ids_add(&live, ice_get(s, "snapshot-id"), b->err) == -1)
			goto done;
	}
	ice_ids_sort(&live);
	if ((log = fixed_log(b, &live)) == NULL) {
		(void)ice_oom(b->err);
		goto done;
	}
	n = json_array_size(log);
	if (cur != ICE_NO_SNAPSHOT && n > 0 && ice_get(json_array_get(log,
	    n - 1), "snapshot-id") != cur) {
		(void)ice_invalid(b->err, "cannot set invalid snapshot log: "
		    "latest entry is not the current snapshot");
		goto done;
	}
	rc = ice_set(b->md, "snapshot-log", json_incref(log), b->err);
done:
	json_decref(log);
	ice_ids_free(&live);
	return (rc);
}

/*
 * §5.2: the number before the first '-' of the file name, or -1 when
 * there is none (e.g. "v3.metadata.json").
 */
int64_t
ice_file_version(const char *location)
{
	const char	*name, *p;
	int64_t		 v = 0;

	if (location == NULL)
		return (-1);
	name = strrchr(location, '/');
	name = name ? name + 1 : location;
	for (p = name; isdigit((unsigned char)*p); p++) {
		if (v > (INT64_MAX - 9) / 10)
			return (-1);
		v = v * 10 + (*p - '0');
	}
	if (p == name || *p != '-')
		return (-1);
	return (v);
}

char *
ice_metadata_file_name(const char *base_location, const char *uuid,
    int gzip)
{
	char	*out;
	int64_t	 v;

	v = ice_file_version(base_location) + 1;
	if (asprintf(&out, "%05lld-%s%s", (long long)v, uuid,
	    gzip ? ".gz.metadata.json" : ".metadata.json") == -1)
		return (NULL);
	return (out);
}

/*
 * <write.metadata.path or location/metadata>/<name>; the codec from
 * write.metadata.compression-codec, else dflt ("none" for tables,
 * "gzip" for views, §7.2).
 */
char *
ice_metadata_path(const json_t *md, const char *base_location,
    const char *uuid, const char *dflt)
{
	const char	*dir, *codec, *loc;
	char		*name, *d, *out = NULL;

	loc = json_string_value(json_object_get(md, "location"));
	dir = ice_prop(md, "write.metadata.path");
	if ((codec = ice_prop(md, "write.metadata.compression-codec")) == NULL)
		codec = dflt;
	if ((dir == NULL || *dir == '\0') && loc == NULL)
		return (NULL);
	if ((name = ice_metadata_file_name(base_location, uuid,
	    ice_strieq(codec, "gzip"))) == NULL)
		return (NULL);
	if (dir != NULL && *dir != '\0') {
		if ((d = ice_location_norm(dir)) != NULL &&
		    asprintf(&out, "%s/%s", d, name) == -1)
			out = NULL;
		free(d);
	} else if (asprintf(&out, "%s/metadata/%s", loc, name) == -1)
		out = NULL;
	free(name);
	return (out);
}

char *
ice_table_metadata_location(const json_t *md, const char *base_location,
    const char *uuid)
{
	return (ice_metadata_path(md, base_location, uuid, "none"));
}
