/*
 * Schemas (§1.2): read into canonical form (Java's key order, canonical
 * type strings, sorted identifier ids) so that "identical" (§1.4) is
 * plain JSON equality.  Lookups are in schema_find.c.
 */
#include <stdlib.h>
#include <string.h>

#include "iceberg/internal.h"

static json_t	*read_type(const json_t *, int, struct ice_ids *,
		    struct ice_err *);

static int
cmp_str(const void *a, const void *b)
{
	return (strcmp(*(const char *const *)a, *(const char *const *)b));
}

/* Java indexes fields by name: two fields of one struct may not share it. */
static int
unique_names(const json_t *fields, struct ice_err *e)
{
	const char	**names;
	size_t		  i, n;
	int		  rc = 0;

	if ((n = json_array_size(fields)) < 2)
		return (0);
	if ((names = calloc(n, sizeof(*names))) == NULL)
		return (ice_oom(e));
	for (i = 0; i < n; i++)
		names[i] = json_string_value(json_object_get(
		    json_array_get(fields, i), "name"));
	qsort(names, n, sizeof(*names), cmp_str);
	for (i = 1; i < n && rc == 0; i++) {
		if (strcmp(names[i], names[i - 1]) == 0)
			rc = ice_invalid(e, "duplicate field name `%.64s`",
			    names[i]);
	}
	free(names);
	return (rc);
}

/* A field, list element or map key/value id: collected for dup checks. */
static int
read_id(const json_t *o, const char *key, json_t *out, struct ice_ids *ids,
    struct ice_err *e)
{
	int64_t	id;

	if (ice_i32(o, key, &id, e) == -1 || ice_ids_add(ids, id, e) == -1)
		return (-1);
	return (ice_set_int(out, key, id, e));
}

static int
read_optional(const json_t *f, json_t *out, struct ice_err *e)
{
	const char	*doc;
	json_t		*v;

	if (ice_str_or(f, "doc", &doc, e) == -1)
		return (-1);
	if (doc != NULL && ice_set(out, "doc", json_string(doc), e) == -1)
		return (-1);
	v = json_object_get(f, "initial-default");
	if (v != NULL && !json_is_null(v) &&
	    ice_set(out, "initial-default", json_deep_copy(v), e) == -1)
		return (-1);
	v = json_object_get(f, "write-default");
	if (v != NULL && !json_is_null(v) &&
	    ice_set(out, "write-default", json_deep_copy(v), e) == -1)
		return (-1);
	return (0);
}

/* {"id","name","required","type","doc"?,"initial-default"?,"write-default"?} */
static json_t *
read_field(const json_t *f, int depth, struct ice_ids *ids,
    struct ice_err *e)
{
	const char	*name;
	json_t		*out, *type;
	int		 req;

	if (!json_is_object(f)) {
		(void)ice_bad(e, "schema fields must be objects");
		return (NULL);
	}
	if ((out = json_object()) == NULL) {
		(void)ice_oom(e);
		return (NULL);
	}
	if (read_id(f, "id", out, ids, e) == -1 ||
	    ice_str(f, "name", &name, e) == -1 ||
	    ice_set(out, "name", json_string(name), e) == -1 ||
	    ice_bool(f, "required", &req, e) == -1 ||
	    ice_set(out, "required", json_boolean(req), e) == -1 ||
	    (type = read_type(json_object_get(f, "type"), depth + 1, ids,
	    e)) == NULL || ice_set(out, "type", type, e) == -1 ||
	    read_optional(f, out, e) == -1) {
		json_decref(out);
		return (NULL);
	}
	return (out);
}

static json_t *
read_struct(const json_t *t, int depth, struct ice_ids *ids,
    struct ice_err *e)
{
	json_t	*in, *fields, *f, *out;
	size_t	 i;

