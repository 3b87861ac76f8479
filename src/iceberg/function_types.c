/*
 * The UDF spec's types (iceberg-udf-spec.md, Types and Definition ID):
 * a parameter's or a return type, a string of Iceberg's JSON form or a
 * list, map or struct object, checked (400 naming where and what), and
 * its canonical string appended, which a definition-id is made of.  For
 * function.c.
 */
#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "iceberg/internal.h"

/* The type strings of Iceberg's JSON form (the spec's Types). */
static const char *const primitives[] = {
	"boolean", "int", "long", "float", "double", "date", "time",
	"timestamp", "timestamptz", "timestamp_ns", "timestamptz_ns",
	"string", "uuid", "binary", "variant", "unknown", "geometry",
	"geography", NULL
};

int
ice_sbuf_put(struct ice_sbuf *b, const char *s)
{
	size_t	n = strlen(s);

	if (b->len + n + 1 > b->cap)
		return (-1);
	memcpy(b->p + b->len, s, n + 1);
	b->len += n;
	return (0);
}

/* decimal(P,S) with 1 <= P <= 38, 0 <= S <= P, no spaces. */
static int
decimal_ok(const char *s)
{
	int	p, sc, n = 0;

	if (sscanf(s, "decimal(%d,%d)%n", &p, &sc, &n) != 2 ||
	    s[n] != '\0' || strchr(s, ' ') != NULL)
		return (0);
	return (p >= 1 && p <= 38 && sc >= 0 && sc <= p);
}

/* fixed[L], L >= 1. */
static int
fixed_ok(const char *s)
{
	long	l;
	char	*end;

	if (strncmp(s, "fixed[", 6) != 0 || !isdigit((unsigned char)s[6]))
		return (0);
	l = strtol(s + 6, &end, 10);
	return (l >= 1 && l <= INT32_MAX && end[0] == ']' && end[1] == '\0');
}

/* geometry(crs) / geography(crs[,algorithm]): no spaces nor quotes. */
static int
geo_ok(const char *s)
{
	size_t	n = strlen(s);

	if (strncmp(s, "geometry(", 9) != 0 &&
	    strncmp(s, "geography(", 10) != 0)
		return (0);
	return (n > 10 && s[n - 1] == ')' && strpbrk(s, " \"'") == NULL);
}

static int
primitive_ok(const char *s)
{
	size_t	i;

	for (i = 0; primitives[i] != NULL; i++)
		if (strcmp(s, primitives[i]) == 0)
			return (1);
	return (decimal_ok(s) || fixed_ok(s) || geo_ok(s));
}

/* Append s, or a 400 naming where when the signature is too long. */
static int
put(struct ice_sbuf *b, const char *s, const char *where, struct ice_err *e)
{
	if (ice_sbuf_put(b, s) == -1)
		return (ice_bad(e, "%s: the signature is too long", where));
	return (0);
}

/* A struct type's fields: name:type, comma-separated. */
static int
struct_fields(const json_t *fields, const char *where, int depth,
    struct ice_sbuf *b, struct ice_err *e)
{
	const json_t	*f;
	const char	*name;
	size_t		 i;

	json_array_foreach(fields, i, f) {
		name = json_string_value(json_object_get(f, "name"));
		if (name == NULL || *name == '\0' || json_object_get(f,
		    "type") == NULL)
			return (ice_bad(e, "%s: struct field %zu needs a "
			    "\"name\" and a \"type\"", where, i));
		if ((i > 0 && put(b, ",", where, e) == -1) ||
		    put(b, name, where, e) == -1 || put(b, ":", where, e) ==
		    -1 || ice_fn_type(json_object_get(f, "type"), where,
		    depth + 1, b, e) == -1)
			return (-1);
	}
	return (0);
}

/*
 * A FunctionDataType (where: what it is, for the message), its
 * canonical string (the definition-id's part) appended to b.  Every
 * failure fills e.
 */
int
ice_fn_type(const json_t *t, const char *where, int depth,
    struct ice_sbuf *b, struct ice_err *e)
{
	const char	*k, *name;
	const json_t	*fields;

	if (depth > ICE_MAX_DEPTH)
		return (ice_bad(e, "%s: types nest too deep", where));
	if (json_is_string(t)) {
		name = json_string_value(t);
		if (!primitive_ok(name))
			return (ice_bad(e, "%s: unknown type \"%.80s\" (a type "
			    "string is an Iceberg primitive such as int, "
			    "string, decimal(9,2), with no spaces)", where,
			    name));
		return (put(b, name, where, e));
	}
	if (!json_is_object(t) || (k = json_string_value(json_object_get(t,
	    "type"))) == NULL)
		return (ice_bad(e, "%s: a type is a string or an object with "
		    "a string \"type\"", where));
	if (strcmp(k, "list") == 0) {
		if (json_object_get(t, "element") == NULL)
			return (ice_bad(e, "%s: a list type needs \"element\"",
			    where));
		if (put(b, "list<", where, e) == -1 ||
		    ice_fn_type(json_object_get(t, "element"), where,
		    depth + 1, b, e) == -1)
			return (-1);
		return (put(b, ">", where, e));
	}
	if (strcmp(k, "map") == 0) {
		if (json_object_get(t, "key") == NULL ||
		    json_object_get(t, "value") == NULL)
			return (ice_bad(e, "%s: a map type needs \"key\" and "
			    "\"value\"", where));
		if (put(b, "map<", where, e) == -1 ||
		    ice_fn_type(json_object_get(t, "key"), where, depth + 1,
		    b, e) == -1 || put(b, ",", where, e) == -1 ||
		    ice_fn_type(json_object_get(t, "value"), where, depth + 1,
		    b, e) == -1)
			return (-1);
		return (put(b, ">", where, e));
	}
	if (strcmp(k, "struct") != 0)
		return (ice_bad(e, "%s: unknown nested type \"%.40s\" (list, "
		    "map or struct)", where, k));
	fields = json_object_get(t, "fields");
	if (!json_is_array(fields))
		return (ice_bad(e, "%s: a struct type needs an array "
		    "\"fields\"", where));
	if (put(b, "struct<", where, e) == -1 ||
	    struct_fields(fields, where, depth, b, e) == -1)
		return (-1);
	return (put(b, ">", where, e));
}

