/*
 * Partition specs (§1.2, §4.5): canonical form
 * {"spec-id","fields":[{"name","transform","source-id","field-id"}]},
 * binding to a schema, and the "compatible" test of §1.4.
 */
#include <string.h>

#include "iceberg/internal.h"

/* strict: refuse transforms this engine does not know (updates, create). */
static json_t *
read_field(const json_t *in, int strict, struct ice_err *e)
{
	const char	*name, *xs;
	json_t		*xform, *out;
	int64_t		 src, id;
	enum ice_xform	 kind;

	if (!json_is_object(in)) {
		(void)ice_bad(e, "partition fields must be objects");
		return (NULL);
	}
	if (ice_str(in, "name", &name, e) == -1 ||
	    ice_str(in, "transform", &xs, e) == -1 ||
	    ice_i32(in, "source-id", &src, e) == -1 ||
	    ice_i32_or(in, "field-id", ICE_NONE, &id, e) == -1)
		return (NULL);
	if ((kind = ice_transform(xs, &xform)) == ICE_X_BAD ||
	    (strict && kind == ICE_X_UNKNOWN)) {
		json_decref(xform);
		(void)ice_bad(e, "invalid transform `%.64s`", xs);
		return (NULL);
	}
	out = json_pack("{s:s, s:o, s:I, s:o*}", "name", name, "transform",
	    xform, "source-id", (json_int_t)src, "field-id",
	    id == ICE_NONE ? NULL : json_integer(id));
	if (out == NULL)
		(void)ice_oom(e);
	return (out);
}

/*
 * A fields array (also v1's "partition-spec").  *has_ids: whether the
 * fields carry field-ids; all or none of them must (§1.2).
 */
json_t *
ice_spec_fields_read(const json_t *in, int strict, int *has_ids,
    struct ice_err *e)
{
	json_t	*out, *f, *x;
	size_t	 i, with = 0;

	if (!json_is_array(in)) {
		(void)ice_bad(e, "partition spec `fields` must be an array");
		return (NULL);
	}
	if ((out = json_array()) == NULL) {
		(void)ice_oom(e);
		return (NULL);
	}
	json_array_foreach(in, i, f) {
		if ((x = read_field(f, strict, e)) == NULL ||
		    ice_push(out, x, e) == -1) {
			json_decref(out);
			return (NULL);
		}
		with += json_object_get(x, "field-id") != NULL;
	}
	if (with != 0 && with != json_array_size(out)) {
		json_decref(out);
		(void)ice_bad(e, "field-id must be set on all partition fields "
		    "or on none");
		return (NULL);
	}
	*has_ids = with != 0 || json_array_size(out) == 0;
	return (out);
}

/* §1.2: spec-id defaults to 0 (iceberg-js omits it). */
json_t *
ice_spec_read(const json_t *in, int strict, int *has_ids, struct ice_err *e)
{
	json_t	*fields, *out;
	int64_t	 id;

	if (!json_is_object(in)) {
		(void)ice_bad(e, "a partition spec must be an object");
		return (NULL);
	}
	if (ice_i32_or(in, "spec-id", 0, &id, e) == -1)
		return (NULL);
	if (json_object_get(in, "fields") == NULL) {
		(void)ice_bad(e, "missing field `fields`");
		return (NULL);
	}
	if ((fields = ice_spec_fields_read(json_object_get(in, "fields"),
	    strict, has_ids, e)) == NULL)
		return (NULL);
	if ((out = json_pack("{s:I, s:o}", "spec-id", (json_int_t)id,
	    "fields", fields)) == NULL)
		(void)ice_oom(e);
	return (out);
}

/* Give fields without a field-id start, start+1, ... in order. */
int
ice_spec_number(json_t *spec, int64_t start)
{
	json_t	*f;
	size_t	 i;

	json_array_foreach(json_object_get(spec, "fields"), i, f) {
		if (json_object_get(f, "field-id") == NULL &&
		    json_object_set_new(f, "field-id",
		    json_integer(start + (int64_t)i)) == -1)
			return (-1);
	}
	return (0);
}