	if (ice_arr_or(t, "fields", &in, e) == -1)
		return (NULL);
	if (in == NULL) {
		(void)ice_bad(e, "missing field `fields`");
		return (NULL);
	}
	if ((fields = json_array()) == NULL) {
		(void)ice_oom(e);
		return (NULL);
	}
	json_array_foreach(in, i, f) {
		if (ice_push(fields, read_field(f, depth, ids, e), e) == -1) {
			json_decref(fields);
			return (NULL);
		}
	}
	if (unique_names(fields, e) == -1) {
		json_decref(fields);
		return (NULL);
	}
	if ((out = json_pack("{s:s, s:o}", "type", "struct", "fields",
	    fields)) == NULL)
		(void)ice_oom(e);
	return (out);
}

/* {"type":"list","element-id","element","element-required"} */
static json_t *
read_list(const json_t *t, int depth, struct ice_ids *ids,
    struct ice_err *e)
{
	json_t	*out, *elem;
	int	 req;

	if ((out = json_pack("{s:s}", "type", "list")) == NULL) {
		(void)ice_oom(e);
		return (NULL);
	}
	if (read_id(t, "element-id", out, ids, e) == -1 ||
	    (elem = read_type(json_object_get(t, "element"), depth + 1, ids,
	    e)) == NULL || ice_set(out, "element", elem, e) == -1 ||
	    ice_bool(t, "element-required", &req, e) == -1 ||
	    ice_set(out, "element-required", json_boolean(req), e) == -1) {
		json_decref(out);
		return (NULL);
	}
	return (out);
}

/* {"type":"map","key-id","key","value-id","value","value-required"} */
static json_t *
read_map(const json_t *t, int depth, struct ice_ids *ids,
    struct ice_err *e)
{
	json_t	*out, *key, *val;
	int	 req;

	if ((out = json_pack("{s:s}", "type", "map")) == NULL) {
		(void)ice_oom(e);
		return (NULL);
	}
	if (read_id(t, "key-id", out, ids, e) == -1 ||
	    (key = read_type(json_object_get(t, "key"), depth + 1, ids,
	    e)) == NULL || ice_set(out, "key", key, e) == -1 ||
	    read_id(t, "value-id", out, ids, e) == -1 ||
	    (val = read_type(json_object_get(t, "value"), depth + 1, ids,
	    e)) == NULL || ice_set(out, "value", val, e) == -1 ||
	    ice_bool(t, "value-required", &req, e) == -1 ||
	    ice_set(out, "value-required", json_boolean(req), e) == -1) {
		json_decref(out);
		return (NULL);
	}
	return (out);
}

static json_t *
read_type(const json_t *t, int depth, struct ice_ids *ids,
    struct ice_err *e)
{
	const char	*kind;
	json_t		*out;

	if (depth > ICE_MAX_DEPTH) {
		(void)ice_bad(e, "schema nested deeper than %d", ICE_MAX_DEPTH);
		return (NULL);
	}
	if (json_is_string(t)) {
		if ((out = ice_type_primitive(json_string_value(t))) == NULL)
			(void)ice_bad(e, "unknown type `%.64s`",
			    json_string_value(t));
		return (out);
	}
	if (!json_is_object(t) || ice_str(t, "type", &kind, e) == -1) {
		(void)ice_bad(e, "a field type must be a string or an object");
		return (NULL);
	}
	if (strcmp(kind, "struct") == 0)
		return (read_struct(t, depth, ids, e));
	if (strcmp(kind, "list") == 0)
		return (read_list(t, depth, ids, e));
	if (strcmp(kind, "map") == 0)
		return (read_map(t, depth, ids, e));
	(void)ice_bad(e, "unknown type `%.64s`", kind);
	return (NULL);
}

