/*
 * §2.3-3: createTable gives every field a fresh id.  Ids are handed
 * out level by level: all direct fields of a struct first, then the
 * fields of each field's type in order; a list's element id, then its
 * type; a map's key and value ids, then the key type, then the value
 * type.  The old->new map lets specs, sort orders and identifier ids
 * follow their columns.
 */
#include <stdlib.h>
#include <string.h>

#include "iceberg/internal.h"

struct fresh {
	int64_t			 next;
	struct ice_idmap	*map;
	struct ice_err		*e;
};

static int
remember(struct fresh *f, int64_t from, int64_t to)
{
	struct ice_idmap	*m = f->map;
	int64_t			*a, *b;
	size_t			 cap;

	if (m->n == m->cap) {
		cap = m->cap == 0 ? 16 : m->cap * 2;
		if ((a = reallocarray(m->from, cap, sizeof(*a))) == NULL)
			return (ice_oom(f->e));
		m->from = a;
		if ((b = reallocarray(m->to, cap, sizeof(*b))) == NULL)
			return (ice_oom(f->e));
		m->to = b;
		m->cap = cap;
	}
	m->from[m->n] = from;
	m->to[m->n] = to;
	m->n++;
	return (0);
}

/* Replace o[key] with the next id. */
static int
assign(struct fresh *f, json_t *o, const char *key)
{
	int64_t	id = ++f->next;

	if (remember(f, ice_get(o, key), id) == -1)
		return (-1);
	return (ice_set_int(o, key, id, f->e));
}

static int
renumber(struct fresh *f, json_t *t)
{
	const char	*kind;
	json_t		*fields, *x;
	size_t		 i;

	if ((kind = json_string_value(json_object_get(t, "type"))) == NULL)
		return (0);
	if (strcmp(kind, "list") == 0)
		return (assign(f, t, "element-id") == -1 ? -1 :
		    renumber(f, json_object_get(t, "element")));
	if (strcmp(kind, "map") == 0) {
		if (assign(f, t, "key-id") == -1 ||
		    assign(f, t, "value-id") == -1 ||
		    renumber(f, json_object_get(t, "key")) == -1)
			return (-1);
		return (renumber(f, json_object_get(t, "value")));
	}
	fields = json_object_get(t, "fields");
	json_array_foreach(fields, i, x) {
		if (assign(f, x, "id") == -1)
			return (-1);
	}
	json_array_foreach(fields, i, x) {
		if (renumber(f, json_object_get(x, "type")) == -1)
			return (-1);
	}
	return (0);
}

/* The new id of an old one, or -1. */
int64_t
ice_idmap_get(const struct ice_idmap *m, int64_t from)
{
	size_t	i;

	for (i = 0; i < m->n; i++) {
		if (m->from[i] == from)
			return (m->to[i]);
	}
	return (-1);
}

void
ice_idmap_free(struct ice_idmap *m)
{
	free(m->from);
	free(m->to);
	memset(m, 0, sizeof(*m));
}

static int
remap_identifiers(json_t *schema, const struct ice_idmap *m,
    struct ice_err *e)
{
	struct ice_ids	 ids = { 0 };
	json_t		*arr, *v;
	size_t		 i;
	int		 rc = -1;

	if ((arr = json_object_get(schema, "identifier-field-ids")) == NULL)
		return (0);
	json_array_foreach(arr, i, v) {
		if (ice_ids_add(&ids, ice_idmap_get(m, json_integer_value(v)),
		    e) == -1)
			goto done;
	}
	ice_ids_sort(&ids);
	json_array_clear(arr);
	for (i = 0; i < ids.n; i++) {
		if (ice_push(arr, json_integer(ids.v[i]), e) == -1)
			goto done;
	}
	rc = 0;
done:
	ice_ids_free(&ids);
	return (rc);
}

/*
 * A copy of a canonical schema with fresh ids from 1 and schema-id 0.
 * The map gets every old id with its new one; the highest new id is
 * the number of ids assigned.
 */
json_t *
ice_schema_fresh(const json_t *schema, struct ice_idmap *map,
    struct ice_err *e)
{
	struct fresh	 f = { 0, map, e };
	json_t		*out;

	if ((out = json_deep_copy(schema)) == NULL) {
		(void)ice_oom(e);
		return (NULL);
	}
	if (ice_set_int(out, "schema-id", 0, e) == -1 ||
	    renumber(&f, out) == -1 || remap_identifiers(out, map, e) == -1) {
		json_decref(out);
		return (NULL);
	}
	return (out);
}