/* §4.5-1: partition names are unique, non-empty, shadow no other column. */
static int
check_name(const json_t *spec, size_t at, const json_t *schema,
    struct ice_err *e)
{
	const json_t	*f = json_array_get(json_object_get(spec, "fields"),
			    at);
	const char	*name = json_string_value(json_object_get(f, "name"));
	json_t		*g;
	int64_t		 col;
	size_t		 i;

	if (name[0] == '\0')
		return (ice_invalid(e, "empty partition field name"));
	json_array_foreach(json_object_get(spec, "fields"), i, g) {
		if (i < at && strcmp(name, json_string_value(
		    json_object_get(g, "name"))) == 0)
			return (ice_invalid(e, "partition name `%.64s` used "
			    "twice", name));
	}
	col = ice_schema_find_name(schema, name);
	if (col != -1 && col != ice_get(f, "source-id"))
		return (ice_invalid(e, "partition name `%.64s` conflicts "
		    "with a schema column", name));
	return (0);
}

/* The source column exists, is a primitive under structs only, fits. */
static int
check_source(const json_t *f, const json_t *schema, struct ice_err *e)
{
	struct ice_field	 col;
	const char		*xs = json_string_value(json_object_get(f,
				    "transform"));
	json_t			*canon;
	enum ice_xform		 kind;

	kind = ice_transform(xs, &canon);
	json_decref(canon);
	if (kind == ICE_X_VOID)
		return (0);	/* v1 tables keep dropped columns as void */
	if (!ice_schema_find(schema, ice_get(f, "source-id"), &col))
		return (ice_invalid(e, "cannot find source column %lld for "
		    "partition field", (long long)ice_get(f, "source-id")));
	if (!ice_type_is_primitive(col.type))
		return (ice_invalid(e, "cannot partition by non-primitive "
		    "column %lld", (long long)ice_get(f, "source-id")));
	if (!ice_transform_applies(kind, col.type))
		return (ice_invalid(e, "invalid source type %s for transform "
		    "%.64s", json_string_value(col.type), xs));
	if (!col.in_structs)
		return (ice_invalid(e, "partition source %lld is nested in a "
		    "list or map", (long long)ice_get(f, "source-id")));
	return (0);
}

/*
 * Bind a spec to a schema: §4.5-1 with names, §1.3-6 without (the
 * default spec must still fit the current schema at every build).
 */
int
ice_spec_bind(const json_t *spec, const json_t *schema, int names,
    struct ice_err *e)
{
	json_t	*f;
	size_t	 i;

	json_array_foreach(json_object_get(spec, "fields"), i, f) {
		if (names && check_name(spec, i, schema, e) == -1)
			return (-1);
		if (check_source(f, schema, e) == -1)
			return (-1);
	}
	return (0);
}

/* §1.4: same length, pairwise same source-id, transform and name. */
int
ice_spec_compatible(const json_t *a, const json_t *b)
{
	json_t	*fa = json_object_get(a, "fields");
	json_t	*fb = json_object_get(b, "fields");
	json_t	*x, *y;
	size_t	 i;

	if (json_array_size(fa) != json_array_size(fb))
		return (0);
	json_array_foreach(fa, i, x) {
		y = json_array_get(fb, i);
		if (ice_get(x, "source-id") != ice_get(y, "source-id") ||
		    !json_equal(json_object_get(x, "transform"),
		    json_object_get(y, "transform")) ||
		    !json_equal(json_object_get(x, "name"),
		    json_object_get(y, "name")))
			return (0);
	}
	return (1);
}

/* The spec's highest field id; 999 when unpartitioned (§1.4). */
int64_t
ice_spec_last_id(const json_t *spec)
{
	return (ice_max(json_object_get(spec, "fields"), "field-id",
	    ICE_PART_START - 1));
}
