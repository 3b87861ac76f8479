/*
 * Sort orders (§1.2, §4.7): canonical form
 * {"order-id","fields":[{"transform","source-id","direction","null-order"}]};
 * an empty field list is "unsorted" and only ever has id 0.
 */
#include <string.h>

#include "iceberg/internal.h"

/* One of two words, any case; the canonical one, or NULL. */
static const char *
either(const char *s, const char *a, const char *b)
{
	if (ice_strieq(s, a))
		return (a);
	if (ice_strieq(s, b))
		return (b);
	return (NULL);
}

static json_t *
read_field(const json_t *in, int strict, struct ice_err *e)
{
	const char	*xs, *dir, *nulls;
	json_t		*xform, *out;
	int64_t		 src;
	enum ice_xform	 kind;

	if (!json_is_object(in)) {
		(void)ice_bad(e, "sort fields must be objects");
		return (NULL);
	}
	if (ice_str(in, "transform", &xs, e) == -1 ||
	    ice_i32(in, "source-id", &src, e) == -1 ||
	    ice_str(in, "direction", &dir, e) == -1 ||
	    ice_str(in, "null-order", &nulls, e) == -1)
		return (NULL);
	if ((dir = either(dir, "asc", "desc")) == NULL ||
	    (nulls = either(nulls, "nulls-first", "nulls-last")) == NULL) {
		(void)ice_bad(e, "invalid sort direction or null-order");
		return (NULL);
	}
	if ((kind = ice_transform(xs, &xform)) == ICE_X_BAD ||
	    (strict && kind == ICE_X_UNKNOWN)) {
		json_decref(xform);
		(void)ice_bad(e, "invalid transform `%.64s`", xs);
		return (NULL);
	}
	if ((out = json_pack("{s:o, s:I, s:s, s:s}", "transform", xform,
	    "source-id", (json_int_t)src, "direction", dir, "null-order",
	    nulls)) == NULL)
		(void)ice_oom(e);
	return (out);
}

/* §1.2: unsorted <=> no fields <=> order-id 0. */
json_t *
ice_order_read(const json_t *in, int strict, struct ice_err *e)
{
	json_t	*arr, *fields, *f, *x;
	int64_t	 id;
	size_t	 i;

	if (!json_is_object(in)) {
		(void)ice_bad(e, "a sort order must be an object");
		return (NULL);
	}
	if (ice_arr_or(in, "fields", &arr, e) == -1)
		return (NULL);
	if (ice_i32_or(in, "order-id", json_array_size(arr) > 0, &id,
	    e) == -1)
		return (NULL);
	if ((json_array_size(arr) == 0) != (id == 0)) {
		(void)ice_invalid(e, "sort order id 0 is reserved for the "
		    "unsorted order, which has no fields");
		return (NULL);
	}
	if ((fields = json_array()) == NULL) {
		(void)ice_oom(e);
		return (NULL);
	}
	json_array_foreach(arr, i, f) {
		if ((x = read_field(f, strict, e)) == NULL ||
		    ice_push(fields, x, e) == -1) {
			json_decref(fields);
			return (NULL);
		}
	}
	if ((x = json_pack("{s:I, s:o}", "order-id", (json_int_t)id, "fields",
	    fields)) == NULL)
		(void)ice_oom(e);
	return (x);
}

/* Java's SortOrder.checkCompatibility: source exists, primitive, fits. */
int
ice_order_bind(const json_t *order, const json_t *schema, struct ice_err *e)
{
	struct ice_field	 col;
	const char		*xs;
	json_t			*f, *canon;
	enum ice_xform		 kind;
	size_t			 i;

	json_array_foreach(json_object_get(order, "fields"), i, f) {
		xs = json_string_value(json_object_get(f, "transform"));
		kind = ice_transform(xs, &canon);
		json_decref(canon);
		if (!ice_schema_find(schema, ice_get(f, "source-id"), &col))
			return (ice_invalid(e, "cannot find source column "
			    "%lld for sort field",
			    (long long)ice_get(f, "source-id")));
		if (!ice_type_is_primitive(col.type))
			return (ice_invalid(e, "cannot sort by non-primitive "
			    "column %lld", (long long)ice_get(f, "source-id")));
		if (!ice_transform_applies(kind, col.type))
			return (ice_invalid(e, "invalid source type %s for "
			    "transform %.64s", json_string_value(col.type),
			    xs));
	}
	return (0);
}

/* §4.7: the same field list (ids do not count). */
int
ice_order_same(const json_t *a, const json_t *b)
{
	return (json_equal(json_object_get(a, "fields"),
	    json_object_get(b, "fields")));
}
