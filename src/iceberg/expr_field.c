/*
 * The field a filter predicate names, found in a Schema JSON object by
 * its full dotted name ("a.b.c" through structs) or by id.  Filters
 * reach primitives in structs only: a field inside a list or a map has
 * no single value per row to compare (Java binds them through an
 * accessor we do not have), so it is refused, not silently ignored.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "iceberg/expr_int.h"
#include "iceberg/internal.h"
#include "util/arena.h"

struct search {
	struct pgl_arena	*a;
	const char		*name;		/* by name, or */
	int64_t			 id;		/* by id */
	int			 cs;
	int			 found;
	const json_t		*field;
	const char		*full;
	int			 required;
	int			 nested;	/* seen inside a list or map */
	int			 oom;
};

static const char *
kind(const json_t *type)
{
	const char	*k = json_string_value(json_object_get(type, "type"));

	return (json_is_object(type) && k != NULL ? k : "");
}

static const char *
join(struct search *s, const char *prefix, const char *name)
{
	const char	*p;

	p = prefix == NULL ? pgl_arena_strdup(s->a, name) :
	    pgl_arena_printf(s->a, "%s.%s", prefix, name);
	if (p == NULL)
		s->oom = 1;
	return (p);
}

static int
same(const struct search *s, const char *a, const char *b, size_t n)
{
	return (s->cs ? strncmp(a, b, n) == 0 : strncasecmp(a, b, n) == 0);
}

static void
match(struct search *s, const json_t *f, const char *prefix,
    const char *fname, int required)
{
	if (s->found++ == 0) {
		s->field = f;
		s->full = join(s, prefix, fname);
		s->required = required;
	}
}

static void
by_name(struct search *s, const json_t *fields, const char *name,
    const char *prefix, int req, int depth)
{
	const json_t	*f, *type;
	const char	*fname;
	size_t		 i, n, len = strlen(name);
	int		 freq;

	if (depth > ICE_MAX_DEPTH)
		return;
	json_array_foreach(fields, i, f) {
		if ((fname = json_string_value(json_object_get(f, "name"))) ==
		    NULL)
			continue;
		n = strlen(fname);
		freq = req && json_is_true(json_object_get(f, "required"));
		type = json_object_get(f, "type");
		if (n == len && same(s, name, fname, n))
			match(s, f, prefix, fname, freq);
		else if (len > n && name[n] == '.' && same(s, name, fname, n)) {
			if (strcmp(kind(type), "struct") == 0)
				by_name(s, json_object_get(type, "fields"),
				    name + n + 1, join(s, prefix, fname), freq,
				    depth + 1);
			else if (json_is_object(type))
				s->nested = 1;
		}
	}
}

static void	by_id(struct search *, const json_t *, const char *, int, int,
		    int);

static void
in_collection(struct search *s, const json_t *type, int depth)
{
	static const char *const	ids[] = { "element-id", "key-id",
					    "value-id" };
	static const char *const	types[] = { "element", "key", "value" };
	size_t				i;

	for (i = 0; i < 3; i++) {
		if (json_integer_value(json_object_get(type, ids[i])) ==
		    s->id && json_is_integer(json_object_get(type, ids[i])))
			s->nested = 1;
		by_id(s, json_object_get(type, types[i]), NULL, 0, 1,
		    depth + 1);
	}
}

/* Walk a type for field id s->id; nested: below a list or map. */
static void
by_id(struct search *s, const json_t *type, const char *prefix, int req,
    int nested, int depth)
{
	const json_t	*f;
	const char	*fname, *k = kind(type);
	size_t		 i;
	int		 freq;

	if (depth > ICE_MAX_DEPTH || s->oom)
		return;
	if (strcmp(k, "list") == 0 || strcmp(k, "map") == 0) {
		in_collection(s, type, depth);
		return;
	}
	/* The schema itself is the top struct, "type" or not. */
	if (strcmp(k, "struct") != 0 && depth > 0)
		return;
	json_array_foreach(json_object_get(type, "fields"), i, f) {
		fname = json_string_value(json_object_get(f, "name"));
		if (fname == NULL)
			continue;
		freq = req && json_is_true(json_object_get(f, "required"));
		if (json_is_integer(json_object_get(f, "id")) &&
		    json_integer_value(json_object_get(f, "id")) == s->id) {
			if (nested)
				s->nested = 1;
			else
				match(s, f, prefix, fname, freq);
		}
		if (!json_is_object(json_object_get(f, "type")))
			continue;
		by_id(s, json_object_get(f, "type"), nested ? NULL :
		    join(s, prefix, fname), freq, nested, depth + 1);
	}
}

/* The field found must be a primitive the planner knows. */
static int
primitive(struct search *s, const char *what, struct expr_field *out,
    struct ice_err *e)
{
	const json_t	*type = json_object_get(s->field, "type");

	if (s->oom)
		return (ice_oom(e));
	if (json_is_object(type))
		return (ice_invalid(e, "Cannot filter on %s: it is a %s, not "
		    "a primitive field", what, kind(type)));
	if (ice_type_parse(type, &out->type) == -1)
		return (ice_invalid(e, "Cannot filter on %s: type %s is not "
		    "supported in filters", what, json_is_string(type) ?
		    json_string_value(type) : "?"));
	out->id = (int32_t)json_integer_value(json_object_get(s->field,
	    "id"));
	out->name = s->full;
	out->required = s->required;
	return (0);
}

int
expr_field_by_name(struct pgl_arena *a, const json_t *schema,
    const char *name, int cs, struct expr_field *out, struct ice_err *e)
{
	struct search	s;

	memset(&s, 0, sizeof(s));
	s.a = a;
	s.name = name;
	s.cs = cs;
	by_name(&s, json_object_get(schema, "fields"), name, NULL, 1, 0);
	if (s.oom)
		return (ice_oom(e));
	if (s.found > 1)
		return (ice_invalid(e, "Ambiguous field name in filter: %s",
		    name));
	if (s.found == 0 && s.nested)
		return (ice_invalid(e, "Cannot filter on %s: fields inside a "
		    "list or map are not supported", name));
	if (s.found == 0)
		return (ice_invalid(e, "Cannot find field '%s' in struct: %s",
		    name, "the table schema"));
	return (primitive(&s, name, out, e));
}

int
expr_field_by_id(struct pgl_arena *a, const json_t *schema, int64_t id,
    struct expr_field *out, struct ice_err *e)
{
	struct search	s;
	char		what[32];

	memset(&s, 0, sizeof(s));
	s.a = a;
	s.id = id;
	by_id(&s, schema, NULL, 1, 0, 0);
	if (s.oom)
		return (ice_oom(e));
	if (s.found == 0 && s.nested)
		return (ice_invalid(e, "Cannot filter on field id %lld: fields "
		    "inside a list or map are not supported", (long long)id));
	if (s.found == 0)
		return (ice_invalid(e, "Cannot find field id %lld in the table "
		    "schema", (long long)id));
	(void)snprintf(what, sizeof(what), "field id %lld", (long long)id);
	return (primitive(&s, what, out, e));
}
