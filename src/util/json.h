/*
 * JSON helpers on top of jansson (exact int64, UTF-8 validated input).
 */
#ifndef PGL_JSON_H
#define PGL_JSON_H

#include <stddef.h>
#include <jansson.h>

enum pgl_jtype {
	PGL_J_STRING,
	PGL_J_BOOL,
	PGL_J_INT,
	PGL_J_OBJECT,
	PGL_J_ARRAY,
	PGL_J_STRMAP,		/* object whose values are all strings */
	PGL_J_STRLIST,		/* array of strings */
	PGL_J_ANY
};

/* One field of a request body; the list ends with a NULL name. */
struct pgl_jfield {
	const char	*name;
	enum pgl_jtype	 type;
	int		 required;
};

/*
 * Parse a request body.  Returns NULL and a reason for malformed JSON
 * (the caller answers 400): invalid UTF-8, NUL escapes, trailing bytes
 * and duplicate keys are all malformed.
 */
json_t		*pgl_json_parse(const void *buf, size_t len, char *why,
		    size_t whylen);

/*
 * Check obj against fields: it must be an object, every key known, every
 * value of the declared type, every required field present and non-null
 * (null counts as absent for optional fields).  Returns 0, or -1 with a
 * reason naming the field (the caller answers 422 or 400).
 */
int		 pgl_json_check(const json_t *obj,
		    const struct pgl_jfield *fields, char *why, size_t whylen);

/*
 * The ceiling on any stored map of strings (properties, storage_config):
 * the total bytes of its keys and values, and its entry count.  Set once
 * at start-up; pgl_json_check applies it to every PGL_J_STRMAP field.
 */
void		 pgl_json_map_limits(size_t max_bytes, size_t max_entries);

/* 0 when map is within the ceiling, else -1 with a reason naming it. */
int		 pgl_json_map_fits(const json_t *map, const char *what,
		    char *why, size_t whylen);

/* The same for any JSON value: its serialised bytes (and, for an object,
 * its entries) within the ceiling; 0, or -1 with a reason. */
int		 pgl_json_value_fits(const json_t *v, const char *what,
		    char *why, size_t whylen);

/* obj[key] as a string, or NULL if absent, null or not a string. */
const char	*pgl_json_str(const json_t *obj, const char *key);

/* Compact serialization with keys in insertion order; malloc'd. */
char		*pgl_json_dump(const json_t *);

/* Parse stored JSON text (trusted: our own store) or return fallback. */
json_t		*pgl_json_load_or(const char *text, json_t *fallback);

#endif
