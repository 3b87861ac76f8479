/*
 * Walking a canonical schema: the highest field id (§1.1), a field by
 * id with what its ancestors are (§1.2, §4.5), a field by full name
 * (§2.2, §4.5), and the format-version check of its types (§4.3-1).
 */
#include <string.h>

#include "iceberg/internal.h"

static int64_t
max_id(const json_t *t, int64_t max)
{
	const char	*kind;
	json_t		*f;
	size_t		 i;

	kind = json_string_value(json_object_get(t, "type"));
	if (kind == NULL)
		return (max);
	if (strcmp(kind, "list") == 0) {
		if (ice_get(t, "element-id") > max)
			max = ice_get(t, "element-id");
		return (max_id(json_object_get(t, "element"), max));
	}
	if (strcmp(kind, "map") == 0) {
		if (ice_get(t, "key-id") > max)
			max = ice_get(t, "key-id");
		if (ice_get(t, "value-id") > max)
			max = ice_get(t, "value-id");
		max = max_id(json_object_get(t, "key"), max);
		return (max_id(json_object_get(t, "value"), max));
	}
	json_array_foreach(json_object_get(t, "fields"), i, f) {
		if (ice_get(f, "id") > max)
			max = ice_get(f, "id");
		max = max_id(json_object_get(f, "type"), max);
	}
	return (max);
}

/* The highest field id, element/key/value ids included (§1.1). */
int64_t
ice_schema_max_id(const json_t *schema)
{
	return (max_id(schema, 0));
}

struct walk {
	int	in_structs;
	int	parents_required;
};

static int	find(const json_t *, int64_t, struct walk, struct ice_field *);

static int
hit(const json_t *type, int required, struct walk w, struct ice_field *out)
{
	out->type = type;
	out->required = required;
	out->in_structs = w.in_structs;
	out->parents_required = w.parents_required;
	return (1);
}

static int
find_in_struct(const json_t *t, int64_t id, struct walk w,
    struct ice_field *out)
{
	struct walk	 child;
	json_t		*f;
	size_t		 i;

	json_array_foreach(json_object_get(t, "fields"), i, f) {
		if (ice_get(f, "id") == id)
			return (hit(json_object_get(f, "type"),
			    json_is_true(json_object_get(f, "required")), w,
			    out));
	}
	json_array_foreach(json_object_get(t, "fields"), i, f) {
		child = w;
		if (!json_is_true(json_object_get(f, "required")))
			child.parents_required = 0;
		if (find(json_object_get(f, "type"), id, child, out))
			return (1);
	}
	return (0);
}

static int
find(const json_t *t, int64_t id, struct walk w, struct ice_field *out)
{
	const char	*kind;
	struct walk	 inner = w;

	if ((kind = json_string_value(json_object_get(t, "type"))) == NULL)
		return (0);
	inner.in_structs = 0;
	if (strcmp(kind, "list") == 0) {
		if (ice_get(t, "element-id") == id)
			return (hit(json_object_get(t, "element"),
			    json_is_true(json_object_get(t,
			    "element-required")), inner, out));
		return (find(json_object_get(t, "element"), id, inner, out));
	}
	if (strcmp(kind, "map") == 0) {
		if (ice_get(t, "key-id") == id)
			return (hit(json_object_get(t, "key"), 1, inner, out));
		if (ice_get(t, "value-id") == id)
			return (hit(json_object_get(t, "value"),
			    json_is_true(json_object_get(t, "value-required")),
			    inner, out));
		return (find(json_object_get(t, "key"), id, inner, out) ||
		    find(json_object_get(t, "value"), id, inner, out));
	}
	return (find_in_struct(t, id, w, out));
}

/*
 * The field with this id anywhere in the schema: its type, and whether
 * every ancestor is a (required) struct, which partition sources and
 * identifier fields need (§1.2, §4.5).  0 if there is none.
 */
int
ice_schema_find(const json_t *schema, int64_t id, struct ice_field *out)
{
	struct walk	w = { 1, 1 };

	return (find(schema, id, w, out));
}

static int64_t	find_name(const json_t *, const char *);

/* name is "<part>" or "<part>.<rest>" where part may itself hold dots. */
static int64_t
match(const char *part, int64_t id, const json_t *type, const char *name)
{
	size_t	n = strlen(part);

	if (strncmp(name, part, n) != 0)
		return (-1);
	if (name[n] == '\0')
		return (id);
	if (name[n] != '.')
		return (-1);
	return (find_name(type, name + n + 1));
}

static int64_t
find_name(const json_t *t, const char *name)
{
	const char	*kind;
	json_t		*f;
	int64_t		 id = -1;
	size_t		 i;

	if ((kind = json_string_value(json_object_get(t, "type"))) == NULL)
		return (-1);
	if (strcmp(kind, "list") == 0)
		return (match("element", ice_get(t, "element-id"),
		    json_object_get(t, "element"), name));
	if (strcmp(kind, "map") == 0) {
		if ((id = match("key", ice_get(t, "key-id"),
		    json_object_get(t, "key"), name)) != -1)
			return (id);
		return (match("value", ice_get(t, "value-id"),
		    json_object_get(t, "value"), name));
	}
	json_array_foreach(json_object_get(t, "fields"), i, f) {
		id = match(json_string_value(json_object_get(f, "name")),
		    ice_get(f, "id"), json_object_get(f, "type"), name);
		if (id != -1)
			return (id);
	}
	return (-1);
}

/*
 * The id of the field whose full name ("a.b", "l.element", "m.value")
 * is name, or -1: partition names may not shadow other columns (§4.5)
 * and metrics properties must name real ones (§2.2).
 */
int64_t
ice_schema_find_name(const json_t *schema, const char *name)
{
	if (name == NULL)
		return (-1);
	return (find_name(schema, name));
}

static int	check_type_version(const json_t *, int64_t, struct ice_err *);

static int
check_field_version(const json_t *f, int64_t version, struct ice_err *e)
{
	if (version < 3 && json_object_get(f, "initial-default") != NULL)
		return (ice_invalid(e, "field `%.64s`: initial-default needs "
		    "format v3", json_string_value(json_object_get(f,
		    "name"))));
	return (check_type_version(json_object_get(f, "type"), version, e));
}

static int
check_type_version(const json_t *t, int64_t version, struct ice_err *e)
{
	const char	*kind;
	json_t		*f;
	size_t		 i;

	if (json_is_string(t)) {
		if (version < 3 && ice_type_v3_only(json_string_value(t)))
			return (ice_invalid(e, "type %s needs format v3",
			    json_string_value(t)));
		return (0);
	}
	kind = json_string_value(json_object_get(t, "type"));
	if (kind != NULL && strcmp(kind, "list") == 0)
		return (check_type_version(json_object_get(t, "element"),
		    version, e));
	if (kind != NULL && strcmp(kind, "map") == 0)
		return (check_type_version(json_object_get(t, "key"), version,
		    e) == -1 || check_type_version(json_object_get(t, "value"),
		    version, e) == -1 ? -1 : 0);
	json_array_foreach(json_object_get(t, "fields"), i, f) {
		if (check_field_version(f, version, e) == -1)
			return (-1);
	}
	return (0);
}

/* §1.2, §4.3-1: v3-only types and non-null initial defaults. */
int
ice_schema_check_version(const json_t *schema, int64_t version,
    struct ice_err *e)
{
	return (check_type_version(schema, version, e));
}
