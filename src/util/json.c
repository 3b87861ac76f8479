#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/json.h"
#include "util/json_in.h"
#include "util/json_out.h"

json_t *
pgl_json_parse(const void *buf, size_t len, char *why, size_t whylen)
{
	char	 what[200];
	json_t	*j;

	if (buf == NULL || len == 0) {
		(void)snprintf(why, whylen, "request body is empty");
		return (NULL);
	}
	/* json_loadb(JSON_REJECT_DUPLICATES | JSON_DECODE_ANY), faster. */
	if ((j = pgl_json_in(buf, len, what, sizeof(what))) == NULL)
		(void)snprintf(why, whylen, "malformed JSON at %s", what);
	return (j);
}

static const char *
type_name(enum pgl_jtype t)
{
	switch (t) {
	case PGL_J_STRING:	return ("a string");
	case PGL_J_BOOL:	return ("a boolean");
	case PGL_J_INT:		return ("an integer");
	case PGL_J_OBJECT:	return ("an object");
	case PGL_J_ARRAY:	return ("an array");
	case PGL_J_STRMAP:	return ("an object of strings");
	case PGL_J_STRLIST:	return ("an array of strings");
	case PGL_J_ANY:		return ("any value");
	}
	return ("?");
}

static int
all_strings(const json_t *v)
{
	const char	*k;
	json_t		*x;
	size_t		 i;

	if (json_is_object(v)) {
		json_object_foreach((json_t *)v, k, x) {
			if (!json_is_string(x))
				return (0);
		}
		return (1);
	}
	json_array_foreach(v, i, x) {
		if (!json_is_string(x))
			return (0);
	}
	return (1);
}

static int
type_ok(const json_t *v, enum pgl_jtype t)
{
	switch (t) {
	case PGL_J_STRING:	return (json_is_string(v));
	case PGL_J_BOOL:	return (json_is_boolean(v));
	case PGL_J_INT:		return (json_is_integer(v));
	case PGL_J_OBJECT:	return (json_is_object(v));
	case PGL_J_ARRAY:	return (json_is_array(v));
	case PGL_J_STRMAP:	return (json_is_object(v) && all_strings(v));
	case PGL_J_STRLIST:	return (json_is_array(v) && all_strings(v));
	case PGL_J_ANY:		return (1);
	}
	return (0);
}

/* Defaults of [server] max_properties_bytes and max_properties_entries. */
static size_t	map_max_bytes = 64 * 1024;
static size_t	map_max_entries = 1000;

void
pgl_json_map_limits(size_t max_bytes, size_t max_entries)
{
	map_max_bytes = max_bytes;
	map_max_entries = max_entries;
}

int
pgl_json_map_fits(const json_t *map, const char *what, char *why,
    size_t whylen)
{
	const char	*k;
	json_t		*v;
	size_t		 bytes = 0;

	if (!json_is_object(map))
		return (0);
	if (json_object_size(map) > map_max_entries) {
		(void)snprintf(why, whylen, "`%s` has %zu entries, more than "
		    "the limit of %zu (PANGOLIN_MAX_PROPERTIES_ENTRIES)", what,
		    json_object_size(map), map_max_entries);
		return (-1);
	}
	json_object_foreach((json_t *)map, k, v) {
		bytes += strlen(k);
		if (json_is_string(v))
			bytes += json_string_length(v);
	}
	if (bytes > map_max_bytes) {
		(void)snprintf(why, whylen, "`%s` holds %zu bytes of keys and "
		    "values, more than the limit of %zu "
		    "(PANGOLIN_MAX_PROPERTIES_BYTES)", what, bytes,
		    map_max_bytes);
		return (-1);
	}
	return (0);
}

int
pgl_json_value_fits(const json_t *v, const char *what, char *why,
    size_t whylen)
{
	char	*text;
	size_t	 bytes;

	if (json_is_object(v) && pgl_json_map_fits(v, what, why, whylen) == -1)
		return (-1);
	if ((text = pgl_json_dump(v)) == NULL) {
		(void)snprintf(why, whylen, "`%s` cannot be serialised", what);
		return (-1);
	}
	bytes = strlen(text);
	free(text);
	if (bytes <= map_max_bytes)
		return (0);
	(void)snprintf(why, whylen, "`%s` is %zu bytes of JSON, more than the "
	    "limit of %zu (PANGOLIN_MAX_PROPERTIES_BYTES)", what, bytes,
	    map_max_bytes);
	return (-1);
}

static const struct pgl_jfield *
field(const struct pgl_jfield *f, const char *name)
{
	for (; f->name != NULL; f++) {
		if (strcmp(f->name, name) == 0)
			return (f);
	}
	return (NULL);
}

int
pgl_json_check(const json_t *obj, const struct pgl_jfield *fields, char *why,
    size_t whylen)
{
	const struct pgl_jfield	*f;
	const char		*k;
	json_t			*v;

	if (!json_is_object(obj)) {
		(void)snprintf(why, whylen, "request body must be a JSON object");
		return (-1);
	}
	json_object_foreach((json_t *)obj, k, v) {
		if ((f = field(fields, k)) == NULL) {
			(void)snprintf(why, whylen, "unknown field `%.64s`", k);
			return (-1);
		}
		if (json_is_null(v) && !f->required)
			continue;
		if (!type_ok(v, f->type)) {
			(void)snprintf(why, whylen, "field `%s` must be %s",
			    f->name, type_name(f->type));
			return (-1);
		}
		if (f->type == PGL_J_STRMAP &&
		    pgl_json_map_fits(v, f->name, why, whylen) == -1)
			return (-1);
	}
	for (f = fields; f->name != NULL; f++) {
		v = json_object_get(obj, f->name);
		if (f->required && (v == NULL || json_is_null(v))) {
			(void)snprintf(why, whylen, "missing field `%s`",
			    f->name);
			return (-1);
		}
	}
	return (0);
}

const char *
pgl_json_str(const json_t *obj, const char *key)
{
	return (json_string_value(json_object_get(obj, key)));
}

/* json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_ENCODE_ANY |
 * JSON_REAL_PRECISION(6))'s bytes, faster (util/json_out.c). */
char *
pgl_json_dump(const json_t *j)
{
	return (pgl_json_out(j, 6, NULL));
}

json_t *
pgl_json_load_or(const char *text, json_t *fallback)
{
	json_t	*j;

	if (text == NULL || (j = json_loads(text, JSON_DECODE_ANY, NULL)) ==
	    NULL)
		return (fallback);
	json_decref(fallback);
	return (j);
}
