/*
 * The TOML tree's nodes, as the parser (toml_parse.c) builds them and
 * the accessors (toml.c) read them.  Private to src/config.
 */
#ifndef PGL_CONFIG_TOML_TREE_H
#define PGL_CONFIG_TOML_TREE_H

#include <stddef.h>
#include <stdint.h>

#include "config/toml_types.h"

/*
 * How a table came to exist decides what may still be added to it
 * ("Table" and "Inline Table" sections of the spec).
 */
#define T_IMPLICIT	0x01	/* parent of a [header], not yet defined */
#define T_HEADER	0x02	/* defined by its own [header] */
#define T_DOTTED	0x04	/* created by a dotted key */
#define T_INLINE	0x08	/* inline table: closed once parsed */
#define T_AOT		0x10	/* array of tables, made by [[header]] */

struct member {
	char			*key;	/* NULL for array elements */
	struct toml_value	*val;
};

struct toml_value {
	enum toml_type		type;
	int			line;
	int			depth;	/* containers above it; root is 0 */
	int			flags;
	char			*str;
	int64_t			num;	/* TOML_INT and TOML_BOOL */
	struct member		*items;
	size_t			count;
	size_t			cap;
};

/* toml.c: the member key of table t, or NULL (t NULL or not a table). */
struct toml_value	*toml_find(const struct toml_value *t, const char *key);

#endif
