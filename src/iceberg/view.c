/*
 * View metadata (§7.1): read into Java's key order, validated, written
 * back.  The internal form is the written one, except that
 * "properties" is always present (written only when non-empty).
 */
#include <stdlib.h>
#include <string.h>

#include "iceberg/internal.h"

/* {"type":"sql","sql","dialect"}; other types only when reading files. */
static json_t *
read_repr(const json_t *in, int strict, struct ice_err *e)
{
	const char	*type, *sql, *dialect;
	json_t		*out;

	if (!json_is_object(in)) {
		(void)ice_bad(e, "a representation must be an object");
		return (NULL);
	}
	if (ice_str(in, "type", &type, e) == -1)
		return (NULL);
	if (!ice_strieq(type, "sql")) {
		if (strict) {
			(void)ice_bad(e, "unsupported representation type "
			    "`%.64s`", type);
			return (NULL);
		}
		return (json_deep_copy(in));
	}
	if (ice_str(in, "sql", &sql, e) == -1 ||
	    ice_str(in, "dialect", &dialect, e) == -1)
		return (NULL);
	if ((out = json_pack("{s:s, s:s, s:s}", "type", "sql", "sql", sql,
	    "dialect", dialect)) == NULL)
		(void)ice_oom(e);
	return (out);
}

static int
read_reprs(const json_t *in, json_t *out, int strict, struct ice_err *e)
{
	json_t	*arr, *reprs, *r;
	size_t	 i;

	if (ice_arr_or(in, "representations", &arr, e) == -1)
		return (-1);
	if (arr == NULL)
		return (ice_bad(e, "missing field `representations`"));
	if ((reprs = json_array()) == NULL ||
	    ice_set(out, "representations", reprs, e) == -1)
		return (ice_oom(e));
	json_array_foreach(arr, i, r) {
		if (ice_push(reprs, read_repr(r, strict, e), e) == -1)
			return (-1);
	}
	return (0);
}

static int
read_version_body(const json_t *in, json_t *out, int strict,
    struct ice_err *e)
{
	const char	*cat;
	int64_t		 id, ts, schema;

	if (ice_i32(in, "version-id", &id, e) == -1 ||
	    ice_i64(in, "timestamp-ms", &ts, e) == -1 ||
	    ice_i32(in, "schema-id", &schema, e) == -1 ||
	    ice_str_or(in, "default-catalog", &cat, e) == -1)
		return (-1);
	if (ice_set_int(out, "version-id", id, e) == -1 ||
	    ice_set_int(out, "timestamp-ms", ts, e) == -1 ||
	    ice_set_int(out, "schema-id", schema, e) == -1 ||
	    ice_set(out, "summary", ice_strmap_copy(in, "summary", e), e) ==
	    -1 || (cat != NULL && ice_set(out, "default-catalog",
	    json_string(cat), e) == -1) ||
	    ice_set(out, "default-namespace", ice_strlist_copy(in,
	    "default-namespace", e), e) == -1)
		return (-1);
	return (read_reprs(in, out, strict, e));
}

/* A view version (§7.1); strict refuses non-SQL representations. */
json_t *
ice_view_version_read(const json_t *in, int strict, struct ice_err *e)
{
	json_t	*out;

	if (!json_is_object(in)) {
		(void)ice_bad(e, "a view version must be an object");
		return (NULL);
	}
	if ((out = json_object()) == NULL) {
		(void)ice_oom(e);
		return (NULL);
	}
	if (read_version_body(in, out, strict, e) == -1) {
		json_decref(out);
		return (NULL);
	}
	return (out);
}

static json_t *
read_stored_version(const json_t *in, struct ice_err *e)
{
	return (ice_view_version_read(in, 0, e));
}

static json_t *
read_history(const json_t *in, struct ice_err *e)
{
	int64_t	ts, id;

	if (!json_is_object(in)) {
		(void)ice_bad(e, "version-log entries must be objects");
		return (NULL);
	}
	if (ice_i64(in, "timestamp-ms", &ts, e) == -1 ||
	    ice_i32(in, "version-id", &id, e) == -1)
		return (NULL);
	return (json_pack("{s:I, s:I}", "timestamp-ms", (json_int_t)ts,
	    "version-id", (json_int_t)id));
}

/* raw[key] (required array) read element by element into md[key]. */
static int
read_list(const json_t *raw, const char *key,
    json_t *(*fn)(const json_t *, struct ice_err *), json_t *md,
    struct ice_err *e)
{
	json_t	*in, *out, *v;
	size_t	 i;

