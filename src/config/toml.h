/*
 * A reader for the subset of TOML 1.0 that pangolin.toml uses.
 *
 * Accepted: [tables] and [dotted.tables], arrays of tables ([[x]]: each
 * header appends a table to array x; a later [x.y] or [[x.y]] is inside
 * its last table), dotted keys, bare and quoted keys, basic and literal
 * single-line strings, 64-bit integers (decimal, 0x, 0o, 0b, with _
 * separators), booleans, arrays (multi-line, trailing comma, nested,
 * mixed types) and single-line inline tables.
 *
 * Rejected with a reason, never guessed at: floats, dates and times,
 * multi-line strings, strings holding U+0000, [[x]] where x is a table or
 * a static array, [x] where x is an array of tables, and values nested
 * more than TOML_MAX_DEPTH containers deep.
 *
 * The tree is immutable once parsed; free it with toml_free().
 */

#ifndef PGL_CONFIG_TOML_H
#define PGL_CONFIG_TOML_H

#include <stddef.h>
#include <stdint.h>

#include "config/toml_types.h"

struct toml_value;

/*
 * Parses len bytes (need not be NUL terminated; a NUL byte is an error).
 * Returns the root table, or NULL with err filled in.  err may be NULL.
 */
struct toml_value	*toml_parse(const char *, size_t, struct toml_error *);
void			 toml_free(struct toml_value *);

/* The value must not be NULL. */
enum toml_type		 toml_type(const struct toml_value *);
const char		*toml_type_name(enum toml_type);

/* Line the value (or table header) was defined on; 0 for NULL. */
int			 toml_line(const struct toml_value *);

/*
 * Lookups return NULL when the key is missing or the value is not a
 * table.  toml_get_path() splits on '.', so it cannot reach keys that
 * themselves contain a dot; walk with toml_get() for those.
 */
const struct toml_value	*toml_get(const struct toml_value *, const char *);
const struct toml_value	*toml_get_path(const struct toml_value *,
			    const char *);

/* Members of a table (in definition order) or elements of an array. */
size_t			 toml_count(const struct toml_value *);
const char		*toml_key_at(const struct toml_value *, size_t);
const struct toml_value	*toml_value_at(const struct toml_value *, size_t);

/* Typed access; all accept NULL and fail as for a wrong type. */
const char		*toml_str(const struct toml_value *);
int			 toml_int(const struct toml_value *, int64_t *);
int			 toml_bool(const struct toml_value *, int *);

#endif
