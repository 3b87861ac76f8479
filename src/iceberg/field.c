/*
 * Typed access to JSON objects.  Untrusted input goes through the
 * checked getters, which name the key in their 400; the engine's own
 * objects (already validated) through the trusted ones below.
 */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "iceberg/internal.h"
#include "util/location.h"

/* Absent and null are the same thing on input (§2.1). */
static json_t *
get(const json_t *o, const char *key)
{
	json_t	*v;

	v = json_object_get(o, key);
	return (json_is_null(v) ? NULL : v);
}

int
ice_i64(const json_t *o, const char *key, int64_t *out, struct ice_err *e)
{
	json_t	*v;

	if ((v = get(o, key)) == NULL)
		return (ice_bad(e, "missing field `%s`", key));
	if (!json_is_integer(v))
		return (ice_bad(e, "`%s` must be a 64-bit integer", key));
	*out = json_integer_value(v);
	return (0);
}

int
ice_i64_or(const json_t *o, const char *key, int64_t def, int64_t *out,
    struct ice_err *e)
{
	if (get(o, key) == NULL) {
		*out = def;
		return (0);
	}
	return (ice_i64(o, key, out, e));
}

int
ice_is_i32(const json_t *v)
{
	json_int_t	i;

	if (!json_is_integer(v))
		return (0);
	i = json_integer_value(v);
	return (i >= INT32_MIN && i <= INT32_MAX);
}

int
ice_i32(const json_t *o, const char *key, int64_t *out, struct ice_err *e)
{
	json_t	*v;

	if ((v = get(o, key)) == NULL)
		return (ice_bad(e, "missing field `%s`", key));
	if (!ice_is_i32(v))
		return (ice_bad(e, "`%s` must be a 32-bit integer", key));
	*out = json_integer_value(v);
	return (0);
}

int
ice_i32_or(const json_t *o, const char *key, int64_t def, int64_t *out,
    struct ice_err *e)
{
	if (get(o, key) == NULL) {
		*out = def;
		return (0);
	}
	return (ice_i32(o, key, out, e));
}

int
ice_str(const json_t *o, const char *key, const char **out,
    struct ice_err *e)
{
	json_t	*v;

	if ((v = get(o, key)) == NULL)
		return (ice_bad(e, "missing field `%s`", key));
	if (!json_is_string(v))
		return (ice_bad(e, "`%s` must be a string", key));
	*out = json_string_value(v);
	return (0);
}

int
ice_str_or(const json_t *o, const char *key, const char **out,
    struct ice_err *e)
{
	*out = NULL;
	if (get(o, key) == NULL)
		return (0);
	return (ice_str(o, key, out, e));
}

int
ice_bool(const json_t *o, const char *key, int *out, struct ice_err *e)
{
	json_t	*v;

	if ((v = get(o, key)) == NULL)
		return (ice_bad(e, "missing field `%s`", key));
	if (!json_is_boolean(v))
		return (ice_bad(e, "`%s` must be a boolean", key));
	*out = json_is_true(v);
	return (0);
}

int
ice_arr_or(const json_t *o, const char *key, json_t **out,
    struct ice_err *e)
{
	*out = get(o, key);
	if (*out != NULL && !json_is_array(*out))
		return (ice_bad(e, "`%s` must be an array", key));
	return (0);
}

int
ice_obj_or(const json_t *o, const char *key, json_t **out,
    struct ice_err *e)
{
	*out = get(o, key);
	if (*out != NULL && !json_is_object(*out))
		return (ice_bad(e, "`%s` must be an object", key));
	return (0);
}

/* A copy of o[key], an object of strings; {} if absent. */
json_t *
ice_strmap_copy(const json_t *o, const char *key, struct ice_err *e)
{
	const char	*k;
	json_t		*m, *v, *out;

	if (ice_obj_or(o, key, &m, e) == -1)
		return (NULL);
	if ((out = json_object()) == NULL) {
		(void)ice_oom(e);
		return (NULL);
	}
	if (m == NULL)
		return (out);
	json_object_foreach(m, k, v) {
		if (!json_is_string(v)) {
			json_decref(out);
			(void)ice_bad(e, "`%s` values must be strings (key "
			    "`%.64s`)", key, k);
			return (NULL);
		}
		if (ice_set(out, k, json_string(json_string_value(v)),
		    e) == -1) {
			json_decref(out);
			return (NULL);
		}
	}
	return (out);
}

/* A copy of o[key], an array of strings; [] if absent. */
json_t *
ice_strlist_copy(const json_t *o, const char *key, struct ice_err *e)
{
	json_t	*a, *v, *out;
	size_t	 i;

	if (ice_arr_or(o, key, &a, e) == -1)
		return (NULL);
	if ((out = json_array()) == NULL) {
		(void)ice_oom(e);
		return (NULL);
	}
	json_array_foreach(a, i, v) {
		if (!json_is_string(v)) {
			json_decref(out);
			(void)ice_bad(e, "`%s` must be an array of strings",
			    key);
			return (NULL);
		}
		if (ice_push(out, json_string(json_string_value(v)),
		    e) == -1) {
			json_decref(out);
			return (NULL);
		}
	}
	return (out);
}