	if (ice_arr_or(raw, key, &in, e) == -1)
		return (-1);
	if (in == NULL)
		return (ice_bad(e, "missing field `%s`", key));
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

static int
read_head(const json_t *raw, json_t *md, struct ice_err *e)
{
	const char	*uuid, *loc;
	char		*s;
	int64_t		 v;
	int		 rc;

	if (ice_str(raw, "view-uuid", &uuid, e) == -1 ||
	    ice_i32(raw, "format-version", &v, e) == -1 ||
	    ice_str(raw, "location", &loc, e) == -1)
		return (-1);
	if (v != ICE_VIEW_FORMAT)
		return (ice_invalid(e, "unsupported view format-version %lld",
		    (long long)v));
	if (loc[0] == '\0')
		return (ice_invalid(e, "location must not be empty"));
	if (ice_set(md, "view-uuid", json_string(uuid), e) == -1 ||
	    ice_set_int(md, "format-version", v, e) == -1)
		return (-1);
	if ((s = ice_location_norm(loc)) == NULL)
		return (ice_oom(e));
	rc = ice_set(md, "location", json_string(s), e);
	free(s);
	return (rc);
}

static int
read_view(const json_t *raw, json_t *md, struct ice_err *e)
{
	int64_t	cur;

	if (read_head(raw, md, e) == -1 ||
	    ice_set(md, "properties", ice_strmap_copy(raw, "properties", e),
	    e) == -1 ||
	    read_list(raw, "schemas", ice_schema_read, md, e) == -1 ||
	    ice_i32(raw, "current-version-id", &cur, e) == -1 ||
	    ice_set_int(md, "current-version-id", cur, e) == -1 ||
	    read_list(raw, "versions", read_stored_version, md, e) == -1)
		return (-1);
	return (read_list(raw, "version-log", read_history, md, e));
}

json_t *
ice_view_read(const json_t *raw, struct ice_err *e)
{
	json_t	*md;

	if (!json_is_object(raw)) {
		(void)ice_bad(e, "view metadata must be an object");
		return (NULL);
	}
	if ((md = json_object()) == NULL) {
		(void)ice_oom(e);
		return (NULL);
	}
	if (read_view(raw, md, e) == -1) {
		json_decref(md);
		return (NULL);
	}
	return (md);
}

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

/* §7.1: a location, the current version, and its schema exist. */
int
ice_view_validate(const json_t *md, struct ice_err *e)
{
	json_t	*cur;

	if (json_object_get(md, "location") == NULL)
		return (ice_invalid(e, "view has no location"));
	if (unique(md, "schemas", "schema-id", e) == -1 ||
	    unique(md, "versions", "version-id", e) == -1)
		return (-1);
	if ((cur = ice_find(json_object_get(md, "versions"), "version-id",
	    ice_get(md, "current-version-id"))) == NULL)
		return (ice_invalid(e, "current view version %lld does not "
		    "exist", (long long)ice_get(md, "current-version-id")));
	if (ice_find(json_object_get(md, "schemas"), "schema-id",
	    ice_get(cur, "schema-id")) == NULL)
		return (ice_invalid(e, "the current version's schema %lld does "
		    "not exist", (long long)ice_get(cur, "schema-id")));
	return (0);
}

/* Nothing in the result is shared with md. */
json_t *
ice_view_write(const json_t *md, struct ice_err *e)
{
	json_t	*props = json_object_get(md, "properties"), *out;

	out = json_pack("{s:o, s:o, s:o, s:o*, s:o, s:o, s:o, s:o}",
	    "view-uuid", json_deep_copy(json_object_get(md, "view-uuid")),
	    "format-version", json_deep_copy(json_object_get(md,
	    "format-version")),
	    "location", json_deep_copy(json_object_get(md, "location")),
	    "properties", json_object_size(props) > 0 ?
	    json_deep_copy(props) : NULL,
	    "schemas", json_deep_copy(json_object_get(md, "schemas")),
	    "current-version-id", json_deep_copy(json_object_get(md,
	    "current-version-id")),
	    "versions", json_deep_copy(json_object_get(md, "versions")),
	    "version-log", json_deep_copy(json_object_get(md,
	    "version-log")));
	if (out == NULL)
		(void)ice_oom(e);
	return (out);
}

json_t *
ice_view_parse(const json_t *raw, struct ice_err *err)
{
	struct ice_err	 dummy;
	json_t		*md, *out = NULL;

	if (err == NULL)
		err = &dummy;
	memset(err, 0, sizeof(*err));
	if ((md = ice_view_read(raw, err)) == NULL)
		return (NULL);
	if (ice_view_validate(md, err) == 0)
		out = ice_view_write(md, err);
	json_decref(md);
	return (out);
}

char *
ice_view_metadata_location(const json_t *md, const char *base_location,
    const char *uuid)
{
	return (ice_metadata_path(md, base_location, uuid, "gzip"));
}