/* Identifier fields (§1.2): primitive, required, not float/double, ... */
static int
check_identifier(const json_t *schema, int64_t id, struct ice_err *e)
{
	struct ice_field	f;
	const char		*t;

	if (!ice_schema_find(schema, id, &f))
		return (ice_invalid(e, "identifier field %lld does not exist",
		    (long long)id));
	t = json_string_value(f.type);
	if (!ice_type_is_primitive(f.type))
		return (ice_invalid(e, "identifier field %lld is not a "
		    "primitive", (long long)id));
	if (!f.required)
		return (ice_invalid(e, "identifier field %lld is optional",
		    (long long)id));
	if (strcmp(t, "float") == 0 || strcmp(t, "double") == 0)
		return (ice_invalid(e, "identifier field %lld is a float or "
		    "double", (long long)id));
	if (!f.in_structs || !f.parents_required)
		return (ice_invalid(e, "identifier field %lld is nested in a "
		    "list, map or optional struct", (long long)id));
	return (0);
}

/* Sorted, deduplicated: Java compares them as a set. */
static json_t *
read_identifiers(const json_t *in, const json_t *body, struct ice_err *e)
{
	struct ice_ids	 ids = { 0 };
	json_t		*arr, *v, *out;
	size_t		 i;

	if (ice_arr_or(in, "identifier-field-ids", &arr, e) == -1)
		return (NULL);
	if ((out = json_array()) == NULL) {
		(void)ice_oom(e);
		return (NULL);
	}
	json_array_foreach(arr, i, v) {
		if (!ice_is_i32(v)) {
			(void)ice_bad(e, "`identifier-field-ids` must be "
			    "integers");
			goto fail;
		}
		if (!ice_ids_has(&ids, json_integer_value(v)) &&
		    ice_ids_add(&ids, json_integer_value(v), e) == -1)
			goto fail;
	}
	ice_ids_sort(&ids);
	for (i = 0; i < ids.n; i++) {
		if (check_identifier(body, ids.v[i], e) == -1 ||
		    ice_push(out, json_integer(ids.v[i]), e) == -1)
			goto fail;
	}
	ice_ids_free(&ids);
	return (out);
fail:
	ice_ids_free(&ids);
	json_decref(out);
	return (NULL);
}

/* §1.2: a schema object in canonical form; schema-id defaults to 0. */
json_t *
ice_schema_read(const json_t *in, struct ice_err *e)
{
	struct ice_ids	 ids = { 0 };
	const char	*kind;
	json_t		*body, *ident = NULL, *out = NULL;
	int64_t		 id, dup;

	if (!json_is_object(in)) {
		(void)ice_bad(e, "a schema must be an object");
		return (NULL);
	}
	if (ice_str_or(in, "type", &kind, e) == -1 || ice_i32_or(in,
	    "schema-id", 0, &id, e) == -1)
		return (NULL);
	if (kind != NULL && strcmp(kind, "struct") != 0) {
		(void)ice_bad(e, "a schema must be a struct");
		return (NULL);
	}
	if ((body = read_struct(in, 0, &ids, e)) == NULL)
		goto done;
	if (ice_ids_dup(&ids, &dup)) {
		(void)ice_invalid(e, "field id %lld used twice", (long long)dup);
		goto done;
	}
	if ((ident = read_identifiers(in, body, e)) == NULL)
		goto done;
	/* Java's order; identifier-field-ids only when non-empty. */
	if ((out = json_pack("{s:s, s:I, s:o*, s:O}", "type", "struct",
	    "schema-id", (json_int_t)id, "identifier-field-ids",
	    json_array_size(ident) > 0 ? json_incref(ident) : NULL,
	    "fields", json_object_get(body, "fields"))) == NULL)
		(void)ice_oom(e);
done:
	json_decref(ident);
	json_decref(body);
	ice_ids_free(&ids);
	return (out);
}

/* §1.4: same fields and identifier ids; the schema-id does not count. */
int
ice_schema_same(const json_t *a, const json_t *b)
{
	json_t	*ia, *ib;

	ia = json_object_get(a, "identifier-field-ids");
	ib = json_object_get(b, "identifier-field-ids");
	if (json_array_size(ia) != json_array_size(ib))
		return (0);
	if (json_array_size(ia) > 0 && !json_equal(ia, ib))
		return (0);
	return (json_equal(json_object_get(a, "fields"),
	    json_object_get(b, "fields")));
}
