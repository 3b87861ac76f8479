/*
 * A schema's fields as policies name them: by full name, dotted as the
 * planning routes and partition specs name them ("a.b", "l.element",
 * "m.key", "m.value"; a name may itself hold dots), or by field id;
 * each with its type, whether it is required, whether it is (inside) a
 * map's key, and the ids of the fields around it (a projection on a
 * nested field excludes every one below it: ReadRestrictions).
 */
#include <string.h>

#include "policy/policy.h"

static int64_t
int_of(const json_t *o, const char *key)
{
	const json_t	*v = json_object_get(o, key);

	return (json_is_integer(v) ? (int64_t)json_integer_value(v) : -1);
}

static int
push(struct pgl_pol_column *c, int64_t id)
{
	if (c->nancestors >= PGL_POL_MAX_DEPTH)
		return (-1);
	c->ancestors[c->nancestors++] = id;
	return (0);
}

static void
set(struct pgl_pol_column *c, int64_t id, const json_t *type, int required,
    int in_key)
{
	c->id = id;
	c->type = type;
	c->required = required;
	c->in_map_key = in_key;
}

static int	by_name(const json_t *, const char *, int,
		    struct pgl_pol_column *);

/* part names the field (id, type); name is it, or "<part>.<rest>". */
static int
match(const char *part, int64_t id, const json_t *type, int required,
    const char *name, int in_key, struct pgl_pol_column *c)
{
	size_t	n;

	if (part == NULL)
		return (-1);
	n = strlen(part);
	if (strncmp(name, part, n) != 0)
		return (-1);
	if (name[n] == '\0') {
		set(c, id, type, required, in_key);
		return (0);
	}
	if (name[n] != '.' || push(c, id) == -1)
		return (-1);
	if (by_name(type, name + n + 1, in_key, c) == 0)
		return (0);
	c->nancestors--;
	return (-1);
}

static int
by_name(const json_t *t, const char *name, int in_key,
    struct pgl_pol_column *c)
{
	const char	*kind;
	json_t		*f;
	size_t		 i;

	if ((kind = json_string_value(json_object_get(t, "type"))) == NULL)
		return (-1);
	if (strcmp(kind, "list") == 0)
		return (match("element", int_of(t, "element-id"),
		    json_object_get(t, "element"), json_is_true(
		    json_object_get(t, "element-required")), name, in_key, c));
	if (strcmp(kind, "map") == 0) {
		if (match("key", int_of(t, "key-id"), json_object_get(t,
		    "key"), 1, name, 1, c) == 0)
			return (0);
		return (match("value", int_of(t, "value-id"),
		    json_object_get(t, "value"), json_is_true(
		    json_object_get(t, "value-required")), name, in_key, c));
	}
	json_array_foreach(json_object_get(t, "fields"), i, f) {
		if (match(json_string_value(json_object_get(f, "name")),
		    int_of(f, "id"), json_object_get(f, "type"),
		    json_is_true(json_object_get(f, "required")), name, in_key,
		    c) == 0)
			return (0);
	}
	return (-1);
}

int
pgl_pol_column_by_name(const json_t *schema, const char *name,
    struct pgl_pol_column *c)
{
	memset(c, 0, sizeof(*c));
	if (schema == NULL || name == NULL || *name == '\0')
		return (-1);
	return (by_name(schema, name, 0, c));
}

static int	by_id(const json_t *, int64_t, int, struct pgl_pol_column *);

static int
hit_or_descend(int64_t fid, const json_t *type, int required, int64_t id,
    int in_key, struct pgl_pol_column *c)
{
	if (fid == id) {
		set(c, fid, type, required, in_key);
		return (0);
	}
	if (!json_is_object(type) || push(c, fid) == -1)
		return (-1);
	if (by_id(type, id, in_key, c) == 0)
		return (0);
	c->nancestors--;
	return (-1);
}

static int
by_id(const json_t *t, int64_t id, int in_key, struct pgl_pol_column *c)
{
	const char	*kind;
	json_t		*f;
	size_t		 i;

	if ((kind = json_string_value(json_object_get(t, "type"))) == NULL)
		return (-1);
	if (strcmp(kind, "list") == 0)
		return (hit_or_descend(int_of(t, "element-id"),
		    json_object_get(t, "element"), json_is_true(
		    json_object_get(t, "element-required")), id, in_key, c));
	if (strcmp(kind, "map") == 0) {
		if (hit_or_descend(int_of(t, "key-id"), json_object_get(t,
		    "key"), 1, id, 1, c) == 0)
			return (0);
		return (hit_or_descend(int_of(t, "value-id"),
		    json_object_get(t, "value"), json_is_true(
		    json_object_get(t, "value-required")), id, in_key, c));
	}
	json_array_foreach(json_object_get(t, "fields"), i, f) {
		if (hit_or_descend(int_of(f, "id"), json_object_get(f, "type"),
		    json_is_true(json_object_get(f, "required")), id, in_key,
		    c) == 0)
			return (0);
	}
	return (-1);
}

int
pgl_pol_column_by_id(const json_t *schema, int64_t id,
    struct pgl_pol_column *c)
{
	memset(c, 0, sizeof(*c));
	if (schema == NULL || id < 0)
		return (-1);
	return (by_id(schema, id, 0, c));
}

const json_t *
pgl_pol_current_schema(const json_t *md)
{
	const json_t	*s;
	int64_t		 cur = int_of(md, "current-schema-id");
	size_t		 i;

	json_array_foreach(json_object_get(md, "schemas"), i, s) {
		if (int_of(s, "schema-id") == cur)
			return (s);
	}
	/* A v1 table written before schemas: its one schema. */
	return (json_object_get(md, "schema"));
}

int
pgl_pol_columns_overlap(const struct pgl_pol_column *a,
    const struct pgl_pol_column *b)
{
	size_t	i;

	if (a->id == b->id)
		return (1);
	for (i = 0; i < a->nancestors; i++)
		if (a->ancestors[i] == b->id)
			return (1);
	for (i = 0; i < b->nancestors; i++)
		if (b->ancestors[i] == a->id)
			return (1);
	return (0);
}