/* --- trusted objects ------------------------------------------------------ */

/* o[key] of an object the engine built; 0 if absent. */
int64_t
ice_get(const json_t *o, const char *key)
{
	return (json_integer_value(json_object_get(o, key)));
}

/* The element of array a whose [key] is id, or NULL. */
json_t *
ice_find(const json_t *a, const char *key, int64_t id)
{
	json_t	*v, *x;
	size_t	 i;

	json_array_foreach(a, i, v) {
		x = json_object_get(v, key);
		if (json_is_integer(x) && json_integer_value(x) == id)
			return (v);
	}
	return (NULL);
}

/* Index of that element, or (size_t)-1. */
size_t
ice_index(const json_t *a, const char *key, int64_t id)
{
	json_t	*v, *x;
	size_t	 i;

	json_array_foreach(a, i, v) {
		x = json_object_get(v, key);
		if (json_is_integer(x) && json_integer_value(x) == id)
			return (i);
	}
	return ((size_t)-1);
}

/* The largest [key] in array a, or floor if none is larger. */
int64_t
ice_max(const json_t *a, const char *key, int64_t floor)
{
	json_t	*v, *x;
	size_t	 i;

	json_array_foreach(a, i, v) {
		x = json_object_get(v, key);
		if (json_is_integer(x) && json_integer_value(x) > floor)
			floor = json_integer_value(x);
	}
	return (floor);
}

/*
 * A NULL v is the result of a reader that failed (its error stands) or
 * of an allocation that did (out of memory).
 */
static int
failed(struct ice_err *e)
{
	return (e != NULL && e->status != 0 ? -1 : ice_oom(e));
}

/* json_object_set_new that reports a NULL value or OOM. */
int
ice_set(json_t *o, const char *key, json_t *v, struct ice_err *e)
{
	if (v == NULL)
		return (failed(e));
	if (json_object_set_new(o, key, v) == -1)
		return (ice_oom(e));
	return (0);
}

int
ice_set_int(json_t *o, const char *key, int64_t v, struct ice_err *e)
{
	return (ice_set(o, key, json_integer(v), e));
}

int
ice_push(json_t *a, json_t *v, struct ice_err *e)
{
	if (v == NULL)
		return (failed(e));
	if (json_array_append_new(a, v) == -1)
		return (ice_oom(e));
	return (0);
}

/* The property key of metadata md, or NULL. */
const char *
ice_prop(const json_t *md, const char *key)
{
	return (json_string_value(json_object_get(json_object_get(md,
	    "properties"), key)));
}

/* A decimal int64 as Java's Long.parseLong reads it: sign, digits. */
int
ice_parse_int(const char *s, int64_t *out)
{
	char		*end;
	long long	 v;

	if (s == NULL || *s == '\0' || isspace((unsigned char)*s))
		return (-1);
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno != 0 || *end != '\0')
		return (-1);
	*out = v;
	return (0);
}

/* An integer property: def if absent, -1 if not an integer. */
int
ice_prop_int(const json_t *md, const char *key, int64_t def, int64_t *out)
{
	const char	*s;

	*out = def;
	if ((s = ice_prop(md, key)) == NULL)
		return (0);
	return (ice_parse_int(s, out));
}

/* ASCII case-insensitive equality (types and actions, §3, §4.0). */
int
ice_strieq(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return (0);
	for (; *a != '\0' && *b != '\0'; a++, b++) {
		if (tolower((unsigned char)*a) != tolower((unsigned char)*b))
			return (0);
	}
	return (*a == *b);
}

/*
 * §1.1: strip trailing '/' repeatedly but never past "scheme://", and
 * never down to nothing.  malloc'd.
 */
char *
ice_strip_slash(const char *s)
{
	char	*out;
	size_t	 n;

	if ((out = strdup(s)) == NULL)
		return (NULL);
	n = strlen(out);
	while (n > 1 && out[n - 1] == '/' &&
	    !(n >= 3 && out[n - 2] == '/' && out[n - 3] == ':'))
		out[--n] = '\0';
	return (out);
}

/*
 * A location as metadata holds it: trailing '/' stripped, and a local
 * one spelled "file:///path" whichever way it came (a bare path, from a
 * client or a table written before locations were URIs).  malloc'd.
 */
char *
ice_location_norm(const char *s)
{
	char	*stripped, *out;

	if ((stripped = ice_strip_slash(s)) == NULL)
		return (NULL);
	out = pgl_location_to_uri(stripped);
	free(stripped);
	return (out);
}

/* o[key], required and not null; NULL + 400 otherwise. */
json_t *
ice_need(const json_t *o, const char *key, struct ice_err *e)
{
	json_t	*v;

	if ((v = get(o, key)) == NULL)
		(void)ice_bad(e, "missing field `%s`", key);
	return (v);
}
